/// An error found while loading, transforming or resolving a template.
///
/// Its ``description`` is one line: `template.yaml:42:7: resource WebSocketHandler: <message>`.
package struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad category of the error, for callers that react differently.
    package enum Kind: Sendable, Equatable {
        /// The file could not be read.
        case io
        /// YAML or JSON syntax is invalid.
        case syntax
        /// The template structure or an intrinsic function is malformed.
        case format
        /// A parameter value is missing or violates a constraint.
        case parameter
        /// A `Ref`, `Fn::GetAtt` or `DependsOn` names something that does not exist.
        case reference
        /// Resources depend on each other in a cycle.
        case circularDependency
        /// The template uses a feature the emulator does not implement.
        case unsupported
        /// A resource's properties do not have the shape the emulator needs.
        case invalidProperty
    }

    /// The category.
    package var kind: Kind
    /// The message without location or resource prefix.
    package var message: String
    /// Where in the source the problem is, when known.
    package var location: SourceLocation?
    /// The logical id of the resource the problem belongs to, when known.
    package var logicalId: String?
    /// The template section of `logicalId` (`resource`, `output`, `condition`, `parameter`).
    package var section: String

    /// Creates an error.
    package init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, logicalId: String? = nil, section: String = "resource") {
        self.kind = kind
        self.message = message
        self.location = location
        self.logicalId = logicalId
        self.section = section
    }

    /// One line naming file, line, column, the resource and the problem.
    package var description: String {
        var parts: [String] = []
        if let location {
            parts.append(location.description)
        }
        if let logicalId {
            parts.append("\(section) \(logicalId)")
        }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// Returns a copy filled with `location` and `logicalId` where they are still unknown.
    package func locating(_ location: SourceLocation?, logicalId: String?, section: String = "resource") -> TemplateError {
        var copy = self
        if copy.location == nil {
            copy.location = location
        }
        if copy.logicalId == nil, let logicalId {
            copy.logicalId = logicalId
            copy.section = section
        }
        return copy
    }
}
