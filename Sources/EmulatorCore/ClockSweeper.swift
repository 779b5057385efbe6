import Foundation
import ServiceLifecycle

/// The one schedule of the emulator's periodic clean-ups (DynamoDB TTL, S3 lifecycle, WebSocket idle connections,
/// idle Lambda environments, expired issued credentials): runs a service's sweep on the virtual clock.
///
/// A sweep runs every `interval` of real time and at once whenever the clock is moved by hand
/// (``VirtualClock/changes()``), so advancing the clock acts without waiting. Wake-ups that arrive while a sweep
/// runs are coalesced into one more sweep, so sweeps of one sweeper never overlap. On graceful shutdown the sweep
/// in progress finishes, no new one starts, and `atShutdown` runs (not cancelled, so it may still talk to clients).
/// The service supplies only the work: `sweep(now)` with the virtual time of the wake-up.
package struct ClockSweeper: Service {
    /// What the sweeper cleans up, for logs.
    package let name: String
    private let clock: VirtualClock
    private let interval: Duration
    private let sweep: @Sendable (Date) async -> Void
    private let atShutdown: @Sendable () async -> Void

    /// Creates a sweeper.
    /// - Parameters:
    ///   - name: What it cleans up, for logs.
    ///   - clock: The virtual clock whose moves trigger a sweep.
    ///   - interval: The real-time period between sweeps; clamped to at least one millisecond.
    ///   - sweep: One pass of the service's work, given the virtual time; failures are the service's to log.
    ///   - atShutdown: Work to do once on graceful shutdown, after the last sweep.
    package init(
        name: String,
        clock: VirtualClock,
        interval: Duration,
        sweep: @escaping @Sendable (Date) async -> Void,
        atShutdown: @escaping @Sendable () async -> Void = {}
    ) {
        self.name = name
        self.clock = clock
        self.interval = max(interval, .milliseconds(1))
        self.sweep = sweep
        self.atShutdown = atShutdown
    }

    /// The real-time period for a number of seconds, as the sweepers' settings give it; NaN or non-positive
    /// values become one millisecond, huge ones one day.
    /// - Parameter seconds: The period in seconds.
    /// - Returns: The duration.
    package static func interval(seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0.001 else { return .milliseconds(1) }
        return .milliseconds(Int64(min(seconds, 86_400) * 1000))
    }

    /// Sweeps until graceful shutdown (or cancellation), then runs `atShutdown`.
    /// - Throws: Never.
    package func run() async throws {
        let changes = clock.changes()
        let clock = self.clock
        let interval = self.interval
        let (ticks, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in changes { continuation.yield() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
            }
            for await _ in ticks.cancelOnGracefulShutdown() {
                if Task.isCancelled { break }
                await sweep(clock.now)
            }
            continuation.finish()
            group.cancelAll()
        }
        await atShutdown()
    }
}
