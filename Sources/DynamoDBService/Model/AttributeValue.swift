import Foundation

/// A DynamoDB item: attribute name to value.
package typealias Item = [String: AttributeValue]

/// A DynamoDB attribute value, as carried in the JSON protocol (`{"S": "x"}`, `{"N": "1"}`, ...).
package indirect enum AttributeValue: Sendable, Hashable, CustomStringConvertible {
    /// String.
    case s(String)
    /// Number (exact decimal).
    case n(DynamoNumber)
    /// Binary.
    case b(Data)
    /// Boolean.
    case bool(Bool)
    /// Null (always true on the wire).
    case null
    /// Map.
    case m([String: AttributeValue])
    /// List.
    case l([AttributeValue])
    /// String set (order as received, no duplicates).
    case ss([String])
    /// Number set.
    case ns([DynamoNumber])
    /// Binary set.
    case bs([Data])

    /// The wire type descriptor: `S`, `N`, `B`, `BOOL`, `NULL`, `M`, `L`, `SS`, `NS` or `BS`.
    package var typeDescriptor: String {
        switch self {
        case .s: "S"
        case .n: "N"
        case .b: "B"
        case .bool: "BOOL"
        case .null: "NULL"
        case .m: "M"
        case .l: "L"
        case .ss: "SS"
        case .ns: "NS"
        case .bs: "BS"
        }
    }

    /// AWS's long type name used in ADD/DELETE operand errors (`STRING`, `NUMBER`, `MAP`, ...).
    package var longTypeName: String {
        switch self {
        case .s: "STRING"
        case .n: "NUMBER"
        case .b: "BINARY"
        case .bool: "BOOLEAN"
        case .null: "NULL"
        case .m: "MAP"
        case .l: "LIST"
        case .ss: "STRING_SET"
        case .ns: "NUMBER_SET"
        case .bs: "BINARY_SET"
        }
    }

    /// Whether the value is one of the three set types.
    package var isSet: Bool {
        switch self {
        case .ss, .ns, .bs: true
        default: false
        }
    }

    /// The value rendered like AWS does inside operand descriptions, e.g. `N:10` or `S:abc`.
    package var operandDescription: String {
        switch self {
        case .s(let text): "S:\(text)"
        case .n(let number): "N:\(number)"
        case .b(let data): "B:\(data.base64EncodedString())"
        default: "\(typeDescriptor):\(description)"
        }
    }

    /// A compact, JSON-like rendering for diagnostics.
    package var description: String {
        switch self {
        case .s(let text): "\"\(text)\""
        case .n(let number): number.description
        case .b(let data): "<\(data.base64EncodedString())>"
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .m(let map): "{" + map.keys.sorted().map { "\($0): \(map[$0]?.description ?? "")" }.joined(separator: ", ") + "}"
        case .l(let list): "[" + list.map(\.description).joined(separator: ", ") + "]"
        case .ss(let set): "SS[" + set.joined(separator: ", ") + "]"
        case .ns(let set): "NS[" + set.map(\.description).joined(separator: ", ") + "]"
        case .bs(let set): "BS[" + set.map { $0.base64EncodedString() }.joined(separator: ", ") + "]"
        }
    }

    /// DynamoDB equality: sets compare as sets, numbers numerically, maps and lists deeply.
    /// - Parameters:
    ///   - lhs: Left value.
    ///   - rhs: Right value.
    /// - Returns: Whether the values are equal.
    package static func == (lhs: AttributeValue, rhs: AttributeValue) -> Bool {
        switch (lhs, rhs) {
        case (.s(let left), .s(let right)): left == right
        case (.n(let left), .n(let right)): left == right
        case (.b(let left), .b(let right)): left == right
        case (.bool(let left), .bool(let right)): left == right
        case (.null, .null): true
        case (.m(let left), .m(let right)): left == right
        case (.l(let left), .l(let right)): left == right
        case (.ss(let left), .ss(let right)): Set(left) == Set(right)
        case (.ns(let left), .ns(let right)): Set(left) == Set(right)
        case (.bs(let left), .bs(let right)): Set(left) == Set(right)
        default: false
        }
    }

    /// Hashing consistent with `==` (set members hashed order-independently).
    /// - Parameter hasher: The hasher.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(typeDescriptor)
        switch self {
        case .s(let text): hasher.combine(text)
        case .n(let number): hasher.combine(number)
        case .b(let data): hasher.combine(data)
        case .bool(let flag): hasher.combine(flag)
        case .null: break
        case .m(let map): hasher.combine(map)
        case .l(let list): hasher.combine(list)
        case .ss(let set): hasher.combine(Set(set))
        case .ns(let set): hasher.combine(Set(set))
        case .bs(let set): hasher.combine(Set(set))
        }
    }

    /// Orders two scalar values of the same type (S by UTF-8 bytes, N numerically, B bytewise).
    /// - Parameters:
    ///   - lhs: Left value.
    ///   - rhs: Right value.
    /// - Returns: -1, 0 or 1; `nil` when the values are not both S, both N or both B.
    package static func compareScalars(_ lhs: AttributeValue, _ rhs: AttributeValue) -> Int? {
        switch (lhs, rhs) {
        case (.s(let left), .s(let right)): compareBytes(Array(left.utf8), Array(right.utf8))
        case (.n(let left), .n(let right)): DynamoNumber.compare(left, right)
        case (.b(let left), .b(let right)): compareBytes(Array(left), Array(right))
        default: nil
        }
    }

    /// Lexicographic unsigned byte comparison, shorter prefix first.
    /// - Parameters:
    ///   - lhs: Left bytes.
    ///   - rhs: Right bytes.
    /// - Returns: -1, 0 or 1.
    package static func compareBytes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        for (left, right) in zip(lhs, rhs) where left != right {
            return left < right ? -1 : 1
        }
        if lhs.count == rhs.count { return 0 }
        return lhs.count < rhs.count ? -1 : 1
    }
}

// MARK: - Wire JSON codec

extension AttributeValue: Codable {
    private struct TypeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let typeKeys: Set<String> = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]

    /// Decodes and validates wire JSON. Validation failures are thrown as `DynamoDBError`; when the value sits
    /// inside `ExpressionAttributeValues` the message gets AWS's "ExpressionAttributeValues contains invalid value" wrapping.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DynamoDBError` (ValidationException / SerializationException) or `DecodingError`.
    package init(from decoder: any Decoder) throws {
        do {
            self = try Self.decodeValue(from: decoder)
        } catch let error as DynamoDBError {
            guard error.code == .validationException else { throw error }
            let path = decoder.codingPath.map(\.stringValue)
            if let position = path.firstIndex(of: "ExpressionAttributeValues"), position + 1 < path.count,
                !error.message.hasPrefix("ExpressionAttributeValues")
            {
                throw DynamoDBError.validation(DynamoDBMessages.invalidExpressionAttributeValue(error.message, key: path[position + 1]))
            }
            throw error
        }
    }

    private static func decodeValue(from decoder: any Decoder) throws -> AttributeValue {
        let container: KeyedDecodingContainer<TypeKey>
        do {
            container = try decoder.container(keyedBy: TypeKey.self)
        } catch {
            throw DynamoDBError.serialization(DynamoDBMessages.unexpectedJSON)
        }
        let present = container.allKeys.filter { typeKeys.contains($0.stringValue) }.sorted { $0.stringValue < $1.stringValue }
        guard !present.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.attributeValueEmpty) }
        // DynamoDB validates each member before complaining that several are set.
        var decoded: [AttributeValue] = []
        for member in present { decoded.append(try decodeMember(container, member)) }
        guard present.count == 1, let value = decoded.first else {
            throw DynamoDBError.validation(DynamoDBMessages.attributeValueMultipleTypes)
        }
        return value
    }

    private static func decodeMember(_ container: KeyedDecodingContainer<TypeKey>, _ key: TypeKey) throws -> AttributeValue {
        switch key.stringValue {
        case "S":
            return .s(try decodeString(container, key))
        case "N":
            return .n(try DynamoNumber(parsing: try decodeString(container, key)))
        case "B":
            return .b(try decodeBase64(try decodeString(container, key)))
        case "BOOL":
            guard let flag = try? container.decode(Bool.self, forKey: key) else {
                throw DynamoDBError.serialization(DynamoDBMessages.stringValueNotBoolean)
            }
            return .bool(flag)
        case "NULL":
            guard let flag = try? container.decode(Bool.self, forKey: key) else {
                throw DynamoDBError.serialization(DynamoDBMessages.stringValueNotBoolean)
            }
            guard flag else { throw DynamoDBError.validation(DynamoDBMessages.nullMustBeTrue) }
            return .null
        case "M":
            return .m(try container.decode([String: AttributeValue].self, forKey: key))
        case "L":
            return .l(try container.decode([AttributeValue].self, forKey: key))
        case "SS":
            let strings = try decodeStrings(container, key)
            guard !strings.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.emptySet("string")) }
            if Set(strings).count != strings.count { throw DynamoDBError.validation(DynamoDBMessages.duplicateStringSetValues(strings)) }
            return .ss(strings)
        case "NS":
            let strings = try decodeStrings(container, key)
            guard !strings.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.emptySet("number")) }
            var numbers: [DynamoNumber] = []
            for text in strings { numbers.append(try DynamoNumber(parsing: text)) }
            if Set(numbers).count != numbers.count { throw DynamoDBError.validation(DynamoDBMessages.duplicateNumberSetValues) }
            return .ns(numbers)
        default:
            let strings = try decodeStrings(container, key)
            guard !strings.isEmpty else { throw DynamoDBError.validation(DynamoDBMessages.emptyBinarySet) }
            var blobs: [Data] = []
            for text in strings { blobs.append(try decodeBase64(text)) }
            if Set(blobs).count != blobs.count { throw DynamoDBError.validation(DynamoDBMessages.duplicateBinarySetValues(strings)) }
            return .bs(blobs)
        }
    }

    private static func decodeString(_ container: KeyedDecodingContainer<TypeKey>, _ key: TypeKey) throws -> String {
        if let text = try? container.decode(String.self, forKey: key) { return text }
        if (try? container.decode(Double.self, forKey: key)) != nil {
            throw DynamoDBError.serialization(DynamoDBMessages.numberValueNotString)
        }
        throw DynamoDBError.serialization(DynamoDBMessages.unexpectedJSON)
    }

    private static func decodeStrings(_ container: KeyedDecodingContainer<TypeKey>, _ key: TypeKey) throws -> [String] {
        if let strings = try? container.decode([String].self, forKey: key) { return strings }
        if (try? container.decode([Double].self, forKey: key)) != nil {
            throw DynamoDBError.serialization(DynamoDBMessages.numberValueNotString)
        }
        throw DynamoDBError.serialization(DynamoDBMessages.unexpectedJSON)
    }

    private static func decodeBase64(_ text: String) throws -> Data {
        guard let data = Data(base64Encoded: text) else {
            throw DynamoDBError.serialization(DynamoDBMessages.invalidBase64(length: text.utf8.count))
        }
        return data
    }

    /// Encodes the value as wire JSON with canonical numbers and base64 binaries.
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        let key = TypeKey(stringValue: typeDescriptor)
        switch self {
        case .s(let text): try container.encode(text, forKey: key)
        case .n(let number): try container.encode(number.description, forKey: key)
        case .b(let data): try container.encode(data.base64EncodedString(), forKey: key)
        case .bool(let flag): try container.encode(flag, forKey: key)
        case .null: try container.encode(true, forKey: key)
        case .m(let map): try container.encode(map, forKey: key)
        case .l(let list): try container.encode(list, forKey: key)
        case .ss(let set): try container.encode(set, forKey: key)
        case .ns(let set): try container.encode(set.map(\.description), forKey: key)
        case .bs(let set): try container.encode(set.map { $0.base64EncodedString() }, forKey: key)
        }
    }

    /// The one decoder of request and stored JSON (thread-safe; making one per call costs allocations on every
    /// request).
    static let wireDecoder = JSONDecoder()

    /// Decodes one wire-JSON attribute value.
    /// - Parameter data: JSON such as `{"S":"x"}`.
    /// - Returns: The value.
    /// - Throws: `DynamoDBError` (ValidationException or SerializationException).
    package static func decode(json data: Data) throws(DynamoDBError) -> AttributeValue {
        do {
            return try wireDecoder.decode(AttributeValue.self, from: data)
        } catch {
            throw DynamoDBError.fromDecoding(error)
        }
    }

    /// Decodes a wire-JSON item (`{"name": {"S": "x"}, ...}`).
    /// - Parameter data: The JSON object.
    /// - Returns: The item.
    /// - Throws: `DynamoDBError` (ValidationException or SerializationException).
    package static func decodeItem(json data: Data) throws(DynamoDBError) -> Item {
        do {
            return try wireDecoder.decode(Item.self, from: data)
        } catch {
            throw DynamoDBError.fromDecoding(error)
        }
    }

    /// Encodes an item as wire JSON with sorted keys.
    /// - Parameter item: The item.
    /// - Returns: The JSON bytes.
    package static func encodeItem(_ item: Item) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(item)) ?? Data("{}".utf8)
    }
}
