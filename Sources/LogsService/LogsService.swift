import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import NIOCore

extension ServiceDescriptors {
    /// Amazon CloudWatch Logs (JSON 1.1, target prefix `Logs_20140328`).
    package static let logs = ServiceDescriptor(
        signingName: "logs",
        name: "logs",
        wireProtocol: .awsJson1_1(targetPrefix: "Logs_20140328")
    )
}

/// Amazon CloudWatch Logs over the emulator's Lambda output: log groups `/aws/lambda/{function}` with one stream per
/// execution environment, plus groups and streams created through the API or the template.
///
/// Served: `CreateLogGroup`, `DeleteLogGroup`, `DescribeLogGroups`, `CreateLogStream`, `DescribeLogStreams`,
/// `PutLogEvents`, `GetLogEvents`, `FilterLogEvents` (what `aws logs tail [--follow]` and `sam logs` poll),
/// `PutRetentionPolicy`, `DeleteRetentionPolicy`, `TagResource`, `UntagResource`, `ListTagsForResource`,
/// `ListTagsLogGroup`. Everything else (`StartLiveTail`, metric filters, subscriptions,
/// Insights queries) answers `UnknownOperationException`. Times come from the virtual clock.
package struct LogsService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.logs
    /// The groups, streams and events (the Lambda log store forwards to it).
    package let store: LogGroupStore
    private let templateGroups: [LogGroupSpec]
    private let environment: LiveEnvironment
    private let authorizer: any RequestAuthorizing

    /// Creates the service with the template's log groups.
    /// - Parameters:
    ///   - groups: The template's `AWS::Logs::LogGroup` resources.
    ///   - clock: The virtual clock.
    ///   - environment: Region and account.
    ///   - authorizer: The IAM hook.
    package init(groups: [LogGroupSpec], clock: VirtualClock, environment: LiveEnvironment, authorizer: any RequestAuthorizing) {
        self.store = LogGroupStore(clock: clock)
        self.templateGroups = groups
        self.environment = environment
        self.authorizer = authorizer
        declareTemplateGroups()
    }

    /// (Re)creates the template's groups with their retention.
    func declareTemplateGroups() {
        for group in templateGroups { store.declareGroup(group.name, retentionInDays: group.retentionInDays, tags: group.tags) }
    }

    /// Names the typed operation from the `X-Amz-Target` suffix.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(LogsOperation.init(rawValue:))
    }

    /// `running` with the group count.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        ServiceHealth(state: "running", resources: ["logGroups": store.groups().count])
    }

    /// Answers one JSON 1.1 request.
    /// - Parameter request: The request.
    /// - Returns: The JSON response.
    /// - Throws: ``LogsError``.
    package func handle(_ request: AWSRequest) async throws -> Response {
        guard let operation = request.serviceOperation as? LogsOperation else { throw LogsError.unknownOperation(request.operation) }
        let input = try LogsInput(request.bodyData)
        let output: [String: Any]
        switch operation {
        case .createLogGroup:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
            let name = try groupName(input, member: "logGroupName")
            let tags = try input.stringMap("tags")
            try await authorize(request, operation, group: name)
            do { try store.createGroup(name, tags: tags) } catch { throw LogsError.from(error) }
            output = [:]
        case .deleteLogGroup:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLogGroup.html
            let name = try groupName(input, member: "logGroupName")
            try await authorize(request, operation, group: name)
            do { try store.deleteGroup(name) } catch { throw LogsError.from(error) }
            output = [:]
        case .describeLogGroups:
            try await authorize(request, operation, group: "*")
            output = try describeGroups(input)
        case .createLogStream:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html
            let group = try groupName(input, member: "logGroupName")
            let stream = try streamName(input)
            try await authorize(request, operation, group: group, stream: stream)
            do { try store.createStream(stream, in: group) } catch { throw LogsError.from(error) }
            output = [:]
        case .describeLogStreams:
            let group = try groupIdentifier(input)
            try await authorize(request, operation, group: group)
            output = try describeStreams(input, group: group)
        case .putLogEvents:
            let group = try groupName(input, member: "logGroupName")
            let stream = try streamName(input)
            try await authorize(request, operation, group: group, stream: stream)
            output = try putEvents(input, group: group, stream: stream)
        case .getLogEvents:
            let group = try groupIdentifier(input)
            let stream = try streamName(input)
            try await authorize(request, operation, group: group, stream: stream)
            output = try LogEventPaging.getLogEvents(input, group: try existing(group), stream: stream)
        case .filterLogEvents:
            let group = try groupIdentifier(input)
            try await authorize(request, operation, group: group)
            output = try LogEventPaging.filterLogEvents(input, group: try existing(group))
        case .putRetentionPolicy:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
            let name = try groupName(input, member: "logGroupName")
            guard let days = try input.int("retentionInDays") else {
                throw LogsError.constraint("retentionInDays", value: "null", "Member must not be null")
            }
            guard LogGroupSpec.retentionValues.contains(days) else {
                throw LogsError.constraint(
                    "retentionInDays",
                    value: String(days),
                    "Member must satisfy enum value set: [\(LogGroupSpec.retentionValues.map(String.init).joined(separator: ", "))]"
                )
            }
            try await authorize(request, operation, group: name)
            do { try store.setRetention(name, days: days) } catch { throw LogsError.from(error) }
            output = [:]
        case .deleteRetentionPolicy:
            let name = try groupName(input, member: "logGroupName")
            try await authorize(request, operation, group: name)
            do { try store.setRetention(name, days: nil) } catch { throw LogsError.from(error) }
            output = [:]
        case .tagResource:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html
            let name = try taggedGroup(input)
            let tags = try input.stringMap("tags")
            guard !tags.isEmpty else { throw LogsError.constraint("tags", value: "{}", "Member must have length greater than or equal to 1") }
            try await authorize(request, operation, group: name)
            do { try store.updateTags(name) { $0.merge(tags) { _, new in new } } } catch { throw LogsError.from(error) }
            output = [:]
        case .untagResource:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_UntagResource.html
            let name = try taggedGroup(input)
            let keys = try input.strings("tagKeys")
            guard !keys.isEmpty else { throw LogsError.constraint("tagKeys", value: "[]", "Member must have length greater than or equal to 1") }
            try await authorize(request, operation, group: name)
            do { try store.updateTags(name) { tags in for key in keys { tags[key] = nil } } } catch { throw LogsError.from(error) }
            output = [:]
        case .listTagsForResource:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListTagsForResource.html
            let name = try taggedGroup(input)
            try await authorize(request, operation, group: name)
            output = ["tags": try existing(name).tags ?? [:]]
        case .listTagsLogGroup:
            // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListTagsLogGroup.html
            let name = try groupName(input, member: "logGroupName")
            try await authorize(request, operation, group: name)
            output = ["tags": try existing(name).tags ?? [:]]
        }
        return Self.json(output)
    }

    // MARK: Operations

    /// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
    private func describeGroups(_ input: LogsInput) throws(LogsError) -> [String: Any] {
        let limit = try LogEventPaging.limit(input, maximum: 50)
        let prefix = try input.string("logGroupNamePrefix")
        let pattern = try input.string("logGroupNamePattern")?.lowercased()
        if prefix != nil, pattern != nil {
            throw .invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        }
        let identifiers = try input.strings("logGroupIdentifiers").map { LogsService.name(fromIdentifier: $0) }
        let after = try input.string("nextToken").map { token throws(LogsError) in try LogEventPaging.decodeNameToken(token) }
        var groups = store.groups()
        if let prefix { groups = groups.filter { $0.name.hasPrefix(prefix) } }
        if let pattern { groups = groups.filter { $0.name.lowercased().contains(pattern) } }
        if !identifiers.isEmpty { groups = groups.filter { identifiers.contains($0.name) } }
        if let after { groups = groups.filter { $0.name > after } }
        let page = Array(groups.prefix(limit))
        let current = environment.current
        var output: [String: Any] = [
            "logGroups": page.map { group -> [String: Any] in
                let arn = "arn:aws:logs:\(current.region):\(current.accountId):log-group:\(group.name)"
                var entry: [String: Any] = [
                    "logGroupName": group.name,
                    "creationTime": group.creationTime,
                    "metricFilterCount": 0,
                    "arn": arn + ":*",
                    "logGroupArn": arn,
                    "storedBytes": group.streams.values.reduce(0) { $0 + $1.storedBytes },
                    "logGroupClass": "STANDARD",
                ]
                if let days = group.retentionInDays { entry["retentionInDays"] = days }
                return entry
            }
        ]
        if groups.count > page.count, let last = page.last { output["nextToken"] = LogEventPaging.encodeNameToken(last.name) }
        return output
    }

    /// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogStreams.html
    private func describeStreams(_ input: LogsInput, group name: String) throws(LogsError) -> [String: Any] {
        let limit = try LogEventPaging.limit(input, maximum: 50)
        let prefix = try input.string("logStreamNamePrefix")
        let orderBy = try input.string("orderBy") ?? "LogStreamName"
        guard orderBy == "LogStreamName" || orderBy == "LastEventTime" else {
            throw LogsError.constraint("orderBy", value: orderBy, "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
        }
        if orderBy == "LastEventTime", prefix != nil {
            throw .invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        }
        let descending = try input.bool("descending") ?? false
        let offset = try input.string("nextToken").map { token throws(LogsError) in try LogEventPaging.decodeOffsetToken(token) } ?? 0
        let group = try existing(name)
        var streams = Array(group.streams.values)
        if let prefix { streams = streams.filter { $0.name.hasPrefix(prefix) } }
        if orderBy == "LastEventTime" {
            streams.sort { ($0.events.last?.timestamp ?? 0, $0.name) < ($1.events.last?.timestamp ?? 0, $1.name) }
        } else {
            streams.sort { $0.name < $1.name }
        }
        if descending { streams.reverse() }
        let page = Array(streams.dropFirst(offset).prefix(limit))
        let current = environment.current
        var output: [String: Any] = [
            "logStreams": page.map { stream -> [String: Any] in
                var entry: [String: Any] = [
                    "logStreamName": stream.name,
                    "creationTime": stream.creationTime,
                    "arn": "arn:aws:logs:\(current.region):\(current.accountId):log-group:\(group.name):log-stream:\(stream.name)",
                    "storedBytes": 0,
                ]
                if let first = stream.events.map(\.timestamp).min() { entry["firstEventTimestamp"] = first }
                if let last = stream.events.map(\.timestamp).max() { entry["lastEventTimestamp"] = last }
                if let ingestion = stream.lastIngestionTime {
                    entry["lastIngestionTime"] = ingestion
                    entry["uploadSequenceToken"] = LogEventPaging.digits(stream.events.last?.number ?? 0, width: 56)
                }
                return entry
            }
        ]
        if streams.count > offset + page.count { output["nextToken"] = LogEventPaging.encodeOffsetToken(offset + page.count) }
        return output
    }

    /// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
    private func putEvents(_ input: LogsInput, group: String, stream: String) throws(LogsError) -> [String: Any] {
        let events = try input.objects("logEvents")
        guard !events.isEmpty else {
            throw LogsError.constraint("logEvents", value: "[]", "Member must have length greater than or equal to 1")
        }
        guard events.count <= 10_000 else {
            throw LogsError.constraint("logEvents", value: "[...]", "Member must have length less than or equal to 10000")
        }
        let now = store.nowMilliseconds
        var accepted: [(timestamp: Int64, message: String)] = []
        var tooOld: Int?
        var tooNew: Int?
        for (index, event) in events.enumerated() {
            guard let timestamp = try event.int("timestamp"), let message = try event.string("message") else {
                throw LogsError.invalidParameter("Each log event needs a timestamp and a message.")
            }
            let milliseconds = Int64(clamping: timestamp)
            if milliseconds < now - 14 * 86_400_000 {
                tooOld = index
            } else if milliseconds > now + 2 * 3_600_000 {
                if tooNew == nil { tooNew = index }
            } else {
                accepted.append((milliseconds, message))
            }
        }
        do { try store.put(accepted, stream: stream, group: group) } catch { throw LogsError.from(error) }
        var output: [String: Any] = ["nextSequenceToken": LogEventPaging.digits(Int(store.nowMilliseconds), width: 56)]
        var rejected: [String: Any] = [:]
        if let tooOld { rejected["tooOldLogEventEndIndex"] = tooOld + 1 }
        if let tooNew { rejected["tooNewLogEventStartIndex"] = tooNew }
        if !rejected.isEmpty { output["rejectedLogEventsInfo"] = rejected }
        return output
    }

    // MARK: Helpers

    private func existing(_ name: String) throws(LogsError) -> StoredLogGroup {
        do { return try store.group(name) } catch { throw LogsError.from(error) }
    }

    private func groupName(_ input: LogsInput, member: String) throws(LogsError) -> String {
        guard let name = try input.string(member) else { throw LogsError.constraint(member, value: "null", "Member must not be null") }
        try Self.validateGroupName(name, member: member)
        return name
    }

    /// The log group a `resourceArn` names (`arn:aws:logs:R:A:log-group:NAME`, the only taggable resource here).
    private func taggedGroup(_ input: LogsInput) throws(LogsError) -> String {
        guard let arn = try input.string("resourceArn") else { throw LogsError.constraint("resourceArn", value: "null", "Member must not be null") }
        guard arn.hasPrefix("arn:"), arn.contains(":log-group:") else { throw .invalidParameter("Invalid resourceArn: \(arn)") }
        return Self.name(fromIdentifier: arn)
    }

    /// `logGroupName`, or `logGroupIdentifier` (a name or an ARN), exactly one of them.
    private func groupIdentifier(_ input: LogsInput) throws(LogsError) -> String {
        let name = try input.string("logGroupName")
        let identifier = try input.string("logGroupIdentifier")
        if name != nil, identifier != nil {
            throw .invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        }
        if let identifier { return Self.name(fromIdentifier: identifier) }
        guard let name else { throw .invalidParameter("Should provide either name or ARN of the log group.") }
        try Self.validateGroupName(name, member: "logGroupName")
        return name
    }

    private func streamName(_ input: LogsInput) throws(LogsError) -> String {
        guard let name = try input.string("logStreamName") else {
            throw LogsError.constraint("logStreamName", value: "null", "Member must not be null")
        }
        guard !name.isEmpty, name.count <= 512, !name.contains(":"), !name.contains("*") else {
            throw LogsError.constraint("logStreamName", value: name, "Member must satisfy regular expression pattern: [^:*]*")
        }
        return name
    }

    static func validateGroupName(_ name: String, member: String) throws(LogsError) {
        let allowed = Set(".-_/#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        guard !name.isEmpty, name.count <= 512, name.allSatisfy({ allowed.contains($0) }) else {
            throw LogsError.constraint(member, value: name, "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
        }
    }

    /// A group name from a name or an ARN (`arn:aws:logs:R:A:log-group:NAME[:*]`).
    static func name(fromIdentifier identifier: String) -> String {
        guard identifier.hasPrefix("arn:"), let range = identifier.range(of: ":log-group:") else { return identifier }
        var name = String(identifier[range.upperBound...])
        if name.hasSuffix(":*") { name.removeLast(2) }
        return name
    }

    private func authorize(_ request: AWSRequest, _ operation: LogsOperation, group: String, stream: String? = nil) async throws(LogsError) {
        let current = environment.current
        var resource = "arn:aws:logs:\(current.region):\(current.accountId):log-group:\(group)"
        if let stream { resource += ":log-stream:\(stream)" }
        try await authorizer.require(request.caller, action: operation.iamAction, resources: [resource], denied: LogsError.accessDenied)
    }

    private static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
