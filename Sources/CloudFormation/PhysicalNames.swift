/// Deterministic generators for the random-looking parts of CloudFormation physical ids.
///
/// Every value derives from a seed built from the stack name and logical id, so restarting the emulator
/// with the same template and stack name yields the same names, ids and ARNs. A resource an update replaces gets
/// the next *generation* (kept in the stack's record), whose seed differs, so the replacement gets a new id as
/// CloudFormation gives it; generation 0 seeds exactly as before generations existed.
package enum PhysicalNames {
    private static let upperAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    private static let lowerAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    private static let hexDigits = Array("0123456789abcdef")

    /// A 64-bit FNV-1a hash of the parts joined with a separator that cannot appear in logical ids.
    package static func seed(_ parts: String...) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// `count` characters drawn from `alphabet` by a SplitMix64 stream started at `seed`.
    package static func randomString(seed: UInt64, count: Int, alphabet: [Character]) -> String {
        guard !alphabet.isEmpty else { return "" }
        var state = seed
        var result = ""
        for _ in 0..<max(0, count) {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            result.append(alphabet[Int(mixed % UInt64(alphabet.count))])
        }
        return result
    }

    /// The logical id as seeds use it: itself for generation 0, else with the generation appended (after a
    /// separator that cannot appear in logical ids), so a replacement's ids differ from its predecessor's.
    /// - Parameters:
    ///   - logicalId: The logical id.
    ///   - generation: How many times updates replaced the resource.
    /// - Returns: The seed text.
    package static func seedLogicalId(_ logicalId: String, generation: Int) -> String {
        generation == 0 ? logicalId : "\(logicalId)\u{1E}\(generation)"
    }

    /// An uppercase alphanumeric suffix such as `1R2X3Y4Z5W6Q`.
    package static func suffix(stack: String, logicalId: String, generation: Int = 0, length: Int = 12) -> String {
        randomString(
            seed: seed(stack, seedLogicalId(logicalId, generation: generation), "suffix"),
            count: length,
            alphabet: upperAlphanumerics
        )
    }

    /// Lowercase alphanumeric characters, as in API Gateway ids (`a1b2c3d4e5`).
    package static func lowercaseId(stack: String, logicalId: String, generation: Int = 0, length: Int) -> String {
        randomString(seed: seed(stack, seedLogicalId(logicalId, generation: generation), "id"), count: length, alphabet: lowerAlphanumerics)
    }

    /// Uppercase alphanumeric characters seeded by arbitrary parts.
    package static func uppercaseId(_ parts: String..., length: Int) -> String {
        randomString(seed: seed(parts.joined(separator: "/")), count: length, alphabet: upperAlphanumerics)
    }

    /// A version-4-shaped UUID (lowercase) derived from the parts.
    package static func uuid(_ parts: String...) -> String {
        let joined = parts.joined(separator: "/")
        var hex = Array(randomString(seed: seed(joined, "uuid"), count: 32, alphabet: hexDigits))
        hex[12] = "4"
        let variant: [Character] = ["8", "9", "a", "b"]
        hex[16] = variant[Int(seed(joined, "variant") % 4)]
        let text = String(hex)
        let cuts = [8, 12, 16, 20]
        var output = ""
        for (index, character) in text.enumerated() {
            if cuts.contains(index) { output.append("-") }
            output.append(character)
        }
        return output
    }

    /// The default physical name CloudFormation gives a resource: `{stack}-{LogicalId}-{SUFFIX}`.
    ///
    /// When the result would exceed `maxLength`, the stack name and logical id are truncated the way
    /// CloudFormation does, keeping the suffix intact. S3 bucket names pass `lowercase: true`.
    /// - Parameters:
    ///   - stack: The stack name.
    ///   - logicalId: The resource's logical id.
    ///   - maxLength: The service's name length limit.
    ///   - lowercase: Whether the whole name must be lowercase.
    ///   - generation: How many times updates replaced the resource (changes only the suffix).
    /// - Returns: The generated name.
    package static func generatedName(stack: String, logicalId: String, maxLength: Int, lowercase: Bool = false, generation: Int = 0) -> String {
        let tail = suffix(stack: stack, logicalId: logicalId, generation: generation)
        let budget = max(2, maxLength - tail.count - 2)
        var stackPart = stack
        var logicalPart = logicalId
        if stackPart.count + logicalPart.count > budget {
            let stackShare = min(stackPart.count, max(budget / 2, budget - logicalPart.count))
            stackPart = String(stackPart.prefix(stackShare))
            logicalPart = String(logicalPart.prefix(max(0, budget - stackPart.count)))
        }
        let name = "\(stackPart)-\(logicalPart)-\(tail)"
        return lowercase ? name.lowercased() : name
    }
}
