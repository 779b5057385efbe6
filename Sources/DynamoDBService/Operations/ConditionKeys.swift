import Foundation

/// The DynamoDB condition keys a request supplies to IAM, as AWS's fine-grained access control defines them
/// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html):
/// - `dynamodb:LeadingKeys`: the partition key values the request touches (the key of GetItem, PutItem, UpdateItem
///   and DeleteItem, the partition key equality of Query, every key of a batch for its table). Multi-valued, so
///   policies use `ForAllValues:`; Scan supplies none.
/// - `dynamodb:Attributes`: the top-level attribute names the request names: key attributes, projected attributes,
///   attributes written, updated or read by an update, and those a condition, key condition or filter evaluates.
/// - `dynamodb:Select`: the `Select` of a read (Query, Scan, and the implied value of GetItem/BatchGetItem:
///   `SPECIFIC_ATTRIBUTES` with a projection, else `ALL_ATTRIBUTES`, or `ALL_PROJECTED_ATTRIBUTES` on an index).
/// - `dynamodb:ReturnValues`: the `ReturnValues` of a write (`NONE` unless given).
///
/// The keys are worked out before the request is validated: a part that does not parse contributes nothing here
/// and fails the operation's own validation right after, with the same parser and the same inputs.
struct DynamoDBConditionKeys {
    /// `dynamodb:LeadingKeys`.
    static let leadingKeysName = "dynamodb:LeadingKeys"
    /// `dynamodb:Attributes`.
    static let attributesName = "dynamodb:Attributes"
    /// `dynamodb:Select`.
    static let selectName = "dynamodb:Select"
    /// `dynamodb:ReturnValues`.
    static let returnValuesName = "dynamodb:ReturnValues"

    private(set) var leadingKeys: [String] = []
    private(set) var attributes: [String] = []
    private var seenAttributes: Set<String> = []
    var select: String?
    var returnValues: String?

    /// The keys as the authorizer takes them; absent keys are left out (so `...IfExists` operators skip them).
    var context: [String: [String]] {
        var context: [String: [String]] = [:]
        if !leadingKeys.isEmpty { context[Self.leadingKeysName] = leadingKeys }
        if !attributes.isEmpty { context[Self.attributesName] = attributes }
        if let select { context[Self.selectName] = [select] }
        if let returnValues { context[Self.returnValuesName] = [returnValues] }
        return context
    }

    // MARK: Collecting

    /// Adds the partition key value of a key or item, by the schema's partition key name.
    mutating func addLeadingKey(of item: Item?, schema: KeySchema?) {
        guard let item, let schema, let value = item[schema.partitionKey.name] else { return }
        addLeadingKey(value)
    }

    /// Adds a partition key value (`S` as is, `N` as its number text, `B` base64).
    mutating func addLeadingKey(_ value: AttributeValue) {
        let text: String
        switch value {
        case .s(let string): text = string
        case .n(let number): text = number.description
        case .b(let data): text = data.base64EncodedString()
        default: return
        }
        if !leadingKeys.contains(text) { leadingKeys.append(text) }
    }

    /// Adds top-level attribute names.
    mutating func addAttributes(_ names: some Sequence<String>) {
        for name in names where !name.isEmpty && seenAttributes.insert(name).inserted { attributes.append(name) }
    }

    /// Adds the attributes a condition or filter expression evaluates.
    mutating func addCondition(_ text: String?, names: [String: String]?, values: [String: AttributeValue]?, kind: ExpressionKind) {
        guard let text, let parsed = try? ConditionExpression.parse(text, names: names ?? [:], values: values ?? [:], kind: kind) else {
            return
        }
        addAttributes(Self.paths(in: parsed.root).map(\.topLevelName))
    }

    /// Adds the attributes of a projection expression or the legacy `AttributesToGet`.
    /// - Returns: Whether the request projects (so its implied `Select` is `SPECIFIC_ATTRIBUTES`).
    @discardableResult
    mutating func addProjection(_ text: String?, attributesToGet: [String]?, names: [String: String]?) -> Bool {
        if let attributesToGet {
            addAttributes(attributesToGet)
            return true
        }
        guard let text else { return false }
        if let parsed = try? ProjectionExpression.parse(text, names: names ?? [:]) { addAttributes(parsed.paths.map(\.topLevelName)) }
        return true
    }

    /// Adds the attributes an update expression writes or reads.
    mutating func addUpdate(_ text: String?, names: [String: String]?, values: [String: AttributeValue]?) {
        guard let text, let parsed = try? UpdateExpression.parse(text, names: names ?? [:], values: values ?? [:]) else { return }
        for action in parsed.actions {
            switch action {
            case .set(let path, let operand):
                addAttributes([path.topLevelName])
                addAttributes(Self.paths(in: operand).map(\.topLevelName))
            case .remove(let path), .add(let path, _), .delete(let path, _):
                addAttributes([path.topLevelName])
            }
        }
    }

    // MARK: Per operation

    /// GetItem and each TransactGetItems `Get`: the key, the projection and the implied `Select`.
    static func get(key: Item?, projection: String?, attributesToGet: [String]?, names: [String: String]?, schema: KeySchema?) -> Self {
        var keys = Self()
        keys.addLeadingKey(of: key, schema: schema)
        keys.addAttributes(key.map { $0.keys.sorted() } ?? [])
        let projects = keys.addProjection(projection, attributesToGet: attributesToGet, names: names)
        keys.select = projects ? "SPECIFIC_ATTRIBUTES" : "ALL_ATTRIBUTES"
        return keys
    }

    /// PutItem, DeleteItem, UpdateItem and each TransactWriteItems action: the partition of the key or item, the
    /// attributes it names, writes, updates or evaluates in its condition, and `ReturnValues`.
    static func write(_ input: some ConditionKeyedWrite, schema: KeySchema?) -> Self {
        var keys = Self()
        let names = input.ExpressionAttributeNames
        let values = input.ExpressionAttributeValues
        keys.addLeadingKey(of: input.namedItem, schema: schema)
        keys.addAttributes(input.namedItem.map { $0.keys.sorted() } ?? [])
        keys.addUpdate(input.updateExpression, names: names, values: values)
        keys.addCondition(input.ConditionExpression, names: names, values: values, kind: .condition)
        keys.addAttributes(input.legacyAttributes)
        keys.returnValues = input.conditionKeyReturnValues
        return keys
    }

    /// Query and Scan: the queried partition (Query only), the key condition, filter and projection attributes and
    /// `Select` (given, or implied as DynamoDB does).
    static func read(_ input: QueryInput, schema: KeySchema?, isQuery: Bool) -> Self {
        var keys = Self()
        if isQuery, let text = input.KeyConditionExpression, let schema,
            let condition = try? KeyCondition.parse(
                text,
                names: input.ExpressionAttributeNames ?? [:],
                values: input.ExpressionAttributeValues ?? [:],
                schema: schema
            )
        {
            keys.addLeadingKey(condition.partitionKeyValue)
            keys.addAttributes([condition.partitionKeyName])
            if condition.sortCondition != nil, let sort = condition.sortKeyName { keys.addAttributes([sort]) }
        }
        if isQuery, let conditions = input.KeyConditions {
            // The legacy form: the partition key's EQ value is the leading key, every named attribute is evaluated.
            if let schema, let value = conditions[schema.partitionKey.name]?.AttributeValueList?.first { keys.addLeadingKey(value) }
            keys.addAttributes(conditions.keys.sorted())
        }
        keys.addAttributes(((isQuery ? input.QueryFilter : input.ScanFilter) ?? [:]).keys.sorted())
        keys.addCondition(input.FilterExpression, names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues, kind: .filter)
        let projects = keys.addProjection(input.ProjectionExpression, attributesToGet: input.AttributesToGet, names: input.ExpressionAttributeNames)
        keys.select = input.Select ?? (projects ? "SPECIFIC_ATTRIBUTES" : (input.IndexName == nil ? "ALL_ATTRIBUTES" : "ALL_PROJECTED_ATTRIBUTES"))
        return keys
    }

    /// BatchGetItem, for one table: every key's partition, the key and projection attributes, the implied `Select`.
    static func batchGet(_ entry: BatchGetItemInput.KeysAndAttributes, schema: KeySchema?) -> Self {
        var keys = Self()
        for key in entry.Keys ?? [] {
            keys.addLeadingKey(of: key, schema: schema)
            keys.addAttributes(key.keys.sorted())
        }
        let projects = keys.addProjection(entry.ProjectionExpression, attributesToGet: entry.AttributesToGet, names: entry.ExpressionAttributeNames)
        keys.select = projects ? "SPECIFIC_ATTRIBUTES" : "ALL_ATTRIBUTES"
        return keys
    }

    /// BatchWriteItem, for one table: the partition of every put and delete, the attributes written.
    static func batchWrite(_ requests: [BatchWriteItemInput.WriteRequest], schema: KeySchema?) -> Self {
        var keys = Self()
        for request in requests {
            let named = request.PutRequest?.Item ?? request.DeleteRequest?.Key
            keys.addLeadingKey(of: named, schema: schema)
            keys.addAttributes(named.map { $0.keys.sorted() } ?? [])
        }
        return keys
    }

    // MARK: Expression walking

    /// The document paths a condition reads.
    static func paths(in node: ConditionNode) -> [DocumentPath] {
        switch node {
        case .comparison(let left, _, let right): paths(in: left) + paths(in: right)
        case .between(let subject, let lower, let upper): paths(in: subject) + paths(in: lower) + paths(in: upper)
        case .inList(let subject, let list): paths(in: subject) + list.flatMap { paths(in: $0) }
        case .and(let left, let right), .or(let left, let right): paths(in: left) + paths(in: right)
        case .not(let inner): paths(in: inner)
        case .attributeExists(let path), .attributeNotExists(let path): [path]
        case .attributeType(let subject, let other), .beginsWith(let subject, let other), .contains(let subject, let other):
            paths(in: subject) + paths(in: other)
        }
    }

    /// The document paths a condition operand reads.
    static func paths(in operand: ConditionOperand) -> [DocumentPath] {
        switch operand {
        case .path(let path): [path]
        case .value: []
        case .size(let inner): paths(in: inner)
        }
    }

    /// The document paths an update operand reads.
    static func paths(in operand: UpdateOperand) -> [DocumentPath] {
        switch operand {
        case .path(let path): [path]
        case .value: []
        case .ifNotExists(let path, let fallback): [path] + paths(in: fallback)
        case .listAppend(let left, let right), .plus(let left, let right), .minus(let left, let right): paths(in: left) + paths(in: right)
        }
    }
}

/// A write request as ``DynamoDBConditionKeys/write(_:schema:)`` reads it.
protocol ConditionKeyedWrite {
    /// The item written (PutItem) or the key of the item changed.
    var namedItem: Item? { get }
    /// The update expression, for updates.
    var updateExpression: String? { get }
    /// The condition expression.
    var ConditionExpression: String? { get }
    /// `ExpressionAttributeNames`.
    var ExpressionAttributeNames: [String: String]? { get }
    /// `ExpressionAttributeValues`.
    var ExpressionAttributeValues: [String: AttributeValue]? { get }
    /// `dynamodb:ReturnValues`: the request's `ReturnValues` (`NONE` unless given), nil where the operation has none.
    var conditionKeyReturnValues: String? { get }
    /// The attributes the legacy `Expected` and `AttributeUpdates` name (top-level names, sorted).
    var legacyAttributes: [String] { get }
}

extension PutItemInput: ConditionKeyedWrite {
    var namedItem: Item? { Item }
    var updateExpression: String? { nil }
    var conditionKeyReturnValues: String? { ReturnValues ?? "NONE" }
    var legacyAttributes: [String] { (Expected ?? [:]).keys.sorted() }
}

extension DeleteItemInput: ConditionKeyedWrite {
    var namedItem: Item? { Key }
    var updateExpression: String? { nil }
    var conditionKeyReturnValues: String? { ReturnValues ?? "NONE" }
    var legacyAttributes: [String] { (Expected ?? [:]).keys.sorted() }
}

extension UpdateItemInput: ConditionKeyedWrite {
    var namedItem: Item? { Key }
    var updateExpression: String? { UpdateExpression }
    var conditionKeyReturnValues: String? { ReturnValues ?? "NONE" }
    var legacyAttributes: [String] { (AttributeUpdates ?? [:]).keys.sorted() + (Expected ?? [:]).keys.sorted() }
}

extension TransactWriteItemsInput.Operation: ConditionKeyedWrite {
    var namedItem: Item? { Item ?? Key }
    var updateExpression: String? { UpdateExpression }
    var conditionKeyReturnValues: String? { nil }
    var legacyAttributes: [String] { [] }
}

extension DynamoDBService {
    /// The key schema condition keys are worked out with: the table's, or the queried index's; nil when the table
    /// or index does not exist (the operation then fails with its own error after authorization).
    /// - Parameters:
    ///   - name: The table name.
    ///   - index: The index name, if the request names one.
    /// - Returns: The key schema.
    func conditionKeySchema(_ name: String, index: String? = nil) -> KeySchema? {
        guard let table = cachedTable(name) else { return nil }
        guard let index else { return table.key }
        return table.index(index)?.key
    }
}
