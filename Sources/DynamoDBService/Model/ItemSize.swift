import Foundation

/// Item sizes as DynamoDB computes them, and the capacity units derived from them.
package enum ItemSize {
    /// Maximum item size: 400 KB.
    package static let maximumItemBytes = 400 * 1024

    /// Size of a whole item: for each attribute, UTF-8 length of its name plus the size of its value.
    /// - Parameter item: The item.
    /// - Returns: Size in bytes.
    package static func of(_ item: Item) -> Int {
        item.reduce(0) { $0 + $1.key.utf8.count + of($1.value) }
    }

    /// Size of one value, excluding its attribute name.
    ///
    /// Strings: UTF-8 bytes. Binaries: raw bytes. Numbers: one byte per base-100 digit plus one (plus one
    /// more for negatives), i.e. about one byte per two significant digits plus one. Null and Boolean: 1 byte.
    /// Lists and maps: 3 bytes plus 1 byte per element plus the elements (map keys count their UTF-8 bytes).
    /// Sets: the sum of their members.
    /// - Parameter value: The value.
    /// - Returns: Size in bytes.
    package static func of(_ value: AttributeValue) -> Int {
        switch value {
        case .s(let text): text.utf8.count
        case .b(let data): data.count
        case .n(let number): of(number)
        case .bool, .null: 1
        case .l(let list): 3 + list.reduce(0) { $0 + 1 + of($1) }
        case .m(let map): 3 + map.reduce(0) { $0 + 1 + $1.key.utf8.count + of($1.value) }
        case .ss(let set): set.reduce(0) { $0 + $1.utf8.count }
        case .ns(let set): set.reduce(0) { $0 + of($1) }
        case .bs(let set): set.reduce(0) { $0 + $1.count }
        }
    }

    /// Size of a number: exponent byte + one byte per base-100 digit (+ one terminator byte when negative).
    /// - Parameter number: The number.
    /// - Returns: Size in bytes.
    package static func of(_ number: DynamoNumber) -> Int {
        guard !number.isZero else { return 1 }
        let firstPair = floorDivide(number.exponent, 2)
        let lastPair = floorDivide(number.exponent - number.digits.count + 1, 2)
        return 1 + (firstPair - lastPair + 1) + (number.isNegative ? 1 : 0)
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// Maximum nesting of maps and lists.
    package static let maximumNestingDepth = 32

    /// How deeply maps and lists nest inside a value (0 for scalars and sets).
    /// - Parameter value: The value.
    /// - Returns: The nesting depth.
    package static func nestingDepth(_ value: AttributeValue) -> Int {
        switch value {
        case .m(let map): 1 + (map.values.map(nestingDepth).max() ?? 0)
        case .l(let list): 1 + (list.map(nestingDepth).max() ?? 0)
        default: 0
        }
    }

    /// Throws AWS's ValidationException when an item nests deeper than 32 levels or is larger than 400 KB.
    /// - Parameters:
    ///   - item: The item.
    ///   - forUpdate: Use the UpdateItem wording ("Item size to update has exceeded ...").
    /// - Throws: `ValidationException` with "Nesting Levels have exceeded supported limits" or "Item size has exceeded the maximum allowed size".
    package static func validate(_ item: Item, forUpdate: Bool = false) throws(DynamoDBError) {
        if item.values.contains(where: { nestingDepth($0) > maximumNestingDepth }) {
            throw .validation(DynamoDBMessages.nestingTooDeep)
        }
        if of(item) > maximumItemBytes {
            throw .validation(forUpdate ? DynamoDBMessages.itemToUpdateTooLarge : DynamoDBMessages.itemTooLarge)
        }
    }

    /// Read capacity units for reading items of the given total size: 4 KB units, at least one.
    /// - Parameters:
    ///   - bytes: Item size (or summed size for Query/Scan).
    ///   - consistentRead: Strongly consistent reads cost 1 unit per 4 KB, eventually consistent ones half.
    ///   - transactional: Transactional reads cost twice a strongly consistent read.
    /// - Returns: Capacity units.
    package static func readCapacityUnits(bytes: Int, consistentRead: Bool, transactional: Bool = false) -> Double {
        let units = Double(max(1, (bytes + 4095) / 4096))
        if transactional { return units * 2 }
        return consistentRead ? units : units / 2
    }

    /// Write capacity units for writing an item of the given size: 1 KB units, at least one.
    /// - Parameters:
    ///   - bytes: Item size (the larger of old and new image for updates).
    ///   - transactional: Transactional writes cost twice as much.
    /// - Returns: Capacity units.
    package static func writeCapacityUnits(bytes: Int, transactional: Bool = false) -> Double {
        let units = Double(max(1, (bytes + 1023) / 1024))
        return transactional ? units * 2 : units
    }
}
