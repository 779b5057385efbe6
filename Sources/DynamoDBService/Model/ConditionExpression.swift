import Foundation

/// An operand of a condition: a document path, a literal value, or `size(operand)`.
package indirect enum ConditionOperand: Sendable, Hashable {
    /// A document path in the item.
    case path(DocumentPath)
    /// A value from `ExpressionAttributeValues`.
    case value(AttributeValue)
    /// `size(operand)`.
    case size(ConditionOperand)

    /// Evaluates the operand.
    /// - Parameter item: The item (nil when it does not exist).
    /// - Returns: The value, or nil when undefined (missing path, `size` of a scalar without size).
    package func evaluate(on item: Item?) -> AttributeValue? {
        switch self {
        case .path(let path): path.value(in: item)
        case .value(let value): value
        case .size(let operand): operand.evaluate(on: item).flatMap(Self.sizeOf)
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
    /// `attribute_type(operand, type)`.
    case attributeType(ConditionOperand, ConditionOperand)
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
        case .attributeType(let subject, let type):
            guard let value = subject.evaluate(on: item), case .s(let name) = type.evaluate(on: item) else { return false }
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

    private static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    private static func contains(_ container: AttributeValue, _ element: AttributeValue) -> Bool {
        switch (container, element) {
        case (.s(let text), .s(let part)): containsBytes(Array(text.utf8), Array(part.utf8))
        case (.b(let data), .b(let part)): containsBytes(Array(data), Array(part))
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
        var validator = ConditionValidator(resolver: ExpressionResolver(names: names, values: values, kind: kind))
        let root = try validator.validate(raw, parser: parser)
        return ConditionExpression(root: root, usage: validator.resolver.usage)
    }

    /// Evaluates the condition against an item.
    /// - Parameter item: The current item, or nil when it does not exist.
    /// - Returns: Whether the condition holds.
    package func evaluate(on item: Item?) -> Bool {
        root.evaluate(on: item)
    }
}

/// Validates raw condition syntax in DynamoDB's error order and turns it into a resolved `ConditionNode`.
///
/// Order (after syntax): redundant parentheses, unknown function, misused function, reserved word, then
/// per condition in source order: undefined name/value, operand count, identical operands, operand types.
struct ConditionValidator {
    /// Substitutes placeholders and records their usage.
    var resolver: ExpressionResolver

    private static let attributeTypeNames: Set<String> = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"]
    private static let operandCounts: [String: Int] = [
        "attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2, "size": 1,
    ]

    /// Validates and resolves a parsed condition.
    /// - Parameters:
    ///   - raw: The raw condition.
    ///   - parser: The parser that produced it (for the problems it recorded).
    /// - Returns: The resolved condition.
    /// - Throws: The first error DynamoDB would report.
    mutating func validate(_ raw: RawCondition, parser: ExpressionParser) throws(DynamoDBError) -> ConditionNode {
        if parser.redundantParentheses { throw resolver.failure(DynamoDBMessages.redundantParentheses) }
        if let name = parser.firstUnknownFunction { throw resolver.failure(DynamoDBMessages.invalidFunctionName(name)) }
        if let name = Self.misusedFunction(in: raw) { throw resolver.failure(DynamoDBMessages.functionNotAllowedThisWay(name)) }
        var paths: [RawPath] = []
        var valueRefs: [String] = []
        raw.collect(paths: &paths, values: &valueRefs)
        if let detail = resolver.reservedWordError(in: paths) { throw resolver.failure(detail) }
        for leaf in raw.leaves {
            if let detail = leafError(leaf) { throw resolver.failure(detail) }
        }
        return try condition(raw)
    }

    // MARK: Misused functions

    /// The first function used where its result type is not allowed: a non-`size` function as an operand, or `size` as a condition.
    static func misusedFunction(in raw: RawCondition) -> String? {
        switch raw {
        case .and(let left, let right), .or(let left, let right):
            return misusedFunction(in: left) ?? misusedFunction(in: right)
        case .not(let inner):
            return misusedFunction(in: inner)
        case .function(let name, let arguments):
            return misusedOperand(in: arguments) ?? (name == "size" ? name : nil)
        case .comparison(let left, _, let right):
            return misusedOperand(in: [left, right])
        case .between(let subject, let lower, let upper):
            return misusedOperand(in: [subject, lower, upper])
        case .inList(let subject, let list):
            return misusedOperand(in: [subject] + list)
        }
    }

    private static func misusedOperand(in operands: [RawOperand]) -> String? {
        for case .function(_, let arguments) in operands {
            if let nested = misusedOperand(in: arguments) { return nested }
        }
        for case .function(let name, _) in operands where name != "size" {
            return name
        }
        return nil
    }

    // MARK: Per-condition checks

    private mutating func leafError(_ leaf: RawCondition) -> String? {
        let operands = leaf.operands
        if let detail = resolver.undefinedReferenceError(in: operands) { return detail }
        var functions: [(name: String, arguments: [RawOperand])] = []
        for operand in operands { Self.collectFunctions(operand, into: &functions) }
        if case .function(let name, let arguments) = leaf { functions.append((name, arguments)) }
        for function in functions {
            let expected = Self.operandCounts[function.name] ?? function.arguments.count
            if function.arguments.count != expected {
                return DynamoDBMessages.incorrectOperandCount(function.name, function.arguments.count)
            }
        }
        for function in functions where function.arguments.count == 2 {
            if let detail = distinctError(function.name, function.arguments[0], function.arguments[1]) { return detail }
        }
        if case .comparison(let left, let comparator, let right) = leaf, let detail = distinctError(comparator.rawValue, left, right) {
            return detail
        }
        for function in functions {
            if let detail = typeError(function.name, function.arguments) { return detail }
        }
        switch leaf {
        case .between(_, let lower, let upper):
            if case .value(let lowRef) = lower, case .value(let highRef) = upper, let low = resolver.values[lowRef],
                let high = resolver.values[highRef]
            {
                if low.typeDescriptor != high.typeDescriptor { return DynamoDBMessages.betweenSameType(low, high) }
                if let order = AttributeValue.compareScalars(low, high), order > 0 { return DynamoDBMessages.betweenBounds(low, high) }
            }
        case .inList(_, let list) where list.count > ConditionExpression.maximumInOperands:
            return DynamoDBMessages.tooManyInOperands(list.count)
        default:
            break
        }
        return nil
    }

    private static func collectFunctions(_ operand: RawOperand, into functions: inout [(name: String, arguments: [RawOperand])]) {
        guard case .function(let name, let arguments) = operand else { return }
        for argument in arguments { collectFunctions(argument, into: &functions) }
        functions.append((name, arguments))
    }

    private func distinctError(_ operatorName: String, _ first: RawOperand, _ second: RawOperand) -> String? {
        guard case .path(let left) = first, case .path(let right) = second,
            let leftPath = try? resolver.path(left), let rightPath = try? resolver.path(right), leftPath == rightPath
        else { return nil }
        return DynamoDBMessages.operandsNotDistinct(operatorName, leftPath.awsRendering)
    }

    /// DynamoDB's static type of an operand: a literal's type, `N` for `size`, `BOOL` for predicates, nil for paths.
    private func staticType(_ operand: RawOperand) -> String? {
        switch operand {
        case .path, .arithmetic: nil
        case .value(let reference): resolver.values[reference]?.typeDescriptor
        case .function(let name, _): name == "size" ? "N" : "BOOL"
        }
    }

    private func typeError(_ name: String, _ arguments: [RawOperand]) -> String? {
        switch name {
        case "attribute_exists", "attribute_not_exists":
            guard case .path = arguments[0] else { return DynamoDBMessages.requiresDocumentPath(name) }
        case "begins_with":
            for argument in arguments {
                if let type = staticType(argument), type != "S", type != "B" { return DynamoDBMessages.incorrectOperandType(name, type) }
            }
        case "attribute_type":
            guard let type = staticType(arguments[1]), type == "S" else {
                return DynamoDBMessages.incorrectOperandType(name, staticType(arguments[1]) ?? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
            }
            if case .value(let reference) = arguments[1], case .s(let typeName)? = resolver.values[reference],
                !Self.attributeTypeNames.contains(typeName)
            {
                return DynamoDBMessages.invalidAttributeTypeName(typeName)
            }
        case "size":
            if let type = staticType(arguments[0]), ["N", "BOOL", "NULL"].contains(type) { return DynamoDBMessages.incorrectOperandType(name, type) }
        default:
            break
        }
        return nil
    }

    // MARK: Building the resolved tree (all checks passed)

    private func condition(_ raw: RawCondition) throws(DynamoDBError) -> ConditionNode {
        switch raw {
        case .comparison(let left, let comparator, let right):
            return .comparison(try operand(left), comparator, try operand(right))
        case .between(let subject, let lower, let upper):
            return .between(try operand(subject), try operand(lower), try operand(upper))
        case .inList(let subject, let list):
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
            switch name {
            case "attribute_exists":
                guard case .path(let path) = try operand(arguments[0]) else { throw resolver.failure(DynamoDBMessages.requiresDocumentPath(name)) }
                return .attributeExists(path)
            case "attribute_not_exists":
                guard case .path(let path) = try operand(arguments[0]) else { throw resolver.failure(DynamoDBMessages.requiresDocumentPath(name)) }
                return .attributeNotExists(path)
            case "attribute_type":
                return .attributeType(try operand(arguments[0]), try operand(arguments[1]))
            case "begins_with":
                return .beginsWith(try operand(arguments[0]), try operand(arguments[1]))
            default:
                return .contains(try operand(arguments[0]), try operand(arguments[1]))
            }
        }
    }

    /// Resolves an operand (path, value or `size(...)`).
    /// - Parameter raw: The raw operand.
    /// - Returns: The resolved operand.
    /// - Throws: Placeholder errors (normally already reported by `validate`).
    func operand(_ raw: RawOperand) throws(DynamoDBError) -> ConditionOperand {
        switch raw {
        case .path(let path):
            return .path(try resolver.path(path))
        case .value(let reference):
            return .value(try resolver.value(reference))
        case .function(let name, let arguments):
            guard name == "size", let argument = arguments.first else {
                throw resolver.failure(DynamoDBMessages.functionNotAllowedThisWay(name))
            }
            return .size(try operand(argument))
        case .arithmetic:
            throw resolver.failure(DynamoDBMessages.functionNotAllowedThisWay("+"))
        }
    }
}

extension RawCondition {
    /// The comparison/function conditions of the tree, in source order.
    var leaves: [RawCondition] {
        switch self {
        case .and(let left, let right), .or(let left, let right): left.leaves + right.leaves
        case .not(let inner): inner.leaves
        default: [self]
        }
    }

    /// The operands of a leaf condition, in source order.
    var operands: [RawOperand] {
        switch self {
        case .comparison(let left, _, let right): [left, right]
        case .between(let subject, let lower, let upper): [subject, lower, upper]
        case .inList(let subject, let list): [subject] + list
        case .function(_, let arguments): arguments
        case .and, .or, .not: []
        }
    }
}
