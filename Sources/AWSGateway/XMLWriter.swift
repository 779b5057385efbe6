/// A tiny builder for the XML documents S3 and the query protocols return.
///
/// Elements are written in the order they are added, which is what botocore's parsers expect.
package struct XMLWriter: Sendable {
    private var text: String

    /// Starts a document with the XML declaration.
    /// - Parameter declaration: Whether to write `<?xml version="1.0" encoding="UTF-8"?>` first.
    package init(declaration: Bool = true) {
        text = declaration ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : ""
    }

    /// The document written so far.
    package var result: String { text }

    /// Writes `<name attrs>`, the children added by `body`, then `</name>`.
    /// - Parameters:
    ///   - name: The element name.
    ///   - attributes: Attributes in order, values escaped.
    ///   - body: Adds the children.
    package mutating func element(_ name: String, attributes: [(String, String)] = [], _ body: (inout XMLWriter) -> Void) {
        text += "<\(name)"
        for (key, value) in attributes { text += " \(key)=\"\(Self.escape(value))\"" }
        text += ">"
        body(&self)
        text += "</\(name)>"
    }

    /// Writes `<name>escaped value</name>`.
    /// - Parameters:
    ///   - name: The element name.
    ///   - value: The text content, escaped.
    package mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>\(Self.escape(value))</\(name)>"
    }

    /// Writes the element only when the value is present.
    /// - Parameters:
    ///   - name: The element name.
    ///   - value: The text content, or `nil` to write nothing.
    package mutating func optionalElement(_ name: String, _ value: String?) {
        if let value { element(name, value) }
    }

    /// Appends already-formed XML verbatim.
    /// - Parameter xml: Well-formed XML produced by another writer.
    package mutating func raw(_ xml: String) {
        text += xml
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
    /// - Parameter value: Raw text.
    /// - Returns: Escaped text.
    package static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            default: out.append(character)
            }
        }
        return out
    }
}
