import Foundation

/// An operand of a condition: a document path, a literal value, or `size(path)`.
package enum ConditionOperand: Sendable, Hashable {
    /// A document path in the item.
    case path(DocumentPath)
    /// A value from `ExpressionAttributeValues`.
    case value(AttributeValue)
    /// `size(path)`.
    case size(DocumentPath)

    /// Evaluates the operand.
    /// - Parameter item: The item (nil when it does not exist).
    /// - Returns: The value, or nil when undefined (missing path, `size` of a scalar without size).
    package func evaluate(on item: Item?) -> AttributeValue? {
        switch self {
        case .path(let path): path.value(in: item)
        case .value(let value): value
        case .size(let path): path.value(in: item).flatMap(Self.sizeOf)
        }
    }

    /// The `size()` of a value: UTF-8 length of S, byte count of B, element count of sets, lists and maps.
    /// - Parameter value: The value.
    /// - Returns: The size as a number, or nil for N, BOOL and NULL.
    package static func sizeOf(_ value: AttributeValue) -> AttributeValue? {
        switch value {
        case .s(let text): .n(DynamoNumber(text.utf8.count))
        case .b(let data): .n(DynamoNumber(data.count))
        case .ss(let set): .n(DynamoNumber(set.count))
        case .ns(let set): .n(DynamoNumber(set.count))
        case .bs(let set): .n(DynamoNumber(set.count))
        case .l(let list): .n(DynamoNumber(list.count))
        case .m(let map): .n(DynamoNumber(map.count))
        case .n, .bool, .null: nil
        }
    }
}

/// A resolved condition tree.
package indirect enum ConditionNode: Sendable, Hashable {
    /// `a <op> b`.
    case comparison(ConditionOperand, Comparator, ConditionOperand)
    /// `a BETWEEN lower AND upper`.
    case between(ConditionOperand, ConditionOperand, ConditionOperand)
    /// `a IN (b, c, ...)`.
    case inList(ConditionOperand, [ConditionOperand])
    /// Conjunction.
    case and(ConditionNode, ConditionNode)
    /// Disjunction.
    case or(ConditionNode, ConditionNode)
    /// Negation.
    case not(ConditionNode)
    /// `attribute_exists(path)`.
    case attributeExists(DocumentPath)
    /// `attribute_not_exists(path)`.
    case attributeNotExists(DocumentPath)
    /// `attribute_type(path, type)`.
    case attributeType(DocumentPath, ConditionOperand)
    /// `begins_with(a, prefix)`.
    case beginsWith(ConditionOperand, ConditionOperand)
    /// `contains(a, operand)`.
    case contains(ConditionOperand, ConditionOperand)

    /// Evaluates the condition; type mismatches and missing attributes make comparisons false, as in AWS.
    /// - Parameter item: The item (nil when it does not exist).
    /// - Returns: Whether the condition holds.
    package func evaluate(on item: Item?) -> Bool {
        switch self {
        case .comparison(let left, let comparator, let right):
            return Self.compare(left.evaluate(on: item), comparator, right.evaluate(on: item))
        case .between(let subject, let lower, let upper):
            guard let value = subject.evaluate(on: item), let low = lower.evaluate(on: item), let high = upper.evaluate(on: item),
                let lowOrder = AttributeValue.compareScalars(low, value), let highOrder = AttributeValue.compareScalars(value, high)
            else { return false }
            return lowOrder <= 0 && highOrder <= 0
        case .inList(let subject, let list):
            guard let value = subject.evaluate(on: item) else { return false }
            return list.contains { $0.evaluate(on: item) == value }
        case .and(let left, let right):
            return left.evaluate(on: item) && right.evaluate(on: item)
        case .or(let left, let right):
            return left.evaluate(on: item) || right.evaluate(on: item)
        case .not(let inner):
            return !inner.evaluate(on: item)
        case .attributeExists(let path):
            return path.value(in: item) != nil
        case .attributeNotExists(let path):
            return path.value(in: item) == nil
        case .attributeType(let path, let type):
            guard let value = path.value(in: item), case .s(let name) = type.evaluate(on: item) else { return false }
            return value.typeDescriptor == name
        case .beginsWith(let subject, let prefix):
            switch (subject.evaluate(on: item), prefix.evaluate(on: item)) {
            case (.s(let text)?, .s(let start)?): return text.utf8.starts(with: start.utf8)
            case (.b(let data)?, .b(let start)?): return data.starts(with: start)
            default: return false
            }
        case .contains(let subject, let operand):
            guard let container = subject.evaluate(on: item), let element = operand.evaluate(on: item) else { return false }
            return Self.contains(container, element)
        }
    }

    private static func compare(_ left: AttributeValue?, _ comparator: Comparator, _ right: AttributeValue?) -> Bool {
        switch comparator {
        case .equal:
            guard let left, let right else { return false }
            return left == right
        case .notEqual:
            guard let left, let right else { return true }
            return left != right
        default:
            guard let left, let right, let order = AttributeValue.compareScalars(left, right) else { return false }
            switch comparator {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    private static func contains(_ container: AttributeValue, _ element: AttributeValue) -> Bool {
        switch (container, element) {
        case (.s(let text), .s(let part)): part.isEmpty || text.contains(part)
        case (.b(let data), .b(let part)): part.isEmpty || data.range(of: part) != nil
        case (.ss(let set), .s(let member)): set.contains(member)
        case (.ns(let set), .n(let member)): set.contains(member)
        case (.bs(let set), .b(let member)): set.contains(member)
        case (.l(let list), _): list.contains(element)
        default: false
        }
    }
}

/// A parsed ConditionExpression or FilterExpression.
package struct ConditionExpression: Sendable, Hashable {
    /// Maximum number of operands in an IN list.
    package static let maximumInOperands = 100

    /// The resolved condition tree.
    package let root: ConditionNode
    /// Placeholders this expression referenced.
    package let usage: ExpressionUsage

    /// Parses and validates a condition or filter expression.
    /// - Parameters:
    ///   - text: The expression.
    ///   - names: `ExpressionAttributeNames`.
    ///   - values: `ExpressionAttributeValues`.
    ///   - kind: `.condition` (default) or `.filter`; selects the message prefix.
    /// - Returns: The parsed expression.
    /// - Throws: `ValidationException` with AWS's text for syntax, reserved word, placeholder and operand errors.
    package static func parse(
        _ text: String,
        names: [String: String] = [:],
        values: [String: AttributeValue] = [:],
        kind: ExpressionKind = .condition
    ) throws(DynamoDBError) -> ConditionExpression {
        var parser = ExpressionParser(text, kind: kind)
        let raw = try parser.parseCondition()
        var resolver = ExpressionResolver(names: names, values: values, kind: kind)
        var paths: [RawPath] = []
        var valueRefs: [String] = []
        raw.collect(paths: &paths, values: &valueRefs)
        try resolver.precheck(paths: paths, valueRefs: valueRefs)
        let root = try ConditionBuilder(resolver: resolver).condition(raw)
        return ConditionExpression(root: root, usage: resolver.usage)
    }

    /// Evaluates the condition against an item.
    /// - Parameter item: The current item, or nil when it does not exist.
    /// - Returns: Whether the condition holds.
    package func evaluate(on item: Item?) -> Bool {
        root.evaluate(on: item)
    }
}

/// Turns raw condition syntax into a resolved `ConditionNode`, applying AWS's semantic checks.
struct ConditionBuilder {
    /// Substitutes placeholders.
    let resolver: ExpressionResolver

    private static let booleanFunctions: Set<String> = ["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"]
    private static let updateFunctions: Set<String> = ["if_not_exists", "list_append"]
    private static let attributeTypeNames: Set<String> = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"]

    /// Converts a raw condition.
    /// - Parameter raw: The raw condition.
    /// - Returns: The resolved node.
    /// - Throws: Semantic errors.
    func condition(_ raw: RawCondition) throws(DynamoDBError) -> ConditionNode {
        switch raw {
        case .comparison(let left, let comparator, let right):
            return .comparison(try operand(left), comparator, try operand(right))
        case .between(let subject, let lower, let upper):
            let resolvedLower = try operand(lower)
            let resolvedUpper = try operand(upper)
            if case .value(let low) = resolvedLower, case .value(let high) = resolvedUpper,
                let order = AttributeValue.compareScalars(low, high), order > 0
            {
                throw resolver.failure(DynamoDBMessages.betweenBounds(low, high))
            }
            return .between(try operand(subject), resolvedLower, resolvedUpper)
        case .inList(let subject, let list):
            if list.count > ConditionExpression.maximumInOperands {
                throw resolver.failure(DynamoDBMessages.tooManyInOperands(list.count))
            }
            var resolved: [ConditionOperand] = []
            for element in list { resolved.append(try operand(element)) }
            return .inList(try operand(subject), resolved)
        case .and(let left, let right):
            return .and(try condition(left), try condition(right))
        case .or(let left, let right):
            return .or(try condition(left), try condition(right))
        case .not(let inner):
            return .not(try condition(inner))
        case .function(let name, let arguments):
            return try function(name, arguments)
        }
    }

    private func function(_ name: String, _ arguments: [RawOperand]) throws(DynamoDBError) -> ConditionNode {
        guard Self.booleanFunctions.contains(name) else {
            if Self.updateFunctions.contains(name) {
                throw resolver.failure(DynamoDBMessages.functionNotAllowed(name, in: "a condition expression"))
            }
            throw resolver.failure(DynamoDBMessages.functionNotAllowedThisWay(name))
        }
        let expectedCount = (name == "attribute_exists" || name == "attribute_not_exists") ? 1 : 2
        guard arguments.count == expectedCount else {
            throw resolver.failure(DynamoDBMessages.incorrectOperandCount(name, arguments.count))
        }
        switch name {
        case "attribute_exists":
            return .attributeExists(try requirePath(arguments[0], function: name))
        case "attribute_not_exists":
            return .attributeNotExists(try requirePath(arguments[0], function: name))
        case "attribute_type":
            let path = try requirePath(arguments[0], function: name)
            let type = try operand(arguments[1])
            if case .value(let value) = type {
                guard case .s(let typeName) = value else {
                    throw resolver.failure(DynamoDBMessages.incorrectOperandType(name, value.typeDescriptor))
                }
                guard Self.attributeTypeNames.contains(typeName) else {
                    throw resolver.failure(DynamoDBMessages.invalidAttributeTypeName(typeName))
                }
            }
            return .attributeType(path, type)
        case "begins_with":
            let subject = try operand(arguments[0])
            let prefix = try operand(arguments[1])
            for case .value(let value) in [subject, prefix] {
                switch value {
                case .s, .b: continue
                default: throw resolver.failure(DynamoDBMessages.incorrectOperandType(name, value.typeDescriptor))
                }
            }
            return .beginsWith(subject, prefix)
        default:
            return .contains(try operand(arguments[0]), try operand(arguments[1]))
        }
    }

    private func requirePath(_ raw: RawOperand, function: String) throws(DynamoDBError) -> DocumentPath {
        guard case .path(let path) = raw else { throw resolver.failure(DynamoDBMessages.requiresDocumentPath(function)) }
        return try resolver.path(path)
    }

    /// Converts a raw operand (path, value or `size(path)`).
    /// - Parameter raw: The raw operand.
    /// - Returns: The resolved operand.
    /// - Throws: Semantic errors for misplaced functions.
    func operand(_ raw: RawOperand) throws(DynamoDBError) -> ConditionOperand {
        switch raw {
        case .path(let path):
            return .path(try resolver.path(path))
        case .value(let reference):
            return .value(try resolver.value(reference))
        case .function(let name, let arguments):
            if Self.updateFunctions.contains(name) {
                throw resolver.failure(DynamoDBMessages.functionNotAllowed(name, in: "a condition expression"))
            }
            guard name == "size" else { throw resolver.failure(DynamoDBMessages.functionNotAllowedThisWay(name)) }
            guard arguments.count == 1 else { throw resolver.failure(DynamoDBMessages.incorrectOperandCount(name, arguments.count)) }
            return .size(try requirePath(arguments[0], function: name))
        case .arithmetic:
            throw resolver.failure(DynamoDBMessages.syntaxError(token: "+", near: ""))
        }
    }
}
