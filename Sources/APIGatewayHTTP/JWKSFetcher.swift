import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import _CryptoExtras

/// Fetches and caches the signing keys of JWT issuers: `{issuer}/.well-known/openid-configuration` names the
/// `jwks_uri`, whose keys are kept for a minute (and fetched again when a token names an unknown `kid`). Only
/// loopback URLs are ever contacted; anything else yields no keys.
package actor JWKSFetcher {
    private struct Entry {
        var keys: [String: _RSA.Signing.PublicKey]
        var fetched: ContinuousClock.Instant
    }

    private var entries: [String: Entry] = [:]

    /// Creates an empty cache.
    package init() {}

    /// The issuer's keys, from the cache when fresh enough.
    /// - Parameters:
    ///   - issuer: The issuer URL (loopback).
    ///   - kid: The key id a token names: a cached set without it is refreshed (at most every 5 seconds).
    /// - Returns: The keys by `kid` (empty when the issuer cannot be reached).
    package func keys(issuer: String, kid: String?) async -> [String: _RSA.Signing.PublicKey] {
        let now = ContinuousClock.now
        if let entry = entries[issuer] {
            let age = now - entry.fetched
            let missing = kid.map { entry.keys[$0] == nil } ?? false
            if age < .seconds(60), !missing || age < .seconds(5) { return entry.keys }
        }
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        var keys: [String: _RSA.Signing.PublicKey] = [:]
        if let discovery = await LoopbackHTTP.get(base + "/.well-known/openid-configuration"),
            let object = try? JSONSerialization.jsonObject(with: discovery) as? [String: Any],
            let jwksURI = object["jwks_uri"] as? String,
            HttpAuthorizerSpec.isLoopback(jwksURI),
            let jwks = await LoopbackHTTP.get(jwksURI)
        {
            keys = JWTValidator.keys(fromJWKS: jwks)
        }
        entries[issuer] = Entry(keys: keys, fetched: now)
        return keys
    }
}

/// A minimal HTTP/1.1 GET for `http://` loopback URLs (JWKS discovery), on NIO: one request per connection,
/// 5 s timeout, at most 1 MB of body. Refuses every other host.
enum LoopbackHTTP {
    static func get(_ text: String) async -> Data? {
        guard let url = URL(string: text), url.scheme?.lowercased() == "http", let host = url.host?.lowercased(),
            HttpAuthorizerSpec.isLoopback(text)
        else { return nil }
        let address = host == "localhost" ? "127.0.0.1" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = url.port ?? 80
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        let collector = ResponseCollector()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
        do {
            let channel = try await bootstrap.connect(host: address, port: port).get()
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: "\(host):\(port)")
            head.headers.add(name: "Accept", value: "application/json")
            head.headers.add(name: "Connection", value: "close")
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
            let scheduled = channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
            try await channel.closeFuture.get()
            scheduled.cancel()
        } catch {
            return nil
        }
        return collector.result()
    }

    /// Collects one response's status and body; closes the channel at its end.
    final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        // Touched only on the channel's event loop, read after the channel closed.
        private var status = 0
        private var body = ByteBuffer()
        private var complete = false
        private var overflow = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = Int(head.status.code)
            case .body(var part):
                if body.readableBytes + part.readableBytes > 1_048_576 {
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

        func result() -> Data? {
            guard complete, !overflow, status == 200 else { return nil }
            return Data(body.readableBytesView)
        }
    }
}
