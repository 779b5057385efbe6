import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One invocation as the Runtime API hands it to the runtime (`GET /2018-06-01/runtime/invocation/next`).
package struct RuntimeInvocation: Sendable, Equatable {
    /// `Lambda-Runtime-Aws-Request-Id`.
    package var requestId: String
    /// The event JSON.
    package var payload: Data
    /// `Lambda-Runtime-Deadline-Ms`: the deadline in Unix epoch milliseconds.
    package var deadlineMilliseconds: Int64
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    package var invokedFunctionArn: String
    /// `Lambda-Runtime-Trace-Id`.
    package var traceId: String
    /// `Lambda-Runtime-Client-Context` (JSON), when the invoker sent one.
    package var clientContext: String?
    /// `Lambda-Runtime-Cognito-Identity` (JSON), when the invoker sent one.
    package var cognitoIdentity: String?

    /// The response headers of `GET /invocation/next`.
    ///
    /// `Content-Type` is always sent: awslambdaric 4.2.2 crashes (SIGSEGV) without it (FIELD-NOTES 1).
    package var headers: [(String, String)] {
        var headers = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", requestId),
            ("Lambda-Runtime-Deadline-Ms", String(deadlineMilliseconds)),
            ("Lambda-Runtime-Invoked-Function-Arn", invokedFunctionArn),
            ("Lambda-Runtime-Trace-Id", traceId),
        ]
        if let clientContext { headers.append(("Lambda-Runtime-Client-Context", clientContext)) }
        if let cognitoIdentity { headers.append(("Lambda-Runtime-Cognito-Identity", cognitoIdentity)) }
        return headers
    }

    /// Equality ignores nothing: two invocations are the same when every field is.
    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.requestId == rhs.requestId && lhs.payload == rhs.payload && lhs.deadlineMilliseconds == rhs.deadlineMilliseconds
            && lhs.invokedFunctionArn == rhs.invokedFunctionArn && lhs.traceId == rhs.traceId
            && lhs.clientContext == rhs.clientContext && lhs.cognitoIdentity == rhs.cognitoIdentity
    }
}

/// The endpoints of the Lambda Runtime API (version 2018-06-01) this server implements.
///
/// - `GET /2018-06-01/runtime/invocation/next`: long-polls for the next event.
/// - `POST /2018-06-01/runtime/invocation/{id}/response`: the handler's result (at most 6291556 bytes).
/// - `POST /2018-06-01/runtime/invocation/{id}/error`: an error raised by the handler.
/// - `POST /2018-06-01/runtime/init/error`: an error during initialisation (import, handler lookup).
package enum RuntimeAPIRoute: Sendable, Equatable {
    /// `GET /invocation/next`.
    case next
    /// `POST /invocation/{id}/response`.
    case response(requestId: String)
    /// `POST /invocation/{id}/error`.
    case error(requestId: String)
    /// `POST /init/error`.
    case initError
    /// Anything else.
    case unknown

    private static let prefix = "/2018-06-01/runtime/"

    /// Routes a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - uri: The request target (a query, if any, is ignored).
    /// - Returns: The route.
    package static func route(method: HTTPMethod, uri: String) -> RuntimeAPIRoute {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard path.hasPrefix(prefix) else { return .unknown }
        let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (method, parts.count) {
        case (.GET, 2) where parts == ["invocation", "next"]:
            return .next
        case (.POST, 2) where parts == ["init", "error"]:
            return .initError
        case (.POST, 3) where parts[0] == "invocation" && !parts[1].isEmpty:
            let id = parts[1].removingPercentEncoding ?? parts[1]
            switch parts[2] {
            case "response": return .response(requestId: id)
            case "error": return .error(requestId: id)
            default: return .unknown
            }
        default:
            return .unknown
        }
    }
}

/// An answer of the Runtime API.
package struct RuntimeAPIReply: Sendable, Equatable {
    /// The HTTP status.
    package var status: Int
    /// The JSON body.
    package var body: String

    /// `202 {"status":"OK"}`, the answer to accepted posts.
    package static let accepted = RuntimeAPIReply(status: 202, body: #"{"status":"OK"}"#)
    /// `413`, for a response over 6291556 bytes.
    package static let payloadTooLarge = RuntimeAPIReply(status: 413, body: LambdaMessages.runtimeAPIPayloadTooLarge)
    /// `400`, for a request id that is not the current invocation.
    package static let invalidRequestId = RuntimeAPIReply(
        status: 400,
        body: #"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#
    )
    /// `403`, for posts in the wrong state (an init error after init, a second response).
    package static let invalidState = RuntimeAPIReply(
        status: 403,
        body: #"{"errorMessage":"State transition is not allowed","errorType":"InvalidStateTransition"}"#
    )
    /// `403`, for a connection that does not come from the environment's worker process (``RuntimeAPIPeers``).
    package static let notTheRuntime = RuntimeAPIReply(
        status: 403,
        body: #"{"errorMessage":"This Runtime API serves the execution environment's own runtime process only","errorType":"Forbidden"}"#
    )
    /// `404`, for unknown paths.
    package static let notFound = RuntimeAPIReply(
        status: 404,
        body: #"{"errorMessage":"Not Found","errorType":"NotFound"}"#
    )
}

/// What the Runtime API server asks of the execution environment it serves.
package protocol RuntimeAPIBackend: Sendable {
    /// Waits for the next invocation; `nil` when the environment is shutting down (the connection is closed).
    func nextInvocation() async -> RuntimeInvocation?
    /// The handler's result.
    /// - Parameters:
    ///   - requestId: The invocation.
    ///   - body: The response body.
    ///   - tooLarge: Whether the body exceeded 6291556 bytes (it is then truncated).
    /// - Returns: The reply.
    func invocationResponse(requestId: String, body: Data, tooLarge: Bool) async -> RuntimeAPIReply
    /// A handler error.
    /// - Parameters:
    ///   - requestId: The invocation.
    ///   - body: The error JSON the runtime built.
    ///   - errorType: `Lambda-Runtime-Function-Error-Type`, if sent.
    /// - Returns: The reply.
    func invocationError(requestId: String, body: Data, errorType: String?) async -> RuntimeAPIReply
    /// An initialisation error.
    /// - Parameters:
    ///   - body: The error JSON the runtime built.
    ///   - errorType: `Lambda-Runtime-Function-Error-Type`, if sent.
    /// - Returns: The reply.
    func initError(body: Data, errorType: String?) async -> RuntimeAPIReply
}

/// A Runtime API listener for one execution environment, on 127.0.0.1 and a port the OS picks.
///
/// Each environment gets its own listener (STYLE 2.6), so the fixed runtime paths need no function id and one
/// runtime can never read another's events. It is plain SwiftNIO: one `NIOAsyncChannel` per connection, served
/// as a child task of a discarding task group that lives as long as ``run(backend:peers:group:onBound:)``.
/// Connections that ``RuntimeAPIPeers`` refuses get `403` for every request and never reach the backend.
package enum RuntimeAPIServer {
    /// Binds, reports the port, and serves until the task is cancelled.
    /// - Parameters:
    ///   - backend: The environment the requests go to.
    ///   - peers: Which connections may use the API (the environment's worker process only).
    ///   - group: The event loop group.
    ///   - onBound: Called with the bound port before serving.
    /// - Throws: When the port cannot be bound.
    package static func run(
        backend: some RuntimeAPIBackend,
        peers: RuntimeAPIPeers,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onBound: @Sendable (Int) async -> Void
    ) async throws {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        await onBound(server.channel.localAddress?.port ?? 0)
        try await withTaskCancellationHandler {
            try await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await serve(connection, backend: backend, peers: peers) }
                        }
                    } catch {
                        // The listener closed: the environment is gone.
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        backend: some RuntimeAPIBackend,
        peers: RuntimeAPIPeers
    ) async {
        let channel = connection.channel
        await withTaskCancellationHandler {
            try? await connection.executeThenClose { inbound, outbound in
                var allowed: Bool?
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body.clear()
                        tooLarge = false
                    case .body(var chunk):
                        if body.readableBytes + chunk.readableBytes > LambdaMessages.maxResponsePayload {
                            tooLarge = true
                        } else {
                            body.writeBuffer(&chunk)
                        }
                    case .end:
                        guard let requestHead = head else { continue }
                        if allowed == nil {
                            allowed = await peers.allows(client: channel.remoteAddress, listenerPort: channel.localAddress?.port ?? 0)
                        }
                        let keepAlive = requestHead.isKeepAlive && allowed == true
                        let (status, headers, responseBody): (Int?, [(String, String)], ByteBuffer)
                        if allowed == true {
                            (status, headers, responseBody) = await answer(
                                requestHead,
                                body: Data(body.readableBytesView),
                                tooLarge: tooLarge,
                                backend: backend
                            )
                        } else {
                            let refusal = RuntimeAPIReply.notTheRuntime
                            (status, headers, responseBody) = (
                                refusal.status, [("Content-Type", "application/json")], ByteBuffer(string: refusal.body)
                            )
                        }
                        guard let status else { return }
                        var fields = HTTPHeaders(headers)
                        fields.replaceOrAdd(name: "Content-Length", value: String(responseBody.readableBytes))
                        if !keepAlive { fields.replaceOrAdd(name: "Connection", value: "close") }
                        try await outbound.write(
                            .head(HTTPResponseHead(version: requestHead.version, status: .init(statusCode: status), headers: fields))
                        )
                        try await outbound.write(.body(.byteBuffer(responseBody)))
                        try await outbound.write(.end(nil))
                        if !keepAlive { return }
                        head = nil
                    }
                }
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Answers one complete request; a `nil` status closes the connection without an answer.
    private static func answer(
        _ head: HTTPRequestHead,
        body: Data,
        tooLarge: Bool,
        backend: some RuntimeAPIBackend
    ) async -> (Int?, [(String, String)], ByteBuffer) {
        let json = [("Content-Type", "application/json")]
        switch RuntimeAPIRoute.route(method: head.method, uri: head.uri) {
        case .next:
            guard let invocation = await backend.nextInvocation() else { return (nil, [], ByteBuffer()) }
            return (200, invocation.headers, ByteBuffer(bytes: invocation.payload))
        case .response(let requestId):
            let reply = await backend.invocationResponse(requestId: requestId, body: body, tooLarge: tooLarge)
            return (reply.status, json, ByteBuffer(string: reply.body))
        case .error(let requestId):
            let errorType = head.headers.first(name: "Lambda-Runtime-Function-Error-Type")
            let reply = await backend.invocationError(requestId: requestId, body: body, errorType: errorType)
            return (reply.status, json, ByteBuffer(string: reply.body))
        case .initError:
            let errorType = head.headers.first(name: "Lambda-Runtime-Function-Error-Type")
            let reply = await backend.initError(body: body, errorType: errorType)
            return (reply.status, json, ByteBuffer(string: reply.body))
        case .unknown:
            return (RuntimeAPIReply.notFound.status, json, ByteBuffer(string: RuntimeAPIReply.notFound.body))
        }
    }
}
