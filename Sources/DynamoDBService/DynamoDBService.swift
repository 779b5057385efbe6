import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage
import Synchronization

/// How expired items are removed.
package enum TTLMode: Sendable, Equatable {
    /// Delete as soon as the virtual clock passes an item's TTL (the useful default for tests).
    case prompt
    /// Keep expired items readable for a while before deleting them, as AWS may for up to two days.
    case awsLike(delay: TimeInterval)
}

/// Amazon DynamoDB on SQLite: tables, items, expressions, indexes, batches, transactions and TTL.
///
/// Serves the JSON 1.0 protocol (`X-Amz-Target: DynamoDB_20120810.<Operation>`); every response carries the
/// `x-amz-crc32` checksum of its body as DynamoDB sends it. Items live in one GRDB database (see ``ItemStore``).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
package final class DynamoDBService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.dynamoDB

    let database: any DatabaseWriter
    let clock: VirtualClock
    let environment: LiveEnvironment
    let authorizer: any RequestAuthorizing
    let logger: Logger
    let ttlMode: TTLMode
    private let cache: Mutex<[String: TableView]>
    /// The item collection size limit in bytes (10 GB unless `--item-collection-limit` says otherwise).
    let itemCollectionLimit: Int
    /// How long (virtual seconds) a write stays invisible to eventually consistent reads; 0 (the default) makes
    /// every read see the latest write.
    let readLag: TimeInterval
    private let counters: Mutex<(ttlDeleted: Int, sweptOffset: TimeInterval)>

    /// Opens the store and creates the template's tables that do not exist yet.
    /// - Parameters:
    ///   - tables: Tables declared by the template (`AWS::DynamoDB::Table`, `AWS::Serverless::SimpleTable`).
    ///   - dataLocation: Where the database lives.
    ///   - clock: The virtual clock.
    ///   - environment: Region and account.
    ///   - authorizer: The authorization hook.
    ///   - ttlMode: How expired items are removed.
    ///   - itemCollectionLimit: The item collection size limit in bytes (tables with local secondary indexes).
    ///   - readLag: How long a write stays invisible to eventually consistent reads (the realism profile's `readLag`).
    ///   - logger: The logger.
    /// - Throws: When the database cannot be opened.
    package init(
        tables: [DynamoDBTableSpec],
        dataLocation: DataLocation,
        clock: VirtualClock,
        environment: LiveEnvironment,
        authorizer: any RequestAuthorizing,
        ttlMode: TTLMode = .prompt,
        itemCollectionLimit: Int = ItemStore.defaultCollectionLimit,
        readLag: TimeInterval = 0,
        logger: Logger
    ) throws {
        self.itemCollectionLimit = itemCollectionLimit
        self.readLag = readLag
        self.database = try dataLocation.openDatabase(named: "dynamodb", migrator: ItemStore.migrator)
        self.clock = clock
        self.environment = environment
        self.authorizer = authorizer
        self.ttlMode = ttlMode
        self.logger = logger
        self.cache = Mutex([:])
        self.counters = Mutex((0, clock.offset))
        let now = clock.now.timeIntervalSince1970
        let existing = try database.write { db -> [TableMetadata] in
            var metas = try ItemStore.loadTables(db)
            for meta in metas { try StreamStore.register(db, meta) }  // tables stored before streams were recorded
            for spec in tables where !metas.contains(where: { $0.name == spec.name }) {
                metas.append(try ItemStore.insertTable(db, Self.metadata(from: spec, now: now, environment: environment.current)))
            }
            return metas
        }
        cache.withLock { cache in
            for meta in existing { cache[meta.name] = TableView(meta).recording(clock: clock, readLag: readLag) }
        }
    }

    // MARK: Table cache

    /// The cached table named `name`.
    func cachedTable(_ name: String) -> TableView? { cache.withLock { $0[name] } }

    /// All cached tables.
    func allTables() -> [TableView] { cache.withLock { Array($0.values) } }

    /// The cached table with store id `id`.
    func cachedTable(id: Int64) -> TableView? { cache.withLock { $0.values.first { $0.meta.id == id } } }

    /// Replaces (or removes, for nil) a cached table.
    func setCached(_ name: String, _ view: TableView?) {
        cache.withLock { $0[name] = view?.recording(clock: clock, readLag: readLag) }
    }

    /// The table ARN for a name in this region and account.
    func tableArn(_ name: String) -> String {
        let env = environment.current
        return "arn:aws:dynamodb:\(env.region):\(env.accountId):table/\(name)"
    }

    // MARK: AWSServiceHandler

    /// Names the typed operation from the `X-Amz-Target` suffix.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a target DynamoDB does not have.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(DynamoDBOperation.init(rawValue:))
    }

    /// Answers one DynamoDB request.
    /// - Parameter request: The routed, authenticated request.
    /// - Returns: The JSON response with `x-amz-crc32`.
    /// - Throws: ``DynamoDBFailure`` for every DynamoDB error (the gateway renders it, `x-amz-crc32` included).
    package func handle(_ request: AWSRequest) async throws -> Response {
        do {
            guard let operation = request.serviceOperation as? DynamoDBOperation else {
                throw DynamoDBError(.unknownOperationException, "")
            }
            try await sweepIfClockMoved()
            let body = request.bodyData
            let call = Call(caller: request.caller, body: body.isEmpty ? Data("{}".utf8) : body, operation: operation)
            let output = try await dispatch(call)
            return Self.response(status: .ok, body: output.data)
        } catch let failure as DynamoDBFailure {
            throw failure
        } catch let error as DynamoDBError {
            throw DynamoDBFailure(error: error, members: [])
        } catch let error as any AWSServiceError {
            throw error
        } catch {
            request.logger.error("DynamoDB internal failure", metadata: ["error": .string(String(describing: error))])
            throw DynamoDBFailure(error: DynamoDBError(.internalServerError, "Internal server error"), members: [])
        }
    }

    /// Reports running with table and item counts.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let items = (try? await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ddb_item WHERE idx = ''") ?? 0 }) ?? 0
        let deleted = counters.withLock { $0.ttlDeleted }
        return ServiceHealth(state: "running", resources: ["tables": allTables().count], details: ["items": items, "ttlDeleted": deleted])
    }

    private func dispatch(_ call: Call) async throws -> JSONOut {
        switch call.operation {
        case .createTable: try await createTable(call)
        case .describeTable: try await describeTable(call)
        case .listTables: try await listTables(call)
        case .deleteTable: try await deleteTable(call)
        case .updateTable: try await updateTable(call)
        case .updateTimeToLive: try await updateTimeToLive(call)
        case .describeTimeToLive: try await describeTimeToLive(call)
        case .tagResource: try await tagResource(call)
        case .untagResource: try await untagResource(call)
        case .listTagsOfResource: try await listTagsOfResource(call)
        case .putItem: try await putItem(call)
        case .getItem: try await getItem(call)
        case .updateItem: try await updateItem(call)
        case .deleteItem: try await deleteItem(call)
        case .query: try await query(call)
        case .scan: try await scan(call)
        case .batchGetItem: try await batchGetItem(call)
        case .batchWriteItem: try await batchWriteItem(call)
        case .transactWriteItems: try await transactWriteItems(call)
        case .transactGetItems: try await transactGetItems(call)
        case .executeStatement: try await executeStatement(call)
        case .batchExecuteStatement: try await batchExecuteStatement(call)
        case .executeTransaction: try await executeTransaction(call)
        case .describeEndpoints: describeEndpoints()
        case .describeLimits: describeLimits()
        }
    }

    // MARK: Responses

    static func response(status: HTTPResponse.Status, body: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.0"
        headers[.amzCrc32] = String(CRC32.checksum(body))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func describeEndpoints() -> JSONOut {
        let env = environment.current
        return .object([
            ("Endpoints", .array([.object([("Address", .string("\(env.hostForURL):\(env.port)")), ("CachePeriodInMinutes", .int(1440))])]))
        ])
    }

    private func describeLimits() -> JSONOut {
        .object([
            ("AccountMaxReadCapacityUnits", .int(80000)), ("AccountMaxWriteCapacityUnits", .int(80000)),
            ("TableMaxReadCapacityUnits", .int(40000)), ("TableMaxWriteCapacityUnits", .int(40000)),
        ])
    }

    // MARK: TTL

    /// Deletes expired items now; returns how many were deleted.
    @discardableResult
    func sweepExpired() async throws -> Int {
        let now = clock.now.timeIntervalSince1970
        let cutoff: Double
        switch ttlMode {
        case .prompt: cutoff = now
        case .awsLike(let delay): cutoff = now - delay
        }
        let floor = now - 5 * 365 * 86_400
        var total = 0
        while true {
            let deleted = try await database.write { db -> Int in
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT tbl, item FROM ddb_item WHERE ttl IS NOT NULL AND ttl <= ? AND ttl >= ? LIMIT 500",
                    arguments: [cutoff, floor]
                )
                var count = 0
                for row in rows {
                    let id: Int64 = row["tbl"]
                    let data: Data = row["item"]
                    guard let table = self.cachedTable(id: id) else {
                        try db.execute(sql: "UPDATE ddb_item SET ttl = NULL WHERE tbl = ? AND ttl IS NOT NULL", arguments: [id])
                        continue
                    }
                    try ItemStore.replace(db, table: table, old: ItemCodec.decode(data), new: nil, origin: .timeToLive)
                    count += 1
                }
                return rows.isEmpty ? -1 : count
            }
            if deleted < 0 { break }
            total += deleted
        }
        if total > 0 {
            counters.withLock { $0.ttlDeleted += total }
            logger.debug("TTL deleted items", metadata: ["count": .stringConvertible(total)])
        }
        return total
    }

    /// In prompt mode, sweeps before a request when the virtual clock was moved since the last sweep, so an
    /// expired item is gone as soon as the clock passes its TTL.
    private func sweepIfClockMoved() async throws {
        guard ttlMode == .prompt else { return }
        let offset = clock.offset
        let moved = counters.withLock { state -> Bool in
            guard state.sweptOffset != offset else { return false }
            state.sweptOffset = offset
            return true
        }
        if moved { try await sweepExpired() }
    }
}

/// One request as the operations see it.
struct Call: Sendable {
    var caller: Caller
    var body: Data
    var operation: DynamoDBOperation
}
