import Foundation

/// A JSON value as the schema validator reads it (request bodies and model schemas).
package indirect enum SchemaJSON: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([SchemaJSON])
    /// An object.
    case object([String: SchemaJSON])

    /// Parses JSON text (any top-level value).
    /// - Parameter text: The text.
    /// - Returns: The value, or nil when the text is not JSON.
    package static func parse(_ text: String) -> SchemaJSON? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return nil }
        return from(object)
    }

    private static func from(_ value: Any) -> SchemaJSON? {
        switch value {
        case let string as String: return .string(string)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        case let array as [Any]:
            var items: [SchemaJSON] = []
            for item in array {
                guard let converted = from(item) else { return nil }
                items.append(converted)
            }
            return .array(items)
        case let object as [String: Any]:
            var members: [String: SchemaJSON] = [:]
            for (key, item) in object {
                guard let converted = from(item) else { return nil }
                members[key] = converted
            }
            return .object(members)
        case is NSNull: return .null
        default: return nil
        }
    }

    var objectValue: [String: SchemaJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// JSON Schema draft 4, the subset API Gateway models use, as request validation applies it to a body.
///
/// Enforced keywords: `type` (one name or a list; `integer` is a whole number), `enum`, `properties`, `required`,
/// `additionalProperties` (a boolean or a schema), `minProperties`/`maxProperties`, `items` (one schema or a list),
/// `additionalItems: false`, `minItems`/`maxItems`, `uniqueItems`, `minimum`/`maximum` with draft 4's boolean
/// `exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`, `minLength`/`maxLength` (in Unicode scalars), `pattern`
/// (unanchored, as ECMA 262 `test`), `allOf`/`anyOf`/`oneOf`/`not`, `$ref` to `#/...` inside the same schema and to
/// another model of the API (`https://apigateway.amazonaws.com/restapis/{id}/models/{name}`, as API Gateway writes
/// references between models). Not enforced (always pass): `format`, `patternProperties`, `dependencies`, and a `$ref`
/// to anything else.
package struct JSONSchemaValidator: Sendable {
    private let root: SchemaJSON
    private let models: [String: SchemaJSON]

    /// Creates a validator; fails when the schema's text is not a JSON object.
    /// - Parameters:
    ///   - schema: The schema's JSON text.
    ///   - models: The API's other models' schemas by name (what model URLs in `$ref` name); unparsable ones are left out.
    package init?(schema: String, models: [String: String] = [:]) {
        guard let root = SchemaJSON.parse(schema), root.objectValue != nil else { return nil }
        self.root = root
        self.models = models.compactMapValues { text in SchemaJSON.parse(text).flatMap { $0.objectValue == nil ? nil : $0 } }
    }

    private init(root: SchemaJSON, models: [String: SchemaJSON]) {
        self.root = root
        self.models = models
    }

    /// Checks a value.
    /// - Parameter value: The value.
    /// - Returns: The problems found (empty when the value is valid), each naming the JSON pointer it is at.
    package func problems(in value: SchemaJSON) -> [String] {
        var found: [String] = []
        check(value, against: root, at: "", depth: 0, into: &found)
        return found
    }

    /// Whether a value is valid.
    /// - Parameter value: The value.
    /// - Returns: Whether no keyword fails.
    package func isValid(_ value: SchemaJSON) -> Bool { problems(in: value).isEmpty }

    private func check(_ value: SchemaJSON, against schema: SchemaJSON, at pointer: String, depth: Int, into found: inout [String]) {
        // A `$ref` cycle cannot loop forever.
        guard depth < 64, let keywords = schema.objectValue else { return }
        if let reference = keywords["$ref"]?.stringValue {
            if let (target, validator) = resolve(reference) {
                validator.check(value, against: target, at: pointer, depth: depth + 1, into: &found)
            }
            return
        }
        func fail(_ problem: String) { found.append("\(pointer.isEmpty ? "/" : pointer): \(problem)") }

        if let type = keywords["type"] {
            let names: [String]
            switch type {
            case .string(let name): names = [name]
            case .array(let items): names = items.compactMap(\.stringValue)
            default: names = []
            }
            if !names.isEmpty, !names.contains(where: { Self.matches(value, type: $0) }) {
                fail("instance type (\(Self.typeName(value))) does not match any allowed primitive type (\(names.joined(separator: ", ")))")
            }
        }
        if case .array(let allowed) = keywords["enum"], !allowed.contains(value) {
            fail("instance value not found in enum")
        }
        if case .array(let schemas) = keywords["allOf"] {
            for item in schemas { check(value, against: item, at: pointer, depth: depth + 1, into: &found) }
        }
        if case .array(let schemas) = keywords["anyOf"], !schemas.contains(where: { passes(value, $0, depth) }) {
            fail("instance failed to match at least one required schema among \(schemas.count)")
        }
        if case .array(let schemas) = keywords["oneOf"], schemas.filter({ passes(value, $0, depth) }).count != 1 {
            fail("instance failed to match exactly one schema")
        }
        if let negated = keywords["not"], passes(value, negated, depth) {
            fail("instance matched a schema which it should not have")
        }

        switch value {
        case .object(let members):
            let properties = keywords["properties"]?.objectValue ?? [:]
            if case .array(let required) = keywords["required"] {
                let missing = required.compactMap(\.stringValue).filter { members[$0] == nil }
                if !missing.isEmpty { fail("object has missing required properties ([\(missing.map { "\"\($0)\"" }.joined(separator: ","))])") }
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                let child = "\(pointer)/\(Self.escape(name))"
                if let property = properties[name] {
                    check(member, against: property, at: child, depth: depth + 1, into: &found)
                    continue
                }
                switch keywords["additionalProperties"] {
                case .bool(false): fail("object instance has properties which are not allowed by the schema ([\"\(name)\"])")
                case .some(let extra) where extra.objectValue != nil: check(member, against: extra, at: child, depth: depth + 1, into: &found)
                default: break
                }
            }
            if let minimum = Self.count(keywords["minProperties"]), members.count < minimum {
                fail("object has too few properties (found \(members.count), minimum \(minimum))")
            }
            if let maximum = Self.count(keywords["maxProperties"]), members.count > maximum {
                fail("object has too many properties (found \(members.count), maximum \(maximum))")
            }
        case .array(let items):
            switch keywords["items"] {
            case .array(let tuple):
                for (index, item) in items.enumerated() {
                    if index < tuple.count {
                        check(item, against: tuple[index], at: "\(pointer)/\(index)", depth: depth + 1, into: &found)
                    } else if keywords["additionalItems"] == .bool(false) {
                        fail("array has too many items (found \(items.count), maximum \(tuple.count))")
                        break
                    }
                }
            case .some(let itemSchema) where itemSchema.objectValue != nil:
                for (index, item) in items.enumerated() {
                    check(item, against: itemSchema, at: "\(pointer)/\(index)", depth: depth + 1, into: &found)
                }
            default: break
            }
            if let minimum = Self.count(keywords["minItems"]), items.count < minimum {
                fail("array is too short: must have at least \(minimum) elements but instance has \(items.count) elements")
            }
            if let maximum = Self.count(keywords["maxItems"]), items.count > maximum {
                fail("array is too long: must have at most \(maximum) elements but instance has \(items.count) elements")
            }
            if keywords["uniqueItems"] == .bool(true) {
                for (index, item) in items.enumerated() where items[..<index].contains(item) {
                    fail("array must not contain duplicate elements")
                    break
                }
            }
        case .number(let number):
            if let minimum = keywords["minimum"]?.numberValue {
                let exclusive = keywords["exclusiveMinimum"] == .bool(true)
                if exclusive ? number <= minimum : number < minimum {
                    fail("numeric instance is lower than the required minimum (minimum: \(Self.text(minimum)), found: \(Self.text(number)))")
                }
            }
            if let maximum = keywords["maximum"]?.numberValue {
                let exclusive = keywords["exclusiveMaximum"] == .bool(true)
                if exclusive ? number >= maximum : number > maximum {
                    fail("numeric instance is greater than the required maximum (maximum: \(Self.text(maximum)), found: \(Self.text(number)))")
                }
            }
            if let divisor = keywords["multipleOf"]?.numberValue, divisor > 0 {
                let quotient = number / divisor
                if !quotient.isFinite || abs(quotient - quotient.rounded()) > 1e-9 {
                    fail("remainder of division is not zero (\(Self.text(number)) / \(Self.text(divisor)))")
                }
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = Self.count(keywords["minLength"]), length < minimum {
                fail("string \"\(text)\" is too short (length: \(length), required minimum: \(minimum))")
            }
            if let maximum = Self.count(keywords["maxLength"]), length > maximum {
                fail("string \"\(text)\" is too long (length: \(length), maximum allowed: \(maximum))")
            }
            if let pattern = keywords["pattern"]?.stringValue, let expression = try? NSRegularExpression(pattern: pattern) {
                let range = NSRange(text.startIndex..<text.endIndex, in: text)
                if expression.firstMatch(in: text, range: range) == nil {
                    fail("ECMA 262 regex \"\(pattern)\" does not match input string \"\(text)\"")
                }
            }
        case .bool, .null:
            break
        }
    }

    private func passes(_ value: SchemaJSON, _ schema: SchemaJSON, _ depth: Int) -> Bool {
        var found: [String] = []
        check(value, against: schema, at: "", depth: depth + 1, into: &found)
        return found.isEmpty
    }

    /// A `#/...` JSON pointer inside the schema, or another model of the API (with the validator whose root it is);
    /// nil for other references (not enforced).
    private func resolve(_ reference: String) -> (SchemaJSON, JSONSchemaValidator)? {
        if reference.hasPrefix("https://apigateway.amazonaws.com/restapis/"), let range = reference.range(of: "/models/", options: .backwards) {
            guard let model = models[String(reference[range.upperBound...])] else { return nil }
            return (model, JSONSchemaValidator(root: model, models: models))
        }
        guard reference == "#" || reference.hasPrefix("#/") else { return nil }
        var current = root
        for segment in reference.dropFirst(2).split(separator: "/") {
            let key = segment.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let members):
                guard let next = members[key] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return (current, self)
    }

    private static func matches(_ value: SchemaJSON, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number):
            return true
        case ("integer", .number(let number)):
            return number.isFinite && number.rounded() == number
        default:
            return false
        }
    }

    private static func typeName(_ value: SchemaJSON) -> String {
        switch value {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .bool: "boolean"
        case .null: "null"
        case .number(let number): number.rounded() == number ? "integer" : "number"
        }
    }

    /// A non-negative whole number keyword.
    private static func count(_ value: SchemaJSON?) -> Int? {
        guard let number = value?.numberValue, number >= 0, number < 1e15 else { return nil }
        return Int(number)
    }

    private static func text(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    private static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
