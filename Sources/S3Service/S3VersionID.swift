import EmulatorCore

/// S3 version ids as this emulator makes them: 32 characters of S3's URL-safe alphabet, the last two a check of the
/// first thirty, so that a string this emulator never issued is told apart as S3 tells it apart (`InvalidArgument`
/// "Invalid version id specified") from an id that is well formed but names no version (`NoSuchVersion`).
package enum S3VersionID {
    /// The id of the null version (writes to buckets that were never versioned or are suspended).
    package static let null = "null"

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._".utf8)
    private static let length = 32

    /// A fresh version id.
    /// - Parameter generator: The randomness (tests pin it).
    /// - Returns: 32 characters, well formed.
    package static func make<Generator: RandomNumberGenerator>(using generator: inout Generator) -> String {
        var bytes = (0..<(length - 2)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        let check = checksum(bytes[...])
        bytes.append(alphabet[Int(check & 63)])
        bytes.append(alphabet[Int((check >> 6) & 63)])
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A fresh version id from the system's randomness (a seeded stream under `--seed`).
    /// - Returns: 32 characters, well formed.
    package static func make() -> String {
        var generator = EmulatorRandom.idGenerator("s3-version-ids")
        return make(using: &generator)
    }

    /// Whether a version id is one this emulator could have issued (or `null`).
    /// - Parameter text: The id as sent.
    /// - Returns: `true` for `null` and well-formed ids.
    package static func isWellFormed(_ text: String) -> Bool {
        if text == null { return true }
        let bytes = Array(text.utf8)
        guard bytes.count == length, bytes.allSatisfy({ alphabet.contains($0) }) else { return false }
        let check = checksum(bytes[..<(length - 2)])
        return bytes[length - 2] == alphabet[Int(check & 63)] && bytes[length - 1] == alphabet[Int((check >> 6) & 63)]
    }

    /// FNV-1a over the id's first thirty bytes.
    private static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}
