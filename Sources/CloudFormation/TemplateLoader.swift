import Foundation
import Yams

/// A parsed, structurally validated CloudFormation (or SAM) template, not yet resolved.
package struct Template: Sendable {
    /// The file name used in error locations.
    package var fileName: String
    /// The folder the template was loaded from; relative `CodeUri` paths resolve against it.
    package var baseDirectory: String
    /// The whole template document.
    package var root: TemplateMap

    /// The template's `Description`, if any.
    package var description: String? { root["Description"]?.scalarText }

    /// The `Transform` names declared by the template.
    package var transforms: [String] {
        switch root["Transform"] {
        case .string(let name): [name]
        case .list(let items): items.compactMap(\.stringValue)
        default: []
        }
    }

    /// The named top-level section as a map (empty when absent).
    package func section(_ name: String) -> TemplateMap { root[name]?.mapValue ?? TemplateMap() }

    /// The source location of a key inside a top-level section, or of the section itself.
    package func location(section name: String, key: String? = nil) -> SourceLocation? {
        if let key, let location = section(name).location(of: key) { return location }
        return root.location(of: name)
    }
}

/// Loads templates from YAML or JSON text, turning short-form tags into their `Fn::` forms.
package enum TemplateLoader {
    private static let topLevelKeys: Set<String> = [
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions",
        "Transform", "Resources", "Outputs", "Globals",
    ]

    private static let maximumDepth = 256

    /// Reads and parses the template at `url`.
    /// - Parameter url: A file URL of a `.yaml`, `.yml`, `.json` or `.template` file.
    /// - Returns: The parsed template; its base directory is the file's folder.
    /// - Throws: ``TemplateError`` when the file is unreadable, not valid YAML/JSON or not a template.
    package static func load(contentsOf url: URL) throws(TemplateError) -> Template {
        let fileName = url.lastPathComponent
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TemplateError(
                .io,
                "cannot read template \(url.path): \(error.localizedDescription) Pass --template with the path of your SAM or "
                    + "CloudFormation template, or leave --template out in a folder without template.yaml to start with no resources",
                at: nil
            )
        }
        return try parse(text, fileName: fileName, baseDirectory: url.deletingLastPathComponent().path)
    }

    /// Parses template text.
    /// - Parameters:
    ///   - text: YAML or JSON template text.
    ///   - fileName: The name used in error locations.
    ///   - baseDirectory: The folder relative paths (such as `CodeUri`) resolve against.
    /// - Returns: The parsed template.
    /// - Throws: ``TemplateError`` on syntax errors or a malformed template structure.
    package static func parse(_ text: String, fileName: String = "template.yaml", baseDirectory: String = ".") throws(TemplateError) -> Template {
        let value = try parseValue(text, fileName: fileName)
        guard case .map(let root) = value else {
            throw TemplateError(
                .format,
                "Template format error: the template must be a map of sections",
                at: SourceLocation(file: fileName, line: 1, column: 1)
            )
        }
        let template = Template(fileName: fileName, baseDirectory: baseDirectory, root: root)
        try validate(template)
        return template
    }

    /// Parses YAML or JSON text into a template value tree without checking template structure.
    /// - Parameters:
    ///   - text: The YAML or JSON text.
    ///   - fileName: The name used in error locations.
    /// - Returns: The value tree (an empty document is `.null`).
    /// - Throws: ``TemplateError`` on syntax errors or unknown tags.
    package static func parseValue(_ text: String, fileName: String = "template.yaml") throws(TemplateError) -> TemplateValue {
        var source = text
        if source.hasPrefix("\u{FEFF}") {
            source.removeFirst()
        }
        if source.drop(while: { $0.isWhitespace }).first == "{" {
            // JSON: libyaml rejects tab indentation, which is insignificant in JSON outside strings.
            source = source.replacingOccurrences(of: "\t", with: " ")
        }
        let node: Node?
        do {
            // Our own scalar rules read the parser's tags as written (``scalarValue(_:tag:)``), so Yams' default
            // resolver, whose regular expressions (ICU) only served its duplicate-key check, is not loaded: keys are
            // compared as written (`1` and `"1"` in one mapping are the same key, as CloudFormation reads them).
            node = try Yams.compose(yaml: source, .basic)
        } catch let error as YamlError {
            throw syntaxError(error, fileName: fileName)
        } catch {
            throw TemplateError(.syntax, "YAML syntax error: \(error)", at: SourceLocation(file: fileName, line: 1, column: 1))
        }
        guard let node else { return .null }
        return try convert(node, fileName: fileName, depth: 0)
    }

    private static func syntaxError(_ error: YamlError, fileName: String) -> TemplateError {
        func located(_ mark: Mark, _ message: String) -> TemplateError {
            TemplateError(.syntax, message, at: SourceLocation(file: fileName, line: mark.line, column: mark.column))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text): " } ?? ""
            return located(mark, "YAML syntax error: \(prefix)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return located(context.mark, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in mapping")
        case .reader(let problem, _, _, _):
            return TemplateError(.syntax, "cannot read template text: \(problem)", at: SourceLocation(file: fileName, line: 1, column: 1))
        default:
            return TemplateError(.syntax, "YAML syntax error: \(error)", at: SourceLocation(file: fileName, line: 1, column: 1))
        }
    }

    private static func location(_ mark: Mark?, _ fileName: String) -> SourceLocation? {
        mark.map { SourceLocation(file: fileName, line: $0.line, column: $0.column) }
    }

    private static func convert(_ node: Node, fileName: String, depth: Int) throws(TemplateError) -> TemplateValue {
        let here = location(node.mark, fileName)
        guard depth < maximumDepth else {
            throw TemplateError(.format, "template nesting is deeper than \(maximumDepth) levels", at: here)
        }
        let tag: String
        let value: TemplateValue
        switch node {
        case .scalar(let scalar):
            tag = scalar.tag.rawValue
            value = scalarValue(scalar, tag: tag)
        case .sequence(let sequence):
            tag = sequence.tag.rawValue
            var items: [TemplateValue] = []
            for child in sequence {
                items.append(try convert(child, fileName: fileName, depth: depth + 1))
            }
            value = .list(items)
        case .mapping(let mapping):
            tag = mapping.tag.rawValue
            var map = TemplateMap()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw TemplateError(.format, "map keys must be strings", at: location(keyNode.mark, fileName))
                }
                let child = try convert(valueNode, fileName: fileName, depth: depth + 1)
                map.set(keyScalar.string, child, location: location(keyNode.mark, fileName))
            }
            value = .map(map)
        case .alias(let alias):
            throw TemplateError(.format, "YAML alias *\(alias.anchor.rawValue) is not supported", at: here)
        }
        return try applyTag(tag, to: value, at: here)
    }

    private static func scalarValue(_ scalar: Node.Scalar, tag: String) -> TemplateValue {
        let text = scalar.string
        if tag == "tag:yaml.org,2002:null" { return .null }
        if tag == "tag:yaml.org,2002:bool", let flag = TemplateValue.string(text).boolValue { return .bool(flag) }
        if tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" { return .number(text) }
        guard tag.isEmpty, scalar.style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if isNumber(text) { return .number(text) }
        return .string(text)
    }

    /// Whether a plain, untagged scalar reads as a number: it holds a digit (or `inf`/`nan`) and is a decimal
    /// integer, a hexadecimal integer, a decimal with optional fraction and exponent, `.inf` or `.nan`, each with an
    /// optional sign where YAML allows one.
    ///
    /// Hand-written matchers for the patterns `^[-+]?(0|[1-9][0-9_]*)$`, `^[-+]?0x[0-9a-fA-F_]+$`,
    /// `^[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?$`, `^[-+]?\.(inf|Inf|INF)$` and `^\.(nan|NaN|NAN)$`
    /// (matching them as regular expressions through Foundation and ICU was ~2 % of start-up). A plain scalar never
    /// ends in a line break (the parser trims them), the one place where `$` would also have matched.
    /// - Parameter text: The scalar's text.
    /// - Returns: Whether it is a number.
    package static func isNumber(_ text: String) -> Bool {
        guard text.contains(where: \.isNumber) || text.lowercased().contains("inf") || text.lowercased().contains("nan") else { return false }
        let bytes = Array(text.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func isDigitOrUnderscore(_ byte: UInt8) -> Bool { isDigit(byte) || byte == UInt8(ascii: "_") }
        func isHex(_ byte: UInt8) -> Bool { isDigitOrUnderscore(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20) }
        var index = 0
        func skip(while accept: (UInt8) -> Bool) -> Int {
            let start = index
            while index < bytes.count, accept(bytes[index]) { index += 1 }
            return index - start
        }
        func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        func rest(is words: [String]) -> Bool { words.contains { Array($0.utf8) == Array(bytes[index...]) } }
        // ^\.(nan|NaN|NAN)$
        if take(UInt8(ascii: ".")), rest(is: ["nan", "NaN", "NAN"]) { return true }
        index = 0
        _ = take(UInt8(ascii: "-")) || take(UInt8(ascii: "+"))
        let afterSign = index
        // ^[-+]?\.(inf|Inf|INF)$
        if take(UInt8(ascii: ".")), rest(is: ["inf", "Inf", "INF"]) { return true }
        // ^[-+]?0x[0-9a-fA-F_]+$
        index = afterSign
        if take(UInt8(ascii: "0")), take(UInt8(ascii: "x")), skip(while: isHex) > 0, index == bytes.count { return true }
        // ^[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?$ (which includes ^[-+]?(0|[1-9][0-9_]*)$): without a dot
        // the digit group and the run after it take the same bytes; before a dot the run must be empty or start
        // with a digit (the group), since `_` can only follow the dot.
        index = afterSign
        let leading = skip(while: isDigitOrUnderscore)
        if take(UInt8(ascii: ".")) {
            guard leading == 0 || isDigit(bytes[afterSign]) else { return false }
        }
        _ = skip(while: isDigitOrUnderscore)
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            _ = take(UInt8(ascii: "-")) || take(UInt8(ascii: "+"))
            guard skip(while: isDigit) > 0 else { return false }
        }
        return index == bytes.count
    }

    private static let functionTags: Set<String> = [
        "Sub", "Join", "Select", "Split", "If", "Equals", "And", "Or", "Not", "FindInMap", "Base64", "GetAZs",
        "ImportValue", "Cidr", "Transform", "Length", "ToJsonString", "GetAtt",
    ]

    private static func applyTag(_ tag: String, to value: TemplateValue, at location: SourceLocation?) throws(TemplateError) -> TemplateValue {
        guard tag.hasPrefix("!"), tag != "!" else { return value }
        let name = String(tag.dropFirst())
        var map = TemplateMap()
        switch name {
        case "Ref":
            map.set("Ref", value, location: location)
        case "Condition":
            map.set("Condition", value, location: location)
        case "GetAtt":
            if case .string(let text) = value {
                guard let dot = text.firstIndex(of: "."), dot != text.startIndex, text.index(after: dot) != text.endIndex else {
                    throw TemplateError(.format, "Template error: !GetAtt '\(text)' must be of the form LogicalId.AttributeName", at: location)
                }
                let attribute = String(text[text.index(after: dot)...])
                map.set("Fn::GetAtt", .list([.string(String(text[..<dot])), .string(attribute)]), location: location)
            } else {
                map.set("Fn::GetAtt", value, location: location)
            }
        default:
            guard functionTags.contains(name) else {
                throw TemplateError(.format, "unknown tag \(tag): CloudFormation supports only intrinsic function short forms", at: location)
            }
            map.set("Fn::\(name)", value, location: location)
        }
        return .map(map)
    }

    private static func validate(_ template: Template) throws(TemplateError) {
        let file = template.fileName
        let unknown = template.root.keys.filter { !topLevelKeys.contains($0) }
        if let first = unknown.first {
            throw TemplateError(
                .format,
                "Template format error: Invalid template property or properties [\(unknown.joined(separator: ", "))]",
                at: template.root.location(of: first)
            )
        }
        guard case .map(let resources) = template.root["Resources"] ?? .null, !resources.isEmpty else {
            throw TemplateError(
                .format,
                "Template format error: At least one Resources member must be defined.",
                at: template.root.location(of: "Resources") ?? SourceLocation(file: file, line: 1, column: 1)
            )
        }
        for (logicalId, definition) in resources.entries {
            let location = resources.location(of: logicalId)
            guard logicalId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw TemplateError(.format, "Template format error: Resource name \(logicalId) is non alphanumeric.", at: location)
            }
            guard case .map(let body) = definition else {
                throw TemplateError(
                    .format,
                    "Template format error: [/Resources/\(logicalId)] Every Resources object must contain a Type member.",
                    at: location
                )
            }
            guard case .string = body["Type"] ?? .null else {
                throw TemplateError(
                    .format,
                    "Template format error: [/Resources/\(logicalId)] Every Resources object must contain a Type member.",
                    at: location
                )
            }
            if let properties = body["Properties"], properties.mapValue == nil, properties != .null {
                throw TemplateError(.format, "Properties must be a map", at: body.location(of: "Properties"), logicalId: logicalId)
            }
        }
        for name in ["Parameters", "Mappings", "Conditions", "Outputs", "Globals"] {
            if let section = template.root[name], section.mapValue == nil {
                throw TemplateError(.format, "Template format error: \(name) must be a map", at: template.root.location(of: name))
            }
        }
        for (key, output) in template.section("Outputs").entries where output["Value"] == nil {
            throw TemplateError(
                .format,
                "Template format error: Every Outputs member must contain a Value object, the element \(key) does not have a Value object.",
                at: template.location(section: "Outputs", key: key)
            )
        }
    }
}
