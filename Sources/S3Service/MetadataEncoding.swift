import Foundation

/// User metadata values outside US-ASCII, as S3 handles them: "Values of such headers are character decoded as per
/// RFC 2047 before storing and encoded as per RFC 2047 to make them mail-safe before returning" (Working with object
/// metadata). A value sent as `=?UTF-8?B?5Lit5paH?=` (or as raw UTF-8) is stored as `中文` and returned as
/// `=?UTF-8?B?5Lit5paH?=`; an ASCII value is stored and returned as it is.
package enum MetadataEncoding {
    /// Decodes the RFC 2047 encoded-words (`=?charset?B?...?=`, `=?charset?Q?...?=`; UTF-8, US-ASCII and
    /// ISO-8859-1) of a header value; whitespace between two encoded-words is dropped, as RFC 2047 says. Words that
    /// do not decode are kept as written.
    /// - Parameter value: The header value.
    /// - Returns: The decoded value.
    package static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var pendingSpace = ""
        var previousWasEncoded = false
        var index = value.startIndex
        while index < value.endIndex {
            let character = value[index]
            if character == " " || character == "\t" {
                pendingSpace.append(character)
                index = value.index(after: index)
                continue
            }
            let end = value[index...].firstIndex { $0 == " " || $0 == "\t" } ?? value.endIndex
            let word = value[index..<end]
            if let decoded = decodeWord(word) {
                if !previousWasEncoded { result += pendingSpace }
                result += decoded
                previousWasEncoded = true
            } else {
                result += pendingSpace
                result += word
                previousWasEncoded = false
            }
            pendingSpace = ""
            index = end
        }
        return result + pendingSpace
    }

    /// Encodes a value for a response header: unchanged when it is US-ASCII, else one RFC 2047 B encoded-word
    /// (`=?UTF-8?B?<base64 of the UTF-8 bytes>?=`).
    /// - Parameter value: The stored value.
    /// - Returns: The header value.
    package static func encode(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 >= 0x80 }) else { return value }
        return "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
    }

    /// One encoded-word, or nil when `word` is not one (or does not decode).
    private static func decodeWord(_ word: Substring) -> String? {
        guard word.hasPrefix("=?"), word.hasSuffix("?="), word.count >= 8 else { return nil }
        let inner = word.dropFirst(2).dropLast(2)
        let parts = inner.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[2].contains("?") else { return nil }
        let charset = parts[0].lowercased().split(separator: "*").first.map(String.init) ?? ""
        let encoding: String.Encoding
        switch charset {
        case "utf-8", "utf8": encoding = .utf8
        case "us-ascii": encoding = .ascii
        case "iso-8859-1", "latin1": encoding = .isoLatin1
        default: return nil
        }
        let bytes: Data?
        switch parts[1].uppercased() {
        case "B": bytes = Data(base64Encoded: String(parts[2]))
        case "Q": bytes = quotedPrintable(parts[2])
        default: return nil
        }
        guard let bytes else { return nil }
        return String(data: bytes, encoding: encoding)
    }

    /// RFC 2047's Q encoding: `_` is a space, `=XX` a byte.
    private static func quotedPrintable(_ text: Substring) -> Data? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "="):
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return Data(bytes)
    }
}
