import Foundation

/// One lexical token of a PartiQL statement.
struct PartiQLToken: Sendable, Equatable {
    /// Token categories.
    enum Kind: Sendable, Equatable {
        /// A bare word: keyword, attribute, table or function name.
        case identifier
        /// A `"double-quoted"` identifier (its text is the unquoted name).
        case quotedIdentifier
        /// A `'single-quoted'` string literal (its text is the unquoted string).
        case string
        /// A number literal as written.
        case number
        /// `?`, a positional parameter.
        case parameter
        /// Punctuation and operators: `( ) [ ] { } , . : * = <> != < <= > >= + - << >>`.
        case symbol
        /// Something no token starts with (`#`, an unterminated comment or string).
        case invalid
        /// The end of the statement.
        case end
    }

    /// The category.
    let kind: Kind
    /// The text (unquoted for strings and quoted identifiers).
    let text: String
    /// The line the token starts on, from 1.
    let line: Int
    /// The column the token starts at, counted in characters from 1.
    let column: Int
    /// The length of the token as written, in characters.
    let length: Int

    /// Whether this is the bare word `keyword`, in any case.
    /// - Parameter keyword: The upper-case keyword.
    /// - Returns: Whether it matches.
    func isKeyword(_ keyword: String) -> Bool {
        kind == .identifier && text.uppercased() == keyword
    }

    /// Whether this is the symbol `symbol`.
    /// - Parameter symbol: The symbol text.
    /// - Returns: Whether it matches.
    func isSymbol(_ symbol: String) -> Bool {
        kind == .symbol && text == symbol
    }

    /// The `line:column:length` DynamoDB appends to messages about a token.
    var position: String { "\(line):\(column):\(length)" }
}

/// Splits a PartiQL statement into tokens; never fails (what starts no token becomes an `.invalid` token).
/// `-- line` and `/* block */` comments are skipped, as DynamoDB skips them.
enum PartiQLLexer {
    /// Tokenises `source`, always ending with an `.end` token.
    /// - Parameter source: The statement.
    /// - Returns: The tokens.
    static func tokenize(_ source: String) -> [PartiQLToken] {
        let chars = Array(source)
        var tokens: [PartiQLToken] = []
        var index = 0
        var line = 1
        var lineStart = 0
        func token(_ kind: PartiQLToken.Kind, _ text: String, from start: Int, startLine: Int, startColumn: Int) {
            tokens.append(PartiQLToken(kind: kind, text: text, line: startLine, column: startColumn, length: index - start))
        }
        while index < chars.count {
            let char = chars[index]
            if char == "\n" {
                index += 1
                line += 1
                lineStart = index
                continue
            }
            if char.isWhitespace {
                index += 1
                continue
            }
            let start = index
            let startLine = line
            let column = index - lineStart + 1
            if char == "-", index + 1 < chars.count, chars[index + 1] == "-" {
                while index < chars.count, chars[index] != "\n" { index += 1 }
                continue
            }
            if char == "/", index + 1 < chars.count, chars[index + 1] == "*" {
                index += 2
                var closed = false
                while index < chars.count {
                    if chars[index] == "*", index + 1 < chars.count, chars[index + 1] == "/" {
                        index += 2
                        closed = true
                        break
                    }
                    if chars[index] == "\n" {
                        line += 1
                        lineStart = index + 1
                    }
                    index += 1
                }
                if !closed { token(.invalid, "/*", from: start, startLine: startLine, startColumn: column) }
                continue
            }
            if char.isLetter || char == "_" || char == "$" {
                while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" || chars[index] == "$" {
                    index += 1
                }
                token(.identifier, String(chars[start..<index]), from: start, startLine: startLine, startColumn: column)
                continue
            }
            if char == "'" || char == "\"" {
                let (text, closed) = quoted(chars, &index, quote: char)
                let kind: PartiQLToken.Kind = !closed ? .invalid : (char == "'" ? .string : .quotedIdentifier)
                token(kind, text, from: start, startLine: startLine, startColumn: column)
                continue
            }
            if char.isASCII, char.isNumber || (char == "." && index + 1 < chars.count && chars[index + 1].isASCII && chars[index + 1].isNumber) {
                index = numberEnd(chars, from: index)
                token(.number, String(chars[start..<index]), from: start, startLine: startLine, startColumn: column)
                continue
            }
            if char == "?" {
                index += 1
                token(.parameter, "?", from: start, startLine: startLine, startColumn: column)
                continue
            }
            let two = index + 1 < chars.count ? String(chars[index...(index + 1)]) : ""
            if ["<>", "!=", "<=", ">=", "<<", ">>"].contains(two) {
                index += 2
                token(.symbol, two, from: start, startLine: startLine, startColumn: column)
                continue
            }
            index += 1
            if "()[]{},.:*=<>+-".contains(char) {
                token(.symbol, String(char), from: start, startLine: startLine, startColumn: column)
            } else {
                token(.invalid, String(char), from: start, startLine: startLine, startColumn: column)
            }
        }
        tokens.append(PartiQLToken(kind: .end, text: "", line: line, column: index - lineStart + 1, length: 0))
        return tokens
    }

    /// Reads a quoted string or identifier; a doubled quote stands for one.
    private static func quoted(_ chars: [Character], _ index: inout Int, quote: Character) -> (String, Bool) {
        var text = ""
        index += 1
        while index < chars.count {
            if chars[index] == quote {
                if index + 1 < chars.count, chars[index + 1] == quote {
                    text.append(quote)
                    index += 2
                    continue
                }
                index += 1
                return (text, true)
            }
            text.append(chars[index])
            index += 1
        }
        return (text, false)
    }

    /// The end of a number literal: digits, an optional fraction and an optional exponent.
    private static func numberEnd(_ chars: [Character], from start: Int) -> Int {
        var index = start
        func digits() {
            while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
        }
        digits()
        if index < chars.count, chars[index] == "." {
            index += 1
            digits()
        }
        if index < chars.count, chars[index] == "e" || chars[index] == "E" {
            var probe = index + 1
            if probe < chars.count, chars[probe] == "+" || chars[probe] == "-" { probe += 1 }
            if probe < chars.count, chars[probe].isASCII, chars[probe].isNumber {
                index = probe
                digits()
            }
        }
        return index
    }
}
