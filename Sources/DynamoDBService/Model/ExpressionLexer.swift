import Foundation

/// One lexical token of a DynamoDB expression.
struct ExpressionToken: Sendable, Equatable {
    /// Token categories.
    enum Kind: Sendable, Equatable {
        /// Bare word: attribute name, keyword or function name.
        case identifier
        /// `#name` placeholder.
        case namePlaceholder
        /// `:value` placeholder.
        case valuePlaceholder
        /// Decimal digits (list index).
        case integer
        /// `(`
        case leftParen
        /// `)`
        case rightParen
        /// `[`
        case leftBracket
        /// `]`
        case rightBracket
        /// `,`
        case comma
        /// `.`
        case dot
        /// `=`
        case equal
        /// `<>`
        case notEqual
        /// `<`
        case less
        /// `<=`
        case lessOrEqual
        /// `>`
        case greater
        /// `>=`
        case greaterOrEqual
        /// `+`
        case plus
        /// `-`
        case minus
        /// A character that starts no token.
        case invalid
        /// End of input.
        case end
    }

    /// The category.
    let kind: Kind
    /// The exact source text (`<EOF>` for the end token).
    let text: String
    /// Offset of the first scalar in the source.
    let start: Int
    /// Offset one past the last scalar in the source.
    let end: Int

    /// Whether this is an identifier equal (case-insensitively) to `keyword`.
    /// - Parameter keyword: Upper-case keyword.
    /// - Returns: Whether it matches.
    func isKeyword(_ keyword: String) -> Bool {
        kind == .identifier && text.uppercased() == keyword
    }
}

/// Splits an expression into tokens; never fails (unknown characters become `.invalid` tokens).
enum ExpressionLexer {
    /// Tokenises `source`, always ending with an `.end` token.
    /// - Parameter source: The expression text.
    /// - Returns: The tokens.
    static func tokenize(_ source: String) -> [ExpressionToken] {
        let scalars = Array(source.unicodeScalars)
        var tokens: [ExpressionToken] = []
        var index = 0
        func text(_ from: Int, _ to: Int) -> String {
            var result = String.UnicodeScalarView()
            result.append(contentsOf: scalars[from..<to])
            return String(result)
        }
        func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9") || scalar == "_"
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                index += 1
                continue
            }
            let start = index
            let kind: ExpressionToken.Kind
            switch scalar {
            case "#", ":":
                index += 1
                while index < scalars.count && isWordScalar(scalars[index]) { index += 1 }
                kind = index - start > 1 ? (scalar == "#" ? .namePlaceholder : .valuePlaceholder) : .invalid
            case "0"..."9":
                while index < scalars.count && scalars[index] >= "0" && scalars[index] <= "9" { index += 1 }
                kind = .integer
            case "a"..."z", "A"..."Z", "_":
                while index < scalars.count && isWordScalar(scalars[index]) { index += 1 }
                kind = .identifier
            case "<":
                index += 1
                if index < scalars.count && scalars[index] == "=" {
                    index += 1
                    kind = .lessOrEqual
                } else if index < scalars.count && scalars[index] == ">" {
                    index += 1
                    kind = .notEqual
                } else {
                    kind = .less
                }
            case ">":
                index += 1
                if index < scalars.count && scalars[index] == "=" {
                    index += 1
                    kind = .greaterOrEqual
                } else {
                    kind = .greater
                }
            default:
                index += 1
                switch scalar {
                case "(": kind = .leftParen
                case ")": kind = .rightParen
                case "[": kind = .leftBracket
                case "]": kind = .rightBracket
                case ",": kind = .comma
                case ".": kind = .dot
                case "=": kind = .equal
                case "+": kind = .plus
                case "-": kind = .minus
                default: kind = .invalid
                }
            }
            tokens.append(ExpressionToken(kind: kind, text: text(start, index), start: start, end: index))
        }
        tokens.append(ExpressionToken(kind: .end, text: "<EOF>", start: scalars.count, end: scalars.count))
        return tokens
    }

    /// The "near" text AWS quotes for a syntax error: source from the previous token through the next one
    /// (the end token counts as ending at the end of the source, so trailing blanks are kept).
    /// - Parameters:
    ///   - source: The expression text.
    ///   - tokens: Its tokens.
    ///   - position: Index of the offending token.
    /// - Returns: The quoted context.
    static func near(_ source: String, tokens: [ExpressionToken], position: Int) -> String {
        let scalars = Array(source.unicodeScalars)
        let from = position > 0 ? tokens[position - 1].start : 0
        let to = position + 1 < tokens.count ? tokens[position + 1].end : tokens[position].end
        guard from < to, to <= scalars.count else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[from..<to])
        return String(result)
    }
}
