import Foundation
import GRDB

/// One validated TransactWriteItems action.
struct TransactAction: Sendable {
    enum Kind: String, Sendable {
        case conditionCheck = "ConditionCheck"
        case put = "Put"
        case delete = "Delete"
        case update = "Update"
    }

    var kind: Kind
    var table: TableView
    var key: Item
    var item: Item?
    var update: UpdateExpression?
    var condition: ConditionExpression?
    var returnOldOnFailure: Bool
    /// A failed condition is a duplicate key (a PartiQL INSERT), reported as `DuplicateItem`.
    var duplicateOnFailure = false
}

extension DynamoDBService {
    /// BatchGetItem: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
    func batchGetItem(_ call: Call) async throws -> JSONOut {
        let input = try decode(BatchGetItemInput.self, call)
        guard let requestItems = input.RequestItems else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("requestItems")) }
        guard !requestItems.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.requestItemsEmpty) }
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        var requests:
            [(
                name: String, table: TableView, keys: [Item], projection: ProjectionExpression?, consistent: Bool,
                entry: BatchGetItemInput.KeysAndAttributes
            )] =
                []
        var total = 0
        for name in requestItems.keys.sorted() {
            _ = try resolveTableName(name, member: "requestItems")
            guard let entry = requestItems[name] else { continue }
            let keys = entry.Keys ?? []
            total += keys.count
            if total > 100 { throw DynamoDBError.validation(DynamoDBMessages.tooManyBatchGetKeys) }
        }
        for name in requestItems.keys.sorted() {
            guard let entry = requestItems[name] else { continue }
            // The response answers under the key as sent (a name or the table's ARN).
            let tableName = try resolveTableName(name, member: "requestItems")
            try await authorize(
                call,
                resources: [tableArn(tableName)],
                context: DynamoDBConditionKeys.batchGet(entry, schema: conditionKeySchema(tableName)).context
            )
            let projection = try Self.projection(
                entry.ProjectionExpression,
                attributesToGet: entry.AttributesToGet,
                names: entry.ExpressionAttributeNames
            )
            let table = try self.table(tableName)
            let keys = entry.Keys ?? []
            var seen = Set<Data>()
            for key in keys {
                try table.key.validateKey(key)
                guard seen.insert(table.key.identity(of: key) ?? Data()).inserted else {
                    throw DynamoDBError.validation(DynamoDBMessages.batchDuplicates)
                }
            }
            requests.append((name, table, keys, projection, entry.ConsistentRead ?? false, entry))
        }
        let finalRequests = requests
        var results = try await read { db -> [[Item?]] in
            try finalRequests.map { request in try request.keys.map { try ItemStore.fetchItem(db, table: request.table, key: $0) } }
        }
        // Eventually consistent reads under the realism profile's read lag see items as they were before recent writes.
        for (index, request) in finalRequests.enumerated() where !request.consistent {
            guard let recent = request.table.recentWrites else { continue }
            for (position, key) in request.keys.enumerated() {
                if let rowKey = ItemStore.tableRowKey(of: key, table: request.table), let seen = recent.stale(key: rowKey) {
                    results[index][position] = seen
                }
            }
        }
        // A response holds at most 16 MB of items: the keys from the first item that would pass the limit on are
        // answered in UnprocessedKeys, as AWS does.
        var responses: [(String, JSONOut)] = []
        var unprocessed: [(String, JSONOut)] = []
        var capacities: [JSONOut] = []
        var responseBytes = 0
        var full = false
        for (request, result) in zip(requests, results) {
            var items: [JSONOut] = []
            var leftKeys: [JSONOut] = []
            var units = 0.0
            for (key, item) in zip(request.keys, result) {
                let size = item.map(ItemSize.of) ?? 0
                if !full, responseBytes + size > Self.batchGetResponseBytes { full = true }
                if full {
                    leftKeys.append(.item(key))
                    continue
                }
                guard let item else { continue }
                responseBytes += size
                units += ItemSize.readCapacityUnits(bytes: size, consistentRead: request.consistent)
                items.append(.item(request.projection.map { $0.project(item) } ?? item))
            }
            responses.append((request.name, .array(items)))
            if !leftKeys.isEmpty { unprocessed.append((request.name, Self.unprocessedKeys(leftKeys, request.entry))) }
            if let capacity = Self.consumedCapacity(mode: capacityMode, table: request.name, units: units) {
                capacities.append(capacity)
            }
        }
        var members: [(String, JSONOut)] = [("Responses", .object(responses)), ("UnprocessedKeys", .object(unprocessed))]
        if capacityMode != "NONE" { members.append(("ConsumedCapacity", .array(capacities))) }
        return .object(members)
    }

    /// The most item bytes one BatchGetItem response holds (16 MB).
    static let batchGetResponseBytes = 16 * 1024 * 1024

    /// One table's entry of `UnprocessedKeys`: the keys left, with the request's read parameters.
    private static func unprocessedKeys(_ keys: [JSONOut], _ entry: BatchGetItemInput.KeysAndAttributes) -> JSONOut {
        var members: [(String, JSONOut)] = [("Keys", .array(keys))]
        if let attributes = entry.AttributesToGet { members.append(("AttributesToGet", .array(attributes.map { .string($0) }))) }
        if let consistent = entry.ConsistentRead { members.append(("ConsistentRead", .bool(consistent))) }
        if let projection = entry.ProjectionExpression { members.append(("ProjectionExpression", .string(projection))) }
        if let names = entry.ExpressionAttributeNames {
            members.append(("ExpressionAttributeNames", .object(names.keys.sorted().map { ($0, .string(names[$0] ?? "")) })))
        }
        return .object(members)
    }

    /// BatchWriteItem: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
    func batchWriteItem(_ call: Call) async throws -> JSONOut {
        let input = try decode(BatchWriteItemInput.self, call)
        guard let requestItems = input.RequestItems else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("requestItems")) }
        guard !requestItems.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.requestItemsEmpty) }
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        let total = requestItems.values.reduce(0) { $0 + $1.count }
        if total > 25 || requestItems.values.contains(where: \.isEmpty) { throw DynamoDBError.validation(DynamoDBMessages.tooManyBatchWrites) }
        var writes: [(table: TableView, key: Item, item: Item?)] = []
        for name in requestItems.keys.sorted() {
            let tableName = try resolveTableName(name, member: "requestItems")
            let conditionKeys = DynamoDBConditionKeys.batchWrite(requestItems[name] ?? [], schema: conditionKeySchema(tableName))
            try await authorize(call, resources: [tableArn(tableName)], context: conditionKeys.context)
            let table = try self.table(tableName)
            var seen = Set<Data>()
            for request in requestItems[name] ?? [] {
                let key: Item
                var item: Item?
                switch (request.PutRequest, request.DeleteRequest) {
                case (.some(let put), nil):
                    guard let putItem = put.Item else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("item")) }
                    try table.key.validateItem(putItem)
                    try ItemSize.validate(putItem)
                    try Self.validateIndexKeys(putItem, table: table)
                    key = table.key.key(of: putItem)
                    item = putItem
                case (nil, .some(let delete)):
                    guard let deleteKey = delete.Key else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("key")) }
                    try table.key.validateKey(deleteKey)
                    key = deleteKey
                default:
                    throw DynamoDBError.validation(DynamoDBMessages.writeRequestShape)
                }
                guard seen.insert(table.key.identity(of: key) ?? Data()).inserted else {
                    throw DynamoDBError.validation(DynamoDBMessages.batchDuplicates)
                }
                writes.append((table, key, item))
            }
        }
        let finalWrites = writes
        let olds = try await write { db -> [Item?] in
            try finalWrites.map { write in
                let old = try ItemStore.fetchItem(db, table: write.table, key: write.key)
                if old != nil || write.item != nil {
                    try ItemStore.replace(db, table: write.table, old: old, new: write.item, collectionLimit: self.itemCollectionLimit)
                }
                return old
            }
        }
        var members: [(String, JSONOut)] = [("UnprocessedItems", .object([]))]
        if capacityMode != "NONE" {
            var perTable: [String: (Double, [String: (Bool, Double)])] = [:]
            for (write, old) in zip(writes, olds) {
                let units = Self.writeUnits(table: write.table, old: old, new: write.item)
                var entry = perTable[write.table.meta.name] ?? (0, [:])
                entry.0 += units.table
                for index in units.indexes { entry.1[index.name, default: (index.global, 0)].1 += index.units }
                perTable[write.table.meta.name] = entry
            }
            let capacities = perTable.keys.sorted().compactMap { name -> JSONOut? in
                guard let entry = perTable[name] else { return nil }
                let indexes = entry.1.keys.sorted().compactMap { key in entry.1[key].map { (name: key, global: $0.0, units: $0.1) } }
                return Self.consumedCapacity(mode: capacityMode, table: name, units: entry.0, indexUnits: indexes)
            }
            members.append(("ConsumedCapacity", .array(capacities)))
        }
        if input.ReturnItemCollectionMetrics == "SIZE" { members.append(("ItemCollectionMetrics", .object([]))) }
        return .object(members)
    }

    /// TransactWriteItems: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
    func transactWriteItems(_ call: Call) async throws -> JSONOut {
        let input = try decode(TransactWriteItemsInput.self, call)
        guard let items = input.TransactItems, !items.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.noTransactItems) }
        guard items.count <= 100 else { throw DynamoDBError.validation(DynamoDBMessages.tooManyTransactItems(items.count)) }
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        let token = input.ClientRequestToken
        let parameters = token == nil ? Data() : Self.canonicalParameters(call.body)
        var actions: [TransactAction] = []
        var seen = Set<String>()
        for entry in items {
            let present: [(TransactAction.Kind, TransactWriteItemsInput.Operation)] = [
                entry.ConditionCheck.map { (.conditionCheck, $0) }, entry.Put.map { (.put, $0) },
                entry.Delete.map { (.delete, $0) }, entry.Update.map { (.update, $0) },
            ].compactMap { $0 }
            guard present.count == 1, let (kind, operation) = present.first else {
                throw DynamoDBError.validation(DynamoDBMessages.transactItemShape)
            }
            let name = try tableName(operation.TableName)
            try await authorize(
                call,
                action: kind == .conditionCheck ? "ConditionCheckItem" : kind.rawValue + "Item",
                resources: [tableArn(name)],
                context: DynamoDBConditionKeys.write(operation, schema: conditionKeySchema(name)).context
            )
            let action = try transactAction(kind, operation, tableName: name)
            let identity = "\(action.table.meta.id):" + (action.table.key.identity(of: action.key) ?? Data()).base64EncodedString()
            guard seen.insert(identity).inserted else { throw DynamoDBError.validation(DynamoDBMessages.transactionSameItem) }
            actions.append(action)
        }
        let finalActions = actions
        let now = clock.now.timeIntervalSince1970
        // The token is looked up, and recorded, in the transaction that applies the writes: of two concurrent
        // calls with one token exactly one applies, and the other answers with its response.
        return try await write { db -> JSONOut in
            if let token {
                if let replay = try ClientTokenStore.replay(db, token: token, parameters: parameters, now: now) { return .raw(replay) }
            }
            let (olds, news) = try Self.applyTransaction(db, actions: finalActions, collectionLimit: self.itemCollectionLimit)
            let output = Self.transactWriteOutput(actions: finalActions, olds: olds, news: news, capacityMode: capacityMode)
            if let token {
                // A replay answers with the same response, its capacity counted as reads of the items (as AWS does).
                let replay = Self.transactWriteOutput(actions: finalActions, olds: olds, news: news, capacityMode: capacityMode, replay: true)
                try ClientTokenStore.record(db, token: token, parameters: parameters, response: replay.data, now: now)
            }
            return output
        }
    }

    /// Applies validated transaction actions all or nothing, inside the caller's write transaction: every condition
    /// is checked and every update computed first, and only when all pass is anything written.
    /// - Parameters:
    ///   - db: The database, in a write transaction.
    ///   - actions: The actions.
    ///   - collectionLimit: The item collection size limit.
    /// - Returns: Each action's item before and after.
    /// - Throws: TransactionCanceledException with one `CancellationReasons` entry per action.
    static func applyTransaction(_ db: Database, actions: [TransactAction], collectionLimit: Int) throws -> (olds: [Item?], news: [Item?]) {
        var olds: [Item?] = []
        var news: [Item?] = []
        var reasons: [JSONOut] = []
        var codes: [String] = []
        var failed = false
        for action in actions {
            guard try ItemStore.tableExists(db, id: action.table.meta.id) else {
                throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceNotFound)
            }
            let old = try ItemStore.fetchItem(db, table: action.table, key: action.key)
            olds.append(old)
            if let condition = action.condition, !condition.evaluate(on: old) {
                failed = true
                let code = action.duplicateOnFailure ? "DuplicateItem" : "ConditionalCheckFailed"
                let message = action.duplicateOnFailure ? DynamoDBMessages.partiQLDuplicateItem : DynamoDBMessages.conditionalRequestFailed
                codes.append(code)
                var members: [(String, JSONOut)] = [("Code", .string(code)), ("Message", .string(message))]
                if action.returnOldOnFailure, let old { members.insert(("Item", .item(old)), at: 0) }
                reasons.append(.object(members))
                news.append(nil)
                continue
            }
            do {
                switch action.kind {
                case .conditionCheck: news.append(old)
                case .put: news.append(action.item)
                case .delete: news.append(nil)
                case .update: news.append(try Self.applyUpdate(action.update, to: old, key: action.key, table: action.table).0)
                }
                codes.append("None")
                reasons.append(.object([("Code", .string("None"))]))
            } catch {
                failed = true
                codes.append("ValidationError")
                reasons.append(.object([("Code", .string("ValidationError")), ("Message", .string(error.message))]))
                news.append(nil)
            }
        }
        if failed {
            throw DynamoDBFailure(
                error: DynamoDBError(.transactionCanceledException, DynamoDBMessages.transactionCanceled(codes)),
                members: [("CancellationReasons", .array(reasons))]
            )
        }
        for (action, (old, new)) in zip(actions, zip(olds, news)) where action.kind != .conditionCheck {
            if old != nil || new != nil {
                try ItemStore.replace(db, table: action.table, old: old, new: new, collectionLimit: collectionLimit)
            }
        }
        return (olds, news)
    }

    /// The consumed capacity of applied transaction actions, per table: each item's table units doubled (a
    /// ConditionCheck on the item it read), index units as outside a transaction, reported as write units. A replay
    /// of the same ClientRequestToken is charged as transactional reads of the same items (4 KB units, doubled).
    static func transactionCapacity(actions: [TransactAction], olds: [Item?], news: [Item?], capacityMode: String, replay: Bool = false) -> JSONOut {
        var tally = CapacityTally()
        for (action, (old, new)) in zip(actions, zip(olds, news)) {
            if replay {
                let size = max(old.map(ItemSize.of) ?? 0, new.map(ItemSize.of) ?? 0)
                tally.add(table: action.table.meta.name, units: ItemSize.readCapacityUnits(bytes: size, consistentRead: true, transactional: true))
            } else {
                let units = Self.writeUnits(table: action.table, old: old, new: new, transactional: true)
                tally.add(table: action.table.meta.name, units: units.table, indexes: units.indexes)
            }
        }
        return tally.output(mode: capacityMode, split: replay ? .read : .write)
    }

    /// The TransactWriteItems response: consumed capacity per table when asked for.
    private static func transactWriteOutput(
        actions: [TransactAction],
        olds: [Item?],
        news: [Item?],
        capacityMode: String,
        replay: Bool = false
    ) -> JSONOut {
        var members: [(String, JSONOut)] = []
        if capacityMode != "NONE" {
            members.append(
                ("ConsumedCapacity", transactionCapacity(actions: actions, olds: olds, news: news, capacityMode: capacityMode, replay: replay))
            )
        }
        return .object(members)
    }

    /// The request's parameters in a canonical form (JSON with sorted keys), compared for a reused token.
    static func canonicalParameters(_ body: Data) -> Data {
        guard let object = try? JSONSerialization.jsonObject(with: body),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else { return body }
        return data
    }

    private func transactAction(
        _ kind: TransactAction.Kind,
        _ operation: TransactWriteItemsInput.Operation,
        tableName: String
    ) throws(DynamoDBError) -> TransactAction {
        let names = operation.ExpressionAttributeNames
        let values = operation.ExpressionAttributeValues
        try ExpressionAttributes.validate(names: names, values: values)
        var tracker = ExpressionUsageTracker()
        var update: UpdateExpression?
        if kind == .update {
            guard let text = operation.UpdateExpression else { throw .validation(DynamoDBMessages.memberNull("updateExpression")) }
            let parsed = try UpdateExpression.parse(text, names: names ?? [:], values: values ?? [:])
            tracker.record(parsed.usage)
            update = parsed
        }
        let condition = try operation.ConditionExpression.map { text throws(DynamoDBError) in
            try ConditionExpression.parse(text, names: names ?? [:], values: values ?? [:], kind: .condition)
        }
        if let condition { tracker.record(condition.usage) }
        if kind == .conditionCheck && condition == nil { throw .validation(DynamoDBMessages.memberNull("conditionExpression")) }
        try tracker.verifyAllUsed(names: names, values: values)
        let returnOld = try Self.onConditionFailureMode(operation.ReturnValuesOnConditionCheckFailure)
        let table = try self.table(tableName)
        var key: Item
        var item: Item?
        if kind == .put {
            guard let putItem = operation.Item else { throw .validation(DynamoDBMessages.memberNull("item")) }
            try table.key.validateItem(putItem)
            try ItemSize.validate(putItem)
            try Self.validateIndexKeys(putItem, table: table)
            key = table.key.key(of: putItem)
            item = putItem
        } else {
            guard let given = operation.Key else { throw .validation(DynamoDBMessages.memberNull("key")) }
            try table.key.validateKey(given)
            key = given
        }
        if let update { try update.checkKeyAttributes(table.key) }
        return TransactAction(kind: kind, table: table, key: key, item: item, update: update, condition: condition, returnOldOnFailure: returnOld)
    }

    /// TransactGetItems: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
    func transactGetItems(_ call: Call) async throws -> JSONOut {
        let input = try decode(TransactGetItemsInput.self, call)
        guard let items = input.TransactItems, !items.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.noTransactItems) }
        guard items.count <= 100 else { throw DynamoDBError.validation(DynamoDBMessages.tooManyTransactItems(items.count)) }
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        var gets: [(table: TableView, key: Item, projection: ProjectionExpression?)] = []
        var seen = Set<String>()
        for entry in items {
            guard let get = entry.Get else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("get")) }
            let name = try tableName(get.TableName)
            let conditionKeys = DynamoDBConditionKeys.get(
                key: get.Key,
                projection: get.ProjectionExpression,
                attributesToGet: nil,
                names: get.ExpressionAttributeNames,
                schema: conditionKeySchema(name)
            )
            try await authorize(call, action: "GetItem", resources: [tableArn(name)], context: conditionKeys.context)
            guard let key = get.Key else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("key")) }
            let projection = try Self.projection(get.ProjectionExpression, attributesToGet: nil, names: get.ExpressionAttributeNames)
            let table = try self.table(name)
            try table.key.validateKey(key)
            let identity = "\(table.meta.id):" + (table.key.identity(of: key) ?? Data()).base64EncodedString()
            guard seen.insert(identity).inserted else { throw DynamoDBError.validation(DynamoDBMessages.transactionSameItem) }
            gets.append((table, key, projection))
        }
        let finalGets = gets
        let results = try await read { db in try finalGets.map { try ItemStore.fetchItem(db, table: $0.table, key: $0.key) } }
        var responses: [JSONOut] = []
        var tally = CapacityTally()
        for (get, item) in zip(gets, results) {
            if let item {
                responses.append(.object([("Item", .item(get.projection.map { $0.project(item) } ?? item))]))
            } else {
                responses.append(.object([]))
            }
            let units = ItemSize.readCapacityUnits(bytes: item.map(ItemSize.of) ?? 0, consistentRead: true, transactional: true)
            tally.add(table: get.table.meta.name, units: units)
        }
        var members: [(String, JSONOut)] = [("Responses", .array(responses))]
        if capacityMode != "NONE" { members.append(("ConsumedCapacity", tally.output(mode: capacityMode, split: .read))) }
        return .object(members)
    }
}
