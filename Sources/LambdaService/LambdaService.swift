import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import Logging
import NIOCore
import SigV4

/// AWS Lambda's API handler: runs the template's Python functions unmodified in real `python3.12 -m awslambdaric`
/// workers behind a Lambda Runtime API, and serves the Invoke, GetFunction, GetFunctionConfiguration,
/// GetFunctionConcurrency and ListFunctions operations (``LambdaOperation``).
///
/// The work is split by role: ``invoker`` invokes (for the API and, as the ``LambdaInvoking`` other services
/// use, in-process), one ``FunctionRuntime`` per function holds its environments, concurrency slot and cold starts,
/// and ``supervisor`` is the `Service` that owns every environment's task, the offline guard listeners, the
/// asynchronous-invocation retries and the idle reaper.
package struct LambdaService: AWSServiceHandler, LocalEndpointProviding {
    /// Routing facts.
    package var descriptor: ServiceDescriptor { ServiceDescriptors.lambda }

    /// The long-lived work (environments, offline guard, event retries, idle reaper): run it in the service group.
    package let supervisor: LambdaSupervisor
    /// Invokes functions.
    package let invoker: LambdaInvoker
    let catalog: FunctionCatalog
    /// The event source mappings (template and API), which ``eventSourceMappingPoller(source:)`` delivers.
    package let eventSourceMappings: EventSourceMappings
    let clock: VirtualClock
    /// Creates, replaces and removes functions at run time (the control plane's one path).
    let deployer: FunctionDeployer
    let settings: LambdaSettings
    let environment: LiveEnvironment
    private let authorizer: any RequestAuthorizing
    let logs: LogStore
    private let counters: Counters

    /// Creates the service.
    /// - Parameters:
    ///   - functions: The template's function specs.
    ///   - layers: The template's layer versions (what functions' `Layers` refer to).
    ///   - eventSourceMappings: The template's `AWS::Lambda::EventSourceMapping`s.
    ///   - permissions: The template's `AWS::Lambda::Permission`s (SAM's generated ones too): statements of the
    ///     functions' resource-based policies, as the stack's creation adds them.
    ///   - layerPermissions: The template's `AWS::Lambda::LayerVersionPermission`s: statements of the layer versions'
    ///     policies.
    ///   - versionsAndAliases: The template's `AWS::Lambda::Version`s and `AWS::Lambda::Alias`es (SAM
    ///     `AutoPublishAlias`'s too), in dependency order: versions of the functions as deployed, aliases naming them.
    ///   - settings: How functions run here.
    ///   - clock: The virtual clock.
    ///   - environment: Region, account and the edge URL.
    ///   - roleSessions: Issues execution-role credentials (the role-session path STS and Cognito use).
    ///   - authorizer: The authorization hook.
    ///   - logger: The logger.
    package init(
        functions: [LambdaFunctionSpec],
        layers: [LambdaLayerSpec] = [],
        eventSourceMappings: [EventSourceMappingSpec] = [],
        permissions: [StackResource] = [],
        layerPermissions: [StackResource] = [],
        versionsAndAliases: [StackResource] = [],
        settings: LambdaSettings,
        clock: VirtualClock,
        environment: LiveEnvironment,
        roleSessions: RoleSessions,
        authorizer: any RequestAuthorizing,
        logger: Logger
    ) {
        let current = environment.current
        let deployed = clock.now
        var layerPolicies: [String: [String]] = [:]
        for resource in layerPermissions {
            // Decoded and checked by `LambdaResourceProvider.validateSpecs` before services start.
            guard let statement = try? LambdaLayerVersionPermissionDeployer.templateStatement(resource) else { continue }
            layerPolicies[statement.layerVersionArn, default: []].append(statement.text)
        }
        let layerVersions = LayerVersions(
            template: layers,
            region: current.region,
            accountId: current.accountId,
            created: deployed,
            policies: layerPolicies
        )
        var served = functions.map { spec in
            var function = LambdaFunction(spec: spec, accountId: current.accountId, region: current.region, lastModified: deployed)
            function.layers = spec.layers.compactMap { layerVersions.content($0) }
            function.unresolvedLayers = spec.layers.filter { layerVersions.content($0) == nil }
            return function
        }
        // Statements naming a version or alias go to its own policy (below, once versions and aliases exist).
        var qualifiedStatements: [String: [String]] = [:]
        for resource in permissions {
            // Decoded and checked by `LambdaResourceProvider.validateSpecs` before services start.
            guard let statement = try? LambdaPermissionDeployer.templateStatement(resource, functions: served),
                let index = served.firstIndex(where: { $0.name == statement.function })
            else { continue }
            if let qualifier = statement.qualifier {
                qualifiedStatements["\(statement.function):\(qualifier)", default: []].append(statement.text)
            } else {
                served[index].policyStatements.append(statement.text)
            }
        }
        var settings = settings
        if settings.node == nil, served.contains(where: { LambdaRuntimeFamily(runtime: $0.spec.runtime).isNode }) {
            // Runs `node --version` once, at start, and only for templates with Node.js functions.
            settings.node = NodeInterpreter.locate(explicit: settings.nodePath, searchPath: ProcessInfo.processInfo.environment["PATH"])
        }
        let pythonRuntimes = served.compactMap(\.spec.runtime).filter { LambdaRuntimeFamily(runtime: $0) == .python }
        if settings.pythonRuntimes == nil, !pythonRuntimes.isEmpty {
            // Runs candidate interpreters once, at start, only for the versions the functions declare (all of them when
            // one is not a supported version: its closest newer may be any).
            let declared = pythonRuntimes.map { PythonVersion(runtime: $0) }
            let wanted = declared.contains(nil) ? nil : Set(declared.compactMap { $0 })
            settings.pythonRuntimes = settings.discoverPythonRuntimes(wanted: wanted)
        }
        var serviceLogger = logger
        serviceLogger[metadataKey: "service"] = "lambda"
        let logs = LogStore(logger: serviceLogger)
        let counters = Counters()
        let (work, workQueue) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
        let host = RuntimeHost(
            settings: settings,
            clock: clock,
            environment: environment,
            roleSessions: roleSessions,
            logger: serviceLogger,
            logs: logs,
            gate: ConcurrencyGate(accountLimit: settings.accountConcurrency),
            proxyPorts: ProxyPorts(),
            counters: counters,
            dependencyCache: DependencyCache(root: settings.dependencyCache ?? DependencyCache.defaultRoot, logger: serviceLogger),
            pythonProvisioner: PythonRuntimeProvisioner(
                root: settings.pythonRuntimeFolder ?? PythonRuntimeProvisioner.defaultRoot,
                logger: serviceLogger
            ),
            codeStore: CodeStore(
                root: CodeStore.defaultRoot,
                python: settings.python ?? settings.pythonRuntimes?.interpreters.values.map(\.path).sorted().first,
                logger: serviceLogger
            ),
            lateRuntimes: LateRuntimes(),
            work: workQueue
        )
        let catalog = FunctionCatalog(functions: served.map { ($0, FunctionRuntime(function: $0, host: host)) }, environment: environment)
        for resource in versionsAndAliases {
            // Decoded and checked by `LambdaResourceProvider.validateSpecs` before services start.
            guard let spec = try? LambdaVersionSpec(resource), let function = served.first(where: { $0.name == spec.functionName }) else {
                continue
            }
            if resource.type == LambdaResourceProvider.versionType {
                var version = function
                version.version = spec.qualifier
                version.revision = RequestID.uuid()
                version.policyStatements = []
                if let description = spec.description { version.spec.description = description }
                catalog.addVersion(version, runtime: FunctionRuntime(function: version, host: host))
            } else {
                catalog.setAlias(
                    function.name,
                    FunctionAlias(
                        name: spec.qualifier,
                        functionVersion: spec.functionVersion,
                        description: spec.description ?? "",
                        additionalVersionWeights: spec.weights,
                        revisionId: RequestID.uuid()
                    )
                )
            }
            if let statements = qualifiedStatements["\(function.name):\(spec.qualifier)"] {
                _ = catalog.setQualifiedPolicy(function.name, qualifier: spec.qualifier, statements: statements)
            }
        }
        let eventQueues = EventQueues(capacity: settings.eventQueueSize)
        let supervisor = LambdaSupervisor(catalog: catalog, host: host, eventQueues: eventQueues, work: work)
        self.catalog = catalog
        self.deployer = FunctionDeployer(
            catalog: catalog,
            host: host,
            supervisor: supervisor,
            layers: layerVersions,
            templateFunctions: served
        )
        self.invoker = LambdaInvoker(
            catalog: catalog,
            eventQueues: eventQueues,
            supervisor: supervisor,
            logger: serviceLogger
        )
        self.supervisor = supervisor
        self.clock = clock
        self.eventSourceMappings = EventSourceMappings(Self.mappings(eventSourceMappings, catalog: catalog, now: deployed))
        self.settings = settings
        self.environment = environment
        self.authorizer = authorizer
        self.logs = logs
        self.counters = counters
    }

    // MARK: Health and local endpoints

    /// `running` with the function count, environments and invocations so far.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        var environments = 0
        for runtime in catalog.allRuntimes { environments += await runtime.count }
        let counts = counters.state.withLock { $0 }
        return ServiceHealth(
            state: "running",
            resources: ["functions": catalog.functions.count],
            details: [
                "environments": environments, "invocations": counts.invocations, "coldStarts": counts.coldStarts,
                "runtimeAvailable": settings.python == nil && (settings.pythonRuntimes?.interpreters.isEmpty ?? true) ? 0 : 1,
                "nodeAvailable": settings.node == nil ? 0 : 1,
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
        if request.method == .get, path.hasPrefix(Self.layerContentPrefix) {
            return layerContentResponse(String(path.dropFirst(Self.layerContentPrefix.count)))
        }
        let codePrefix = "/_local/lambda-code/"
        if request.method == .get, path.hasPrefix(codePrefix) {
            let name = URLComponentsDecoding.decode(String(path.dropFirst(codePrefix.count)))
            return packageResponse(name)
                ?? ErrorRenderer.response(
                    for: LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: name)),
                    protocol: .restJson1,
                    requestId: RequestID.uuid()
                )
        }
        let prefix = "/_local/logs/"
        guard request.method == .get, path.hasPrefix(prefix) else { return nil }
        let identifier = URLComponentsDecoding.decode(String(path.dropFirst(prefix.count)))
        guard let function = catalog.resolve(identifier)?.function else {
            return ErrorRenderer.response(
                for: LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: identifier)),
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

    /// Names the request's ``LambdaOperation`` once, for the gateway to log and for ``handle(_:)`` to run.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a path Lambda does not serve.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        LambdaOperation.resolve(method: request.method, path: request.rawPath)
    }

    /// Serves the Lambda REST API: names the ``LambdaOperation``, locates its function, authorizes the operation's
    /// IAM action on its resource, and runs it.
    /// - Parameter request: The request.
    /// - Returns: The response.
    /// - Throws: ``LambdaError`` or the gateway's unknown-operation error.
    package func handle(_ request: AWSRequest) async throws -> Response {
        guard let operation = request.serviceOperation as? LambdaOperation else {
            throw GatewayError.unknownOperation(nil, protocol: .restJson1)
        }
        if let response = try await eventSourceMappingOperation(request, operation) { return response }
        if let response = try await layerOperation(request, operation) { return response }
        switch operation {
        case .createFunction: return try await createFunction(request)
        case .getAccountSettings: return try await getAccountSettings(request)
        default: break
        }
        var located: FunctionCatalog.Located?
        if let identifier = operation.functionIdentifier {
            located = try catalog.locate(identifier, qualifier: operation.readsQualifier ? request.query("Qualifier") : nil)
        }
        let resource = operation.resource(functionArn: located?.function.arn ?? "*", qualifier: located?.qualifier)
        try await authorize(request, action: operation.iamAction, resource: resource)
        switch (operation, located?.function) {
        case (.listFunctions, _): return try listFunctions(request)
        case (.invoke, let function?): return try await invokeOperation(request, function: function)
        case (.getFunction, let function?): return getFunction(request, function: function)
        case (.getFunctionConfiguration, let function?): return Self.json(function.configuration(), status: .ok, requestId: request.requestId)
        case (.getFunctionConcurrency, let function?): return getFunctionConcurrency(request, function: function)
        case (_, let function?):
            if let response = try await controlPlane(request, operation, function: function, qualifier: located?.qualifier) { return response }
            throw GatewayError.unknownOperation(nil, protocol: .restJson1)
        default: throw GatewayError.unknownOperation(nil, protocol: .restJson1)
        }
    }

    /// [Invoke](https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
    private func invokeOperation(_ request: AWSRequest, function: LambdaFunction) async throws -> Response {
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
        let result = try await invoker.invoke(
            function,
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
    private func getFunction(_ request: AWSRequest, function: LambdaFunction) -> Response {
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

    /// [GetFunctionConcurrency](https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConcurrency.html).
    private func getFunctionConcurrency(_ request: AWSRequest, function: LambdaFunction) -> Response {
        var object: [String: Any] = [:]
        if let reserved = function.spec.reservedConcurrency { object["ReservedConcurrentExecutions"] = reserved }
        return Self.json(object, status: .ok, requestId: request.requestId)
    }

    /// [ListFunctions](https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html), with `Marker`/`MaxItems`.
    private func listFunctions(_ request: AWSRequest) throws(LambdaError) -> Response {
        let sorted = catalog.functions.sorted { $0.name < $1.name }
        var maxItems = 50
        if let text = request.query("MaxItems") {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw .invalidParameterValue(
                    "1 validation error detected: Value '\(text)' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
                )
            }
            maxItems = min(value, 50)
        }
        var start = 0
        if let marker = request.query("Marker"), !marker.isEmpty {
            guard let index = sorted.firstIndex(where: { $0.name == marker }) else {
                throw .invalidParameterValue("Invalid marker: \(marker)")
            }
            start = index
        }
        let page = Array(sorted[start..<min(sorted.count, start + maxItems)])
        var object: [String: Any] = ["Functions": page.map { $0.configuration() }]
        if start + maxItems < sorted.count { object["NextMarker"] = sorted[start + maxItems].name }
        return Self.json(object, status: .ok, requestId: request.requestId)
    }

    // MARK: Helpers

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

    func authorize(_ request: AWSRequest, action: String, resource: String) async throws(LambdaError) {
        try await authorizer.require(request.caller, action: action, resources: [resource], denied: LambdaError.accessDenied)
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status, requestId: String) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.amznRequestId] = requestId
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
