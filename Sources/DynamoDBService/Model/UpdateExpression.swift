import Foundation

/// An operand of a SET value.
package indirect enum UpdateOperand: Sendable, Hashable {
    /// A document path, read from the item before the update.
    case path(DocumentPath)
    /// A value from `ExpressionAttributeValues`.
    case value(AttributeValue)
    /// `if_not_exists(path, fallback)`.
    case ifNotExists(DocumentPath, UpdateOperand)
    /// `list_append(first, second)`.
    case listAppend(UpdateOperand, UpdateOperand)
    /// `left + right`.
    case plus(UpdateOperand, UpdateOperand)
    /// `left - right`.
    case minus(UpdateOperand, UpdateOperand)

    /// Computes the operand against the item as it was before the update.
    /// - Parameter item: The original item.
    /// - Returns: The value.
    /// - Throws: AWS's "attribute that does not exist" and "incorrect data type" errors, number overflow.
    package func evaluate(on item: Item) throws(DynamoDBError) -> AttributeValue {
        switch self {
        case .path(let path):
            guard let value = path.value(in: item) else { throw .validation(DynamoDBMessages.attributeDoesNotExist) }
            return value
        case .value(let value):
            return value
        case .ifNotExists(let path, let fallback):
            if let value = path.value(in: item) { return value }
            return try fallback.evaluate(on: item)
        case .listAppend(let first, let second):
            guard case .l(let head) = try first.evaluate(on: item), case .l(let tail) = try second.evaluate(on: item) else {
                throw .validation(DynamoDBMessages.incorrectDataType)
            }
            return .l(head + tail)
        case .plus(let left, let right), .minus(let left, let right):
            guard case .n(let lhs) = try left.evaluate(on: item), case .n(let rhs) = try right.evaluate(on: item) else {
                throw .validation(DynamoDBMessages.incorrectDataType)
            }
            if case .plus = self { return .n(try lhs.adding(rhs)) }
            return .n(try lhs.subtracting(rhs))
        }
    }
}

/// One resolved update action.
package enum UpdateAction: Sendable, Hashable {
    /// `SET path = value`.
    case set(DocumentPath, UpdateOperand)
    /// `REMOVE path`.
    case remove(DocumentPath)
    /// `ADD path value` (number or set).
    case add(DocumentPath, AttributeValue)
    /// `DELETE path value` (set).
    case delete(DocumentPath, AttributeValue)

    /// The path the action writes.
    package var path: DocumentPath {
        switch self {
        case .set(let path, _), .remove(let path), .add(let path, _), .delete(let path, _): path
        }
    }
}

/// A parsed UpdateExpression.
package struct UpdateExpression: Sendable, Hashable {
    /// The actions in source order.
    package let actions: [UpdateAction]
    /// Placeholders this expression referenced.
    package let usage: ExpressionUsage
    /// Whether the actions came from the legacy `AttributeUpdates`: ADD then also appends lists, and an ADD or DELETE
    /// against an attribute of another type reports "Type mismatch for attribute to update".
    package var legacySemantics = false

    /// The result of applying an update.
    package struct Result: Sendable, Hashable {
        /// The item after the update.
        package let item: Item
        /// Top-level attributes written by some action (for ReturnValues UPDATED_OLD / UPDATED_NEW).
        package let changedAttributes: Set<String>
    }

    /// Top-level attribute names targeted by any action (to reject updates of key attributes).
    package var targetedTopLevelAttributes: Set<String> {
        Set(actions.map(\.path.topLevelName))
    }

    /// Parses and validates an update expression.
    /// - Parameters:
    ///   - text: The expression.
    ///   - names: `ExpressionAttributeNames`.
    ///   - values: `ExpressionAttributeValues`.
    /// - Returns: The parsed expression.
    /// - Throws: `ValidationException` with AWS's text (syntax, reserved words, placeholders, operand types, overlapping paths).
    package static func parse(
        _ text: String,
        names: [String: String] = [:],
        values: [String: AttributeValue] = [:]
    ) throws(DynamoDBError) -> UpdateExpression {
        var parser = ExpressionParser(text, kind: .update)
        let rawActions = try parser.parseUpdate()
        var resolver = ExpressionResolver(names: names, values: values, kind: .update)
        var paths: [RawPath] = []
        var valueRefs: [String] = []
        for action in rawActions {
            switch action {
            case .set(let path, let value):
                paths.append(path)
                value.collect(paths: &paths, values: &valueRefs)
            case .remove(let path):
                paths.append(path)
            case .add(let path, let value), .delete(let path, let value):
                paths.append(path)
                valueRefs.append(value)
            }
        }
        // DynamoDB's order: reserved word, unknown function, repeated clause, undefined name, undefined value,
        // overlapping paths, conflicting paths, ADD/DELETE operand type, function operands.
        if let detail = resolver.reservedWordError(in: paths) { throw resolver.failure(detail) }
        if let name = parser.firstUnknownFunction { throw resolver.failure(DynamoDBMessages.invalidFunctionName(name)) }
        if let clause = parser.firstRepeatedClause { throw resolver.failure(DynamoDBMessages.clauseRepeated(clause)) }
        if let detail = resolver.undefinedNameError(in: paths) { throw resolver.failure(detail) }
        if let detail = resolver.undefinedValueError(in: valueRefs) { throw resolver.failure(detail) }
        var targets: [DocumentPath] = []
        for action in rawActions { targets.append(try resolver.path(action.path)) }
        try DocumentPath.checkOverlaps(targets, kind: .update)
        for action in rawActions {
            switch action {
            case .add(_, let reference):
                let value = try resolver.value(reference)
                switch value {
                case .n, .ss, .ns, .bs: break
                default: throw resolver.failure(DynamoDBMessages.incorrectActionOperandType("ADD", value.longTypeName))
                }
            case .delete(_, let reference):
                let value = try resolver.value(reference)
                if !value.isSet { throw resolver.failure(DynamoDBMessages.incorrectActionOperandType("DELETE", value.longTypeName)) }
            default:
                break
            }
        }
        for case .set(_, let value) in rawActions {
            if let detail = functionError(value, resolver: resolver) { throw resolver.failure(detail) }
        }
        var actions: [UpdateAction] = []
        for (action, target) in zip(rawActions, targets) {
            switch action {
            case .set(_, let value): actions.append(.set(target, try operand(value, resolver: resolver)))
            case .remove: actions.append(.remove(target))
            case .add(_, let reference): actions.append(.add(target, try resolver.value(reference)))
            case .delete(_, let reference): actions.append(.delete(target, try resolver.value(reference)))
            }
        }
        return UpdateExpression(actions: actions, usage: resolver.usage)
    }

    /// The first operand-count or operand-type problem of a SET value, checking nested functions first.
    private static func functionError(_ raw: RawOperand, resolver: ExpressionResolver) -> String? {
        func literalType(_ operand: RawOperand) -> String? {
            guard case .value(let reference) = operand else { return nil }
            return resolver.values[reference]?.typeDescriptor
        }
        switch raw {
        case .path, .value:
            return nil
        case .arithmetic(let left, let plus, let right):
            if let nested = functionError(left, resolver: resolver) ?? functionError(right, resolver: resolver) { return nested }
            for type in [literalType(left), literalType(right)].compactMap({ $0 }) where type != "N" {
                return DynamoDBMessages.incorrectOperandType(plus ? "+" : "-", type)
            }
            return nil
        case .function(let name, let arguments):
            for argument in arguments {
                if let nested = functionError(argument, resolver: resolver) { return nested }
            }
            guard arguments.count == 2 else { return DynamoDBMessages.incorrectOperandCount(name, arguments.count) }
            if name == "if_not_exists" {
                guard case .path = arguments[0] else { return DynamoDBMessages.requiresDocumentPath(name) }
            } else {
                for type in arguments.compactMap(literalType) where type != "L" {
                    return DynamoDBMessages.incorrectOperandType(name, type)
                }
            }
            return nil
        }
    }

    private static func operand(_ raw: RawOperand, resolver: ExpressionResolver) throws(DynamoDBError) -> UpdateOperand {
        switch raw {
        case .path(let path):
            return .path(try resolver.path(path))
        case .value(let reference):
            return .value(try resolver.value(reference))
        case .arithmetic(let left, let plus, let right):
            let lhs = try operand(left, resolver: resolver)
            let rhs = try operand(right, resolver: resolver)
            return plus ? .plus(lhs, rhs) : .minus(lhs, rhs)
        case .function(let name, let arguments):
            guard arguments.count == 2 else { throw resolver.failure(DynamoDBMessages.incorrectOperandCount(name, arguments.count)) }
            if name == "if_not_exists" {
                guard case .path(let rawPath) = arguments[0] else { throw resolver.failure(DynamoDBMessages.requiresDocumentPath(name)) }
                return .ifNotExists(try resolver.path(rawPath), try operand(arguments[1], resolver: resolver))
            }
            return .listAppend(try operand(arguments[0], resolver: resolver), try operand(arguments[1], resolver: resolver))
        }
    }

    /// Applies the update to an item (pass `[:]`, or just the key attributes, when the item does not exist yet).
    /// - Parameter item: The item before the update.
    /// - Returns: The item after the update.
    /// - Throws: AWS's evaluation errors (missing operands, wrong types, invalid document paths, number range).
    package func apply(to item: Item) throws(DynamoDBError) -> Item {
        try applyTracking(to: item).item
    }

    /// Applies the update and reports which top-level attributes were written.
    ///
    /// All SET values are computed from the original item first (so `SET a = b, b = a` swaps), then SET,
    /// REMOVE (list indexes highest first), ADD and DELETE are applied.
    /// - Parameter item: The item before the update.
    /// - Returns: The new item and the changed top-level attribute names.
    /// - Throws: AWS's evaluation errors (missing operands, wrong types, invalid document paths, number range).
    package func applyTracking(to item: Item) throws(DynamoDBError) -> Result {
        var computed: [(DocumentPath, AttributeValue)] = []
        var removals: [DocumentPath] = []
        var additions: [(DocumentPath, AttributeValue)] = []
        var deletions: [(DocumentPath, AttributeValue)] = []
        for action in actions {
            switch action {
            case .set(let path, let value): computed.append((path, try value.evaluate(on: item)))
            case .remove(let path): removals.append(path)
            case .add(let path, let value): additions.append((path, value))
            case .delete(let path, let value): deletions.append((path, value))
            }
        }
        var result = item
        for (path, value) in computed {
            result = try path.setting(value, in: result)
        }
        for path in removals.sorted(by: Self.removalOrder) {
            result = path.removing(from: result)
        }
        for (path, value) in additions {
            result = try path.setting(try Self.add(value, to: path.value(in: result), legacy: legacySemantics), in: result)
        }
        for (path, value) in deletions {
            guard let existing = path.value(in: result) else { continue }
            if let remaining = try Self.delete(value, from: existing, legacy: legacySemantics) {
                result = try path.setting(remaining, in: result)
            } else {
                result = path.removing(from: result)
            }
        }
        return Result(item: result, changedAttributes: targetedTopLevelAttributes)
    }

    /// Orders removal paths so that higher list indexes of the same list are removed first.
    private static func removalOrder(_ lhs: DocumentPath, _ rhs: DocumentPath) -> Bool {
        for (left, right) in zip(lhs.elements, rhs.elements) where left != right {
            switch (left, right) {
            case (.index(let a), .index(let b)): return a > b
            case (.name(let a), .name(let b)): return a > b
            case (.index, .name): return true
            case (.name, .index): return false
            }
        }
        return lhs.elements.count > rhs.elements.count
    }

    private static func add(_ value: AttributeValue, to existing: AttributeValue?, legacy: Bool) throws(DynamoDBError) -> AttributeValue {
        guard let existing else { return value }
        let mismatch = DynamoDBError.validation(legacy ? DynamoDBMessages.legacyTypeMismatch : DynamoDBMessages.incorrectDataType)
        switch (existing, value) {
        case (.n(let current), .n(let increment)):
            return .n(try current.adding(increment))
        case (.ss(let current), .ss(let more)):
            return .ss(current + more.filter { !current.contains($0) })
        case (.ns(let current), .ns(let more)):
            return .ns(current + more.filter { !current.contains($0) })
        case (.bs(let current), .bs(let more)):
            return .bs(current + more.filter { !current.contains($0) })
        case (.l(let current), .l(let more)) where legacy:
            return .l(current + more)
        default:
            throw mismatch
        }
    }

    /// The set left after DELETE, or nil when it became empty.
    private static func delete(_ value: AttributeValue, from existing: AttributeValue, legacy: Bool) throws(DynamoDBError) -> AttributeValue? {
        switch (existing, value) {
        case (.ss(let current), .ss(let removed)):
            let remaining = current.filter { !removed.contains($0) }
            return remaining.isEmpty ? nil : .ss(remaining)
        case (.ns(let current), .ns(let removed)):
            let remaining = current.filter { !removed.contains($0) }
            return remaining.isEmpty ? nil : .ns(remaining)
        case (.bs(let current), .bs(let removed)):
            let remaining = current.filter { !removed.contains($0) }
            return remaining.isEmpty ? nil : .bs(remaining)
        default:
            throw .validation(legacy ? DynamoDBMessages.legacyTypeMismatch : DynamoDBMessages.incorrectDataType)
        }
    }
}
