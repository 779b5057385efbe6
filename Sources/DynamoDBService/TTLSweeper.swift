import EmulatorCore
import Foundation
import Logging

extension DynamoDBService {
    /// The TTL sweeper: deletes expired items when the virtual clock is moved and once a second.
    /// - Parameter interval: The real-time period between sweeps.
    /// - Returns: The background service (a ``ClockSweeper`` running ``sweepExpired()``).
    package func ttlSweeper(interval: Duration = .seconds(1)) -> ClockSweeper {
        ClockSweeper(name: "dynamodb-ttl", clock: clock, interval: interval) { [self] _ in
            await sweepExpiredLogged()
            await trimStreamsLogged()
        }
    }

    /// One stream retention pass (records older than 24 hours); failures are logged.
    private func trimStreamsLogged() async {
        do {
            try await trimStreams()
        } catch {
            if !Task.isCancelled { logger.warning("Stream trim failed", metadata: ["error": .string(String(describing: error))]) }
        }
    }

    /// One TTL pass; failures other than cancellation are logged.
    private func sweepExpiredLogged() async {
        do {
            try await sweepExpired()
        } catch is CancellationError {
            return
        } catch  where Task.isCancelled {
            return
        } catch {
            logger.warning("TTL sweep failed", metadata: ["error": .string(String(describing: error))])
        }
    }
}
