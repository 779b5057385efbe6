import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The offline guard: a small forward proxy that workers get as `HTTP_PROXY`/`HTTPS_PROXY`.
///
/// It understands `CONNECT host:port` (HTTPS tunnels) and absolute-URI requests (`GET http://host/...`), lets
/// loopback targets through, and refuses every other target with `403` and a log line naming the function and
/// the target, so that nothing a handler does leaves the machine by accident. One listener per function, so the
/// refusal names the function without relying on proxy credentials.
package enum EgressGuard {
    /// A parsed proxy request line.
    package struct Target: Sendable, Equatable {
        /// The host (without brackets).
        package var host: String
        /// The port.
        package var port: Int
        /// Whether the request is a `CONNECT` tunnel.
        package var isTunnel: Bool
        /// For absolute-URI requests: the request head rewritten to origin form, to forward upstream.
        package var forwardedHead: String?
    }

    /// Whether a host is loopback (`127.0.0.0/8`, `::1`, `localhost`).
    /// - Parameter host: The host.
    /// - Returns: `true` for loopback.
    package static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Parses the head of a proxy request.
    /// - Parameter head: The request head (request line and header lines, without the blank line).
    /// - Returns: The target, or `nil` when the request is not a proxy request.
    package static func parse(head: String) -> Target? {
        var lines = head.components(separatedBy: "\r\n")
        guard let requestLine = lines.first else { return nil }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3 else { return nil }
        let (method, target, version) = (parts[0], parts[1], parts[2])
        if method.uppercased() == "CONNECT" {
            guard let (host, port) = splitHostPort(target, defaultPort: 443) else { return nil }
            return Target(host: host, port: port, isTunnel: true, forwardedHead: nil)
        }
        guard let schemeEnd = target.range(of: "://") else { return nil }
        let scheme = target[..<schemeEnd.lowerBound].lowercased()
        let rest = target[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        let hostPart = authority.split(separator: "@").last.map(String.init) ?? authority
        guard let (host, port) = splitHostPort(hostPart, defaultPort: scheme == "https" ? 443 : 80) else { return nil }
        lines[0] = "\(method) \(path) \(version)"
        lines.removeAll { $0.lowercased().hasPrefix("proxy-") }
        return Target(host: host, port: port, isTunnel: false, forwardedHead: lines.joined(separator: "\r\n"))
    }

    /// A TCP port (0 to 65535); anything else is no target (NIO traps on a port that does not fit `in_port_t`).
    private static func port(_ text: Substring) -> Int? {
        UInt16(text).map(Int.init)
    }

    private static func splitHostPort(_ text: String, defaultPort: Int) -> (String, Int)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { return port(after.dropFirst()).map { (host, $0) } }
            return (host, defaultPort)
        }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        if pieces.count == 2 { return port(pieces[1]).map { (String(pieces[0]), $0) } }
        guard pieces.count == 1, !text.isEmpty else { return nil }
        return (text, defaultPort)
    }

    /// Binds a guard listener for one function on 127.0.0.1 and a free port; it serves connections at once.
    /// - Parameters:
    ///   - function: The function whose workers use it (named in refusals).
    ///   - logger: Where refusals are logged.
    ///   - group: The event loop group.
    /// - Returns: The listening channel (its `localAddress` has the port); ``serve(_:)`` closes it when cancelled.
    /// - Throws: When it cannot bind.
    package static func bind(
        function: String,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> any Channel {
        // Plain channel handlers, no `NIOAsyncChannel`: a connection accepted while the listener is being closed
        // then needs no consumer to finish it (an unconsumed async channel traps when it is released).
        let connections = Connections()
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProxyHandler(function: function, logger: logger))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .map { listener in
                listener.closeFuture.whenComplete { _ in connections.closeAll() }
                return listener
            }
            .get()
    }

    /// Keeps a bound listener open until the task is cancelled, then closes it and its open connections.
    /// - Parameter listener: The listener from ``bind(function:logger:group:)``.
    package static func serve(_ listener: any Channel) async {
        await withTaskCancellationHandler {
            try? await listener.closeFuture.get()
        } onCancel: {
            listener.close(promise: nil)
        }
    }

    /// The open connections of one listener, closed with it.
    private final class Connections: Sendable {
        private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

        func insert(_ channel: any Channel) {
            let id = ObjectIdentifier(channel)
            channels.withLock { $0[id] = channel }
            channel.closeFuture.whenComplete { [weak self] _ in _ = self?.channels.withLock { $0.removeValue(forKey: id) } }
        }

        func closeAll() {
            for channel in channels.withLock({ Array($0.values) }) { channel.close(promise: nil) }
        }
    }

    /// One worker connection: reads the proxy request head, refuses a target that is not loopback, else connects
    /// upstream and relays bytes both ways until either side closes.
    private final class ProxyHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private enum State {
            case head(ByteBuffer)
            case connecting(pending: ByteBuffer)
            case relaying(upstream: any Channel)
            case done
        }

        private let function: String
        private let logger: Logger
        private var state = State.head(ByteBuffer())

        init(function: String, logger: Logger) {
            self.function = function
            self.logger = logger
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            switch state {
            case .head(var buffered):
                buffered.writeBuffer(&chunk)
                guard let headEnd = buffered.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8))?.lowerBound else {
                    if buffered.readableBytes > 65_536 {
                        state = .done
                        context.close(promise: nil)
                    } else {
                        state = .head(buffered)
                    }
                    return
                }
                let head = buffered.readString(length: headEnd - buffered.readerIndex) ?? ""
                buffered.moveReaderIndex(forwardBy: 4)
                open(head: head, rest: buffered, context: context)
            case .connecting(var pending):
                pending.writeBuffer(&chunk)
                state = .connecting(pending: pending)
            case .relaying(let upstream):
                upstream.writeAndFlush(chunk, promise: nil)
            case .done:
                break
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            if case .relaying(let upstream) = state { upstream.close(promise: nil) }
            state = .done
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        private func open(head: String, rest: ByteBuffer, context: ChannelHandlerContext) {
            guard let target = parse(head: head) else {
                refuse(response(400, "synapscribe-local offline guard: not a proxy request\n"), context: context)
                return
            }
            guard isLoopback(target.host) else {
                logger.warning(
                    "offline guard: refused \(function) -> \(target.host):\(target.port) (only loopback is reachable; --allow-egress lifts this)"
                )
                refuse(
                    response(
                        403,
                        "synapscribe-local offline guard: function \(function) may not reach \(target.host):\(target.port); "
                            + "only loopback is reachable (start with --allow-egress to allow it)\n"
                    ),
                    context: context
                )
                return
            }
            state = .connecting(pending: rest)
            let downstream = context.channel
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            ClientBootstrap(group: context.eventLoop)
                .channelInitializer { upstream in
                    upstream.eventLoop.makeCompletedFuture {
                        try upstream.pipeline.syncOperations.addHandler(RelayHandler(peer: downstream))
                    }
                }
                .connect(host: target.host, port: target.port)
                .whenComplete { result in
                    let (handler, context) = bound.value
                    handler.connected(result, target: target, context: context)
                }
        }

        private func connected(_ result: Result<any Channel, any Error>, target: Target, context: ChannelHandlerContext) {
            guard case .connecting(let pending) = state, case .success(let upstream) = result else {
                if case .success(let upstream) = result { upstream.close(promise: nil) }
                state = .done
                context.close(promise: nil)
                return
            }
            state = .relaying(upstream: upstream)
            if target.isTunnel {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
            } else if let forwarded = target.forwardedHead {
                upstream.write(ByteBuffer(string: forwarded + "\r\n\r\n"), promise: nil)
            }
            if pending.readableBytes > 0 { upstream.write(pending, promise: nil) }
            upstream.flush()
        }

        private func refuse(_ answer: ByteBuffer, context: ChannelHandlerContext) {
            state = .done
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// The upstream side of a relay: what it reads goes to the worker's connection; closing either closes both.
    private final class RelayHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let peer: any Channel

        init(peer: any Channel) {
            self.peer = peer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    private static func response(_ status: Int, _ text: String) -> ByteBuffer {
        let reason = status == 403 ? "Forbidden" : "Bad Request"
        return ByteBuffer(
            string: "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(text.utf8.count)\r\n"
                + "Connection: close\r\n\r\n\(text)"
        )
    }
}
