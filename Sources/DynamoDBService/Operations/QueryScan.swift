import Foundation
import GRDB

/// What Query and Scan share once the request is validated.
struct ReadPlan: Sendable {
    var table: TableView
    var index: CompiledIndex?
    var filter: ConditionExpression?
    var projection: ProjectionExpression?
    var countOnly: Bool
    var limit: Int?
    var consistentRead: Bool
    var capacityMode: String
}

/// One page of Query or Scan results.
struct ReadPage: Sendable {
    var items: [JSONOut] = []
    var count = 0
    var scanned = 0
    var bytes = 0
    var lastKey: Item?
}

extension DynamoDBService {
    /// Maximum bytes read for one page (1 MB).
    static let pageBytes = 1024 * 1024

    /// Query: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
    func query(_ call: Call) async throws -> JSONOut {
        let input = try decode(QueryInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(
            call,
            resources: [input.IndexName.map { "\(tableArn(name))/index/\($0)" } ?? tableArn(name)],
            context: DynamoDBConditionKeys.read(input, schema: conditionKeySchema(name, index: input.IndexName), isQuery: true).context
        )
        let names = input.ExpressionAttributeNames
        let values = input.ExpressionAttributeValues
        // Only requests that carry legacy parameters, or attribute maps without an expression, can fail the check.
        let legacyPresent = input.AttributesToGet != nil || input.QueryFilter != nil || input.ConditionalOperator != nil || input.KeyConditions != nil
        if legacyPresent || (input.KeyConditionExpression == nil && input.FilterExpression == nil && (names != nil || values != nil)) {
            // KeyConditions counts as mixing only beside a KeyConditionExpression (AWS accepts it with a FilterExpression).
            try LegacyParameters.checkMixing(
                legacy: [
                    ("AttributesToGet", input.AttributesToGet != nil), ("QueryFilter", input.QueryFilter != nil),
                    ("ConditionalOperator", input.ConditionalOperator != nil),
                    ("KeyConditions", input.KeyConditions != nil && input.KeyConditionExpression != nil),
                ],
                expressions: [
                    ("ProjectionExpression", input.ProjectionExpression != nil), ("FilterExpression", input.FilterExpression != nil),
                    ("KeyConditionExpression", input.KeyConditionExpression != nil),
                ],
                hasNames: names != nil,
                hasValues: values != nil
            )
        }
        try ExpressionAttributes.validate(names: names, values: values)
        let table = try self.table(name)
        let index = try Self.index(input.IndexName, table: table)
        var tracker = ExpressionUsageTracker()
        // Every expression is parsed and its placeholders found used before the key condition meets the key schema,
        // the order in which AWS reports errors.
        let keyExpression = try input.KeyConditionExpression.map { text throws(DynamoDBError) in
            try ConditionExpression.parse(text, names: names ?? [:], values: values ?? [:], kind: .keyCondition)
        }
        if let keyExpression { tracker.record(keyExpression.usage) }
        let expressions = try readExpressions(input, tracker: &tracker)
        let keyCondition: KeyCondition
        if let keyExpression {
            keyCondition = try KeyCondition(keyExpression, schema: index?.key ?? table.key)
        } else if let keyConditions = input.KeyConditions {
            keyCondition = try LegacyParameters.keyConditions(keyConditions, schema: index?.key ?? table.key)
        } else {
            throw DynamoDBError.validation(DynamoDBMessages.queryNeedsKeyCondition)
        }
        let plan = try readPlan(input, table: table, index: index, expressions: expressions, legacyFilter: (input.QueryFilter, .queryFilter))
        let forward = input.ScanIndexForward ?? true
        let schema = index?.key ?? table.key
        if let filter = plan.filter {
            // A Query filters after the key condition: the queried key attributes may not appear in the filter.
            let filtered = Set(DynamoDBConditionKeys.paths(in: filter.root).map(\.topLevelName))
            if let element = schema.elements.first(where: { filtered.contains($0.name) }) {
                throw DynamoDBError.validation(
                    DynamoDBMessages.filterOnKey(input.QueryFilter != nil ? "QueryFilter" : "Filter Expression", element.name)
                )
            }
        }
        let partition = KeyEncoding.identity(partition: keyCondition.partitionKeyValue, sort: nil)
        var start: (sort: Data, ident: Data)?
        if let exclusive = input.ExclusiveStartKey {
            let position = try Self.startPosition(exclusive, table: table, index: index)
            guard position.partition == partition else { throw DynamoDBError.validation(DynamoDBMessages.exclusiveStartKeyOutsideQuery) }
            start = (position.sort, position.ident)
        }
        let (finalSQL, finalArguments) = Self.querySQL(
            table: table,
            index: index,
            partition: partition,
            range: keyCondition.sortCondition?.encodedRange,
            start: start,
            forward: forward
        )
        let stale = input.ConsistentRead == true ? nil : table.staleReads(index: index)
        let page = try await readStatement { db in
            try Self.readPage(db, sql: finalSQL, arguments: finalArguments, plan: plan, schema: schema, stale: stale)
        }
        return Self.pageOutput(page, plan: plan, name: name)
    }

    /// Scan: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
    func scan(_ call: Call) async throws -> JSONOut {
        let input = try decode(QueryInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(
            call,
            resources: [input.IndexName.map { "\(tableArn(name))/index/\($0)" } ?? tableArn(name)],
            context: DynamoDBConditionKeys.read(input, schema: conditionKeySchema(name, index: input.IndexName), isQuery: false).context
        )
        try LegacyParameters.checkMixing(
            legacy: [
                ("AttributesToGet", input.AttributesToGet != nil), ("ScanFilter", input.ScanFilter != nil),
                ("ConditionalOperator", input.ConditionalOperator != nil),
            ],
            expressions: [("ProjectionExpression", input.ProjectionExpression != nil), ("FilterExpression", input.FilterExpression != nil)],
            hasNames: input.ExpressionAttributeNames != nil,
            hasValues: input.ExpressionAttributeValues != nil
        )
        var segmentRange: (Int, Int)?
        switch (input.Segment, input.TotalSegments) {
        case (nil, nil): break
        case (nil, .some): throw DynamoDBError.validation(DynamoDBMessages.segmentMissing)
        case (.some, nil): throw DynamoDBError.validation(DynamoDBMessages.totalSegmentsMissing)
        case (.some(let segment), .some(let total)):
            guard (1...1_000_000).contains(total) else { throw DynamoDBError.validation(DynamoDBMessages.totalSegmentsRange(total)) }
            guard segment >= 0, segment < total else { throw DynamoDBError.validation(DynamoDBMessages.segmentInvalid(segment, total)) }
            let space = ItemStore.hashSpace
            segmentRange = (segment * space / total, (segment + 1) * space / total)
        }
        let table = try self.table(name)
        let index = try Self.index(input.IndexName, table: table)
        let names = input.ExpressionAttributeNames
        let values = input.ExpressionAttributeValues
        try ExpressionAttributes.validate(names: names, values: values)
        var tracker = ExpressionUsageTracker()
        let expressions = try readExpressions(input, tracker: &tracker)
        let plan = try readPlan(input, table: table, index: index, expressions: expressions, legacyFilter: (input.ScanFilter, .scanFilter))
        var start: (partition: Data, sort: Data, ident: Data)?
        if let exclusive = input.ExclusiveStartKey {
            let position = try Self.startPosition(exclusive, table: table, index: index)
            if let (low, high) = segmentRange, let segment = input.Segment, let total = input.TotalSegments, total > 1 {
                let hash = ItemStore.hash(position.partition)
                if hash < low || hash >= high { throw DynamoDBError.validation(DynamoDBMessages.startKeyWrongSegment(segment, total)) }
            }
            start = position
        }
        let (finalSQL, finalArguments) = Self.scanSQL(table: table, index: index, segment: segmentRange, start: start)
        let schema = index?.key ?? table.key
        let stale = input.ConsistentRead == true ? nil : table.staleReads(index: index)
        let page = try await readStatement { db in
            try Self.readPage(db, sql: finalSQL, arguments: finalArguments, plan: plan, schema: schema, stale: stale)
        }
        return Self.pageOutput(page, plan: plan, name: name)
    }

    /// The SQL of a Query page: one partition of the table or index, a sort-key range, after a start position.
    /// - Parameters:
    ///   - table: The table.
    ///   - index: The index queried, if any.
    ///   - partition: The encoded partition key.
    ///   - range: The sort-key range, if any.
    ///   - start: The position to continue after (`ExclusiveStartKey`).
    ///   - forward: Ascending sort-key order.
    /// - Returns: The statement and its arguments.
    static func querySQL(
        table: TableView,
        index: CompiledIndex?,
        partition: Data,
        range: SortKeyRange?,
        start: (sort: Data, ident: Data)?,
        forward: Bool
    ) -> (String, StatementArguments) {
        var sql = "SELECT item, size FROM ddb_item WHERE tbl = ? AND idx = ? AND h = ? AND pk = ?"
        var arguments: StatementArguments = [table.meta.id, index?.meta.name ?? "", ItemStore.hash(partition), partition]
        if let lower = range?.lower {
            sql += lower.inclusive ? " AND sk >= ?" : " AND sk > ?"
            _ = arguments.append(contentsOf: [lower.bytes])
        }
        if let upper = range?.upper {
            sql += upper.inclusive ? " AND sk <= ?" : " AND sk < ?"
            _ = arguments.append(contentsOf: [upper.bytes])
        }
        if let start {
            sql += forward ? " AND (sk, ident) > (?, ?)" : " AND (sk, ident) < (?, ?)"
            _ = arguments.append(contentsOf: [start.sort, start.ident])
        }
        sql += forward ? " ORDER BY sk ASC, ident ASC" : " ORDER BY sk DESC, ident DESC"
        return (sql, arguments)
    }

    /// The SQL of a Scan page: the table or index in hash order, within a segment, after a start position.
    /// - Parameters:
    ///   - table: The table.
    ///   - index: The index scanned, if any.
    ///   - segment: The hash range of the segment (`Segment`/`TotalSegments`), if any.
    ///   - start: The position to continue after (`ExclusiveStartKey`).
    /// - Returns: The statement and its arguments.
    static func scanSQL(
        table: TableView,
        index: CompiledIndex?,
        segment: (Int, Int)?,
        start: (partition: Data, sort: Data, ident: Data)?
    ) -> (String, StatementArguments) {
        var sql = "SELECT item, size FROM ddb_item WHERE tbl = ? AND idx = ?"
        var arguments: StatementArguments = [table.meta.id, index?.meta.name ?? ""]
        if let (low, high) = segment {
            sql += " AND h >= ? AND h < ?"
            _ = arguments.append(contentsOf: [low, high])
        }
        if let start {
            sql += " AND (h, pk, sk, ident) > (?, ?, ?, ?)"
            _ = arguments.append(contentsOf: [ItemStore.hash(start.partition), start.partition, start.sort, start.ident])
        }
        sql += " ORDER BY h, pk, sk, ident"
        return (sql, arguments)
    }

    /// The index named in a Query/Scan.
    static func index(_ name: String?, table: TableView) throws(DynamoDBError) -> CompiledIndex? {
        guard let name else { return nil }
        guard let index = table.index(name) else { throw .validation(DynamoDBMessages.noSuchIndex(name)) }
        return index
    }

    /// Parses the FilterExpression and ProjectionExpression of a Query or Scan and checks that every supplied
    /// placeholder was used by some expression of the request.
    /// - Parameters:
    ///   - input: The request.
    ///   - tracker: Placeholder usage of the request's expressions so far.
    /// - Returns: The parsed filter and projection.
    /// - Throws: The expressions' validation errors, unused placeholders.
    func readExpressions(
        _ input: QueryInput,
        tracker: inout ExpressionUsageTracker
    ) throws(DynamoDBError) -> (filter: ConditionExpression?, projection: ProjectionExpression?) {
        let names = input.ExpressionAttributeNames
        let values = input.ExpressionAttributeValues
        let filter = try input.FilterExpression.map { text throws(DynamoDBError) in
            try ConditionExpression.parse(text, names: names ?? [:], values: values ?? [:], kind: .filter)
        }
        if let filter { tracker.record(filter.usage) }
        let projection = try input.ProjectionExpression.map { text throws(DynamoDBError) in
            try ProjectionExpression.parse(text, names: names ?? [:])
        }
        if let projection { tracker.record(projection.usage) }
        try tracker.verifyAllUsed(names: names, values: values)
        return (filter, projection)
    }

    /// Validates the parameters Query and Scan share (legacy filter, projection, Select, Limit).
    /// - Parameters:
    ///   - input: The request.
    ///   - table: The table.
    ///   - index: The index queried or scanned.
    ///   - expressions: The parsed FilterExpression and ProjectionExpression.
    ///   - legacyFilter: `QueryFilter` or `ScanFilter`, with which it is.
    /// - Returns: The plan.
    /// - Throws: AWS's validation errors.
    func readPlan(
        _ input: QueryInput,
        table: TableView,
        index: CompiledIndex?,
        expressions: (filter: ConditionExpression?, projection: ProjectionExpression?),
        legacyFilter: ([String: LegacyCondition]?, LegacyParameters.Source)
    ) throws(DynamoDBError) -> ReadPlan {
        var filter = expressions.filter
        var projection = expressions.projection
        if let conditions = legacyFilter.0 {
            filter = try LegacyParameters.filter(conditions, source: legacyFilter.1, conditionalOperator: input.ConditionalOperator)
        }
        if let attributes = input.AttributesToGet { projection = try LegacyParameters.attributesToGet(attributes) }
        let projectionParameter = input.AttributesToGet != nil ? "AttributesToGet" : "ProjectionExpression"
        let select = try Self.enumValue(
            input.Select,
            member: "select",
            allowed: ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"],
            default: projection == nil ? (index == nil ? "ALL_ATTRIBUTES" : "ALL_PROJECTED_ATTRIBUTES") : "SPECIFIC_ATTRIBUTES"
        )
        switch select {
        case "SPECIFIC_ATTRIBUTES":
            if projection == nil { throw .validation(DynamoDBMessages.specificAttributesNeedProjection) }
        case "COUNT":
            if projection != nil { throw .validation(DynamoDBMessages.selectWithProjection(projectionParameter, "only the Count")) }
        default:
            if projection != nil { throw .validation(DynamoDBMessages.selectWithProjection(projectionParameter, select)) }
        }
        if select == "ALL_PROJECTED_ATTRIBUTES" && index == nil { throw .validation(DynamoDBMessages.allProjectedNeedsIndex) }
        if select == "ALL_ATTRIBUTES", let index, index.meta.isGlobal, index.meta.projectionType != "ALL" {
            throw .validation(DynamoDBMessages.allAttributesOnIndex(index.meta.name))
        }
        if let limit = input.Limit, limit < 1 { throw .validation(DynamoDBMessages.limitTooSmall(limit)) }
        if input.ConsistentRead == true, let index, index.meta.isGlobal { throw .validation(DynamoDBMessages.consistentReadOnGSI) }
        return ReadPlan(
            table: table,
            index: index,
            filter: filter,
            projection: projection,
            countOnly: select == "COUNT",
            limit: input.Limit,
            consistentRead: input.ConsistentRead ?? false,
            capacityMode: try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        )
    }

    /// The row position an ExclusiveStartKey names.
    static func startPosition(
        _ key: Item,
        table: TableView,
        index: CompiledIndex?
    ) throws(DynamoDBError) -> (partition: Data, sort: Data, ident: Data) {
        let invalid = DynamoDBError.validation(DynamoDBMessages.exclusiveStartKeyInvalid)
        var required = table.key.elements
        if let index { required += index.key.elements.filter { element in !required.contains { $0.name == element.name } } }
        guard key.count == required.count else { throw invalid }
        for element in required {
            guard let value = key[element.name], ScalarAttributeType(of: value) == element.type else { throw invalid }
        }
        let schema = index?.key ?? table.key
        let ident = index == nil ? Data() : (table.key.identity(of: key) ?? Data())
        guard let row = ItemStore.rowKey(of: key, schema: schema, index: index?.meta.name ?? "", ident: ident) else { throw invalid }
        return (row.partition, row.sort, row.ident)
    }

    /// Reads rows until Limit items were evaluated or 1 MB was read (Limit counts before the filter).
    /// With `stale` (eventually consistent reads under a read lag), each item is replaced by the image that function
    /// gives, or skipped when it gives `.some(nil)`.
    static func readPage(
        _ db: Database,
        sql: String,
        arguments: StatementArguments,
        plan: ReadPlan,
        schema: KeySchema,
        stale: (@Sendable (Item) -> Item??)? = nil
    ) throws -> ReadPage {
        var page = ReadPage()
        let statement = try db.cachedStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        var keyNames = plan.table.key.attributeNames
        if let index = plan.index { keyNames.formUnion(index.key.attributeNames) }
        // Items are decoded only when a filter or projection needs them; otherwise the stored JSON is sent as is.
        let decodeAll = plan.filter != nil || plan.projection != nil || stale != nil
        while let row = try cursor.next() {
            let data: Data = row["item"]
            let size: Int = row["size"]
            var item = decodeAll ? ItemCodec.decode(data) : nil
            page.scanned += 1
            page.bytes += size
            if let stale, let stored = item, let seen = stale(stored) {
                // Not yet visible to this eventually consistent read: skipped (the page's position still moves on).
                guard let seen else {
                    if page.scanned == plan.limit || page.bytes >= pageBytes {
                        page.lastKey = stored.filter { keyNames.contains($0.key) }
                        break
                    }
                    continue
                }
                item = seen
            }
            if let item {
                if plan.filter?.evaluate(on: item) ?? true {
                    page.count += 1
                    if !plan.countOnly { page.items.append(.item(plan.projection.map { $0.project(item) } ?? item)) }
                }
            } else {
                page.count += 1
                if !plan.countOnly { page.items.append(.raw(data)) }
            }
            if page.scanned == plan.limit || page.bytes >= pageBytes {
                page.lastKey = (item ?? ItemCodec.decode(data)).filter { keyNames.contains($0.key) }
                break
            }
        }
        return page
    }

    /// The Query/Scan response.
    static func pageOutput(_ page: ReadPage, plan: ReadPlan, name: String) -> JSONOut {
        var members: [(String, JSONOut)] = []
        if !plan.countOnly { members.append(("Items", .array(page.items))) }
        members.append(("Count", .int(page.count)))
        members.append(("ScannedCount", .int(page.scanned)))
        if let lastKey = page.lastKey { members.append(("LastEvaluatedKey", .item(lastKey))) }
        if let capacity = readCapacity(page: page, plan: plan, name: name) { members.append(("ConsumedCapacity", capacity)) }
        return .object(members)
    }

    /// The `ConsumedCapacity` of a page read: the summed size of the items read (not only those returned), in 4 KB
    /// units, halved for eventually consistent reads, charged to the index when one was read.
    /// - Parameters:
    ///   - page: The page.
    ///   - plan: The read.
    ///   - name: The table name as the request gave it (the table's own name by default).
    /// - Returns: The object, or nil when not asked for.
    static func readCapacity(page: ReadPage, plan: ReadPlan, name: String? = nil) -> JSONOut? {
        let units = ItemSize.readCapacityUnits(bytes: page.bytes, consistentRead: plan.consistentRead)
        var tableUnits = units
        var indexUnits: [(name: String, global: Bool, units: Double)] = []
        if let index = plan.index {
            tableUnits = 0
            indexUnits = [(index.meta.name, index.meta.isGlobal, units)]
        }
        return consumedCapacity(mode: plan.capacityMode, table: name ?? plan.table.meta.name, units: tableUnits, indexUnits: indexUnits)
    }
}
