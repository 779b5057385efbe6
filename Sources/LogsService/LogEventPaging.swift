import Foundation

/// `GetLogEvents` and `FilterLogEvents`: time windows, limits and pagination tokens.
///
/// Events are ordered by (timestamp, ingestion number). `GetLogEvents` tokens are AWS-shaped, `f/` or `b/` and 56
/// digits (20 for the timestamp, 36 for the number of the event they follow or precede); at the end of a stream the
/// forward token comes back unchanged, so a poller keeps calling with it. `FilterLogEvents` tokens are opaque.
enum LogEventPaging {
    /// The `limit` member within 1...maximum (default `maximum`).
    static func limit(_ input: LogsInput, maximum: Int) throws(LogsError) -> Int {
        guard let value = try input.int("limit") else { return maximum }
        guard value >= 1 else { throw LogsError.constraint("limit", value: String(value), "Member must have value greater than or equal to 1") }
        guard value <= maximum else {
            throw LogsError.constraint("limit", value: String(value), "Member must have value less than or equal to \(maximum)")
        }
        return value
    }

    /// A position in the (timestamp, number) order.
    struct Key: Comparable {
        var timestamp: Int64
        var number: Int

        static func < (left: Key, right: Key) -> Bool { (left.timestamp, left.number) < (right.timestamp, right.number) }

        init(timestamp: Int64, number: Int) {
            self.timestamp = timestamp
            self.number = number
        }

        init(_ event: StoredLogEvent) {
            self.init(timestamp: event.timestamp, number: event.number)
        }
    }

    /// A non-negative number in `width` decimal digits.
    static func digits(_ value: Int, width: Int) -> String {
        let text = String(max(0, value))
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func token(_ direction: String, _ key: Key) -> String {
        direction + "/" + digits(Int(key.timestamp), width: 20) + digits(key.number, width: 36)
    }

    private static func parseToken(_ token: String) throws(LogsError) -> (forward: Bool, key: Key) {
        let invalid = LogsError.invalidParameter("The specified nextToken is invalid.")
        guard token.count == 58, token.hasPrefix("f/") || token.hasPrefix("b/") else { throw invalid }
        let body = token.dropFirst(2)
        guard body.allSatisfy({ $0.isASCII && $0.isNumber }), let timestamp = Int64(body.prefix(20)), let number = Int(body.dropFirst(20))
        else { throw invalid }
        return (token.hasPrefix("f/"), Key(timestamp: timestamp, number: number))
    }

    /// The events of a stream inside `[startTime, endTime)`, in order.
    private static func window(_ events: [StoredLogEvent], _ input: LogsInput) throws(LogsError) -> [StoredLogEvent] {
        let start = try input.int("startTime").map { Int64(clamping: $0) }
        let end = try input.int("endTime").map { Int64(clamping: $0) }
        return events.filter { event in
            if let start, event.timestamp < start { return false }
            if let end, event.timestamp >= end { return false }
            return true
        }
        .sorted { Key($0) < Key($1) }
    }

    private static func eventJSON(_ event: StoredLogEvent) -> [String: Any] {
        ["timestamp": event.timestamp, "message": event.message, "ingestionTime": event.ingestionTime]
    }

    /// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
    static func getLogEvents(_ input: LogsInput, group: StoredLogGroup, stream name: String) throws(LogsError) -> [String: Any] {
        guard let stream = group.streams[name] else { throw .streamNotFound }
        let limit = try Self.limit(input, maximum: 10_000)
        let events = try window(stream.events, input)
        let page: ArraySlice<StoredLogEvent>
        var anchor: Key
        if let text = try input.string("nextToken") {
            let (forward, key) = try parseToken(text)
            anchor = key
            if forward {
                page = events.drop(while: { Key($0) <= key }).prefix(limit)
            } else {
                page = events.prefix(while: { Key($0) < key }).suffix(limit)
            }
        } else if try input.bool("startFromHead") ?? false {
            page = events.prefix(limit)
            anchor = Key(timestamp: 0, number: 0)
        } else {
            page = events.suffix(limit)
            anchor = page.first.map(Key.init) ?? events.last.map(Key.init) ?? Key(timestamp: 0, number: 0)
        }
        if let first = page.first, Key(first) < anchor { anchor = Key(first) }
        return [
            "events": page.map(eventJSON),
            "nextForwardToken": token("f", page.last.map(Key.init) ?? anchor),
            "nextBackwardToken": token("b", page.first.map(Key.init) ?? anchor),
        ]
    }

    /// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
    static func filterLogEvents(_ input: LogsInput, group: StoredLogGroup) throws(LogsError) -> [String: Any] {
        let limit = try Self.limit(input, maximum: 10_000)
        let names = try input.strings("logStreamNames")
        let prefix = try input.string("logStreamNamePrefix")
        if !names.isEmpty, prefix != nil {
            throw .invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        }
        let patternText = try input.string("filterPattern") ?? ""
        let pattern: FilterPattern
        do { pattern = try FilterPattern(patternText) } catch { throw .invalidParameter(error.reason) }
        let after = try input.string("nextToken").map { text throws(LogsError) in try decodeFilterToken(text) }
        var streams = Array(group.streams.values)
        if !names.isEmpty {
            streams = streams.filter { names.contains($0.name) }
            if streams.isEmpty { throw .streamNotFound }
        }
        if let prefix { streams = streams.filter { $0.name.hasPrefix(prefix) } }
        var matched: [StoredLogEvent] = []
        for stream in streams {
            for event in try window(stream.events, input) where after.map({ Key(event) > $0 }) ?? true && pattern.matches(event.message) {
                matched.append(event)
            }
        }
        matched.sort { Key($0) < Key($1) }
        let page = matched.prefix(limit)
        var output: [String: Any] = [
            "events": page.map { event -> [String: Any] in
                var entry = eventJSON(event)
                entry["logStreamName"] = event.stream
                entry["eventId"] = digits(event.number, width: 56)
                return entry
            },
            "searchedLogStreams": streams.sorted { $0.name < $1.name }.map { ["logStreamName": $0.name, "searchedCompletely": true] },
        ]
        if matched.count > page.count, let last = page.last { output["nextToken"] = encodeFilterToken(Key(last)) }
        return output
    }

    private static func encodeFilterToken(_ key: Key) -> String {
        Data("filter/\(key.timestamp)/\(key.number)".utf8).base64EncodedString()
    }

    private static func decodeFilterToken(_ token: String) throws(LogsError) -> Key {
        let invalid = LogsError.invalidParameter("The specified nextToken is invalid.")
        guard let data = Data(base64Encoded: token) else { throw invalid }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "/")
        guard parts.count == 3, parts[0] == "filter", let timestamp = Int64(parts[1]), let number = Int(parts[2]) else { throw invalid }
        return Key(timestamp: timestamp, number: number)
    }

    /// An opaque token naming the last group returned.
    static func encodeNameToken(_ name: String) -> String {
        Data("name/\(name)".utf8).base64EncodedString()
    }

    /// The group name an ``encodeNameToken(_:)`` token carries.
    static func decodeNameToken(_ token: String) throws(LogsError) -> String {
        guard let data = Data(base64Encoded: token) else { throw .invalidParameter("The specified nextToken is invalid.") }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("name/") else { throw .invalidParameter("The specified nextToken is invalid.") }
        return String(text.dropFirst(5))
    }

    /// An opaque token for an offset in a sorted listing.
    static func encodeOffsetToken(_ offset: Int) -> String {
        Data("offset/\(offset)".utf8).base64EncodedString()
    }

    /// The offset an ``encodeOffsetToken(_:)`` token carries.
    static func decodeOffsetToken(_ token: String) throws(LogsError) -> Int {
        guard let data = Data(base64Encoded: token) else { throw .invalidParameter("The specified nextToken is invalid.") }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("offset/"), let offset = Int(text.dropFirst(7)), offset >= 0 else {
            throw .invalidParameter("The specified nextToken is invalid.")
        }
        return offset
    }
}
