import CloudFormation
import EmulatorCore
import Foundation

/// Reads `--profile-file`: a JSON object or YAML mapping of ``RealismProfile/keys`` to values, overriding the
/// profile named by its own `profile` key, else by `--profile`.
///
/// ```yaml
/// profile: aws
/// lambdaColdStart: 1.5s
/// s3NotificationDuplicateRate: 1
/// ```
package enum RealismProfileFile {
    /// Resolves the active profile from `--profile` and an optional profile file's text.
    /// - Parameters:
    ///   - name: The `--profile` word (`default` or `aws`).
    ///   - fileText: The profile file's text, or nil without `--profile-file`.
    /// - Returns: The profile.
    /// - Throws: ``RealismProfileError`` for an unknown profile, key or value, or text that is not a mapping.
    package static func resolve(named name: String, fileText: String?) throws(RealismProfileError) -> RealismProfile {
        guard let fileText else {
            guard let profile = RealismProfile.named[name] else { throw .unknownProfile(name) }
            return profile
        }
        let value: TemplateValue
        do {
            value = try TemplateLoader.parseValue(fileText, fileName: "profile file")
        } catch {
            throw .notAMap
        }
        guard let map = value.mapValue else { throw .notAMap }
        var pairs: [(key: String, value: String?)] = []
        for (key, entry) in map.entries {
            switch entry {
            case .string(let text), .number(let text): pairs.append((key: key, value: text))
            case .bool(let flag): pairs.append((key: key, value: flag ? "true" : "false"))
            case .null: pairs.append((key: key, value: nil))
            case .list, .map: throw .invalidValue(key: key, value: entry.kindDescription, expected: "a number or a word")
            }
        }
        let base = map["profile"]?.stringValue ?? name
        guard let profile = RealismProfile.named[base] else { throw .unknownProfile(base) }
        return try profile.overriding(with: pairs, name: "\(base)+file")
    }
}
