import EmulatorApp
import EmulatorCore
import Foundation
import Testing

/// `--profile` and `--profile-file`: the named profiles, file overrides in JSON and YAML, and refused files.
@Suite struct RealismProfileTests {
    /// A random source that always answers the same number.
    private struct Fixed: RealismRandomSource {
        let value: Double
        func nextUnit() -> Double { value }
    }

    @Test("the default profile is today's behaviour: no delay, no duplicates, prompt TTL, 10 concurrent")
    func defaultProfile() throws {
        let profile = try RealismProfileFile.resolve(named: "default", fileText: nil)
        #expect(profile == .default)
        #expect(profile.isDefault)
        #expect(profile.lambdaColdStart == 0)
        #expect(profile.ttlDeletionDelay == nil)
        #expect(profile.lambdaConcurrency == 10)
    }

    @Test("the aws profile carries the seed report's and AWS's values")
    func awsProfile() throws {
        let profile = try RealismProfileFile.resolve(named: "aws", fileText: nil)
        #expect(!profile.isDefault)
        #expect(profile.lambdaColdStart == 3)
        #expect(profile.s3NotificationDelayMin == 1)
        #expect(profile.s3NotificationDelayMax == 2)
        #expect(profile.lambdaConcurrency == 1_000)
        #expect(profile.ttlDeletionDelay == TimeInterval(172_800))
    }

    @Test("a YAML file overrides the named profile's values and names its base")
    func yamlOverrides() throws {
        let text = """
            profile: aws
            lambdaColdStart: 1.5s
            s3NotificationDuplicateRate: 1
            s3NotificationDelayMin: 0
            s3NotificationDelayMax: 0.5
            ttlDeletionDelay: 1h
            lambdaConcurrency: 2
            """
        let profile = try RealismProfileFile.resolve(named: "default", fileText: text)
        #expect(profile.name == "aws+file")
        #expect(profile.lambdaColdStart == 1.5)
        #expect(profile.s3NotificationDuplicateRate == 1)
        #expect(profile.s3NotificationDelayMax == 0.5)
        #expect(profile.ttlDeletionDelay == 3600)
        #expect(profile.lambdaConcurrency == 2)
        // Keys the file leaves out keep the base profile's values.
        #expect(profile.streamDuplicateRate == RealismProfile.aws.streamDuplicateRate)
    }

    @Test("a JSON file overrides the --profile named on the command line; null TTL means prompt")
    func jsonOverrides() throws {
        let profile = try RealismProfileFile.resolve(named: "aws", fileText: #"{"ttlDeletionDelay": null, "streamDuplicateRate": 0.5}"#)
        #expect(profile.name == "aws+file")
        #expect(profile.ttlDeletionDelay == nil)
        #expect(profile.streamDuplicateRate == 0.5)
        #expect(profile.lambdaColdStart == 3)
    }

    @Test(
        "bad files are refused with the key and what was expected",
        arguments: [
            ("lambdaColdStrat: 1", RealismProfileError.unknownKey("lambdaColdStrat")),
            ("s3NotificationDuplicateRate: 1.5", .invalidValue(key: "s3NotificationDuplicateRate", value: "1.5", expected: "a rate between 0 and 1")),
            ("lambdaConcurrency: 0", .invalidValue(key: "lambdaConcurrency", value: "0", expected: "an integer between 1 and 1000000")),
            ("profile: azure", .unknownProfile("azure")),
            ("- lambdaColdStart", .notAMap),
            ("lambdaColdStart: [1]", .invalidValue(key: "lambdaColdStart", value: "a list", expected: "a number or a word")),
        ]
    )
    func refused(text: String, expected: RealismProfileError) {
        #expect(throws: expected) { try RealismProfileFile.resolve(named: "default", fileText: text) }
    }

    @Test("durations out of range or negative, and a minimum above the maximum, are refused")
    func badDurations() {
        #expect(throws: RealismProfileError.self) { try RealismProfileFile.resolve(named: "default", fileText: "lambdaColdStart: -1") }
        #expect(throws: RealismProfileError.self) { try RealismProfileFile.resolve(named: "default", fileText: "lambdaColdStart: 1e308") }
        #expect(throws: RealismProfileError.self) { try RealismProfileFile.resolve(named: "default", fileText: "lambdaIdleReclaim: 0") }
        #expect(throws: RealismProfileError.self) {
            try RealismProfileFile.resolve(named: "default", fileText: "s3NotificationDelayMin: 3\ns3NotificationDelayMax: 1")
        }
    }

    @Test("an unknown --profile name is refused")
    func unknownName() {
        #expect(throws: RealismProfileError.unknownProfile("prod")) { try RealismProfileFile.resolve(named: "prod", fileText: nil) }
    }

    @Test("rates of 0 never happen and rates of 1 always do; in between the random source decides")
    func happens() {
        #expect(!RealismProfile.happens(0, using: Fixed(value: 0)))
        #expect(RealismProfile.happens(1, using: Fixed(value: 0.99)))
        #expect(RealismProfile.happens(0.5, using: Fixed(value: 0.25)))
        #expect(!RealismProfile.happens(0.5, using: Fixed(value: 0.75)))
    }

    @Test("explicit --ttl-mode, --lambda-concurrency and --lambda-idle-timeout win over the profile")
    func explicitOptionsWin() {
        var options = EmulatorOptions()
        options.apply(profile: .aws)
        #expect(options.ttlMode == "aws-like")
        #expect(options.ttlDelaySeconds == 48 * 3600)
        #expect(options.lambdaConcurrency == 1_000)
        options.apply(profile: .aws, ttlMode: "prompt", lambdaIdleTimeout: 30, lambdaConcurrency: 5)
        #expect(options.ttlMode == "prompt")
        #expect(options.lambdaIdleTimeout == 30)
        #expect(options.lambdaConcurrency == 5)
        #expect(options.profile.lambdaConcurrency == 5)
        options.apply(profile: .default)
        #expect(options.ttlMode == "prompt")
        #expect(options.lambdaConcurrency == 10)
        options.apply(profile: .default, ttlMode: "aws-like", ttlDelaySeconds: 90)
        #expect(options.ttlDelaySeconds == 90)
        #expect(options.profile.ttlDeletionDelay == 90)
    }

    @Test("the start-up summary names the profile and, for a non-default one, its values")
    func summary() {
        #expect(RealismProfile.default.summaryLines.count == 3)
        #expect(RealismProfile.aws.summaryLines[0].contains("cold start 3 s"))
        #expect(RealismProfile.aws.summaryLines[1].contains("delay 1 s-2 s"))
        #expect(RealismProfile.aws.summaryLines[2].contains("TTL deletion after 172800 s"))
    }
}
