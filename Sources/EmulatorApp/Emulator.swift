import APIGatewayHTTP
import APIGatewayWebSocket
import AWSGateway
import CloudFormation
import CloudFormationService
import CognitoUserPoolsService
import EmulatorCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import IAM
import IAMService
import Logging
import NIOCore
import ServiceLifecycle
import SigV4
import Storage
import Synchronization
import UnixSignals

/// The composition root: builds every service from the options and the resolved template, and runs them
/// in one `ServiceGroup` behind one HTTP port.
///
/// Tests start the same graph in-process through ``run(logger:onReady:)`` and stop it with graceful shutdown.
package struct Emulator: Sendable {
    /// The options the emulator was started with.
    package let options: EmulatorOptions
    /// The loaded, resolved template.
    package let plan: StackPlan
    /// The one clock of the process.
    package let clock: VirtualClock
    /// Known key pairs and issued temporary credentials.
    package let credentials: CredentialStore
    /// The one random source, seeded by `--seed`.
    package let random: EmulatorRandom
    /// Injected faults (`/_local/faults`), checked by the front door and the Lambda invoke path.
    package let faults: FaultRegistry
    /// When the process started, for the start-to-ready figure.
    private let startedAt: ContinuousClock.Instant

    /// Creates the emulator.
    /// - Parameters:
    ///   - options: The start options.
    ///   - plan: The resolved template.
    ///   - clock: The virtual clock (tests may pass their own).
    ///   - random: The random source (default: seeded by `options.seed`).
    ///   - startedAt: When the process started.
    /// - Throws: When the credentials file cannot be read.
    package init(
        options: EmulatorOptions,
        plan: StackPlan,
        clock: VirtualClock = VirtualClock(),
        random: EmulatorRandom? = nil,
        startedAt: ContinuousClock.Instant = .now
    ) throws {
        let random = random ?? EmulatorRandom(seed: options.seed)
        var options = options
        // The realism profile's duplicate and drop picks come from the one random source, so `--seed` repeats them.
        options.realismRandom = random.stream("realism")
        self.options = options
        self.plan = plan
        self.clock = clock
        self.random = random
        self.faults = FaultRegistry(clock: clock, random: random)
        self.startedAt = startedAt
        let store = CredentialStore()
        store.addLongTerm(accessKeyId: EmulatorOptions.testAccessKeyId, secretAccessKey: EmulatorOptions.testSecretAccessKey)
        if let path = options.credentialsFile {
            try store.loadCredentialsFile(atPath: path)
        }
        self.credentials = store
    }

    /// Runs until graceful shutdown (SIGTERM/SIGINT, or the returned group's trigger in tests).
    /// - Parameters:
    ///   - logger: The base logger.
    ///   - onReady: Called once the port is bound, with the startup summary.
    /// - Throws: When the server cannot bind or a service fails.
    package func run(
        logger: Logger,
        onReady: @escaping @Sendable (RunningEmulator) async -> Void
    ) async throws {
        let group = try makeServiceGroup(logger: logger, onReady: onReady)
        try await group.run()
    }

    /// Builds the service group without running it.
    /// - Parameters:
    ///   - logger: The base logger.
    ///   - signals: Signals that start a graceful shutdown.
    ///   - onReady: Called once the port is bound.
    /// - Returns: The group to run.
    /// - Throws: ``DataFolderLockError`` when another process uses the data folder; when it cannot be created.
    package func makeServiceGroup(
        logger: Logger,
        signals: [UnixSignal] = [.sigterm, .sigint],
        onReady: @escaping @Sendable (RunningEmulator) async -> Void
    ) throws -> ServiceGroup {
        let dataLocation = options.dataLocation
        // Taken before any service opens a file in the folder: a second emulator on it stops here.
        var folderLock: DataFolderLock?
        if case .directory(let folder, _) = dataLocation { folderLock = try DataFolderLock(folder: folder) }
        let environment = LiveEnvironment(
            EmulatorEnvironment(
                region: options.region,
                accountId: options.accountId,
                stackName: plan.stack.name,
                host: options.host,
                port: options.port
            )
        )
        let catalog = try RoleCatalog(stack: plan.stack)
        for warning in catalog.warnings { logger.warning("IAM: \(warning)") }
        if case .directory = dataLocation {
            // Issued credentials survive a restart until they expire, as on AWS (nothing is written with --ephemeral).
            var credentialLogger = logger
            credentialLogger[metadataKey: "component"] = "credentials"
            let errorLogger = credentialLogger
            let database = try IssuedCredentialDatabase(location: dataLocation) { message in errorLogger.error("\(message)") }
            credentials.attach(database, issuerKey: try database.issuerKey(), restoring: try database.restore(now: clock.now), now: clock.now)
        }
        // The live IAM directory: the data folder's roles, users, policies and keys, with the template's roles over them.
        let directory = try IAMService.openDirectory(location: dataLocation, stack: plan.stack, credentials: credentials, now: clock.now)
        let roleSessions = RoleSessions(store: credentials, directory: directory, clock: clock, accountId: options.accountId)
        var iamLogger = logger
        iamLogger[metadataKey: "component"] = "iam"
        let policyAuthorizer = PolicyAuthorizer(mode: options.iamMode, sessions: roleSessions, logger: iamLogger)
        let context = ServiceContext(
            stack: plan.stack,
            plan: plan,
            clock: clock,
            environment: environment,
            dataLocation: dataLocation,
            credentials: credentials,
            authorizer: policyAuthorizer,
            roleSessions: roleSessions,
            webIdentityTokens: WebIdentityTokens(),
            logger: logger,
            creationTime: clock.now,
            options: options,
            random: self.random,
            faults: self.faults
        )
        let registry = try ServiceRegistry(context: context)
        let services = registry.handlers
        let resettables = registry.resettables
        let authenticator = Authenticator(
            store: credentials,
            clock: clock,
            strictCredentials: options.strictCredentials,
            accountId: options.accountId
        )
        let clock = self.clock
        let credentials = self.credentials
        let adminToken = options.adminToken
        // Closed until the start-up stack's reconciliation (when an earlier run left resources the template no longer
        // declares) has deleted them, so the first request already sees the template's resources only.
        let reconcilesStartup = registry.stacks.reconcilesAtStart
        let gate = RequestGate(closed: reconcilesStartup)
        let snapshots = try SnapshotCatalog(
            services: registry.snapshottables,
            location: dataLocation,
            clock: clock,
            gate: gate,
            logger: logger
        )
        let faults = self.faults
        let profile = options.profile
        let gateway = Gateway(
            services: services,
            authenticator: authenticator,
            environment: environment.current,
            logger: logger,
            faults: faults,
            localHandler: { request, path, body in
                let admin = LocalAdmin(
                    clock: clock,
                    environment: environment.current,
                    credentials: credentials,
                    adminToken: adminToken,
                    decisions: policyAuthorizer.decisions,
                    services: { services },
                    resettables: resettables,
                    snapshots: snapshots,
                    faults: faults
                )
                return await admin.handle(request, path: path, body: body)
            }
        )
        let startedAt = self.startedAt
        let webSocket = registry.webSocket
        // The management API over TLS (`https://{domainName}/{stage}` in handlers), with a certificate from a
        // certificate authority generated at start; its PEM is the `AWS_CA_BUNDLE` clients and workers trust.
        let tlsFolder = try dataLocation.blobDirectory(named: "tls")
        let authority = try LocalCertificateAuthority(folder: tlsFolder)
        // The folder is 0700 already; its files (the CA's private key among them) are made 0600 as well.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tlsFolder.path)) ?? [] {
            try DataLocation.makePrivateFile(tlsFolder.appendingPathComponent(name).path)
        }
        environment.setTLS(port: 0, caBundlePath: authority.caBundlePath)
        let limits = options.framingLimits
        let http1 = options.http1Configuration
        let tlsConfiguration = try authority.tlsConfiguration()
        let tlsLimiter = ConnectionLimiter(maxConnections: options.maxConnections)
        let tlsApp = Application(
            responder: GatedResponder(inner: gateway, gate: gate),
            server: HTTPServerBuilder { responder in
                GuardedChannel(
                    try TLSChannel(HTTP1Channel(responder: responder, configuration: http1), tlsConfiguration: tlsConfiguration),
                    limits: limits,
                    limiter: tlsLimiter
                )
            },
            configuration: .init(address: .hostname(options.host, port: options.tlsPort), serverName: "synapscribe-local"),
            onServerRunning: { channel in
                environment.setTLS(port: channel.localAddress?.port ?? options.tlsPort, caBundlePath: authority.caBundlePath)
            },
            logger: logger
        )
        let edgeLimiter = ConnectionLimiter(maxConnections: options.maxConnections)
        let app = Application(
            responder: GatedResponder(
                inner: EdgeResponder(gateway: gateway, webSocket: webSocket, executeApi: registry.executeApi, userPools: registry.userPools),
                gate: gate
            ),
            server: HTTPServerBuilder { responder in
                GuardedChannel(
                    HTTP1WebSocketUpgradeChannel(
                        responder: responder,
                        configuration: .init(http1: http1, ws: .init(maxFrameSize: WebSocketLimits.maxFrameBytes))
                    ) { head, channel, logger in
                        guard head.path?.hasPrefix(WebSocketAPIService.pathPrefix) == true else { return .dontUpgrade }
                        return try await webSocket.shouldUpgrade(head, channel: channel, logger: logger)
                    },
                    limits: limits,
                    limiter: edgeLimiter,
                    sendsFiles: true
                )
            },
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "synapscribe-local"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? environment.current.port
                environment.setPort(port)
                let elapsed = ContinuousClock.now - startedAt
                let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                // Hummingbird accepts connections only once this callback returns, so the summary (which waits for
                // the TLS port and prints) runs beside the accept loop instead of before it. An unstructured task
                // bridges the callback: it ends on its own within the TLS wait's bound.
                Task {
                    // The summary prints the TLS endpoint: wait (briefly) until that server has bound its port too.
                    for _ in 0..<500 where environment.current.tlsPort == 0 {
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                    var summary = StartupSummary(
                        stack: plan.stack,
                        urls: LocalURLs(host: options.host, port: port, region: options.region, executeApiIds: plan.stack.executeApiIds),
                        readyMilliseconds: milliseconds
                    )
                    summary.setTLS(endpoint: environment.current, caBundlePath: authority.caBundlePath)
                    summary.adminToken = adminToken
                    summary.profile = profile
                    summary.withoutTemplate = plan.withoutTemplate
                    await onReady(RunningEmulator(port: port, summary: summary))
                }
            },
            logger: logger
        )
        // Background services first (they start before the server and stop after it), the HTTP server last.
        // Purges issued temporary credentials once the virtual clock passes their expiry, from memory and the data
        // folder, so the store cannot grow without bound; a request still carrying a purged token is answered
        // `ExpiredToken` (its issuer tag is recognised). `POST /_local/clock` also purges before and after a move.
        let sweeper = ClockSweeper(name: "issued-credentials", clock: clock, interval: .seconds(30)) { now in
            credentials.purgeExpired(now: now)
        }
        // Named by type: the default name is "\(service)", a reflection walk over each whole service (and the
        // application's router) that cost about a tenth of the start-up time. `_typeName` reads the name from the
        // type's metadata; `String(describing:)` of a metatype first looks for printing conformances (a scan of
        // every conformance record in the process, ~1 % of start-up).
        func member(_ service: any Service) -> ServiceGroupConfiguration.ServiceConfiguration {
            .init(service: service, serviceName: _typeName(type(of: service), qualified: false))
        }
        var members = (registry.backgroundServices + [sweeper]).map(member)
        if reconcilesStartup { members.append(member(StartupStackReconciler(engine: registry.stacks, gate: gate, logger: logger))) }
        if options.watch, !plan.withoutTemplate {
            // `start --watch`: template and code edits applied to the running stack, one printed line per change.
            let watcher = TemplateWatcher(options: options, engine: registry.stacks, deployers: registry.deployers) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            members.append(member(watcher))
        }
        if let folderLock { members.insert(member(DataFolderLockService(lock: folderLock)), at: 0) }
        return ServiceGroup(
            configuration: .init(
                services: members + [member(tlsApp), member(app)],
                gracefulShutdownSignals: signals,
                logger: logger
            )
        )
    }
}

/// The edge port's responder: requests to REST and HTTP APIs (by path or `{apiId}.execute-api.localhost` host) go to
/// their service, plain HTTP requests to WebSocket URLs get API Gateway's answer (403 `Forbidden` for an API id that
/// is not served), a user pool's
/// `/{poolId}/.well-known/jwks.json` and `openid-configuration` are answered by Cognito, everything else goes to the
/// gateway.
struct EdgeResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let gateway: Gateway
    let webSocket: WebSocketAPIService
    let executeApi: APIGatewayHTTPService
    let userPools: CognitoUserPoolsService

    func respond(to request: Request, context: Context) async throws -> Response {
        if let target = executeApi.target(of: request.head) {
            return await executeApi.respond(to: request, target: target)
        }
        if request.uri.path.hasPrefix(WebSocketAPIService.pathPrefix) {
            return webSocket.serves(rawPath: request.uri.path) ? webSocket.plainRequestResponse() : executeApi.unknownApiResponse()
        }
        if let wellKnown = await userPools.wellKnownResponse(request.head) { return wellKnown }
        return try await gateway.respond(to: request, context: context)
    }
}

/// Facts about a running emulator, handed to the `onReady` callback.
package struct RunningEmulator: Sendable {
    /// The bound port.
    package var port: Int
    /// What runs where.
    package var summary: StartupSummary
}

extension EmulatorOptions {
    /// The front door's framing and idle limits (``HTTPFramingGuard``) for the edge and TLS ports.
    package var framingLimits: FramingLimits {
        // Clamped before the conversion: a Double out of Int64's range would trap.
        let seconds = idleTimeoutSeconds.isFinite ? min(max(idleTimeoutSeconds, 0.001), 86_400) : 60
        return FramingLimits(idleTimeout: .milliseconds(Int64((seconds * 1000).rounded())))
    }

    /// HTTP/1 settings for the edge and TLS ports: `Expect: 100-continue` answered at once, and the decoder
    /// bounded (one field at most S3's 8 KB header section; request line plus fields at most twice that, so a long
    /// presigned URL still fits). The guard answers anything bigger with `RequestHeaderSectionTooLarge`; the idle
    /// timeout is the guard's too, so Hummingbird's own stays off.
    package var http1Configuration: HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            additionalChannelHandlers: [ContinueHandler()],
            idleTimeout: nil,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: FramingLimits.s3HeaderSectionBytes,
                maxHeaderListSize: 2 * FramingLimits.s3HeaderSectionBytes,
                maxHeaderFieldCount: 500
            )
        )
    }
}
