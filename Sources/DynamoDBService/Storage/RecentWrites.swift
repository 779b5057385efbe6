import EmulatorCore
import Foundation
import Synchronization

/// One table's writes of the last `lag` seconds (virtual clock), so that eventually consistent reads (GetItem,
/// Query and Scan without `ConsistentRead`, and every read of a global secondary index) see an item as it was `lag`
/// ago, as the realism profile's `readLag` asks. Strongly consistent reads never look here.
///
/// Kept only when the lag is positive: the default profile has no recorder, so its writes and reads pay nothing.
/// A write whose transaction rolls back after it was recorded leaves an entry whose `before` image is the item as
/// it still is, so reads stay right.
final class RecentWrites: Sendable {
    private struct Change {
        var before: Item?
        var at: Date
    }

    private let lag: TimeInterval
    private let clock: VirtualClock
    private let changes = Mutex<[RowKey: [Change]]>([:])

    /// Creates the recorder.
    /// - Parameters:
    ///   - lag: How long (virtual seconds) a write stays invisible to eventually consistent reads.
    ///   - clock: The virtual clock.
    init(lag: TimeInterval, clock: VirtualClock) {
        self.lag = lag
        self.clock = clock
    }

    /// Records a write of the item at `key` that replaced `before` (nil: there was none).
    func record(key: RowKey, before: Item?) {
        let now = clock.now
        let lag = self.lag
        changes.withLock { changes in
            var list = changes[key, default: []].filter { now.timeIntervalSince($0.at) < lag }
            list.append(Change(before: before, at: now))
            changes[key] = list
            if changes.count > 10_000 {
                changes = changes.filter { entry in entry.value.contains { now.timeIntervalSince($0.at) < lag } }
            }
        }
    }

    /// The item as an eventually consistent read sees it: nil when every write to it is older than the lag (the
    /// stored item is visible), else `.some(image)` with the item before the oldest write within the lag
    /// (`.some(nil)`: the item did not exist then).
    func stale(key: RowKey) -> Item?? {
        let now = clock.now
        let lag = self.lag
        return changes.withLock { changes -> Item?? in
            guard let list = changes[key] else { return nil }
            guard let first = list.first(where: { now.timeIntervalSince($0.at) < lag }) else {
                changes[key] = nil
                return nil
            }
            return .some(first.before)
        }
    }
}

extension TableView {
    /// How eventually consistent reads of this table (or one of its indexes) see a stored item: nil when the table
    /// keeps no recent writes (no lag), else a function answering nil for "as stored" or `.some(image)` (`.some(nil)`:
    /// not visible yet, or no longer under this index key).
    /// - Parameter index: The index read, or nil for the table.
    /// - Returns: The function.
    func staleReads(index: CompiledIndex?) -> (@Sendable (Item) -> Item??)? {
        guard let recent = recentWrites else { return nil }
        let table = self
        return { item in
            guard let key = ItemStore.tableRowKey(of: item, table: table), let stale = recent.stale(key: key) else { return nil }
            guard let index, let before = stale else { return stale }
            // An index read sees the earlier image only where it was in this index under the same index key.
            guard let projected = index.project(before, tableKey: table.key),
                let was = ItemStore.rowKey(of: before, schema: index.key, index: "", ident: Data()),
                let now = ItemStore.rowKey(of: item, schema: index.key, index: "", ident: Data()),
                was.partition == now.partition, was.sort == now.sort
            else { return .some(nil) }
            return .some(projected)
        }
    }
}
