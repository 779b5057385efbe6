import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: name (namespace prefix dropped), text and children, enough for S3's request bodies.
package struct XMLTree: Sendable, Equatable {
    /// The local element name.
    package var name: String
    /// The concatenated text content.
    package var text: String
    /// The child elements in document order.
    package var children: [XMLTree]

    /// The first child with a local name.
    /// - Parameter name: The child name.
    /// - Returns: The child, or nil.
    package func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child with a local name.
    /// - Parameter name: The child name.
    /// - Returns: The children in order.
    package func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The trimmed text of the first child with a name.
    /// - Parameter name: The child name.
    /// - Returns: The text, or nil when there is no such child.
    package func value(_ name: String) -> String? {
        child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Parses a document.
    /// - Parameter data: The XML bytes.
    /// - Returns: The root element.
    /// - Throws: ``S3Error/malformedXML`` when the document does not parse or is not UTF-8.
    package static func parse(_ data: Data) throws(S3Error) -> XMLTree {
        // S3 bodies are UTF-8. Foundation's XMLParser on Linux traps (killing the process) on an element or attribute
        // name, comment or CDATA section that is not valid UTF-8, so such a body never reaches it.
        guard String(validating: data, as: UTF8.self) != nil else { throw .malformedXML }
        // It also dereferences a null pointer on a processing instruction without data (`<?x?>`) anywhere in the
        // document. S3 bodies need none, so any `<?` but the XML declaration's is MalformedXML (even inside a comment).
        guard !hasProcessingInstruction(data) else { throw .malformedXML }
        // Control characters are not XML 1.0 characters; the parser reports each one as a recoverable error and
        // leaks memory per error (about 10 KB for a hundred), so such a body is refused before it gets there.
        guard !data.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else { throw .malformedXML }
        let delegate = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else { throw .malformedXML }
        return root
    }
}

extension XMLTree {
    /// Whether `<?` occurs anywhere but at the start of an XML declaration (`<?xml` and white space, first in the
    /// document after an optional byte order mark).
    static func hasProcessingInstruction(_ data: Data) -> Bool {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            let declaration = Array("<?xml".utf8)
            var index = start
            while index + 1 < bytes.count {
                if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "?") {
                    let isDeclaration =
                        index == start && bytes.count > index + 5 && bytes[index..<(index + 5)].elementsEqual(declaration)
                        && [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(bytes[index + 5])
                    if !isDeclaration { return true }
                }
                index += 1
            }
            return false
        }
    }
}

/// Builds an ``XMLTree`` from parser callbacks (used on one thread, inside ``XMLTree/parse(_:)``).
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree] = []
    var root: XMLTree?

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLTree(name: local, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }
}
