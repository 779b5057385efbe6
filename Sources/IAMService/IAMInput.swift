import Foundation
import IAM

/// The query parameters of one IAM request, with IAM's parameter validation and its wording.
struct IAMInput {
    private let parameters: [String: String]

    /// Wraps the decoded parameters.
    init(_ parameters: [String: String]) {
        self.parameters = parameters
    }

    /// A parameter as sent.
    subscript(_ name: String) -> String? { parameters[name] }

    /// A required parameter (`Member must not be null` when absent).
    func required(_ name: String, member: String) throws(IAMError) -> String {
        guard let value = parameters[name] else { throw IAMError.missing(member) }
        return value
    }

    /// A role, user or policy name: 1 to `maxLength` characters of `[\w+=,.@-]`.
    func entityName(_ name: String, member: String, maxLength: Int = 64) throws(IAMError) -> String {
        let value = try required(name, member: member)
        if value.isEmpty { throw IAMError.constraint(member, value: value, "Member must have length greater than or equal to 1") }
        if value.count > maxLength {
            throw IAMError.constraint(member, value: value, "Member must have length less than or equal to \(maxLength)")
        }
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_+=,.@-".unicodeScalars.contains(scalar))
        }
        if !allowed { throw IAMError.constraint(member, value: value, "Member must satisfy regular expression pattern: [\\w+=,.@-]+") }
        return value
    }

    /// The `Path` (default `/`): `/`, or `/` + printable ASCII + `/`, at most 512 characters.
    func path() throws(IAMError) -> String {
        guard let value = parameters["Path"] else { return "/" }
        if value.count > 512 { throw IAMError.constraint("path", value: value, "Member must have length less than or equal to 512") }
        let printable = value.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value <= 0x7E }
        guard value == "/" || (value.count >= 2 && value.hasPrefix("/") && value.hasSuffix("/") && printable) else {
            throw IAMError.constraint(
                "path",
                value: value,
                "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"
            )
        }
        return value
    }

    /// `MaxSessionDuration`: 3600 to 43200 seconds.
    func maxSessionDuration() throws(IAMError) -> Int? {
        guard let text = parameters["MaxSessionDuration"] else { return nil }
        guard let value = Int(text) else { throw IAMError.constraint("maxSessionDuration", value: text, "Member must be a number") }
        if value < 3600 {
            throw IAMError.constraint("maxSessionDuration", value: text, "Member must have value greater than or equal to 3600")
        }
        if value > 43200 {
            throw IAMError.constraint("maxSessionDuration", value: text, "Member must have value less than or equal to 43200")
        }
        return value
    }

    /// `Description`: at most 1000 characters.
    func description() throws(IAMError) -> String? {
        guard let value = parameters["Description"] else { return nil }
        if value.count > 1000 {
            throw IAMError.constraint("description", value: value, "Member must have length less than or equal to 1000")
        }
        return value
    }

    /// `PolicyArn`: required, at least 20 characters.
    func policyArn() throws(IAMError) -> String {
        let value = try required("PolicyArn", member: "policyArn")
        if value.count < 20 {
            throw IAMError.constraint("policyArn", value: value, "Member must have length greater than or equal to 20")
        }
        return value
    }

    /// `Tags.member.N.Key` / `.Value`.
    func tags() -> [IAMTag] {
        var tags: [IAMTag] = []
        var index = 1
        while let key = parameters["Tags.member.\(index).Key"] {
            tags.append(IAMTag(key: key, value: parameters["Tags.member.\(index).Value"] ?? ""))
            index += 1
        }
        return tags
    }

    /// A query list: `NAME.member.1`, `NAME.member.2`...
    func list(_ name: String) -> [String] {
        var values: [String] = []
        var index = 1
        while let value = parameters["\(name).member.\(index)"] {
            values.append(value)
            index += 1
        }
        return values
    }
}
