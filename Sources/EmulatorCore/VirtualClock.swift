import Foundation
import Synchronization

/// The one clock of the emulator process.
///
/// Virtual time is real time plus an offset that `POST /_local/clock` (or `synapscribe-local clock`) moves.
/// Everything time-based (TTL, lifecycle, presigned-URL expiry, credential expiry, WebSocket idle timeouts)
/// reads ``now`` instead of `Date()`, so tests can jump days ahead without waiting.
package final class VirtualClock: Sendable {
    private struct State {
        var offset: TimeInterval
        var subscribers: [UUID: AsyncStream<Date>.Continuation]
    }

    private let state: Mutex<State>
    private let realNow: @Sendable () -> Date

    /// Creates a clock.
    /// - Parameters:
    ///   - offset: Initial offset from real time in seconds.
    ///   - realNow: Source of real time; tests may pin it.
    package init(offset: TimeInterval = 0, realNow: @escaping @Sendable () -> Date = { Date() }) {
        self.state = Mutex(State(offset: offset, subscribers: [:]))
        self.realNow = realNow
    }

    /// The current virtual time.
    package var now: Date {
        let offset = state.withLock { $0.offset }
        return realNow().addingTimeInterval(offset)
    }

    /// The current offset from real time, in seconds.
    package var offset: TimeInterval { state.withLock { $0.offset } }

    /// Moves virtual time forward (or backward, for a negative interval) and wakes every subscriber.
    /// - Parameter interval: Seconds to add.
    package func advance(by interval: TimeInterval) {
        let subscribers = state.withLock { state in
            state.offset += interval
            return Array(state.subscribers.values)
        }
        notify(subscribers)
    }

    /// Sets virtual time to a given instant and wakes every subscriber.
    /// - Parameter date: The new virtual time.
    package func set(to date: Date) {
        let real = realNow()
        let subscribers = state.withLock { state in
            state.offset = date.timeIntervalSince(real)
            return Array(state.subscribers.values)
        }
        notify(subscribers)
    }

    /// A stream that yields the new virtual time each time the clock is moved by hand.
    ///
    /// Sweepers wait on this beside their real-time timer so that advancing the clock acts at once.
    package func changes() -> AsyncStream<Date> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Date>.makeStream(bufferingPolicy: .bufferingNewest(1))
        state.withLock { $0.subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    private func notify(_ subscribers: [AsyncStream<Date>.Continuation]) {
        let current = now
        for subscriber in subscribers { subscriber.yield(current) }
    }
}
