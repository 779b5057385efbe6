import Foundation

/// One legacy condition: an element of `Expected` (`ExpectedAttributeValue`), `KeyConditions`, `QueryFilter` or
/// `ScanFilter` (`Condition`). `Value` and `Exists` exist only in `Expected`.
package struct LegacyCondition: Decodable, Sendable, Hashable {
    /// `Value` (Expected only).
    package var Value: AttributeValue?
    /// `Exists` (Expected only).
    package var Exists: Bool?
    /// `ComparisonOperator`.
    package var ComparisonOperator: String?
    /// `AttributeValueList`.
    package var AttributeValueList: [AttributeValue]?

    /// Creates a condition.
    /// - Parameters:
    ///   - comparisonOperator: The operator.
    ///   - values: The `AttributeValueList`.
    ///   - value: `Value` (Expected only).
    ///   - exists: `Exists` (Expected only).
    package init(_ comparisonOperator: String? = nil, _ values: [AttributeValue]? = nil, value: AttributeValue? = nil, exists: Bool? = nil) {
        self.ComparisonOperator = comparisonOperator
        self.AttributeValueList = values
        self.Value = value
        self.Exists = exists
    }
}

/// One element of the legacy `AttributeUpdates` (`AttributeValueUpdate`).
package struct LegacyAttributeUpdate: Decodable, Sendable, Hashable {
    /// `Value`.
    package var Value: AttributeValue?
    /// `Action`: `PUT` (default), `ADD` or `DELETE`.
    package var Action: String?

    /// Creates an update.
    /// - Parameters:
    ///   - action: The action (nil = PUT).
    ///   - value: The value.
    package init(_ action: String? = nil, _ value: AttributeValue? = nil) {
        self.Action = action
        self.Value = value
    }
}

/// The legacy (non-expression) parameters, translated into the expression model so that one evaluator serves both.
///
/// AWS's reference: "Legacy conditional parameters"
/// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html).
/// Each `ComparisonOperator` becomes the expression it is documented to equal (`EQ` → `a = :v`, `NOT_NULL` →
/// `attribute_exists(a)`, `NOT_CONTAINS` → `NOT contains(a, :v)`, ...); `AttributeUpdates` becomes SET/REMOVE/ADD/DELETE
/// actions with the legacy ADD rules (lists append, mismatches report "Type mismatch for attribute to update").
/// Attribute names are top-level names taken literally (no document paths), as AWS reads them.
package enum LegacyParameters {
    /// The operators in the order AWS lists them in its enum error.
    package static let comparisonOperators = [
        "IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS",
    ]

    /// Which parameter a condition map came from: its wire member name (for enum and null errors).
    package enum Source: String, Sendable {
        /// `Expected`.
        case expected
        /// `KeyConditions`.
        case keyConditions
        /// `QueryFilter`.
        case queryFilter
        /// `ScanFilter`.
        case scanFilter
    }

    // MARK: Mixing

    /// Rejects a request that mixes legacy and expression parameters, then expression attribute maps without
    /// expressions, in AWS's order and words.
    /// - Parameters:
    ///   - legacy: The legacy parameters of the operation in AWS's order, with whether each was sent.
    ///   - expressions: The expression parameters in AWS's order, with whether each was sent.
    ///   - hasNames: Whether `ExpressionAttributeNames` was sent.
    ///   - hasValues: Whether `ExpressionAttributeValues` was sent (nil when the operation has none).
    /// - Throws: "Can not use both expression and non-expression parameters in the same request: ...",
    ///   "ExpressionAttributeNames can only be specified when using expressions",
    ///   "ExpressionAttributeValues can only be specified when using expressions: X and Y are null".
    package static func checkMixing(
        legacy: [(String, Bool)],
        expressions: [(String, Bool)],
        hasNames: Bool,
        hasValues: Bool?
    ) throws(DynamoDBError) {
        let usedExpressions = expressions.filter(\.1).map(\.0)
        let usedLegacy = legacy.filter(\.1).map(\.0)
        if !usedExpressions.isEmpty && !usedLegacy.isEmpty {
            throw .validation(DynamoDBMessages.legacyParameter(usedLegacy.joined(separator: ", "), usedExpressions.joined(separator: ", ")))
        }
        if hasNames && usedExpressions.isEmpty { throw .validation(DynamoDBMessages.namesWithoutExpressions) }
        let valueExpressions = expressions.map(\.0).filter { $0 != "ProjectionExpression" }
        if hasValues == true, !valueExpressions.isEmpty, !expressions.contains(where: { $0.1 && $0.0 != "ProjectionExpression" }) {
            throw .validation(DynamoDBMessages.valuesWithoutExpressions(valueExpressions))
        }
    }

    // MARK: Conditions

    /// Translates `Expected` (with `ConditionalOperator`) into a condition.
    /// - Parameters:
    ///   - expected: The `Expected` map.
    ///   - conditionalOperator: `AND` (default) or `OR`.
    /// - Returns: The condition, or nil for an empty map.
    /// - Throws: AWS's validation errors for the map.
    package static func expected(_ expected: [String: LegacyCondition], conditionalOperator: String?) throws(DynamoDBError) -> ConditionExpression? {
        let joinWithOr = try Self.joinWithOr(conditionalOperator)
        var nodes: [ConditionNode] = []
        for name in expected.keys.sorted() {
            guard let condition = expected[name] else { continue }
            nodes.append(try expectedNode(name, condition))
        }
        return join(nodes, or: joinWithOr)
    }

    /// Translates `QueryFilter` or `ScanFilter` (with `ConditionalOperator`) into a filter condition.
    /// - Parameters:
    ///   - filter: The condition map.
    ///   - source: `.queryFilter` or `.scanFilter`.
    ///   - conditionalOperator: `AND` (default) or `OR`.
    /// - Returns: The filter, or nil for an empty map.
    /// - Throws: AWS's validation errors for the map.
    package static func filter(
        _ filter: [String: LegacyCondition],
        source: Source,
        conditionalOperator: String?
    ) throws(DynamoDBError) -> ConditionExpression? {
        let joinWithOr = try Self.joinWithOr(conditionalOperator)
        var nodes: [ConditionNode] = []
        for name in filter.keys.sorted() {
            guard let condition = filter[name] else { continue }
            let op = try comparisonOperator(condition.ComparisonOperator, attribute: name, source: source)
            let values = condition.AttributeValueList ?? []
            try checkOperands(op, values)
            nodes.append(node(op, attribute: name, values: values))
        }
        return join(nodes, or: joinWithOr)
    }

    /// Translates `KeyConditions` into a key condition for the table or index queried.
    /// - Parameters:
    ///   - conditions: The `KeyConditions` map.
    ///   - schema: The key schema of the table or index.
    /// - Returns: The key condition.
    /// - Throws: AWS's validation errors (operands, count, operators, schema).
    package static func keyConditions(_ conditions: [String: LegacyCondition], schema: KeySchema) throws(DynamoDBError) -> KeyCondition {
        var checked: [String: (op: String, values: [AttributeValue])] = [:]
        for name in conditions.keys.sorted() {
            guard let condition = conditions[name] else { continue }
            let op = try comparisonOperator(condition.ComparisonOperator, attribute: name, source: .keyConditions)
            let values = condition.AttributeValueList ?? []
            try checkOperands(op, values)
            checked[name] = (op, values)
        }
        guard (1...2).contains(checked.count) else { throw .validation(DynamoDBMessages.keyConditionLength) }
        let partition = schema.partitionKey
        guard let partitionCondition = checked[partition.name] else {
            throw .validation(DynamoDBMessages.keyConditionMissedKey(partition.name))
        }
        if checked.count == 2 {
            guard let sortKey = schema.sortKey else { throw .validation(DynamoDBMessages.keyConditionNotSupported) }
            guard checked[sortKey.name] != nil else { throw .validation(DynamoDBMessages.keyConditionMissedKey(sortKey.name)) }
        }
        guard partitionCondition.op == "EQ", let partitionValue = partitionCondition.values.first else {
            throw .validation(DynamoDBMessages.keyConditionNotSupported)
        }
        guard ScalarAttributeType(of: partitionValue) == partition.type else { throw .validation(DynamoDBMessages.keyConditionTypeMismatch) }
        try KeyCondition.checkNotEmpty(partitionValue, key: partition.name)
        var sortCondition: SortKeyCondition?
        if let sortKey = schema.sortKey, let condition = checked[sortKey.name] {
            let values = condition.values
            let first = values.first ?? .null
            switch (condition.op, values.count) {
            case ("EQ", 1): sortCondition = .equal(first)
            case ("LE", 1): sortCondition = .lessThanOrEqual(first)
            case ("LT", 1): sortCondition = .lessThan(first)
            case ("GE", 1): sortCondition = .greaterThanOrEqual(first)
            case ("GT", 1): sortCondition = .greaterThan(first)
            case ("BEGINS_WITH", 1): sortCondition = .beginsWith(first)
            case ("BETWEEN", 2): sortCondition = .between(first, values[1])
            default: throw .validation(DynamoDBMessages.keyConditionNotSupported)
            }
            for value in values where ScalarAttributeType(of: value) != sortKey.type {
                throw .validation(DynamoDBMessages.keyConditionTypeMismatch)
            }
            if case .equal(let value)? = sortCondition { try KeyCondition.checkNotEmpty(value, key: sortKey.name) }
        }
        return KeyCondition(
            partitionKeyName: partition.name,
            partitionKeyValue: partitionValue,
            sortKeyName: schema.sortKey?.name,
            sortCondition: sortCondition,
            usage: ExpressionUsage()
        )
    }

    /// `ConditionalOperator`: whether the conditions are joined with OR.
    private static func joinWithOr(_ value: String?) throws(DynamoDBError) -> Bool {
        guard let value else { return false }
        guard value == "AND" || value == "OR" else {
            throw .validation(DynamoDBMessages.enumValue(value, member: "conditionalOperator", allowed: ["OR", "AND"]))
        }
        return value == "OR"
    }

    private static func join(_ nodes: [ConditionNode], or: Bool) -> ConditionExpression? {
        guard var root = nodes.first else { return nil }
        for node in nodes.dropFirst() { root = or ? .or(root, node) : .and(root, node) }
        return ConditionExpression(root: root, usage: ExpressionUsage())
    }

    /// Validates a `ComparisonOperator` member.
    private static func comparisonOperator(_ value: String?, attribute: String, source: Source) throws(DynamoDBError) -> String {
        let member = "\(source.rawValue).\(attribute).member.comparisonOperator"
        guard let value else { throw .validation(DynamoDBMessages.memberNull(member)) }
        guard comparisonOperators.contains(value) else {
            throw .validation(DynamoDBMessages.enumValue(value, member: member, allowed: comparisonOperators))
        }
        return value
    }

    /// One `Expected` element, checked in AWS's order.
    private static func expectedNode(_ name: String, _ condition: LegacyCondition) throws(DynamoDBError) -> ConditionNode {
        if condition.AttributeValueList != nil && condition.Value != nil {
            throw .validation(DynamoDBMessages.legacyValueAndList(name))
        }
        if let rawOperator = condition.ComparisonOperator {
            if condition.Exists != nil { throw .validation(DynamoDBMessages.legacyExistsAndOperator(name)) }
            let op = try comparisonOperator(rawOperator, attribute: name, source: .expected)
            if op != "NULL" && op != "NOT_NULL" && condition.AttributeValueList == nil && condition.Value == nil {
                throw .validation(DynamoDBMessages.legacyOperatorNeedsValue(op, name))
            }
            let values = condition.AttributeValueList ?? condition.Value.map { [$0] } ?? []
            try checkOperands(op, values)
            return node(op, attribute: name, values: values)
        }
        if condition.AttributeValueList != nil { throw .validation(DynamoDBMessages.legacyListNeedsOperator(name)) }
        let exists = condition.Exists ?? true
        if exists {
            guard let value = condition.Value else {
                throw .validation(DynamoDBMessages.legacyValueNeeded(exists: condition.Exists.map { $0 ? "true" : "false" } ?? "null", name))
            }
            return node("EQ", attribute: name, values: [value])
        }
        if condition.Value != nil { throw .validation(DynamoDBMessages.legacyValueWithExistsFalse(name)) }
        return node("NULL", attribute: name, values: [])
    }

    /// Argument count, argument types, same types and BETWEEN order, in AWS's order.
    /// - Parameters:
    ///   - op: A valid operator.
    ///   - values: The `AttributeValueList`.
    /// - Throws: AWS's texts for each rule.
    package static func checkOperands(_ op: String, _ values: [AttributeValue]) throws(DynamoDBError) {
        let countValid: Bool
        switch op {
        case "NULL", "NOT_NULL": countValid = values.isEmpty
        case "IN": countValid = !values.isEmpty
        case "BETWEEN": countValid = values.count == 2
        default: countValid = values.count == 1
        }
        guard countValid else { throw .validation(DynamoDBMessages.legacyArgumentCount(op)) }
        let allowed: Set<String>?
        switch op {
        case "LE", "LT", "GE", "GT", "IN", "BETWEEN": allowed = ["S", "N", "B"]
        case "CONTAINS", "NOT_CONTAINS": allowed = ["S", "N", "B", "BOOL", "NULL"]
        case "BEGINS_WITH": allowed = ["S", "B"]
        default: allowed = nil
        }
        if let allowed {
            for value in values where !allowed.contains(value.typeDescriptor) {
                throw .validation(DynamoDBMessages.legacyOperatorType(op, value.typeDescriptor))
            }
        }
        if let first = values.first, values.contains(where: { $0.typeDescriptor != first.typeDescriptor }) {
            throw .validation(DynamoDBMessages.legacyListSameType)
        }
        if op == "BETWEEN", let order = AttributeValue.compareScalars(values[0], values[1]), order > 0 {
            throw .validation(DynamoDBMessages.legacyBetweenBounds)
        }
    }

    /// The condition a valid operator and its operands stand for.
    private static func node(_ op: String, attribute: String, values: [AttributeValue]) -> ConditionNode {
        let path = DocumentPath(attribute: attribute)
        let subject = ConditionOperand.path(path)
        let first = ConditionOperand.value(values.first ?? .null)
        switch op {
        case "EQ": return .comparison(subject, .equal, first)
        case "NE": return .comparison(subject, .notEqual, first)
        case "LE": return .comparison(subject, .lessOrEqual, first)
        case "LT": return .comparison(subject, .less, first)
        case "GE": return .comparison(subject, .greaterOrEqual, first)
        case "GT": return .comparison(subject, .greater, first)
        case "NOT_NULL": return .attributeExists(path)
        case "NULL": return .attributeNotExists(path)
        case "CONTAINS": return .contains(subject, first)
        case "NOT_CONTAINS": return .not(.contains(subject, first))
        case "BEGINS_WITH": return .beginsWith(subject, first)
        case "IN": return .inList(subject, values.map { .value($0) })
        default: return .between(subject, first, .value(values.count > 1 ? values[1] : .null))
        }
    }

    // MARK: Updates and projections

    /// Translates `AttributeUpdates` into an update with the legacy ADD/DELETE rules.
    /// - Parameter updates: The `AttributeUpdates` map.
    /// - Returns: The update (no actions for an empty map).
    /// - Throws: AWS's validation errors (action enum, missing value, ADD/DELETE operand types).
    package static func attributeUpdates(_ updates: [String: LegacyAttributeUpdate]) throws(DynamoDBError) -> UpdateExpression {
        var actions: [UpdateAction] = []
        for name in updates.keys.sorted() {
            guard let update = updates[name] else { continue }
            let action = update.Action ?? "PUT"
            guard ["ADD", "PUT", "DELETE"].contains(action) else {
                throw .validation(
                    DynamoDBMessages.enumValue(action, member: "attributeUpdates.\(name).member.action", allowed: ["ADD", "PUT", "DELETE"])
                )
            }
            let path = DocumentPath(attribute: name)
            guard let value = update.Value else {
                guard action == "DELETE" else { throw .validation(DynamoDBMessages.legacyOnlyDeleteWithoutValue) }
                actions.append(.remove(path))
                continue
            }
            switch action {
            case "PUT":
                actions.append(.set(path, .value(value)))
            case "ADD":
                switch value {
                case .n, .ss, .ns, .bs, .l: actions.append(.add(path, value))
                default: throw .validation(DynamoDBMessages.legacyAddType(value.typeDescriptor))
                }
            default:
                guard value.isSet else { throw .validation(DynamoDBMessages.legacyDeleteType(value.typeDescriptor)) }
                actions.append(.delete(path, value))
            }
        }
        return UpdateExpression(actions: actions, usage: ExpressionUsage(), legacySemantics: true)
    }

    /// Validates `AttributesToGet` and turns it into a projection of top-level attributes.
    /// - Parameter names: The attribute names.
    /// - Returns: The projection.
    /// - Throws: The length constraint for an empty list, "Duplicate value in attribute name: a".
    package static func attributesToGet(_ names: [String]) throws(DynamoDBError) -> ProjectionExpression {
        if names.isEmpty { throw .validation(DynamoDBMessages.attributesToGetEmpty) }
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw .validation(DynamoDBMessages.attributesToGetDuplicate(name))
        }
        return ProjectionExpression(paths: names.map { DocumentPath(attribute: $0) }, usage: ExpressionUsage())
    }
}
