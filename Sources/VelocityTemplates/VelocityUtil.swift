/// `$util`'s text functions, as API Gateway implements them (Apache Commons `StringEscapeUtils.escapeJavaScript`,
/// Java's `URLEncoder`/`URLDecoder` with UTF-8).
package enum VelocityUtil {
    /// Escapes a string with JavaScript string rules: `"`, `'`, `\` and `/` get a backslash, control characters
    /// their short escapes or `\uXXXX`, and every character beyond ASCII `\uXXXX` (upper-case hex, UTF-16 units).
    /// - Parameter text: The text.
    /// - Returns: The escaped text.
    package static func escapeJavaScript(_ text: String) -> String {
        var out = ""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x2F: out += "\\/"
            case 0x08: out += "\\b"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0C: out += "\\f"
            case 0x0D: out += "\\r"
            default:
                if unit < 0x20 || unit > 0x7E {
                    let hex = String(unit, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
                }
            }
        }
        return out
    }

    /// Encodes as `application/x-www-form-urlencoded` (Java `URLEncoder`): letters, digits and `.-*_` stay, a space
    /// becomes `+`, every other UTF-8 byte `%XX`.
    /// - Parameter text: The text.
    /// - Returns: The encoded text.
    package static func urlEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// Decodes `application/x-www-form-urlencoded` text (Java `URLDecoder`): `+` is a space, `%XX` a byte; a
    /// malformed escape is kept as written.
    /// - Parameter text: The text.
    /// - Returns: The decoded text.
    package static func urlDecode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                out.append(value)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
