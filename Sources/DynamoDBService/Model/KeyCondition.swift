import Foundation

/// The primary key schema of a table or index, as needed to check key conditions.
package struct KeySchema: Sendable, Hashable {
    /// One key attribute.
    package struct Element: Sendable, Hashable {
        /// Attribute name.
        package let name: String
        /// Attribute type.
        package let type: ScalarAttributeType

        /// Creates a key element.
        /// - Parameters:
        ///   - name: Attribute name.
        ///   - type: Attribute type.
        package init(name: String, type: ScalarAttributeType) {
            self.name = name
            self.type = type
        }
    }

    /// The partition (HASH) key.
    package let partitionKey: Element
    /// The sort (RANGE) key, if any.
    package let sortKey: Element?

    /// Creates a key schema.
    /// - Parameters:
    ///   - partitionKey: The partition key.
    ///   - sortKey: The sort key, if any.
    package init(partitionKey: Element, sortKey: Element? = nil) {
        self.partitionKey = partitionKey
        self.sortKey = sortKey
    }
}

/// A bound of a sort-key range in `KeyEncoding.sortable` bytes.
package struct SortKeyBound: Sendable, Hashable {
    /// Encoded key bytes.
    package let bytes: Data
    /// Whether the bound itself is included.
    package let inclusive: Bool
}

/// A contiguous range of encoded sort keys; nil bounds are open.
package struct SortKeyRange: Sendable, Hashable {
    /// Lower bound (nil = from the start).
    package let lower: SortKeyBound?
    /// Upper bound (nil = to the end).
    package let upper: SortKeyBound?
}

/// The sort-key part of a KeyConditionExpression.
package enum SortKeyCondition: Sendable, Hashable {
    /// `sk = v`.
    case equal(AttributeValue)
    /// `sk < v`.
    case lessThan(AttributeValue)
    /// `sk <= v`.
    case lessThanOrEqual(AttributeValue)
    /// `sk > v`.
    case greaterThan(AttributeValue)
    /// `sk >= v`.
    case greaterThanOrEqual(AttributeValue)
    /// `sk BETWEEN low AND high`.
    case between(AttributeValue, AttributeValue)
    /// `begins_with(sk, prefix)`.
    case beginsWith(AttributeValue)

    /// Whether a sort-key value satisfies the condition.
    /// - Parameter value: The item's sort-key value.
    /// - Returns: Whether it matches.
    package func matches(_ value: AttributeValue) -> Bool {
        func order(_ other: AttributeValue) -> Int? { AttributeValue.compareScalars(value, other) }
        switch self {
        case .equal(let operand): return order(operand) == 0
        case .lessThan(let operand): return order(operand).map { $0 < 0 } ?? false
        case .lessThanOrEqual(let operand): return order(operand).map { $0 <= 0 } ?? false
        case .greaterThan(let operand): return order(operand).map { $0 > 0 } ?? false
        case .greaterThanOrEqual(let operand): return order(operand).map { $0 >= 0 } ?? false
        case .between(let low, let high):
            guard let lowOrder = order(low), let highOrder = order(high) else { return false }
            return lowOrder >= 0 && highOrder <= 0
        case .beginsWith(let prefix):
            switch (value, prefix) {
            case (.s(let text), .s(let start)): return text.utf8.starts(with: start.utf8)
            case (.b(let data), .b(let start)): return data.starts(with: start)
            default: return false
            }
        }
    }

    /// The condition as a range over `KeyEncoding.sortable` bytes, for an indexed range scan.
    package var encodedRange: SortKeyRange {
        func bound(_ value: AttributeValue, _ inclusive: Bool) -> SortKeyBound {
            SortKeyBound(bytes: KeyEncoding.sortable(value) ?? Data(), inclusive: inclusive)
        }
        switch self {
        case .equal(let value): return SortKeyRange(lower: bound(value, true), upper: bound(value, true))
        case .lessThan(let value): return SortKeyRange(lower: nil, upper: bound(value, false))
        case .lessThanOrEqual(let value): return SortKeyRange(lower: nil, upper: bound(value, true))
        case .greaterThan(let value): return SortKeyRange(lower: bound(value, false), upper: nil)
        case .greaterThanOrEqual(let value): return SortKeyRange(lower: bound(value, true), upper: nil)
        case .between(let low, let high): return SortKeyRange(lower: bound(low, true), upper: bound(high, true))
        case .beginsWith(let prefix):
            let bytes = KeyEncoding.sortable(prefix) ?? Data()
            let upper = KeyEncoding.prefixUpperBound(bytes).map { SortKeyBound(bytes: $0, inclusive: false) }
            return SortKeyRange(lower: SortKeyBound(bytes: bytes, inclusive: true), upper: upper)
        }
    }
}

/// A parsed and schema-checked KeyConditionExpression.
package struct KeyCondition: Sendable, Hashable {
    /// The partition key attribute name.
    package let partitionKeyName: String
    /// The partition key value to query.
    package let partitionKeyValue: AttributeValue
    /// The sort key attribute name, when the schema has one.
    package let sortKeyName: String?
    /// The sort-key condition, if given.
    package let sortCondition: SortKeyCondition?
    /// Placeholders this expression referenced.
    package let usage: ExpressionUsage

    /// One key condition after the structural checks: the key attribute, the operator and the literal operands.
    private struct Leaf {
        enum Operation {
            case compare(Comparator)
            case between
            case beginsWith
        }

        let attribute: String
        let operation: Operation
        let values: [AttributeValue]
    }

    /// Parses a KeyConditionExpression and checks it against the key schema of the table or index queried.
    /// - Parameters:
    ///   - text: The expression.
    ///   - names: `ExpressionAttributeNames`.
    ///   - values: `ExpressionAttributeValues`.
    ///   - schema: The key schema of the table or index.
    /// - Returns: The key condition.
    /// - Throws: `ValidationException` with AWS's text (syntax, operators, schema mismatches).
    package static func parse(
        _ text: String,
        names: [String: String] = [:],
        values: [String: AttributeValue] = [:],
        schema: KeySchema
    ) throws(DynamoDBError) -> KeyCondition {
        try KeyCondition(ConditionExpression.parse(text, names: names, values: values, kind: .keyCondition), schema: schema)
    }

    private static func checkTypes(_ leaf: Leaf, _ type: ScalarAttributeType) throws(DynamoDBError) {
        for value in leaf.values where ScalarAttributeType(of: value) != type {
            throw .validation(DynamoDBMessages.keyConditionTypeMismatch)
        }
    }

    private static func sortCondition(_ leaf: Leaf) -> SortKeyCondition? {
        switch (leaf.operation, leaf.values.count) {
        case (.compare(.equal), 1): .equal(leaf.values[0])
        case (.compare(.less), 1): .lessThan(leaf.values[0])
        case (.compare(.lessOrEqual), 1): .lessThanOrEqual(leaf.values[0])
        case (.compare(.greater), 1): .greaterThan(leaf.values[0])
        case (.compare(.greaterOrEqual), 1): .greaterThanOrEqual(leaf.values[0])
        case (.between, 2): .between(leaf.values[0], leaf.values[1])
        case (.beginsWith, 1): .beginsWith(leaf.values[0])
        default: nil
        }
    }

    /// Walks the resolved condition the way DynamoDB checks key conditions, collecting one leaf per key attribute.
    private static func collect(_ node: ConditionNode, into leaves: inout [Leaf]) throws(DynamoDBError) {
        let operation: Leaf.Operation
        let operands: [ConditionOperand]
        switch node {
        case .and(let left, let right):
            try collect(left, into: &leaves)
            try collect(right, into: &leaves)
            return
        case .or: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("OR"))
        case .not: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("NOT"))
        case .inList: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("IN"))
        case .comparison(_, .notEqual, _): throw .validation(DynamoDBMessages.invalidKeyConditionOperator("<>"))
        case .attributeExists: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("attribute_exists"))
        case .attributeNotExists: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("attribute_not_exists"))
        case .attributeType: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("attribute_type"))
        case .contains: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("contains"))
        case .comparison(let left, let comparator, let right):
            operation = .compare(comparator)
            operands = [left, right]
        case .between(let subject, let lower, let upper):
            guard case .path = subject else { throw .validation(DynamoDBMessages.keyConditionKeyFirst("BETWEEN")) }
            operation = .between
            operands = [subject, lower, upper]
        case .beginsWith(let subject, let prefix):
            guard case .path = subject else { throw .validation(DynamoDBMessages.keyConditionKeyFirst("begins_with")) }
            operation = .beginsWith
            operands = [subject, prefix]
        }
        var attribute: DocumentPath?
        var attributeIndex = 0
        var values: [AttributeValue] = []
        for (index, operand) in operands.enumerated() {
            switch operand {
            case .path(let path):
                if attribute != nil { throw .validation(DynamoDBMessages.keyConditionMultipleNames) }
                if path.elements.count > 1 { throw .validation(DynamoDBMessages.keyConditionNested) }
                attribute = path
                attributeIndex = index
            case .size:
                throw .validation(DynamoDBMessages.keyConditionNestedOperations)
            case .value(let value):
                values.append(value)
            }
        }
        guard let attribute else { throw .validation(DynamoDBMessages.keyConditionNoKey) }
        if leaves.contains(where: { $0.attribute == attribute.topLevelName }) {
            throw .validation(DynamoDBMessages.keyConditionOnePerKey)
        }
        var finalOperation = operation
        if attributeIndex != 0, case .compare(let comparator) = operation { finalOperation = .compare(comparator.swapped) }
        leaves.append(Leaf(attribute: attribute.topLevelName, operation: finalOperation, values: values))
    }

    /// Whether an item's key attributes satisfy the condition.
    /// - Parameter item: The item.
    /// - Returns: Whether it matches.
    package func matches(_ item: Item) -> Bool {
        guard item[partitionKeyName] == partitionKeyValue else { return false }
        guard let sortCondition else { return true }
        guard let sortKeyName, let value = item[sortKeyName] else { return false }
        return sortCondition.matches(value)
    }
}

extension KeyCondition {
    /// Checks an already parsed KeyConditionExpression against the key schema of the table or index queried.
    ///
    /// Query parses the expression first and checks it against the key schema only after every expression of the
    /// request was parsed and their placeholders found used, which is the order AWS reports errors in.
    /// - Parameters:
    ///   - expression: The expression, parsed with kind `.keyCondition`.
    ///   - schema: The key schema of the table or index.
    /// - Throws: `ValidationException` with AWS's text (operators, schema mismatches).
    package init(_ expression: ConditionExpression, schema: KeySchema) throws(DynamoDBError) {
        let root = expression.root
        var leaves: [Leaf] = []
        try Self.collect(root, into: &leaves)
        if leaves.count > 2 { throw .validation(DynamoDBMessages.keyConditionLength) }
        let partition = schema.partitionKey
        if schema.sortKey == nil && leaves.count > 1 { throw .validation(DynamoDBMessages.keyConditionNotSupported) }
        guard let partitionLeaf = leaves.first(where: { $0.attribute == partition.name }) else {
            throw .validation(DynamoDBMessages.keyConditionMissedKey(partition.name))
        }
        try Self.checkTypes(partitionLeaf, partition.type)
        guard case .compare(.equal) = partitionLeaf.operation, let partitionValue = partitionLeaf.values.first else {
            throw .validation(DynamoDBMessages.keyConditionNotSupported)
        }
        try Self.checkNotEmpty(partitionValue, key: partition.name)
        var sortCondition: SortKeyCondition?
        if let sortKey = schema.sortKey {
            if let sortLeaf = leaves.first(where: { $0.attribute == sortKey.name }) {
                try Self.checkTypes(sortLeaf, sortKey.type)
                sortCondition = Self.sortCondition(sortLeaf)
                if case .equal(let value)? = sortCondition { try Self.checkNotEmpty(value, key: sortKey.name) }
            } else if leaves.count > 1 {
                throw .validation(DynamoDBMessages.keyConditionMissedKey(sortKey.name))
            }
        }
        self.init(
            partitionKeyName: partition.name,
            partitionKeyValue: partitionValue,
            sortKeyName: schema.sortKey?.name,
            sortCondition: sortCondition,
            usage: expression.usage
        )
    }

    /// A key value a Query names exactly (the partition key, a sort key `=`) may not be an empty string or binary.
    /// - Parameters:
    ///   - value: The value.
    ///   - key: The key attribute.
    /// - Throws: "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an
    ///   empty string value. Key: k".
    static func checkNotEmpty(_ value: AttributeValue, key: String) throws(DynamoDBError) {
        switch value {
        case .s(let text) where text.isEmpty: throw .validation(DynamoDBMessages.emptyKeyAttribute(key, binary: false))
        case .b(let data) where data.isEmpty: throw .validation(DynamoDBMessages.emptyKeyAttribute(key, binary: true))
        default: break
        }
    }
}
