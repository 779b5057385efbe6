import Foundation
import Synchronization

/// The one clock of the emulator process.
///
/// Virtual time is real time plus an offset that `POST /_local/clock` (or `synapscribe-local clock`) moves.
/// Everything time-based (TTL, lifecycle, presigned-URL expiry, credential expiry, WebSocket idle timeouts)
/// reads ``now`` instead of `Date()`, so tests can jump days ahead without waiting.
///
/// The offset stays within ``offsetRange`` (±100 years): a move beyond it stops at the edge, and a NaN move is
/// ignored. ``now`` is also kept within years 0001 through 9999, so every conversion of virtual time to whole
/// seconds or milliseconds (`Int64`, `Int`, `UInt64`) and every date formatter stays in range whatever the clock was told.
package final class VirtualClock: Sendable {
    /// The largest distance, in seconds, between virtual and real time: 100 years of 365.25 days.
    package static let maximumOffset: TimeInterval = 100 * 365.25 * 86_400

    /// The offsets the clock accepts; moves beyond them are clamped to the nearest end.
    package static let offsetRange: ClosedRange<TimeInterval> = -maximumOffset...maximumOffset

    /// The earliest instant ``now`` reports: `0001-01-01T00:00:00Z`.
    package static let earliest = Date(timeIntervalSince1970: -62_135_596_800)

    /// The latest instant ``now`` reports: `9999-12-31T23:59:59Z`.
    package static let latest = Date(timeIntervalSince1970: 253_402_300_799)

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
        self.state = Mutex(State(offset: Self.clamped(offset: offset), subscribers: [:]))
        self.realNow = realNow
    }

    /// An offset forced into ``offsetRange``; NaN becomes 0.
    /// - Parameter offset: Seconds from real time.
    /// - Returns: The offset the clock would use.
    package static func clamped(offset: TimeInterval) -> TimeInterval {
        guard !offset.isNaN else { return 0 }
        return min(max(offset, offsetRange.lowerBound), offsetRange.upperBound)
    }

    /// The current virtual time, between ``earliest`` and ``latest``.
    package var now: Date {
        let offset = state.withLock { $0.offset }
        let seconds = realNow().timeIntervalSince1970 + offset
        guard !seconds.isNaN else { return Date(timeIntervalSince1970: 0) }
        return Date(
            timeIntervalSince1970: min(max(seconds, Self.earliest.timeIntervalSince1970), Self.latest.timeIntervalSince1970)
        )
    }

    /// The current offset from real time, in seconds.
    package var offset: TimeInterval { state.withLock { $0.offset } }

    /// Moves virtual time forward (or backward, for a negative interval) and wakes every subscriber.
    ///
    /// The resulting offset is clamped to ``offsetRange``; a NaN interval leaves the clock where it is.
    /// - Parameter interval: Seconds to add.
    package func advance(by interval: TimeInterval) {
        guard !interval.isNaN else { return }
        let subscribers = state.withLock { state in
            // The stored offset is finite, so the sum is never NaN (an infinite interval clamps to an end).
            state.offset = Self.clamped(offset: state.offset + interval)
            return Array(state.subscribers.values)
        }
        notify(subscribers)
    }

    /// Sets virtual time to a given instant and wakes every subscriber.
    ///
    /// An instant more than ``maximumOffset`` from real time sets the clock to the nearest end of ``offsetRange``;
    /// a NaN instant leaves the clock where it is.
    /// - Parameter date: The new virtual time.
    package func set(to date: Date) {
        let offset = date.timeIntervalSince(realNow())
        guard !offset.isNaN else { return }
        let subscribers = state.withLock { state in
            state.offset = Self.clamped(offset: offset)
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
