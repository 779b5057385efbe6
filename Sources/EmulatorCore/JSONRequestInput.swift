import Foundation

/// A service error that can say a JSON request body does not have the shape the operation expects.
package protocol JSONInputFailure: Error {
    /// The error for a body or member of the wrong shape (AWS's `SerializationException`).
    /// - Parameter message: What was wrong.
    /// - Returns: The error.
    static func serialization(_ message: String) -> Self
}

/// A JSON protocol request body decoded as an object, with typed accessors that fail as AWS does for wrong types;
/// each service names its own error (`JSONRequestInput<CognitoError>`, `JSONRequestInput<LogsError>`).
package struct JSONRequestInput<Failure: JSONInputFailure> {
    private let object: [String: Any]

    /// Decodes a body; an empty body is an empty object.
    /// - Parameter data: The body.
    /// - Throws: The service's serialization error when the body is not a JSON object.
    package init(_ data: Data) throws(Failure) {
        guard !data.isEmpty else {
            object = [:]
            return
        }
        guard let value = try? JSONSerialization.jsonObject(with: data), let object = value as? [String: Any] else {
            throw Failure.serialization("Start of structure or map found where not expected.")
        }
        self.object = object
    }

    private init(object: [String: Any]) {
        self.object = object
    }

    /// Whether the member is present and not null.
    /// - Parameter key: The member name.
    /// - Returns: Whether it is there.
    package func contains(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    /// A string member; nil when absent or null.
    /// - Parameter key: The member name.
    /// - Returns: The string.
    /// - Throws: The service's serialization error when the member is not a string.
    package func string(_ key: String) throws(Failure) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw Failure.serialization("STRING_VALUE can not be converted to a String") }
        return text
    }

    /// A boolean member; nil when absent or null.
    /// - Parameter key: The member name.
    /// - Returns: The boolean.
    /// - Throws: The service's serialization error when the member is not a boolean.
    package func bool(_ key: String) throws(Failure) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        if let number = value as? NSNumber, Self.isBoolean(number) { return number.boolValue }
        if let flag = value as? Bool, !(value is NSNumber) { return flag }
        throw Failure.serialization("Expected a boolean for \(key)")
    }

    /// An integer member (exact, below 10^15 in magnitude); nil when absent or null.
    /// - Parameter key: The member name.
    /// - Returns: The integer.
    /// - Throws: The service's serialization error when the member is not such an integer.
    package func int(_ key: String) throws(Failure) -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number), number.doubleValue == number.doubleValue.rounded(),
            abs(number.doubleValue) < 1e15
        else { throw Failure.serialization("Expected an integer for \(key)") }
        return number.intValue
    }

    /// A list of strings; empty when absent or null.
    /// - Parameter key: The member name.
    /// - Returns: The strings.
    /// - Throws: The service's serialization error when the member is not a list of strings.
    package func strings(_ key: String) throws(Failure) -> [String] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any], let strings = list as? [String] else {
            throw Failure.serialization("Expected a list of strings for \(key)")
        }
        return strings
    }

    /// A map of strings; empty when absent or null.
    /// - Parameter key: The member name.
    /// - Returns: The map.
    /// - Throws: The service's serialization error when the member is not a map of strings.
    package func stringMap(_ key: String) throws(Failure) -> [String: String] {
        guard let value = object[key], !(value is NSNull) else { return [:] }
        guard let map = value as? [String: Any], let strings = map as? [String: String] else {
            throw Failure.serialization("Expected a map of strings for \(key)")
        }
        return strings
    }

    /// A list of structures, each as an input of its own; empty when absent or null.
    /// - Parameter key: The member name.
    /// - Returns: The structures.
    /// - Throws: The service's serialization error when the member is not a list of objects.
    package func objects(_ key: String) throws(Failure) -> [JSONRequestInput] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any], let objects = list as? [[String: Any]] else {
            throw Failure.serialization("Expected a list of structures for \(key)")
        }
        return objects.map { JSONRequestInput(object: $0) }
    }

    /// A structure member as an input of its own; nil when absent or null.
    /// - Parameter key: The member name.
    /// - Returns: The structure.
    /// - Throws: The service's serialization error when the member is not an object.
    package func structure(_ key: String) throws(Failure) -> JSONRequestInput? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let map = value as? [String: Any] else { throw Failure.serialization("Expected a structure for \(key)") }
        return JSONRequestInput(object: map)
    }

    /// JSONSerialization reports booleans as `NSNumber` of type `c` (char).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// A member re-serialised as JSON text (for values kept verbatim).
    /// - Parameter key: The member name.
    /// - Returns: The JSON text, or nil when absent, null or not serialisable.
    package func rawJSON(_ key: String) -> String? {
        guard let value = object[key], !(value is NSNull), JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
