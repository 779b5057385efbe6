import Synchronization

/// Generates the request identifiers AWS services put in responses, without a system call per request.
///
/// Each process draws one random seed at first use; every id then combines that seed with an atomic counter
/// passed through a bijective mix (so ids are unique within the process for 2^48 requests or more, and look random
/// as AWS's do). Only the first id reads the kernel's random source.
package enum RequestID {
    private static let upperAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    private static let hexUpper = Array("0123456789ABCDEF".utf8)
    private static let hexLower = Array("0123456789abcdef".utf8)
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The per-process random material (drawn once).
    private struct Seed: Sendable {
        var words: [UInt64]
        var dynamoPrefix: [UInt8]
        var hostIDPrefix: [UInt8]

        init() {
            if let fixed = RequestID.fixedSeed.withLock({ $0 }) {
                var generator = EmulatorRandom(seed: fixed).stream("request-ids").generator()
                self.init(using: &generator)
            } else {
                var generator = SystemRandomNumberGenerator()
                self.init(using: &generator)
            }
        }

        init<Generator: RandomNumberGenerator>(using generator: inout Generator) {
            words = (0..<4).map { _ in generator.next() }
            dynamoPrefix = (0..<39).map { _ in RequestID.upperAlphanumerics[Int.random(in: 0..<36, using: &generator)] }
            hostIDPrefix = (0..<40).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
    }

    /// The `--seed` the per-process material is drawn from, set before the first id.
    private static let fixedSeed = Mutex<UInt64?>(nil)

    /// Makes every id of this process repeatable (`--seed`): the per-process material is drawn from the seed, so
    /// the same sequence of requests gets the same ids. Call it at start, before the first id is generated (a later
    /// call has no effect).
    /// - Parameter seed: The seed.
    package static func useSeed(_ seed: UInt64) {
        fixedSeed.withLock { $0 = seed }
    }

    private static let seed = Seed()
    private static let counter = Atomic<UInt64>(0)

    /// The next counter value, mixed with the process seed by a bijection of `UInt64` (splitmix64's finaliser).
    private static func nextMixed() -> UInt64 {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var value = count ^ seed.words[0]
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// The next counter value mixed within 48 bits (a bijection of 0..<2^48).
    private static func nextMixed48() -> UInt64 {
        let mask: UInt64 = (1 << 48) - 1
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var value = (count ^ seed.words[1]) & mask
        value = (value &* 0x9E37_79B9_7F4B) & mask
        value ^= value >> 23
        value = (value &* 0xC2B2_AE3D_27D5) & mask
        return value ^ (value >> 25)
    }

    /// A UUID-shaped request id (version 4 layout, lower-case), as Lambda, STS, CloudFormation and Cognito send
    /// (`x-amzn-RequestId`).
    /// - Returns: The id, for example `3f0c2a9e-5b1d-4c7e-9a2f-1b2c3d4e5f60`.
    package static func uuid() -> String {
        let high = seed.words[2]
        let low = nextMixed48() | ((seed.words[3] & 0x3FFF | 0x8000) << 48)
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        func hex(_ value: UInt64, digits: Int) {
            for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) { bytes.append(hexLower[Int((value >> UInt64(shift)) & 0xF)]) }
        }
        hex(high >> 32, digits: 8)
        bytes.append(UInt8(ascii: "-"))
        hex((high >> 16) & 0xFFFF, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(0x4000 | (high & 0x0FFF), digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(low >> 48, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(low & 0xFFFF_FFFF_FFFF, digits: 12)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A 52-character upper-case alphanumeric id, as DynamoDB sends.
    /// - Returns: The id.
    package static func dynamoDB() -> String {
        var bytes = seed.dynamoPrefix
        bytes.reserveCapacity(52)
        var value = nextMixed()
        for _ in 0..<13 {  // 36^13 > 2^64: every counter value gets its own suffix
            bytes.append(upperAlphanumerics[Int(value % 36)])
            value /= 36
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A 16-character upper-case hexadecimal id, as S3 sends in `x-amz-request-id`.
    /// - Returns: The id.
    package static func s3() -> String {
        let value = nextMixed()
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        for shift in stride(from: 60, through: 0, by: -4) { bytes.append(hexUpper[Int((value >> UInt64(shift)) & 0xF)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A base64 host id of 48 bytes (64 characters), as S3 sends in `x-amz-id-2`.
    /// - Returns: The id.
    package static func s3HostID() -> String {
        var raw = seed.hostIDPrefix
        let value = nextMixed()
        for shift in stride(from: 56, through: 0, by: -8) { raw.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        var text = [UInt8]()
        text.reserveCapacity(64)
        var index = 0
        while index + 2 < raw.count {  // 48 bytes: whole groups of three, no padding
            let group = UInt32(raw[index]) << 16 | UInt32(raw[index + 1]) << 8 | UInt32(raw[index + 2])
            for shift in [18, 12, 6, 0] { text.append(base64Alphabet[Int((group >> UInt32(shift)) & 0x3F)]) }
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
    }
}
