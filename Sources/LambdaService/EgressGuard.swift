import Foundation
import Logging
import NIOCore
import NIOPosix

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

    /// Binds a guard listener on 127.0.0.1 and a free port.
    /// - Parameter group: The event loop group.
    /// - Returns: The bound listener.
    /// - Throws: When it cannot bind.
    package static func bind(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never> {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Serves a bound listener until the task is cancelled.
    /// - Parameters:
    ///   - listener: The listener from ``bind(group:)``.
    ///   - function: The function whose workers use it.
    ///   - logger: Where refusals are logged.
    package static func serve(
        _ listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
        function: String,
        logger: Logger
    ) async {
        let serverChannel = listener.channel
        await withTaskCancellationHandler {
            try? await listener.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await handle(connection, function: function, logger: logger) }
                        }
                    } catch {
                        // The listener closed.
                    }
                }
            }
        } onCancel: {
            serverChannel.close(promise: nil)
        }
    }

    private static func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, function: String, logger: Logger) async {
        let channel = connection.channel
        await withTaskCancellationHandler {
            try? await connection.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                var buffered = ByteBuffer()
                var headEnd: Int?
                while headEnd == nil {
                    guard var chunk = try await iterator.next() else { return }
                    buffered.writeBuffer(&chunk)
                    headEnd = buffered.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8))?.lowerBound
                    if headEnd == nil && buffered.readableBytes > 65_536 { return }
                }
                guard let headEnd else { return }
                let headLength = headEnd - buffered.readerIndex
                let head = buffered.readString(length: headLength) ?? ""
                buffered.moveReaderIndex(forwardBy: 4)
                guard let target = parse(head: head) else {
                    try await outbound.write(response(400, "synapscribe-local offline guard: not a proxy request\n"))
                    return
                }
                guard isLoopback(target.host) else {
                    logger.warning(
                        "offline guard: refused \(function) -> \(target.host):\(target.port) (only loopback is reachable; --allow-egress lifts this)"
                    )
                    try await outbound.write(
                        response(
                            403,
                            "synapscribe-local offline guard: function \(function) may not reach \(target.host):\(target.port); "
                                + "only loopback is reachable (start with --allow-egress to allow it)\n"
                        )
                    )
                    return
                }
                let upstream = try await ClientBootstrap(group: channel.eventLoop)
                    .connect(host: target.host, port: target.port) { upstreamChannel in
                        upstreamChannel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: upstreamChannel)
                        }
                    }
                try await upstream.executeThenClose { upstreamInbound, upstreamOutbound in
                    if target.isTunnel {
                        try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n"))
                    } else if let forwarded = target.forwardedHead {
                        try await upstreamOutbound.write(ByteBuffer(string: forwarded + "\r\n\r\n"))
                    }
                    if buffered.readableBytes > 0 { try await upstreamOutbound.write(buffered) }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await chunk in upstreamInbound { try await outbound.write(chunk) }
                        }
                        while let chunk = try await iterator.next() { try await upstreamOutbound.write(chunk) }
                        try await group.next()
                    }
                }
            }
        } onCancel: {
            channel.close(promise: nil)
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
