import Foundation

/// Comparison operators of condition expressions.
package enum Comparator: String, Sendable, Hashable {
    /// `=`
    case equal = "="
    /// `<>`
    case notEqual = "<>"
    /// `<`
    case less = "<"
    /// `<=`
    case lessOrEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterOrEqual = ">="

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    package var swapped: Comparator {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }
}

// MARK: - Raw (unresolved) syntax tree

/// A path step before placeholder substitution.
enum RawPathElement: Sendable, Equatable {
    /// A bare attribute name as written.
    case name(String)
    /// A `#name` placeholder.
    case placeholder(String)
    /// A list index.
    case index(Int)
}

/// A path before placeholder substitution.
struct RawPath: Sendable, Equatable {
    /// The steps.
    var elements: [RawPathElement]
}

/// An operand before resolution.
indirect enum RawOperand: Sendable, Equatable {
    /// A document path.
    case path(RawPath)
    /// A `:value` placeholder.
    case value(String)
    /// A function call.
    case function(name: String, arguments: [RawOperand])
    /// `left + right` or `left - right` (update expressions only).
    case arithmetic(RawOperand, plus: Bool, RawOperand)
}

/// A condition before resolution.
indirect enum RawCondition: Sendable, Equatable {
    /// `a <op> b`.
    case comparison(RawOperand, Comparator, RawOperand)
    /// `a BETWEEN b AND c`.
    case between(RawOperand, RawOperand, RawOperand)
    /// `a IN (b, c, ...)`.
    case inList(RawOperand, [RawOperand])
    /// `a AND b`.
    case and(RawCondition, RawCondition)
    /// `a OR b`.
    case or(RawCondition, RawCondition)
    /// `NOT a`.
    case not(RawCondition)
    /// A function used as a condition.
    case function(name: String, arguments: [RawOperand])
}

/// One action of an update expression before resolution.
enum RawUpdateAction: Sendable, Equatable {
    /// `SET path = value`.
    case set(RawPath, RawOperand)
    /// `REMOVE path`.
    case remove(RawPath)
    /// `ADD path :value`.
    case add(RawPath, String)
    /// `DELETE path :value`.
    case delete(RawPath, String)
}

// MARK: - Parser

/// Hand-written recursive-descent parser for all DynamoDB expression grammars.
struct ExpressionParser {
    /// Every function name DynamoDB knows (case-sensitive).
    static let knownFunctions: Set<String> = [
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size", "if_not_exists", "list_append",
    ]

    private let source: String
    private let tokens: [ExpressionToken]
    private let kind: ExpressionKind
    private var position = 0

    /// Creates a parser.
    /// - Parameters:
    ///   - source: The expression text.
    ///   - kind: Which expression (for error prefixes).
    init(_ source: String, kind: ExpressionKind) {
        self.source = source
        self.tokens = ExpressionLexer.tokenize(source)
        self.kind = kind
    }

    private var current: ExpressionToken { tokens[position] }

    private func peek(_ offset: Int = 1) -> ExpressionToken {
        tokens[min(position + offset, tokens.count - 1)]
    }

    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    private func syntaxError() -> DynamoDBError {
        let token = current
        let near = ExpressionLexer.near(source, tokens: tokens, position: position)
        return .validation(DynamoDBMessages.invalidExpression(kind, DynamoDBMessages.syntaxError(token: token.text, near: near)))
    }

    private func failure(_ detail: String) -> DynamoDBError {
        .validation(DynamoDBMessages.invalidExpression(kind, detail))
    }

    private mutating func expect(_ expected: ExpressionToken.Kind) throws(DynamoDBError) {
        guard current.kind == expected else { throw syntaxError() }
        advance()
    }

    private mutating func checkNotEmpty() throws(DynamoDBError) {
        if current.kind == .end { throw failure(DynamoDBMessages.emptyExpression) }
    }

    private mutating func expectEnd() throws(DynamoDBError) {
        guard current.kind == .end else { throw syntaxError() }
    }

    // MARK: Entry points

    /// Parses a condition, filter or key-condition expression.
    /// - Returns: The raw condition tree.
    /// - Throws: Syntax errors.
    mutating func parseCondition() throws(DynamoDBError) -> RawCondition {
        try checkNotEmpty()
        let condition = try parseOr()
        try expectEnd()
        return condition
    }

    /// Parses a projection expression.
    /// - Returns: The raw paths in source order.
    /// - Throws: Syntax errors.
    mutating func parseProjection() throws(DynamoDBError) -> [RawPath] {
        try checkNotEmpty()
        var paths = [try parsePath()]
        while current.kind == .comma {
            advance()
            paths.append(try parsePath())
        }
        try expectEnd()
        return paths
    }

    /// Parses an update expression.
    /// - Returns: The raw actions in source order.
    /// - Throws: Syntax errors and repeated-clause errors.
    mutating func parseUpdate() throws(DynamoDBError) -> [RawUpdateAction] {
        try checkNotEmpty()
        var actions: [RawUpdateAction] = []
        var seenClauses: Set<String> = []
        while current.kind != .end {
            let clause = current.text.uppercased()
            guard current.kind == .identifier, ["SET", "REMOVE", "ADD", "DELETE"].contains(clause) else { throw syntaxError() }
            guard !seenClauses.contains(clause) else { throw failure(DynamoDBMessages.clauseRepeated(clause)) }
            seenClauses.insert(clause)
            advance()
            while true {
                let path = try parsePath()
                switch clause {
                case "SET":
                    try expect(.equal)
                    actions.append(.set(path, try parseUpdateValue()))
                case "REMOVE":
                    actions.append(.remove(path))
                default:
                    guard current.kind == .valuePlaceholder else { throw syntaxError() }
                    let value = current.text
                    advance()
                    actions.append(clause == "ADD" ? .add(path, value) : .delete(path, value))
                }
                guard current.kind == .comma else { break }
                advance()
            }
        }
        return actions
    }

    // MARK: Conditions

    private mutating func parseOr() throws(DynamoDBError) -> RawCondition {
        var left = try parseAnd()
        while current.isKeyword("OR") {
            advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(DynamoDBError) -> RawCondition {
        var left = try parseNot()
        while current.isKeyword("AND") {
            advance()
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(DynamoDBError) -> RawCondition {
        if current.isKeyword("NOT") && peek().kind != .equal && peek().kind != .notEqual {
            advance()
            return .not(try parseNot())
        }
        return try parsePredicate()
    }

    private mutating func parsePredicate() throws(DynamoDBError) -> RawCondition {
        if current.kind == .leftParen {
            advance()
            let inner = try parseOr()
            try expect(.rightParen)
            return inner
        }
        let left = try parseOperand()
        if let comparator = comparator(current.kind) {
            advance()
            return .comparison(left, comparator, try parseOperand())
        }
        if current.isKeyword("BETWEEN") {
            advance()
            let lower = try parseOperand()
            guard current.isKeyword("AND") else { throw syntaxError() }
            advance()
            return .between(left, lower, try parseOperand())
        }
        if current.isKeyword("IN") {
            advance()
            try expect(.leftParen)
            var list = [try parseOperand()]
            while current.kind == .comma {
                advance()
                list.append(try parseOperand())
            }
            try expect(.rightParen)
            return .inList(left, list)
        }
        if case .function(let name, let arguments) = left {
            return .function(name: name, arguments: arguments)
        }
        throw syntaxError()
    }

    private func comparator(_ kind: ExpressionToken.Kind) -> Comparator? {
        switch kind {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        default: nil
        }
    }

    // MARK: Operands

    private mutating func parseOperand() throws(DynamoDBError) -> RawOperand {
        switch current.kind {
        case .valuePlaceholder:
            let value = current.text
            advance()
            return .value(value)
        case .identifier where peek().kind == .leftParen:
            let name = current.text
            guard Self.knownFunctions.contains(name) else { throw failure(DynamoDBMessages.invalidFunctionName(name)) }
            advance()
            advance()
            var arguments: [RawOperand] = []
            if current.kind != .rightParen {
                arguments.append(try parseOperand())
                while current.kind == .comma {
                    advance()
                    arguments.append(try parseOperand())
                }
            }
            try expect(.rightParen)
            return .function(name: name, arguments: arguments)
        case .identifier, .namePlaceholder:
            return .path(try parsePath())
        default:
            throw syntaxError()
        }
    }

    private mutating func parseUpdateValue() throws(DynamoDBError) -> RawOperand {
        let left = try parseOperand()
        if current.kind == .plus || current.kind == .minus {
            let plus = current.kind == .plus
            advance()
            return .arithmetic(left, plus: plus, try parseOperand())
        }
        return left
    }

    private mutating func parsePath() throws(DynamoDBError) -> RawPath {
        var elements: [RawPathElement] = []
        switch current.kind {
        case .identifier: elements.append(.name(current.text))
        case .namePlaceholder: elements.append(.placeholder(current.text))
        default: throw syntaxError()
        }
        advance()
        while true {
            if current.kind == .dot {
                advance()
                switch current.kind {
                case .identifier: elements.append(.name(current.text))
                case .namePlaceholder: elements.append(.placeholder(current.text))
                default: throw syntaxError()
                }
                advance()
            } else if current.kind == .leftBracket {
                advance()
                guard current.kind == .integer, let index = Int(current.text) else { throw syntaxError() }
                advance()
                try expect(.rightBracket)
                elements.append(.index(index))
            } else {
                return RawPath(elements: elements)
            }
        }
    }
}
