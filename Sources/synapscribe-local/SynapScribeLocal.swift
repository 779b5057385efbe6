import ArgumentParser
import CloudFormation
import EmulatorApp
import EmulatorCore
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The process entry: tunes the runtime for a server, then parses the command line.
@main
enum Entry {
    /// Runs ``SynapScribeLocal``.
    ///
    /// Before any task starts: NIO's event loops become Swift Concurrency's global executor, so a request's handler
    /// runs on the event loop thread that reads and writes its connection instead of hopping to libdispatch's pool
    /// and back for every body part and response (the thread switches were about 10 % of a request's CPU); blocking
    /// work keeps its own threads (S3's file I/O pool, GRDB's queues). On glibc, freed memory stays in the heap
    /// instead of going back to the kernel after every large response, which made each 1 MiB GetObject fault its
    /// buffer's pages in again (a third of its CPU).
    static func main() async {
        #if canImport(Glibc)
        keepFreedMemoryInTheHeap()
        if ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil, let allowed = allowedCPUs(),
            allowed < System.coreCount
        {
            // One event loop per CPU the process may run on (taskset, cpusets): more loops than CPUs only switch
            // between each other (about 8 % more CPU per request pinned to one core).
            NIOSingletons.groupLoopCountSuggestion = allowed
        }
        #endif
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await SynapScribeLocal.main()
    }

    #if canImport(Glibc)
    /// glibc's `mallopt` with fixed thresholds (which also switch off its sliding mmap threshold): blocks up to
    /// 4 MiB come from the heap, and up to 32 MiB of free heap is kept instead of being returned with `madvise`.
    /// Looked up at run time (`malloc.h` is not part of the Glibc module); without it nothing changes.
    private static func keepFreedMemoryInTheHeap() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }  // nil: RTLD_DEFAULT
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 4 * 1024 * 1024)
        _ = mallopt(trimThreshold, 32 * 1024 * 1024)
    }

    /// How many CPUs this process may run on (`sched_getaffinity`), or nil when it cannot tell.
    private static func allowedCPUs() -> Int? {
        typealias GetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer) -> Int32
        guard let symbol = dlsym(nil, "sched_getaffinity") else { return nil }  // nil: RTLD_DEFAULT
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        var mask = [UInt64](repeating: 0, count: 16)  // 1,024 CPUs, glibc's cpu_set_t
        let status = mask.withUnsafeMutableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -1 }
            return getAffinity(0, bytes.count, base)
        }
        let count = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        return status == 0 && count > 0 ? count : nil
    }
    #endif
}

/// The command line: `start` (the default), `validate`, `outputs`, `clock`, `logs`, `runtimes` and `build`.
struct SynapScribeLocal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synapscribe-local",
        abstract: "Runs the serverless AWS stack of a SAM template on this machine, offline.",
        subcommands: [
            Start.self, Validate.self, Outputs.self, Clock.self, Logs.self, Runtimes.self, Build.self, Invoke.self, Events.self, Snapshot.self,
            Faults.self,
        ],
        defaultSubcommand: Start.self
    )
}

/// Options shared by every subcommand that reads the template.
struct TemplateOptions: ParsableArguments {
    @Option(help: "The SAM/CloudFormation template to deploy (default: template.yaml; start serves every service empty without one).")
    var template: String?

    @Option(
        name: .customLong("parameter-overrides"),
        parsing: .upToNextOption,
        help: "Template parameter values as Key=Value (as sam deploy takes them)."
    )
    var parameterOverrides: [String] = []

    @Option(help: "Stack name (default: stack_name from samconfig.toml beside the template, else the template folder's name).")
    var stackName: String?

    @Option(help: "The emulated AWS region.")
    var region: String = "us-east-1"

    @Option(help: "The emulated 12-digit account id.")
    var accountId: String = "000000000000"

    func validate() throws {
        for entry in parameterOverrides where !entry.contains("=") {
            throw ValidationError("parameter override '\(entry)' is not of the form Key=Value")
        }
        guard accountId.count == 12, accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id must be 12 digits")
        }
    }

    /// The template's path: `--template`, else `template.yaml` in the current folder.
    var templatePath: String { template ?? "template.yaml" }

    func apply(to options: inout EmulatorOptions) {
        options.templatePath = templatePath
        options.stackName = stackName
        options.region = region
        options.accountId = accountId
        for entry in parameterOverrides {
            let parts = entry.split(separator: "=", maxSplits: 1)
            options.parameterOverrides[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
    }

    /// Whether no `--template` was given and there is no `template.yaml` in the current folder.
    var templateMissing: Bool {
        template == nil && !FileManager.default.fileExists(atPath: "template.yaml")
    }

    /// The one line `validate` and `outputs` print when there is no template.
    static let noTemplateMessage =
        "error: no template: there is no template.yaml in this folder and no --template was given "
        + "(synapscribe-local start serves every service empty without one)\n"

    /// Loads the template, or exits with one clear error line.
    /// - Parameters:
    ///   - options: The options.
    ///   - allowMissingTemplate: Without `--template` and without `template.yaml`, plan an empty stack (`start`)
    ///     instead of failing.
    /// - Returns: The plan.
    /// - Throws: `ExitCode(2)` after printing the error.
    func loadPlan(_ options: EmulatorOptions, allowMissingTemplate: Bool = false) throws -> StackPlan {
        if templateMissing {
            if allowMissingTemplate { return StackPlan(withoutTemplateFor: options) }
            FileHandle.standardError.write(Data(Self.noTemplateMessage.utf8))
            throw ExitCode(2)
        }
        do {
            return try StackPlan(options: options)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start the emulator and serve the template's stack.")

    @OptionGroup var templateOptions: TemplateOptions

    @Option(help: "Host to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port).")
    var port: Int = 4566

    @Option(help: "Port of the local TLS endpoint serving the API Gateway management API (https://{domainName}/{stage}); 0 picks a free port.")
    var tlsPort: Int = 0

    @Option(help: "Folder for persistent data.")
    var dataDir: String = ".synapscribe-local"

    @Flag(help: "Keep all data in memory; nothing is written to disk.")
    var ephemeral = false

    @Flag(help: "Watch the template and the functions' code folders: apply edits to the running stack (tables keep their items).")
    var watch = false

    @Option(
        help: """
            How durable acknowledged writes are: process (nothing acknowledged is lost when the process is killed; \
            no fsync per write) or fsync (also survive a power loss: S3 bodies, their folders and SQLite commits fsynced).
            """
    )
    var durability: String = "process"

    @Option(help: "Log format: text or json.")
    var logFormat: String = "text"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Flag(help: "Refuse requests signed with access keys the emulator does not know.")
    var strictCredentials = false

    @Option(help: "An AWS-style credentials file whose key pairs are known (signatures verified).")
    var credentialsFile: String?

    @Option(
        help: """
            Realism profile: default (fast, deterministic) or aws (cold starts, late, duplicated and dropped \
            notifications, duplicated stream batches, TTL deletion lag, concurrency limit 1000).
            """
    )
    var profile: String = "default"

    @Option(help: "A JSON or YAML file of realism profile values overriding the profile's (README: The aws profile).")
    var profileFile: String?

    @Option(
        help: """
            DynamoDB TTL: prompt (delete once the virtual clock passes the TTL) or aws-like (keep expired items for \
            --ttl-delay); default: the profile's (prompt, aws-like in the aws profile).
            """
    )
    var ttlMode: String?

    @Option(help: "DynamoDB item collection size limit in bytes for tables with local secondary indexes (AWS: 10 GB).")
    var itemCollectionLimit: Int = 10 * 1024 * 1024 * 1024

    @Option(help: "How long aws-like TTL mode keeps expired items readable (e.g. 48h, 30m, 90s; default 48h).")
    var ttlDelay: String?

    @Option(
        help: """
            IAM policy enforcement for issued credentials (STS, Cognito, Lambda roles): enforce (deny as AWS would), \
            audit (allow, log what AWS would deny) or off.
            """
    )
    var iam: String = "enforce"

    @Flag(help: "Let Lambda handlers reach addresses beyond loopback (turns the offline guard off).")
    var allowEgress = false

    @Option(
        help:
            "A ready python3.12 runtime environment's interpreter (with awslambdaric), used as is (default: .venv-runtime/bin/python3.12, else one is created)."
    )
    var lambdaPython: String?

    @Option(help: "The node interpreter for Node.js Lambda functions (default: node on PATH).")
    var lambdaNode: String?

    // Python runtimes per version and dependencies (issue 14).
    @OptionGroup var pythonVersions: PythonVersionOptions

    @Flag(
        help: """
            Install a Python function's requirements.txt that synapscribe-local build has not installed, at its first             cold start (reaches the package index); without it start never does.
            """
    )
    var installDependencies = false

    @Option(help: "Seconds of (virtual) idleness after which a Lambda execution environment is reclaimed.")
    var lambdaIdleTimeout: Double?

    @Option(help: "The account's Lambda concurrency limit (all functions together; default 10, 1000 in the aws profile).")
    var lambdaConcurrency: Int?

    @Option(help: "The most asynchronous (Event) invocations one Lambda function holds; more get TooManyRequestsException.")
    var lambdaEventQueue: Int = 1_000
    @Option(
        help: """
            A token that /_local writes (moving the clock) must carry as 'Authorization: Bearer TOKEN' or \
            'X-Local-Admin-Token', for shared machines; 'generate' picks a random one. Printed at start.
            """
    )
    var adminToken: String?

    @Option(
        help: """
            How long a connection of the edge or TLS port may go without traffic (e.g. 60s, 2m): idle keep-alive \
            connections are then closed, a request whose client stopped sending gets S3's RequestTimeout (400).
            """
    )
    var idleTimeout: String = "60s"

    @Option(help: "The most connections each of the edge and TLS ports keeps open; beyond it new connections are closed at once.")
    var maxConnections: Int = 512

    @Option(
        help: """
            Once every port is bound, write a JSON file here with every URL (edge, TLS, WebSocket, execute-api), the CA \
            bundle path and the stack's resources, atomically; with --port 0 and --tls-port 0 this is how tools find it.
            """
    )
    var readyFile: String?

    @Option(
        help: """
            Seed every random choice (fault rates, request and connection ids) so that a reproduced bug stays \
            reproduced: the same seed and the same calls give the same choices.
            """
    )
    var seed: UInt64?

    func validate() throws {
        guard EmulatorOptions.LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be text or json")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let ttlMode, !["prompt", "aws-like"].contains(ttlMode) { throw ValidationError("--ttl-mode must be prompt or aws-like") }
        guard RealismProfile.named[profile] != nil else {
            throw ValidationError("--profile must be one of \(RealismProfile.named.keys.sorted().joined(separator: ", "))")
        }
        guard itemCollectionLimit > 0 else { throw ValidationError("--item-collection-limit must be positive") }
        if let ttlDelay, (DurationText.seconds(ttlDelay) ?? -1) < 0 {
            throw ValidationError("--ttl-delay must be a duration such as 48h, 30m or 90s")
        }
        guard (0...65535).contains(tlsPort) else { throw ValidationError("--tls-port must be between 0 and 65535") }
        guard EmulatorOptions.iamModeNames.contains(iam) else {
            throw ValidationError("--iam must be one of \(EmulatorOptions.iamModeNames.joined(separator: ", "))")
        }
        if let lambdaIdleTimeout, !(lambdaIdleTimeout > 0) { throw ValidationError("--lambda-idle-timeout must be positive") }
        if let lambdaConcurrency, lambdaConcurrency <= 0 { throw ValidationError("--lambda-concurrency must be positive") }
        guard lambdaEventQueue > 0 else { throw ValidationError("--lambda-event-queue must be positive") }
        if let adminToken, adminToken.isEmpty || adminToken.contains(where: { $0.isWhitespace || !$0.isASCII }) {
            throw ValidationError("--admin-token must be a non-empty word of ASCII characters without spaces")
        }
        guard let idle = DurationText.seconds(idleTimeout), idle > 0, idle <= 86_400 else {
            throw ValidationError("--idle-timeout must be a duration between 1ms and 24h, such as 60s or 2m")
        }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        guard EmulatorOptions.durabilityNames.contains(durability) else {
            throw ValidationError("--durability must be one of \(EmulatorOptions.durabilityNames.joined(separator: ", "))")
        }
    }

    /// The `--profile`, overridden by `--profile-file`.
    private func loadProfile() throws -> RealismProfile {
        var text: String?
        if let profileFile {
            do {
                text = try String(contentsOfFile: profileFile, encoding: .utf8)
            } catch {
                throw ValidationError("--profile-file \(profileFile) cannot be read: \(error.localizedDescription)")
            }
        }
        do {
            return try RealismProfileFile.resolve(named: profile, fileText: text)
        } catch {
            throw ValidationError("--profile-file \(profileFile ?? ""): \(String(describing: error))")
        }
    }

    func run() async throws {
        let startedAt = ContinuousClock.now
        var options = EmulatorOptions()
        templateOptions.apply(to: &options)
        options.host = host
        options.port = port
        options.tlsPort = tlsPort
        options.dataDirectory = ephemeral ? nil : dataDir
        options.watch = watch
        options.setDurability(named: durability)
        options.logFormat = EmulatorOptions.LogFormat(rawValue: logFormat) ?? .text
        options.strictCredentials = strictCredentials
        options.credentialsFile = credentialsFile
        options.itemCollectionLimit = itemCollectionLimit
        options.setIAMMode(named: iam)
        options.allowEgress = allowEgress
        options.lambdaPython = lambdaPython
        options.lambdaNode = lambdaNode
        // Python runtimes per version and dependencies (issue 14).
        options.lambdaPythonVersions = pythonVersions.paths
        options.installDependencies = installDependencies
        options.apply(
            profile: try loadProfile(),
            ttlMode: ttlMode,
            ttlDelaySeconds: ttlDelay.flatMap(DurationText.seconds),
            lambdaIdleTimeout: lambdaIdleTimeout,
            lambdaConcurrency: lambdaConcurrency
        )
        options.lambdaEventQueue = lambdaEventQueue
        options.adminToken =
            adminToken == EmulatorOptions.generatedAdminTokenWord ? EmulatorOptions.generateAdminToken() : adminToken
        options.idleTimeoutSeconds = DurationText.seconds(idleTimeout) ?? 60
        options.maxConnections = maxConnections
        options.seed = seed
        if let seed { EmulatorRandom.seedIDs(seed) }
        if let warning = options.exposureWarning {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = options.logFormat == .json
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "synapscribe-local")
        let plan = try templateOptions.loadPlan(options, allowMissingTemplate: true)
        let emulator: Emulator
        do {
            emulator = try Emulator(options: options, plan: plan, startedAt: startedAt)
        } catch {
            throw Self.startFailure(error, options: options)
        }
        let readyFile = self.readyFile
        let accountId = options.accountId
        do {
            try await run(emulator, logger: logger, readyFile: readyFile, accountId: accountId)
        } catch {
            throw Self.startFailure(error, options: options)
        }
    }

    /// Runs the emulator, printing the summary and writing the ready file once it serves.
    private func run(_ emulator: Emulator, logger: Logger, readyFile: String?, accountId: String) async throws {
        try await emulator.run(logger: logger) { running in
            // Written in one go so that scripts reading our stdout see the whole table at once.
            FileHandle.standardOutput.write(Data((running.summary.text + "\n").utf8))
            if let readyFile {
                do {
                    try ReadyFile.write(ReadyFile.object(summary: running.summary, port: running.port, accountId: accountId), to: readyFile)
                } catch {
                    logger.error("cannot write the --ready-file \(readyFile): \(error)")
                }
            }
        }
    }

    /// Prints one line naming what went wrong at start and what to do next, and returns the exit code to throw
    /// (errors this does not know are returned as they are).
    static func startFailure(_ error: any Error, options: EmulatorOptions) -> any Error {
        let text = String(describing: error)
        let message: String
        if text.contains("Address already in use") || text.contains("errno: 98") {
            let port = text.contains(":\(options.tlsPort)") && options.tlsPort != 0 ? options.tlsPort : options.port
            let flag = port == options.tlsPort && options.tlsPort != 0 ? "--tls-port" : "--port"
            message =
                "port \(port) on \(options.host) is in use (by another synapscribe-local or another server): stop that "
                + "process, or start with \(flag) N (\(flag) 0 picks a free port; --ready-file PATH writes the URLs)"
        } else {
            return error
        }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(1)
    }
}

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Report what would be created from the template and every property that is not emulated."
    )

    @OptionGroup var templateOptions: TemplateOptions

    func run() async throws {
        var options = EmulatorOptions()
        templateOptions.apply(to: &options)
        let plan = try templateOptions.loadPlan(options)
        print(ValidationReport(plan: plan).text)
    }
}

struct Outputs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outputs", abstract: "Print the stack's resolved outputs with local URLs.")

    @OptionGroup var templateOptions: TemplateOptions

    @Option(help: "Host the emulator listens on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port the emulator listens on.")
    var port: Int = 4566

    @Flag(help: "Print JSON (an object of output name to value).")
    var json = false

    func run() async throws {
        var options = EmulatorOptions()
        templateOptions.apply(to: &options)
        let plan = try templateOptions.loadPlan(options)
        let urls = LocalURLs(host: host, port: port, region: options.region, executeApiIds: plan.stack.executeApiIds)
        let outputs = plan.stack.outputs.map { ($0.key, urls.rewrite($0.value)) }
        if json {
            let object = Dictionary(outputs, uniquingKeysWith: { first, _ in first })
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (key, value) in outputs { print("\(key)\t\(value)") }
        }
    }
}

struct Clock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock",
        abstract: "Read or move the running emulator's virtual clock.",
        subcommands: [Show.self, Advance.self, Set.self],
        defaultSubcommand: Show.self
    )

    struct Endpoint: ParsableArguments {
        @Option(help: "The running emulator's edge URL.")
        var endpoint: String = ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "http://127.0.0.1:4566"

        @Option(help: "The emulator's --admin-token, when it was started with one (default: $SYNAPSCRIBE_ADMIN_TOKEN).")
        var adminToken: String?

        var client: ClockClient {
            ClockClient(endpoint: endpoint, adminToken: adminToken ?? ProcessInfo.processInfo.environment["SYNAPSCRIBE_ADMIN_TOKEN"])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the virtual time.")
        @OptionGroup var endpoint: Endpoint
        func run() async throws { try await endpoint.client.send(nil) }
    }

    struct Advance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "advance", abstract: "Move virtual time forward, e.g. 7d, 90m, 1h30m.")
        @OptionGroup var endpoint: Endpoint
        @Argument(help: "The duration.") var duration: String
        func validate() throws {
            guard DurationText.seconds(duration) != nil else { throw ValidationError("'\(duration)' is not a duration such as 7d or 90m") }
        }
        func run() async throws { try await endpoint.client.send(["advance": duration]) }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Set virtual time to an ISO 8601 instant.")
        @OptionGroup var endpoint: Endpoint
        @Argument(help: "The instant, e.g. 2026-01-01T00:00:00Z.") var instant: String
        func run() async throws { try await endpoint.client.send(["set": instant]) }
    }
}
