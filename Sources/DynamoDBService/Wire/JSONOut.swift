import EmulatorCore
import Foundation

/// A JSON value as the service writes it, serialised by hand so stored item JSON can be spliced in unchanged.
indirect enum JSONOut: Sendable {
    /// A string.
    case string(String)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// An array.
    case array([JSONOut])
    /// An object with members in order.
    case object([(String, JSONOut)])
    /// A DynamoDB item in wire JSON.
    case item(Item)
    /// A DynamoDB attribute value in wire JSON.
    case value(AttributeValue)
    /// Bytes that already are valid JSON (an item blob read from the store).
    case raw(Data)

    /// The serialised bytes.
    var data: Data {
        var out = Data()
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    func write(to out: inout Data) {
        switch self {
        case .string(let text): Self.writeString(text, to: &out)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number == number.rounded(), abs(number) < 1e15 {
                out.append(contentsOf: String(Int(number)).utf8)
                out.append(contentsOf: ".0".utf8)
            } else {
                out.append(contentsOf: String(number).utf8)
            }
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.0, to: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .item(let item): Self.writeItem(item, to: &out)
        case .value(let value): Self.writeValue(value, to: &out)
        case .raw(let bytes): out.append(bytes)
        }
    }

    static func writeItem(_ item: Item, to out: inout Data) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for key in item.keys.sorted() {
            guard let value = item[key] else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            writeValue(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func writeValue(_ value: AttributeValue, to out: inout Data) {
        out.append(contentsOf: "{\"".utf8)
        out.append(contentsOf: value.typeDescriptor.utf8)
        out.append(contentsOf: "\":".utf8)
        switch value {
        case .s(let text): writeString(text, to: &out)
        case .n(let number): writeString(number.description, to: &out)
        case .b(let data): writeString(data.base64EncodedString(), to: &out)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "true".utf8)
        case .m(let map): writeItem(map, to: &out)
        case .l(let list):
            out.append(UInt8(ascii: "["))
            for (index, element) in list.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeValue(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .ss(let set): writeStrings(set, to: &out)
        case .ns(let set): writeStrings(set.map(\.description), to: &out)
        case .bs(let set): writeStrings(set.map { $0.base64EncodedString() }, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeStrings(_ strings: [String], to out: inout Data) {
        out.append(UInt8(ascii: "["))
        for (index, text) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(text, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func writeString(_ text: String, to out: inout Data) {
        JSONString.write(text, to: &out)
    }
}

/// Item blobs as the store keeps them: wire JSON with sorted keys.
enum ItemCodec {
    /// Encodes an item for storage.
    static func encode(_ item: Item) -> Data {
        var out = Data()
        out.reserveCapacity(128)
        JSONOut.writeItem(item, to: &out)
        return out
    }

    /// Decodes a stored item (stored blobs were validated when written).
    static func decode(_ data: Data) -> Item {
        (try? AttributeValue.decodeItem(json: data)) ?? [:]
    }
}

/// CRC32 (IEEE) of a response body, as DynamoDB sends in `x-amz-crc32`.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// The checksum of `data`.
    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        data.withUnsafeBytes { buffer in
            for byte in buffer { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
