import EmulatorCore
import NIOCore
import NIOHTTP1

/// Limits the front door applies to every HTTP/1 connection of the edge and TLS ports.
package struct FramingLimits: Sendable {
    /// S3's limit on a request's header section (`MaxSizeAllowed` of `RequestHeaderSectionTooLarge`).
    package static let s3HeaderSectionBytes = 8192

    /// How long a connection may go without traffic. An idle keep-alive connection is then closed without an
    /// answer; a request whose client stopped sending gets S3's `RequestTimeout` first.
    package var idleTimeout: TimeAmount
    /// The largest header section (the field lines) a request may carry.
    package var maxHeaderSectionBytes: Int
    /// After answering an error itself, the guard stops writing and keeps reading (and discarding) until the
    /// client closes, for at most this long, so the client reads the answer instead of a connection reset.
    package var lingerTimeout: TimeAmount

    /// Creates the limits.
    /// - Parameters:
    ///   - idleTimeout: How long a connection may go without traffic.
    ///   - maxHeaderSectionBytes: The largest header section.
    ///   - lingerTimeout: How long to drain input after the guard's own answer.
    package init(
        idleTimeout: TimeAmount = .seconds(60),
        maxHeaderSectionBytes: Int = Self.s3HeaderSectionBytes,
        lingerTimeout: TimeAmount = .seconds(2)
    ) {
        self.idleTimeout = idleTimeout
        self.maxHeaderSectionBytes = maxHeaderSectionBytes
        self.lingerTimeout = lingerTimeout
    }
}

/// Answers requests that are broken at the HTTP level at once, and closes connections that go quiet.
///
/// It sits right after NIO's HTTP/1 request decoder, where NIO's `HTTPServerProtocolErrorHandler` would sit,
/// and does that handler's job in AWS's words (Hummingbird runs without it, and on the edge port a parser error
/// in the first request otherwise never reaches anyone who answers: the connection hangs):
/// - a parser error (negative, empty, non-numeric or overflowing `Content-Length`, both `Content-Length` and
///   `Transfer-Encoding`, an oversized head) gets S3's 400 `BadRequest` or `RequestHeaderSectionTooLarge`;
/// - a head the parser accepts but AWS would not (a `Content-Length` beyond `Int64`, a header section over
///   ``FramingLimits/maxHeaderSectionBytes``) gets the same answer and never reaches Hummingbird;
/// - a request whose body stops arriving for ``FramingLimits/idleTimeout`` gets S3's 400 `RequestTimeout`;
/// - a connection with no request in progress for that long is closed without an answer.
///
/// After its own answer (`Connection: close`) the guard drains input until the client closes, for at most
/// ``FramingLimits/lingerTimeout``, and closes. A request body that ends early (timeout, client gone) is failed
/// with a ``FramingError`` instead of ending quietly, so no service ever takes a truncated body for a whole one.
///
/// WebSocket upgrade requests are passed through untouched, and after `101 Switching Protocols` the guard
/// forwards everything unchanged: WebSocket connections have their own lifetime rules.
package final class HTTPFramingGuard: ChannelDuplexHandler, RemovableChannelHandler {
    /// Request parts from NIO's decoder (raw bytes once an upgrade is under way).
    package typealias InboundIn = HTTPServerRequestPart
    /// Request parts towards the upgrade handler or Hummingbird.
    package typealias InboundOut = HTTPServerRequestPart
    /// Response parts from Hummingbird (WebSocket frames after an upgrade).
    package typealias OutboundIn = HTTPServerResponsePart
    /// Response parts towards NIO's encoder.
    package typealias OutboundOut = HTTPServerResponsePart

    private enum Phase {
        /// Between requests (or before the first one).
        case awaitingHead
        /// A forwarded request whose `.end` has not arrived yet.
        case readingBody
        /// An `Upgrade` request was forwarded; inbound data may stop being HTTP parts at any moment.
        case upgrading
        /// `101 Switching Protocols` was sent: pure pass-through.
        case upgraded
        /// A request after earlier ones still being answered was refused: input is discarded, the earlier
        /// responses go out, then the guard answers this one and closes.
        case answerPending(FramingError)
        /// The guard answered or gave up: input is discarded, output refused, the channel is closing.
        case closing
    }

    private let limits: FramingLimits
    private let refuse: Bool
    /// File bodies of this connection to send as `FileRegion`s (plaintext connections only).
    private let fileBodies: FileBodies?
    private var phase = Phase.awaitingHead
    /// Request heads forwarded whose response has not ended yet.
    private var unanswered = 0
    /// A final response head was written and its `.end` not yet.
    private var responseOpen = false
    /// Someone downstream asked for more data and has not had a read cycle since (no back-pressure of ours).
    private var readPending = false
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?
    private var closeRequested = false
    private var inputClosed = false

    /// Creates the guard for one connection.
    /// - Parameters:
    ///   - limits: The limits to apply.
    ///   - refuse: Close the connection as soon as it is active (the port is at its connection cap).
    ///   - fileBodies: The connection's file bodies, whose markers are replaced by their file regions (nil when
    ///     the socket below is not plain TCP, e.g. TLS).
    package init(limits: FramingLimits, refuse: Bool = false, fileBodies: FileBodies? = nil) {
        self.limits = limits
        self.refuse = refuse
        self.fileBodies = fileBodies
    }

    // MARK: Lifecycle

    /// Starts the idle clock when added to an active channel.
    /// - Parameter context: The handler context.
    package func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    /// Stops the clock.
    /// - Parameter context: The handler context.
    package func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    /// Starts the idle clock, or closes at once when refusing.
    /// - Parameter context: The handler context.
    package func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        start(context: context)
    }

    /// Fails an unfinished request body, then forwards.
    /// - Parameter context: The handler context.
    package func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        failBody(context: context, with: .incompleteBody)
        phase = .closing
        context.fireChannelInactive()
    }

    private func start(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        if refuse {
            closeNow(context: context)
        } else {
            armTimer(context: context)
        }
    }

    // MARK: Inbound

    /// Checks request heads, tracks bodies, discards input while closing.
    /// - Parameters:
    ///   - context: The handler context.
    ///   - data: A request part (or raw bytes during an upgrade).
    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .upgrading, .upgraded:
            // Not necessarily HTTP parts any more (the decoder hands over its leftover bytes when removed).
            context.fireChannelRead(data)
            return
        case .closing, .answerPending:
            return
        case .awaitingHead, .readingBody:
            break
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.headers.contains(name: "upgrade") {
                phase = .upgrading
                unanswered += 1
                cancelTimer()
                context.fireChannelRead(data)
                return
            }
            if let error = problem(with: head) {
                refuse(context: context, with: error)
                return
            }
            unanswered += 1
            phase = .readingBody
        case .body:
            break
        case .end:
            if case .readingBody = phase { phase = .awaitingHead }
        }
        context.fireChannelRead(data)
    }

    /// Notes client activity; keeps draining while closing.
    /// - Parameter context: The handler context.
    package func channelReadComplete(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        readPending = false
        context.fireChannelReadComplete()
        switch phase {
        case .closing, .answerPending:
            // Keep draining what the client sends after a refused request.
            if !closeRequested { context.read() }
        case .awaitingHead, .readingBody, .upgrading, .upgraded:
            break
        }
    }

    /// Answers parser errors in AWS's words instead of passing them on.
    /// - Parameters:
    ///   - context: The handler context.
    ///   - error: The error.
    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch phase {
        case .closing, .answerPending:
            return
        case .upgrading, .upgraded:
            context.fireErrorCaught(error)
            return
        case .awaitingHead, .readingBody:
            break
        }
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let framing = FramingError.forParserError(parserError, headerLimit: limits.maxHeaderSectionBytes)
        if case .readingBody = phase {
            // Inside the body of a forwarded request (a bad chunk size): answer it unless its answer has begun.
            if canAnswer(requestForwarded: true) {
                answer(context: context, with: framing)
            } else {
                closeNow(context: context, failingBodyWith: framing)
            }
        } else {
            refuse(context: context, with: framing)
        }
    }

    /// Finishes lingering when the client closes its side; fails an unfinished body.
    /// - Parameters:
    ///   - context: The handler context.
    ///   - event: The event.
    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            switch phase {
            case .closing:
                closeNow(context: context)
                return
            case .answerPending:
                // Still answer: the client may read after closing its side.
                inputClosed = true
                return
            case .readingBody:
                // The client will send no more: its body is short.
                inputClosed = true
                if canAnswer(requestForwarded: true) {
                    answer(context: context, with: .incompleteBody)
                } else {
                    closeNow(context: context)
                }
                return
            case .awaitingHead, .upgrading, .upgraded:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Outbound

    /// Tracks responses; refuses writes once the guard has answered.
    /// - Parameters:
    ///   - context: The handler context.
    ///   - data: A response part (or WebSocket data after an upgrade).
    ///   - promise: The write promise.
    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch phase {
        case .closing:
            promise?.fail(ChannelError.outputClosed)
            return
        case .upgraded:
            context.write(data, promise: promise)
            return
        case .awaitingHead, .readingBody, .upgrading, .answerPending:
            break
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status == .switchingProtocols {
                phase = .upgraded
                cancelTimer()
                context.write(data, promise: promise)
                return
            }
            // Informational heads (`100 Continue`) have no `.end`.
            if head.status.code >= 200 { responseOpen = true }
        case .body(.byteBuffer(let buffer)):
            if let entry = fileBodies?.take(buffer) {
                let (part, written) = entry.region()
                lastActivity = context.eventLoop.now
                let sent = context.eventLoop.makePromise(of: Void.self)
                sent.futureResult.whenComplete { result in
                    written()
                    promise?.completeWith(result)
                }
                context.write(wrapOutboundOut(.body(part)), promise: sent)
                return
            }
        case .body:
            break
        case .end:
            if responseOpen {
                responseOpen = false
                unanswered = max(0, unanswered - 1)
            }
            if case .upgrading = phase {
                phase = .awaitingHead
                armTimer(context: context)
            }
        }
        lastActivity = context.eventLoop.now
        context.write(data, promise: promise)
        if case .answerPending(let error) = phase, canAnswer(requestForwarded: false) {
            answer(context: context, with: error)
        }
    }

    /// Notes that downstream wants data.
    /// - Parameter context: The handler context.
    package func read(context: ChannelHandlerContext) {
        readPending = true
        context.read()
    }

    // MARK: Decisions

    /// What AWS would refuse in a head the parser accepted.
    private func problem(with head: HTTPRequestHead) -> FramingError? {
        var sectionBytes = 0
        for field in head.headers {
            // `name: value\r\n`
            sectionBytes += field.name.utf8.count + field.value.utf8.count + 4
        }
        if sectionBytes > limits.maxHeaderSectionBytes {
            return .headerSectionTooLarge(limit: limits.maxHeaderSectionBytes)
        }
        let lengths = head.headers["content-length"]
        for value in lengths {
            // llhttp takes any unsigned 64-bit number; every length past `Int64.max` is refused here.
            guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), Int64(value) != nil else {
                return .badRequest
            }
        }
        if !lengths.isEmpty, head.headers.contains(name: "transfer-encoding") { return .badRequest }
        if Set(lengths).count > 1 { return .badRequest }
        return nil
    }

    /// Answers a request that was not forwarded: at once, or after the responses to earlier (pipelined) requests.
    private func refuse(context: ChannelHandlerContext, with error: FramingError) {
        if canAnswer(requestForwarded: false) {
            answer(context: context, with: error)
        } else {
            phase = .answerPending(error)
            cancelTimer()
        }
    }

    /// Whether the guard may write its own response now without breaking HTTP's response order.
    private func canAnswer(requestForwarded: Bool) -> Bool {
        !responseOpen && unanswered == (requestForwarded ? 1 : 0)
    }

    private func answer(context: ChannelHandlerContext, with error: FramingError) {
        failBody(context: context, with: error)
        phase = .closing
        cancelTimer()
        let (head, body) = error.response()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { result in
            guard case .success = result else {
                self.closeNow(context: context)
                return
            }
            self.linger(context: context)
        }
    }

    /// Drains input until the client closes (its side of a `Connection: close` answer) or the linger time is up.
    ///
    /// The output is not half-closed first: with both directions shut NIO would close the channel on the client's
    /// EOF without the `inputClosed` event that lets a pending upgrade handler finish quietly.
    private func linger(context: ChannelHandlerContext) {
        guard !closeRequested else { return }
        if inputClosed {
            closeNow(context: context)
            return
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: limits.lingerTimeout) {
            self.timer = nil
            self.closeNow(context: context)
        }
        context.read()
    }

    /// Closes the connection. The `inputClosed` event first lets an HTTP upgrade handler still waiting for its
    /// first request finish quietly instead of failing its pending upgrade.
    private func closeNow(context: ChannelHandlerContext, failingBodyWith error: FramingError = .incompleteBody) {
        guard !closeRequested else { return }
        closeRequested = true
        cancelTimer()
        failBody(context: context, with: error)
        phase = .closing
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.close(promise: nil)
    }

    /// Makes a request body that will never be complete end with an error rather than quietly.
    private func failBody(context: ChannelHandlerContext, with error: FramingError) {
        guard case .readingBody = phase else { return }
        phase = .closing
        context.fireErrorCaught(error)
    }

    // MARK: Idle clock

    private func armTimer(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        schedule(context: context, at: lastActivity + limits.idleTimeout)
    }

    private func schedule(context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            self.timerFired(context: context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func timerFired(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        let deadline = lastActivity + limits.idleTimeout
        switch phase {
        case .awaitingHead:
            if unanswered > 0 || responseOpen {
                // A request is being processed (a Lambda invoke may take minutes): not idle.
                schedule(context: context, at: now + limits.idleTimeout)
            } else if now < deadline {
                schedule(context: context, at: deadline)
            } else {
                // An idle keep-alive connection: closed without an answer, as AWS closes them.
                closeNow(context: context)
            }
        case .readingBody:
            if !readPending {
                // We are not reading (back-pressure while a service consumes the body): not the client's stall.
                schedule(context: context, at: now + limits.idleTimeout)
            } else if now < deadline {
                schedule(context: context, at: deadline)
            } else if canAnswer(requestForwarded: true) {
                answer(context: context, with: .requestTimeout)
            } else {
                closeNow(context: context, failingBodyWith: .requestTimeout)
            }
        case .upgrading, .upgraded, .closing, .answerPending:
            break
        }
    }
}
