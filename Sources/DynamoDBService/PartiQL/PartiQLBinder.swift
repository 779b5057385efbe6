import Foundation

/// Binds a parsed PartiQL statement's `?` parameters and translates its parts into the expression model the item
/// operations use (``ConditionNode``, ``UpdateAction``, ``ProjectionExpression``), so PartiQL runs on the one
/// evaluator.
struct PartiQLBinder {
    /// The request's `Parameters`, in order.
    let parameters: [AttributeValue]

    // MARK: Values

    /// The value a literal, parameter, tuple, list or bag denotes.
    /// - Parameter value: The value as parsed.
    /// - Returns: The attribute value.
    /// - Throws: ValidationException for a path, function or arithmetic where a value is needed, and for bad bags.
    func value(_ value: PartiQLValue) throws(DynamoDBError) -> AttributeValue {
        switch value {
        case .literal(let literal):
            return literal
        case .parameter(let index):
            guard index < parameters.count else { throw .validation(DynamoDBMessages.partiQLParameterCount) }
            return parameters[index]
        case .map(let entries):
            var map: [String: AttributeValue] = [:]
            for entry in entries { map[entry.key] = try self.value(entry.value) }
            return .m(map)
        case .list(let elements):
            var list: [AttributeValue] = []
            for element in elements { list.append(try self.value(element)) }
            return .l(list)
        case .bag(let elements):
            return try bag(elements)
        case .function(let call):
            throw .validation(DynamoDBMessages.partiQLUnsupportedDataType(call.name, call.token.position))
        case .path, .arithmetic:
            throw .validation(DynamoDBMessages.partiQLNotWellFormed(DynamoDBMessages.partiQLValueExpected))
        }
    }

    /// A `<<...>>` bag as a string, number or binary set.
    private func bag(_ elements: [PartiQLValue]) throws(DynamoDBError) -> AttributeValue {
        guard !elements.isEmpty else { throw .validation(DynamoDBMessages.partiQLEmptyBag) }
        var members: [AttributeValue] = []
        for element in elements { members.append(try value(element)) }
        var strings: [String] = []
        var numbers: [DynamoNumber] = []
        var binaries: [Data] = []
        for member in members {
            switch member {
            case .s(let text): strings.append(text)
            case .n(let number): numbers.append(number)
            case .b(let data): binaries.append(data)
            default: throw .validation(DynamoDBMessages.partiQLNotWellFormed(DynamoDBMessages.partiQLMixedBag))
            }
        }
        if strings.count == members.count {
            guard Set(strings).count == strings.count else { throw .validation(DynamoDBMessages.duplicateStringSetValues(strings)) }
            return .ss(strings)
        }
        if numbers.count == members.count {
            guard Set(numbers).count == numbers.count else { throw .validation(DynamoDBMessages.duplicateNumberSetValues) }
            return .ns(numbers)
        }
        if binaries.count == members.count {
            guard Set(binaries).count == binaries.count else {
                throw .validation(DynamoDBMessages.duplicateBinarySetValues(binaries.map { $0.base64EncodedString() }))
            }
            return .bs(binaries)
        }
        throw .validation(DynamoDBMessages.partiQLNotWellFormed(DynamoDBMessages.partiQLMixedBag))
    }

    // MARK: Conditions

    /// A WHERE condition in the condition model.
    /// - Parameter condition: The condition as parsed.
    /// - Returns: The condition tree.
    /// - Throws: ValidationException with DynamoDB's operand and function texts.
    func condition(_ condition: PartiQLCondition) throws(DynamoDBError) -> ConditionNode {
        switch condition {
        case .comparison(let left, let comparator, let right):
            return .comparison(try operand(left), comparator, try operand(right))
        case .between(let subject, let lower, let upper):
            return .between(try operand(subject), try operand(lower), try operand(upper))
        case .inList(let subject, let list):
            guard list.count <= ConditionExpression.maximumInOperands else {
                throw .validation(DynamoDBMessages.tooManyInOperands(list.count))
            }
            var operands: [ConditionOperand] = []
            for element in list { operands.append(try operand(element)) }
            return .inList(try operand(subject), operands)
        case .and(let left, let right):
            return .and(try self.condition(left), try self.condition(right))
        case .or(let left, let right):
            return .or(try self.condition(left), try self.condition(right))
        case .not(let inner):
            return .not(try self.condition(inner))
        case .isMissing(let subject, let negated):
            guard case .path(let path) = subject else { throw .validation(DynamoDBMessages.requiresDocumentPath("IS MISSING")) }
            return negated ? .attributeExists(path) : .attributeNotExists(path)
        case .function(let name, let arguments):
            return try function(name, arguments)
        }
    }

    private func function(_ name: String, _ arguments: [PartiQLValue]) throws(DynamoDBError) -> ConditionNode {
        switch name {
        case "attribute_exists", "attribute_not_exists":
            guard arguments.count == 1 else { throw .validation(DynamoDBMessages.incorrectOperandCount(name, arguments.count)) }
            guard case .path(let path) = arguments[0] else { throw .validation(DynamoDBMessages.requiresDocumentPath(name)) }
            return name == "attribute_exists" ? .attributeExists(path) : .attributeNotExists(path)
        default:
            guard arguments.count == 2 else { throw .validation(DynamoDBMessages.incorrectOperandCount(name, arguments.count)) }
            let first = try operand(arguments[0])
            let second = try operand(arguments[1])
            switch name {
            case "begins_with": return .beginsWith(first, second)
            case "contains": return .contains(first, second)
            default: return .attributeType(first, second)
            }
        }
    }

    /// An operand of a condition: a path, `size(...)` or a value.
    private func operand(_ value: PartiQLValue) throws(DynamoDBError) -> ConditionOperand {
        switch value {
        case .path(let path):
            return .path(path)
        case .function(let call):
            guard call.name == "size" else {
                throw .validation(DynamoDBMessages.partiQLUnrecognizedFunction(call.name, call.token.position))
            }
            guard call.arguments.count == 1 else { throw .validation(DynamoDBMessages.incorrectOperandCount("size", call.arguments.count)) }
            return .size(try operand(call.arguments[0]))
        default:
            return .value(try self.value(value))
        }
    }

    // MARK: Updates

    /// The SET and REMOVE clauses of an UPDATE as an update expression.
    /// - Parameter actions: The clauses as parsed.
    /// - Returns: The update expression.
    /// - Throws: ValidationException with DynamoDB's `set_add`/`set_delete` and operand texts.
    func update(_ actions: [PartiQLUpdateAction]) throws(DynamoDBError) -> UpdateExpression {
        var resolved: [UpdateAction] = []
        for action in actions {
            switch action {
            case .remove(let path):
                resolved.append(.remove(path))
            case .set(let path, .function(let call)) where call.name == "set_add" || call.name == "set_delete":
                let label = call.name.uppercased()
                guard call.arguments.count == 2 else {
                    throw .validation(DynamoDBMessages.partiQLSetFunctionArguments(label, call.token.position))
                }
                guard case .path(let first) = call.arguments[0], first == path else {
                    throw .validation(DynamoDBMessages.partiQLSetFunctionFirst(label, call.token.position))
                }
                let members = try value(call.arguments[1])
                guard members.isSet else {
                    let position = call.argumentTokens.first?.position ?? call.token.position
                    throw .validation(DynamoDBMessages.partiQLSetFunctionSecond(label, position))
                }
                resolved.append(call.name == "set_add" ? .add(path, members) : .delete(path, members))
            case .set(let path, let value):
                resolved.append(.set(path, try updateOperand(value)))
            }
        }
        return UpdateExpression(actions: resolved, usage: ExpressionUsage())
    }

    private func updateOperand(_ value: PartiQLValue) throws(DynamoDBError) -> UpdateOperand {
        switch value {
        case .path(let path):
            return .path(path)
        case .arithmetic(let left, let plus, let right):
            let lhs = try updateOperand(left)
            let rhs = try updateOperand(right)
            return plus ? .plus(lhs, rhs) : .minus(lhs, rhs)
        case .function(let call):
            switch call.name {
            case "list_append":
                guard call.arguments.count == 2 else {
                    throw .validation(DynamoDBMessages.incorrectOperandCount("list_append", call.arguments.count))
                }
                return .listAppend(try updateOperand(call.arguments[0]), try updateOperand(call.arguments[1]))
            case "if_not_exists":
                guard call.arguments.count == 2 else {
                    throw .validation(DynamoDBMessages.incorrectOperandCount("if_not_exists", call.arguments.count))
                }
                guard case .path(let path) = call.arguments[0] else { throw .validation(DynamoDBMessages.requiresDocumentPath("if_not_exists")) }
                return .ifNotExists(path, try updateOperand(call.arguments[1]))
            default:
                throw .validation(DynamoDBMessages.partiQLUnrecognizedFunction(call.name, call.token.position))
            }
        default:
            return .value(try self.value(value))
        }
    }

    // MARK: Keys

    /// The conditions joined by AND at the top of a condition tree.
    /// - Parameter node: The condition.
    /// - Returns: The conjuncts in source order.
    static func conjuncts(_ node: ConditionNode) -> [ConditionNode] {
        if case .and(let left, let right) = node { return conjuncts(left) + conjuncts(right) }
        return [node]
    }

    /// The attribute and value of a top-level `attribute = value` (either way round).
    /// - Parameter node: A conjunct.
    /// - Returns: The pair, or nil for any other condition.
    static func equality(_ node: ConditionNode) -> (name: String, value: AttributeValue)? {
        guard case .comparison(let left, .equal, let right) = node else { return nil }
        switch (left, right) {
        case (.path(let path), .value(let value)), (.value(let value), .path(let path)):
            guard path.elements.count == 1 else { return nil }
            return (path.topLevelName, value)
        default:
            return nil
        }
    }

    /// Splits a WHERE condition into the whole primary key it names by equality and the rest of the condition.
    /// - Parameters:
    ///   - node: The condition (nil when there is no WHERE clause).
    ///   - schema: The table's key schema.
    /// - Returns: The key, and the remaining conjuncts joined by AND (nil when none remain); nil when the key is
    ///   not named in full.
    static func splitKey(_ node: ConditionNode?, schema: KeySchema) -> (key: Item, rest: ConditionNode?)? {
        guard let node else { return nil }
        var rest = conjuncts(node)
        var key: Item = [:]
        for element in [schema.partitionKey] + (schema.sortKey.map { [$0] } ?? []) {
            guard let index = rest.firstIndex(where: { equality($0)?.name == element.name }), let pair = equality(rest[index]) else {
                return nil
            }
            key[element.name] = pair.value
            rest.remove(at: index)
        }
        let remaining = rest.dropFirst().reduce(rest.first) { partial, next in partial.map { .and($0, next) } }
        return (key, remaining)
    }
}
