import Foundation

/// A position in a template source file, used to point error messages at the offending text.
package struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The file name (last path component) the location refers to.
    package var file: String
    /// The 1-based line number.
    package var line: Int
    /// The 1-based column number.
    package var column: Int

    /// Creates a location.
    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers and editors recognise.
    package var description: String { "\(file):\(line):\(column)" }
}

/// An insertion-ordered string-keyed map of template values that remembers where each key was written.
///
/// Equality compares keys (in order) and values only; source locations are ignored.
package struct TemplateMap: Sendable, Equatable {
    /// The keys in insertion order.
    package private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]
    private var locations: [String: SourceLocation] = [:]

    /// Creates an empty map.
    package init() {}

    /// Creates a map from ordered pairs; a repeated key keeps its first position and last value.
    package init(_ pairs: [(String, TemplateValue)]) {
        for (key, value) in pairs {
            set(key, value)
        }
    }

    /// The number of entries.
    package var count: Int { keys.count }

    /// Whether the map has no entries.
    package var isEmpty: Bool { keys.isEmpty }

    /// The entries in insertion order.
    package var entries: [(key: String, value: TemplateValue)] {
        keys.compactMap { key in storage[key].map { (key: key, value: $0) } }
    }

    /// The value for `key`; assigning `nil` removes the entry.
    package subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                set(key, newValue)
            } else {
                remove(key)
            }
        }
    }

    /// Where `key` was written in the source, when known.
    package func location(of key: String) -> SourceLocation? { locations[key] }

    /// Sets `value` for `key`, keeping the key's position if it already exists.
    package mutating func set(_ key: String, _ value: TemplateValue, location: SourceLocation? = nil) {
        if storage.updateValue(value, forKey: key) == nil {
            keys.append(key)
        }
        if let location {
            locations[key] = location
        }
    }

    /// Removes `key` if present.
    package mutating func remove(_ key: String) {
        guard storage.removeValue(forKey: key) != nil else { return }
        keys.removeAll { $0 == key }
        locations.removeValue(forKey: key)
    }

    /// Whether the map contains `key`.
    package func contains(_ key: String) -> Bool { storage[key] != nil }

    /// Compares keys and values, ignoring source locations.
    package static func == (lhs: TemplateMap, rhs: TemplateMap) -> Bool {
        lhs.keys == rhs.keys && lhs.storage == rhs.storage
    }
}

/// A CloudFormation template value: the JSON data model plus number text kept exactly as written.
package indirect enum TemplateValue: Sendable, Equatable {
    /// A string scalar.
    case string(String)
    /// A number scalar, kept as its source text (`"0.5"`, `"300"`).
    case number(String)
    /// A boolean scalar.
    case bool(Bool)
    /// An explicit null.
    case null
    /// A sequence.
    case list([TemplateValue])
    /// A mapping with ordered keys.
    case map(TemplateMap)
}

extension TemplateValue {
    /// The string payload of a `.string` value.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The text of any scalar the way CloudFormation stringifies it (`true`, `42`, `abc`); nil for null, lists and maps.
    package var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null, .list, .map: nil
        }
    }

    /// An integer read from a number or a numeric string.
    package var intValue: Int? {
        guard let text = scalarText?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let value = Int(text) { return value }
        if let double = Double(text), double.rounded() == double, abs(double) < 9.0e15 { return Int(double) }
        return nil
    }

    /// A double read from a number or a numeric string.
    package var doubleValue: Double? {
        guard let text = scalarText?.trimmingCharacters(in: .whitespaces) else { return nil }
        return Double(text)
    }

    /// A boolean read from a bool or the strings `true`/`false` (any case).
    package var boolValue: Bool? {
        switch self {
        case .bool(let flag): flag
        case .string(let text):
            switch text.lowercased() {
            case "true": true
            case "false": false
            default: nil
            }
        default: nil
        }
    }

    /// The elements of a `.list` value.
    package var listValue: [TemplateValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// The map of a `.map` value.
    package var mapValue: TemplateMap? {
        if case .map(let map) = self { return map }
        return nil
    }

    /// The value under `key` when this is a map.
    package subscript(key: String) -> TemplateValue? { mapValue?[key] }

    /// The intrinsic function name and argument when this is a one-key map whose key is `Ref` or starts with `Fn::`.
    package var intrinsic: (name: String, argument: TemplateValue)? {
        guard case .map(let map) = self, map.count == 1, let key = map.keys.first, let argument = map[key] else { return nil }
        guard key == "Ref" || key.hasPrefix("Fn::") else { return nil }
        return (key, argument)
    }

    /// A short human description of the value's kind for error messages.
    package var kindDescription: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .list: "a list"
        case .map: "a map"
        }
    }
}

// MARK: - Literals

extension TemplateValue: ExpressibleByStringLiteral {
    /// Creates a `.string` value.
    package init(stringLiteral value: String) { self = .string(value) }
}

extension TemplateValue: ExpressibleByIntegerLiteral {
    /// Creates a `.number` value.
    package init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension TemplateValue: ExpressibleByBooleanLiteral {
    /// Creates a `.bool` value.
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateValue: ExpressibleByArrayLiteral {
    /// Creates a `.list` value.
    package init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
}

extension TemplateValue: ExpressibleByDictionaryLiteral {
    /// Creates a `.map` value keeping the literal's key order.
    package init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .map(TemplateMap(elements)) }
}

// MARK: - JSON

extension TemplateValue {
    /// A `JSONSerialization`-compatible object (`String`, `NSNumber`/`Int`/`Double`, `Bool`, `NSNull`, arrays, dictionaries).
    package var jsonObject: Any {
        switch self {
        case .string(let text): return text
        case .number(let text):
            if let integer = Int(text) { return integer }
            if let double = Double(text), double.isFinite { return double }
            return text
        case .bool(let flag): return flag
        case .null: return NSNull()
        case .list(let items): return items.map(\.jsonObject)
        case .map(let map):
            var dictionary: [String: Any] = [:]
            for (key, value) in map.entries {
                dictionary[key] = value.jsonObject
            }
            return dictionary
        }
    }

    /// Compact JSON text with map keys in template order (numbers written as their source text when valid JSON).
    package var jsonString: String {
        var output = ""
        writeJSON(into: &output)
        return output
    }

    /// UTF-8 JSON bytes of ``jsonString``.
    package var jsonData: Data { Data(jsonString.utf8) }

    private func writeJSON(into output: inout String) {
        switch self {
        case .string(let text): Self.writeJSONString(text, into: &output)
        case .number(let text):
            if let integer = Int(text) {
                output += String(integer)
            } else if let double = Double(text), double.isFinite {
                output += Self.isJSONNumber(text) ? text : String(double)
            } else {
                Self.writeJSONString(text, into: &output)
            }
        case .bool(let flag): output += flag ? "true" : "false"
        case .null: output += "null"
        case .list(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.writeJSON(into: &output)
            }
            output += "]"
        case .map(let map):
            output += "{"
            for (index, entry) in map.entries.enumerated() {
                if index > 0 { output += "," }
                Self.writeJSONString(entry.key, into: &output)
                output += ":"
                entry.value.writeJSON(into: &output)
            }
            output += "}"
        }
    }

    private static func isJSONNumber(_ text: String) -> Bool {
        text.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil
    }

    private static func writeJSONString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
