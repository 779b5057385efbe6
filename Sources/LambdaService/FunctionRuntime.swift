import EmulatorCore
import Foundation
import IAM
import Logging
import SigV4
import Synchronization

/// What every function's runtime shares: settings, clock, the role-session issuer, logs, the account's concurrency
/// gate and the supervisor's work queue (where environments and queued events run).
struct RuntimeHost: Sendable {
    /// How functions run here.
    let settings: LambdaSettings
    /// The virtual clock.
    let clock: VirtualClock
    /// Region, account and the edge URL.
    let environment: LiveEnvironment
    /// Issues execution-role credentials (the same role-session path as STS and Cognito).
    let roleSessions: RoleSessions
    /// The service logger.
    let logger: Logger
    /// The functions' captured log lines.
    let logs: LogStore
    /// The account's concurrency limits.
    let gate: ConcurrencyGate
    /// The offline guard's port per function.
    let proxyPorts: ProxyPorts
    /// Invocation and cold start counts.
    let counters: Counters
    /// `requirements.txt` installs.
    let dependencyCache: DependencyCache
    /// The Python runtime environments (created at each version's first use).
    let pythonProvisioner: PythonRuntimeProvisioner
    /// Extracted `.zip` code and written inline code.
    let codeStore: CodeStore
    /// The interpreters of runtimes the template's functions did not declare (found at first use).
    let lateRuntimes: LateRuntimes
    /// The supervisor's work queue: jobs run as its child tasks.
    let work: AsyncStream<@Sendable () async -> Void>.Continuation
}

/// The result of one invocation as the API and in-process callers see it.
struct RunResult: Sendable {
    /// The response payload (or AWS's error JSON).
    var payload: Data
    /// `Unhandled` when the function failed.
    var functionError: String?
    /// Base64 of the invocation's last 4 KB of log.
    var logTail: String?
}

/// One function's runtime: its execution environments (warm pool), its concurrency slot in the account's gate,
/// and cold starts, together.
///
/// Invocations take a warm environment or start one; an environment goes back to the pool after each invocation
/// unless it died. The idle reaper takes environments unused for the idle timeout back.
actor FunctionRuntime {
    /// The function.
    nonisolated let function: LambdaFunction
    private let host: RuntimeHost
    private var idle: [(environment: ExecutionEnvironment, lastUsed: Date)] = []
    private var all: [String: ExecutionEnvironment] = [:]
    /// When each environment's execution-role session expires (virtual time).
    private var credentialsExpire: [String: Date] = [:]
    /// How long an execution-role session lasts (seconds).
    static let credentialLifetime: TimeInterval = 12 * 3600
    /// How long before expiry a warm environment is recycled instead of reused (seconds).
    static let credentialRefreshMargin: TimeInterval = 15 * 60

    /// Creates the runtime (no environment runs until the first invocation).
    /// - Parameters:
    ///   - function: The function.
    ///   - host: What all functions share.
    init(function: LambdaFunction, host: RuntimeHost) {
        self.function = function
        self.host = host
    }

    /// The number of environments (idle and busy).
    var count: Int { all.count }

    /// Removes idle environments unused since before `cutoff` and shuts them down.
    /// - Parameter cutoff: The oldest last use kept.
    func reclaim(idleSince cutoff: Date) async {
        let stale = idle.filter { $0.lastUsed < cutoff }.map(\.environment)
        idle.removeAll { $0.lastUsed < cutoff }
        for environment in stale {
            all[environment.id] = nil
            credentialsExpire[environment.id] = nil
            host.logger.debug("reclaiming idle environment \(environment.id) of \(function.name)")
            await environment.shutdown()
        }
    }

    /// Shuts every environment down (graceful shutdown).
    func shutdownAll() async {
        let environments = Array(all.values)
        all = [:]
        credentialsExpire = [:]
        idle = []
        for environment in environments { await environment.shutdown() }
    }

    // MARK: Invocation

    /// Runs one synchronous invocation on a warm environment, or a new one.
    /// - Parameters:
    ///   - payload: The event JSON.
    ///   - context: Who invokes.
    ///   - requestId: The invocation's request id.
    /// - Returns: The payload, function error and log tail.
    /// - Throws: ``LambdaError/tooManyRequests(reason:)`` past the concurrency limits, ``LambdaError/serviceException(_:)``
    ///   when no environment can start.
    func invoke(payload: Data, context: LambdaInvocationContext, requestId: String) async throws(LambdaError) -> RunResult {
        let function = self.function
        let gate = host.gate
        try gate.acquire(function: function.name, reserved: function.spec.reservedConcurrency)
        defer { gate.release(function: function.name, reserved: function.spec.reservedConcurrency) }
        host.counters.state.withLock { $0.invocations += 1 }
        if let injected = await injectedFault(requestId: requestId, context: context) { return injected }

        var initMilliseconds: Double?
        var outcome: InvocationOutcome?
        let invocation = makeInvocation(payload: payload, context: context, requestId: requestId)
        let timeout = context.maximumDuration.map { min($0, .seconds(function.timeout)) } ?? .seconds(function.timeout)
        var invokeStarted = ContinuousClock.now
        var environment: ExecutionEnvironment
        var mayRetry = true
        while true {
            var warm = idle.popLast()?.environment
            if let candidate = warm, await !candidate.isAlive {
                all[candidate.id] = nil
                credentialsExpire[candidate.id] = nil
                warm = nil
            }
            // An environment whose execution-role credentials expired on the virtual clock (a clock jump of days) is
            // recycled: AWS refreshes a running environment's credentials; a new environment gets a new session.
            if let candidate = warm, let expiry = credentialsExpire[candidate.id],
                host.clock.now >= expiry.addingTimeInterval(-Self.credentialRefreshMargin)
            {
                all[candidate.id] = nil
                credentialsExpire[candidate.id] = nil
                warm = nil
                await candidate.shutdown()
            }
            if let warm {
                environment = warm
                environment.beginCapture()
                environment.log("START RequestId: \(requestId) Version: \(function.version)")
            } else {
                let cold = try await coldStart()
                environment = cold.environment
                environment.log("START RequestId: \(requestId) Version: \(function.version)")
                switch cold.outcome {
                case .ready(let milliseconds):
                    initMilliseconds = milliseconds
                case .failed(let body, let exit):
                    outcome = .initFailed(body: body, exit: exit)
                }
            }
            invokeStarted = ContinuousClock.now
            guard outcome == nil else { break }
            let taken = environment
            outcome = await Self.race(timeout: timeout) {
                await taken.invoke(invocation)
            } onTimeout: {
                await taken.timeOut(requestId: requestId)
            }
            // A warm environment whose runtime ended before it took the invocation (a Node.js runtime exits right
            // after reporting an uncaught error, as AWS's does): the invocation runs on a new environment instead.
            guard outcome == nil, warm != nil, mayRetry else { break }
            mayRetry = false
            _ = environment.endCapture()
            all[environment.id] = nil
            await environment.shutdown()
        }
        await environment.drainOutput()
        let finalOutcome = outcome ?? .exited(.signal(9))
        if case .timedOut(let seconds) = finalOutcome {
            environment.log(
                "\(Timestamp.iso8601Milliseconds(host.clock.now)) \(requestId) Task timed out after \(LambdaMessages.formatSeconds(seconds)) seconds"
            )
        }
        environment.log("END RequestId: \(requestId)")
        environment.log(
            Self.report(
                requestId: requestId,
                duration: ContinuousClock.now - invokeStarted,
                memorySize: function.memorySize,
                maxMemoryUsed: await environment.peakMemoryMB,
                initMilliseconds: initMilliseconds,
                outcome: finalOutcome
            )
        )
        let captured = environment.endCapture()
        let alive: Bool
        switch finalOutcome {
        case .success, .functionError: alive = await environment.isAlive
        default: alive = false
        }
        if alive {
            idle.append((environment, host.clock.now))
        } else {
            await environment.shutdown()
            all[environment.id] = nil
            credentialsExpire[environment.id] = nil
        }
        return RunResult(
            payload: Self.payload(for: finalOutcome, requestId: requestId),
            functionError: Self.isError(finalOutcome) ? "Unhandled" : nil,
            logTail: Self.logTail(captured)
        )
    }

    /// The result of an injected function timeout or init failure (`POST /_local/faults`), reported as Lambda
    /// reports them, without running the function; nil when no fault hits this invocation. An injected timeout takes
    /// the function's timeout (real time, capped by the caller's deadline), as a real one does.
    private func injectedFault(requestId: String, context: LambdaInvocationContext) async -> RunResult? {
        guard let faults = host.settings.faults, !faults.isEmpty else { return nil }
        let name = function.name
        switch faults.check(service: "lambda", operation: "Invoke", at: .lambdaInvocation, requestId: requestId, resources: { [name] }) {
        case .functionTimeout:
            let limit = context.maximumDuration.map { min($0, .seconds(function.timeout)) } ?? .seconds(function.timeout)
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            try? await Task.sleep(for: limit)
            let now = host.clock.now
            let stream = "\(Self.streamDate(now))/[\(function.version)]injected-fault"
            for line in [
                "START RequestId: \(requestId) Version: \(function.version)",
                "\(Timestamp.iso8601Milliseconds(now)) \(requestId) Task timed out after \(LambdaMessages.formatSeconds(seconds)) seconds",
                "END RequestId: \(requestId)",
            ] {
                host.logs.append(line, function: name, stream: stream, timestamp: now)
            }
            return RunResult(payload: Self.payload(for: .timedOut(seconds: seconds), requestId: requestId), functionError: "Unhandled")
        case .initFailure(let failure):
            let object: [String: Any] = ["errorMessage": failure.errorMessage, "errorType": failure.errorType, "requestId": "", "stackTrace": []]
            let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return RunResult(payload: body, functionError: "Unhandled")
        default:
            return nil
        }
    }

    // MARK: Cold start

    private func coldStart() async throws(LambdaError) -> (environment: ExecutionEnvironment, outcome: InitOutcome) {
        let function = self.function
        let logger = host.logger
        let id = Self.hex(32)
        let streamName = "\(Self.streamDate(host.clock.now))/[\(function.version)]\(id)"
        let launch = try await workerLaunch(streamName: streamName)
        let runtime = function.spec.runtime ?? ""
        let clock = host.clock
        let sink = LineSink(function: function.name, stream: streamName, store: host.logs, clock: { clock.now })
        let environment = ExecutionEnvironment(id: id, logStreamName: streamName, launch: launch, sink: sink, logger: logger)
        all[environment.id] = environment
        credentialsExpire[environment.id] = host.clock.now.addingTimeInterval(Self.credentialLifetime)
        host.counters.state.withLock { $0.coldStarts += 1 }
        environment.beginCapture()
        environment.log(
            "INIT_START Runtime Version: \(runtime).local Runtime Version ARN: arn:aws:lambda:\(function.region)::runtime:\(runtime)-local"
        )
        host.work.yield { await environment.run() }
        let outcome = await Self.race(timeout: host.settings.initTimeout + .seconds(function.timeout)) {
            await environment.waitUntilReady()
        } onTimeout: {
            await environment.shutdown()
        }
        // The realism profile's cold start (`lambdaColdStart`): the init phase lasts that much longer, in real time,
        // and the REPORT line's Init Duration says so.
        let delay = host.settings.coldStartDelay
        if delay > .zero, case .ready(let milliseconds)? = outcome {
            try? await Task.sleep(for: delay)
            let added = Double(delay.components.seconds) * 1000 + Double(delay.components.attoseconds) / 1e15
            return (environment, .ready(initMilliseconds: milliseconds + added))
        }
        return (environment, outcome ?? .failed(body: nil, exit: .signal(9)))
    }

    /// How to start this function's worker: the Python runtime interface client or the embedded Node.js client.
    private func workerLaunch(streamName: String) async throws(LambdaError) -> WorkerLaunch {
        let function = self.function
        let codeDirectory: String
        do {
            codeDirectory = try await host.codeStore.folder(for: function.spec.code, runtime: function.spec.runtime, function: function.name)
        } catch let unusable as CodeStore.Unusable {
            throw .serviceException(LambdaMessages.unsupportedFunction(unusable.reason))
        } catch {
            throw .serviceException(LambdaMessages.unsupportedFunction("its code cannot be prepared: \(error)"))
        }
        // Each layer is a folder of its own (an extracted .zip, or a ContentUri folder used in place). AWS extracts
        // layers into /opt in order, a later layer's files replacing an earlier one's: the last layer comes first
        // on every search path here.
        var layerFolders: [String] = []
        for layer in function.layers.reversed() {
            do {
                layerFolders.append(try await host.codeStore.folder(for: layer, runtime: nil, function: function.name))
            } catch let unusable as CodeStore.Unusable {
                throw .serviceException(LambdaMessages.unsupportedFunction("one of its layers cannot be used: \(unusable.reason)"))
            } catch {
                throw .serviceException(LambdaMessages.unsupportedFunction("one of its layers cannot be prepared: \(error)"))
            }
        }
        let family = LambdaRuntimeFamily(runtime: function.spec.runtime)
        guard let runtime = function.spec.runtime, family != .unsupported else {
            throw .serviceException(LambdaMessages.unsupportedRuntime(function.spec.runtime))
        }
        guard let handler = function.spec.handler else {
            throw .serviceException(LambdaMessages.unsupportedFunction("the function has no Handler"))
        }
        let command: (executable: String, arguments: [String], specific: [String: String])
        switch family {
        case .node(let major):
            guard let node = host.lateRuntimes.node(host.settings) else {
                host.logger.error("cannot start \(function.name): no node interpreter (install Node.js or pass --lambda-node)")
                throw .serviceException(LambdaMessages.nodeUnavailable(runtime))
            }
            let cache = host.settings.nodeRuntimeFolder ?? NodeRuntimeFiles.defaultFolder
            let client: String
            do {
                // Written once per binary version (a few kB): the first Node.js cold start pays it.
                client = try NodeRuntimeFiles.installClient(in: cache)
            } catch {
                host.logger.error("cannot write the Node.js runtime client to \(cache.path): \(error)")
                throw .serviceException(LambdaMessages.unsupportedFunction("the Node.js runtime client cannot be written to \(cache.path)"))
            }
            await host.proxyPorts.waitUntilReady()
            var specific: [String: String] = [
                "LAMBDA_RUNTIME_DIR": cache.path,
                // AWS: layers' nodejs/nodeN/node_modules and nodejs/node_modules, then the runtime's own modules (the
                // SDK), then the task root. The function's own node_modules come first through Node's resolution.
                "NODE_PATH":
                    (layerFolders.flatMap { ["\($0)/nodejs/node\(major)/node_modules", "\($0)/nodejs/node_modules"] }
                    + [cache.appendingPathComponent("node_modules").path, codeDirectory]).joined(separator: ":"),
                "SYNAPSCRIBE_NODE_SDK_PATH": cache.path,
                "AWS_NODEJS_CONNECTION_REUSE_ENABLED": "1",
            ]
            if !host.settings.allowEgress, let port = host.proxyPorts.port(function.name) {
                specific["SYNAPSCRIBE_EGRESS_GUARD_PORT"] = String(port)
            }
            command = (node.path, [client, handler], specific)
        case .python, .unsupported:
            let python: String
            let version: PythonVersion
            do {
                (python, version) = try await pythonEnvironment(runtime: runtime)
            } catch let error as LambdaError {
                throw error
            } catch {
                throw .serviceException(LambdaMessages.unsupportedFunction("\(error)"))
            }
            let dependencies: String?
            do {
                dependencies = try await host.dependencyCache.dependencies(
                    for: codeDirectory,
                    python: python,
                    version: version,
                    function: function.name,
                    install: host.settings.installDependencies
                )
            } catch let missing as DependencyCache.NotBuilt {
                host.logger.error(
                    "\(function.name): \(missing.requirements) is not installed: run `synapscribe-local build` (or start with --install-dependencies)"
                )
                throw .serviceException(LambdaMessages.dependenciesNotBuilt(runtime: version.runtime, requirements: missing.requirements))
            } catch let failure as DependencyCache.InstallFailure {
                host.logger.error("\(function.name): requirements.txt could not be installed", metadata: ["pip": "\(failure.output)"])
                throw .serviceException(LambdaMessages.dependenciesFailed(failure.output))
            } catch {
                throw .serviceException(LambdaMessages.dependenciesFailed(String(describing: error)))
            }
            await host.proxyPorts.waitUntilReady()
            let runtimeDirectory = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent().path
            let specific = [
                "LAMBDA_RUNTIME_DIR": runtimeDirectory,
                // CodeUri first (vendored packages win, as in AWS), then requirements.txt installs, then layers, then
                // the runtime's own site-packages (boto3/botocore as the managed runtime ships them) through the
                // interpreter itself.
                "PYTHONPATH":
                    ([codeDirectory, dependencies].compactMap { $0 }
                    + layerFolders.flatMap { ["\($0)/python/lib/\(runtime)/site-packages", "\($0)/python"] }).joined(separator: ":"),
            ]
            command = (python, ["-m", "awslambdaric", handler], specific)
        }
        return WorkerLaunch(
            executable: command.executable,
            arguments: command.arguments,
            environment: workerEnvironment(
                runtime: runtime,
                codeDirectory: codeDirectory,
                handler: handler,
                streamName: streamName,
                layerFolders: layerFolders,
                specific: command.specific
            ),
            directory: codeDirectory
        )
    }

    /// The python executable of the function's runtime environment (created at its version's first use) and the
    /// interpreter's version: the declared version's interpreter, else the closest newer one.
    /// Throws ``LambdaError`` values, untyped: typed throws in async code crashed the Swift 6.3.1 release build once.
    private func pythonEnvironment(runtime: String) async throws -> (String, PythonVersion) {
        // Deprecated versions (python3.8) resolve like any other: to the closest newer interpreter, with a warning.
        guard let declared = PythonVersion(runtime: runtime) else {
            throw LambdaError.serviceException(LambdaMessages.unsupportedRuntime(runtime))
        }
        let table = host.lateRuntimes.python(host.settings)
        guard let resolution = table.resolve(declared) else {
            host.logger.error("cannot start \(function.name): no \(runtime) interpreter (or a newer one) was found")
            throw LambdaError.serviceException(LambdaMessages.pythonUnavailable(runtime))
        }
        do {
            return (try await host.pythonProvisioner.environment(for: resolution.interpreter), resolution.interpreter.version)
        } catch let failure as PythonRuntimeProvisioner.Failure {
            host.logger.error("\(function.name): the \(resolution.interpreter.version) runtime environment could not be created: \(failure.output)")
            throw LambdaError.serviceException(
                LambdaMessages.runtimeEnvironmentFailed(runtime: resolution.interpreter.version.runtime, output: failure.output)
            )
        } catch {
            throw LambdaError.serviceException(
                LambdaMessages.runtimeEnvironmentFailed(runtime: resolution.interpreter.version.runtime, output: "\(error)")
            )
        }
    }

    /// The worker's environment, as AWS sets it for the function's runtime.
    private func workerEnvironment(
        runtime: String,
        codeDirectory: String,
        handler: String,
        streamName: String,
        layerFolders: [String],
        specific: [String: String]
    ) -> [String: String] {
        let hostVariables = ProcessInfo.processInfo.environment
        let current = host.environment.current
        // Layers' bin and lib folders come first, as /opt/bin and /opt/lib do in AWS.
        let path = layerFolders.map { "\($0)/bin" } + [hostVariables["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        let libraries = layerFolders.map { "\($0)/lib" } + [hostVariables["LD_LIBRARY_PATH"]].compactMap { $0 }
        var variables: [String: String] = [
            "PATH": path.joined(separator: ":"),
            "LANG": "en_US.UTF-8",
            "AWS_ENDPOINT_URL": current.edgeURL,
        ]
        if !libraries.isEmpty { variables["LD_LIBRARY_PATH"] = libraries.joined(separator: ":") }
        // botocore trusts the local TLS endpoint (`https://{domainName}/{stage}` in API Gateway events) through it.
        if let bundle = current.caBundlePath { variables["AWS_CA_BUNDLE"] = bundle }
        for (key, value) in function.spec.environment { variables[key] = value }
        // The execution role's session, issued like STS and Cognito sessions: IAM evaluates the role's template
        // policies for every call the handler makes. AWS names the session after the function.
        let credential = host.roleSessions.issue(
            roleArn: function.roleArn,
            sessionName: function.name,
            duration: Self.credentialLifetime
        )
        var reserved: [String: String] = [
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": function.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(function.memorySize),
            "AWS_LAMBDA_LOG_GROUP_NAME": function.logGroupName,
            "AWS_LAMBDA_LOG_STREAM_NAME": streamName,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_EXECUTION_ENV": "AWS_Lambda_\(runtime)",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": codeDirectory,
            "TZ": ":UTC",
            "AWS_ACCESS_KEY_ID": credential.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": credential.secretAccessKey,
            "AWS_SESSION_TOKEN": credential.sessionToken,
        ]
        for (key, value) in specific { reserved[key] = value }
        for (key, value) in reserved { variables[key] = value }
        if !host.settings.allowEgress, let port = host.proxyPorts.port(function.name) {
            let proxy = "http://127.0.0.1:\(port)"
            for key in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] { variables[key] = proxy }
            for key in ["NO_PROXY", "no_proxy"] { variables[key] = "127.0.0.1,localhost,::1" }
        }
        return variables
    }

    private func makeInvocation(payload: Data, context: LambdaInvocationContext, requestId: String) -> RuntimeInvocation {
        // The deadline is read by the worker against its own wall clock (context.get_remaining_time_in_millis),
        // so it is real time, not virtual time.
        let wallClock = Date()
        let deadline = LambdaNumbers.deadlineMilliseconds(now: wallClock, timeoutSeconds: function.timeout)
        let epochHex = String(max(0, LambdaNumbers.clampedInt64(wallClock.timeIntervalSince1970)), radix: 16)
        return RuntimeInvocation(
            requestId: requestId,
            payload: payload.isEmpty ? Data("{}".utf8) : payload,
            deadlineMilliseconds: deadline,
            invokedFunctionArn: function.arn,
            traceId: "Root=1-\(epochHex)-\(Self.hex(24));Parent=\(Self.hex(16));Sampled=0",
            clientContext: context.clientContext,
            cognitoIdentity: context.cognitoIdentity
        )
    }

    // MARK: Helpers

    private static func report(
        requestId: String,
        duration: Duration,
        memorySize: Int,
        maxMemoryUsed: Int,
        initMilliseconds: Double?,
        outcome: InvocationOutcome
    ) -> String {
        let milliseconds = LambdaNumbers.milliseconds(duration)
        var line =
            "REPORT RequestId: \(requestId)\tDuration: \(LambdaMessages.formatSeconds(milliseconds)) ms\tBilled Duration: \(LambdaNumbers.clampedInt64(milliseconds.rounded(.up))) ms\t"
            + "Memory Size: \(memorySize) MB\tMax Memory Used: \(maxMemoryUsed) MB\t"
        if let initMilliseconds { line += "Init Duration: \(LambdaMessages.formatSeconds(initMilliseconds)) ms\t" }
        switch outcome {
        case .timedOut: line += "Status: timeout"
        case .exited, .initFailed, .responseTooLarge: line += "Status: error"
        default: break
        }
        return line
    }

    private static func payload(for outcome: InvocationOutcome, requestId: String) -> Data {
        switch outcome {
        case .success(let body): return body
        case .functionError(let body): return body
        case .responseTooLarge: return Data(LambdaMessages.responseSizeTooLarge.utf8)
        case .timedOut(let seconds):
            return errorJSON(type: "Sandbox.Timedout", message: LambdaMessages.timedOut(requestId: requestId, seconds: seconds))
        case .exited(let exit):
            return errorJSON(type: "Runtime.ExitError", message: LambdaMessages.exited(requestId: requestId, reason: exit.reason))
        case .initFailed(let body, let exit):
            if let body { return body }
            return errorJSON(
                type: "Runtime.ExitError",
                message: LambdaMessages.exited(requestId: requestId, reason: (exit ?? .status(1)).reason ?? "exit status 0")
            )
        }
    }

    private static func isError(_ outcome: InvocationOutcome) -> Bool {
        if case .success = outcome { return false }
        return true
    }

    private static func errorJSON(type: String, message: String) -> Data {
        let object = ["errorType": type, "errorMessage": message]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// Base64 of the last 4 KB of the invocation's log.
    private static func logTail(_ lines: [String]) -> String {
        let text = Data((lines.joined(separator: "\n") + "\n").utf8)
        return Data(text.suffix(4096)).base64EncodedString()
    }

    /// Runs `operation`, or `onTimeout` once `timeout` passes first.
    static func race<T: Sendable>(
        timeout: Duration,
        operation: @escaping @Sendable () async -> T?,
        onTimeout: @escaping @Sendable () async -> Void
    ) async -> T? {
        await withTaskGroup(of: (T?, Bool).self) { group in
            group.addTask { (await operation(), true) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    await onTimeout()
                } catch {}
                return (nil, false)
            }
            var result: T?
            for await (value, isOperation) in group where isOperation {
                result = value
                group.cancelAll()
            }
            return result
        }
    }

    private static func hex(_ count: Int) -> String {
        var generator = EmulatorRandom.idGenerator("lambda-stream-names")  // seeded under --seed
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(generator.next(upperBound: UInt32(16)))] })
    }

    private static func streamDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy/MM/dd"
        return formatter.string(from: date)
    }
}

/// Invocation and cold start counts for `/_local/health`.
final class Counters: Sendable {
    let state = Mutex<(invocations: Int, coldStarts: Int)>((0, 0))
}
