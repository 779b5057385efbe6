import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SigV4
import Synchronization

/// AWS Lambda: runs the template's Python functions unmodified in real `python3.12 -m awslambdaric` workers
/// behind a Lambda Runtime API, and serves the Invoke, GetFunction and ListFunctions operations.
///
/// It is also the in-process ``LambdaInvoking`` other services use, and a `Service` whose `run()` owns every
/// execution environment, the offline guard listeners, the asynchronous-invocation retries and the idle reaper.
package struct LambdaService: AWSServiceHandler, LambdaInvoking, LocalEndpointProviding, Service {
    /// Routing facts.
    package var descriptor: ServiceDescriptor { ServiceDescriptors.lambda }

    private let functions: [LambdaFunction]
    private let pools: [String: FunctionPool]
    private let settings: LambdaSettings
    private let clock: VirtualClock
    private let environment: LiveEnvironment
    private let credentials: CredentialStore
    private let authorizer: any RequestAuthorizing
    private let logger: Logger
    private let logs: LogStore
    private let gate: ConcurrencyGate
    private let eventQueues: EventQueues
    private let work: AsyncStream<@Sendable () async -> Void>
    private let workQueue: AsyncStream<@Sendable () async -> Void>.Continuation
    private let proxyPorts: ProxyPorts
    private let counters = Counters()
    private let dependencyCache: DependencyCache

    /// Creates the service.
    /// - Parameters:
    ///   - functions: The template's function specs.
    ///   - settings: How functions run here.
    ///   - clock: The virtual clock.
    ///   - environment: Region, account and the edge URL.
    ///   - credentials: Where execution-role credentials are issued.
    ///   - authorizer: The authorization hook.
    ///   - logger: The logger.
    package init(
        functions: [LambdaFunctionSpec],
        settings: LambdaSettings,
        clock: VirtualClock,
        environment: LiveEnvironment,
        credentials: CredentialStore,
        authorizer: any RequestAuthorizing,
        logger: Logger
    ) {
        let current = environment.current
        let deployed = clock.now
        self.functions = functions.map {
            LambdaFunction(spec: $0, accountId: current.accountId, region: current.region, lastModified: deployed)
        }
        var pools: [String: FunctionPool] = [:]
        for function in self.functions { pools[function.name] = FunctionPool() }
        self.pools = pools
        self.settings = settings
        self.clock = clock
        self.environment = environment
        self.credentials = credentials
        self.authorizer = authorizer
        var serviceLogger = logger
        serviceLogger[metadataKey: "service"] = "lambda"
        self.logger = serviceLogger
        self.logs = LogStore(logger: serviceLogger)
        self.gate = ConcurrencyGate(accountLimit: settings.accountConcurrency)
        self.eventQueues = EventQueues(capacity: settings.eventQueueSize)
        (self.work, self.workQueue) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
        self.proxyPorts = ProxyPorts()
        self.dependencyCache = DependencyCache(root: settings.dependencyCache ?? DependencyCache.defaultRoot, logger: serviceLogger)
    }

    // MARK: Service

    /// Runs until graceful shutdown: the offline guard, execution environments, queued events and the reaper.
    /// - Throws: Nothing in practice.
    package func run() async throws {
        if let python = settings.python {
            logger.info("Lambda runtime: \(python) -m awslambdaric (python3.12)")
        } else {
            logger.error(
                "Lambda runtime missing: no python3.12 runtime environment (.venv-runtime/bin/python3.12) was found; run scripts/setup. Invocations fail with ServiceException until it exists."
            )
        }
        if !SocketOwnership.isAvailable {
            logger.warning(
                "this system reports no socket owners (/proc): workers' Runtime API listeners accept any local process"
            )
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if !settings.allowEgress {
                    for function in functions {
                        do {
                            let listener = try await EgressGuard.bind()
                            proxyPorts.set(function.name, listener.channel.localAddress?.port ?? 0)
                            let logger = self.logger
                            group.addTask { await EgressGuard.serve(listener, function: function.name, logger: logger) }
                        } catch {
                            logger.error("offline guard for \(function.name) cannot bind: \(error); its workers get no proxy")
                        }
                    }
                }
                proxyPorts.markReady()
                group.addTask { await reapIdleEnvironments() }
                for await job in work {
                    group.addTask { await job() }
                }
                // Shutdown: stop every environment.
                for pool in pools.values {
                    for environment in await pool.removeAll() { await environment.shutdown() }
                }
            }
        }
        workQueue.finish()
    }

    private func reapIdleEnvironments() async {
        let interval = max(0.05, min(settings.idleTimeout / 4, 30))
        let changes = clock.changes()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in changes { await reclaimNow() }
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                await reclaimNow()
            }
            group.cancelAll()
        }
    }

    private func reclaimNow() async {
        let cutoff = clock.now.addingTimeInterval(-settings.idleTimeout)
        for (name, pool) in pools {
            for environment in await pool.reclaim(idleSince: cutoff) {
                logger.debug("reclaiming idle environment \(environment.id) of \(name)")
                await environment.shutdown()
            }
        }
    }

    // MARK: Health and local endpoints

    /// `running` with the function count, environments and invocations so far.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        var environments = 0
        for pool in pools.values { environments += await pool.count }
        let counts = counters.state.withLock { $0 }
        return ServiceHealth(
            state: "running",
            resources: ["functions": functions.count],
            details: [
                "environments": environments, "invocations": counts.invocations, "coldStarts": counts.coldStarts,
                "runtimeAvailable": settings.python == nil ? 0 : 1,
            ]
        )
    }

    /// `GET /_local/logs/{function}?after=N`: the function's captured log lines after sequence N.
    /// - Parameters:
    ///   - request: The request.
    ///   - path: The raw path.
    ///   - body: Unused.
    /// - Returns: The lines as JSON, or `nil` for other paths.
    package func handleLocal(_ request: Request, path: String, body: ByteBuffer) async -> Response? {
        let prefix = "/_local/logs/"
        guard request.method == .get, path.hasPrefix(prefix) else { return nil }
        let identifier = URLComponentsDecoding.decode(String(path.dropFirst(prefix.count)))
        guard let function = resolve(identifier)?.function else {
            return ErrorRenderer.response(
                for: LambdaError.resourceNotFound(arn: unqualifiedArn(for: identifier)),
                protocol: .restJson1,
                requestId: RequestID.uuid()
            )
        }
        let query = URLComponentsDecoding.queryItems(request.uri.query ?? "")
        let after = query.first { $0.name == "after" }.flatMap { Int($0.value) } ?? 0
        let lines = logs.lines(of: function.name, after: after)
        let object: [String: Any] = [
            "function": function.name,
            "logGroupName": function.logGroupName,
            "lines": lines.map { ["sequence": $0.sequence, "timestamp": Timestamp.iso8601Milliseconds($0.timestamp), "message": $0.message] },
            "next": lines.last?.sequence ?? after,
        ]
        return Self.json(object, status: .ok, requestId: RequestID.uuid())
    }

    // MARK: Lambda API

    /// Routes the Lambda REST API: Invoke, GetFunction, GetFunctionConfiguration, ListFunctions.
    /// - Parameter request: The request.
    /// - Returns: The response.
    /// - Throws: ``LambdaError`` or the gateway's unknown-operation error.
    package func handle(_ request: AWSRequest) async throws -> Response {
        let segments = request.rawPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", "2015-03-31", "functions", NAME, ...]
        guard segments.count >= 3, segments[2] == "functions" else {
            throw GatewayError.unknownOperation(nil, protocol: .restJson1)
        }
        let version = segments[1]
        let name = segments.count > 3 ? URLComponentsDecoding.decode(segments[3]) : ""
        let rest = Array(segments.dropFirst(4))
        switch (request.method, version, name.isEmpty, rest) {
        case (.get, "2015-03-31", true, _):
            return try await listFunctions(request)
        case (.post, "2015-03-31", false, ["invocations"]):
            return try await invokeOperation(request, name: name)
        case (.get, "2015-03-31", false, []):
            return try await getFunction(request, name: name)
        case (.get, "2015-03-31", false, ["configuration"]):
            return try await getFunctionConfiguration(request, name: name)
        case (.get, "2019-09-30", false, ["concurrency"]), (.get, "2017-10-31", false, ["concurrency"]):
            return try await getFunctionConcurrency(request, name: name)
        default:
            throw GatewayError.unknownOperation(nil, protocol: .restJson1)
        }
    }

    /// [Invoke](https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
    private func invokeOperation(_ request: AWSRequest, name: String) async throws -> Response {
        let (function, qualifier) = try locate(name, qualifier: request.query("Qualifier"))
        try await authorize(request, action: "lambda:InvokeFunction", resource: qualifiedArn(function, qualifier))
        let invocationTypeText = request.header("X-Amz-Invocation-Type") ?? "RequestResponse"
        guard let invocationType = LambdaInvocationType(rawValue: invocationTypeText) else {
            throw LambdaError.invalidParameterValue(LambdaMessages.invalidInvocationType(invocationTypeText))
        }
        let logType = request.header("X-Amz-Log-Type") ?? "None"
        guard logType == "None" || logType == "Tail" else {
            throw LambdaError.invalidParameterValue(LambdaMessages.invalidLogType(logType))
        }
        let payload = request.bodyData
        guard payload.count <= LambdaMessages.maxRequestPayload else { throw LambdaError.requestTooLarge }
        try Self.validateJSON(payload)
        var context = LambdaInvocationContext()
        if let clientContext = request.header("X-Amz-Client-Context") {
            let decoded = try Self.clientContext(clientContext)
            // Lambda passes the client context to synchronous invocations only.
            if invocationType == .requestResponse { context.clientContext = decoded }
        }
        let result = try await invoke(
            function: function,
            payload: payload,
            invocationType: invocationType,
            context: context,
            requestId: request.requestId
        )
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.amznRequestId] = request.requestId
        headers[.constant("X-Amz-Executed-Version")] = result.executedVersion
        headers[.constant("X-Amzn-Remapped-Content-Length")] = "0"
        if let functionError = result.functionError { headers[.constant("X-Amz-Function-Error")] = functionError }
        if logType == "Tail", invocationType == .requestResponse, let logResult = result.logResult {
            headers[.constant("X-Amz-Log-Result")] = logResult
        }
        let status = HTTPResponse.Status(code: result.statusCode)
        if result.statusCode != 200 {
            return Response(status: status, headers: headers)
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: result.payload)))
    }

    /// [GetFunction](https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html).
    private func getFunction(_ request: AWSRequest, name: String) async throws -> Response {
        let (function, _) = try locate(name, qualifier: request.query("Qualifier"))
        try await authorize(request, action: "lambda:GetFunction", resource: function.arn)
        var object: [String: Any] = [
            "Configuration": function.configuration(),
            "Code": [
                "RepositoryType": "S3",
                "Location": "\(environment.current.edgeURL)/_local/lambda-code/\(function.name)",
            ],
        ]
        if !function.spec.tags.isEmpty { object["Tags"] = function.spec.tags }
        if let reserved = function.spec.reservedConcurrency { object["Concurrency"] = ["ReservedConcurrentExecutions": reserved] }
        return Self.json(object, status: .ok, requestId: request.requestId)
    }

    /// [GetFunctionConfiguration](https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html).
    private func getFunctionConfiguration(_ request: AWSRequest, name: String) async throws -> Response {
        let (function, _) = try locate(name, qualifier: request.query("Qualifier"))
        try await authorize(request, action: "lambda:GetFunctionConfiguration", resource: function.arn)
        return Self.json(function.configuration(), status: .ok, requestId: request.requestId)
    }

    /// [GetFunctionConcurrency](https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConcurrency.html).
    private func getFunctionConcurrency(_ request: AWSRequest, name: String) async throws -> Response {
        let (function, _) = try locate(name, qualifier: nil)
        try await authorize(request, action: "lambda:GetFunctionConcurrency", resource: function.arn)
        var object: [String: Any] = [:]
        if let reserved = function.spec.reservedConcurrency { object["ReservedConcurrentExecutions"] = reserved }
        return Self.json(object, status: .ok, requestId: request.requestId)
    }

    /// [ListFunctions](https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html), with `Marker`/`MaxItems`.
    private func listFunctions(_ request: AWSRequest) async throws -> Response {
        try await authorize(request, action: "lambda:ListFunctions", resource: "*")
        let sorted = functions.sorted { $0.name < $1.name }
        var maxItems = 50
        if let text = request.query("MaxItems") {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw LambdaError.invalidParameterValue(
                    "1 validation error detected: Value '\(text)' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
                )
            }
            maxItems = min(value, 50)
        }
        var start = 0
        if let marker = request.query("Marker"), !marker.isEmpty {
            guard let index = sorted.firstIndex(where: { $0.name == marker }) else {
                throw LambdaError.invalidParameterValue("Invalid marker: \(marker)")
            }
            start = index
        }
        let page = Array(sorted[start..<min(sorted.count, start + maxItems)])
        var object: [String: Any] = ["Functions": page.map { $0.configuration() }]
        if start + maxItems < sorted.count { object["NextMarker"] = sorted[start + maxItems].name }
        return Self.json(object, status: .ok, requestId: request.requestId)
    }

    // MARK: Invocation

    /// Invokes a function in-process (S3 notifications, API Gateway integrations).
    /// - Parameters:
    ///   - function: A name, physical name or ARN.
    ///   - payload: The event JSON.
    ///   - invocationType: RequestResponse, Event or DryRun.
    ///   - context: Who invokes.
    /// - Returns: The result.
    /// - Throws: ``LambdaInvocationError``.
    package func invoke(
        function: String,
        payload: Data,
        invocationType: LambdaInvocationType,
        context: LambdaInvocationContext
    ) async throws -> LambdaInvocationResult {
        let located: LambdaFunction
        do {
            located = try locate(function, qualifier: nil).function
        } catch {
            throw LambdaInvocationError.functionNotFound(function)
        }
        do {
            return try await invoke(
                function: located,
                payload: payload,
                invocationType: invocationType,
                context: context,
                requestId: RequestID.uuid()
            )
        } catch .tooManyRequests {
            throw LambdaInvocationError.tooManyRequests(located.name)
        } catch {
            throw LambdaInvocationError.serviceFailure(error.message)
        }
    }

    private func invoke(
        function: LambdaFunction,
        payload: Data,
        invocationType: LambdaInvocationType,
        context: LambdaInvocationContext,
        requestId: String
    ) async throws(LambdaError) -> LambdaInvocationResult {
        switch invocationType {
        case .dryRun:
            return LambdaInvocationResult(statusCode: 204, payload: Data())
        case .event:
            guard eventQueues.admit(function.name) else {
                logger.warning("\(function.name): asynchronous event queue full (\(eventQueues.capacity) events); invocation refused")
                throw .tooManyRequests(
                    reason: function.spec.reservedConcurrency == nil ? .functionInvocationRate : .reservedFunctionInvocationRate
                )
            }
            let queues = eventQueues
            workQueue.yield {
                await runEvent(function: function, payload: payload, context: context, requestId: requestId)
                queues.finish(function.name)
            }
            return LambdaInvocationResult(statusCode: 202, payload: Data())
        case .requestResponse:
            let result = try await runInvocation(function: function, payload: payload, context: context, requestId: requestId)
            return LambdaInvocationResult(
                statusCode: 200,
                payload: result.payload,
                functionError: result.functionError,
                logResult: result.logTail
            )
        }
    }

    /// An asynchronous invocation: waits for capacity, runs, and retries twice on error (AWS's policy, with
    /// the delays of ``LambdaSettings/eventRetryDelays`` on the virtual clock).
    private func runEvent(function: LambdaFunction, payload: Data, context: LambdaInvocationContext, requestId: String) async {
        var attempt = 0
        while !Task.isCancelled {
            let releasesSeen = gate.releaseCount
            do {
                let result = try await runInvocation(function: function, payload: payload, context: context, requestId: requestId)
                guard result.functionError != nil, attempt < settings.eventRetryDelays.count else { return }
                logger.info(
                    "asynchronous invocation \(requestId) of \(function.name) failed; retry \(attempt + 1) of \(settings.eventRetryDelays.count)"
                )
                let delay = LambdaNumbers.seconds(settings.eventRetryDelays[attempt])
                await sleep(untilVirtual: clock.now.addingTimeInterval(delay))
                attempt += 1
            } catch .tooManyRequests {
                // Queued events wait for capacity instead of failing: until a running invocation gives its slot back.
                await gate.waitForRelease(since: releasesSeen)
            } catch {
                logger.error("asynchronous invocation \(requestId) of \(function.name) failed: \(error.message)")
                return
            }
        }
    }

    /// Waits until the virtual clock reaches `deadline`: a real-time timer for the time left, cut short when the
    /// clock is moved (`POST /_local/clock`), or until the task is cancelled.
    private func sleep(untilVirtual deadline: Date) async {
        let changes = clock.changes()
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await now in changes where now >= deadline { return }
            }
            group.addTask {
                while !Task.isCancelled {
                    let remaining = deadline.timeIntervalSince(clock.now)
                    guard remaining.isFinite, remaining > 0 else { return }
                    try? await Task.sleep(for: .seconds(min(remaining, 3_600)))
                }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private struct RunResult {
        var payload: Data
        var functionError: String?
        var logTail: String?
    }

    /// Runs one synchronous invocation on a warm environment, or a new one.
    private func runInvocation(
        function: LambdaFunction,
        payload: Data,
        context: LambdaInvocationContext,
        requestId: String
    ) async throws(LambdaError) -> RunResult {
        guard let pool = pools[function.name] else { throw .resourceNotFound(arn: function.arn) }
        try gate.acquire(function: function.name, reserved: function.spec.reservedConcurrency)
        defer { gate.release(function: function.name, reserved: function.spec.reservedConcurrency) }
        counters.state.withLock { $0.invocations += 1 }

        var environment = await pool.take()
        if let warm = environment, await !warm.isAlive {
            await pool.put(warm, alive: false, now: clock.now)
            environment = nil
        }
        var initMilliseconds: Double?
        var outcome: InvocationOutcome?
        let started = ContinuousClock.now
        let invocation = makeInvocation(function: function, payload: payload, context: context, requestId: requestId)
        let timeout = context.maximumDuration.map { min($0, .seconds(function.timeout)) } ?? .seconds(function.timeout)

        if environment == nil {
            let cold = try await coldStart(function: function, pool: pool)
            environment = cold.environment
            cold.environment.log("START RequestId: \(requestId) Version: $LATEST")
            switch cold.outcome {
            case .ready(let milliseconds):
                initMilliseconds = milliseconds
            case .failed(let body, let exit):
                outcome = .initFailed(body: body, exit: exit)
            }
        } else {
            environment?.beginCapture()
            environment?.log("START RequestId: \(requestId) Version: $LATEST")
        }
        guard let environment else { throw .serviceException(LambdaMessages.unsupportedFunction("no environment")) }

        let invokeStarted = ContinuousClock.now
        if outcome == nil {
            outcome = await Self.race(timeout: timeout) {
                await environment.invoke(invocation)
            } onTimeout: {
                await environment.timeOut(requestId: requestId)
            }
        }
        await environment.drainOutput()
        let finalOutcome = outcome ?? .exited(.signal(9))
        if case .timedOut(let seconds) = finalOutcome {
            environment.log(
                "\(Timestamp.iso8601Milliseconds(clock.now)) \(requestId) Task timed out after \(LambdaMessages.formatSeconds(seconds)) seconds"
            )
        }
        environment.log("END RequestId: \(requestId)")
        environment.log(
            report(
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
        if !alive { await environment.shutdown() }
        await pool.put(environment, alive: alive, now: clock.now)
        _ = started
        return RunResult(
            payload: Self.payload(for: finalOutcome, requestId: requestId),
            functionError: Self.isError(finalOutcome) ? "Unhandled" : nil,
            logTail: Self.logTail(captured)
        )
    }

    private func coldStart(
        function: LambdaFunction,
        pool: FunctionPool
    ) async throws(LambdaError) -> (
        environment: ExecutionEnvironment, outcome: InitOutcome
    ) {
        guard let python = settings.python else {
            logger.error("cannot start \(function.name): the python3.12 runtime environment is missing (run scripts/setup)")
            throw .serviceException(LambdaMessages.runtimeUnavailable(function.spec.runtime ?? "python3.12"))
        }
        guard let runtime = function.spec.runtime, runtime.hasPrefix("python3") else {
            throw .serviceException(LambdaMessages.unsupportedFunction("runtime \(function.spec.runtime ?? "(image)") is not supported"))
        }
        guard let codeDirectory = function.spec.codeUri, let handler = function.spec.handler else {
            throw .serviceException(LambdaMessages.unsupportedFunction("only local CodeUri folders are supported"))
        }
        let dependencies: String?
        do {
            dependencies = try await dependencyCache.dependencies(for: codeDirectory, python: python, function: function.name)
        } catch let failure as DependencyCache.InstallFailure {
            logger.error("\(function.name): requirements.txt could not be installed", metadata: ["pip": "\(failure.output)"])
            throw .serviceException(LambdaMessages.dependenciesFailed(failure.output))
        } catch {
            throw .serviceException(LambdaMessages.dependenciesFailed(String(describing: error)))
        }
        await proxyPorts.waitUntilReady()
        let id = Self.hex(32)
        let now = clock.now
        let streamName = "\(Self.streamDate(now))/[$LATEST]\(id)"
        let role = "arn:aws:sts::\(function.accountId):assumed-role/\(function.roleName)/\(function.name)"
        // Bound to the execution role, so IAM evaluates the role's template policies for every call the handler makes.
        let issued = credentials.issueTemporary(principal: role, duration: 12 * 3600, now: now, roleArn: function.spec.roleArn)
        let launch = WorkerLaunch(
            executable: python,
            arguments: ["-m", "awslambdaric", handler],
            environment: workerEnvironment(
                function: function,
                runtime: runtime,
                python: python,
                codeDirectory: codeDirectory,
                handler: handler,
                dependencies: dependencies,
                streamName: streamName,
                credential: issued
            ),
            directory: codeDirectory
        )
        let sink = LineSink(function: function.name, store: logs, clock: { [clock] in clock.now })
        let environment = ExecutionEnvironment(id: id, logStreamName: streamName, launch: launch, sink: sink, logger: logger)
        await pool.add(environment)
        counters.state.withLock { $0.coldStarts += 1 }
        environment.beginCapture()
        environment.log(
            "INIT_START Runtime Version: \(runtime).local Runtime Version ARN: arn:aws:lambda:\(function.region)::runtime:\(runtime)-local"
        )
        workQueue.yield { await environment.run() }
        let outcome = await Self.race(timeout: settings.initTimeout + .seconds(function.timeout)) {
            await environment.waitUntilReady()
        } onTimeout: {
            await environment.shutdown()
        }
        return (environment, outcome ?? .failed(body: nil, exit: .signal(9)))
    }

    /// The worker's environment, as AWS sets it for a python3.12 function.
    private func workerEnvironment(
        function: LambdaFunction,
        runtime: String,
        python: String,
        codeDirectory: String,
        handler: String,
        dependencies: String?,
        streamName: String,
        credential: TemporaryCredential
    ) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var variables: [String: String] = [
            "PATH": host["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "AWS_ENDPOINT_URL": environment.current.edgeURL,
        ]
        if let libraryPath = host["LD_LIBRARY_PATH"] { variables["LD_LIBRARY_PATH"] = libraryPath }
        // botocore trusts the local TLS endpoint (`https://{domainName}/{stage}` in API Gateway events) through it.
        if let bundle = environment.current.caBundlePath { variables["AWS_CA_BUNDLE"] = bundle }
        for (key, value) in function.spec.environment { variables[key] = value }
        let runtimeDirectory = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent().path
        let reserved: [String: String] = [
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
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
            "LAMBDA_RUNTIME_DIR": runtimeDirectory,
            "TZ": ":UTC",
            // CodeUri first (vendored packages win, as in AWS), then requirements.txt installs, then the runtime's own
            // site-packages (boto3/botocore as the managed runtime ships them) through the interpreter itself.
            "PYTHONPATH": [codeDirectory, dependencies].compactMap { $0 }.joined(separator: ":"),
            "AWS_ACCESS_KEY_ID": credential.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": credential.secretAccessKey,
            "AWS_SESSION_TOKEN": credential.sessionToken,
        ]
        for (key, value) in reserved { variables[key] = value }
        if !settings.allowEgress, let port = proxyPorts.port(function.name) {
            let proxy = "http://127.0.0.1:\(port)"
            for key in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] { variables[key] = proxy }
            for key in ["NO_PROXY", "no_proxy"] { variables[key] = "127.0.0.1,localhost,::1" }
        }
        return variables
    }

    private func makeInvocation(function: LambdaFunction, payload: Data, context: LambdaInvocationContext, requestId: String) -> RuntimeInvocation {
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

    private func report(
        requestId: String,
        duration: Duration,
        memorySize: Int,
        maxMemoryUsed: Int,
        initMilliseconds: Double?,
        outcome: InvocationOutcome
    ) -> String {
        let milliseconds = LambdaNumbers.milliseconds(duration)
        var line =
            "REPORT RequestId: \(requestId)\tDuration: \(Self.twoDecimals(milliseconds)) ms\tBilled Duration: \(LambdaNumbers.clampedInt64(milliseconds.rounded(.up))) ms\t"
            + "Memory Size: \(memorySize) MB\tMax Memory Used: \(maxMemoryUsed) MB\t"
        if let initMilliseconds { line += "Init Duration: \(Self.twoDecimals(initMilliseconds)) ms\t" }
        switch outcome {
        case .timedOut: line += "Status: timeout"
        case .exited, .initFailed, .responseTooLarge: line += "Status: error"
        default: break
        }
        return line
    }

    // MARK: Helpers

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

    /// `X-Amz-Client-Context`: at most 3,583 bytes of base64 that decode to a JSON object.
    /// - Parameter header: The header value.
    /// - Returns: The decoded JSON text.
    /// - Throws: ``LambdaError/invalidRequestContent(_:)`` otherwise.
    static func clientContext(_ header: String) throws(LambdaError) -> String {
        guard header.utf8.count <= LambdaMessages.maxClientContextBytes,
            let decoded = Data(base64Encoded: header),
            let object = (try? JSONSerialization.jsonObject(with: decoded)) as? [String: Any],
            // Written again on one line: it travels as the Runtime API's `Lambda-Runtime-Client-Context` header,
            // where a line break between JSON tokens would end the header.
            let compact = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { throw .invalidRequestContent(LambdaMessages.invalidClientContext) }
        return String(decoding: compact, as: UTF8.self)
    }

    private static func validateJSON(_ payload: Data) throws(LambdaError) {
        guard !payload.isEmpty else { return }
        do {
            _ = try JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed])
        } catch {
            let preview = String(decoding: payload.prefix(40), as: UTF8.self)
            throw .invalidRequestContent(LambdaMessages.invalidJSON("Unrecognized token '\(preview)': was expecting JSON"))
        }
    }

    private static func race<T: Sendable>(
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

    private func authorize(_ request: AWSRequest, action: String, resource: String) async throws(LambdaError) {
        try await authorizer.require(request.caller, action: action, resources: [resource], denied: LambdaError.accessDenied)
    }

    /// Finds a function by name, physical name, logical id, ARN or partial ARN, with an optional qualifier.
    private func locate(_ identifier: String, qualifier: String?) throws(LambdaError) -> (function: LambdaFunction, qualifier: String?) {
        guard let (function, embedded) = resolve(identifier) else {
            throw .resourceNotFound(arn: unqualifiedArn(for: identifier, qualifier: qualifier))
        }
        let effective = qualifier ?? embedded
        if let effective, effective != "$LATEST" {
            throw .resourceNotFound(arn: "\(function.arn):\(effective)")
        }
        return (function, effective)
    }

    private func resolve(_ identifier: String) -> (function: LambdaFunction, qualifier: String?)? {
        if let function = functions.first(where: { $0.matches(identifier) }) { return (function, nil) }
        // NAME:QUALIFIER, ARN:QUALIFIER, ACCOUNT:function:NAME:QUALIFIER
        guard let colon = identifier.lastIndex(of: ":") else { return nil }
        let base = String(identifier[..<colon])
        let qualifier = String(identifier[identifier.index(after: colon)...])
        guard let function = functions.first(where: { $0.matches(base) }) else { return nil }
        return (function, qualifier)
    }

    private func unqualifiedArn(for identifier: String, qualifier: String? = nil) -> String {
        let current = environment.current
        let name: String
        if identifier.hasPrefix("arn:"), let range = identifier.range(of: ":function:") {
            name = String(identifier[range.upperBound...])
        } else if let range = identifier.range(of: ":function:") {
            name = String(identifier[range.upperBound...])
        } else {
            name = identifier
        }
        let suffix = qualifier.map { ":\($0)" } ?? ""
        return "arn:aws:lambda:\(current.region):\(current.accountId):function:\(name)\(suffix)"
    }

    private func qualifiedArn(_ function: LambdaFunction, _ qualifier: String?) -> String {
        qualifier.map { "\(function.arn):\($0)" } ?? function.arn
    }

    private static func json(_ object: [String: Any], status: HTTPResponse.Status, requestId: String) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.amznRequestId] = requestId
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static func twoDecimals(_ value: Double) -> String {
        LambdaMessages.formatSeconds(value)
    }

    private static func hex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
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

/// The offline guard's port for each function, known once the listeners are bound in `run()`.
final class ProxyPorts: Sendable {
    private let state = Mutex<(ports: [String: Int], ready: Bool, waiters: [CheckedContinuation<Void, Never>])>(([:], false, []))

    func set(_ function: String, _ port: Int) { state.withLock { $0.ports[function] = port } }

    func port(_ function: String) -> Int? { state.withLock { $0.ports[function] } }

    func markReady() {
        let waiters = state.withLock { state in
            state.ready = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitUntilReady() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.ready { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
