import EmulatorCore
import Foundation

/// How the Lambda service runs functions on this machine.
package struct LambdaSettings: Sendable {
    /// A ready Python runtime environment's interpreter (awslambdaric + boto3: `--lambda-python`,
    /// `SYNAPSCRIBE_LAMBDA_PYTHON` or `.venv-runtime/bin/python3.12`), used as is for its version; `nil` when none.
    package var python: String?
    /// `--lambda-python-3.X` interpreters by version.
    package var pythonVersionPaths: [PythonVersion: String]
    /// The interpreters found per Python version; `nil` until ``LambdaService`` looks them up (only when the template
    /// has Python functions).
    package var pythonRuntimes: PythonRuntimeTable?
    /// Where Python runtime environments are created; `nil` uses ``PythonRuntimeProvisioner/defaultRoot``.
    package var pythonRuntimeFolder: URL?
    /// Whether a function's `requirements.txt` missing from the dependency cache is installed at its first cold start
    /// (`--install-dependencies`); else that cold start fails, naming `synapscribe-local build`.
    package var installDependencies: Bool
    /// Let workers reach non-loopback addresses (`--allow-egress`): no proxy is set for them.
    package var allowEgress: Bool
    /// Idle environments older than this (virtual seconds) are reclaimed.
    package var idleTimeout: TimeInterval
    /// The account's concurrency limit (all functions together).
    package var accountConcurrency: Int
    /// Delays before the two retries of a failed asynchronous (`Event`) invocation. AWS waits about one and then
    /// two minutes; the emulator shortens them to one and two seconds by default. They run on the virtual clock:
    /// moving it past a retry's time starts the retry at once.
    package var eventRetryDelays: [Duration]
    /// The most asynchronous (`Event`) invocations one function holds (waiting, running or waiting for a retry);
    /// more are refused with `TooManyRequestsException` (`--lambda-event-queue`).
    package var eventQueueSize: Int
    /// How long a cold start may take before it counts as timed out (AWS's init phase limit is 10 s).
    package var initTimeout: Duration
    /// Where functions' `requirements.txt` installs are cached; `nil` uses `~/.cache/synapscribe-local/lambda-deps`.
    package var dependencyCache: URL?
    /// The `node` Node.js functions run on; `nil` until ``LambdaService`` looks it up (only when the template has
    /// Node.js functions), and when none was found.
    package var node: NodeInterpreter?
    /// The interpreter given with `--lambda-node` (or `SYNAPSCRIBE_LAMBDA_NODE`); `nil` searches `PATH`.
    package var nodePath: String?
    /// The Node.js runtime cache (the runtime client, and `node_modules` standing for the bundled AWS SDK); `nil` uses
    /// ``NodeRuntimeFiles/defaultFolder``.
    package var nodeRuntimeFolder: URL?
    /// Injected faults (`POST /_local/faults`): function timeouts and init failures hit invocations here.
    package var faults: FaultRegistry?
    /// Real time added to every cold start's init phase (the realism profile's `lambdaColdStart`); zero by default.
    package var coldStartDelay: Duration = .zero
    /// The share of DynamoDB stream batches delivered twice (the realism profile's `streamDuplicateRate`).
    package var streamDuplicateRate: Double = 0
    /// Where the realism profile's random choices come from.
    package var realismRandom: any RealismRandomSource = SystemRealismRandom()

    /// Creates settings.
    /// - Parameters:
    ///   - python: The runtime interpreter.
    ///   - allowEgress: Whether the offline guard is off.
    ///   - idleTimeout: The idle reclaim time in seconds.
    ///   - accountConcurrency: The account's concurrency limit.
    ///   - eventRetryDelays: Delays before the retries of asynchronous invocations (virtual time).
    ///   - eventQueueSize: The most asynchronous invocations one function holds.
    ///   - initTimeout: The cold start limit.
    package init(
        python: String?,
        allowEgress: Bool = false,
        idleTimeout: TimeInterval = 600,
        accountConcurrency: Int = 10,
        eventRetryDelays: [Duration] = [.seconds(1), .seconds(2)],
        eventQueueSize: Int = LambdaSettings.defaultEventQueueSize,
        initTimeout: Duration = .seconds(10)
    ) {
        self.eventQueueSize = eventQueueSize
        self.python = python
        self.pythonVersionPaths = [:]
        self.pythonRuntimes = nil
        self.pythonRuntimeFolder = nil
        self.installDependencies = false
        self.allowEgress = allowEgress
        self.idleTimeout = idleTimeout
        self.accountConcurrency = accountConcurrency
        self.eventRetryDelays = eventRetryDelays
        self.initTimeout = initTimeout
        self.dependencyCache = nil
        self.node = nil
        self.nodePath = nil
        self.nodeRuntimeFolder = nil
    }

    /// These settings with the emulator's fault registry.
    /// - Parameter faults: The registry.
    /// - Returns: The settings.
    package func with(faults: FaultRegistry?) -> LambdaSettings {
        var settings = self
        settings.faults = faults
        return settings
    }

    /// These settings with a realism profile's Lambda knobs (cold start delay, stream batch duplicates).
    /// - Parameters:
    ///   - profile: The profile.
    ///   - random: Its random source.
    /// - Returns: The settings.
    package func with(profile: RealismProfile, random: any RealismRandomSource) -> LambdaSettings {
        var settings = self
        settings.coldStartDelay = .milliseconds(Int64((profile.lambdaColdStart * 1000).rounded()))
        settings.streamDuplicateRate = profile.streamDuplicateRate
        settings.realismRandom = random
        return settings
    }

    /// These settings with an explicit `node` interpreter.
    /// - Parameter nodePath: `--lambda-node` (or `SYNAPSCRIBE_LAMBDA_NODE`); `nil` searches `PATH`.
    /// - Returns: The settings.
    package func with(nodePath: String?) -> LambdaSettings {
        var settings = self
        settings.nodePath = nodePath
        return settings
    }

    /// These settings with `--lambda-python-3.X` interpreters and the dependency install policy.
    /// - Parameters:
    ///   - pythonVersionPaths: Interpreters by version number (`3.10`); entries that are not versions are ignored.
    ///   - installDependencies: `--install-dependencies`.
    /// - Returns: The settings.
    package func with(pythonVersionPaths: [String: String], installDependencies: Bool) -> LambdaSettings {
        var settings = self
        for (number, path) in pythonVersionPaths {
            if let version = PythonVersion(version: number) { settings.pythonVersionPaths[version] = path }
        }
        settings.installDependencies = installDependencies
        return settings
    }

    /// Looks up the interpreters of the supported Python versions (see ``PythonRuntimeTable/discover``).
    /// - Parameter wanted: Only these versions (and, while one of them is not found, the newer ones that stand in for
    ///   it); `nil` for all.
    /// - Returns: The table.
    package func discoverPythonRuntimes(wanted: Set<PythonVersion>? = nil) -> PythonRuntimeTable {
        let environment = ProcessInfo.processInfo.environment
        return PythonRuntimeTable.discover(
            explicit: pythonVersionPaths,
            runtimeEnvironment: python,
            searchPath: environment["PATH"],
            pyenvRoot: PythonRuntimeTable.pyenvRoot(environment: environment),
            wanted: wanted
        )
    }

    /// The default dependency cache (`$XDG_CACHE_HOME/synapscribe-local/lambda-deps`).
    package static var defaultDependencyCache: URL { DependencyCache.defaultRoot }

    /// The default of ``eventQueueSize``.
    package static let defaultEventQueueSize = 1_000

    /// Finds a ready runtime environment as `start` does: an explicit path (or `SYNAPSCRIBE_LAMBDA_PYTHON`), else
    /// `.venv-runtime/bin/python3.12` above the template's folder, the working directory or the binary's folder.
    /// - Parameters:
    ///   - explicit: `--lambda-python`.
    ///   - templatePath: The template.
    /// - Returns: The interpreter path, or `nil`.
    package static func locatePython(explicit: String?, templatePath: String) -> String? {
        locatePython(
            explicit: explicit ?? ProcessInfo.processInfo.environment["SYNAPSCRIBE_LAMBDA_PYTHON"],
            searchRoots: [
                URL(fileURLWithPath: templatePath).deletingLastPathComponent().path,
                FileManager.default.currentDirectoryPath,
                URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent().path,
            ]
        )
    }

    /// Finds the runtime interpreter: an explicit path, else `.venv-runtime/bin/python3.12` in the given folders
    /// or any folder above them.
    /// - Parameters:
    ///   - explicit: A path given on the command line or in `SYNAPSCRIBE_LAMBDA_PYTHON`.
    ///   - searchRoots: Folders to search upwards from (the template's folder, the working directory, the binary's).
    /// - Returns: The interpreter path, or `nil`.
    package static func locatePython(explicit: String?, searchRoots: [String]) -> String? {
        let files = FileManager.default
        if let explicit, !explicit.isEmpty { return files.isExecutableFile(atPath: explicit) ? explicit : nil }
        for root in searchRoots {
            var folder = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
            for _ in 0..<8 {
                let candidate = folder.appendingPathComponent(".venv-runtime/bin/python3.12").path
                if files.isExecutableFile(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }
}
