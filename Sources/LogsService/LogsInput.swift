import Foundation

/// A request body decoded as a JSON object, with typed accessors that fail as AWS does for wrong types.
struct LogsInput {
    private let object: [String: Any]

    /// Decodes a body; an empty body is an empty object.
    init(_ data: Data) throws(LogsError) {
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

    func string(_ key: String) throws(LogsError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw .serialization("STRING_VALUE can not be converted to a String") }
        return text
    }

    func bool(_ key: String) throws(LogsError) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, Self.isBoolean(number) else { throw .serialization("Expected a boolean for \(key)") }
        return number.boolValue
    }

    func int(_ key: String) throws(LogsError) -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number), number.doubleValue == number.doubleValue.rounded(),
            abs(number.doubleValue) < 1e17
        else { throw .serialization("Expected an integer for \(key)") }
        return number.intValue
    }

    func strings(_ key: String) throws(LogsError) -> [String] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any], let strings = list as? [String] else { throw .serialization("Expected a list of strings for \(key)") }
        return strings
    }

    func objects(_ key: String) throws(LogsError) -> [LogsInput] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any], let objects = list as? [[String: Any]] else {
            throw .serialization("Expected a list of structures for \(key)")
        }
        return objects.map { LogsInput(object: $0) }
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
