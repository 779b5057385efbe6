/// A JSON reader into ``VelocityValue`` (keeping key order, whole numbers as `int`) and the JSONPath subset
/// API Gateway's `$input.path`/`$input.json` take: `$`, `.name`, `['name']`, `[index]`, `[*]`/`.*`.
package enum VelocityJSON {
    /// The deepest nesting a document may have.
    static let maximumDepth = 256

    /// Parses a JSON text.
    /// - Parameter text: The text.
    /// - Returns: The value, or `nil` when the text is not JSON (or nests deeper than 256 levels).
    package static func parse(_ text: String) -> VelocityValue? {
        var reader = Reader(bytes: Array(text.utf8))
        reader.skipSpace()
        guard let value = reader.value(depth: 0) else { return nil }
        reader.skipSpace()
        return reader.index == reader.bytes.count ? value : nil
    }

    /// Evaluates a JSONPath expression.
    /// - Parameters:
    ///   - path: The expression (`$.a.b[0]`).
    ///   - root: The document.
    /// - Returns: The selected value (`nil` when nothing matches), a list for wildcards.
    /// - Throws: ``VelocityError`` when the expression is malformed.
    package static func select(_ path: String, in root: VelocityValue) throws(VelocityError) -> VelocityValue? {
        let chars = Array(path.trimmingWhitespace)
        guard chars.first == "$" else { throw .invalidJSONPath(path) }
        var current: [VelocityValue] = [root]
        var wildcard = false
        var index = 1
        while index < chars.count {
            if chars[index] == "." {
                index += 1
                var name = ""
                while index < chars.count, chars[index] != ".", chars[index] != "[" {
                    name.append(chars[index])
                    index += 1
                }
                guard !name.isEmpty else { throw .invalidJSONPath(path) }
                if name == "*" {
                    wildcard = true
                    current = current.flatMap(children)
                } else {
                    current = current.compactMap { member($0, name) }
                }
            } else if chars[index] == "[" {
                guard let close = chars[index...].firstIndex(of: "]") else { throw .invalidJSONPath(path) }
                let inside = String(chars[(index + 1)..<close]).trimmingWhitespace
                index = close + 1
                if inside == "*" {
                    wildcard = true
                    current = current.flatMap(children)
                } else if let number = Int(inside) {
                    current = current.compactMap { value in
                        guard case .list(let items) = value else { return nil }
                        let position = number < 0 ? items.count + number : number
                        return items.indices.contains(position) ? items[position] : nil
                    }
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"", inside.last == quote {
                    let name = String(inside.dropFirst().dropLast())
                    current = current.compactMap { member($0, name) }
                } else {
                    throw .invalidJSONPath(path)
                }
            } else {
                throw .invalidJSONPath(path)
            }
        }
        if wildcard { return .list(current) }
        return current.first
    }

    private static func member(_ value: VelocityValue, _ name: String) -> VelocityValue? {
        guard case .map(let map) = value else { return nil }
        return map[name]
    }

    private static func children(_ value: VelocityValue) -> [VelocityValue] {
        switch value {
        case .list(let items): return items
        case .map(let map): return map.entries.map(\.value)
        default: return []
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func literal(_ word: String) -> Bool {
            let utf8 = Array(word.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<(index + utf8.count)]) == utf8 else { return false }
            index += utf8.count
            return true
        }

        mutating func value(depth: Int) -> VelocityValue? {
            guard depth < VelocityJSON.maximumDepth, index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var map = VelocityMap()
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .map(map)
                }
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index += 1
                    skipSpace()
                    guard let item = value(depth: depth + 1) else { return nil }
                    map[key] = item
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                    } else if bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        return .map(map)
                    } else {
                        return nil
                    }
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [VelocityValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .list(items)
                }
                while true {
                    skipSpace()
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                    } else if bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        return .list(items)
                    } else {
                        return nil
                    }
                }
            case UInt8(ascii: "\""):
                return string().map(VelocityValue.string)
            case UInt8(ascii: "t"):
                return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"):
                return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"):
                return literal("null") ? .null : nil
            default:
                return number()
            }
        }

        mutating func number() -> VelocityValue? {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            var fractional = false
            while index < bytes.count {
                let byte = bytes[index]
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                    || ((byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && index > start)
                {
                    fractional = true
                    index += 1
                } else {
                    break
                }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty, text != "-" else { return nil }
            if !fractional, let whole = Int(text) { return .int(whole) }
            return Double(text).map(VelocityValue.double)
        }

        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard let unit = hex4() else { return nil }
                        var scalarValue = UInt32(unit)
                        if (0xD800..<0xDC00).contains(unit), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        {
                            index += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        }
                        let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
                        out += Array(String(Character(scalar)).utf8)
                    default: out.append(escape)
                    }
                default:
                    out.append(byte)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt16? {
            guard index + 4 <= bytes.count, let value = UInt16(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
            else { return nil }
            index += 4
            return value
        }
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
