import Foundation

/// One element of a compiled match pattern.
enum PatternToken: Sendable, Hashable {
    /// A character that must match exactly (after case folding where the caller asks for it).
    case literal(Character)
    /// `*`: any run of characters, including none.
    case anyRun
    /// `?`: exactly one character.
    case anyOne
}

/// Request-context lookup with IAM's case-insensitive key names.
struct ContextLookup: Sendable {
    private let values: [String: ContextValue]

    init(_ context: [String: ContextValue]) {
        var folded: [String: ContextValue] = [:]
        for (key, value) in context {
            folded[key.lowercased()] = value
        }
        self.values = folded
    }

    /// The value for a key, or nil when the request context does not have it.
    func value(forKey key: String) -> ContextValue? {
        values[key.lowercased()]
    }
}

/// Compiles policy strings into patterns, substituting `${...}` policy variables, and matches them.
enum PatternMatcher {
    /// Compiles `text` into tokens.
    /// - Parameters:
    ///   - text: The policy string (resource, condition value, action).
    ///   - wildcards: Whether bare `*` and `?` are wildcards (false for equality operators).
    ///   - variables: The context used to substitute policy variables, or nil when variables are not substituted (2008-10-17).
    /// - Returns: The tokens, or nil when a policy variable has no value and no default (the string then matches nothing).
    static func compile(_ text: String, wildcards: Bool, variables: ContextLookup?) -> [PatternToken]? {
        var tokens: [PatternToken] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if let variables, character == "$", index + 1 < characters.count, characters[index + 1] == "{",
                let close = characters[(index + 2)...].firstIndex(of: "}")
            {
                let body = String(characters[(index + 2)..<close])
                guard let substituted = substitute(body, variables: variables) else { return nil }
                tokens.append(contentsOf: substituted.map { PatternToken.literal($0) })
                index = close + 1
                continue
            }
            switch character {
            case "*" where wildcards: tokens.append(.anyRun)
            case "?" where wildcards: tokens.append(.anyOne)
            default: tokens.append(.literal(character))
            }
            index += 1
        }
        return tokens
    }

    /// Resolves the body of `${...}`: `*`, `?`, `$` escapes, a context key, or `key, 'default'`.
    private static func substitute(_ body: String, variables: ContextLookup) -> String? {
        let trimmed = body.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" || trimmed == "?" || trimmed == "$" { return trimmed }
        var key = trimmed
        var fallback: String?
        if let comma = trimmed.firstIndex(of: ",") {
            key = trimmed[..<comma].trimmingCharacters(in: .whitespaces)
            let rawDefault = trimmed[trimmed.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            if rawDefault.count >= 2, rawDefault.hasPrefix("'"), rawDefault.hasSuffix("'") {
                fallback = String(rawDefault.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            } else {
                return nil
            }
        }
        if case .single(let value) = variables.value(forKey: key) { return value }
        return fallback
    }

    /// Compiles and returns the plain string (for equality comparisons), or nil when a variable is unresolved.
    static func resolve(_ text: String, variables: ContextLookup?) -> String? {
        guard let tokens = compile(text, wildcards: false, variables: variables) else { return nil }
        return String(
            tokens.map { token -> Character in
                switch token {
                case .literal(let character): character
                case .anyRun: "*"
                case .anyOne: "?"
                }
            }
        )
    }

    /// Glob match of `text` against `pattern`.
    static func matches(_ pattern: [PatternToken], _ text: [Character], caseInsensitive: Bool = false) -> Bool {
        let pattern = caseInsensitive ? pattern.map(foldCase) : pattern
        let text = caseInsensitive ? text.map { Character($0.lowercased()) } : text
        var patternIndex = 0
        var textIndex = 0
        var starPattern = -1
        var starText = 0
        while textIndex < text.count {
            if patternIndex < pattern.count {
                switch pattern[patternIndex] {
                case .anyOne:
                    patternIndex += 1
                    textIndex += 1
                    continue
                case .literal(let character) where character == text[textIndex]:
                    patternIndex += 1
                    textIndex += 1
                    continue
                case .anyRun:
                    starPattern = patternIndex
                    starText = textIndex
                    patternIndex += 1
                    continue
                default:
                    break
                }
            }
            guard starPattern >= 0 else { return false }
            patternIndex = starPattern + 1
            starText += 1
            textIndex = starText
        }
        while patternIndex < pattern.count, pattern[patternIndex] == .anyRun {
            patternIndex += 1
        }
        return patternIndex == pattern.count
    }

    private static func foldCase(_ token: PatternToken) -> PatternToken {
        if case .literal(let character) = token { return .literal(Character(character.lowercased())) }
        return token
    }

    /// Matches an action such as `s3:PutObject` against a policy action pattern (case-insensitive, `*` and `?`).
    static func actionMatches(pattern: String, action: String) -> Bool {
        guard let tokens = compile(pattern, wildcards: true, variables: nil) else { return false }
        return matches(tokens, Array(action), caseInsensitive: true)
    }

    /// Matches a resource ARN against a policy ARN pattern, component by component (case-sensitive, `*` and `?`).
    /// - Parameters:
    ///   - pattern: The policy string, possibly containing policy variables.
    ///   - arn: The request's resource ARN.
    ///   - variables: The context for policy variables, or nil when they are not substituted.
    /// - Returns: Whether the ARN matches; false when the pattern has an unresolved variable.
    static func arnMatches(pattern: String, arn: String, variables: ContextLookup?) -> Bool {
        guard let tokens = compile(pattern, wildcards: true, variables: variables) else { return false }
        let text = Array(arn)
        let patternParts = splitTokens(tokens)
        let textParts = splitText(text)
        guard patternParts.count == 6, textParts.count == 6 else { return matches(tokens, text) }
        return zip(patternParts, textParts).allSatisfy { matches($0, $1) }
    }

    /// Splits tokens at the first five literal colons (ARN components; the resource part keeps its colons).
    private static func splitTokens(_ tokens: [PatternToken]) -> [[PatternToken]] {
        var parts: [[PatternToken]] = [[]]
        for token in tokens {
            if token == .literal(":"), parts.count < 6 {
                parts.append([])
            } else {
                parts[parts.count - 1].append(token)
            }
        }
        return parts
    }

    private static func splitText(_ text: [Character]) -> [[Character]] {
        var parts: [[Character]] = [[]]
        for character in text {
            if character == ":", parts.count < 6 {
                parts.append([])
            } else {
                parts[parts.count - 1].append(character)
            }
        }
        return parts
    }
}
