import EmulatorCore
import Foundation
import IAM
import Storage

/// Everything `synapscribe-local start` can be told.
package struct EmulatorOptions: Sendable {
    /// How log lines are written.
    package enum LogFormat: String, Sendable, CaseIterable {
        /// Human-readable lines.
        case text
        /// One JSON object per line.
        case json
    }

    /// Path of the SAM/CloudFormation template.
    package var templatePath: String
    /// Host to listen on (loopback by default).
    package var host: String
    /// Port to listen on; 0 picks a free one.
    package var port: Int
    /// Folder for persistent data, or `nil` to keep everything in memory (`--ephemeral`).
    package var dataDirectory: String?
    /// How durable acknowledged writes are (`--durability process|fsync`): safe from the process being killed
    /// (the default), or also from a power loss (every S3 body, its folder and every SQLite commit `fsync`ed).
    package var durability: Durability
    /// `Key=Value` template parameter overrides.
    package var parameterOverrides: [String: String]
    /// Stack name; `nil` takes `stack_name` from `samconfig.toml` beside the template, else the folder name.
    package var stackName: String?
    /// Emulated region.
    package var region: String
    /// Emulated account id.
    package var accountId: String
    /// Log line format.
    package var logFormat: LogFormat
    /// Refuse requests signed with unknown access keys.
    package var strictCredentials: Bool
    /// Optional AWS-style credentials file whose key pairs are known (verified) keys.
    package var credentialsFile: String?
    /// How DynamoDB removes expired items (`--ttl-mode`): `prompt` deletes once the clock passes the TTL,
    /// `aws-like` keeps expired items readable for ``ttlDelaySeconds`` first.
    package var ttlMode: String
    /// How long `aws-like` mode keeps expired items (`--ttl-delay`), in seconds.
    package var ttlDelaySeconds: TimeInterval
    /// DynamoDB item collection size limit in bytes (tables with local secondary indexes; AWS: 10 GB).
    package var itemCollectionLimit: Int
    /// Port of the local TLS endpoint (the management API as `https://HOST:PORT/STAGE`); 0 picks a free one.
    package var tlsPort: Int
    /// How identity-based policies apply to issued credentials (`--iam enforce|audit|off`).
    package var iamMode: IAMMode
    /// Let Lambda workers reach non-loopback addresses (turns the offline guard off).
    package var allowEgress: Bool
    /// The python3.12 interpreter of the Lambda runtime environment; `nil` searches `.venv-runtime`.
    package var lambdaPython: String?
    /// The `node` Node.js Lambda functions run on; `nil` uses `node` on `PATH`.
    package var lambdaNode: String?
    /// `--lambda-python-3.X PATH` interpreters by version number (`3.10`).
    package var lambdaPythonVersions: [String: String]
    /// `--install-dependencies`: install a function's missing `requirements.txt` at its first cold start (else only
    /// what `synapscribe-local build` installed is used).
    package var installDependencies: Bool
    /// `start --watch`: apply edits to the template and to functions' code folders while running (``TemplateWatcher``).
    package var watch = false
    /// Idle Lambda execution environments are reclaimed after this many (virtual) seconds.
    package var lambdaIdleTimeout: TimeInterval
    /// The account's Lambda concurrency limit.
    package var lambdaConcurrency: Int
    /// The most asynchronous (`Event`) invocations one Lambda function holds before Invoke answers 429.
    package var lambdaEventQueue: Int
    /// The token `/_local` writes must carry (`--admin-token`), for shared machines; nil lets any loopback client
    /// (that passes the origin and host rules) write.
    package var adminToken: String?
    /// Seconds a connection of the edge or TLS port may go without traffic (`--idle-timeout`): an idle keep-alive
    /// connection is then closed, a request whose client stopped sending gets S3's `RequestTimeout` (400).
    package var idleTimeoutSeconds: TimeInterval
    /// The most connections each of the edge and TLS ports keeps open (`--max-connections`); beyond it new
    /// connections are closed at once.
    package var maxConnections: Int
    /// `--seed N`: every random choice (fault rates, request and connection ids...) repeats from run to run;
    /// nil draws from the system's random source as before.
    package var seed: UInt64?
    /// The realism profile (`--profile`, `--profile-file`): cold starts, late or duplicated notifications and the
    /// like; ``RealismProfile/default`` keeps the emulator fast and deterministic.
    package var profile: RealismProfile
    /// Where the profile's random choices come from.
    package var realismRandom: any RealismRandomSource

    /// Creates options with the CLI's defaults.
    /// - Parameter templatePath: Path of the template.
    package init(templatePath: String = "template.yaml") {
        self.templatePath = templatePath
        self.host = "127.0.0.1"
        self.port = 4566
        self.dataDirectory = ".synapscribe-local"
        self.durability = .process
        self.parameterOverrides = [:]
        self.stackName = nil
        self.region = "us-east-1"
        self.accountId = "000000000000"
        self.logFormat = .text
        self.strictCredentials = false
        self.credentialsFile = nil
        self.ttlMode = "prompt"
        self.ttlDelaySeconds = 0
        self.itemCollectionLimit = 10 * 1024 * 1024 * 1024
        self.tlsPort = 0
        self.allowEgress = false
        self.lambdaPython = nil
        self.lambdaNode = nil
        self.lambdaPythonVersions = [:]
        self.installDependencies = false
        self.lambdaIdleTimeout = 600
        self.lambdaConcurrency = 10
        self.lambdaEventQueue = 1_000
        self.adminToken = nil
        self.idleTimeoutSeconds = 60
        self.maxConnections = 512
        self.seed = nil
        self.iamMode = .enforce
        self.profile = .default
        self.realismRandom = SystemRealismRandom()
    }

    /// Applies a realism profile: its knobs become the options they stand for (TTL mode and delay, Lambda idle
    /// reclaim and account concurrency), unless the command line set those explicitly (the `explicit` values).
    /// - Parameters:
    ///   - profile: The profile.
    ///   - ttlMode: `--ttl-mode` when given.
    ///   - ttlDelaySeconds: `--ttl-delay` when given.
    ///   - lambdaIdleTimeout: `--lambda-idle-timeout` when given.
    ///   - lambdaConcurrency: `--lambda-concurrency` when given.
    package mutating func apply(
        profile: RealismProfile,
        ttlMode: String? = nil,
        ttlDelaySeconds: TimeInterval? = nil,
        lambdaIdleTimeout: TimeInterval? = nil,
        lambdaConcurrency: Int? = nil
    ) {
        var profile = profile
        if let ttlMode {
            profile.ttlDeletionDelay = ttlMode == "aws-like" ? (ttlDelaySeconds ?? profile.ttlDeletionDelay ?? 48 * 3600) : nil
        } else if let ttlDelaySeconds, profile.ttlDeletionDelay != nil {
            profile.ttlDeletionDelay = ttlDelaySeconds
        }
        if let lambdaIdleTimeout { profile.lambdaIdleReclaim = lambdaIdleTimeout }
        if let lambdaConcurrency { profile.lambdaConcurrency = lambdaConcurrency }
        self.profile = profile
        self.ttlMode = profile.ttlDeletionDelay == nil ? "prompt" : "aws-like"
        self.ttlDelaySeconds = profile.ttlDeletionDelay ?? ttlDelaySeconds ?? 0
        self.lambdaIdleTimeout = profile.lambdaIdleReclaim
        self.lambdaConcurrency = profile.lambdaConcurrency
    }

    /// The words `--iam` accepts.
    package static let iamModeNames = IAMMode.allCases.map(\.rawValue)

    /// Sets ``iamMode`` from its `--iam` word.
    /// - Parameter name: `enforce`, `audit` or `off`.
    /// - Returns: False when the word is not a mode.
    @discardableResult
    package mutating func setIAMMode(named name: String) -> Bool {
        guard let mode = IAMMode(rawValue: name) else { return false }
        iamMode = mode
        return true
    }

    /// The words `--durability` accepts.
    package static let durabilityNames = Durability.allCases.map(\.rawValue)

    /// Sets ``durability`` from its `--durability` word.
    /// - Parameter name: `process` or `fsync`.
    /// - Returns: False when the word is not a durability.
    @discardableResult
    package mutating func setDurability(named name: String) -> Bool {
        guard let value = Durability(rawValue: name) else { return false }
        durability = value
        return true
    }

    /// Where the services keep their data: the data folder with the chosen durability, or memory (`--ephemeral`).
    package var dataLocation: DataLocation {
        dataDirectory.map { .directory(URL(fileURLWithPath: $0, isDirectory: true), durability: durability) } ?? .ephemeral
    }

    /// The `--admin-token` word that asks for a random token.
    package static let generatedAdminTokenWord = "generate"

    /// A random admin token (32 hex digits).
    /// - Returns: The token.
    package static func generateAdminToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// The long-term test key pair every client may use.
    package static let testAccessKeyId = "test"
    /// The secret of the test key pair.
    package static let testSecretAccessKey = "test"
}

extension EmulatorOptions {
    /// Whether a `--host` value names a loopback address (`localhost`, `127.0.0.0/8`, `::1`).
    /// - Parameter host: The host as given on the command line.
    /// - Returns: `true` for loopback hosts.
    package static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        if name.hasPrefix("::ffff:") { name = String(name.dropFirst("::ffff:".count)) }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }

    /// The warning `start` prints when ``host`` is not a loopback address, or `nil` for loopback hosts.
    package var exposureWarning: String? {
        guard !Self.isLoopback(host: host) else { return nil }
        return """
            WARNING: --host \(host) is not a loopback address. The emulator is reachable from the network:
              - every emulated service (S3, DynamoDB, Lambda, API Gateway, Cognito, STS, IAM, CloudFormation) on \
            port \(port) and on the TLS port, with all the data in them;
              - the local admin API (/_local/: health, the virtual clock, logs), which can move time and so expire \
            credentials, objects and items\(adminToken == nil ? " (start with --admin-token to require a token for its writes)" : "");
              - requests signed with access keys the emulator does not know are accepted, unverified, as the \
            account administrator\(strictCredentials ? " (refused here: --strict-credentials is on)" : " (start with --strict-credentials to refuse them)").
            Use --host 127.0.0.1 unless other machines must reach this emulator.
            """
    }
}
