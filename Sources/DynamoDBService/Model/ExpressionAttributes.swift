import Foundation

/// The `#name` and `:value` placeholders one expression referenced.
package struct ExpressionUsage: Sendable, Hashable {
    /// Referenced `ExpressionAttributeNames` keys.
    package var names: Set<String> = []
    /// Referenced `ExpressionAttributeValues` keys.
    package var values: Set<String> = []

    /// Creates an empty usage record.
    package init() {}
}

/// Collects placeholder usage across all expressions of one request and reports unused ones as AWS does.
package struct ExpressionUsageTracker: Sendable {
    /// Everything referenced so far.
    package private(set) var usage = ExpressionUsage()

    /// Creates an empty tracker.
    package init() {}

    /// Records the placeholders of one parsed expression.
    /// - Parameter other: The expression's usage.
    package mutating func record(_ other: ExpressionUsage) {
        usage.names.formUnion(other.names)
        usage.values.formUnion(other.values)
    }

    /// Throws when some supplied names or values were not used by any expression of the request.
    /// - Parameters:
    ///   - names: The request's `ExpressionAttributeNames` (nil when absent).
    ///   - values: The request's `ExpressionAttributeValues` (nil when absent).
    /// - Throws: "Value provided in ExpressionAttributeNames/Values unused in expressions: keys: {...}".
    package func verifyAllUsed(names: [String: String]?, values: [String: AttributeValue]?) throws(DynamoDBError) {
        let unusedNames = (names ?? [:]).keys.filter { !usage.names.contains($0) }
        if !unusedNames.isEmpty { throw .validation(DynamoDBMessages.unusedNames(unusedNames)) }
        let unusedValues = (values ?? [:]).keys.filter { !usage.values.contains($0) }
        if !unusedValues.isEmpty { throw .validation(DynamoDBMessages.unusedValues(unusedValues)) }
    }
}

/// Request-level checks of `ExpressionAttributeNames` / `ExpressionAttributeValues` themselves.
package enum ExpressionAttributes {
    /// Validates that supplied maps are non-empty and that every key is a well-formed placeholder.
    /// - Parameters:
    ///   - names: The request's `ExpressionAttributeNames` (nil when absent).
    ///   - values: The request's `ExpressionAttributeValues` (nil when absent).
    /// - Throws: "ExpressionAttributeNames must not be empty", "... contains invalid key: Syntax error; key: ...".
    package static func validate(names: [String: String]?, values: [String: AttributeValue]?) throws(DynamoDBError) {
        if let names {
            if names.isEmpty { throw .validation(DynamoDBMessages.namesMustNotBeEmpty) }
            for key in names.keys.sorted() where !isPlaceholder(key, sigil: "#") {
                throw .validation(DynamoDBMessages.invalidNameKey(key))
            }
        }
        if let values {
            if values.isEmpty { throw .validation(DynamoDBMessages.valuesMustNotBeEmpty) }
            for key in values.keys.sorted() where !isPlaceholder(key, sigil: ":") {
                throw .validation(DynamoDBMessages.invalidValueKey(key))
            }
        }
    }

    private static func isPlaceholder(_ key: String, sigil: Character) -> Bool {
        guard key.first == sigil, key.count > 1 else { return false }
        return key.dropFirst().unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9") || scalar == "_"
        }
    }
}

/// Substitutes placeholders in raw syntax and checks reserved words, in AWS's order.
struct ExpressionResolver {
    /// `ExpressionAttributeNames`.
    let names: [String: String]
    /// `ExpressionAttributeValues`.
    let values: [String: AttributeValue]
    /// Which expression (for message prefixes).
    let kind: ExpressionKind
    /// Placeholders referenced so far.
    private(set) var usage = ExpressionUsage()

    /// Creates a resolver.
    /// - Parameters:
    ///   - names: `ExpressionAttributeNames`.
    ///   - values: `ExpressionAttributeValues`.
    ///   - kind: Which expression.
    init(names: [String: String], values: [String: AttributeValue], kind: ExpressionKind) {
        self.names = names
        self.values = values
        self.kind = kind
    }

    /// Builds a ValidationException with this expression's prefix.
    /// - Parameter detail: The detail text.
    /// - Returns: The error.
    func failure(_ detail: String) -> DynamoDBError {
        .validation(DynamoDBMessages.invalidExpression(kind, detail))
    }

    /// The first unaliased attribute name that is a reserved word, in source order.
    /// - Parameter paths: Raw paths in source order.
    /// - Returns: The error detail, if any.
    func reservedWordError(in paths: [RawPath]) -> String? {
        for path in paths {
            for case .name(let name) in path.elements where ReservedWords.isReserved(name) {
                return DynamoDBMessages.reservedKeyword(name)
            }
        }
        return nil
    }

    /// Records the name placeholders of `paths` as used and returns the first undefined one.
    /// - Parameter paths: Raw paths in source order.
    /// - Returns: The error detail, if any.
    mutating func undefinedNameError(in paths: [RawPath]) -> String? {
        var error: String?
        for path in paths {
            for case .placeholder(let placeholder) in path.elements {
                usage.names.insert(placeholder)
                if names[placeholder] == nil && error == nil { error = DynamoDBMessages.undefinedName(placeholder) }
            }
        }
        return error
    }

    /// Records value placeholders as used and returns the first undefined one.
    /// - Parameter references: Value placeholders in source order.
    /// - Returns: The error detail, if any.
    mutating func undefinedValueError(in references: [String]) -> String? {
        var error: String?
        for reference in references {
            usage.values.insert(reference)
            if values[reference] == nil && error == nil { error = DynamoDBMessages.undefinedValue(reference) }
        }
        return error
    }

    /// Records placeholders of one operand list as used and returns the first undefined name or value, in source order.
    /// - Parameter operands: Raw operands in source order.
    /// - Returns: The error detail, if any.
    mutating func undefinedReferenceError(in operands: [RawOperand]) -> String? {
        var error: String?
        func visit(_ operand: RawOperand) {
            switch operand {
            case .path(let path):
                for case .placeholder(let placeholder) in path.elements {
                    usage.names.insert(placeholder)
                    if names[placeholder] == nil && error == nil { error = DynamoDBMessages.undefinedName(placeholder) }
                }
            case .value(let reference):
                usage.values.insert(reference)
                if values[reference] == nil && error == nil { error = DynamoDBMessages.undefinedValue(reference) }
            case .function(_, let arguments):
                for argument in arguments { visit(argument) }
            case .arithmetic(let left, _, let right):
                visit(left)
                visit(right)
            }
        }
        for operand in operands { visit(operand) }
        return error
    }

    /// Substitutes placeholders in a path (after the undefined-name check).
    /// - Parameter raw: The raw path.
    /// - Returns: The resolved path.
    /// - Throws: Undefined-name errors (only if that check was skipped).
    func path(_ raw: RawPath) throws(DynamoDBError) -> DocumentPath {
        var elements: [PathElement] = []
        for element in raw.elements {
            switch element {
            case .name(let name): elements.append(.name(name))
            case .index(let index): elements.append(.index(index))
            case .placeholder(let placeholder):
                guard let name = names[placeholder] else { throw failure(DynamoDBMessages.undefinedName(placeholder)) }
                elements.append(.name(name))
            }
        }
        return DocumentPath(elements)
    }

    /// Looks up a value placeholder (after the undefined-value check).
    /// - Parameter reference: The `:value` placeholder.
    /// - Returns: The value.
    /// - Throws: Undefined-value errors (only if that check was skipped).
    func value(_ reference: String) throws(DynamoDBError) -> AttributeValue {
        guard let value = values[reference] else { throw failure(DynamoDBMessages.undefinedValue(reference)) }
        return value
    }
}

// MARK: - Collecting paths and values from raw syntax

extension RawOperand {
    /// Appends every path and value placeholder of this operand, in source order.
    /// - Parameters:
    ///   - paths: Path accumulator.
    ///   - values: Value accumulator.
    func collect(paths: inout [RawPath], values: inout [String]) {
        switch self {
        case .path(let path): paths.append(path)
        case .value(let value): values.append(value)
        case .function(_, let arguments):
            for argument in arguments { argument.collect(paths: &paths, values: &values) }
        case .arithmetic(let left, _, let right):
            left.collect(paths: &paths, values: &values)
            right.collect(paths: &paths, values: &values)
        }
    }
}

extension RawCondition {
    /// Appends every path and value placeholder of this condition, in source order.
    /// - Parameters:
    ///   - paths: Path accumulator.
    ///   - values: Value accumulator.
    func collect(paths: inout [RawPath], values: inout [String]) {
        switch self {
        case .comparison(let left, _, let right):
            left.collect(paths: &paths, values: &values)
            right.collect(paths: &paths, values: &values)
        case .between(let subject, let lower, let upper):
            for operand in [subject, lower, upper] { operand.collect(paths: &paths, values: &values) }
        case .inList(let subject, let list):
            subject.collect(paths: &paths, values: &values)
            for operand in list { operand.collect(paths: &paths, values: &values) }
        case .and(let left, let right), .or(let left, let right):
            left.collect(paths: &paths, values: &values)
            right.collect(paths: &paths, values: &values)
        case .not(let inner):
            inner.collect(paths: &paths, values: &values)
        case .function(_, let arguments):
            for argument in arguments { argument.collect(paths: &paths, values: &values) }
        }
    }
}
