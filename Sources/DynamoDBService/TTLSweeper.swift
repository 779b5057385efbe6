import EmulatorCore
import Foundation
import Logging
import ServiceLifecycle

/// Deletes expired items in the background: wakes when the virtual clock is moved and once a second.
package struct TTLSweeper: Service {
    let service: DynamoDBService
    let clock: VirtualClock
    let interval: Duration

    /// Creates the sweeper.
    /// - Parameters:
    ///   - service: The DynamoDB service whose tables it sweeps.
    ///   - interval: The real-time period between sweeps.
    package init(service: DynamoDBService, interval: Duration = .seconds(1)) {
        self.service = service
        self.clock = service.clock
        self.interval = interval
    }

    /// Sweeps until graceful shutdown.
    /// - Throws: Never; sweep failures are logged.
    package func run() async throws {
        let changes = clock.changes()
        let service = self.service
        let interval = self.interval
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in changes { await Self.sweep(service) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        await Self.sweep(service)
                    }
                }
            }
        }
    }

    private static func sweep(_ service: DynamoDBService) async {
        do {
            try await service.sweepExpired()
        } catch is CancellationError {
            return
        } catch  where Task.isCancelled {
            return
        } catch {
            service.logger.warning("TTL sweep failed", metadata: ["error": .string(String(describing: error))])
        }
    }
}
