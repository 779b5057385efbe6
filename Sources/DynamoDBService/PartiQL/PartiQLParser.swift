import Foundation

/// Parses the PartiQL subset DynamoDB serves (SELECT, INSERT, UPDATE, DELETE) into a ``PartiQLStatement``,
/// reporting syntax errors with DynamoDB's texts ("Statement wasn't well formed, can't be processed: ...").
///
/// Literals are converted as they are read (numbers checked against DynamoDB's range, with the path inside the
/// value in the message); `?` parameters are numbered in source order and bound later (see ``PartiQLBinder``).
struct PartiQLParser {
    private let tokens: [PartiQLToken]
    private var position = 0
    /// How many `?` parameters the statement has.
    private(set) var parameterCount = 0
    /// How deeply conditions and values nest at the token at hand.
    private var depth = 0
    /// The deepest nesting read: deeper statements are refused rather than parsed with ever more stack.
    static let maximumDepth = 100

    /// Words that end a clause and so can never be an alias.
    private static let clauseWords: Set<String> = ["WHERE", "ORDER", "SET", "REMOVE", "RETURNING", "VALUE"]

    /// Creates a parser for one statement.
    /// - Parameter text: The statement.
    init(_ text: String) {
        tokens = PartiQLLexer.tokenize(text)
    }

    /// Parses a whole statement.
    /// - Parameter text: The statement.
    /// - Returns: The statement and its number of `?` parameters.
    /// - Throws: ValidationException with DynamoDB's text.
    static func parse(_ text: String) throws(DynamoDBError) -> (statement: PartiQLStatement, parameterCount: Int) {
        var parser = PartiQLParser(text)
        let statement = try parser.statement()
        return (statement, parser.parameterCount)
    }

    // MARK: Tokens

    private var current: PartiQLToken { tokens[min(position, tokens.count - 1)] }

    private func peek(_ offset: Int = 1) -> PartiQLToken { tokens[min(position + offset, tokens.count - 1)] }

    private mutating func advance() -> PartiQLToken {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func notWellFormed(_ detail: String) -> DynamoDBError {
        .validation(DynamoDBMessages.partiQLNotWellFormed(detail))
    }

    /// The error for the token at hand: what the lexer could not read has no detail, as DynamoDB sends it.
    private func unexpected() -> DynamoDBError {
        switch current.kind {
        case .invalid: notWellFormed("")
        case .end: notWellFormed(DynamoDBMessages.partiQLUnexpectedEnd)
        default: notWellFormed(DynamoDBMessages.partiQLUnexpectedToken(current.text))
        }
    }

    private mutating func expectKeyword(_ keyword: String) throws(DynamoDBError) {
        guard current.isKeyword(keyword) else { throw unexpected() }
        _ = advance()
    }

    private mutating func expectSymbol(_ symbol: String) throws(DynamoDBError) {
        guard current.isSymbol(symbol) else { throw unexpected() }
        _ = advance()
    }

    private mutating func expectEnd() throws(DynamoDBError) {
        if current.kind == .invalid { throw notWellFormed("") }
        guard current.kind == .end else { throw notWellFormed(DynamoDBMessages.partiQLLeftover) }
    }

    // MARK: Statements

    private mutating func statement() throws(DynamoDBError) -> PartiQLStatement {
        if current.kind == .invalid { throw notWellFormed("") }
        if current.isKeyword("SELECT") {
            _ = advance()
            let select = try select()
            try expectEnd()
            return select
        }
        if current.isKeyword("EXISTS"), peek().isSymbol("(") {
            _ = advance()
            _ = advance()
            try expectKeyword("SELECT")
            let select = try select()
            try expectSymbol(")")
            try expectEnd()
            guard case .select(let table, _, _, let condition, _) = select else { throw unexpected() }
            return .exists(table: table, condition: condition)
        }
        if current.isKeyword("INSERT") {
            _ = advance()
            try expectKeyword("INTO")
            let table = try tableName()
            guard current.isKeyword("VALUE") else { throw notWellFormed(DynamoDBMessages.partiQLLeftover) }
            _ = advance()
            guard current.isSymbol("{") else { throw unexpected() }
            // Each attribute's value is the root of the paths DynamoDB names in its number messages.
            let item = try value(location: "")
            try expectEnd()
            return .insert(table: table, item: item)
        }
        if current.isKeyword("UPDATE") {
            _ = advance()
            return try update()
        }
        if current.isKeyword("DELETE") {
            _ = advance()
            try expectKeyword("FROM")
            let table = try tableName()
            try refuseAlias()
            let condition = try whereClause()
            let returning = try returningClause()
            try expectEnd()
            return .delete(table: table, condition: condition, returning: returning)
        }
        throw notWellFormed(DynamoDBMessages.partiQLExpectedDML)
    }

    private mutating func select() throws(DynamoDBError) -> PartiQLStatement {
        var projection: [DocumentPath]?
        if current.isSymbol("*") {
            _ = advance()
        } else {
            var paths: [DocumentPath] = []
            repeat {
                if paths.count > 0 { _ = advance() }
                if current.kind == .identifier, peek().isSymbol("(") {
                    throw .validation(DynamoDBMessages.partiQLUnexpectedPathComponent(current.position))
                }
                paths.append(try path())
            } while current.isSymbol(",")
            projection = paths
        }
        try expectKeyword("FROM")
        let table = try tableName()
        var index: String?
        if current.isSymbol(".") {
            _ = advance()
            guard current.kind == .quotedIdentifier || current.kind == .identifier else { throw unexpected() }
            index = advance().text
        }
        try refuseAlias()
        let condition = try whereClause()
        var descending = false
        if current.isKeyword("ORDER") {
            _ = advance()
            try expectKeyword("BY")
            _ = try path()
            if current.isKeyword("DESC") {
                descending = true
                _ = advance()
            } else if current.isKeyword("ASC") {
                _ = advance()
            }
        }
        return .select(table: table, index: index, projection: projection, condition: condition, descending: descending)
    }

    private mutating func update() throws(DynamoDBError) -> PartiQLStatement {
        let table = try tableName()
        try refuseAlias()
        var actions: [PartiQLUpdateAction] = []
        while current.isKeyword("SET") || current.isKeyword("REMOVE") {
            let isSet = advance().isKeyword("SET")
            repeat {
                if !actions.isEmpty, current.isSymbol(",") { _ = advance() }
                let target = try path()
                if isSet {
                    try expectSymbol("=")
                    actions.append(.set(target, try value(location: "root")))
                } else {
                    actions.append(.remove(target))
                }
            } while current.isSymbol(",")
        }
        guard !actions.isEmpty else { throw unexpected() }
        let condition = try whereClause()
        let returning = try returningClause()
        try expectEnd()
        return .update(table: table, actions: actions, condition: condition, returning: returning)
    }

    private mutating func tableName() throws(DynamoDBError) -> String {
        guard current.kind == .quotedIdentifier || current.kind == .identifier else { throw unexpected() }
        return advance().text
    }

    /// A word after the table name that is not a clause is an alias, which DynamoDB refuses.
    private mutating func refuseAlias() throws(DynamoDBError) {
        guard current.kind == .identifier || current.kind == .quotedIdentifier else { return }
        if current.kind == .identifier, Self.clauseWords.contains(current.text.uppercased()) { return }
        throw .validation(DynamoDBMessages.partiQLAliasing)
    }

    private mutating func whereClause() throws(DynamoDBError) -> PartiQLCondition? {
        guard current.isKeyword("WHERE") else { return nil }
        _ = advance()
        return try orCondition()
    }

    private mutating func returningClause() throws(DynamoDBError) -> PartiQLReturning? {
        guard current.isKeyword("RETURNING") else { return nil }
        _ = advance()
        let first = advance().text.uppercased()
        let second = advance().text.uppercased()
        guard let returning = PartiQLReturning(rawValue: "\(first) \(second)") else { throw notWellFormed(DynamoDBMessages.partiQLLeftover) }
        try expectSymbol("*")
        return returning
    }

    // MARK: Conditions

    private mutating func orCondition() throws(DynamoDBError) -> PartiQLCondition {
        var left = try andCondition()
        while current.isKeyword("OR") {
            _ = advance()
            left = .or(left, try andCondition())
        }
        return left
    }

    private mutating func andCondition() throws(DynamoDBError) -> PartiQLCondition {
        var left = try notCondition()
        while current.isKeyword("AND") {
            _ = advance()
            left = .and(left, try notCondition())
        }
        return left
    }

    private mutating func notCondition() throws(DynamoDBError) -> PartiQLCondition {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw notWellFormed("") }
        if current.isKeyword("NOT") {
            _ = advance()
            return .not(try notCondition())
        }
        return try predicate()
    }

    private static let conditionFunctions: Set<String> = [
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains",
    ]

    private mutating func predicate() throws(DynamoDBError) -> PartiQLCondition {
        if current.isSymbol("(") {
            _ = advance()
            let inner = try orCondition()
            try expectSymbol(")")
            return inner
        }
        if current.kind == .identifier, peek().isSymbol("(") {
            let name = current.text.lowercased()
            if Self.conditionFunctions.contains(name) {
                _ = advance()
                return .function(name, try argumentList().values)
            }
            if name != "size" { throw .validation(DynamoDBMessages.partiQLUnrecognizedFunction(name, current.position)) }
        }
        let subject = try value(location: "root")
        if current.kind == .symbol, let comparator = Self.comparator(current.text) {
            _ = advance()
            return .comparison(subject, comparator, try value(location: "root"))
        }
        if current.isKeyword("BETWEEN") {
            _ = advance()
            let lower = try value(location: "root")
            try expectKeyword("AND")
            return .between(subject, lower, try value(location: "root"))
        }
        if current.isKeyword("IN") {
            _ = advance()
            guard current.isSymbol("(") || current.isSymbol("[") else { throw unexpected() }
            let close = advance().isSymbol("(") ? ")" : "]"
            var list: [PartiQLValue] = []
            repeat {
                if !list.isEmpty { _ = advance() }
                list.append(try value(location: "root"))
            } while current.isSymbol(",")
            try expectSymbol(close)
            return .inList(subject, list)
        }
        if current.isKeyword("IS") {
            _ = advance()
            var negated = false
            if current.isKeyword("NOT") {
                negated = true
                _ = advance()
            }
            try expectKeyword("MISSING")
            return .isMissing(subject, negated: negated)
        }
        throw unexpected()
    }

    private static func comparator(_ text: String) -> Comparator? {
        switch text {
        case "=": .equal
        case "<>", "!=": .notEqual
        case "<": .less
        case "<=": .lessOrEqual
        case ">": .greater
        case ">=": .greaterOrEqual
        default: nil
        }
    }

    private mutating func argumentList() throws(DynamoDBError) -> (values: [PartiQLValue], tokens: [PartiQLToken]) {
        try expectSymbol("(")
        var arguments: [PartiQLValue] = []
        var tokens: [PartiQLToken] = []
        if current.isSymbol(")") {
            _ = advance()
            return (arguments, tokens)
        }
        repeat {
            if !arguments.isEmpty { _ = advance() }
            tokens.append(current)
            arguments.append(try value(location: "root"))
        } while current.isSymbol(",")
        try expectSymbol(")")
        return (arguments, tokens)
    }

    // MARK: Values

    /// A value with `+`/`-` arithmetic.
    private mutating func value(location: String) throws(DynamoDBError) -> PartiQLValue {
        var left = try primary(location: location)
        while current.isSymbol("+") || current.isSymbol("-") {
            let plus = advance().isSymbol("+")
            left = .arithmetic(left, plus: plus, try primary(location: location))
        }
        return left
    }

    private mutating func primary(location: String) throws(DynamoDBError) -> PartiQLValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw notWellFormed("") }
        let token = current
        switch token.kind {
        case .parameter:
            _ = advance()
            parameterCount += 1
            return .parameter(parameterCount - 1)
        case .string:
            _ = advance()
            return .literal(.s(token.text))
        case .number:
            _ = advance()
            return .literal(.n(try number(token.text, location: location)))
        case .quotedIdentifier:
            return .path(try path())
        case .identifier:
            switch token.text.uppercased() {
            case "TRUE", "FALSE":
                _ = advance()
                return .literal(.bool(token.text.uppercased() == "TRUE"))
            case "NULL":
                _ = advance()
                return .literal(.null)
            default:
                break
            }
            if peek().isSymbol("(") {
                _ = advance()
                let arguments = try argumentList()
                return .function(
                    PartiQLFunctionCall(name: token.text.lowercased(), arguments: arguments.values, token: token, argumentTokens: arguments.tokens)
                )
            }
            return .path(try path())
        case .symbol:
            if token.isSymbol("-"), peek().kind == .number {
                _ = advance()
                let digits = advance().text
                return .literal(.n(try number("-" + digits, location: location)))
            }
            if token.isSymbol("{") {
                _ = advance()
                var entries: [PartiQLMapEntry] = []
                if !current.isSymbol("}") {
                    repeat {
                        if !entries.isEmpty { _ = advance() }
                        guard current.kind == .string else { throw unexpected() }
                        let key = advance().text
                        try expectSymbol(":")
                        let inner = location.isEmpty ? "root" : location + "." + key
                        entries.append(PartiQLMapEntry(key: key, value: try value(location: inner)))
                    } while current.isSymbol(",")
                }
                try expectSymbol("}")
                return .map(entries)
            }
            if token.isSymbol("[") || token.isSymbol("<<") {
                _ = advance()
                let close = token.isSymbol("[") ? "]" : ">>"
                var elements: [PartiQLValue] = []
                if !current.isSymbol(close) {
                    repeat {
                        if !elements.isEmpty { _ = advance() }
                        elements.append(try value(location: "\(location)[\(elements.count)]"))
                    } while current.isSymbol(",")
                }
                try expectSymbol(close)
                return token.isSymbol("[") ? .list(elements) : .bag(elements)
            }
            throw unexpected()
        case .invalid:
            throw notWellFormed("")
        case .end:
            throw unexpected()
        }
    }

    /// A number literal checked as DynamoDB checks them; an exponent beyond 32 bits cannot be read at all.
    private func number(_ text: String, location: String) throws(DynamoDBError) -> DynamoNumber {
        if let marker = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard Int32(text[text.index(after: marker)...]) != nil else { throw notWellFormed("") }
        }
        do {
            return try DynamoNumber(parsing: text)
        } catch {
            throw .validation(error.message + " under " + location)
        }
    }

    /// A document path: a name or `"quoted name"`, then `.name`, `[index]` or `['name']` steps.
    private mutating func path() throws(DynamoDBError) -> DocumentPath {
        guard current.kind == .identifier || current.kind == .quotedIdentifier else { throw unexpected() }
        var elements: [PathElement] = [.name(advance().text)]
        while true {
            if current.isSymbol("."), peek().kind == .identifier || peek().kind == .quotedIdentifier {
                _ = advance()
                elements.append(.name(advance().text))
            } else if current.isSymbol("[") {
                _ = advance()
                if current.kind == .number, let index = Int(current.text), index >= 0 {
                    elements.append(.index(index))
                } else if current.kind == .string {
                    elements.append(.name(current.text))
                } else {
                    throw unexpected()
                }
                _ = advance()
                try expectSymbol("]")
            } else {
                return DocumentPath(elements)
            }
        }
    }
}
