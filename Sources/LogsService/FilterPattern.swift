import Foundation

/// A CloudWatch Logs filter pattern, parsed once and matched against each event's message.
///
/// Supported (see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
/// - unstructured terms: `ERROR`, `"quoted phrase"` (all must occur, case-sensitive), `-term` (must not occur),
///   `?term` (at least one of the `?` terms must occur);
/// - JSON patterns `{ SELECTOR OP VALUE }` with selectors `$.a.b`, `$.a[0]`, operators `=`, `!=` (strings, with
///   `*` wildcards, or numbers), `<`, `<=`, `>`, `>=` (numbers), `IS TRUE`, `IS FALSE`, `IS NULL`, `EXISTS`,
///   `NOT EXISTS`, joined by `&&` and `||` with parentheses.
///
/// Not supported (refused with `InvalidParameterException`): space-delimited patterns (`[ip, user, ...]`) and
/// regular expressions (`%...%`).
package struct FilterPattern: Sendable {
    /// Why a pattern was refused.
    package struct Invalid: Error, Sendable, Equatable {
        /// The reason.
        package var reason: String
    }

    private enum Kind: Sendable {
        case everything
        case terms(required: [String], optional: [String], excluded: [String])
        case json(JSONCondition)
    }

    private let kind: Kind

    /// Parses a pattern.
    /// - Parameter text: The pattern (empty matches every event).
    /// - Throws: ``Invalid`` for syntax this emulator does not read.
    package init(_ text: String) throws(Invalid) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            kind = .everything
        } else if trimmed.hasPrefix("{") {
            guard trimmed.hasSuffix("}") else { throw Invalid(reason: "Invalid character(s) in term '\(trimmed)'") }
            var parser = JSONPatternParser(String(trimmed.dropFirst().dropLast()))
            kind = .json(try parser.parse())
        } else if trimmed.hasPrefix("[") || trimmed.hasPrefix("%") {
            throw Invalid(
                reason: "synapscribe-local does not emulate space-delimited or regular-expression filter patterns; "
                    + "use terms, \"phrases\", -exclusions, ?optional terms or a JSON pattern { $.key = value }"
            )
        } else {
            var required: [String] = []
            var optional: [String] = []
            var excluded: [String] = []
            for token in try Self.tokens(trimmed) {
                switch token.prefix {
                case .some("-"): excluded.append(token.text)
                case .some("?"): optional.append(token.text)
                default: required.append(token.text)
                }
            }
            kind = .terms(required: required, optional: optional, excluded: excluded)
        }
    }

    /// Whether an event's message matches.
    /// - Parameter message: The message.
    /// - Returns: The verdict.
    package func matches(_ message: String) -> Bool {
        switch kind {
        case .everything:
            return true
        case .terms(let required, let optional, let excluded):
            if excluded.contains(where: { message.contains($0) }) { return false }
            if !required.allSatisfy({ message.contains($0) }) { return false }
            return optional.isEmpty || optional.contains(where: { message.contains($0) })
        case .json(let condition):
            guard let data = message.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                object is [String: Any] || object is [Any]
            else { return false }
            return condition.evaluate(object)
        }
    }

    private static func tokens(_ text: String) throws(Invalid) -> [(prefix: Character?, text: String)] {
        var result: [(prefix: Character?, text: String)] = []
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == " " || text[index] == "\t" {
                index = text.index(after: index)
                continue
            }
            var prefix: Character?
            if text[index] == "-" || text[index] == "?" {
                prefix = text[index]
                index = text.index(after: index)
                guard index < text.endIndex else { throw Invalid(reason: "Invalid character(s) in term '\(prefix.map { String($0) } ?? "")'") }
            }
            if text[index] == "\"" {
                let start = text.index(after: index)
                guard let end = text[start...].firstIndex(of: "\"") else {
                    throw Invalid(reason: "Invalid character(s) in term '\(text[index...])'")
                }
                result.append((prefix, String(text[start..<end])))
                index = text.index(after: end)
            } else {
                let end = text[index...].firstIndex(where: { $0 == " " || $0 == "\t" }) ?? text.endIndex
                result.append((prefix, String(text[index..<end])))
                index = end
            }
        }
        return result
    }
}

/// A parsed JSON filter condition.
indirect enum JSONCondition: Sendable {
    case and(JSONCondition, JSONCondition)
    case or(JSONCondition, JSONCondition)
    case compare(selector: [JSONPathStep], op: String, value: JSONPatternValue)
    case exists(selector: [JSONPathStep], negated: Bool)

    func evaluate(_ root: Any) -> Bool {
        switch self {
        case .and(let left, let right): return left.evaluate(root) && right.evaluate(root)
        case .or(let left, let right): return left.evaluate(root) || right.evaluate(root)
        case .exists(let selector, let negated): return (Self.select(selector, in: root) != nil) != negated
        case .compare(let selector, let op, let value):
            let found = Self.select(selector, in: root)
            switch value {
            case .null:
                return op == "IS" && found is NSNull
            case .bool(let expected):
                guard let number = found as? NSNumber, Self.isBoolean(number) else { return false }
                return number.boolValue == expected
            case .number(let expected):
                guard let number = found as? NSNumber, !Self.isBoolean(number) else {
                    return op == "!=" && found != nil
                }
                let actual = number.doubleValue
                switch op {
                case "=": return actual == expected
                case "!=": return actual != expected
                case "<": return actual < expected
                case "<=": return actual <= expected
                case ">": return actual > expected
                case ">=": return actual >= expected
                default: return false
                }
            case .string(let pattern):
                guard let text = found as? String else { return op == "!=" && found != nil }
                let equal = Self.wildcardMatch(pattern, text)
                return op == "=" ? equal : !equal
            }
        }
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    static func select(_ steps: [JSONPathStep], in root: Any) -> Any? {
        var current: Any? = root
        for step in steps {
            switch step {
            case .key(let key): current = (current as? [String: Any])?[key]
            case .index(let index):
                guard let array = current as? [Any], index >= 0, index < array.count else { return nil }
                current = array[index]
            }
            if current == nil { return nil }
        }
        return current
    }

    /// `*` matches any run of characters; everything else literally.
    static func wildcardMatch(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return pattern == text }
        var rest = Substring(text)
        guard let first = parts.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        guard let last = parts.last else { return true }
        return rest.hasSuffix(last)
    }
}

/// One step of a `$.a.b[0]` selector.
enum JSONPathStep: Sendable, Equatable {
    case key(String)
    case index(Int)
}

/// The right-hand side of a JSON comparison.
enum JSONPatternValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
}

/// A recursive-descent parser of the inside of `{ ... }`.
struct JSONPatternParser {
    private let characters: [Character]
    private var position = 0
    private let source: String

    init(_ text: String) {
        self.source = text
        self.characters = Array(text)
    }

    mutating func parse() throws(FilterPattern.Invalid) -> JSONCondition {
        let condition = try parseOr(depth: 0)
        skipSpaces()
        guard position == characters.count else { throw invalid() }
        return condition
    }

    private func invalid() -> FilterPattern.Invalid {
        FilterPattern.Invalid(reason: "Invalid character(s) in term '{\(source)}'")
    }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    private mutating func consume(_ text: String) -> Bool {
        skipSpaces()
        let expected = Array(text)
        guard position + expected.count <= characters.count, Array(characters[position..<position + expected.count]) == expected else {
            return false
        }
        position += expected.count
        return true
    }

    private mutating func parseOr(depth: Int) throws(FilterPattern.Invalid) -> JSONCondition {
        var left = try parseAnd(depth: depth)
        while consume("||") { left = .or(left, try parseAnd(depth: depth)) }
        return left
    }

    private mutating func parseAnd(depth: Int) throws(FilterPattern.Invalid) -> JSONCondition {
        var left = try parsePrimary(depth: depth)
        while consume("&&") { left = .and(left, try parsePrimary(depth: depth)) }
        return left
    }

    private mutating func parsePrimary(depth: Int) throws(FilterPattern.Invalid) -> JSONCondition {
        guard depth < 32 else { throw invalid() }
        if consume("(") {
            let inner = try parseOr(depth: depth + 1)
            guard consume(")") else { throw invalid() }
            return inner
        }
        let selector = try parseSelector()
        if consume("NOT EXISTS") { return .exists(selector: selector, negated: true) }
        if consume("EXISTS") { return .exists(selector: selector, negated: false) }
        if consume("IS") {
            if consume("TRUE") { return .compare(selector: selector, op: "IS", value: .bool(true)) }
            if consume("FALSE") { return .compare(selector: selector, op: "IS", value: .bool(false)) }
            if consume("NULL") { return .compare(selector: selector, op: "IS", value: .null) }
            throw invalid()
        }
        for op in ["!=", "<=", ">=", "=", "<", ">"] {
            guard consume(op) else { continue }
            let value = try parseValue()
            if case .string = value, op != "=", op != "!=" { throw invalid() }
            return .compare(selector: selector, op: op, value: value)
        }
        throw invalid()
    }

    private mutating func parseSelector() throws(FilterPattern.Invalid) -> [JSONPathStep] {
        skipSpaces()
        guard consume("$") else { throw invalid() }
        var steps: [JSONPathStep] = []
        while position < characters.count {
            if characters[position] == "." {
                position += 1
                let start = position
                while position < characters.count,
                    characters[position].isLetter || characters[position].isNumber || "_-@:".contains(characters[position])
                {
                    position += 1
                }
                guard position > start else { throw invalid() }
                steps.append(.key(String(characters[start..<position])))
            } else if characters[position] == "[" {
                position += 1
                let start = position
                while position < characters.count, characters[position].isNumber { position += 1 }
                guard position > start, position < characters.count, characters[position] == "]",
                    let index = Int(String(characters[start..<position]))
                else { throw invalid() }
                position += 1
                steps.append(.index(index))
            } else {
                break
            }
        }
        guard !steps.isEmpty else { throw invalid() }
        return steps
    }

    private mutating func parseValue() throws(FilterPattern.Invalid) -> JSONPatternValue {
        skipSpaces()
        guard position < characters.count else { throw invalid() }
        if characters[position] == "\"" {
            position += 1
            let start = position
            while position < characters.count, characters[position] != "\"" { position += 1 }
            guard position < characters.count else { throw invalid() }
            let text = String(characters[start..<position])
            position += 1
            return .string(text)
        }
        let start = position
        while position < characters.count, !characters[position].isWhitespace, characters[position] != ")", characters[position] != "&",
            characters[position] != "|"
        {
            position += 1
        }
        let word = String(characters[start..<position])
        guard !word.isEmpty else { throw invalid() }
        if let number = Double(word), number.isFinite { return .number(number) }
        return .string(word)
    }
}
