import Foundation

/// How close to production timing and failure the emulator behaves (`--profile default|aws`, `--profile-file`).
///
/// The `default` profile is the emulator's usual behaviour: fast and deterministic (no cold start delay,
/// notifications delivered at once and exactly once, TTL deletes as soon as the clock passes an item's TTL).
/// The `aws` profile adds what production shows: cold starts, late and duplicated notifications and stream
/// batches, dropped notifications, TTL deletion lag and the account's concurrency limit of 1,000.
/// Every knob is a plain value; a profile file overrides any of them by its key (``keys``).
package struct RealismProfile: Sendable, Equatable {
    /// The profile's name as printed in the start-up summary (`default`, `aws`, or `aws+file` for a file override).
    package var name: String
    /// Added to a Lambda execution environment's init phase on every cold start (first invocation, after idle
    /// reclaim), in seconds of real time; shows in the REPORT line's `Init Duration`.
    package var lambdaColdStart: TimeInterval
    /// Idle execution environments are reclaimed after this many (virtual) seconds.
    package var lambdaIdleReclaim: TimeInterval
    /// The account's Lambda concurrency limit (all functions together).
    package var lambdaConcurrency: Int
    /// The shortest delay (real seconds) between an S3 write and the Lambda invocation its notification causes.
    package var s3NotificationDelayMin: TimeInterval
    /// The longest such delay; each event's delay is picked uniformly between the two.
    package var s3NotificationDelayMax: TimeInterval
    /// The share (0...1) of S3 notifications delivered twice, with the same event (sequencer, request id).
    package var s3NotificationDuplicateRate: Double
    /// The share (0...1) of S3 notifications dropped (AWS drops an event whose delivery failed after its retries).
    package var s3NotificationFailureRate: Double
    /// The share (0...1) of DynamoDB stream batches an event source mapping delivers twice (same sequence numbers).
    package var streamDuplicateRate: Double
    /// How long DynamoDB keeps expired items readable before TTL deletes them (seconds); `nil` deletes once the
    /// clock passes the TTL (`--ttl-mode prompt`).
    package var ttlDeletionDelay: TimeInterval?
    /// How long (virtual seconds) a DynamoDB write stays invisible to eventually consistent reads: GetItem, Query
    /// and Scan without `ConsistentRead`, and every read of a global secondary index.
    package var readLag: TimeInterval

    /// The `default` profile: today's fast, deterministic behaviour.
    package static let `default` = RealismProfile(
        name: "default",
        lambdaColdStart: 0,
        lambdaIdleReclaim: 600,
        lambdaConcurrency: 10,
        s3NotificationDelayMin: 0,
        s3NotificationDelayMax: 0,
        s3NotificationDuplicateRate: 0,
        s3NotificationFailureRate: 0,
        streamDuplicateRate: 0,
        ttlDeletionDelay: nil,
        readLag: 0
    )

    /// The `aws` profile: production's timing and failure, with the values the SynapScribe deployment report
    /// observed (cold start ~3 s, S3 notifications 1-2 s late) and AWS's documented defaults (1,000 concurrent
    /// executions, TTL deletion within days: 48 h here).
    package static let aws = RealismProfile(
        name: "aws",
        lambdaColdStart: 3,
        lambdaIdleReclaim: 600,
        lambdaConcurrency: 1_000,
        s3NotificationDelayMin: 1,
        s3NotificationDelayMax: 2,
        s3NotificationDuplicateRate: 0.01,
        s3NotificationFailureRate: 0.001,
        streamDuplicateRate: 0.01,
        ttlDeletionDelay: 48 * 3600,
        readLag: 1
    )

    /// The named profiles `--profile` accepts.
    package static let named: [String: RealismProfile] = ["default": .default, "aws": .aws]

    /// Whether any knob differs from the `default` profile (the name aside).
    package var isDefault: Bool {
        var plain = self
        plain.name = Self.default.name
        return plain == Self.default
    }

    /// The keys a profile file may set, in the order the summary and README list them.
    package static let keys = [
        "lambdaColdStart", "lambdaIdleReclaim", "lambdaConcurrency", "s3NotificationDelayMin", "s3NotificationDelayMax",
        "s3NotificationDuplicateRate", "s3NotificationFailureRate", "streamDuplicateRate", "ttlDeletionDelay", "readLag",
    ]

    /// This profile with a file's values: durations as seconds or `DurationText` (`1.5s`, `500ms` is not a unit:
    /// write `0.5`), rates between 0 and 1, `ttlDeletionDelay: prompt` (or `null`) for prompt TTL deletion.
    /// - Parameters:
    ///   - values: Key to scalar text; the key `profile` (the base) is ignored here.
    ///   - name: The resulting profile's name.
    /// - Returns: The overridden profile.
    /// - Throws: ``RealismProfileError`` naming the first unknown key or bad value.
    package func overriding(with values: [(key: String, value: String?)], name: String) throws(RealismProfileError) -> RealismProfile {
        var profile = self
        profile.name = name
        for (key, value) in values where key != "profile" {
            switch key {
            case "lambdaColdStart": profile.lambdaColdStart = try Self.duration(key, value, upTo: 600)
            case "lambdaIdleReclaim":
                profile.lambdaIdleReclaim = try Self.duration(key, value, upTo: 86_400 * 365)
                guard profile.lambdaIdleReclaim > 0 else { throw .invalidValue(key: key, value: value ?? "null", expected: "a positive duration") }
            case "lambdaConcurrency":
                guard let text = value, let number = Int(text), (1...1_000_000).contains(number) else {
                    throw .invalidValue(key: key, value: value ?? "null", expected: "an integer between 1 and 1000000")
                }
                profile.lambdaConcurrency = number
            case "s3NotificationDelayMin": profile.s3NotificationDelayMin = try Self.duration(key, value, upTo: 3600)
            case "s3NotificationDelayMax": profile.s3NotificationDelayMax = try Self.duration(key, value, upTo: 3600)
            case "s3NotificationDuplicateRate": profile.s3NotificationDuplicateRate = try Self.rate(key, value)
            case "s3NotificationFailureRate": profile.s3NotificationFailureRate = try Self.rate(key, value)
            case "streamDuplicateRate": profile.streamDuplicateRate = try Self.rate(key, value)
            case "ttlDeletionDelay":
                if value == nil || value == "prompt" {
                    profile.ttlDeletionDelay = nil
                } else {
                    profile.ttlDeletionDelay = try Self.duration(key, value, upTo: 86_400 * 3650)
                }
            case "readLag": profile.readLag = try Self.duration(key, value, upTo: 3600)
            default:
                throw .unknownKey(key)
            }
        }
        guard profile.s3NotificationDelayMin <= profile.s3NotificationDelayMax else {
            throw .invalidValue(
                key: "s3NotificationDelayMin",
                value: String(profile.s3NotificationDelayMin),
                expected: "at most s3NotificationDelayMax (\(profile.s3NotificationDelayMax))"
            )
        }
        return profile
    }

    private static func duration(_ key: String, _ value: String?, upTo limit: TimeInterval) throws(RealismProfileError) -> TimeInterval {
        guard let text = value, let seconds = DurationText.seconds(text), seconds.isFinite, seconds >= 0, seconds <= limit else {
            throw .invalidValue(key: key, value: value ?? "null", expected: "a duration such as 3, 1.5s or 10m (0 to \(Int(limit)) s)")
        }
        return seconds
    }

    private static func rate(_ key: String, _ value: String?) throws(RealismProfileError) -> Double {
        guard let text = value, let rate = Double(text), rate.isFinite, (0...1).contains(rate) else {
            throw .invalidValue(key: key, value: value ?? "null", expected: "a rate between 0 and 1")
        }
        return rate
    }

    /// One line per knob, for the start-up summary.
    package var summaryLines: [String] {
        [
            "Lambda cold start \(Self.seconds(lambdaColdStart)), idle reclaim \(Self.seconds(lambdaIdleReclaim)), account concurrency \(lambdaConcurrency)",
            "S3 notifications: delay \(Self.seconds(s3NotificationDelayMin))-\(Self.seconds(s3NotificationDelayMax)), duplicated \(Self.percent(s3NotificationDuplicateRate)), dropped \(Self.percent(s3NotificationFailureRate))",
            "DynamoDB: stream batches duplicated \(Self.percent(streamDuplicateRate)), TTL deletion \(ttlDeletionDelay.map { "after \(Self.seconds($0))" } ?? "prompt"), eventually consistent reads lag \(Self.seconds(readLag))",
        ]
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private static func percent(_ rate: Double) -> String {
        let value = rate * 100
        return value == value.rounded() ? "\(Int(value)) %" : "\(value) %"
    }

    /// Whether an event with probability `rate` happens on this draw (never for 0, always for 1).
    /// - Parameters:
    ///   - rate: The probability, 0...1.
    ///   - random: The random source.
    /// - Returns: Whether it happens.
    package static func happens(_ rate: Double, using random: any RealismRandomSource) -> Bool {
        guard rate > 0 else { return false }
        guard rate < 1 else { return true }
        return random.nextUnit() < rate
    }
}

/// Why a profile file cannot be used.
package enum RealismProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key the profile does not have.
    case unknownKey(String)
    /// A value of the wrong kind or out of range.
    case invalidValue(key: String, value: String, expected: String)
    /// An unknown base profile name.
    case unknownProfile(String)
    /// The file is not a map of keys to values.
    case notAMap

    /// The message `start` prints.
    package var description: String {
        switch self {
        case .unknownKey(let key):
            "unknown profile key '\(key)'; the keys are \(RealismProfile.keys.joined(separator: ", "))"
        case .invalidValue(let key, let value, let expected):
            "profile key '\(key)' has value '\(value)'; expected \(expected)"
        case .unknownProfile(let name):
            "unknown profile '\(name)'; the profiles are \(RealismProfile.named.keys.sorted().joined(separator: ", "))"
        case .notAMap:
            "a profile file must be a JSON object or YAML mapping of profile keys to values"
        }
    }
}

/// Where the realism profile's random choices (duplicates, dropped events, delays) come from.
///
/// Injected so tests and `--seed` can make them repeatable.
package protocol RealismRandomSource: Sendable {
    /// A number in `0..<1`.
    /// - Returns: The number.
    func nextUnit() -> Double
}

/// The system's random numbers (not repeatable).
package struct SystemRealismRandom: RealismRandomSource {
    /// Creates the source.
    package init() {}

    /// A number in `0..<1` from the system generator.
    /// - Returns: The number.
    package func nextUnit() -> Double { Double.random(in: 0..<1) }
}
