import AWSGateway
import EmulatorCore
import Foundation
import GRDB
import Hummingbird

/// The DynamoDB Streams operations, named by their `X-Amz-Target` suffix (`DynamoDBStreams_20120810.<Operation>`).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
package enum DynamoDBStreamsOperation: String, ServiceOperation, CaseIterable {
    /// `ListStreams`.
    case listStreams = "ListStreams"
    /// `DescribeStream`.
    case describeStream = "DescribeStream"
    /// `GetShardIterator`.
    case getShardIterator = "GetShardIterator"
    /// `GetRecords`.
    case getRecords = "GetRecords"

    /// The IAM action, `dynamodb:<Operation>`.
    package var iamAction: String { "dynamodb:" + rawValue }
}

extension ServiceDescriptors {
    /// Amazon DynamoDB Streams (JSON 1.0, signed as `dynamodb`, its own `X-Amz-Target` prefix): the gateway routes
    /// a `dynamodb`-signed request here when its target names this prefix.
    package static let dynamoDBStreams = ServiceDescriptor(
        signingName: "dynamodb",
        name: "dynamodbstreams",
        wireProtocol: .awsJson1_0(targetPrefix: "DynamoDBStreams_20120810"),
        checksumsResponses: true
    )
}

/// Amazon DynamoDB Streams over the DynamoDB store: one shard per stream, records written in the same transaction
/// as their items, kept 24 hours on the virtual clock.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
package struct DynamoDBStreamsService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.dynamoDBStreams
    /// The DynamoDB service whose store holds the streams.
    let tables: DynamoDBService

    /// Creates the service over a DynamoDB service's store.
    /// - Parameter tables: The DynamoDB service.
    package init(tables: DynamoDBService) {
        self.tables = tables
    }

    /// Names the typed operation from the `X-Amz-Target` suffix.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a target DynamoDB Streams does not have.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(DynamoDBStreamsOperation.init(rawValue:))
    }

    /// Answers one DynamoDB Streams request.
    /// - Parameter request: The routed, authenticated request.
    /// - Returns: The JSON response.
    /// - Throws: The DynamoDB error the gateway renders.
    package func handle(_ request: AWSRequest) async throws -> Response {
        do {
            guard let operation = request.serviceOperation as? DynamoDBStreamsOperation else {
                throw DynamoDBError(.unknownOperationException, "")
            }
            let body = request.bodyData.isEmpty ? Data("{}".utf8) : request.bodyData
            let output: JSONOut
            switch operation {
            case .listStreams: output = try await tables.listStreams(decode(ListStreamsInput.self, body), caller: request.caller)
            case .describeStream: output = try await tables.describeStream(decode(DescribeStreamInput.self, body), caller: request.caller)
            case .getShardIterator:
                output = try await tables.getShardIterator(decode(GetShardIteratorInput.self, body), caller: request.caller)
            case .getRecords: output = try await tables.getRecords(decode(GetRecordsInput.self, body), caller: request.caller)
            }
            return DynamoDBService.response(status: .ok, body: output.data)
        } catch let error as DynamoDBError {
            throw DynamoDBFailure(error: error, members: [])
        } catch let error as any AWSServiceError {
            throw error
        } catch {
            request.logger.error("DynamoDB Streams internal failure", metadata: ["error": .string(String(describing: error))])
            throw DynamoDBFailure(error: DynamoDBError(.internalServerError, "Internal server error"), members: [])
        }
    }

    /// Reports running with the stream count.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let streams = (try? await tables.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ddb_stream") ?? 0 }) ?? 0
        return ServiceHealth(state: "running", resources: ["streams": streams])
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws(DynamoDBError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw DynamoDBError.fromDecoding(error)
        }
    }
}

/// ListStreams input.
struct ListStreamsInput: Decodable, Sendable {
    var TableName: String?
    var Limit: Int?
    var ExclusiveStartStreamArn: String?
}

/// DescribeStream input.
struct DescribeStreamInput: Decodable, Sendable {
    var StreamArn: String?
    var Limit: Int?
    var ExclusiveStartShardId: String?
}

/// GetShardIterator input.
struct GetShardIteratorInput: Decodable, Sendable {
    var StreamArn: String?
    var ShardId: String?
    var ShardIteratorType: String?
    var SequenceNumber: String?
}

/// GetRecords input.
struct GetRecordsInput: Decodable, Sendable {
    var ShardIterator: String?
    var Limit: Int?
}

/// A shard iterator's contents: `<stream ARN>|1|<base64 of this as JSON>`, as opaque to clients as AWS's.
struct ShardIteratorToken: Codable, Sendable {
    /// The shard.
    var shard: String
    /// Records after this sequence number are read next.
    var after: Int64
    /// When the iterator was handed out (epoch seconds, virtual clock).
    var issued: Double

    /// The iterator string for a stream.
    func encoded(stream: String) -> String {
        let json = (try? JSONEncoder().encode(self)) ?? Data()
        return "\(stream)|1|\(json.base64EncodedString())"
    }

    /// Decodes an iterator string into its stream ARN and contents; nil for anything this service did not issue.
    static func decode(_ text: String) -> (stream: String, token: ShardIteratorToken)? {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "1", let data = Data(base64Encoded: String(parts[2])),
            let token = try? JSONDecoder().decode(ShardIteratorToken.self, from: data)
        else { return nil }
        return (String(parts[0]), token)
    }
}

/// DynamoDB Streams' message texts.
enum DynamoDBStreamsMessages {
    /// A stream ARN that names no stream (or one gone 24 hours after it was disabled).
    static func streamNotFound(_ arn: String) -> String { "Requested resource not found: Stream: \(arn) not found" }
    /// A shard id the stream does not have (DynamoDB Streams' wording, which stream readers match on).
    static let shardNotFound = "Requested resource not found: Shard does not exist"
    /// A shard iterator this service did not issue.
    static let invalidIterator = "Invalid ShardIterator"
    /// Reading records trimmed by the 24-hour retention.
    static let trimmed = "The data you are trying to access has been trimmed"
    /// An iterator older than 15 minutes (the Kinesis-backed service's wording).
    static func expired(created: Date, now: Date) -> String {
        "Iterator expired. The iterator was created at time \(javaDate(created)) while right now it is \(javaDate(now)) "
            + "which is further in the future than the tolerated delay of 900000 milliseconds."
    }
    /// AT_ or AFTER_SEQUENCE_NUMBER without a sequence number.
    static func sequenceNumberRequired(_ type: String) -> String {
        "One or more parameter values were invalid: SequenceNumber is required for ShardIteratorType \(type)"
    }
    /// A sequence number outside the shard.
    static func invalidSequenceNumber(_ type: String, _ number: String) -> String {
        "Invalid SequenceNumber for ShardIteratorType \(type): \(number)"
    }
    /// A numeric member below its minimum.
    static func tooSmall(_ value: Int, member: String, minimum: Int) -> String {
        "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: "
            + "Member must have value greater than or equal to \(minimum)"
    }
    /// A numeric member above its maximum.
    static func tooLarge(_ value: Int, member: String, maximum: Int) -> String {
        "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: "
            + "Member must have value less than or equal to \(maximum)"
    }
    /// A string member shorter or longer than allowed.
    static func length(_ value: String, member: String, minimum: Int, maximum: Int) -> String {
        let bound = value.count < minimum ? "greater than or equal to \(minimum)" : "less than or equal to \(maximum)"
        return "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must have length \(bound)"
    }
    /// UpdateTable enabling a stream on a table that has one.
    static func streamAlreadyEnabled(_ table: String) -> String { "Table already has an enabled stream: TableName: \(table)" }
    /// UpdateTable disabling a stream the table does not have.
    static func noStreamToDisable(_ table: String) -> String { "Table has no stream to disable: TableName: \(table)" }
    /// Enabling a stream without a view type.
    static let viewTypeRequired =
        "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required"
    /// Disabling a stream with a view type.
    static let viewTypeNotAllowed =
        "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified"

    /// `Thu Dec 03 16:00:00 UTC 2026`, as Java's `Date.toString` writes it.
    static func javaDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE MMM dd HH:mm:ss 'UTC' yyyy"
        return formatter.string(from: Timestamp.formattable(date))
    }
}

extension DynamoDBService {
    /// The view types a stream may have.
    static let streamViewTypes = ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]

    /// Checks a `StreamSpecification` of CreateTable or UpdateTable as AWS does.
    static func validateStreamSpecification(_ stream: StreamSpecificationInput) throws(DynamoDBError) {
        guard let enabled = stream.StreamEnabled else {
            throw .validation(DynamoDBMessages.memberNull("streamSpecification.streamEnabled"))
        }
        if let viewType = stream.StreamViewType, !streamViewTypes.contains(viewType) {
            throw .validation(DynamoDBMessages.enumValue(viewType, member: "streamSpecification.streamViewType", allowed: streamViewTypes))
        }
        if enabled && stream.StreamViewType == nil { throw .validation(DynamoDBStreamsMessages.viewTypeRequired) }
        if !enabled && stream.StreamViewType != nil { throw .validation(DynamoDBStreamsMessages.viewTypeNotAllowed) }
    }

    /// Requires a DynamoDB Streams action (untyped `throws`: with `throws(DynamoDBError)` the Swift 6.3.1 release
    /// build crashes splitting DescribeStream's coroutine, `emitSetAndGetSwiftErrorValueAround`).
    private func authorizeStreams(_ caller: Caller, _ operation: DynamoDBStreamsOperation, resource: String) async throws {
        try await authorizer.require(caller, action: operation.iamAction, resources: [resource]) {
            DynamoDBError(.accessDeniedException, $0)
        }
    }

    /// Trims the streams (24-hour retention) before a read, so what a read sees is never older than that.
    func trimStreams() async throws {
        let now = clock.now.timeIntervalSince1970
        try await database.write { db in try StreamStore.trim(db, now: now) }
    }

    /// ListStreams: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_ListStreams.html
    func listStreams(_ input: ListStreamsInput, caller: Caller) async throws -> JSONOut {
        // Authorized on the streams of the named table (SAM's DynamoDBStreamReadPolicy grants `table/T/stream/*`).
        let tableStreams = input.TableName.map { "\(tableArn($0))/stream/*" } ?? "\(tableArn("*"))/stream/*"
        try await authorizeStreams(caller, .listStreams, resource: tableStreams)
        let limit = input.Limit ?? 100
        if limit < 1 { throw DynamoDBError.validation(DynamoDBStreamsMessages.tooSmall(limit, member: "limit", minimum: 1)) }
        if limit > 100 { throw DynamoDBError.validation(DynamoDBStreamsMessages.tooLarge(limit, member: "limit", maximum: 100)) }
        if let start = input.ExclusiveStartStreamArn, start.count < 37 || start.count > 1024 {
            throw DynamoDBError.validation(DynamoDBStreamsMessages.length(start, member: "exclusiveStartStreamArn", minimum: 37, maximum: 1024))
        }
        if let table = input.TableName {
            _ = try tableName(table)
        }
        try await trimStreams()
        let tableFilter = input.TableName
        var streams = try await database.read { db in try StreamStore.streams(db, tableName: tableFilter) }
        if let start = input.ExclusiveStartStreamArn, let position = streams.firstIndex(where: { $0.arn == start }) {
            streams = Array(streams[(position + 1)...])
        }
        let page = streams.prefix(limit)
        var members: [(String, JSONOut)] = [
            (
                "Streams",
                .array(
                    page.map { stream in
                        .object([
                            ("StreamArn", .string(stream.arn)), ("TableName", .string(stream.tableName)), ("StreamLabel", .string(stream.label)),
                        ])
                    }
                )
            )
        ]
        if streams.count > limit, let last = page.last { members.append(("LastEvaluatedStreamArn", .string(last.arn))) }
        return .object(members)
    }

    /// Looks a stream up, or answers AWS's ResourceNotFoundException.
    private func requireStream(_ arn: String?, member: String) async throws -> StoredStream {
        guard let arn else { throw DynamoDBError.validation(DynamoDBMessages.memberNull(member)) }
        if arn.count < 37 || arn.count > 1024 {
            throw DynamoDBError.validation(DynamoDBStreamsMessages.length(arn, member: member, minimum: 37, maximum: 1024))
        }
        try await trimStreams()
        guard let stream = try await database.read({ db in try StreamStore.stream(db, arn: arn) }) else {
            throw DynamoDBError(.resourceNotFoundException, DynamoDBStreamsMessages.streamNotFound(arn))
        }
        return stream
    }

    /// DescribeStream: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html
    func describeStream(_ input: DescribeStreamInput, caller: Caller) async throws -> JSONOut {
        if let arn = input.StreamArn { try await authorizeStreams(caller, .describeStream, resource: arn) }
        let limit = input.Limit ?? 100
        if limit < 1 { throw DynamoDBError.validation(DynamoDBStreamsMessages.tooSmall(limit, member: "limit", minimum: 1)) }
        if limit > 100 { throw DynamoDBError.validation(DynamoDBStreamsMessages.tooLarge(limit, member: "limit", maximum: 100)) }
        let stream = try await requireStream(input.StreamArn, member: "streamArn")
        return Self.streamDescription(stream, exclusiveStartShardId: input.ExclusiveStartShardId)
    }

    /// DescribeStream's answer for a stream.
    static func streamDescription(_ stream: StoredStream, exclusiveStartShardId: String?) -> JSONOut {
        var range: [(String, JSONOut)] = [("StartingSequenceNumber", .string(StreamStore.wire(stream.startSequence)))]
        if let end = stream.endSequence { range.append(("EndingSequenceNumber", .string(StreamStore.wire(end)))) }
        let shard: JSONOut = .object([("ShardId", .string(stream.shardId)), ("SequenceNumberRange", .object(range))])
        let shards: [JSONOut] = exclusiveStartShardId == stream.shardId ? [] : [shard]
        return .object([
            (
                "StreamDescription",
                .object([
                    ("StreamArn", .string(stream.arn)), ("StreamLabel", .string(stream.label)),
                    ("StreamStatus", .string(stream.disabled == nil ? "ENABLED" : "DISABLED")),
                    ("StreamViewType", .string(stream.viewType)), ("CreationRequestDateTime", .double(stream.created)),
                    ("TableName", .string(stream.tableName)),
                    (
                        "KeySchema",
                        .array(stream.keySchema.map { .object([("AttributeName", .string($0.AttributeName)), ("KeyType", .string($0.KeyType))]) })
                    ),
                    ("Shards", .array(shards)),
                ])
            )
        ])
    }

    /// GetShardIterator: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
    func getShardIterator(_ input: GetShardIteratorInput, caller: Caller) async throws -> JSONOut {
        if let arn = input.StreamArn { try await authorizeStreams(caller, .getShardIterator, resource: arn) }
        guard let shardId = input.ShardId else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("shardId")) }
        if shardId.count < 28 || shardId.count > 65 {
            throw DynamoDBError.validation(DynamoDBStreamsMessages.length(shardId, member: "shardId", minimum: 28, maximum: 65))
        }
        guard let type = input.ShardIteratorType else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("shardIteratorType")) }
        let types = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]
        guard types.contains(type) else {
            throw DynamoDBError.validation(DynamoDBMessages.enumValue(type, member: "shardIteratorType", allowed: types))
        }
        let stream = try await requireStream(input.StreamArn, member: "streamArn")
        guard shardId == stream.shardId else {
            throw DynamoDBError(.resourceNotFoundException, DynamoDBStreamsMessages.shardNotFound)
        }
        let arn = stream.arn
        let last = try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(seq) FROM ddb_stream_record WHERE stream = ?", arguments: [arn])
        }
        let issued = try await database.read { db in try StreamStore.lastSequence(db) }
        let shardEnd = stream.endSequence ?? max(last ?? 0, issued)
        let after: Int64
        switch type {
        case "TRIM_HORIZON": after = max(stream.trimmedSequence, stream.startSequence - 1)
        case "LATEST": after = max(shardEnd, stream.startSequence - 1)
        default:
            guard let text = input.SequenceNumber else {
                throw DynamoDBError.validation(DynamoDBStreamsMessages.sequenceNumberRequired(type))
            }
            guard let sequence = StreamStore.parse(text), sequence >= stream.startSequence, sequence <= max(shardEnd, stream.startSequence) else {
                throw DynamoDBError.validation(DynamoDBStreamsMessages.invalidSequenceNumber(type, text))
            }
            if sequence <= stream.trimmedSequence { throw DynamoDBError(.trimmedDataAccessException, DynamoDBStreamsMessages.trimmed) }
            after = type == "AT_SEQUENCE_NUMBER" ? sequence - 1 : sequence
        }
        let token = ShardIteratorToken(shard: shardId, after: after, issued: clock.now.timeIntervalSince1970)
        return .object([("ShardIterator", .string(token.encoded(stream: stream.arn)))])
    }

    /// GetRecords: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
    func getRecords(_ input: GetRecordsInput, caller: Caller) async throws -> JSONOut {
        guard let iterator = input.ShardIterator else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("shardIterator")) }
        if iterator.isEmpty || iterator.count > 2048 {
            throw DynamoDBError.validation(DynamoDBStreamsMessages.length(iterator, member: "shardIterator", minimum: 1, maximum: 2048))
        }
        let limit = input.Limit ?? 1000
        if limit < 1 { throw DynamoDBError.validation(DynamoDBStreamsMessages.tooSmall(limit, member: "limit", minimum: 1)) }
        if limit > 1000 { throw DynamoDBError.validation(DynamoDBStreamsMessages.tooLarge(limit, member: "limit", maximum: 1000)) }
        guard let (arn, token) = ShardIteratorToken.decode(iterator) else {
            throw DynamoDBError.validation(DynamoDBStreamsMessages.invalidIterator)
        }
        try await authorizeStreams(caller, .getRecords, resource: arn)
        let now = clock.now
        if now.timeIntervalSince1970 - token.issued > 900 {
            throw DynamoDBError(
                .expiredIteratorException,
                DynamoDBStreamsMessages.expired(created: Date(timeIntervalSince1970: token.issued), now: now)
            )
        }
        let stream = try await requireStream(arn, member: "shardIterator")
        guard token.shard == stream.shardId else { throw DynamoDBError.validation(DynamoDBStreamsMessages.invalidIterator) }
        if token.after < stream.trimmedSequence { throw DynamoDBError(.trimmedDataAccessException, DynamoDBStreamsMessages.trimmed) }
        let rows = try await database.read { db in try StreamStore.records(db, stream: stream, after: token.after, limit: limit) }
        let next = rows.last?.sequence ?? token.after
        var members: [(String, JSONOut)] = [("Records", .array(rows.map { $0.json(stream: stream) }))]
        // A closed shard read to its end has no next iterator.
        let closedAtEnd = stream.disabled != nil && (rows.isEmpty || next >= (stream.endSequence ?? next))
        if !closedAtEnd {
            let nextToken = ShardIteratorToken(shard: token.shard, after: next, issued: now.timeIntervalSince1970)
            members.append(("NextShardIterator", .string(nextToken.encoded(stream: stream.arn))))
        }
        return .object(members)
    }
}
