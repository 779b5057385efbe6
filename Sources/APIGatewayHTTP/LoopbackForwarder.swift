import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends one request of an `HTTP_PROXY` (or `HTTP`) integration to a loopback target over HTTP/1.1 on NIO and
/// collects the answer: one request per connection, the integration timeout, at most 10 MB of body. Only
/// `http://127.0.0.1`, `http://localhost` and `http://[::1]` targets are ever contacted (``target(_:)``).
enum LoopbackForwarder {
    /// Where a request goes.
    struct Target: Equatable {
        /// The address connected to (`127.0.0.1` or `::1`).
        var address: String
        /// The port.
        var port: Int
        /// The `Host` header value.
        var hostHeader: String
        /// The path with its query (`/a/b?x=1`).
        var pathAndQuery: String
    }

    /// What the target answered.
    struct Answer {
        /// The status code.
        var status: Int
        /// The headers, hop-by-hop ones removed.
        var headers: [(name: String, value: String)]
        /// The body.
        var body: [UInt8]
    }

    /// Why a request got no answer.
    enum Failure: Error, Equatable {
        /// The integration timeout passed.
        case timedOut
        /// The connection failed or the answer was not HTTP, or too large.
        case unreachable
    }

    /// The headers that belong to one connection (RFC 9110 7.6.1), never forwarded either way.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "content-length", "host", "expect",
    ]

    /// The loopback target of a URL, or nil when the URL is not `http://` on loopback (such targets are never
    /// contacted).
    /// - Parameter text: The URL (an `IntegrationUri` after substitution).
    /// - Returns: The target.
    static func target(_ text: String) -> Target? {
        guard let url = URL(string: text), url.scheme?.lowercased() == "http", let host = url.host?.lowercased() else { return nil }
        let address: String
        switch host {
        case "127.0.0.1", "localhost": address = "127.0.0.1"
        case "::1", "[::1]": address = "::1"
        default: return nil
        }
        let port = url.port ?? 80
        guard (1...65535).contains(port) else { return nil }
        // Keep the path as written (percent-encoding included).
        var path = "/"
        if let components = URLComponents(string: text) {
            path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            if let query = components.percentEncodedQuery { path += "?" + query }
        }
        let hostName = address == "::1" ? "[::1]" : host
        return Target(address: address, port: port, hostHeader: url.port == nil ? hostName : "\(hostName):\(port)", pathAndQuery: path)
    }

    /// Sends the request and waits for the answer.
    /// - Parameters:
    ///   - target: The loopback target.
    ///   - method: The method.
    ///   - headers: The request headers (hop-by-hop ones are dropped, `Host` is the target's).
    ///   - body: The body.
    ///   - timeout: The integration timeout.
    /// - Returns: The answer.
    /// - Throws: ``Failure`` (untyped: typed throws in async code crashed the release build once).
    static func send(
        _ target: Target,
        method: String,
        headers: [(name: String, value: String)],
        body: [UInt8],
        timeout: Duration
    ) async throws -> Answer {
        let collector = Collector()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
        do {
            let channel = try await bootstrap.connect(host: target.address, port: target.port).get()
            var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target.pathAndQuery)
            head.headers.add(name: "Host", value: target.hostHeader)
            for (name, value) in headers where !hopByHop.contains(name.lowercased()) {
                head.headers.add(name: name, value: value)
            }
            if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head.headers.add(name: "Content-Length", value: String(body.count)) }
            head.headers.add(name: "Connection", value: "close")
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
            try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
            let milliseconds = timeout.components.seconds &* 1000 &+ timeout.components.attoseconds / 1_000_000_000_000_000
            let scheduled = channel.eventLoop.scheduleTask(in: .milliseconds(max(milliseconds, 1))) {
                collector.markTimedOut()
                channel.close(promise: nil)
            }
            try? await channel.closeFuture.get()
            scheduled.cancel()
        } catch {
            throw Failure.unreachable
        }
        return try collector.result()
    }

    /// Collects one response; closes the channel at its end. Touched only on the channel's event loop, read after
    /// the channel closed.
    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        private var status = 0
        private var headers: [(name: String, value: String)] = []
        private var body = ByteBuffer()
        private var complete = false
        private var overflow = false
        private var timedOut = false

        func markTimedOut() { if !complete { timedOut = true } }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = Int(head.status.code)
                headers = head.headers.map { (name: $0.name, value: $0.value) }
            case .body(var part):
                if body.readableBytes + part.readableBytes > APIGatewayHTTPService.maxPayloadBytes {
                    overflow = true
                    context.close(promise: nil)
                } else {
                    body.writeBuffer(&part)
                }
            case .end:
                complete = true
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        func result() throws(Failure) -> Answer {
            if timedOut { throw .timedOut }
            guard complete, !overflow, (100...599).contains(status) else { throw .unreachable }
            return Answer(
                status: status,
                headers: headers.filter { !LoopbackForwarder.hopByHop.contains($0.name.lowercased()) },
                body: Array(body.readableBytesView)
            )
        }
    }
}
