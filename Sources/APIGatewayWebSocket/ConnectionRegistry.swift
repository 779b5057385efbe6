import Foundation
import HummingbirdWebSocket

/// Every WebSocket connection the emulator holds, from the start of `$connect` until it is gone.
///
/// A connection is *reserved* while `$connect` runs (the management API answers 410 for it, as AWS does),
/// *live* once the upgrade completed, and removed exactly once by ``take(_:)``: whoever takes it (the
/// connection's own task when the client closes, DeleteConnection, the sweeper) sends `$disconnect`.
package actor ConnectionRegistry {
    /// One held connection.
    package struct Entry: Sendable {
        /// What events carry about it.
        package var facts: ConnectionFacts
        /// The last message in either direction.
        package var lastActiveAt: Date
        /// The writer, once the upgrade completed; `nil` while `$connect` runs.
        package var writer: WebSocketOutboundWriter?
        /// Whether the upgrade completed.
        package var isLive: Bool { writer != nil }
    }

    private var entries: [String: Entry] = [:]

    /// Creates an empty registry.
    package init() {}

    /// Records a connection whose `$connect` is running.
    /// - Parameter facts: The connection.
    package func reserve(_ facts: ConnectionFacts) {
        entries[facts.connectionId] = Entry(facts: facts, lastActiveAt: facts.connectedAt, writer: nil)
    }

    /// Marks a reserved connection live.
    /// - Parameters:
    ///   - id: The connection id.
    ///   - writer: Where PostToConnection writes.
    ///   - now: The time of the upgrade.
    /// - Returns: `false` when the connection was taken meanwhile.
    package func activate(_ id: String, writer: WebSocketOutboundWriter, now: Date) -> Bool {
        guard entries[id] != nil else { return false }
        entries[id]?.writer = writer
        entries[id]?.lastActiveAt = now
        return true
    }

    /// Updates the last-active time.
    /// - Parameters:
    ///   - id: The connection id.
    ///   - now: The time.
    package func touch(_ id: String, now: Date) {
        entries[id]?.lastActiveAt = now
    }

    /// A connection, live or not.
    /// - Parameter id: The connection id.
    /// - Returns: The entry.
    package func entry(_ id: String) -> Entry? { entries[id] }

    /// Removes a connection; only the first caller gets it.
    /// - Parameter id: The connection id.
    /// - Returns: The entry, or `nil` when it was already taken.
    package func take(_ id: String) -> Entry? {
        entries.removeValue(forKey: id)
    }

    /// Live connections past the idle timeout or the maximum duration at `now`.
    /// - Parameters:
    ///   - now: The virtual time.
    ///   - idleTimeout: Seconds without activity.
    ///   - maximumDuration: Seconds since connecting.
    /// - Returns: The connection ids.
    package func expired(now: Date, idleTimeout: Double, maximumDuration: Double) -> [String] {
        entries.values.filter { entry in
            entry.isLive
                && (now.timeIntervalSince(entry.lastActiveAt) >= idleTimeout
                    || now.timeIntervalSince(entry.facts.connectedAt) >= maximumDuration)
        }.map(\.facts.connectionId)
    }

    /// The earliest instant at which a live connection expires, for the sweeper's timer.
    /// - Parameters:
    ///   - idleTimeout: Seconds without activity.
    ///   - maximumDuration: Seconds since connecting.
    /// - Returns: The instant, or `nil` with no live connection.
    package func nextExpiry(idleTimeout: Double, maximumDuration: Double) -> Date? {
        entries.values.filter(\.isLive).map { entry in
            min(entry.lastActiveAt.addingTimeInterval(idleTimeout), entry.facts.connectedAt.addingTimeInterval(maximumDuration))
        }.min()
    }

    /// Every connection id (for shutdown).
    package var ids: [String] { Array(entries.keys) }

    /// Every entry, oldest connection first (the dashboard's listing).
    package func snapshot() -> [Entry] {
        entries.values.sorted { ($0.facts.connectedAt, $0.facts.connectionId) < ($1.facts.connectedAt, $1.facts.connectionId) }
    }

    /// The number of live connections.
    package var liveCount: Int { entries.values.filter(\.isLive).count }

    /// The number of connections whose `$connect` is still running.
    package var pendingCount: Int { entries.values.filter { !$0.isLive }.count }
}
