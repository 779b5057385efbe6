import Foundation

/// An exact DynamoDB number: up to 38 significant decimal digits, magnitude 1E-130 through 9.99…E+125.
///
/// Stored as sign, significant digits (no leading or trailing zeros) and the decimal exponent of the
/// first digit, so the value is `±d₀.d₁d₂… × 10^exponent`. Zero has no digits.
package struct DynamoNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Maximum number of significant digits DynamoDB stores.
    package static let maxSignificantDigits = 38
    /// Largest allowed exponent of the first significant digit.
    package static let maxExponent = 125
    /// Smallest allowed exponent of the first significant digit.
    package static let minExponent = -130

    /// Whether the number is below zero (never true for zero).
    package let isNegative: Bool
    /// Significant digits, most significant first, each 0...9; empty for zero.
    package let digits: [UInt8]
    /// Decimal exponent of the first significant digit (0 for zero).
    package let exponent: Int

    /// Zero.
    package static let zero = DynamoNumber(isNegative: false, digits: [], exponent: 0)

    /// Builds a number from parts, normalising leading/trailing zeros. No range validation.
    /// - Parameters:
    ///   - isNegative: Sign.
    ///   - digits: Digits, most significant first.
    ///   - exponent: Exponent of `digits[0]`.
    init(isNegative: Bool, digits: [UInt8], exponent: Int) {
        var start = 0
        while start < digits.count && digits[start] == 0 { start += 1 }
        var end = digits.count
        while end > start && digits[end - 1] == 0 { end -= 1 }
        if start == end {
            self.isNegative = false
            self.digits = []
            self.exponent = 0
        } else {
            self.isNegative = isNegative
            self.digits = Array(digits[start..<end])
            self.exponent = exponent - start
        }
    }

    /// Parses and validates a number string as DynamoDB does (`"1.50"`, `"-3e4"`, `".5"`, ...).
    /// - Parameter text: The `N` string from the request.
    /// - Throws: `ValidationException` when the string is not numeric, out of range, or too precise.
    package init(parsing text: String) throws(DynamoDBError) {
        let parsed = try Self.parseUnchecked(text)
        try parsed.validateRange()
        self = parsed
    }

    /// Creates a number from an integer.
    /// - Parameter value: The integer.
    package init(_ value: Int) {
        let magnitude = value.magnitude
        let text = String(magnitude)
        let digits = text.utf8.map { UInt8($0 - 48) }
        self.init(isNegative: value < 0, digits: digits, exponent: digits.count - 1)
    }

    /// Whether this number is zero.
    package var isZero: Bool { digits.isEmpty }

    /// Throws when the number is outside DynamoDB's range or precision.
    /// - Throws: `ValidationException` with AWS's overflow, underflow or precision text.
    package func validateRange() throws(DynamoDBError) {
        guard !isZero else { return }
        if exponent > Self.maxExponent { throw .validation(DynamoDBMessages.numberOverflow) }
        if exponent < Self.minExponent { throw .validation(DynamoDBMessages.numberUnderflow) }
        if digits.count > Self.maxSignificantDigits { throw .validation(DynamoDBMessages.numberPrecision) }
    }

    private static func parseUnchecked(_ text: String) throws(DynamoDBError) -> DynamoNumber {
        let bytes = Array(text.utf8)
        let invalid = DynamoDBError.validation(DynamoDBMessages.notNumeric(text))
        var index = 0
        var negative = false
        if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: [UInt8] = []
        var integerDigits = 0
        var sawPoint = false
        var sawDigit = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                mantissa.append(byte - UInt8(ascii: "0"))
                if !sawPoint { integerDigits += 1 }
                sawDigit = true
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { throw invalid }
        var exponentValue = 0
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            var exponentNegative = false
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponentDigits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if exponentValue < 100_000_000 {
                    exponentValue = exponentValue * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                }
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { throw invalid }
            if exponentNegative { exponentValue = -exponentValue }
        }
        guard index == bytes.count else { throw invalid }
        return DynamoNumber(isNegative: negative, digits: mantissa, exponent: integerDigits - 1 + exponentValue)
    }

    /// The canonical text DynamoDB returns: plain notation, no exponent, no trailing zeros, `0` for zero.
    package var description: String {
        guard !isZero else { return "0" }
        var result = isNegative ? "-" : ""
        let digitText = String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        if exponent < 0 {
            result += "0." + String(repeating: "0", count: -exponent - 1) + digitText
        } else if exponent + 1 >= digits.count {
            result += digitText + String(repeating: "0", count: exponent + 1 - digits.count)
        } else {
            let split = digitText.index(digitText.startIndex, offsetBy: exponent + 1)
            result += digitText[..<split] + "." + digitText[split...]
        }
        return result
    }

    /// Number of significant digits (0 for zero).
    package var significantDigitCount: Int { digits.count }

    /// The number with its sign flipped.
    package var negated: DynamoNumber {
        DynamoNumber(isNegative: !isNegative, digits: digits, exponent: exponent)
    }

    /// Numeric ordering.
    /// - Parameters:
    ///   - lhs: Left number.
    ///   - rhs: Right number.
    /// - Returns: Whether `lhs < rhs`.
    package static func < (lhs: DynamoNumber, rhs: DynamoNumber) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Three-way numeric comparison.
    /// - Parameters:
    ///   - lhs: Left number.
    ///   - rhs: Right number.
    /// - Returns: -1, 0 or 1.
    package static func compare(_ lhs: DynamoNumber, _ rhs: DynamoNumber) -> Int {
        let lhsSign = lhs.isZero ? 0 : (lhs.isNegative ? -1 : 1)
        let rhsSign = rhs.isZero ? 0 : (rhs.isNegative ? -1 : 1)
        if lhsSign != rhsSign { return lhsSign < rhsSign ? -1 : 1 }
        if lhsSign == 0 { return 0 }
        let magnitude = compareMagnitude(lhs, rhs)
        return lhsSign < 0 ? -magnitude : magnitude
    }

    private static func compareMagnitude(_ lhs: DynamoNumber, _ rhs: DynamoNumber) -> Int {
        if lhs.exponent != rhs.exponent { return lhs.exponent < rhs.exponent ? -1 : 1 }
        for (left, right) in zip(lhs.digits, rhs.digits) where left != right {
            return left < right ? -1 : 1
        }
        if lhs.digits.count == rhs.digits.count { return 0 }
        return lhs.digits.count < rhs.digits.count ? -1 : 1
    }

    /// Exact sum, validated against DynamoDB's range and precision.
    /// - Parameter other: The addend.
    /// - Returns: `self + other`.
    /// - Throws: `ValidationException` on overflow, underflow or more than 38 significant digits.
    package func adding(_ other: DynamoNumber) throws(DynamoDBError) -> DynamoNumber {
        let result = Self.exactSum(self, other)
        try result.validateRange()
        return result
    }

    /// Exact difference, validated against DynamoDB's range and precision.
    /// - Parameter other: The subtrahend.
    /// - Returns: `self - other`.
    /// - Throws: `ValidationException` on overflow, underflow or more than 38 significant digits.
    package func subtracting(_ other: DynamoNumber) throws(DynamoDBError) -> DynamoNumber {
        try adding(other.negated)
    }

    /// Exact sum without range validation.
    static func exactSum(_ lhs: DynamoNumber, _ rhs: DynamoNumber) -> DynamoNumber {
        if lhs.isZero { return rhs }
        if rhs.isZero { return lhs }
        // Align both on a common lowest exponent: value = integer(digits) * 10^low.
        let lhsLow = lhs.exponent - lhs.digits.count + 1
        let rhsLow = rhs.exponent - rhs.digits.count + 1
        let low = min(lhsLow, rhsLow)
        let high = max(lhs.exponent, rhs.exponent)
        let width = high - low + 2
        let left = aligned(lhs, low: low, width: width)
        let right = aligned(rhs, low: low, width: width)
        if lhs.isNegative == rhs.isNegative {
            return DynamoNumber(isNegative: lhs.isNegative, digits: addDigits(left, right), exponent: low + width - 1)
        }
        let magnitude = compareMagnitude(lhs, rhs)
        if magnitude == 0 { return .zero }
        let (big, small, negative) = magnitude > 0 ? (left, right, lhs.isNegative) : (right, left, rhs.isNegative)
        return DynamoNumber(isNegative: negative, digits: subtractDigits(big, small), exponent: low + width - 1)
    }

    /// Digits of `number` placed in a little-endian-free, most-significant-first array of `width` digits whose last digit has exponent `low`.
    private static func aligned(_ number: DynamoNumber, low: Int, width: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: width)
        for (offset, digit) in number.digits.enumerated() {
            let digitExponent = number.exponent - offset
            result[width - 1 - (digitExponent - low)] = digit
        }
        return result
    }

    private static func addDigits(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: lhs.count)
        var carry: UInt8 = 0
        for index in stride(from: lhs.count - 1, through: 0, by: -1) {
            let sum = lhs[index] + rhs[index] + carry
            result[index] = sum % 10
            carry = sum / 10
        }
        return result
    }

    private static func subtractDigits(_ big: [UInt8], _ small: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: big.count)
        var borrow: Int = 0
        for index in stride(from: big.count - 1, through: 0, by: -1) {
            var difference = Int(big[index]) - Int(small[index]) - borrow
            if difference < 0 {
                difference += 10
                borrow = 1
            } else {
                borrow = 0
            }
            result[index] = UInt8(difference)
        }
        return result
    }
}
