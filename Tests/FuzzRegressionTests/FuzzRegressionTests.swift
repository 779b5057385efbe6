import Foundation
import FuzzTargets
import Testing

/// Replays every committed fuzz input and a short seeded mutation run through each fuzz target.
///
/// `Fuzz/Corpus/<target>/` holds the seeds, `Fuzz/Regressions/<target>/` the inputs that once crashed the emulator
/// (kept by `scripts/fuzz`). A trap in a parser kills the test process, so any of them failing fails `swift test`.
@Suite struct FuzzRegressionTests {
    /// Mutations per target, sized so the whole run takes a few seconds in a debug build: the targets that create
    /// Foundation date formatters or resolve whole templates cost about a millisecond per input, the others far less.
    private static func mutationCount(_ target: FuzzTarget) -> Int {
        switch target {
        case .template: 150
        case .dates: 300
        case .s3Headers: 400
        case .sigv4, .awsChunked, .dynamodbJSON, .dynamodbExpression, .s3XML: 2_000
        }
    }

    private static var fuzzDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz")
    }

    private static func inputs(_ folder: String, _ target: FuzzTarget) -> [[UInt8]] {
        let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name))).map { Array($0) }
        }
    }

    @Test("every target has seeds", arguments: FuzzTarget.allCases)
    func corpusPresent(target: FuzzTarget) {
        #expect(!Self.inputs("Corpus", target).isEmpty, "Fuzz/Corpus/\(target.rawValue) is empty")
    }

    @Test("committed corpus and regression inputs", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) {
        for input in Self.inputs("Corpus", target) + Self.inputs("Regressions", target) {
            target.run(input)
        }
    }

    @Test("seeded mutations of the corpus", arguments: FuzzTarget.allCases)
    func mutations(target: FuzzTarget) {
        let seeds = Self.inputs("Corpus", target) + Self.inputs("Regressions", target)
        // A fixed seed per target: a failure reproduces on every run and machine.
        var mutator = Mutator(seed: UInt64(truncatingIfNeeded: target.rawValue.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        for _ in 0..<Self.mutationCount(target) {
            target.run(mutator.mutate(seeds))
        }
    }
}

/// A small deterministic mutator in the spirit of libFuzzer's: bit flips, byte edits, range copies, splices and
/// dictionary tokens chosen to reach integer, date and nesting edge cases.
struct Mutator {
    private var state: UInt64

    private static let tokens: [[UInt8]] = [
        "999999999999", "-9223372036854775808", "9223372036854775807", "9223372036854775808", "99999999999999999999",
        "18446744073709551616", "-1", "0", "1e400", "-1e400", "NaN", "inf", "0x7fffffff", "2147483648", "+1", "%00", "%",
        "\u{0}", "\r\n", "\n\n", ":", ",", ";", "=", "&", "?", "/", "..", "\"", "'", "<", ">", "</", "<!DOCTYPE a [<!ENTITY x \"y\">]>",
        "&x;", "{", "}", "[", "]", "[[[[[[[[", "{\"M\":{\"a\":", "#", "::", " AND ", " OR ", "(", ")", "size(", "attribute_exists(",
        "[99999999999]", "SET ", "REMOVE ", "AWS4-HMAC-SHA256", "AWS ", "X-Amz-Expires=", "Expires=", "Date: ", "T", "Z", "GMT",
        "Thu, 01 Jan 999999999999 00:00:00 GMT", "20240101T000000Z", "bytes=", "-", "ffffffffffffffff;chunk-signature=", "!Ref ",
        "Fn::", "*", "&anchor ", "*anchor", "---", "- ",
    ].map { Array($0.utf8) }

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    private mutating func below(_ bound: Int) -> Int {
        bound <= 1 ? 0 : Int(next() % UInt64(bound))
    }

    /// One to four random edits of a random seed.
    mutating func mutate(_ seeds: [[UInt8]]) -> [UInt8] {
        var bytes = seeds.isEmpty ? [] : seeds[below(seeds.count)]
        for _ in 0...below(4) {
            let position = below(bytes.count + 1)
            switch below(7) {
            case 0:
                if !bytes.isEmpty { bytes[below(bytes.count)] ^= UInt8(1) << UInt8(below(8)) }
            case 1:
                if !bytes.isEmpty { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next()) }
            case 2:
                bytes.insert(contentsOf: (0...below(3)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: position)
            case 3:
                if !bytes.isEmpty {
                    let start = below(bytes.count)
                    bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(16)))
                }
            case 4:
                if !bytes.isEmpty {
                    let start = below(bytes.count)
                    let piece = bytes[start..<min(bytes.count, start + 1 + below(32))]
                    bytes.insert(contentsOf: Array(piece), at: position)
                }
            case 5:
                if !seeds.isEmpty {
                    let other = seeds[below(seeds.count)]
                    let start = below(other.count + 1)
                    bytes.insert(contentsOf: other[start..<min(other.count, start + below(64))], at: position)
                }
            default:
                bytes.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: position)
            }
        }
        return Array(bytes.prefix(8_192))
    }
}
