import Crypto
import EmulatorCore
import Foundation

/// URI encoding, hashing and date helpers shared by the SigV4 and SigV2 code.
package enum SigV4Encoding {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let lowerHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// True for the RFC 3986 unreserved characters AWS leaves unencoded.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// AWS URI encoding: every byte except unreserved characters (and `/` when `keepSlash`) becomes `%XX`.
    package static func uriEncode(_ string: String, keepSlash: Bool = false) -> String {
        uriEncode(bytes: Array(string.utf8), keepSlash: keepSlash)
    }

    /// AWS URI encoding of raw bytes.
    static func uriEncode(bytes: [UInt8], keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of one hex digit (either case), or nil for any other byte.
    /// - Parameter byte: An ASCII byte.
    /// - Returns: 0 to 15.
    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-decodes to raw bytes; malformed escapes are kept literally; `+` is kept (or becomes a space when `plusAsSpace`).
    static func percentDecodeBytes(_ string: String, plusAsSpace: Bool = false) -> [UInt8] {
        let bytes = Array(string.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return out
    }

    /// Percent-decodes a string (`+` stays `+`); invalid UTF-8 is repaired.
    package static func percentDecode(_ string: String) -> String {
        String(decoding: percentDecodeBytes(string), as: UTF8.self)
    }

    /// Splits a raw query string into raw name/value pairs (a bare name gets an empty value).
    static func parseQuery(_ query: String) -> [(name: String, value: String)] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { piece in
            if let equals = piece.firstIndex(of: "=") {
                return (String(piece[..<equals]), String(piece[piece.index(after: equals)...]))
            }
            return (String(piece), "")
        }
    }

    /// The canonical query string: decode, re-encode strictly, sort by name then value, skip `excluding`.
    static func canonicalQuery(_ query: String, excluding: Set<String> = [], plusAsSpace: Bool = false) -> String {
        let pairs: [(String, String)] = parseQuery(query).compactMap { pair in
            let nameBytes = percentDecodeBytes(pair.name, plusAsSpace: plusAsSpace)
            if excluding.contains(String(decoding: nameBytes, as: UTF8.self)) { return nil }
            let valueBytes = percentDecodeBytes(pair.value, plusAsSpace: plusAsSpace)
            return (uriEncode(bytes: nameBytes, keepSlash: false), uriEncode(bytes: valueBytes, keepSlash: false))
        }
        return
            pairs
            .sorted { lhs, rhs in
                lhs.0 == rhs.0 ? Array(lhs.1.utf8).lexicographicallyPrecedes(rhs.1.utf8) : Array(lhs.0.utf8).lexicographicallyPrecedes(rhs.0.utf8)
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Removes `.`/`..` segments and empty segments (RFC 3986 5.2.4 plus AWS slash collapsing); keeps a trailing slash.
    static func normalizePath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                _ = output.popLast()
                continue
            }
            output.append(segment)
        }
        var result = "/" + output.joined(separator: "/")
        let trailing = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        if trailing && !output.isEmpty { result += "/" }
        return result
    }

    /// Canonical URI for non-S3 services: normalise, then encode the (already encoded) path again.
    static func standardCanonicalURI(_ rawPath: String) -> String {
        uriEncode(normalizePath(rawPath), keepSlash: true)
    }

    /// Canonical URI for S3: decode each segment and encode it once, no normalisation.
    static func s3CanonicalURI(_ rawPath: String) -> String {
        guard !rawPath.isEmpty else { return "/" }
        return rawPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { uriEncode(bytes: percentDecodeBytes(String($0)), keepSlash: false) }
            .joined(separator: "/")
    }

    /// Lower-case hex of bytes.
    package static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(lowerHexDigits[Int(byte >> 4)])
            out.append(lowerHexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes as S3 shows them in `StringToSignBytes`: space separated two-digit lower-case hex.
    static func spacedHex(_ string: String) -> String {
        string.utf8.map { byte in
            String(decoding: [lowerHexDigits[Int(byte >> 4)], lowerHexDigits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined(separator: " ")
    }

    /// Hex SHA-256 of bytes.
    package static func sha256Hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// Hex SHA-256 of the empty string.
    package static let emptySHA256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// True when `value` is 64 hex digits.
    static func isHexSHA256(_ value: String) -> Bool {
        value.utf8.count == 64 && value.utf8.allSatisfy { hexValue($0) != nil }
    }

    /// Whether a scalar is in `CharacterSet.whitespaces`: Unicode general category Zs, or a tab.
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || (scalar.value >= 0x80 && scalar.properties.generalCategory == .spaceSeparator)
    }

    /// The text without leading and trailing whitespace, as `trimmingCharacters(in: .whitespaces)` returns it, but
    /// without bridging through `NSString` (and without copying when there is nothing to trim).
    /// - Parameter text: The text, for example a header value.
    /// - Returns: The trimmed text.
    package static func trimmingWhitespace<Text: StringProtocol>(_ text: Text) -> String {
        let string = String(text)
        let scalars = string.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        if !isWhitespace(first), !isWhitespace(last) { return string }
        guard let start = scalars.firstIndex(where: { !isWhitespace($0) }),
            let end = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }

    /// Trims a header value and collapses inner runs of spaces/tabs to one space.
    static func canonicalHeaderValue(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(UInt8(ascii: " "))
                pendingSpace = false
            }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Constant-time comparison of two strings' bytes (signatures, tokens): the time taken does not depend on
    /// where they differ.
    /// - Parameters:
    ///   - lhs: One string.
    ///   - rhs: The other.
    /// - Returns: Whether their UTF-8 bytes are equal.
    package static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    // MARK: Dates

    /// Seconds since 1970 of `0000-01-01T00:00:00Z`, the earliest instant the date helpers parse or format.
    static let earliestSeconds: Int = -62_167_219_200
    /// Seconds since 1970 of `9999-12-31T23:59:59Z`, the latest instant the date helpers parse or format.
    static let latestSeconds: Int = 253_402_300_799

    /// Whole seconds since 1970 of `date`, clamped to years 0000 through 9999 (NaN becomes 0), so that no date,
    /// however far out, can overflow the calendar arithmetic below.
    /// - Parameter date: The instant.
    /// - Returns: The clamped number of seconds.
    package static func clampedSeconds(_ date: Date) -> Int {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard !seconds.isNaN else { return 0 }
        if seconds <= Double(earliestSeconds) { return earliestSeconds }
        if seconds >= Double(latestSeconds) { return latestSeconds }
        return Int(seconds)
    }

    /// Parses 1 to `maxDigits` ASCII digits (no sign, no spaces).
    private static func number<Bytes: Collection>(_ bytes: Bytes, maxDigits: Int = 4) -> Int? where Bytes.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= maxDigits else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The instant of a UTC calendar date and time, or nil when a field is out of range (years 0000 through 9999 only,
    /// so the arithmetic cannot overflow).
    static func makeDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        guard (0...9_999).contains(year), (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        // Days from civil (Howard Hinnant's algorithm), UTC.
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
        let yearOfEra = adjustedYear - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    /// Parses ISO 8601 basic format `yyyyMMdd'T'HHmmss'Z'`.
    package static func parseAmzDate(_ value: String) -> Date? {
        let bytes = Array(value.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
            let year = number(bytes[0..<4]), let month = number(bytes[4..<6]), let day = number(bytes[6..<8]),
            let hour = number(bytes[9..<11]), let minute = number(bytes[11..<13]), let second = number(bytes[13..<15])
        else { return nil }
        return makeDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, also without the weekday, with a two-digit year as in
    /// RFC 850) or ISO 8601 basic format.
    ///
    /// Every number must be plain ASCII digits of its usual width (day and time fields 1-2 digits, year 2 or 4), so
    /// a hostile value such as year `999999999999` is not a date (nil) instead of an overflow.
    package static func parseHTTPDate(_ value: String) -> Date? {
        if let date = parseAmzDate(value) { return date }
        var text = trimmingWhitespace(value)
        if let comma = text.firstIndex(of: ",") { text = String(text[text.index(after: comma)...]) }
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 4, let day = number(parts[0].utf8, maxDigits: 2),
            let monthIndex = monthNames.firstIndex(of: parts[1].lowercased()),
            parts[2].utf8.count == 2 || parts[2].utf8.count == 4, var year = number(parts[2].utf8)
        else { return nil }
        if parts[2].utf8.count == 2 { year += year < 70 ? 2000 : 1900 }
        let time = parts[3].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, let hour = number(time[0].utf8, maxDigits: 2), let minute = number(time[1].utf8, maxDigits: 2),
            let second = number(time[2].utf8, maxDigits: 2)
        else { return nil }
        if parts.count >= 5, !["GMT", "UTC", "Z", "+0000"].contains(parts[4].uppercased()) { return nil }
        return makeDate(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second)
    }

    private static func components(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let total = clampedSeconds(date)
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondsOfDay = total - days * 86_400
        let (year, month, day) = Timestamp.civilDate(daysSince1970: days)
        return (year, month, day, secondsOfDay / 3_600, secondsOfDay % 3_600 / 60, secondsOfDay % 60)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Formats as ISO 8601 basic format `20150830T123600Z`.
    package static func amzDate(_ date: Date) -> String {
        let parts = components(date)
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T" + pad(parts.hour, 2) + pad(parts.minute, 2)
            + pad(parts.second, 2) + "Z"
    }

    /// Formats as ISO 8601 extended format `2015-08-30T12:36:00Z` (S3 error elements).
    package static func isoDate(_ date: Date) -> String {
        let parts = components(date)
        return pad(parts.year, 4) + "-" + pad(parts.month, 2) + "-" + pad(parts.day, 2) + "T" + pad(parts.hour, 2) + ":"
            + pad(parts.minute, 2) + ":" + pad(parts.second, 2) + "Z"
    }
}
