import Foundation

/// A JSON value as event filtering sees it (records and patterns alike): numbers, strings, booleans and null are
/// told apart, as Lambda's filtering does.
package indirect enum FilterJSON: Sendable, Equatable, Decodable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([FilterJSON])
    /// An object.
    case object([String: FilterJSON])

    /// Decodes any JSON value.
    /// - Parameter decoder: The decoder.
    /// - Throws: When the value is not JSON.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let array = try? container.decode([FilterJSON].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: FilterJSON].self))
        }
    }

    /// Parses JSON bytes; nil when they are not JSON.
    /// - Parameter data: The JSON text.
    /// - Returns: The value.
    package static func parse(_ data: Data) -> FilterJSON? {
        try? JSONDecoder().decode(FilterJSON.self, from: data)
    }
}

/// One `Filters[].Pattern` of an event source mapping's `FilterCriteria`, in Lambda's event filtering syntax:
/// exact values (`["INSERT"]`, numbers, `null`), `{"prefix": ...}`, `{"suffix": ...}`,
/// `{"equals-ignore-case": ...}`, `{"anything-but": value, [values] or {"prefix": ...}}`,
/// `{"numeric": [">", 0, "<=", 5]}` and `{"exists": true|false}`; nested objects match nested fields, every key of
/// a pattern must match (AND), any value in a list may match (OR), and a field holding an array matches when any
/// element does.
/// See https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
package struct EventFilterPattern: Sendable, Equatable {
    /// A pattern node: an object of sub-patterns or the list of matchers of one field.
    indirect enum Node: Sendable, Equatable {
        case object([String: Node])
        case matchers([Matcher])
    }

    /// One matcher of a field.
    enum Matcher: Sendable, Equatable {
        case equals(FilterJSON)
        case prefix(String)
        case suffix(String)
        case equalsIgnoreCase(String)
        case anythingBut([FilterJSON])
        case anythingButPrefix(String)
        case numeric([NumericBound])
        case exists(Bool)
    }

    /// One comparison of a `numeric` matcher.
    struct NumericBound: Sendable, Equatable {
        var comparison: String
        var value: Double

        func holds(_ number: Double) -> Bool {
            switch comparison {
            case "=": number == value
            case "<": number < value
            case "<=": number <= value
            case ">": number > value
            case ">=": number >= value
            default: false
            }
        }
    }

    /// Why a pattern is refused.
    package struct Invalid: Error, Equatable {
        /// What is wrong.
        package var reason: String
    }

    let root: [String: Node]

    /// Parses a pattern's JSON text.
    /// - Parameter text: The `Pattern` string.
    /// - Throws: ``Invalid`` when it is not a pattern Lambda accepts.
    package init(_ text: String) throws(Invalid) {
        guard let json = FilterJSON.parse(Data(text.utf8)), case .object(let members) = json else {
            throw Invalid(reason: "the pattern is not a JSON object")
        }
        root = try Self.objectNode(members)
    }

    private static func objectNode(_ members: [String: FilterJSON]) throws(Invalid) -> [String: Node] {
        var nodes: [String: Node] = [:]
        for (key, value) in members {
            switch value {
            case .object(let inner): nodes[key] = .object(try objectNode(inner))
            case .array(let items):
                guard !items.isEmpty else { throw Invalid(reason: "empty matcher list at \(key)") }
                nodes[key] = .matchers(try items.map(matcher))
            default: throw Invalid(reason: "the value of \(key) is neither an object nor an array")
            }
        }
        return nodes
    }

    private static func matcher(_ value: FilterJSON) throws(Invalid) -> Matcher {
        switch value {
        case .null, .bool, .number, .string: return .equals(value)
        case .array: throw Invalid(reason: "nested arrays are not matchers")
        case .object(let members):
            guard members.count == 1, let (name, argument) = members.first else { throw Invalid(reason: "a matcher has one key") }
            switch (name, argument) {
            case ("prefix", .string(let text)): return .prefix(text)
            case ("suffix", .string(let text)): return .suffix(text)
            case ("equals-ignore-case", .string(let text)): return .equalsIgnoreCase(text)
            case ("exists", .bool(let flag)): return .exists(flag)
            case ("anything-but", .array(let values)):
                guard values.allSatisfy({ if case .array = $0 { false } else if case .object = $0 { false } else { true } }) else {
                    throw Invalid(reason: "anything-but takes values")
                }
                return .anythingBut(values)
            case ("anything-but", .object(let inner)):
                guard inner.count == 1, case .string(let text)? = inner["prefix"] else { throw Invalid(reason: "anything-but takes prefix") }
                return .anythingButPrefix(text)
            case ("anything-but", .string), ("anything-but", .number), ("anything-but", .bool), ("anything-but", .null):
                return .anythingBut([argument])
            case ("numeric", .array(let items)):
                var bounds: [NumericBound] = []
                var index = 0
                while index + 1 < items.count {
                    guard case .string(let comparison) = items[index], case .number(let bound) = items[index + 1],
                        ["=", "<", "<=", ">", ">="].contains(comparison)
                    else { throw Invalid(reason: "numeric takes comparison and number pairs") }
                    bounds.append(NumericBound(comparison: comparison, value: bound))
                    index += 2
                }
                guard index == items.count, !bounds.isEmpty, bounds.count <= 2 else { throw Invalid(reason: "numeric takes one or two pairs") }
                return .numeric(bounds)
            default: throw Invalid(reason: "unknown matcher \(name)")
            }
        }
    }

    /// Whether an event (one record's JSON) matches.
    /// - Parameter event: The record.
    /// - Returns: Whether every field of the pattern matches.
    package func matches(_ event: FilterJSON) -> Bool {
        guard case .object(let members) = event else { return false }
        return Self.matches(root, members)
    }

    private static func matches(_ nodes: [String: Node], _ members: [String: FilterJSON]) -> Bool {
        nodes.allSatisfy { key, node in
            let value = members[key]
            switch node {
            case .object(let inner):
                switch value {
                case .object(let nested)?: return matches(inner, nested)
                case .array(let items)?:
                    return items.contains { item in
                        if case .object(let nested) = item { return matches(inner, nested) }
                        return false
                    }
                default:
                    // A nested pattern over a missing field matches only when it asks for absence throughout.
                    return matches(inner, [:])
                }
            case .matchers(let matchers):
                return matchers.contains { field(value, matches: $0) }
            }
        }
    }

    private static func field(_ value: FilterJSON?, matches matcher: Matcher) -> Bool {
        if case .exists(let wanted) = matcher {
            guard let value else { return !wanted }
            if case .array(let items) = value, items.isEmpty { return !wanted }
            return wanted
        }
        guard let value else { return false }
        if case .array(let items) = value { return items.contains { scalar($0, matches: matcher) } }
        return scalar(value, matches: matcher)
    }

    private static func scalar(_ value: FilterJSON, matches matcher: Matcher) -> Bool {
        switch matcher {
        case .equals(let expected): return value == expected
        case .prefix(let text):
            if case .string(let actual) = value { return actual.hasPrefix(text) }
            return false
        case .suffix(let text):
            if case .string(let actual) = value { return actual.hasSuffix(text) }
            return false
        case .equalsIgnoreCase(let text):
            if case .string(let actual) = value { return actual.lowercased() == text.lowercased() }
            return false
        case .anythingBut(let values): return !values.contains(value)
        case .anythingButPrefix(let text):
            if case .string(let actual) = value { return !actual.hasPrefix(text) }
            return true
        case .numeric(let bounds):
            if case .number(let number) = value { return bounds.allSatisfy { $0.holds(number) } }
            return false
        case .exists: return false
        }
    }
}
