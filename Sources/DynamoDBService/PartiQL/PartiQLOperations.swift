import Foundation
import GRDB

/// A PartiQL SELECT checked against its table and bound to its parameters.
struct PartiQLRead: Sendable {
    /// The table.
    var table: TableView
    /// The index read (`FROM "table"."index"`), if any.
    var index: CompiledIndex?
    /// The partition (and sort) key condition when the WHERE clause names the partition key by equality: the read
    /// runs as a Query; otherwise as a Scan.
    var keyCondition: KeyCondition?
    /// The table's whole primary key when the WHERE clause names it by equality (what batches and transactions need).
    var exactKey: Item?
    /// The WHERE clause, evaluated on every item read.
    var filter: ConditionExpression?
    /// The SELECT list (nil for `*`).
    var projection: ProjectionExpression?
    /// `ORDER BY ... DESC`.
    var descending: Bool
}

/// A PartiQL INSERT, UPDATE or DELETE as the transaction action it performs.
struct PartiQLWrite: Sendable {
    /// The action (its condition holds the WHERE clause beyond the key, and the implied existence checks).
    var action: TransactAction
    /// The RETURNING clause, if any.
    var returning: PartiQLReturning?
}

/// A bound PartiQL statement.
enum PartiQLPlan: Sendable {
    /// A SELECT.
    case read(PartiQLRead)
    /// An INSERT, UPDATE or DELETE.
    case write(PartiQLWrite)

    /// The table the statement reads or writes.
    var table: TableView {
        switch self {
        case .read(let read): read.table
        case .write(let write): write.action.table
        }
    }
}

extension DynamoDBService {
    // MARK: Planning

    /// Parses a statement and checks its parameters (the checks DynamoDB makes before it looks at the table).
    /// - Parameters:
    ///   - text: `Statement`.
    ///   - parameters: `Parameters`.
    /// - Returns: The statement.
    /// - Throws: ValidationException with DynamoDB's texts.
    static func parsePartiQL(_ text: String?, parameters: [AttributeValue]?) throws(DynamoDBError) -> PartiQLStatement {
        guard let text else { throw .validation(DynamoDBMessages.memberNull("statement")) }
        guard (1...8192).contains(text.count) else { throw .validation(DynamoDBMessages.partiQLStatementLength(text)) }
        if let parameters, parameters.isEmpty { throw .validation(DynamoDBMessages.partiQLEmptyParameters) }
        let (statement, count) = try PartiQLParser.parse(text)
        guard count == (parameters?.count ?? 0) else { throw .validation(DynamoDBMessages.partiQLParameterCount) }
        return statement
    }

    /// Authorizes a statement as DynamoDB does: `dynamodb:PartiQLSelect`/`Insert`/`Update`/`Delete` on the table
    /// (or the index a SELECT reads), with `dynamodb:LeadingKeys` as the item operations supply it.
    func authorizePartiQL(_ call: Call, _ statement: PartiQLStatement, parameters: [AttributeValue]?) async throws(DynamoDBError) {
        var resource = tableArn(statement.table)
        var index: String?
        if case .select(_, let named?, _, _, _) = statement {
            resource += "/index/\(named)"
            index = named
        }
        try await authorize(
            call,
            action: statement.iamAction,
            resources: [resource],
            context: Self.partiQLConditionKeys(statement, parameters: parameters, schema: self.conditionKeySchema(statement.table, index: index))
                .context
        )
    }

    /// `dynamodb:LeadingKeys` of a statement: the partition key of the item an INSERT writes, or the partition key
    /// value a WHERE clause names by equality (a statement that names none, like a Scan, supplies none). Worked out
    /// before the statement is bound: a part that does not bind contributes nothing and fails right after.
    /// - Parameters:
    ///   - statement: The statement.
    ///   - parameters: `Parameters`.
    ///   - schema: The key schema of the table (or the index a SELECT reads); nil when it does not exist.
    /// - Returns: The condition keys.
    static func partiQLConditionKeys(_ statement: PartiQLStatement, parameters: [AttributeValue]?, schema: KeySchema?) -> DynamoDBConditionKeys {
        var keys = DynamoDBConditionKeys()
        guard let schema else { return keys }
        let binder = PartiQLBinder(parameters: parameters ?? [])
        switch statement {
        case .insert(_, let value):
            if case .m(let item)? = try? binder.value(value) { keys.addLeadingKey(of: item, schema: schema) }
        case .select(_, _, _, let condition?, _), .update(_, _, let condition?, _), .delete(_, let condition?, _),
            .exists(_, let condition?):
            guard let bound = try? binder.condition(condition) else { break }
            for conjunct in PartiQLBinder.conjuncts(bound) {
                if let pair = PartiQLBinder.equality(conjunct), pair.name == schema.partitionKey.name { keys.addLeadingKey(pair.value) }
            }
        default:
            break
        }
        return keys
    }

    /// Binds a parsed statement to its parameters and its table.
    /// - Parameters:
    ///   - statement: The statement.
    ///   - parameters: `Parameters`.
    ///   - returnOldOnFailure: `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`.
    /// - Returns: The plan.
    /// - Throws: ResourceNotFoundException for an unknown table, ValidationException with DynamoDB's texts.
    func planPartiQL(_ statement: PartiQLStatement, parameters: [AttributeValue]?, returnOldOnFailure: Bool) throws(DynamoDBError) -> PartiQLPlan {
        let table = try self.table(statement.table)
        let binder = PartiQLBinder(parameters: parameters ?? [])
        switch statement {
        case .select(_, let indexName, let paths, let whereClause, let descending):
            var index: CompiledIndex?
            if let indexName {
                guard let named = table.index(indexName) else { throw .validation(DynamoDBMessages.partiQLNoSuchIndex) }
                index = named
            }
            let condition = try whereClause.map { clause throws(DynamoDBError) in try binder.condition(clause) }
            return .read(
                PartiQLRead(
                    table: table,
                    index: index,
                    keyCondition: condition.flatMap { Self.keyCondition($0, schema: index?.key ?? table.key) },
                    exactKey: index == nil ? PartiQLBinder.splitKey(condition, schema: table.key)?.key : nil,
                    filter: condition.map { ConditionExpression(root: $0, usage: ExpressionUsage()) },
                    projection: paths.map { ProjectionExpression(paths: $0, usage: ExpressionUsage()) },
                    descending: descending
                )
            )
        case .insert(_, let value):
            guard case .m(let item) = try binder.value(value) else {
                throw .validation(DynamoDBMessages.partiQLNotWellFormed(DynamoDBMessages.partiQLValueExpected))
            }
            try table.key.validateItem(item)
            try ItemSize.validate(item)
            try Self.validateIndexKeys(item, table: table)
            let action = TransactAction(
                kind: .put,
                table: table,
                key: table.key.key(of: item),
                item: item,
                update: nil,
                condition: ConditionExpression(
                    root: .attributeNotExists(DocumentPath(attribute: table.key.partitionKey.name)),
                    usage: ExpressionUsage()
                ),
                returnOldOnFailure: false,
                duplicateOnFailure: true
            )
            return .write(PartiQLWrite(action: action, returning: nil))
        case .update(_, let actions, let whereClause, let returning):
            let condition = try whereClause.map { clause throws(DynamoDBError) in try binder.condition(clause) }
            guard let split = PartiQLBinder.splitKey(condition, schema: table.key) else { throw .validation(DynamoDBMessages.partiQLKeyEquality) }
            try table.key.validateKey(split.key)
            let update = try binder.update(actions)
            try update.checkKeyAttributes(table.key)
            let exists = ConditionNode.attributeExists(DocumentPath(attribute: table.key.partitionKey.name))
            let action = TransactAction(
                kind: .update,
                table: table,
                key: split.key,
                item: nil,
                update: update,
                condition: ConditionExpression(root: split.rest.map { .and(exists, $0) } ?? exists, usage: ExpressionUsage()),
                returnOldOnFailure: returnOldOnFailure
            )
            return .write(PartiQLWrite(action: action, returning: returning))
        case .exists(_, let whereClause):
            let condition = try whereClause.map { clause throws(DynamoDBError) in try binder.condition(clause) }
            guard let condition, let split = PartiQLBinder.splitKey(condition, schema: table.key), split.rest != nil else {
                throw .validation(DynamoDBMessages.partiQLExistsShape)
            }
            try table.key.validateKey(split.key)
            let action = TransactAction(
                kind: .conditionCheck,
                table: table,
                key: split.key,
                item: nil,
                update: nil,
                condition: ConditionExpression(root: condition, usage: ExpressionUsage()),
                returnOldOnFailure: returnOldOnFailure
            )
            return .write(PartiQLWrite(action: action, returning: nil))
        case .delete(_, let whereClause, let returning):
            if let returning, returning != .allOld { throw .validation(DynamoDBMessages.partiQLDeleteReturning(returning.rawValue)) }
            let condition = try whereClause.map { clause throws(DynamoDBError) in try binder.condition(clause) }
            guard let split = PartiQLBinder.splitKey(condition, schema: table.key) else { throw .validation(DynamoDBMessages.partiQLKeyEquality) }
            try table.key.validateKey(split.key)
            let action = TransactAction(
                kind: .delete,
                table: table,
                key: split.key,
                item: nil,
                update: nil,
                condition: split.rest.map { ConditionExpression(root: $0, usage: ExpressionUsage()) },
                returnOldOnFailure: returnOldOnFailure
            )
            return .write(PartiQLWrite(action: action, returning: returning))
        }
    }

    /// The key condition a WHERE clause implies for the table or index read: the partition key by equality, and the
    /// first condition on the sort key that a Query can serve (`=`, `<`, `<=`, `>`, `>=`, BETWEEN, begins_with).
    static func keyCondition(_ condition: ConditionNode, schema: KeySchema) -> KeyCondition? {
        let conjuncts = PartiQLBinder.conjuncts(condition)
        let partition = schema.partitionKey
        guard
            let value = conjuncts.lazy.compactMap(PartiQLBinder.equality).first(where: { $0.name == partition.name })?.value,
            ScalarAttributeType(of: value) == partition.type
        else { return nil }
        var sortCondition: SortKeyCondition?
        if let sortKey = schema.sortKey {
            func isSortKey(_ operand: ConditionOperand) -> Bool {
                if case .path(let path) = operand { return path.elements == [.name(sortKey.name)] }
                return false
            }
            func typed(_ operand: ConditionOperand) -> AttributeValue? {
                guard case .value(let value) = operand, ScalarAttributeType(of: value) == sortKey.type else { return nil }
                return value
            }
            for node in conjuncts where sortCondition == nil {
                switch node {
                case .comparison(let left, let comparator, let right):
                    guard comparator != .notEqual else { continue }
                    let (op, operand): (Comparator, ConditionOperand)
                    if isSortKey(left) {
                        (op, operand) = (comparator, right)
                    } else if isSortKey(right) {
                        (op, operand) = (comparator.swapped, left)
                    } else {
                        continue
                    }
                    guard let bound = typed(operand) else { continue }
                    switch op {
                    case .equal: sortCondition = .equal(bound)
                    case .less: sortCondition = .lessThan(bound)
                    case .lessOrEqual: sortCondition = .lessThanOrEqual(bound)
                    case .greater: sortCondition = .greaterThan(bound)
                    case .greaterOrEqual: sortCondition = .greaterThanOrEqual(bound)
                    case .notEqual: break
                    }
                case .between(let subject, let lower, let upper):
                    guard isSortKey(subject), let low = typed(lower), let high = typed(upper),
                        let order = AttributeValue.compareScalars(low, high), order <= 0
                    else { continue }
                    sortCondition = .between(low, high)
                case .beginsWith(let subject, let prefix):
                    guard isSortKey(subject), let start = typed(prefix), sortKey.type != .n else { continue }
                    sortCondition = .beginsWith(start)
                default:
                    continue
                }
            }
        }
        return KeyCondition(
            partitionKeyName: partition.name,
            partitionKeyValue: value,
            sortKeyName: schema.sortKey?.name,
            sortCondition: sortCondition,
            usage: ExpressionUsage()
        )
    }

    // MARK: Running

    /// Applies one PartiQL write inside the caller's write transaction.
    /// - Parameters:
    ///   - db: The database, in a write transaction.
    ///   - action: The write.
    ///   - collectionLimit: The item collection size limit.
    /// - Returns: The item before and after.
    /// - Throws: DuplicateItemException, ConditionalCheckFailedException (with the old item when asked for), the
    ///   update's validation errors.
    static func applyPartiQLWrite(_ db: Database, _ action: TransactAction, collectionLimit: Int) throws -> (old: Item?, new: Item?) {
        guard try ItemStore.tableExists(db, id: action.table.meta.id) else {
            throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceNotFound)
        }
        let old = try ItemStore.fetchItem(db, table: action.table, key: action.key)
        if let condition = action.condition, !condition.evaluate(on: old) {
            if action.duplicateOnFailure { throw DynamoDBError(.duplicateItemException, DynamoDBMessages.partiQLDuplicateItem) }
            throw conditionFailed(old: old, returnOld: action.returnOldOnFailure)
        }
        let new: Item?
        switch action.kind {
        case .put: new = action.item
        case .delete: new = nil
        case .update: new = try applyUpdate(action.update, to: old, key: action.key, table: action.table).0
        case .conditionCheck: new = old
        }
        if old != nil || new != nil {
            try ItemStore.replace(db, table: action.table, old: old, new: new, collectionLimit: collectionLimit)
        }
        return (old, new)
    }

    /// The items a RETURNING clause answers with.
    static func returnedItems(_ write: PartiQLWrite, old: Item?, new: Item?) -> [JSONOut] {
        guard let returning = write.returning else { return [] }
        let modified = ProjectionExpression(paths: write.action.update?.actions.map(\.path) ?? [], usage: ExpressionUsage())
        let item: Item?
        switch returning {
        case .allOld: item = old
        case .allNew: item = new
        case .modifiedOld: item = old.map { modified.project($0) }
        case .modifiedNew: item = new.map { modified.project($0) }
        }
        guard let item, !item.isEmpty else { return [] }
        return [.item(item)]
    }

    /// The token that continues a SELECT after `lastKey`.
    static func nextToken(_ lastKey: Item) -> String {
        JSONOut.item(lastKey).data.base64EncodedString()
    }

    /// The position a NextToken continues after.
    static func startPosition(nextToken: String, read: PartiQLRead) throws(DynamoDBError) -> (partition: Data, sort: Data, ident: Data) {
        let invalid = DynamoDBError.validation(DynamoDBMessages.partiQLInvalidNextToken)
        guard let data = Data(base64Encoded: nextToken), let key = try? AttributeValue.decodeItem(json: data),
            let position = try? startPosition(key, table: read.table, index: read.index)
        else { throw invalid }
        if let keyCondition = read.keyCondition, position.partition != KeyEncoding.identity(partition: keyCondition.partitionKeyValue, sort: nil) {
            throw invalid
        }
        return position
    }

    // MARK: ExecuteStatement

    /// ExecuteStatement: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
    func executeStatement(_ call: Call) async throws -> JSONOut {
        let input = try decode(ExecuteStatementInput.self, call)
        if let limit = input.Limit, limit < 1 { throw DynamoDBError.validation(DynamoDBMessages.limitTooSmall(limit)) }
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        let returnOld = try Self.onConditionFailureMode(input.ReturnValuesOnConditionCheckFailure)
        let statement = try Self.parsePartiQL(input.Statement, parameters: input.Parameters)
        if case .exists = statement { throw DynamoDBError.validation(DynamoDBMessages.partiQLExistsOnlyInTransactions) }
        try await authorizePartiQL(call, statement, parameters: input.Parameters)
        switch try planPartiQL(statement, parameters: input.Parameters, returnOldOnFailure: returnOld) {
        case .read(let read):
            return try await executeSelect(read, input: input, capacityMode: capacityMode)
        case .write(let write):
            let action = write.action
            let limit = itemCollectionLimit
            let (old, new) = try await self.write { db in try Self.applyPartiQLWrite(db, action, collectionLimit: limit) }
            var members: [(String, JSONOut)] = [("Items", .array(Self.returnedItems(write, old: old, new: new)))]
            let units = Self.writeUnits(table: action.table, old: old, new: new)
            if let capacity = Self.consumedCapacity(mode: capacityMode, table: action.table.meta.name, units: units.table, indexUnits: units.indexes)
            {
                members.append(("ConsumedCapacity", capacity))
            }
            return .object(members)
        }
    }

    /// Runs a SELECT one page at a time: a Query when the partition key is named by equality, else a Scan; Limit
    /// counts the items read (before the WHERE clause), and a page stops at 1 MB, as Query and Scan do.
    private func executeSelect(_ read: PartiQLRead, input: ExecuteStatementInput, capacityMode: String) async throws -> JSONOut {
        if input.ConsistentRead == true, let index = read.index, index.meta.isGlobal {
            throw DynamoDBError.validation(DynamoDBMessages.consistentReadOnGSI)
        }
        let start = try input.NextToken.map { token throws(DynamoDBError) in try Self.startPosition(nextToken: token, read: read) }
        let sql: (String, StatementArguments)
        if let keyCondition = read.keyCondition {
            sql = Self.querySQL(
                table: read.table,
                index: read.index,
                partition: KeyEncoding.identity(partition: keyCondition.partitionKeyValue, sort: nil),
                range: keyCondition.sortCondition?.encodedRange,
                start: start.map { ($0.sort, $0.ident) },
                forward: !read.descending
            )
        } else {
            sql = Self.scanSQL(table: read.table, index: read.index, segment: nil, start: start)
        }
        let plan = ReadPlan(
            table: read.table,
            index: read.index,
            filter: read.filter,
            projection: read.projection,
            countOnly: false,
            limit: input.Limit,
            consistentRead: input.ConsistentRead ?? false,
            capacityMode: capacityMode
        )
        let schema = read.index?.key ?? read.table.key
        // Eventually consistent SELECTs under the realism profile's read lag see items as Query and Scan do.
        let stale = input.ConsistentRead == true ? nil : read.table.staleReads(index: read.index)
        let page = try await readStatement { db in
            try Self.readPage(db, sql: sql.0, arguments: sql.1, plan: plan, schema: schema, stale: stale)
        }
        var members: [(String, JSONOut)] = [("Items", .array(page.items))]
        if let lastKey = page.lastKey {
            members.append(("NextToken", .string(Self.nextToken(lastKey))))
            members.append(("LastEvaluatedKey", .item(lastKey)))
        }
        if let capacity = Self.readCapacity(page: page, plan: plan) { members.append(("ConsumedCapacity", capacity)) }
        return .object(members)
    }

    // MARK: BatchExecuteStatement

    /// The `Code` a batch response's `Error` carries for an error.
    private static func batchErrorCode(_ error: DynamoDBError) -> String {
        switch error.code {
        case .conditionalCheckFailedException: "ConditionalCheckFailed"
        case .duplicateItemException: "DuplicateItem"
        case .resourceNotFoundException: "ResourceNotFound"
        case .accessDeniedException: "AccessDenied"
        case .itemCollectionSizeLimitExceededException: "ItemCollectionSizeLimitExceeded"
        case .internalServerError: "InternalServerError"
        default: "ValidationError"
        }
    }

    /// One `BatchStatementResponse` with an `Error`.
    private static func batchError(_ error: DynamoDBError, item: JSONOut? = nil, table: String?) -> JSONOut {
        var details: [(String, JSONOut)] = [("Code", .string(batchErrorCode(error))), ("Message", .string(error.message))]
        if let item { details.append(("Item", item)) }
        var members: [(String, JSONOut)] = [("Error", .object(details))]
        if let table { members.append(("TableName", .string(table))) }
        return .object(members)
    }

    /// BatchExecuteStatement: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
    func batchExecuteStatement(_ call: Call) async throws -> JSONOut {
        let input = try decode(BatchExecuteStatementInput.self, call)
        guard let requests = input.Statements else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("statements")) }
        guard (1...25).contains(requests.count) else {
            throw DynamoDBError.validation(DynamoDBMessages.partiQLListLength("statements", count: requests.count, limit: 25))
        }
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        // Each statement stands alone: one that fails answers with its Error and the others still run.
        enum Entry: Sendable {
            case failed(JSONOut)
            case read(PartiQLRead, consistent: Bool)
            case write(PartiQLWrite)
        }
        var entries: [Entry] = []
        for request in requests {
            var tableName: String?
            do {
                let returnOld = try Self.onConditionFailureMode(request.ReturnValuesOnConditionCheckFailure)
                let statement = try Self.parsePartiQL(request.Statement, parameters: request.Parameters)
                if case .exists = statement { throw DynamoDBError.validation(DynamoDBMessages.partiQLExistsOnlyInTransactions) }
                try await authorizePartiQL(call, statement, parameters: request.Parameters)
                let plan = try planPartiQL(statement, parameters: request.Parameters, returnOldOnFailure: returnOld)
                tableName = plan.table.meta.name
                switch plan {
                case .read(let read):
                    guard read.exactKey != nil else {
                        throw DynamoDBError.validation(DynamoDBMessages.partiQLSelectNeedsKey("BatchExecuteStatement"))
                    }
                    entries.append(.read(read, consistent: request.ConsistentRead ?? false))
                case .write(let write):
                    entries.append(.write(write))
                }
            } catch {
                let failure = (error as? DynamoDBError) ?? DynamoDBError(.internalServerError, "Internal server error")
                entries.append(.failed(Self.batchError(failure, table: tableName)))
            }
        }
        let finalEntries = entries
        let limit = itemCollectionLimit
        // Reads and writes run in one write transaction, each write in a savepoint of its own so that a failed one
        // leaves nothing behind.
        let outcomes = try await write { db -> [(response: JSONOut, table: String?, units: Double, indexes: [(String, Bool, Double)])] in
            try finalEntries.map { entry in
                switch entry {
                case .failed(let response):
                    return (response, nil, 0, [])
                case .read(let read, let consistent):
                    let name = read.table.meta.name
                    let item = try read.exactKey.flatMap { try ItemStore.fetchItem(db, table: read.table, key: $0) }
                    let units = ItemSize.readCapacityUnits(bytes: item.map(ItemSize.of) ?? 0, consistentRead: consistent)
                    var members: [(String, JSONOut)] = [("TableName", .string(name))]
                    if let item, read.filter?.evaluate(on: item) ?? true {
                        members.append(("Item", .item(read.projection.map { $0.project(item) } ?? item)))
                    }
                    return (.object(members), name, units, [])
                case .write(let write):
                    let name = write.action.table.meta.name
                    var images: (old: Item?, new: Item?) = (nil, nil)
                    do {
                        try db.inSavepoint {
                            images = try Self.applyPartiQLWrite(db, write.action, collectionLimit: limit)
                            return .commit
                        }
                    } catch let failure as DynamoDBFailure {
                        let item = failure.members.first { $0.0 == "Item" }?.1
                        return (Self.batchError(failure.error, item: item, table: name), nil, 0, [])
                    } catch let error as DynamoDBError {
                        return (Self.batchError(error, table: name), nil, 0, [])
                    }
                    let units = Self.writeUnits(table: write.action.table, old: images.old, new: images.new)
                    return (.object([("TableName", .string(name))]), name, units.table, units.indexes.map { ($0.name, $0.global, $0.units) })
                }
            }
        }
        var members: [(String, JSONOut)] = [("Responses", .array(outcomes.map(\.response)))]
        if capacityMode != "NONE" {
            var tally = CapacityTally()
            for outcome in outcomes {
                guard let table = outcome.table else { continue }
                tally.add(table: table, units: outcome.units, indexes: outcome.indexes.map { (name: $0.0, global: $0.1, units: $0.2) })
            }
            members.append(("ConsumedCapacity", tally.output(mode: capacityMode)))
        }
        return .object(members)
    }

    // MARK: ExecuteTransaction

    /// ExecuteTransaction: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
    func executeTransaction(_ call: Call) async throws -> JSONOut {
        let input = try decode(ExecuteTransactionInput.self, call)
        guard let statements = input.TransactStatements else {
            throw DynamoDBError.validation(DynamoDBMessages.memberNull("transactStatements"))
        }
        guard (1...100).contains(statements.count) else {
            throw DynamoDBError.validation(DynamoDBMessages.partiQLListLength("transactStatements", count: statements.count, limit: 100))
        }
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        var reads: [PartiQLRead] = []
        var writes: [TransactAction] = []
        var seen = Set<String>()
        for (position, entry) in statements.enumerated() {
            let returnOld = try Self.onConditionFailureMode(entry.ReturnValuesOnConditionCheckFailure)
            let statement = try Self.parsePartiQL(entry.Statement, parameters: entry.Parameters)
            try await authorizePartiQL(call, statement, parameters: entry.Parameters)
            let key: Item
            let table: TableView
            let planned = Result { () throws(DynamoDBError) in
                try planPartiQL(statement, parameters: entry.Parameters, returnOldOnFailure: returnOld)
            }
            if case .failure(let error) = planned, error.message == DynamoDBMessages.partiQLExistsShape {
                throw DynamoDBError.validation(DynamoDBMessages.partiQLTransactionStatement(position, error.message))
            }
            switch try planned.get() {
            case .read(let read):
                guard let exact = read.exactKey else {
                    let detail = DynamoDBMessages.partiQLSelectNeedsKey("ExecuteTransaction")
                    throw DynamoDBError.validation(DynamoDBMessages.partiQLTransactionStatement(position, detail))
                }
                reads.append(read)
                (key, table) = (exact, read.table)
            case .write(let write):
                writes.append(write.action)
                (key, table) = (write.action.key, write.action.table)
            }
            if !reads.isEmpty && !writes.isEmpty { throw DynamoDBError.validation(DynamoDBMessages.partiQLMixedTransaction) }
            let identity = "\(table.meta.id):" + (table.key.identity(of: key) ?? Data()).base64EncodedString()
            guard seen.insert(identity).inserted else { throw DynamoDBError.validation(DynamoDBMessages.transactionSameItem) }
        }
        if !reads.isEmpty {
            let finalReads = reads
            let items = try await read { db in
                try finalReads.map { read in try read.exactKey.flatMap { try ItemStore.fetchItem(db, table: read.table, key: $0) } }
            }
            var responses: [JSONOut] = []
            var tally = CapacityTally()
            for (read, item) in zip(reads, items) {
                if let item, read.filter?.evaluate(on: item) ?? true {
                    responses.append(.object([("Item", .item(read.projection.map { $0.project(item) } ?? item))]))
                } else {
                    responses.append(.object([]))
                }
                let units = ItemSize.readCapacityUnits(bytes: item.map(ItemSize.of) ?? 0, consistentRead: true, transactional: true)
                tally.add(table: read.table.meta.name, units: units)
            }
            var members: [(String, JSONOut)] = [("Responses", .array(responses))]
            if capacityMode != "NONE" { members.append(("ConsumedCapacity", tally.output(mode: capacityMode, split: .read))) }
            return .object(members)
        }
        let token = input.ClientRequestToken
        let parameters = token == nil ? Data() : Self.canonicalParameters(call.body)
        let finalWrites = writes
        let now = clock.now.timeIntervalSince1970
        let limit = itemCollectionLimit
        return try await write { db -> JSONOut in
            if let token, let replay = try ClientTokenStore.replay(db, token: token, parameters: parameters, now: now) { return .raw(replay) }
            let (olds, news) = try Self.applyTransaction(db, actions: finalWrites, collectionLimit: limit)
            func output(replay: Bool) -> JSONOut {
                var members: [(String, JSONOut)] = [("Responses", .array([]))]
                if capacityMode != "NONE" {
                    let capacity = Self.transactionCapacity(actions: finalWrites, olds: olds, news: news, capacityMode: capacityMode, replay: replay)
                    members.append(("ConsumedCapacity", capacity))
                }
                return .object(members)
            }
            // A replay answers with the same response, its capacity counted as reads of the items (as AWS does).
            if let token { try ClientTokenStore.record(db, token: token, parameters: parameters, response: output(replay: true).data, now: now) }
            return output(replay: false)
        }
    }
}
