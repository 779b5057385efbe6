/// Reads typed values out of resolved resource properties, failing with errors that name the property path.
package struct SpecReader: Sendable {
    /// The value at ``path`` (nil when absent).
    package let value: TemplateValue?
    /// The property path, such as `Properties.KeySchema[0].AttributeName`.
    package let path: String
    /// The resource being decoded.
    package let logicalId: String
    /// The nearest known source location.
    package let location: SourceLocation?

    /// A reader over a resource's properties.
    package init(_ resource: StackResource) {
        self.value = resource.properties
        self.path = "Properties"
        self.logicalId = resource.logicalId
        self.location = resource.location
    }

    /// A reader over a document that is not a resource's properties (an OpenAPI definition sent to a control plane).
    /// - Parameters:
    ///   - document: The document.
    ///   - path: The name errors give the document (`body`).
    package init(document: TemplateValue, path: String) {
        self.init(value: document, path: path, logicalId: "", location: nil)
    }

    private init(value: TemplateValue?, path: String, logicalId: String, location: SourceLocation?) {
        self.value = value
        self.path = path
        self.logicalId = logicalId
        self.location = location
    }

    /// Whether the value is present.
    package var exists: Bool { value != nil }

    /// The reader for `key` inside this map.
    package subscript(key: String) -> SpecReader {
        let map = value?.mapValue
        return SpecReader(value: map?[key], path: "\(path).\(key)", logicalId: logicalId, location: map?.location(of: key) ?? location)
    }

    /// An error naming this reader's property.
    package func failure(_ expected: String) -> TemplateError {
        TemplateError(
            .invalidProperty,
            "property \(path) must be \(expected), found \(value?.kindDescription ?? "nothing")",
            at: location,
            logicalId: logicalId
        )
    }

    /// The scalar as text; nil when absent.
    package func string() throws(TemplateError) -> String? {
        guard let value, value != .null else { return nil }
        guard let text = value.scalarText else { throw failure("a string") }
        return text
    }

    /// The scalar as text; fails when absent.
    package func requiredString() throws(TemplateError) -> String {
        guard let text = try string() else { throw failure("a string") }
        return text
    }

    /// An integer; nil when absent.
    package func int() throws(TemplateError) -> Int? {
        guard let value, value != .null else { return nil }
        guard let number = value.intValue else { throw failure("an integer") }
        return number
    }

    /// A boolean (`true`/`false` strings accepted); nil when absent.
    package func bool() throws(TemplateError) -> Bool? {
        guard let value, value != .null else { return nil }
        guard let flag = value.boolValue else { throw failure("a boolean") }
        return flag
    }

    /// Element readers of a list; nil when absent.
    package func list() throws(TemplateError) -> [SpecReader]? {
        guard let value, value != .null else { return nil }
        guard case .list(let items) = value else { throw failure("a list") }
        return items.enumerated().map { SpecReader(value: $0.element, path: "\(path)[\($0.offset)]", logicalId: logicalId, location: location) }
    }

    /// Key and reader pairs of a map in order; nil when absent.
    package func entries() throws(TemplateError) -> [(key: String, reader: SpecReader)]? {
        guard let value, value != .null else { return nil }
        guard case .map(let map) = value else { throw failure("a map") }
        return map.keys.map { (key: $0, reader: self[$0]) }
    }

    /// A list of strings (a single string counts as a one-element list); nil when absent.
    package func stringList() throws(TemplateError) -> [String]? {
        guard let value, value != .null else { return nil }
        if let single = value.scalarText { return [single] }
        guard let items = try list() else { return nil }
        var result: [String] = []
        for item in items {
            result.append(try item.requiredString())
        }
        return result
    }

    /// A map of string values; nil when absent.
    package func stringMap() throws(TemplateError) -> [String: String]? {
        guard let entries = try entries() else { return nil }
        var result: [String: String] = [:]
        for (key, reader) in entries {
            result[key] = try reader.string() ?? ""
        }
        return result
    }

    /// A CloudFormation tag list (`[{Key, Value}]`) or a SAM tag map, as a dictionary.
    package func tags() throws(TemplateError) -> [String: String] {
        guard let value, value != .null else { return [:] }
        if case .map = value { return try stringMap() ?? [:] }
        var result: [String: String] = [:]
        for item in try list() ?? [] {
            result[try item["Key"].requiredString()] = try item["Value"].string() ?? ""
        }
        return result
    }
}
