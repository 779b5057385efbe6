import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Counts the open connections of one port against its cap.
package final class ConnectionLimiter: Sendable {
    /// The most connections the port keeps open at once.
    package let maxConnections: Int
    private let open = Atomic<Int>(0)
    private let refusedTotal = Atomic<Int>(0)

    /// Creates a limiter.
    /// - Parameter maxConnections: The cap (at least 1).
    package init(maxConnections: Int) {
        self.maxConnections = max(1, maxConnections)
    }

    /// The connections open now.
    package var openConnections: Int { open.load(ordering: .relaxed) }

    /// Takes a slot for a new connection.
    /// - Returns: `true` when the connection may stay, `false` when the port is at its cap (and the refusal
    ///   number, counted from 1, for rate-limited logging).
    package func acquire() -> (admitted: Bool, refusal: Int) {
        let (_, now) = open.wrappingAdd(1, ordering: .relaxed)
        if now <= maxConnections { return (true, 0) }
        open.wrappingSubtract(1, ordering: .relaxed)
        let (_, refusal) = refusedTotal.wrappingAdd(1, ordering: .relaxed)
        return (false, refusal)
    }

    /// Gives a slot back when an admitted connection closes.
    package func release() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// Wraps a Hummingbird child channel (HTTP/1, HTTP/1 with WebSocket upgrade, TLS) with the front door's
/// connection rules: the ``HTTPFramingGuard`` right after NIO's HTTP/1 decoder, and the connection cap.
///
/// Beyond the cap a new connection is accepted and closed at once (the client sees the connection closed
/// before any answer), so the number of open connections never grows past the cap; a warning is logged for
/// the first refusal and every hundredth after it.
///
/// On a plaintext port (`sendsFiles`) each connection gets its ``FileBodies``, bound as ``FileBodies/current``
/// while the connection's requests are handled, so large object bodies go out with `sendfile(2)`.
package struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    /// The wrapped channel's value and the connection's file bodies.
    package struct Value: ServerChildChannelValue {
        /// The wrapped channel's value.
        package let base: Base.Value
        /// The connection's file bodies (nil when the port does not send files).
        package let fileBodies: FileBodies?
        /// The connection.
        package var channel: any Channel { base.channel }
    }

    private let base: Base
    private let limits: FramingLimits
    private let limiter: ConnectionLimiter
    private let sendsFiles: Bool

    /// Wraps a child channel.
    /// - Parameters:
    ///   - base: The channel that sets up HTTP (and maybe TLS or WebSocket upgrades).
    ///   - limits: The framing and idle limits.
    ///   - limiter: The port's connection counter.
    ///   - sendsFiles: Whether the socket is plain TCP below HTTP/1 (no TLS), so bodies may be sent as file regions.
    package init(_ base: Base, limits: FramingLimits, limiter: ConnectionLimiter, sendsFiles: Bool = false) {
        self.base = base
        self.limits = limits
        self.limiter = limiter
        self.sendsFiles = sendsFiles
    }

    /// Sets up the wrapped channel, then adds the guard after the HTTP decoder.
    /// - Parameters:
    ///   - channel: The accepted connection.
    ///   - logger: The server logger.
    /// - Returns: The wrapped channel's value.
    package func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let (admitted, refusal) = limiter.acquire()
        if admitted {
            let limiter = self.limiter
            channel.closeFuture.whenComplete { _ in limiter.release() }
        } else if refusal == 1 || refusal % 100 == 0 {
            logger.warning(
                "Connection refused: the port is at its connection cap (--max-connections)",
                metadata: ["max-connections": .stringConvertible(limiter.maxConnections), "refused": .stringConvertible(refusal)]
            )
        }
        let limits = self.limits
        let sendsFiles = self.sendsFiles
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            var fileBodies: FileBodies?
            if let decoder = try? operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self) {
                fileBodies = sendsFiles ? FileBodies() : nil
                let handler = HTTPFramingGuard(limits: limits, refuse: !admitted, fileBodies: fileBodies)
                try operations.addHandler(handler, position: .after(decoder.handler))
            } else if !admitted {
                // Not an HTTP/1 pipeline the guard understands: at least keep the cap.
                channel.close(promise: nil)
            }
            return Value(base: value, fileBodies: fileBodies)
        }
    }

    /// Hands the connection to the wrapped channel, with its file bodies bound for its requests.
    /// - Parameters:
    ///   - value: The wrapped channel's value.
    ///   - logger: The connection logger.
    package func handle(value: Value, logger: Logger) async {
        guard let fileBodies = value.fileBodies else {
            await base.handle(value: value.base, logger: logger)
            return
        }
        await FileBodies.$current.withValue(fileBodies) {
            await base.handle(value: value.base, logger: logger)
        }
    }
}
