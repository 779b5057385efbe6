import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Synchronization

/// API Gateway WebSocket APIs: the data plane (upgrades at `/_aws/execute-api/{apiId}/{stage}` on the edge
/// port, routes, Lambda proxy integrations, limits) and the `@connections` management API.
///
/// Routes run their `AWS_PROXY` integrations through ``LambdaInvoking``; the service never imports the Lambda
/// service. See ``ManagementAPI`` for `POST`/`GET`/`DELETE /{stage}/@connections/{connectionId}`.
package struct WebSocketAPIService: AWSServiceHandler {
    /// The management API's routing facts (REST-JSON, signing name `execute-api`).
    package let descriptor = ServiceDescriptors.apiGatewayManagement
    /// The path prefix WebSocket clients connect to.
    package static let pathPrefix = "/_aws/execute-api/"

    let apis: WebSocketApiTable
    let registry: ConnectionRegistry
    let lambda: any LambdaInvoking
    let clock: VirtualClock
    let environment: LiveEnvironment
    let authorizer: any RequestAuthorizing
    let logger: Logger
    /// Calls DynamoDB, S3... for `AWS` integrations.
    let services: any AWSServiceInvoking

    /// Creates the service.
    /// - Parameters:
    ///   - apis: The template's WebSocket APIs.
    ///   - lambda: Invokes integrations and authorizers.
    ///   - clock: The virtual clock.
    ///   - environment: Region, account, host and ports.
    ///   - authorizer: The IAM hook (`execute-api:ManageConnections`).
    ///   - logger: The base logger.
    ///   - services: Calls the emulated services for `AWS` integrations.
    package init(
        apis: [WebSocketApiSpec],
        lambda: any LambdaInvoking,
        clock: VirtualClock,
        environment: LiveEnvironment,
        authorizer: any RequestAuthorizing,
        logger: Logger,
        services: any AWSServiceInvoking = UnavailableServiceInvoker()
    ) {
        self.services = services
        self.apis = WebSocketApiTable(apis)
        self.registry = ConnectionRegistry()
        self.lambda = lambda
        self.clock = clock
        self.environment = environment
        self.authorizer = authorizer
        var logger = logger
        logger[metadataKey: "service"] = "apigateway"
        self.logger = logger
        for warning in apis.flatMap(\.integrationWarnings) { logger.warning("Integration: \(warning)") }
    }

    /// Names the `@connections` operation from the method.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a method the management API does not take.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        ConnectionOperation(method: request.method)
    }

    /// Serves the management API.
    /// - Parameter request: The routed, authenticated request.
    /// - Returns: The response.
    /// - Throws: ``WebSocketError``.
    package func handle(_ request: AWSRequest) async throws -> Response {
        try await ManagementAPI(service: self).handle(request)
    }

    /// `running`, with the number of APIs and live connections, and the upgrades whose `$connect` still runs.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        ServiceHealth(
            state: "running",
            resources: ["apis": apis.count, "connections": await registry.liveCount],
            details: ["connecting": await registry.pendingCount]
        )
    }

    /// The `domainName` events carry: the host and port of the local TLS endpoint (the edge port when TLS is off).
    var domainName: String {
        let current = environment.current
        return "\(current.hostForURL):\(current.tlsPort == 0 ? current.port : current.tlsPort)"
    }

    // MARK: Upgrade

    /// Decides a WebSocket upgrade on the edge port: runs the REQUEST authorizer and the `$connect` integration
    /// before accepting, and refuses with AWS's HTTP status otherwise.
    /// - Parameters:
    ///   - head: The upgrade request.
    ///   - channel: The connection's channel (for the client address and refusals).
    ///   - logger: The request logger.
    /// - Returns: The upgrade decision.
    /// - Throws: ``ChannelError/inputClosed`` after writing a refusal and closing the channel (Hummingbird
    ///   treats that error as a quietly ended connection; `.dontUpgrade` would make it answer a second time).
    package func shouldUpgrade(
        _ head: HTTPRequest,
        channel: any Channel,
        logger: Logger
    ) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let target = head.path ?? "/"
        let (rawPath, rawQuery) = Gateway.split(target)
        guard let resolved = resolve(rawPath: rawPath) else {
            try await refuse(channel: channel, status: 403, message: WebSocketMessages.forbidden)
        }
        let (api, stage) = resolved
        var headers: [(name: String, value: String)] = []
        if let authority = head.authority { headers.append(("Host", authority)) }
        headers += head.headerFields.map { (name: $0.name.rawName, value: $0.value) }
        let sourceIp = channel.remoteAddress?.ipAddress ?? "127.0.0.1"
        headers.append(("X-Forwarded-For", sourceIp))
        headers.append(("X-Forwarded-Port", String(environment.current.port)))
        headers.append(("X-Forwarded-Proto", "http"))
        let handshake = HandshakeRequest(headers: headers, query: URLComponentsDecoding.queryItems(rawQuery))
        var facts = ConnectionFacts(
            connectionId: WebSocketIdentifiers.connectionId(),
            apiId: api.apiId,
            stage: stage,
            domainName: domainName,
            connectedAt: clock.now,
            sourceIp: sourceIp,
            userAgent: handshake.header("User-Agent")
        )
        var connectionLogger = logger
        connectionLogger[metadataKey: "connection-id"] = .string(facts.connectionId)
        await registry.reserve(facts)
        // A client that leaves while the authorizer or $connect runs never had a connection (the upgrade was still
        // pending, as on AWS): its reservation is released and it gets no $disconnect.
        let clientGone = await ClientDeparture.watch(channel)

        let connectRoute = api.routes.first { $0.routeKey == "$connect" }
        if let connectRoute, connectRoute.authorizationType == "CUSTOM",
            let authorizerId = connectRoute.authorizerId,
            let spec = api.authorizers.first(where: { $0.authorizerId == authorizerId })
        {
            switch await runAuthorizer(spec, facts: facts, handshake: handshake, logger: connectionLogger) {
            case .allowed(let context):
                facts.authorizer = context
                await registry.reserve(facts)
            case .refused(let status, let message):
                _ = await registry.take(facts.connectionId)
                try await refuse(channel: channel, status: status, message: message)
            }
        }
        if let connectRoute, let integration = integration(for: connectRoute, in: api) {
            let event = WebSocketEvents.connect(facts: facts, handshake: handshake, now: clock.now, requestId: WebSocketIdentifiers.requestId())
            let outcome = await invoke(integration, event: event, api: api, logger: connectionLogger)
            let status: Int? =
                switch outcome {
                case .response(let status, _): (200..<300).contains(status) ? nil : status
                case .failed: 502
                case .timedOut: 504
                }
            if let status {
                _ = await registry.take(facts.connectionId)
                connectionLogger.info("$connect refused", metadata: ["status": .stringConvertible(status)])
                try await refuse(channel: channel, status: status, message: nil)
            }
        }
        if clientGone.isGone {
            _ = await registry.take(facts.connectionId)
            connectionLogger.info("client left during $connect: no connection")
            throw ChannelError.inputClosed
        }
        let connectionFacts = facts
        let upgradedLogger = connectionLogger
        return .upgrade([:]) { inbound, outbound, _ in
            await self.run(connectionFacts, api: api, channel: channel, inbound: inbound, outbound: outbound, logger: upgradedLogger)
        }
    }

    /// Answers a plain HTTP request to a WebSocket URL (no upgrade headers) as AWS does.
    /// - Returns: The response.
    package func plainRequestResponse() -> Response {
        Self.jsonResponse(status: 426, object: ["message": "Upgrade Required"])
    }

    /// Whether a path names a served WebSocket API's stage (`/_aws/execute-api/{apiId}[/{stage}]`).
    /// - Parameter rawPath: The request path.
    /// - Returns: True when it does.
    package func serves(rawPath: String) -> Bool { resolve(rawPath: rawPath) != nil }

    private func resolve(rawPath: String) -> (WebSocketApiSpec, String)? {
        guard rawPath.hasPrefix(Self.pathPrefix) else { return nil }
        let parts = rawPath.dropFirst(Self.pathPrefix.count).split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 1 || parts.count == 2, let api = apis[String(parts[0])] else { return nil }
        let stageName = parts.count == 2 ? URLComponentsDecoding.decode(String(parts[1])) : (api.stages.first?.name ?? "")
        guard api.stages.contains(where: { $0.name == stageName }) else { return nil }
        return (api, stageName)
    }

    /// Writes an HTTP error response straight onto the not-yet-upgraded channel and ends the upgrade.
    ///
    /// Hummingbird answers a refused upgrade with a bare 400, while AWS answers with the status of the failed
    /// step (the integration's `statusCode`, 401/403 from the authorizer, 502 for a failing integration).
    private func refuse(channel: any Channel, status: Int, message: String?) async throws -> Never {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "x-amzn-RequestId", value: RequestID.uuid())
        let body: [UInt8] = message.map { Array(WebSocketEvents.json(["message": $0])) } ?? []
        headers.add(name: "Content-Length", value: String(body.count))
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if !body.isEmpty { channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
        // The channel is left open: closing it (fully or its output) here makes the pending upgrade fail with
        // errors Hummingbird logs loudly or traps on. Hummingbird then writes its own bare 400 for the failed
        // upgrade after ours and closes; clients read ours (`Connection: close`, `Content-Length`) and stop.
        throw ChannelError.inputClosed
    }

    // MARK: Connection lifetime

    private func run(
        _ facts: ConnectionFacts,
        api: WebSocketApiSpec,
        channel: any Channel,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        logger: Logger
    ) async {
        let id = facts.connectionId
        let observation = CloseObservation()
        await CloseFrameObserver.install(on: channel, observation: observation)
        guard await registry.activate(id, writer: outbound, now: clock.now) else {
            try? await outbound.close(.normalClosure, reason: nil)
            return
        }
        logger.debug("WebSocket connected")
        let selector = RouteSelectionExpression(api.routeSelectionExpression)
        await withDiscardingTaskGroup { group in
            var iterator = inbound.makeAsyncIterator()
            var opcode: WebSocketDataFrame.Opcode = .text
            var message = ByteBuffer()
            var oversized = false
            do {
                while let frame = try await iterator.next() {
                    if frame.opcode != .continuation {
                        opcode = frame.opcode
                        message.clear()
                    }
                    var data = frame.data
                    message.writeBuffer(&data)
                    if message.readableBytes > WebSocketLimits.maxMessageBytes {
                        oversized = true
                        break
                    }
                    guard frame.fin else { continue }
                    let complete = message
                    let isText = opcode == .text
                    await registry.touch(id, now: clock.now)
                    group.addTask {
                        await self.dispatch(complete, isText: isText, facts: facts, api: api, selector: selector, outbound: outbound, logger: logger)
                    }
                }
            } catch {
                logger.debug("WebSocket read ended", metadata: ["error": .string(String(describing: error))])
            }
            if oversized {
                await close(id, code: 1009, reason: WebSocketMessages.messageTooBig, clientReason: WebSocketMessages.messageTooBig)
            } else if let entry = await registry.take(id) {
                let (code, reason) = observation.value ?? (1006, WebSocketMessages.abnormalClosure)
                await sendDisconnect(entry.facts, api: api, code: code, reason: reason, logger: logger)
            }
        }
    }

    /// Closes a connection from the server side (DeleteConnection, idle timeout, maximum duration, oversized
    /// message) and sends `$disconnect`, unless someone else already did.
    /// - Parameters:
    ///   - id: The connection id.
    ///   - code: The close code sent to the client and reported in `disconnectStatusCode`.
    ///   - reason: The `disconnectReason`.
    ///   - clientReason: The reason in the close frame.
    /// - Returns: Whether this call closed it.
    @discardableResult
    package func close(_ id: String, code: Int, reason: String, clientReason: String?) async -> Bool {
        guard let entry = await registry.take(id) else { return false }
        if let writer = entry.writer {
            try? await writer.close(WebSocketErrorCode(codeNumber: code), reason: clientReason)
        }
        if entry.isLive, let api = apis[entry.facts.apiId] {
            var connectionLogger = logger
            connectionLogger[metadataKey: "connection-id"] = .string(id)
            await sendDisconnect(entry.facts, api: api, code: code, reason: reason, logger: connectionLogger)
        }
        return true
    }

    /// Closes every connection past the idle timeout or the maximum duration.
    /// - Returns: How many were closed.
    @discardableResult
    package func sweep() async -> Int {
        let now = clock.now
        let expired = await registry.expired(
            now: now,
            idleTimeout: WebSocketLimits.idleTimeout,
            maximumDuration: WebSocketLimits.maximumDuration
        )
        var closed = 0
        for id in expired where await close(id, code: 1001, reason: WebSocketMessages.goingAway, clientReason: WebSocketMessages.goingAway) {
            closed += 1
        }
        return closed
    }

    /// Closes every connection (graceful shutdown), each with its `$disconnect`.
    package func closeAll() async {
        for id in await registry.ids {
            await close(id, code: 1001, reason: WebSocketMessages.serverShutdown, clientReason: WebSocketMessages.goingAway)
        }
    }

    private func sendDisconnect(_ facts: ConnectionFacts, api: WebSocketApiSpec, code: Int, reason: String, logger: Logger) async {
        logger.debug("WebSocket disconnected", metadata: ["code": .stringConvertible(code)])
        guard let route = api.routes.first(where: { $0.routeKey == "$disconnect" }), let integration = integration(for: route, in: api)
        else { return }
        let event = WebSocketEvents.disconnect(
            facts: facts,
            statusCode: code,
            reason: reason,
            now: clock.now,
            requestId: WebSocketIdentifiers.requestId()
        )
        _ = await invoke(integration, event: event, api: api, logger: logger)
    }

    // MARK: Messages

    private func dispatch(
        _ message: ByteBuffer,
        isText: Bool,
        facts: ConnectionFacts,
        api: WebSocketApiSpec,
        selector: RouteSelectionExpression,
        outbound: WebSocketOutboundWriter,
        logger: Logger
    ) async {
        let text = isText ? String(buffer: message) : nil
        let requestId = WebSocketIdentifiers.requestId()
        let selected = text.flatMap { selector.evaluate($0) }
        let route =
            selected.flatMap { key in api.routes.first { $0.routeKey == key && !key.hasPrefix("$") } }
            ?? api.routes.first { $0.routeKey == "$default" }
        guard let route else {
            await sendErrorFrame(WebSocketMessages.forbidden, connectionId: facts.connectionId, requestId: requestId, outbound: outbound)
            return
        }
        guard let integration = integration(for: route, in: api) else { return }
        let body = text ?? Data(message.readableBytesView).base64EncodedString()
        let event = WebSocketEvents.message(
            facts: facts,
            routeKey: route.routeKey,
            body: body,
            isBase64Encoded: !isText,
            now: clock.now,
            requestId: requestId,
            messageId: WebSocketIdentifiers.requestId()
        )
        switch await invoke(integration, event: event, api: api, logger: logger) {
        case .response(_, let responseBody):
            let twoWay = api.routeResponses.contains { $0.routeId == route.routeId }
            if twoWay, let responseBody {
                await registry.touch(facts.connectionId, now: clock.now)
                try? await outbound.writeTextMessage(responseBody)
            }
        case .failed:
            await sendErrorFrame(WebSocketMessages.internalServerError, connectionId: facts.connectionId, requestId: requestId, outbound: outbound)
        case .timedOut:
            await sendErrorFrame(WebSocketMessages.endpointTimedOut, connectionId: facts.connectionId, requestId: requestId, outbound: outbound)
        }
    }

    private func sendErrorFrame(_ message: String, connectionId: String, requestId: String, outbound: WebSocketOutboundWriter) async {
        // AWS's error frames put the message first: {"message": "Forbidden", "connectionId":"...", "requestId":"..."}
        let text = "{\"message\": \"\(message)\", \"connectionId\":\"\(connectionId)\", \"requestId\":\"\(requestId)\"}"
        try? await outbound.write(.text(text))
    }

    // MARK: Integrations

    enum InvocationOutcome: Sendable {
        /// The integration answered: its `statusCode` (200 when absent) and `body`.
        case response(status: Int, body: String?)
        /// The function failed or answered something that is not a proxy response.
        case failed
        /// No answer within 29 seconds.
        case timedOut
    }

    func integration(for route: WebSocketApiSpec.Route, in api: WebSocketApiSpec) -> WebSocketApiSpec.Integration? {
        guard let id = route.integrationId else { return nil }
        return api.integrations.first { $0.integrationId == id }
    }

    func invoke(_ integration: WebSocketApiSpec.Integration, event: [String: Any], api: WebSocketApiSpec, logger: Logger) async -> InvocationOutcome {
        if integration.type.uppercased() != "AWS_PROXY" { return await invokeMapped(integration, event: event, api: api, logger: logger) }
        guard let function = integration.functionArn else {
            logger.warning("Integration is not a Lambda proxy integration", metadata: ["integration": .string(integration.integrationId)])
            return .failed
        }
        let timeout = integration.timeoutInMillis.map(WebSocketLimits.integrationTimeout(milliseconds:)) ?? WebSocketLimits.integrationTimeout
        guard
            let payload = await invokeFunction(
                function,
                payload: WebSocketEvents.json(event),
                source: integration.mapping.credentialsArn == nil ? routeSourceArn(api, event: event) : nil,
                timeout: timeout,
                logger: logger
            )
        else {
            return .timedOut
        }
        guard payload.functionError == nil else { return .failed }
        return Self.proxyResponse(payload.payload)
    }

    /// Reads a Lambda proxy integration's response (`{"statusCode": 200, "body": "..."}`).
    /// - Parameter payload: The function's result.
    /// - Returns: The outcome.
    static func proxyResponse(_ payload: Data) -> InvocationOutcome {
        guard !payload.isEmpty else { return .response(status: 200, body: nil) }
        guard let value = try? JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed]) else { return .failed }
        switch value {
        case is NSNull:
            return .response(status: 200, body: nil)
        case let object as [String: Any]:
            var status = 200
            if let code = object["statusCode"] {
                // An HTTP status (100 to 599), or the response is malformed: NIO and HTTPTypes trap on others.
                let number: Int? =
                    if let text = code as? String {
                        Int(text)
                    } else if let value = (code as? NSNumber)?.doubleValue,
                        value.rounded() == value, value >= 100, value <= 599
                    {
                        Int(value)
                    } else { nil }
                guard let number, (100...599).contains(number) else { return .failed }
                status = number
            }
            var body: String?
            if let text = object["body"] as? String {
                body = text
            } else if let other = object["body"], !(other is NSNull) {
                let data = (try? JSONSerialization.data(withJSONObject: other, options: [.fragmentsAllowed, .withoutEscapingSlashes])) ?? Data()
                body = String(decoding: data, as: UTF8.self)
            }
            return .response(status: status, body: body)
        default:
            return .response(status: 200, body: String(decoding: payload, as: UTF8.self))
        }
    }

    /// The `AWS:SourceArn` a route's integration invokes with: `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/ROUTE_KEY`
    /// (the stage and route key of the event's `requestContext`).
    func routeSourceArn(_ api: WebSocketApiSpec, event: [String: Any]) -> String {
        let current = environment.current
        let context = event["requestContext"] as? [String: Any]
        let stage = context?["stage"] as? String ?? "*"
        let routeKey = context?["routeKey"] as? String ?? "*"
        return "arn:aws:execute-api:\(current.region):\(current.accountId):\(api.apiId)/\(stage)/\(routeKey)"
    }

    /// The `AWS:SourceArn` an authorizer invokes with: `arn:aws:execute-api:REGION:ACCOUNT:API/authorizers/ID`.
    func authorizerSourceArn(_ api: WebSocketApiSpec, authorizerId: String) -> String {
        let current = environment.current
        return "arn:aws:execute-api:\(current.region):\(current.accountId):\(api.apiId)/authorizers/\(authorizerId)"
    }

    /// Invokes a function with the integration timeout; `nil` when it did not answer in time.
    /// - Parameters:
    ///   - function: The function ARN.
    ///   - payload: The event.
    ///   - source: The execute-api ARN the function's resource-based policy must allow, or nil when the integration
    ///     has a credentials role (API Gateway then calls as that role).
    ///   - timeout: The integration timeout.
    ///   - logger: The logger.
    /// - Returns: The result (Invoke's 403 when the policy refuses), or nil when the function did not answer in time.
    func invokeFunction(_ function: String, payload: Data, source: String?, timeout: Duration, logger: Logger) async -> LambdaInvocationResult? {
        let context = LambdaInvocationContext(
            sourcePrincipal: source == nil ? nil : "apigateway.amazonaws.com",
            sourceArn: source,
            // A little past the integration timeout, so API Gateway's clock decides (as on AWS, where the function
            // runs on to its own timeout) and never races the function's own deadline.
            maximumDuration: timeout + .seconds(1)
        )
        return await lambda.invoke(function: function, payload: payload, context: context, timeout: timeout, logger: logger)
    }

    static func jsonResponse(status: Int, object: [String: Any]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: WebSocketEvents.json(object)))
        )
    }
}

/// Whether the client has gone (sent its FIN, reset, or the channel closed), noted as soon as it happens.
///
/// Hummingbird allows half-closure and NIO's upgrade handler holds back the client's end of input while the
/// upgrade is pending, so the channel stays open after the client left: a pass-through handler at the head of
/// the pipeline sees `ChannelEvent.inputClosed` before it is held back.
final class ClientDeparture: Sendable {
    private let gone = Mutex(false)

    /// Watches a channel.
    /// - Parameter channel: The not-yet-upgraded channel.
    /// - Returns: The watcher.
    static func watch(_ channel: any Channel) async -> ClientDeparture {
        let departure = ClientDeparture()
        channel.closeFuture.whenComplete { _ in departure.mark() }
        try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ClientDepartureObserver(departure), position: .first)
        }.get()
        return departure
    }

    /// Whether the client has gone.
    var isGone: Bool { gone.withLock { $0 } }

    /// Records the departure.
    func mark() { gone.withLock { $0 = true } }
}

/// Passes everything on, and tells ``ClientDeparture`` when input ends or the channel goes inactive.
final class ClientDepartureObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let departure: ClientDeparture

    init(_ departure: ClientDeparture) {
        self.departure = departure
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { departure.mark() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        departure.mark()
        context.fireChannelInactive()
    }
}
