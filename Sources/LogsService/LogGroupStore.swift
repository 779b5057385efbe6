import EmulatorCore
import Foundation
import Synchronization

/// One log event as CloudWatch Logs keeps it.
package struct StoredLogEvent: Sendable, Equatable, Codable {
    /// A number increasing across the whole store (the `eventId`, pagination tokens and interleaving use it).
    package var number: Int
    /// The event's timestamp in milliseconds since the epoch.
    package var timestamp: Int64
    /// When it was ingested, in milliseconds since the epoch (virtual clock).
    package var ingestionTime: Int64
    /// The message.
    package var message: String
    /// The stream it belongs to.
    package var stream: String
}

/// One log stream: its events in ingestion order.
package struct StoredLogStream: Sendable, Codable {
    /// The stream name.
    package var name: String
    /// When it was created (ms).
    package var creationTime: Int64
    /// The events, oldest first.
    package var events: [StoredLogEvent] = []
    /// The last ingestion time (ms), once an event arrived.
    package var lastIngestionTime: Int64?
    /// The sum of the messages' UTF-8 sizes.
    package var storedBytes: Int = 0
}

/// One log group with its streams and retention.
package struct StoredLogGroup: Sendable, Codable {
    /// The group name.
    package var name: String
    /// When it was created (ms).
    package var creationTime: Int64
    /// Days events are kept, or nil for never expiring.
    package var retentionInDays: Int?
    /// The group's tags (optional so that snapshots written before tags existed still load).
    package var tags: [String: String]?
    /// The streams by name.
    package var streams: [String: StoredLogStream] = [:]
}

/// Why a store operation was refused.
package enum LogStoreFailure: Error, Sendable, Equatable {
    /// No such group.
    case groupNotFound
    /// No such stream.
    case streamNotFound
    /// The group exists already.
    case groupExists
    /// The stream exists already.
    case streamExists
}

/// Every log group of the emulator, in memory, on the virtual clock.
///
/// A `Mutex` rather than an actor: appends come from worker output callbacks that cannot await, and no operation
/// holds the lock across an `await`. Retention is applied when groups are read and written: events older than
/// `retentionInDays` days before the virtual clock's now are dropped, as CloudWatch Logs expires them.
package final class LogGroupStore: Sendable, LogEventSink {
    private struct State: Codable {
        var groups: [String: StoredLogGroup] = [:]
        var nextNumber = 1
    }

    private let state = Mutex(State())
    private let clock: VirtualClock
    private let eventsPerStream: Int

    /// Creates an empty store.
    /// - Parameters:
    ///   - clock: The virtual clock (creation, ingestion and retention times).
    ///   - eventsPerStream: Events kept per stream; older ones are dropped.
    package init(clock: VirtualClock, eventsPerStream: Int = 10_000) {
        self.clock = clock
        self.eventsPerStream = max(1, eventsPerStream)
    }

    /// The virtual clock's now in milliseconds.
    package var nowMilliseconds: Int64 { Self.milliseconds(clock.now) }

    /// A date in milliseconds since the epoch, clamped to Int64.
    /// - Parameter date: The date.
    /// - Returns: Milliseconds.
    package static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard value.isFinite else { return 0 }
        return Int64(max(min(value, 9.0e15), -9.0e15))
    }

    /// Records a Lambda function's output line in `/aws/lambda/{function}`, creating the group and stream as
    /// Lambda does on first write.
    /// - Parameters:
    ///   - message: The line.
    ///   - function: The function name.
    ///   - stream: The environment's stream.
    ///   - timestamp: When it was written.
    package func functionLine(_ message: String, function: String, stream: String, timestamp: Date) {
        let now = nowMilliseconds
        let group = "/aws/lambda/\(function)"
        state.withLock { state in
            if state.groups[group] == nil { state.groups[group] = StoredLogGroup(name: group, creationTime: now) }
            if state.groups[group]?.streams[stream] == nil {
                state.groups[group]?.streams[stream] = StoredLogStream(name: stream, creationTime: now)
            }
            append(&state, group: group, stream: stream, timestamp: Self.milliseconds(timestamp), message: message, now: now)
        }
    }

    private func append(_ state: inout State, group: String, stream: String, timestamp: Int64, message: String, now: Int64) {
        let event = StoredLogEvent(number: state.nextNumber, timestamp: timestamp, ingestionTime: now, message: message, stream: stream)
        state.nextNumber += 1
        guard var value = state.groups[group]?.streams[stream] else { return }
        value.events.append(event)
        value.storedBytes += message.utf8.count
        value.lastIngestionTime = now
        if value.events.count > eventsPerStream {
            let dropped = value.events.count - eventsPerStream
            value.storedBytes -= value.events.prefix(dropped).reduce(0) { $0 + $1.message.utf8.count }
            value.events.removeFirst(dropped)
        }
        state.groups[group]?.streams[stream] = value
    }

    /// `CreateLogGroup` (and a CloudFormation stack's new log group).
    /// - Parameters:
    ///   - name: The group name.
    ///   - retentionInDays: The retention, if any.
    ///   - tags: The tags.
    /// - Throws: ``LogStoreFailure/groupExists``.
    package func createGroup(_ name: String, retentionInDays: Int? = nil, tags: [String: String] = [:]) throws(LogStoreFailure) {
        let now = nowMilliseconds
        try state.withLock { state throws(LogStoreFailure) in
            guard state.groups[name] == nil else { throw .groupExists }
            state.groups[name] = StoredLogGroup(name: name, creationTime: now, retentionInDays: retentionInDays, tags: tags)
        }
    }

    /// Creates a group from the template (no error when it exists: its retention and tags are set).
    /// - Parameters:
    ///   - name: The group name.
    ///   - retentionInDays: The retention, if any.
    ///   - tags: The tags.
    package func declareGroup(_ name: String, retentionInDays: Int?, tags: [String: String] = [:]) {
        let now = nowMilliseconds
        state.withLock { state in
            if state.groups[name] == nil {
                state.groups[name] = StoredLogGroup(name: name, creationTime: now, retentionInDays: retentionInDays, tags: tags)
            } else {
                state.groups[name]?.retentionInDays = retentionInDays
                state.groups[name]?.tags = tags
            }
        }
    }

    /// Changes a group's tags (`TagResource`, `UntagResource`, a stack update's `Tags`).
    /// - Parameters:
    ///   - name: The group name.
    ///   - change: Edits the tags in place.
    /// - Throws: ``LogStoreFailure/groupNotFound``.
    package func updateTags(_ name: String, _ change: (inout [String: String]) -> Void) throws(LogStoreFailure) {
        try state.withLock { state throws(LogStoreFailure) in
            guard var group = state.groups[name] else { throw .groupNotFound }
            var tags = group.tags ?? [:]
            change(&tags)
            group.tags = tags
            state.groups[name] = group
        }
    }

    /// `DeleteLogGroup`.
    /// - Parameter name: The group name.
    /// - Throws: ``LogStoreFailure/groupNotFound``.
    package func deleteGroup(_ name: String) throws(LogStoreFailure) {
        try state.withLock { state throws(LogStoreFailure) in
            guard state.groups.removeValue(forKey: name) != nil else { throw .groupNotFound }
        }
    }

    /// `PutRetentionPolicy` / `DeleteRetentionPolicy`.
    /// - Parameters:
    ///   - name: The group name.
    ///   - days: The retention, or nil to keep events forever.
    /// - Throws: ``LogStoreFailure/groupNotFound``.
    package func setRetention(_ name: String, days: Int?) throws(LogStoreFailure) {
        try state.withLock { state throws(LogStoreFailure) in
            guard state.groups[name] != nil else { throw .groupNotFound }
            state.groups[name]?.retentionInDays = days
        }
    }

    /// `CreateLogStream`.
    /// - Parameters:
    ///   - stream: The stream name.
    ///   - group: The group name.
    /// - Throws: ``LogStoreFailure``.
    package func createStream(_ stream: String, in group: String) throws(LogStoreFailure) {
        let now = nowMilliseconds
        try state.withLock { state throws(LogStoreFailure) in
            guard let existing = state.groups[group] else { throw .groupNotFound }
            guard existing.streams[stream] == nil else { throw .streamExists }
            state.groups[group]?.streams[stream] = StoredLogStream(name: stream, creationTime: now)
        }
    }

    /// `PutLogEvents`: appends events (already validated) to an existing stream.
    /// - Parameters:
    ///   - events: Timestamp (ms) and message pairs.
    ///   - stream: The stream.
    ///   - group: The group.
    /// - Throws: ``LogStoreFailure``.
    package func put(_ events: [(timestamp: Int64, message: String)], stream: String, group: String) throws(LogStoreFailure) {
        let now = nowMilliseconds
        try state.withLock { state throws(LogStoreFailure) in
            guard let existing = state.groups[group] else { throw .groupNotFound }
            guard existing.streams[stream] != nil else { throw .streamNotFound }
            for event in events.sorted(by: { $0.timestamp < $1.timestamp }) {
                append(&state, group: group, stream: stream, timestamp: event.timestamp, message: event.message, now: now)
            }
        }
    }

    /// A copy of one group with expired events removed (and removed from the store too).
    /// - Parameter name: The group name.
    /// - Returns: The group.
    /// - Throws: ``LogStoreFailure/groupNotFound``.
    package func group(_ name: String) throws(LogStoreFailure) -> StoredLogGroup {
        let now = nowMilliseconds
        return try state.withLock { state throws(LogStoreFailure) in
            guard var group = state.groups[name] else { throw .groupNotFound }
            if Self.expire(&group, now: now) { state.groups[name] = group }
            return group
        }
    }

    /// Copies of every group, sorted by name, expired events removed.
    /// - Returns: The groups.
    package func groups() -> [StoredLogGroup] {
        let now = nowMilliseconds
        return state.withLock { state in
            for name in state.groups.keys {
                guard var group = state.groups[name] else { continue }
                if Self.expire(&group, now: now) { state.groups[name] = group }
            }
            return state.groups.values.sorted { $0.name < $1.name }
        }
    }

    /// Drops the events of `group` older than its retention; returns whether anything changed.
    private static func expire(_ group: inout StoredLogGroup, now: Int64) -> Bool {
        guard let days = group.retentionInDays else { return false }
        let cutoff = now - Int64(days) * 86_400_000
        var changed = false
        for (name, stream) in group.streams where stream.events.contains(where: { $0.timestamp < cutoff }) {
            var kept = stream
            kept.events.removeAll { $0.timestamp < cutoff }
            kept.storedBytes = kept.events.reduce(0) { $0 + $1.message.utf8.count }
            group.streams[name] = kept
            changed = true
        }
        return changed
    }

    /// The whole store (every group, stream and event, and the next event number) as JSON, for a snapshot.
    /// - Returns: The JSON.
    /// - Throws: Encoding errors.
    package func snapshotData() throws -> Data {
        let copy = state.withLock { $0 }
        return try JSONEncoder().encode(copy)
    }

    /// Replaces the whole store with what ``snapshotData()`` wrote.
    /// - Parameter data: The JSON.
    /// - Throws: Decoding errors (then nothing changed).
    package func restore(from data: Data) throws {
        let saved = try JSONDecoder().decode(State.self, from: data)
        state.withLock { $0 = saved }
    }

    /// Empties the store (reset).
    package func removeAll() {
        state.withLock { $0 = State() }
    }
}
