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

    /// The path the action writes.
    var path: RawPath {
        switch self {
        case .set(let path, _), .remove(let path), .add(let path, _), .delete(let path, _): path
        }
    }
}

extension RawOperand {
    /// Number of operators and functions in the operand.
    var operatorCount: Int {
        switch self {
        case .path, .value: 0
        case .function(_, let arguments): 1 + arguments.reduce(0) { $0 + $1.operatorCount }
        case .arithmetic(let left, _, let right): 1 + left.operatorCount + right.operatorCount
        }
    }
}

extension RawCondition {
    /// Number of operators and functions in the condition.
    var operatorCount: Int {
        switch self {
        case .comparison(let left, _, let right): 1 + left.operatorCount + right.operatorCount
        case .between(let subject, let lower, let upper): 1 + subject.operatorCount + lower.operatorCount + upper.operatorCount
        case .inList(let subject, let list): 1 + subject.operatorCount + list.reduce(0) { $0 + $1.operatorCount }
        case .and(let left, let right), .or(let left, let right): 1 + left.operatorCount + right.operatorCount
        case .not(let inner): 1 + inner.operatorCount
        case .function(_, let arguments): 1 + arguments.reduce(0) { $0 + $1.operatorCount }
        }
    }
}

// MARK: - Parser

/// Hand-written recursive-descent parser for all DynamoDB expression grammars.
///
/// Syntax errors are thrown at once (they take precedence over everything, as in DynamoDB). Problems
/// DynamoDB reports only after a successful parse (redundant parentheses, unknown functions, repeated
/// update clauses) are recorded in the `first…` properties for the validators to report in AWS's order.
struct ExpressionParser {
    /// Functions available in condition, filter and key-condition expressions (case-sensitive).
    static let conditionFunctions: Set<String> = ["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size"]
    /// Functions available in update expressions (case-sensitive).
    static let updateFunctions: Set<String> = ["if_not_exists", "list_append"]
    private static let conditionKeywords: Set<String> = ["AND", "OR", "NOT", "BETWEEN", "IN"]
    private static let updateKeywords: Set<String> = ["SET", "REMOVE", "ADD", "DELETE"]

    private let source: String
    private let tokens: [ExpressionToken]
    private let kind: ExpressionKind
    private var position = 0
    private var lastGroup: (open: Int, close: Int)?

    /// Set when `((…))` wraps one condition or operand.
    private(set) var redundantParentheses = false
    /// The first function name that does not exist for this kind of expression.
    private(set) var firstUnknownFunction: String?
    /// The first update clause keyword that appeared twice.
    private(set) var firstRepeatedClause: String?

    /// Creates a parser.
    /// - Parameters:
    ///   - source: The expression text.
    ///   - kind: Which expression (selects keywords, functions and error prefixes).
    init(_ source: String, kind: ExpressionKind) {
        self.source = source
        self.tokens = ExpressionLexer.tokenize(source)
        self.kind = kind
    }

    private var isUpdate: Bool { kind == .update }

    private var current: ExpressionToken { tokens[position] }

    private func peek(_ offset: Int = 1) -> ExpressionToken {
        tokens[min(position + offset, tokens.count - 1)]
    }

    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    private func syntaxError() -> DynamoDBError {
        let near = ExpressionLexer.near(source, tokens: tokens, position: position)
        return .validation(DynamoDBMessages.invalidExpression(kind, DynamoDBMessages.syntaxError(token: current.text, near: near)))
    }

    private mutating func expect(_ expected: ExpressionToken.Kind) throws(DynamoDBError) {
        guard current.kind == expected else { throw syntaxError() }
        advance()
    }

    /// Maximum expression size in UTF-8 bytes.
    static let maximumExpressionBytes = 4096
    /// Maximum number of operators and functions in one expression.
    static let maximumOperators = 300

    private func failure(_ detail: String) -> DynamoDBError {
        .validation(DynamoDBMessages.invalidExpression(kind, detail))
    }

    /// Checks emptiness, the 4 KB size limit and (before recursing) absurd nesting.
    private func checkNotEmpty() throws(DynamoDBError) {
        if source.isEmpty { throw failure(DynamoDBMessages.emptyExpression) }
        let size = source.utf8.count
        if size > Self.maximumExpressionBytes { throw failure(DynamoDBMessages.expressionTooLarge(size)) }
        // Nesting deeper than the operator limit allows can only be redundant parentheses or too many operators;
        // report it without recursing that deep.
        var depth = 0
        var deepest = 0
        for token in tokens {
            if token.kind == .leftParen { depth += 1 }
            if token.kind == .rightParen { depth -= 1 }
            deepest = max(deepest, depth)
        }
        if deepest > Self.maximumOperators {
            let operators = tokens.indices.filter { index in
                let token = tokens[index]
                switch token.kind {
                case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .plus, .minus: return true
                case .identifier:
                    return ["AND", "OR", "NOT", "BETWEEN", "IN"].contains(token.text.uppercased())
                        || (index + 1 < tokens.count && tokens[index + 1].kind == .leftParen)
                default: return false
                }
            }.count
            if operators > Self.maximumOperators { throw failure(DynamoDBMessages.tooManyOperators(operators)) }
            throw failure(DynamoDBMessages.redundantParentheses)
        }
    }

    /// Throws when the parsed expression uses more than 300 operators and functions.
    /// - Parameter count: The operator count of the parsed tree.
    /// - Throws: "The expression contains too many operators; operator count: N".
    func checkOperatorCount(_ count: Int) throws(DynamoDBError) {
        if count > Self.maximumOperators { throw failure(DynamoDBMessages.tooManyOperators(count)) }
    }

    private func expectEnd() throws(DynamoDBError) {
        guard current.kind == .end else { throw syntaxError() }
    }

    /// Whether the current token is a grammar keyword that can never be an attribute name here.
    private var currentIsKeyword: Bool {
        guard current.kind == .identifier else { return false }
        let upper = current.text.uppercased()
        switch kind {
        case .update: return Self.updateKeywords.contains(upper)
        case .projection: return false
        default: return Self.conditionKeywords.contains(upper)
        }
    }

    // MARK: Entry points

    /// Parses a condition, filter or key-condition expression.
    /// - Returns: The raw condition tree.
    /// - Throws: Syntax errors.
    mutating func parseCondition() throws(DynamoDBError) -> RawCondition {
        try checkNotEmpty()
        let condition = try parseOr()
        try expectEnd()
        try checkOperatorCount(condition.operatorCount)
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
    /// - Throws: Syntax errors.
    mutating func parseUpdate() throws(DynamoDBError) -> [RawUpdateAction] {
        try checkNotEmpty()
        var actions: [RawUpdateAction] = []
        var seenClauses: Set<String> = []
        repeat {
            let clause = current.text.uppercased()
            guard current.kind == .identifier, Self.updateKeywords.contains(clause) else { throw syntaxError() }
            if !seenClauses.insert(clause).inserted && firstRepeatedClause == nil { firstRepeatedClause = clause }
            advance()
            while true {
                let path = try parsePath()
                switch clause {
                case "SET":
                    try expect(.equal)
                    actions.append(.set(path, try parseSetValue()))
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
        } while current.kind != .end
        var operators = 0
        for case .set(_, let value) in actions { operators += value.operatorCount }
        try checkOperatorCount(operators)
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
        if current.isKeyword("NOT") {
            advance()
            return .not(try parseNot())
        }
        return try parsePredicate()
    }

    private mutating func parsePredicate() throws(DynamoDBError) -> RawCondition {
        if current.kind == .leftParen {
            // `(operand) <op> ...` is an operand in parentheses; anything else is a parenthesised condition.
            var trial = self
            if let operand = try? trial.parseParenthesisedOperand(), trial.startsComparison {
                self = trial
                return try parseComparison(after: operand)
            }
            let open = position
            advance()
            let innerStart = position
            let inner = try parseOr()
            let close = position
            try expect(.rightParen)
            if let group = lastGroup, group.open == innerStart, group.close == close - 1 { redundantParentheses = true }
            lastGroup = (open, close)
            return inner
        }
        let left = try parseOperand()
        if startsComparison { return try parseComparison(after: left) }
        if case .function(let name, let arguments) = left {
            return .function(name: name, arguments: arguments)
        }
        throw syntaxError()
    }

    private var startsComparison: Bool {
        comparator(current.kind) != nil || current.isKeyword("BETWEEN") || current.isKeyword("IN")
    }

    private mutating func parseComparison(after left: RawOperand) throws(DynamoDBError) -> RawCondition {
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
        guard current.isKeyword("IN") else { throw syntaxError() }
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

    /// `( operand )`, flagging `(( operand ))` as redundant.
    private mutating func parseParenthesisedOperand() throws(DynamoDBError) -> RawOperand {
        try expect(.leftParen)
        if current.kind == .leftParen {
            advance()
            let operand = try parseBareOperand()
            try expect(.rightParen)
            try expect(.rightParen)
            redundantParentheses = true
            return operand
        }
        let operand = try parseBareOperand()
        try expect(.rightParen)
        return operand
    }

    /// An operand, optionally in parentheses.
    private mutating func parseOperand() throws(DynamoDBError) -> RawOperand {
        if current.kind == .leftParen { return try parseParenthesisedOperand() }
        return try parseBareOperand()
    }

    private mutating func parseBareOperand() throws(DynamoDBError) -> RawOperand {
        switch current.kind {
        case .valuePlaceholder:
            let value = current.text
            advance()
            return .value(value)
        case .identifier where peek().kind == .leftParen && !currentIsKeyword:
            let name = current.text
            let known = isUpdate ? Self.updateFunctions : Self.conditionFunctions
            if !known.contains(name) && firstUnknownFunction == nil { firstUnknownFunction = name }
            advance()
            advance()
            var arguments = [try parseOperand()]
            while current.kind == .comma {
                advance()
                arguments.append(try parseOperand())
            }
            try expect(.rightParen)
            return .function(name: name, arguments: arguments)
        case .identifier, .namePlaceholder:
            return .path(try parsePath())
        default:
            throw syntaxError()
        }
    }

    /// `value ::= operand | operand + operand | operand - operand`, optionally in parentheses.
    private mutating func parseSetValue() throws(DynamoDBError) -> RawOperand {
        if current.kind == .leftParen {
            var trial = self
            trial.advance()
            if let value = try? trial.parseArithmetic(), trial.current.kind == .rightParen {
                trial.advance()
                self = trial
                return value
            }
        }
        return try parseArithmetic()
    }

    private mutating func parseArithmetic() throws(DynamoDBError) -> RawOperand {
        let left = try parseOperand()
        if current.kind == .plus || current.kind == .minus {
            let plus = current.kind == .plus
            advance()
            return .arithmetic(left, plus: plus, try parseOperand())
        }
        return left
    }

    private mutating func parsePathElement() throws(DynamoDBError) -> RawPathElement {
        switch current.kind {
        case .identifier where !currentIsKeyword:
            // Condition grammars require attribute names to start with a letter.
            if !isUpdate && kind != .projection && current.text.hasPrefix("_") { throw syntaxError() }
            let element = RawPathElement.name(current.text)
            advance()
            return element
        case .namePlaceholder:
            let element = RawPathElement.placeholder(current.text)
            advance()
            return element
        default:
            throw syntaxError()
        }
    }

    private mutating func parsePath() throws(DynamoDBError) -> RawPath {
        var elements = [try parsePathElement()]
        while true {
            if current.kind == .dot {
                advance()
                elements.append(try parsePathElement())
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
