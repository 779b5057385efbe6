import Foundation
import Synchronization

/// The emulator's one source of randomness, injectable like ``VirtualClock``: `--seed N` makes every draw
/// repeatable, and without a seed it starts from the system's random source (behaviour as before).
///
/// Draws come from named, independent streams (``stream(_:)``): each consumer (fault rates, duplicate picks,
/// connection ids...) has its own sequence derived from the seed and the stream's name, so one consumer drawing
/// more or fewer values (another request, another id) does not shift what the others draw. Within a stream the
/// sequence is SplitMix64, which is fast, passes BigCrush and needs one word of state.
package final class EmulatorRandom: Sendable {
    /// The seed given with `--seed`, or nil when the generator started from the system's random source.
    package let seed: UInt64?
    private let root: UInt64
    private let streams: Mutex<[String: RandomStream]>

    /// Creates the generator.
    /// - Parameter seed: The `--seed` value; nil draws a root from the system's random source.
    package init(seed: UInt64? = nil) {
        self.seed = seed
        if let seed {
            self.root = seed
        } else {
            var system = SystemRandomNumberGenerator()
            self.root = system.next()
        }
        self.streams = Mutex([:])
    }

    /// The stream of a given name, created on first use; the same name always yields the same stream.
    /// - Parameter name: The consumer's name, for example `faults` or `duplicates`.
    /// - Returns: The stream.
    package func stream(_ name: String) -> RandomStream {
        streams.withLock { streams in
            if let existing = streams[name] { return existing }
            let created = RandomStream(state: Self.mix(root ^ Self.fnv1a(name)))
            streams[name] = created
            return created
        }
    }

    /// FNV-1a over the UTF-8 bytes of a name: stable across processes and platforms (unlike `hashValue`).
    /// - Parameter name: The name.
    /// - Returns: Its 64-bit hash.
    package static func fnv1a(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// SplitMix64's finaliser: a bijection of `UInt64` that spreads every input bit over the output.
    /// - Parameter value: The input.
    /// - Returns: The mixed value.
    package static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One named sequence of ``EmulatorRandom``: safe to draw from concurrently (each draw takes the next value).
package final class RandomStream: Sendable {
    private let state: Mutex<UInt64>

    /// Creates a stream at a given state.
    /// - Parameter state: The SplitMix64 state.
    package init(state: UInt64) {
        self.state = Mutex(state)
    }

    /// The next 64 random bits.
    /// - Returns: The value.
    package func next() -> UInt64 {
        let current = state.withLock { state in
            state = state &+ 0x9E37_79B9_7F4A_7C15
            return state
        }
        return EmulatorRandom.mix(current)
    }

    /// A uniform value in `0..<1` (53 bits of precision).
    /// - Returns: The value.
    package func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Whether an event of the given probability happens on this draw.
    ///
    /// A rate of 0 (or less, or NaN) never happens and a rate of 1 (or more) always does; both still take a draw,
    /// so the sequence's position does not depend on the rate.
    /// - Parameter rate: The probability, 0...1.
    /// - Returns: `true` when the event happens.
    package func happens(rate: Double) -> Bool {
        let draw = nextUnit()
        guard rate > 0 else { return false }
        return draw < rate
    }

    /// A uniform integer in `0..<upperBound` (0 when the bound is not positive).
    /// - Parameter upperBound: The exclusive bound.
    /// - Returns: The value.
    package func nextInt(below upperBound: Int) -> Int {
        guard upperBound > 0 else { return 0 }
        // Lemire's multiply-shift: the high word of a 64x64 product, near-uniform without a division.
        return Int(next().multipliedFullWidth(by: UInt64(upperBound)).high)
    }

    /// A random-number generator view of this stream, for `Int.random(in:using:)` and `shuffled(using:)`.
    /// - Returns: The generator.
    package func generator() -> RandomStreamGenerator {
        RandomStreamGenerator(stream: self)
    }
}

/// ``RandomStream`` as a standard `RandomNumberGenerator`.
package struct RandomStreamGenerator: RandomNumberGenerator, Sendable {
    /// The stream drawn from.
    package let stream: RandomStream

    /// The next 64 random bits of the stream.
    /// - Returns: The value.
    package mutating func next() -> UInt64 { stream.next() }
}

extension EmulatorRandom {
    /// The process's id streams under `--seed`; nil draws ids from the system's random source.
    private static let forIDs = Mutex<EmulatorRandom?>(nil)

    /// Makes the ids the process generates repeatable (`--seed`): request ids (``RequestID``) and every id drawn
    /// through ``idGenerator(_:)`` (connection ids, S3 version ids, execution-environment stream names). Call it at
    /// start, before the first id.
    /// - Parameter seed: The seed.
    package static func seedIDs(_ seed: UInt64) {
        forIDs.withLock { $0 = EmulatorRandom(seed: seed) }
        RequestID.useSeed(seed)
    }

    /// The generator one kind of id is drawn from: the seeded stream of that name under `--seed`, else the system's
    /// random source (as before).
    /// - Parameter name: The kind of id, for example `connection-ids`.
    /// - Returns: The generator.
    package static func idGenerator(_ name: String) -> IDRandomGenerator {
        IDRandomGenerator(stream: forIDs.withLock { $0 }?.stream(name))
    }
}

extension EmulatorRandom {
    /// A version 4 UUID, lower-case, drawn from the id stream of a given name (seeded under `--seed`).
    /// - Parameter name: The kind of id, for example `cognito-identity-ids`.
    /// - Returns: The UUID text, for example `3f0c2a9e-5b1d-4c7e-9a2f-1b2c3d4e5f60`.
    package static func uuidString(_ name: String) -> String {
        var generator = idGenerator(name)
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
        return uuid.uuidString.lowercased()
    }
}

/// The random source of one kind of id: a seeded ``RandomStream`` under `--seed`, else the system's generator.
package struct IDRandomGenerator: RandomNumberGenerator {
    private let stream: RandomStream?
    private var system = SystemRandomNumberGenerator()

    /// Creates the generator.
    /// - Parameter stream: The seeded stream, or nil for the system's generator.
    package init(stream: RandomStream?) {
        self.stream = stream
    }

    /// The next 64 random bits.
    /// - Returns: The value.
    package mutating func next() -> UInt64 {
        stream?.next() ?? system.next()
    }
}

/// A named stream is the realism profile's random source (duplicate and drop picks), seeded by `--seed`.
extension RandomStream: RealismRandomSource {}
