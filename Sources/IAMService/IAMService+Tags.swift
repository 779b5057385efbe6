import AWSGateway
import EmulatorCore
import Foundation
import IAM

extension IAMService {
    /// `TagRole`/`UntagRole`/`ListRoleTags`, `TagUser`/`UntagUser`/`ListUserTags` and `TagPolicy`/`UntagPolicy`/
    /// `ListPolicyTags` (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html): at most 50 tags per entity,
    /// keys compared without regard to case (a new value replaces the old tag), unknown keys untagged silently.
    func tagging(_ operation: IAMOperation, _ input: IAMInput, into result: inout XMLWriter) throws(IAMError) {
        let target = try IAMEntity(taggedBy: operation, input)
        switch operation {
        case .tagRole, .tagUser, .tagPolicy:
            guard input["Tags.member.1.Key"] != nil else { throw IAMError.missing("tags") }
            let tags = try Self.validatedTags(input.tags())
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var current = try target.parts(in: state).tags
                for tag in tags {
                    current.removeAll { $0.key.lowercased() == tag.key.lowercased() }
                    current.append(tag)
                }
                if current.count > 50 { throw IAMError.limitExceeded("Cannot exceed quota for \(target.tagQuotaName): 50") }
                target.update(in: &state) { $0.tags = current }
            }
        case .untagRole, .untagUser, .untagPolicy:
            let keys = input.list("TagKeys")
            guard !keys.isEmpty else { throw IAMError.missing("tagKeys") }
            if keys.count > 50 {
                throw IAMError.constraint("tagKeys", value: "[\(keys.joined(separator: ", "))]", "Member must have length less than or equal to 50")
            }
            let lowered = Set(keys.map { $0.lowercased() })
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                let current = try target.parts(in: state).tags
                target.update(in: &state) { $0.tags = current.filter { !lowered.contains($0.key.lowercased()) } }
            }
        default:
            let tags = try directory.read { (state) throws(IAMError) in try target.parts(in: state).tags }
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
