/// A value a Velocity template works with: JSON-shaped data, plus the built-in objects `$input`, `$util` and
/// `$foreach`, whose methods the evaluator answers.
package enum VelocityValue: Sendable, Equatable {
    /// `null` (an undefined reference evaluates to `nil`, not to this).
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number (Java `Integer`/`Long`).
    case int(Int)
    /// A fractional number (Java `Double`).
    case double(Double)
    /// A string.
    case string(String)
    /// A list.
    case list([VelocityValue])
    /// A map with its keys in insertion order.
    case map(VelocityMap)
    /// A built-in object (`$input`, `$util`, `$foreach`).
    case builtin(VelocityBuiltin)

    /// The value as Velocity renders it in text (Java's `toString`).
    package var rendered: String {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return Self.javaDouble(value)
        case .string(let value): return value
        case .list(let values): return "[" + values.map(\.rendered).joined(separator: ", ") + "]"
        case .map(let map): return "{" + map.entries.map { "\($0.key)=\($0.value.rendered)" }.joined(separator: ", ") + "}"
        case .builtin(let builtin): return "$" + builtin.rawValue
        }
    }

    /// Velocity's truth: `null` and `false` are false, everything else (empty strings too) is true.
    package var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        default: return true
        }
    }

    /// The value as compact JSON (what `$input.json(...)` returns).
    package var json: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? Self.javaDouble(value) : "null"
        case .string(let value): return Self.jsonQuoted(value)
        case .list(let values): return "[" + values.map(\.json).joined(separator: ",") + "]"
        case .map(let map): return "{" + map.entries.map { Self.jsonQuoted($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
        case .builtin(let builtin): return Self.jsonQuoted("$" + builtin.rawValue)
        }
    }

    /// A number as Java's `Double.toString` prints it for ordinary magnitudes (`2.0`, `0.99`).
    static func javaDouble(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity") }
        if value == value.rounded(), abs(value) < 1e7 {
            return String(Int(value)) + ".0"
        }
        return String(value)
    }

    /// A JSON string literal.
    static func jsonQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A map that keeps its keys in insertion order (as the JSON it came from, and as Java's `LinkedHashMap`).
package struct VelocityMap: Sendable, Equatable {
    /// The entries in order.
    package private(set) var entries: [(key: String, value: VelocityValue)]

    /// Creates a map.
    /// - Parameter entries: The entries; a later duplicate key replaces an earlier one's value.
    package init(_ entries: [(key: String, value: VelocityValue)] = []) {
        self.entries = []
        for entry in entries { self[entry.key] = entry.value }
    }

    /// The value of a key.
    package subscript(key: String) -> VelocityValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key: key, value: newValue))
            }
        }
    }

    /// The keys in order.
    package var keys: [String] { entries.map(\.key) }

    /// Compares entries in order.
    package static func == (lhs: VelocityMap, rhs: VelocityMap) -> Bool {
        lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// The built-in objects of API Gateway's mapping templates.
package enum VelocityBuiltin: String, Sendable, Equatable {
    /// `$input`: the request (or integration response) body and parameters.
    case input
    /// `$util`: escaping, encoding and JSON parsing helpers.
    case util
    /// `$foreach`: the innermost loop's state (`hasNext`, `index`, `count`, `first`, `last`).
    case foreach
}
