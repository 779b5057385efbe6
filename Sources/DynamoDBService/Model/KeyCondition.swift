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

    private enum Leaf {
        case compare(DocumentPath, Comparator, AttributeValue)
        case between(DocumentPath, AttributeValue, AttributeValue)
        case beginsWith(DocumentPath, AttributeValue)

        var path: DocumentPath {
            switch self {
            case .compare(let path, _, _), .between(let path, _, _), .beginsWith(let path, _): path
            }
        }
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
        var parser = ExpressionParser(text, kind: .keyCondition)
        let raw = try parser.parseCondition()
        var resolver = ExpressionResolver(names: names, values: values, kind: .keyCondition)
        var paths: [RawPath] = []
        var valueRefs: [String] = []
        raw.collect(paths: &paths, values: &valueRefs)
        try resolver.precheck(paths: paths, valueRefs: valueRefs)
        var rawLeaves: [RawCondition] = []
        try flatten(raw, into: &rawLeaves)
        let builder = ConditionBuilder(resolver: resolver)
        var leaves: [Leaf] = []
        for rawLeaf in rawLeaves { leaves.append(try leaf(rawLeaf, builder: builder)) }
        if leaves.count > 2 { throw .validation(DynamoDBMessages.keyConditionLength) }
        var seen: Set<String> = []
        for leaf in leaves {
            guard leaf.path.elements.count == 1 else { throw .validation(DynamoDBMessages.keyConditionNested) }
            guard seen.insert(leaf.path.topLevelName).inserted else { throw .validation(DynamoDBMessages.keyConditionOnePerKey) }
        }
        let partition = schema.partitionKey
        guard let partitionLeaf = leaves.first(where: { $0.path.topLevelName == partition.name }) else {
            throw .validation(DynamoDBMessages.keyConditionMissedKey(partition.name))
        }
        guard case .compare(_, .equal, let partitionValue) = partitionLeaf else {
            throw .validation(DynamoDBMessages.keyConditionNotSupported)
        }
        guard ScalarAttributeType(of: partitionValue) == partition.type else {
            throw .validation(DynamoDBMessages.keyConditionTypeMismatch)
        }
        var sortCondition: SortKeyCondition?
        if let sortLeaf = leaves.first(where: { $0.path.topLevelName != partition.name }) {
            guard let sortKey = schema.sortKey else { throw .validation(DynamoDBMessages.keyConditionNotSupported) }
            guard sortLeaf.path.topLevelName == sortKey.name else {
                throw .validation(DynamoDBMessages.keyConditionMissedKey(sortKey.name))
            }
            sortCondition = try Self.sortCondition(sortLeaf, type: sortKey.type, resolver: resolver)
        }
        return KeyCondition(
            partitionKeyName: partition.name,
            partitionKeyValue: partitionValue,
            sortKeyName: schema.sortKey?.name,
            sortCondition: sortCondition,
            usage: resolver.usage
        )
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

    private static func flatten(_ raw: RawCondition, into leaves: inout [RawCondition]) throws(DynamoDBError) {
        switch raw {
        case .and(let left, let right):
            try flatten(left, into: &leaves)
            try flatten(right, into: &leaves)
        case .or: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("OR"))
        case .not: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("NOT"))
        case .inList: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("IN"))
        case .comparison(_, .notEqual, _): throw .validation(DynamoDBMessages.invalidKeyConditionOperator("<>"))
        case .function(let name, _) where name != "begins_with":
            throw .validation(DynamoDBMessages.invalidKeyConditionOperator(name))
        default: leaves.append(raw)
        }
    }

    private static func leaf(_ raw: RawCondition, builder: ConditionBuilder) throws(DynamoDBError) -> Leaf {
        func operand(_ raw: RawOperand) throws(DynamoDBError) -> ConditionOperand {
            if case .function(let name, _) = raw { throw .validation(DynamoDBMessages.invalidKeyConditionOperator(name)) }
            return try builder.operand(raw)
        }
        let unsupported = DynamoDBError.validation(DynamoDBMessages.keyConditionNotSupported)
        switch raw {
        case .comparison(let left, let comparator, let right):
            switch (try operand(left), try operand(right)) {
            case (.path(let path), .value(let value)): return .compare(path, comparator, value)
            case (.value(let value), .path(let path)): return .compare(path, comparator.swapped, value)
            default: throw unsupported
            }
        case .between(let subject, let lower, let upper):
            guard case .path(let path) = try operand(subject), case .value(let low) = try operand(lower),
                case .value(let high) = try operand(upper)
            else { throw unsupported }
            return .between(path, low, high)
        case .function(let name, let arguments):
            guard arguments.count == 2 else {
                throw builder.resolver.failure(DynamoDBMessages.incorrectOperandCount(name, arguments.count))
            }
            guard case .path(let path) = try operand(arguments[0]), case .value(let prefix) = try operand(arguments[1]) else {
                throw unsupported
            }
            return .beginsWith(path, prefix)
        default:
            throw unsupported
        }
    }

    private static func sortCondition(
        _ leaf: Leaf,
        type: ScalarAttributeType,
        resolver: ExpressionResolver
    ) throws(DynamoDBError)
        -> SortKeyCondition
    {
        let mismatch = DynamoDBError.validation(DynamoDBMessages.keyConditionTypeMismatch)
        switch leaf {
        case .compare(_, let comparator, let value):
            guard ScalarAttributeType(of: value) == type else { throw mismatch }
            switch comparator {
            case .equal: return .equal(value)
            case .less: return .lessThan(value)
            case .lessOrEqual: return .lessThanOrEqual(value)
            case .greater: return .greaterThan(value)
            case .greaterOrEqual: return .greaterThanOrEqual(value)
            case .notEqual: throw .validation(DynamoDBMessages.invalidKeyConditionOperator("<>"))
            }
        case .between(_, let low, let high):
            guard ScalarAttributeType(of: low) == type, ScalarAttributeType(of: high) == type else { throw mismatch }
            if let order = AttributeValue.compareScalars(low, high), order > 0 {
                throw resolver.failure(DynamoDBMessages.betweenBounds(low, high))
            }
            return .between(low, high)
        case .beginsWith(_, let prefix):
            switch prefix {
            case .s, .b: break
            default: throw resolver.failure(DynamoDBMessages.incorrectOperandType("begins_with", prefix.typeDescriptor))
            }
            guard type != .n else { throw resolver.failure(DynamoDBMessages.incorrectOperandType("begins_with", "N")) }
            guard ScalarAttributeType(of: prefix) == type else { throw mismatch }
            return .beginsWith(prefix)
        }
    }
}
