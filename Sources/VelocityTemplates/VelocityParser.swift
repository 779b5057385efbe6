/// One piece of a parsed template.
indirect enum VelocityNode: Sendable {
    /// Literal text.
    case text(String)
    /// `$ref`, `${ref}`, `$!ref`: rendered, or its source text when undefined and not quiet.
    case reference(VelocityReference, quiet: Bool, source: String)
    /// `#set($target = expression)`.
    case set(VelocityReference, VelocityExpression)
    /// `#if`/`#elseif` branches and the `#else` body.
    case conditional([(VelocityExpression, [VelocityNode])], otherwise: [VelocityNode])
    /// `#foreach($name in expression)`.
    case foreach(name: String, VelocityExpression, [VelocityNode])
    /// `#break`.
    case breakLoop
    /// `#stop`.
    case stop
}

/// `$root.property.method(arguments)[index]`.
struct VelocityReference: Sendable {
    /// One step after the root.
    enum Step: Sendable {
        /// `.name`.
        case property(String)
        /// `.name(arguments)`.
        case method(String, [VelocityExpression])
        /// `[expression]`.
        case index(VelocityExpression)
    }

    /// The variable name.
    var root: String
    /// The steps.
    var steps: [Step]
}

/// An expression in a directive or method argument.
indirect enum VelocityExpression: Sendable {
    /// A literal value.
    case literal(VelocityValue)
    /// A double-quoted string with references inside.
    case interpolated([VelocityNode])
    /// A reference.
    case reference(VelocityReference)
    /// `[a, b]`.
    case list([VelocityExpression])
    /// `[a..b]`.
    case range(VelocityExpression, VelocityExpression)
    /// `{"k": v}`.
    case map([(VelocityExpression, VelocityExpression)])
    /// `!x`, `-x`.
    case unary(String, VelocityExpression)
    /// `a op b`.
    case binary(String, VelocityExpression, VelocityExpression)
}

/// A recursive-descent parser of the Velocity Template Language as API Gateway uses it.
struct VelocityParser {
    /// The deepest nesting of blocks and expressions a template may have.
    static let maximumDepth = 64

    private let chars: [Character]
    private var index = 0
    private var depth = 0

    init(_ source: String) {
        chars = Array(source)
    }

    /// Parses the whole template.
    mutating func parseTemplate() throws(VelocityError) -> [VelocityNode] {
        let (nodes, terminator) = try parseBlock()
        if let terminator { throw error("unexpected #\(terminator)") }
        return nodes
    }

    // MARK: Text and directives

    /// Parses nodes up to `#end`/`#else`/`#elseif` (returned as the terminator, consumed except for `#elseif`'s
    /// condition) or the end of the template.
    private mutating func parseBlock() throws(VelocityError) -> ([VelocityNode], String?) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("blocks nest too deeply") }
        var nodes: [VelocityNode] = []
        var text = ""
        func flush() {
            if !text.isEmpty { nodes.append(.text(text)) }
            text = ""
        }
        while index < chars.count {
            let char = chars[index]
            if char == "#" {
                if peek(1) == "#" {
                    // `##` comment: to the end of the line, the line break included.
                    while index < chars.count, chars[index] != "\n" { index += 1 }
                    if index < chars.count { index += 1 }
                    continue
                }
                if peek(1) == "*" {
                    guard let end = find("*#", from: index + 2) else { throw error("unclosed #* comment") }
                    index = end + 2
                    continue
                }
                if peek(1) == "[", peek(2) == "[" {
                    guard let end = find("]]#", from: index + 3) else { throw error("unclosed #[[ block") }
                    text += String(chars[(index + 3)..<end])
                    index = end + 3
                    continue
                }
                guard let (name, afterName) = directiveName(at: index) else {
                    text.append(char)
                    index += 1
                    continue
                }
                let lineStart = onlyWhitespaceBeforeOnLine(index)
                index = afterName
                switch name {
                case "set":
                    let (target, value) = try parseSet()
                    gobble(&text, lineStart: lineStart)
                    flush()
                    nodes.append(.set(target, value))
                case "if":
                    let condition = try parseCondition()
                    gobble(&text, lineStart: lineStart)
                    flush()
                    nodes.append(try parseIf(firstCondition: condition))
                case "foreach":
                    let (name, collection) = try parseForeachHead()
                    gobble(&text, lineStart: lineStart)
                    flush()
                    let (body, terminator) = try parseBlock()
                    guard terminator == "end" else { throw error("#foreach without #end") }
                    nodes.append(.foreach(name: name, collection, body))
                case "break":
                    gobble(&text, lineStart: lineStart)
                    flush()
                    nodes.append(.breakLoop)
                case "stop":
                    gobble(&text, lineStart: lineStart)
                    flush()
                    nodes.append(.stop)
                case "end", "else":
                    gobble(&text, lineStart: lineStart)
                    flush()
                    return (nodes, name)
                case "elseif":
                    if lineStart {
                        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
                    }
                    flush()
                    return (nodes, name)
                default:
                    throw error("unsupported directive #\(name)")
                }
                continue
            }
            if char == "$", let (node, end) = try referenceNode(at: index) {
                flush()
                nodes.append(node)
                index = end
                continue
            }
            if char == "\\", peek(1) == "$" || peek(1) == "#" {
                // `\$ref` and `\#directive` are literal.
                text.append(chars[index + 1])
                index += 2
                continue
            }
            text.append(char)
            index += 1
        }
        flush()
        return (nodes, nil)
    }

    private mutating func parseIf(firstCondition: VelocityExpression) throws(VelocityError) -> VelocityNode {
        var branches: [(VelocityExpression, [VelocityNode])] = []
        var condition = firstCondition
        while true {
            let (body, terminator) = try parseBlock()
            branches.append((condition, body))
            switch terminator {
            case "end":
                return .conditional(branches, otherwise: [])
            case "else":
                let (otherwise, last) = try parseBlock()
                guard last == "end" else { throw error("#else without #end") }
                return .conditional(branches, otherwise: otherwise)
            case "elseif":
                condition = try parseCondition()
                skipLineAfterDirective()
            default:
                throw error("#if without #end")
            }
        }
    }

    /// The directive name at `position` (`#name` or `#{name}`), when it is one of Velocity's.
    private func directiveName(at position: Int) -> (String, Int)? {
        var cursor = position + 1
        let braced = cursor < chars.count && chars[cursor] == "{"
        if braced { cursor += 1 }
        var name = ""
        while cursor < chars.count, chars[cursor].isLetter {
            name.append(chars[cursor])
            cursor += 1
        }
        if braced {
            guard cursor < chars.count, chars[cursor] == "}" else { return nil }
            cursor += 1
        }
        let known: Set<String> = [
            "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "include", "parse", "evaluate", "define", "macro",
        ]
        guard known.contains(name) else { return nil }
        return (name, cursor)
    }

    /// Whether only spaces and tabs stand between the last line break (or the template's start) and `position`.
    private func onlyWhitespaceBeforeOnLine(_ position: Int) -> Bool {
        var cursor = position - 1
        while cursor >= 0 {
            let char = chars[cursor]
            if char == "\n" { return true }
            if char != " " && char != "\t" { return false }
            cursor -= 1
        }
        return true
    }

    /// A directive alone on its line takes the line with it: its indentation and its line break.
    private mutating func gobble(_ text: inout String, lineStart: Bool) {
        guard lineStart else { return }
        var cursor = index
        while cursor < chars.count, chars[cursor] == " " || chars[cursor] == "\t" || chars[cursor] == "\r" { cursor += 1 }
        guard cursor == chars.count || chars[cursor] == "\n" else { return }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        index = min(cursor + 1, chars.count)
    }

    /// After `#elseif(...)`: its line break, when it ends the line.
    private mutating func skipLineAfterDirective() {
        var cursor = index
        while cursor < chars.count, chars[cursor] == " " || chars[cursor] == "\t" || chars[cursor] == "\r" { cursor += 1 }
        if cursor < chars.count, chars[cursor] == "\n" { index = cursor + 1 }
    }

    private mutating func parseSet() throws(VelocityError) -> (VelocityReference, VelocityExpression) {
        skipSpaces()
        try expect("(")
        skipSpaces()
        guard peek(0) == "$" else { throw error("#set needs a reference") }
        index += 1
        if peek(0) == "!" { index += 1 }
        let braced = peek(0) == "{"
        if braced { index += 1 }
        let target = try parseReferenceBody(braced: braced)
        skipSpaces()
        try expect("=")
        let value = try parseExpression()
        skipSpaces()
        try expect(")")
        return (target, value)
    }

    private mutating func parseCondition() throws(VelocityError) -> VelocityExpression {
        skipSpaces()
        try expect("(")
        let condition = try parseExpression()
        skipSpaces()
        try expect(")")
        return condition
    }

    private mutating func parseForeachHead() throws(VelocityError) -> (String, VelocityExpression) {
        skipSpaces()
        try expect("(")
        skipSpaces()
        try expect("$")
        if peek(0) == "{" { index += 1 }
        let name = identifier()
        guard !name.isEmpty else { throw error("#foreach needs a loop variable") }
        if peek(0) == "}" { index += 1 }
        skipSpaces()
        guard identifier() == "in" else { throw error("#foreach needs `in`") }
        let collection = try parseExpression()
        skipSpaces()
        try expect(")")
        return (name, collection)
    }

    // MARK: References

    /// A reference starting at `position` (a `$`), or nil when the `$` is literal text.
    private mutating func referenceNode(at position: Int) throws(VelocityError) -> (VelocityNode, Int)? {
        var cursor = position + 1
        var quiet = false
        if cursor < chars.count, chars[cursor] == "!" {
            quiet = true
            cursor += 1
        }
        let braced = cursor < chars.count && chars[cursor] == "{"
        if braced { cursor += 1 }
        guard cursor < chars.count, chars[cursor].isLetter || chars[cursor] == "_" else { return nil }
        let saved = index
        index = cursor
        let reference = try parseReferenceBody(braced: braced)
        let end = index
        index = saved
        return (.reference(reference, quiet: quiet, source: String(chars[position..<end])), end)
    }

    /// Parses `name(.step)*` (and the closing `}` when braced); `index` is at the name.
    private mutating func parseReferenceBody(braced: Bool) throws(VelocityError) -> VelocityReference {
        let root = identifier()
        guard !root.isEmpty else { throw error("reference needs a name") }
        var steps: [VelocityReference.Step] = []
        while index < chars.count {
            if chars[index] == ".", index + 1 < chars.count, chars[index + 1].isLetter || chars[index + 1] == "_" {
                index += 1
                let name = identifier()
                if peek(0) == "(" {
                    index += 1
                    steps.append(.method(name, try parseArguments(closing: ")")))
                } else {
                    steps.append(.property(name))
                }
            } else if chars[index] == "[" {
                index += 1
                let item = try parseExpression()
                skipSpaces()
                try expect("]")
                steps.append(.index(item))
            } else {
                break
            }
        }
        if braced {
            try expect("}")
        }
        return VelocityReference(root: root, steps: steps)
    }

    private mutating func parseArguments(closing: Character) throws(VelocityError) -> [VelocityExpression] {
        var arguments: [VelocityExpression] = []
        skipSpaces()
        if peek(0) == closing {
            index += 1
            return arguments
        }
        while true {
            arguments.append(try parseExpression())
            skipSpaces()
            if peek(0) == "," {
                index += 1
                continue
            }
            try expect(closing)
            return arguments
        }
    }

    private mutating func identifier() -> String {
        var name = ""
        while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" || chars[index] == "-" {
            // A `-` belongs to a name only between name characters (`$a-b` is an identifier in Velocity 1.7).
            if chars[index] == "-", !(index + 1 < chars.count && (chars[index + 1].isLetter || chars[index + 1] == "_")) { break }
            name.append(chars[index])
            index += 1
        }
        return name
    }

    // MARK: Expressions

    private mutating func parseExpression() throws(VelocityError) -> VelocityExpression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("expression nests too deeply") }
        return try parseBinary(level: 0)
    }

    private static let levels: [[String]] = [
        ["||", "or"], ["&&", "and"], ["==", "!=", "eq", "ne"], ["<=", ">=", "<", ">", "le", "ge", "lt", "gt"], ["+", "-"], ["*", "/", "%"],
    ]

    private mutating func parseBinary(level: Int) throws(VelocityError) -> VelocityExpression {
        guard level < Self.levels.count else { return try parseUnary() }
        var left = try parseBinary(level: level + 1)
        while true {
            skipSpaces()
            guard let op = matchOperator(Self.levels[level]) else { return left }
            let right = try parseBinary(level: level + 1)
            left = .binary(Self.canonical(op), left, right)
        }
    }

    private static func canonical(_ op: String) -> String {
        ["or": "||", "and": "&&", "eq": "==", "ne": "!=", "le": "<=", "ge": ">=", "lt": "<", "gt": ">"][op] ?? op
    }

    private mutating func matchOperator(_ candidates: [String]) -> String? {
        for op in candidates {
            let opChars = Array(op)
            guard index + opChars.count <= chars.count, Array(chars[index..<(index + opChars.count)]) == opChars else { continue }
            if op.first?.isLetter == true {
                let after = index + opChars.count
                if after < chars.count, chars[after].isLetter || chars[after].isNumber { continue }
            }
            // `=` alone is assignment, `!` alone is negation: `==`/`!=` were tried first.
            if op == "<" || op == ">", index + 1 < chars.count, chars[index + 1] == "=" { continue }
            index += opChars.count
            return op
        }
        return nil
    }

    private mutating func parseUnary() throws(VelocityError) -> VelocityExpression {
        skipSpaces()
        if peek(0) == "!", peek(1) != "=" {
            index += 1
            return .unary("!", try parseUnary())
        }
        if matchWord("not") { return .unary("!", try parseUnary()) }
        if peek(0) == "-", let next = peek(1), !next.isNumber {
            index += 1
            return .unary("-", try parseUnary())
        }
        return try parsePrimary()
    }

    private mutating func matchWord(_ word: String) -> Bool {
        let wordChars = Array(word)
        guard index + wordChars.count <= chars.count, Array(chars[index..<(index + wordChars.count)]) == wordChars else { return false }
        let after = index + wordChars.count
        if after < chars.count, chars[after].isLetter || chars[after].isNumber { return false }
        index = after
        return true
    }

    private mutating func parsePrimary() throws(VelocityError) -> VelocityExpression {
        skipSpaces()
        guard let char = peek(0) else { throw error("expression expected") }
        switch char {
        case "(":
            index += 1
            let inner = try parseExpression()
            skipSpaces()
            try expect(")")
            return inner
        case "$":
            index += 1
            if peek(0) == "!" { index += 1 }
            let braced = peek(0) == "{"
            if braced { index += 1 }
            return .reference(try parseReferenceBody(braced: braced))
        case "'":
            index += 1
            var text = ""
            while let current = peek(0), current != "'" {
                text.append(current)
                index += 1
            }
            try expect("'")
            return .literal(.string(text))
        case "\"":
            index += 1
            var raw = ""
            while let current = peek(0), current != "\"" {
                if current == "\\", peek(1) == "\"" {
                    raw.append("\"")
                    index += 2
                    continue
                }
                raw.append(current)
                index += 1
            }
            try expect("\"")
            guard raw.contains("$") || raw.contains("#") else { return .literal(.string(raw)) }
            var inner = VelocityParser(raw)
            inner.depth = depth
            return .interpolated(try inner.parseTemplate())
        case "[":
            index += 1
            skipSpaces()
            if peek(0) == "]" {
                index += 1
                return .list([])
            }
            let first = try parseExpression()
            skipSpaces()
            if peek(0) == ".", peek(1) == "." {
                index += 2
                let last = try parseExpression()
                skipSpaces()
                try expect("]")
                return .range(first, last)
            }
            var items = [first]
            while peek(0) == "," {
                index += 1
                items.append(try parseExpression())
                skipSpaces()
            }
            try expect("]")
            return .list(items)
        case "{":
            index += 1
            var entries: [(VelocityExpression, VelocityExpression)] = []
            skipSpaces()
            if peek(0) == "}" {
                index += 1
                return .map(entries)
            }
            while true {
                let key = try parseExpression()
                skipSpaces()
                try expect(":")
                let value = try parseExpression()
                entries.append((key, value))
                skipSpaces()
                if peek(0) == "," {
                    index += 1
                    continue
                }
                try expect("}")
                return .map(entries)
            }
        default:
            if char.isNumber || char == "-" {
                var text = String(char)
                index += 1
                while let current = peek(0), current.isNumber || (current == "." && peek(1)?.isNumber == true) {
                    text.append(current)
                    index += 1
                }
                if let whole = Int(text) { return .literal(.int(whole)) }
                if let fraction = Double(text) { return .literal(.double(fraction)) }
                throw error("bad number \(text)")
            }
            if matchWord("true") { return .literal(.bool(true)) }
            if matchWord("false") { return .literal(.bool(false)) }
            if matchWord("null") { return .literal(.null) }
            throw error("unexpected \(char)")
        }
    }

    // MARK: Helpers

    private func peek(_ offset: Int) -> Character? {
        let position = index + offset
        return position < chars.count ? chars[position] : nil
    }

    private func find(_ needle: String, from start: Int) -> Int? {
        let target = Array(needle)
        var position = start
        while position + target.count <= chars.count {
            if Array(chars[position..<(position + target.count)]) == target { return position }
            position += 1
        }
        return nil
    }

    private mutating func skipSpaces() {
        while let char = peek(0), char.isWhitespace { index += 1 }
    }

    private mutating func expect(_ char: Character) throws(VelocityError) {
        guard peek(0) == char else { throw error("expected \(char)") }
        index += 1
    }

    private func error(_ message: String) -> VelocityError {
        var line = 1
        var column = 1
        for char in chars[0..<min(index, chars.count)] {
            if char == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return .syntax(line: line, column: column, message: message)
    }
}
