import Foundation

/// The comparison family of a condition operator, without set qualifier or `IfExists` suffix.
package enum ConditionOperator: String, Sendable, Hashable, CaseIterable {
    /// Exact, case-sensitive string match.
    case stringEquals = "StringEquals"
    /// Negated exact string match.
    case stringNotEquals = "StringNotEquals"
    /// Exact, case-insensitive string match.
    case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
    /// Negated case-insensitive string match.
    case stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
    /// Case-sensitive match with `*` and `?` wildcards.
    case stringLike = "StringLike"
    /// Negated wildcard string match.
    case stringNotLike = "StringNotLike"
    /// Numeric equality.
    case numericEquals = "NumericEquals"
    /// Numeric inequality.
    case numericNotEquals = "NumericNotEquals"
    /// Numeric less-than.
    case numericLessThan = "NumericLessThan"
    /// Numeric less-than-or-equal.
    case numericLessThanEquals = "NumericLessThanEquals"
    /// Numeric greater-than.
    case numericGreaterThan = "NumericGreaterThan"
    /// Numeric greater-than-or-equal.
    case numericGreaterThanEquals = "NumericGreaterThanEquals"
    /// Date equality (ISO 8601 or epoch seconds).
    case dateEquals = "DateEquals"
    /// Date inequality.
    case dateNotEquals = "DateNotEquals"
    /// Date strictly before.
    case dateLessThan = "DateLessThan"
    /// Date at or before.
    case dateLessThanEquals = "DateLessThanEquals"
    /// Date strictly after.
    case dateGreaterThan = "DateGreaterThan"
    /// Date at or after.
    case dateGreaterThanEquals = "DateGreaterThanEquals"
    /// Boolean match (`"true"`/`"false"`, case-insensitive).
    case bool = "Bool"
    /// Byte-wise match of base64-encoded values.
    case binaryEquals = "BinaryEquals"
    /// The IP address is within one of the CIDR ranges.
    case ipAddress = "IpAddress"
    /// The IP address is within none of the CIDR ranges.
    case notIpAddress = "NotIpAddress"
    /// ARN match component by component, with wildcards.
    case arnEquals = "ArnEquals"
    /// ARN match component by component, with wildcards (same as `ArnEquals`).
    case arnLike = "ArnLike"
    /// Negated ARN match.
    case arnNotEquals = "ArnNotEquals"
    /// Negated ARN match.
    case arnNotLike = "ArnNotLike"
    /// Whether the key is absent (`"true"`) or present (`"false"`).
    case null = "Null"

    /// Whether the operator succeeds when no policy value matches (the `Not` forms).
    package var isNegated: Bool {
        switch self {
        case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .numericNotEquals, .dateNotEquals, .notIpAddress,
            .arnNotEquals, .arnNotLike:
            true
        default:
            false
        }
    }

    /// Whether `${...}` policy variables are substituted in this operator's values.
    var supportsPolicyVariables: Bool {
        switch self {
        case .stringEquals, .stringNotEquals, .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase, .stringLike, .stringNotLike,
            .bool, .arnEquals, .arnLike, .arnNotEquals, .arnNotLike:
            true
        default:
            false
        }
    }
}

/// The set qualifier prefixed to an operator for multivalued context keys.
package enum SetQualifier: String, Sendable, Hashable {
    /// `ForAnyValue:`: at least one request value must match; false when the key is missing or empty.
    case forAnyValue = "ForAnyValue"
    /// `ForAllValues:`: every request value must match; true when the key is missing or empty.
    case forAllValues = "ForAllValues"
}

/// One key test of a `Condition` block: `{ "Operator": { "key": [values] } }`.
package struct ConditionClause: Sendable, Hashable {
    /// The operator family.
    package var operation: ConditionOperator
    /// The optional `ForAnyValue:`/`ForAllValues:` qualifier.
    package var qualifier: SetQualifier?
    /// Whether the operator had the `...IfExists` suffix.
    package var ifExists: Bool
    /// The condition key as written (matched case-insensitively).
    package var key: String
    /// The policy values as strings (numbers and booleans rendered as text); matching any one satisfies positive operators.
    package var values: [String]

    /// Creates a clause.
    package init(operation: ConditionOperator, qualifier: SetQualifier? = nil, ifExists: Bool = false, key: String, values: [String]) {
        self.operation = operation
        self.qualifier = qualifier
        self.ifExists = ifExists
        self.key = key
        self.values = values
    }

    /// The operator spelled as in a policy, for example `ForAnyValue:StringLikeIfExists`.
    package var operatorName: String {
        (qualifier.map { "\($0.rawValue):" } ?? "") + operation.rawValue + (ifExists ? "IfExists" : "")
    }

    /// Parses an operator name such as `ForAllValues:StringEqualsIfExists`, or returns nil for an unknown operator.
    package static func parseOperator(_ name: String) -> (ConditionOperator, SetQualifier?, Bool)? {
        var rest = Substring(name)
        var qualifier: SetQualifier?
        for candidate in [SetQualifier.forAnyValue, .forAllValues] {
            let prefix = candidate.rawValue + ":"
            if rest.lowercased().hasPrefix(prefix.lowercased()) {
                qualifier = candidate
                rest = rest.dropFirst(prefix.count)
            }
        }
        var ifExists = false
        if rest.lowercased().hasSuffix("ifexists") {
            ifExists = true
            rest = rest.dropLast("IfExists".count)
        }
        let lowered = rest.lowercased()
        guard let operation = ConditionOperator.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        if operation == .null && ifExists { return nil }
        return (operation, qualifier, ifExists)
    }

    /// Parses a whole `Condition` element into clauses.
    static func parseBlock(_ value: JSONValue) throws(PolicyDocumentError) -> [ConditionClause] {
        guard let operators = value.objectMembers else { throw PolicyDocumentError("Syntax errors in policy.") }
        var clauses: [ConditionClause] = []
        for (operatorName, keysValue) in operators {
            guard let (operation, qualifier, ifExists) = parseOperator(operatorName) else {
                throw PolicyDocumentError("Invalid Condition type : \(operatorName).")
            }
            guard let keys = keysValue.objectMembers else { throw PolicyDocumentError("Syntax errors in policy.") }
            for (key, rawValues) in keys {
                var values: [String] = []
                switch rawValues {
                case .array(let items):
                    for item in items {
                        guard let text = item.scalarString else { throw PolicyDocumentError("Syntax errors in policy.") }
                        values.append(text)
                    }
                default:
                    guard let text = rawValues.scalarString else { throw PolicyDocumentError("Syntax errors in policy.") }
                    values.append(text)
                }
                clauses.append(ConditionClause(operation: operation, qualifier: qualifier, ifExists: ifExists, key: key, values: values))
            }
        }
        return clauses
    }
}
