import AWSGateway
import EmulatorCore
import Foundation
import IAM

extension IAMService {
    /// `TagRole`/`UntagRole`/`ListRoleTags`, `TagUser`/`UntagUser`/`ListUserTags` and `TagPolicy`/`UntagPolicy`/
    /// `ListPolicyTags` (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html): at most 50 tags per entity,
    /// keys compared without regard to case (a new value replaces the old tag), unknown keys untagged silently.
    func tagging(_ operation: IAMOperation, _ input: IAMInput, into result: inout XMLWriter) throws(IAMError) {
        let target = try TagTarget(operation, input)
        switch operation {
        case .tagRole, .tagUser, .tagPolicy:
            guard input["Tags.member.1.Key"] != nil else { throw IAMError.missing("tags") }
            let tags = try Self.validatedTags(input.tags())
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var current = try target.tags(in: state)
                for tag in tags {
                    current.removeAll { $0.key.lowercased() == tag.key.lowercased() }
                    current.append(tag)
                }
                if current.count > 50 { throw IAMError.limitExceeded("Cannot exceed quota for \(target.quotaName): 50") }
                target.set(current, in: &state)
            }
        case .untagRole, .untagUser, .untagPolicy:
            let keys = input.list("TagKeys")
            guard !keys.isEmpty else { throw IAMError.missing("tagKeys") }
            if keys.count > 50 {
                throw IAMError.constraint("tagKeys", value: "[\(keys.joined(separator: ", "))]", "Member must have length less than or equal to 50")
            }
            let lowered = Set(keys.map { $0.lowercased() })
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                let current = try target.tags(in: state)
                target.set(current.filter { !lowered.contains($0.key.lowercased()) }, in: &state)
            }
        default:
            let tags = try directory.read { (state) throws(IAMError) in try target.tags(in: state) }
            let page = try Self.page(tags, input)
            Self.writeTags(page.items, into: &result)
            Self.writeTruncation(page, into: &result)
        }
    }

    /// Tags as `CreateRole`/`CreateUser`/`CreatePolicy`/`Tag*` send them, checked as IAM checks them: at most 50, keys
    /// 1-128 and values 0-256 characters of letters, digits, spaces and `_.:/=+-@`, no key twice (ignoring case).
    static func validatedTags(_ tags: [IAMTag]) throws(IAMError) -> [IAMTag] {
        if tags.count > 50 {
            throw IAMError.constraint("tags", value: "\(tags.count) tags", "Member must have length less than or equal to 50")
        }
        let allowed = CharacterSet.letters.union(.decimalDigits).union(.whitespaces).union(CharacterSet(charactersIn: "_.:/=+-@"))
        var seen = Set<String>()
        for tag in tags {
            let keyValid = !tag.key.isEmpty && tag.key.count <= 128 && tag.key.unicodeScalars.allSatisfy { allowed.contains($0) }
            if !keyValid {
                throw IAMError.constraint(
                    "tags.\(tags.firstIndex(of: tag).map { $0 + 1 } ?? 1).member.key",
                    value: tag.key,
                    "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
                )
            }
            if tag.value.count > 256 || !tag.value.unicodeScalars.allSatisfy({ allowed.contains($0) }) {
                throw IAMError.constraint(
                    "tags.\(tags.firstIndex(of: tag).map { $0 + 1 } ?? 1).member.value",
                    value: tag.value,
                    "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"
                )
            }
            guard seen.insert(tag.key.lowercased()).inserted else {
                throw IAMError.invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
            }
        }
        return tags
    }
}

/// The role, user or managed policy a tagging operation names.
private enum TagTarget {
    case role(String)
    case user(String)
    case policy(String)

    init(_ operation: IAMOperation, _ input: IAMInput) throws(IAMError) {
        switch operation {
        case .tagRole, .untagRole, .listRoleTags: self = .role(try input.required("RoleName", member: "roleName"))
        case .tagUser, .untagUser, .listUserTags: self = .user(try input.required("UserName", member: "userName"))
        default: self = .policy(try input.policyArn())
        }
    }

    /// The quota name in LimitExceeded.
    var quotaName: String {
        switch self {
        case .role: "TagsPerRole"
        case .user: "TagsPerUser"
        case .policy: "TagsPerPolicy"
        }
    }

    func tags(in state: IAMState) throws(IAMError) -> [IAMTag] {
        switch self {
        case .role(let name): return try IAMService.role(name, in: state).tags
        case .user(let name): return try IAMService.user(name, in: state).tags
        case .policy(let arn):
            guard let record = state.policies[arn] else { throw IAMError.policyNotFound(arn) }
            return record.tags ?? []
        }
    }

    func set(_ tags: [IAMTag], in state: inout IAMState) {
        switch self {
        case .role(let name): state.roles[name]?.tags = tags
        case .user(let name): state.users[name]?.tags = tags
        case .policy(let arn): state.policies[arn]?.tags = tags
        }
    }
}
