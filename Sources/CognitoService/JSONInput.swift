import Foundation

/// A request body decoded as a JSON object, with typed accessors that fail as AWS does for wrong types.
struct JSONInput {
    private let object: [String: Any]

    /// Decodes a body; an empty body is an empty object.
    init(_ data: Data) throws(CognitoError) {
        guard !data.isEmpty else {
            object = [:]
            return
        }
        guard let value = try? JSONSerialization.jsonObject(with: data), let object = value as? [String: Any] else {
            throw .serialization("Start of structure or map found where not expected.")
        }
        self.object = object
    }

    private init(object: [String: Any]) {
        self.object = object
    }

    func contains(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    func string(_ key: String) throws(CognitoError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw .serialization("STRING_VALUE can not be converted to a String") }
        return text
    }

    func bool(_ key: String) throws(CognitoError) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        if let number = value as? NSNumber, Self.isBoolean(number) { return number.boolValue }
        if let flag = value as? Bool, !(value is NSNumber) { return flag }
        throw .serialization("Expected a boolean for \(key)")
    }

    func int(_ key: String) throws(CognitoError) -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number), number.doubleValue == number.doubleValue.rounded(),
            abs(number.doubleValue) < 1e15
        else { throw .serialization("Expected an integer for \(key)") }
        return number.intValue
    }

    func strings(_ key: String) throws(CognitoError) -> [String] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any], let strings = list as? [String] else { throw .serialization("Expected a list of strings for \(key)") }
        return strings
    }

    func stringMap(_ key: String) throws(CognitoError) -> [String: String] {
        guard let value = object[key], !(value is NSNull) else { return [:] }
        guard let map = value as? [String: Any], let strings = map as? [String: String] else {
            throw .serialization("Expected a map of strings for \(key)")
        }
        return strings
    }

    func objects(_ key: String) throws(CognitoError) -> [JSONInput] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any], let objects = list as? [[String: Any]] else {
            throw .serialization("Expected a list of structures for \(key)")
        }
        return objects.map { JSONInput(object: $0) }
    }

    /// JSONSerialization reports booleans as `NSNumber` of type `c` (char).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// A member re-serialised as JSON text (for values kept verbatim).
    func rawJSON(_ key: String) -> String? {
        guard let value = object[key], !(value is NSNull), JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
