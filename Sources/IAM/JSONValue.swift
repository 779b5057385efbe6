import Foundation

/// A JSON value as read from a policy document, independent of how it was decoded.
enum JSONValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Converts a Foundation JSON object (`JSONSerialization` output, or native Swift collections) into a `JSONValue`.
    static func from(foundation value: Any) -> JSONValue? {
        switch value {
        case let string as String:
            return .string(string)
        case let number as NSNumber:
            // `JSONSerialization` and Swift bridging both produce NSNumber; booleans carry the "c" type encoding.
            if String(cString: number.objCType) == "c" {
                return .bool(number.boolValue)
            }
            return .number(number.doubleValue)
        case let bool as Bool:
            return .bool(bool)
        case let int as Int:
            return .number(Double(int))
        case let double as Double:
            return .number(double)
        case is NSNull:
            return .null
        case let array as [Any]:
            var items: [JSONValue] = []
            for element in array {
                guard let converted = from(foundation: element) else { return nil }
                items.append(converted)
            }
            return .array(items)
        case let dictionary as [String: Any]:
            var members: [(key: String, value: JSONValue)] = []
            for key in dictionary.keys.sorted() {
                guard let element = dictionary[key], let converted = from(foundation: element) else { return nil }
                members.append((key, converted))
            }
            return .object(members)
        default:
            return nil
        }
    }

    /// Parses JSON text into a `JSONValue`, or returns nil when the text is not valid JSON.
    static func parse(_ data: Data) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return from(foundation: object)
    }

    /// The members of an object value, or nil for any other kind of value.
    var objectMembers: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// A scalar rendered the way IAM compares it as a string: numbers without a trailing `.0` when integral.
    var scalarString: String? {
        switch self {
        case .string(let string): string
        case .bool(let bool): bool ? "true" : "false"
        case .number(let number): Self.format(number)
        default: nil
        }
    }

    /// Formats a number without a fractional part when it is integral.
    static func format(_ number: Double) -> String {
        if number.isFinite, number.rounded() == number, abs(number) < 1e15 {
            return String(Int64(number))
        }
        return String(number)
    }
}
