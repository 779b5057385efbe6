import Foundation

/// The policy language version declared by a document's `Version` element.
package enum PolicyVersion: String, Sendable, Hashable {
    /// The current language version; policy variables are substituted.
    case v2012_10_17 = "2012-10-17"
    /// The legacy language version (also the default when `Version` is absent); `${...}` is literal text.
    case v2008_10_17 = "2008-10-17"

    /// Whether `${...}` policy variables are substituted under this version.
    package var supportsPolicyVariables: Bool { self == .v2012_10_17 }
}

/// Whether a statement allows or denies what it matches.
package enum PolicyEffect: String, Sendable, Hashable {
    /// The statement grants access.
    case allow = "Allow"
    /// The statement explicitly denies access; wins over any allow.
    case deny = "Deny"

    /// Parses `Allow`/`Deny` in any letter case, as IAM accepts them.
    init?(caseInsensitive text: String) {
        switch text.lowercased() {
        case "allow": self = .allow
        case "deny": self = .deny
        default: return nil
        }
    }
}

/// The kind of policy being parsed, which decides the required and forbidden elements.
package enum PolicyKind: Sendable, Hashable {
    /// An identity-based policy: `Resource`/`NotResource` required, `Principal` forbidden.
    case identity
    /// A resource-based policy (bucket policy, Lambda permission): `Principal`/`NotPrincipal` required.
    case resource
    /// A role trust policy: `Principal` required, `Resource` optional.
    case trust
}

/// A list of patterns that either includes (`Action`, `Resource`) or excludes (`NotAction`, `NotResource`) what it names.
package enum PatternList: Sendable, Hashable {
    /// The element matches the listed patterns (`Action`, `Resource`, `Principal`).
    case matching([String])
    /// The element matches everything except the listed patterns (`NotAction`, `NotResource`, `NotPrincipal`).
    case notMatching([String])

    /// The patterns, whichever polarity.
    package var patterns: [String] {
        switch self {
        case .matching(let patterns), .notMatching(let patterns): patterns
        }
    }
}

/// The principals named by a `Principal` or `NotPrincipal` element, by principal type (`AWS`, `Service`, `Federated`, `CanonicalUser`).
package struct PrincipalSet: Sendable, Hashable {
    /// True when the element is the bare string `"*"` (everyone, including anonymous callers).
    package var isWildcard: Bool
    /// Principal identifiers keyed by type, for example `["AWS": ["arn:aws:iam::123456789012:root"]]`.
    package var principals: [String: [String]]

    /// Creates a principal set.
    package init(isWildcard: Bool = false, principals: [String: [String]] = [:]) {
        self.isWildcard = isWildcard
        self.principals = principals
    }
}

/// A `Principal` or `NotPrincipal` element.
package enum PrincipalElement: Sendable, Hashable {
    /// `Principal`: the statement applies to these principals.
    case principal(PrincipalSet)
    /// `NotPrincipal`: the statement applies to every principal except these.
    case notPrincipal(PrincipalSet)
}

/// One `Statement` of a policy document.
package struct PolicyStatement: Sendable, Hashable {
    /// The optional `Sid`.
    package var sid: String?
    /// `Allow` or `Deny`.
    package var effect: PolicyEffect
    /// `Action` or `NotAction`.
    package var actions: PatternList
    /// `Resource` or `NotResource`; nil when absent (allowed only in trust policies).
    package var resources: PatternList?
    /// `Principal` or `NotPrincipal`; nil in identity-based policies.
    package var principal: PrincipalElement?
    /// The `Condition` block flattened into clauses; all must hold.
    package var conditions: [ConditionClause]

    /// Creates a statement.
    package init(
        sid: String? = nil,
        effect: PolicyEffect,
        actions: PatternList,
        resources: PatternList?,
        principal: PrincipalElement? = nil,
        conditions: [ConditionClause] = []
    ) {
        self.sid = sid
        self.effect = effect
        self.actions = actions
        self.resources = resources
        self.principal = principal
        self.conditions = conditions
    }
}

/// The error thrown for a policy document that IAM would reject with `MalformedPolicyDocument`.
package struct PolicyDocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The AWS error code, always `MalformedPolicyDocument`.
    package var code: String { "MalformedPolicyDocument" }
    /// The human-readable message, worded like IAM's where known.
    package var message: String

    /// Creates an error with the given message.
    package init(_ message: String) {
        self.message = message
    }

    /// The message.
    package var description: String { message }
}

/// A parsed IAM policy document.
package struct PolicyDocument: Sendable, Hashable {
    /// The language version (2008-10-17 when the document has no `Version`).
    package var version: PolicyVersion
    /// The optional `Id` element.
    package var id: String?
    /// The statements in document order.
    package var statements: [PolicyStatement]
    /// A caller-chosen label (policy ARN or inline policy name) reported in decisions for logging.
    package var name: String?

    /// Creates a document from already-built statements.
    package init(version: PolicyVersion = .v2012_10_17, id: String? = nil, statements: [PolicyStatement], name: String? = nil) {
        self.version = version
        self.id = id
        self.statements = statements
        self.name = name
    }

    /// Parses a policy document from JSON text.
    /// - Parameters:
    ///   - data: The UTF-8 JSON text.
    ///   - kind: Which elements are required or forbidden.
    ///   - name: A label reported in decisions for logging.
    /// - Throws: `PolicyDocumentError` when the text is not JSON or not a valid policy.
    package init(json data: Data, kind: PolicyKind = .identity, name: String? = nil) throws(PolicyDocumentError) {
        guard let value = JSONValue.parse(data) else { throw PolicyDocumentError("Syntax errors in policy.") }
        try self.init(value: value, kind: kind, name: name)
    }

    /// Parses a policy document from a JSON string (for example a CloudFormation `PolicyDocument` rendered to text).
    /// - Parameters:
    ///   - text: The JSON text.
    ///   - kind: Which elements are required or forbidden.
    ///   - name: A label reported in decisions for logging.
    /// - Throws: `PolicyDocumentError` when the text is not JSON or not a valid policy.
    package init(jsonString text: String, kind: PolicyKind = .identity, name: String? = nil) throws(PolicyDocumentError) {
        try self.init(json: Data(text.utf8), kind: kind, name: name)
    }

    /// Parses a policy document from a Foundation JSON object (`[String: Any]` from `JSONSerialization` or a template parser).
    /// - Parameters:
    ///   - object: The document as nested dictionaries, arrays, strings, numbers and booleans.
    ///   - kind: Which elements are required or forbidden.
    ///   - name: A label reported in decisions for logging.
    /// - Throws: `PolicyDocumentError` when the object is not a valid policy.
    package init(object: Any, kind: PolicyKind = .identity, name: String? = nil) throws(PolicyDocumentError) {
        guard let value = JSONValue.from(foundation: object) else { throw PolicyDocumentError("Syntax errors in policy.") }
        try self.init(value: value, kind: kind, name: name)
    }

    init(value: JSONValue, kind: PolicyKind, name: String?) throws(PolicyDocumentError) {
        // IAM validates in this order: syntax of the whole document, SID uniqueness, presence of actions, presence of
        // resources, resource formats, action prefixes; the first failing check names the error.
        let syntax = PolicyDocumentError("Syntax errors in policy.")
        guard let members = value.objectMembers else { throw syntax }
        var version = PolicyVersion.v2008_10_17
        var id: String?
        var statementValue: JSONValue?
        for (key, member) in members {
            switch key {
            case "Version":
                guard case .string(let text) = member, let parsed = PolicyVersion(rawValue: text) else { throw syntax }
                version = parsed
            case "Id":
                guard case .string(let text) = member else { throw syntax }
                id = text
            case "Statement":
                statementValue = member
            default:
                throw syntax
            }
        }
        let statementValues: [JSONValue]
        switch statementValue {
        case .some(.array(let items)) where !items.isEmpty: statementValues = items
        case .some(.object(let object)): statementValues = [.object(object)]
        default: throw syntax
        }
        var drafts: [StatementDraft] = []
        for statement in statementValues {
            drafts.append(try StatementDraft(statement))
        }
        var sids: Set<String> = []
        for sid in drafts.compactMap(\.sid) where !sids.insert(sid).inserted {
            throw PolicyDocumentError("Statement IDs (SID) in a single policy must be unique.")
        }
        for draft in drafts where draft.actions?.patterns.isEmpty ?? true {
            throw PolicyDocumentError("Policy statement must contain actions.")
        }
        for draft in drafts {
            switch kind {
            case .identity:
                if draft.principal != nil { throw PolicyDocumentError("Policy document should not specify a principal.") }
                if draft.resources?.patterns.isEmpty ?? true { throw PolicyDocumentError("Policy statement must contain resources.") }
            case .resource:
                if draft.principal == nil { throw PolicyDocumentError("Missing required field Principal") }
                if draft.resources?.patterns.isEmpty ?? true { throw PolicyDocumentError("Policy statement must contain resources.") }
            case .trust:
                if draft.principal == nil { throw PolicyDocumentError("Missing required field Principal") }
            }
        }
        for resource in drafts.flatMap({ $0.resources?.patterns ?? [] }) {
            try FormatValidator.validate(resource: resource)
        }
        for action in drafts.flatMap({ $0.actions?.patterns ?? [] }) {
            try FormatValidator.validate(action: action)
        }
        let statements = drafts.compactMap { draft -> PolicyStatement? in
            guard let actions = draft.actions else { return nil }
            return PolicyStatement(
                sid: draft.sid,
                effect: draft.effect,
                actions: actions,
                resources: draft.resources,
                principal: draft.principal,
                conditions: draft.conditions
            )
        }
        self.init(version: version, id: id, statements: statements, name: name)
    }
}

/// One statement after the syntax check, before the semantic checks.
private struct StatementDraft {
    var sid: String?
    var effect: PolicyEffect
    var actions: PatternList?
    var resources: PatternList?
    var principal: PrincipalElement?
    var conditions: [ConditionClause] = []

    init(_ value: JSONValue) throws(PolicyDocumentError) {
        let syntax = PolicyDocumentError("Syntax errors in policy.")
        guard let members = value.objectMembers else { throw syntax }
        var effect: PolicyEffect?
        for (key, member) in members {
            switch key {
            case "Sid":
                guard case .string(let text) = member else { throw syntax }
                sid = text.isEmpty ? nil : text
            case "Effect":
                // IAM accepts the effect in any letter case.
                guard case .string(let text) = member, let parsed = PolicyEffect(caseInsensitive: text) else { throw syntax }
                effect = parsed
            case "Action", "NotAction":
                guard actions == nil else { throw syntax }
                let list = try Self.stringList(member)
                actions = key == "Action" ? .matching(list) : .notMatching(list)
            case "Resource", "NotResource":
                guard resources == nil else { throw syntax }
                let list = try Self.stringList(member)
                resources = key == "Resource" ? .matching(list) : .notMatching(list)
            case "Principal", "NotPrincipal":
                guard principal == nil else { throw syntax }
                let set = try Self.principalSet(member)
                principal = key == "Principal" ? .principal(set) : .notPrincipal(set)
            case "Condition":
                conditions = try ConditionClause.parseBlock(member)
            default:
                throw syntax
            }
        }
        guard let effect else { throw syntax }
        self.effect = effect
    }

    /// A string or an array of strings (an empty array is reported later as a missing element).
    static func stringList(_ value: JSONValue) throws(PolicyDocumentError) -> [String] {
        switch value {
        case .string(let text):
            return [text]
        case .array(let items):
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw PolicyDocumentError("Syntax errors in policy.") }
                strings.append(text)
            }
            return strings
        default:
            throw PolicyDocumentError("Syntax errors in policy.")
        }
    }

    static func principalSet(_ value: JSONValue) throws(PolicyDocumentError) -> PrincipalSet {
        switch value {
        case .string("*"):
            return PrincipalSet(isWildcard: true)
        case .object(let members):
            var principals: [String: [String]] = [:]
            for (type, identifiers) in members {
                guard ["AWS", "Service", "Federated", "CanonicalUser"].contains(type) else {
                    throw PolicyDocumentError("Invalid principal in policy: \"\(type)\"")
                }
                principals[type, default: []].append(contentsOf: try stringList(identifiers))
            }
            return PrincipalSet(principals: principals)
        default:
            throw PolicyDocumentError("Invalid principal in policy")
        }
    }
}

/// IAM's format checks on action and resource strings, with its error wording.
private enum FormatValidator {
    static let partitions: Set<String> = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"]
    static let iamResourcePrefixes = [
        "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/", "sms-mfa/",
        "saml-provider/", "oidc-provider/", "report/", "access-report/",
    ]

    static func validate(action: String) throws(PolicyDocumentError) {
        if action == "*" { return }
        let parts = action.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1 { throw PolicyDocumentError("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.") }
        if parts.count > 2 { throw PolicyDocumentError("Actions/Condition can contain only one colon.") }
        let vendor = parts[0]
        if !vendor.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) {
            throw PolicyDocumentError("Vendor \(vendor) is not valid")
        }
    }

    static func validate(resource: String) throws(PolicyDocumentError) {
        if resource == "*" { return }
        let parts = resource.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { throw PolicyDocumentError("Resource \(resource) must be in ARN format or \"*\".") }
        guard parts.count > 2 else { throw PolicyDocumentError("Resource vendor must be fully qualified and cannot contain regexes.") }
        let partition = parts[1]
        if !partitions.contains(partition) && !partition.contains("*") && !partition.contains("$") {
            let rest = Array(parts.dropFirst(2))
            let component = { (index: Int) -> String in index < rest.count && !rest[index].isEmpty ? rest[index] : "*" }
            throw PolicyDocumentError(
                "Partition \"\(partition)\" is not valid for resource \"arn:\(partition):\(component(0)):\(component(1)):\(component(2)):\(component(3))\"."
            )
        }
        guard parts.count > 3 else { throw PolicyDocumentError("Resource vendor must be fully qualified and cannot contain regexes.") }
        let service = parts[2]
        let region = parts[3]
        if service == "iam" && !region.isEmpty { throw PolicyDocumentError("IAM resource \(resource) cannot contain region information.") }
        if service == "s3" && !region.isEmpty { throw PolicyDocumentError("Resource \(resource) can not contain region information.") }
        if service == "iam", parts.count == 6, !parts[5].isEmpty, parts[5] != "*", !parts[5].hasPrefix("${"),
            parts[5] != "root", !iamResourcePrefixes.contains(where: { parts[5].hasPrefix($0) })
        {
            throw PolicyDocumentError("IAM resource path must either be \"*\" or start with \(iamResourcePrefixes.joined(separator: ", ")).")
        }
    }
}
