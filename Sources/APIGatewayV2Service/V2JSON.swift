import Foundation

/// A JSON value as the API Gateway v2 control plane reads it from requests and stores it in its documents.
package enum V2JSON: Sendable, Equatable {
    /// A string.
    case string(String)
    /// A number.
    case number(Double)
    /// A boolean.
    case bool(Bool)
    /// `null`.
    case null
    /// An array.
    case array([V2JSON])
    /// An object.
    case object([String: V2JSON])

    /// Parses a JSON document.
    /// - Parameter data: The bytes.
    /// - Returns: The value, or nil when the bytes are not JSON.
    package static func parse(_ data: Data) -> V2JSON? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return from(foundation: object)
    }

    /// Converts `JSONSerialization` output.
    /// - Parameter value: A Foundation JSON value.
    /// - Returns: The value, or nil for a non-JSON type.
    package static func from(foundation value: Any) -> V2JSON? {
        switch value {
        case let string as String: return .string(string)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        case is NSNull: return .null
        case let array as [Any]:
            var items: [V2JSON] = []
            for element in array {
                guard let item = from(foundation: element) else { return nil }
                items.append(item)
            }
            return .array(items)
        case let dictionary as [String: Any]:
            var members: [String: V2JSON] = [:]
            for (key, element) in dictionary {
                guard let item = from(foundation: element) else { return nil }
                members[key] = item
            }
            return .object(members)
        default: return nil
        }
    }

    /// The value as `JSONSerialization` input.
    package var foundation: Any {
        switch self {
        case .string(let text): return text
        case .number(let number):
            // Whole numbers are written without a fraction (timeoutInMillis, authorizerResultTtlInSeconds).
            if number.rounded() == number, abs(number) < 9.0e15 { return Int64(number) }
            return number
        case .bool(let flag): return flag
        case .null: return NSNull()
        case .array(let items): return items.map(\.foundation)
        case .object(let members): return members.mapValues(\.foundation)
        }
    }

    /// The serialised document (sorted keys).
    package var data: Data {
        (try? JSONSerialization.data(withJSONObject: foundation, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]))
            ?? Data("null".utf8)
    }

    /// The text, for a string.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The flag, for a boolean.
    package var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The whole number, for a number without a fraction in `Int` range.
    package var intValue: Int? {
        guard case .number(let number) = self, number.rounded() == number, abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }

    /// The members, for an object.
    package var objectValue: [String: V2JSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The strings, for an array of strings.
    package var stringList: [String]? {
        guard case .array(let items) = self else { return nil }
        var strings: [String] = []
        for item in items {
            guard let text = item.stringValue else { return nil }
            strings.append(text)
        }
        return strings
    }

    /// The string map, for an object whose members are all strings.
    package var stringMap: [String: String]? {
        guard case .object(let members) = self else { return nil }
        var map: [String: String] = [:]
        for (key, value) in members {
            guard let text = value.stringValue else { return nil }
            map[key] = text
        }
        return map
    }
}

/// The JSON type an API Gateway request member must have (both control planes read bodies this way).
package enum JSONMemberType: Sendable {
    /// A string.
    case string
    /// A boolean.
    case bool
    /// A whole number.
    case int
    /// A list of strings.
    case stringList
    /// A map of strings.
    case stringMap
    /// Any object.
    case object
    /// Any list.
    case list

    /// Whether a value has this type.
    /// - Parameter value: The value.
    /// - Returns: True when it does.
    package func matches(_ value: V2JSON) -> Bool {
        switch self {
        case .string: value.stringValue != nil
        case .bool: value.boolValue != nil
        case .int: value.intValue != nil
        case .stringList: value.stringList != nil
        case .stringMap: value.stringMap != nil
        case .object: value.objectValue != nil
        case .list: if case .array = value { true } else { false }
        }
    }

    /// Keeps the members `types` names, checking their types (`null` members are dropped, as unset), and that every
    /// `required` member is there.
    /// - Parameters:
    ///   - body: The request body's members.
    ///   - types: The members a request takes (others are ignored, as AWS's JSON reader does).
    ///   - required: The members that must be present.
    /// - Returns: The accepted members, or the `BadRequestException` message for the first problem.
    package static func accepted(_ body: [String: V2JSON], types: [String: JSONMemberType], required: [String]) -> Result<[String: V2JSON], BadBody> {
        var accepted: [String: V2JSON] = [:]
        for (name, value) in body {
            guard let type = types[name], value != .null else { continue }
            guard type.matches(value) else { return .failure(BadBody(message: "Invalid request body: '\(name)' has the wrong type")) }
            accepted[name] = value
        }
        for name in required where accepted[name] == nil {
            return .failure(BadBody(message: "Invalid request body: missing required property '\(name)'"))
        }
        return .success(accepted)
    }

    /// Why a request body was refused (the `BadRequestException` message).
    package struct BadBody: Error, Sendable {
        /// The message.
        package var message: String
    }
}
