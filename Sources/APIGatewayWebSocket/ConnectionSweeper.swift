import EmulatorCore
import Foundation
import ServiceLifecycle

/// Closes connections past the 10-minute idle timeout or the 2-hour maximum, on the virtual clock.
///
/// Wakes when the clock is moved by hand (`clock.changes()`) and on a real-time timer (at most one second,
/// or the next expiry), so moving the clock closes the connections at once. On graceful shutdown every
/// connection is closed with its `$disconnect`.
package struct ConnectionSweeper: Service {
    let service: WebSocketAPIService

    /// Creates the sweeper.
    /// - Parameter service: The WebSocket service whose connections it watches.
    package init(service: WebSocketAPIService) {
        self.service = service
    }

    /// Runs until graceful shutdown.
    /// - Throws: Never in practice.
    package func run() async throws {
        let changes = service.clock.changes()
        await withDiscardingTaskGroup { group in
            let (ticks, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            group.addTask {
                for await _ in changes { continuation.yield() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    continuation.yield()
                }
            }
            for await _ in ticks.cancelOnGracefulShutdown() {
                await service.sweep()
            }
            continuation.finish()
            await service.closeAll()
            group.cancelAll()
        }
    }
}
