import Foundation

/// The scalar types a key attribute may have.
package enum ScalarAttributeType: String, Sendable, Hashable, Codable, CaseIterable {
    /// String.
    case s = "S"
    /// Number.
    case n = "N"
    /// Binary.
    case b = "B"

    /// The scalar type of a value, if it is S, N or B.
    /// - Parameter value: The value.
    package init?(of value: AttributeValue) {
        switch value {
        case .s: self = .s
        case .n: self = .n
        case .b: self = .b
        default: return nil
        }
    }
}

/// Order-preserving byte encodings of key values, so SQLite BLOB (memcmp) order equals DynamoDB's order.
package enum KeyEncoding {
    /// Encodes a key value of type S, N or B into bytes whose memcmp order equals DynamoDB's sort order.
    ///
    /// Strings are their UTF-8 bytes and binaries their raw bytes (DynamoDB orders both bytewise, a prefix
    /// first). Numbers use a sign byte, an exponent byte and one byte per digit, complemented and terminated
    /// for negatives. Only values of the same type are comparable, which holds for one key column.
    /// - Parameter value: The key value.
    /// - Returns: The sortable bytes, or `nil` when the value is not S, N or B.
    package static func sortable(_ value: AttributeValue) -> Data? {
        switch value {
        case .s(let text): Data(text.utf8)
        case .b(let data): data
        case .n(let number): sortable(number)
        default: nil
        }
    }

    /// Encodes a number so that memcmp order equals numeric order.
    /// - Parameter number: The number.
    /// - Returns: The sortable bytes.
    package static func sortable(_ number: DynamoNumber) -> Data {
        if number.isZero { return Data([0x80]) }
        // Exponent range -130...125 shifted to 0...255; clamping keeps unvalidated numbers roughly ordered.
        let shifted = UInt8(clamping: number.exponent - DynamoNumber.minExponent)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(number.digits.count + 3)
        if number.isNegative {
            bytes.append(0x40)
            bytes.append(0xFF - shifted)
            for digit in number.digits { bytes.append(0x0A - digit) }
            bytes.append(0xFF)
        } else {
            bytes.append(0xC0)
            bytes.append(shifted)
            for digit in number.digits { bytes.append(digit + 1) }
        }
        return Data(bytes)
    }

    /// The smallest byte string greater than every string that starts with `prefix`, for `begins_with` range scans.
    /// - Parameter prefix: The prefix bytes.
    /// - Returns: The exclusive upper bound, or `nil` when no finite bound exists (empty or all `0xFF`).
    package static func prefixUpperBound(_ prefix: Data) -> Data? {
        var bytes = Array(prefix)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return Data(bytes)
            }
            bytes.removeLast()
        }
        return nil
    }

    /// A stable, unambiguous byte encoding of a whole primary key, for identity and hashing.
    ///
    /// Each part is a type tag followed by a 4-byte big-endian length and the canonical bytes
    /// (numbers in canonical text form), so equal keys always give equal bytes.
    /// - Parameters:
    ///   - partition: The partition key value.
    ///   - sort: The sort key value, if the table has one.
    /// - Returns: The identity bytes.
    package static func identity(partition: AttributeValue, sort: AttributeValue?) -> Data {
        var bytes = Data()
        append(partition, to: &bytes)
        if let sort { append(sort, to: &bytes) }
        return bytes
    }

    /// The identity bytes rendered as lowercase hex, handy as a dictionary or SQL text key.
    /// - Parameters:
    ///   - partition: The partition key value.
    ///   - sort: The sort key value, if the table has one.
    /// - Returns: Hex text.
    package static func identityHex(partition: AttributeValue, sort: AttributeValue?) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: identity(partition: partition, sort: sort).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }

    private static func append(_ value: AttributeValue, to bytes: inout Data) {
        let payload: Data
        let tag: UInt8
        switch value {
        case .s(let text):
            tag = 0x53
            payload = Data(text.utf8)
        case .n(let number):
            tag = 0x4E
            payload = Data(number.description.utf8)
        case .b(let data):
            tag = 0x42
            payload = data
        default:
            tag = 0x3F
            payload = Data(value.description.utf8)
        }
        bytes.append(tag)
        let length = UInt32(clamping: payload.count)
        bytes.append(contentsOf: [UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
        bytes.append(payload)
    }
}
