import AWSGateway
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The guard behind NIO's real HTTP/1 decoder and encoder, fed exact request bytes.
@Suite struct HTTPFramingGuardTests {
    private static let limits = FramingLimits(idleTimeout: .seconds(5), lingerTimeout: .seconds(1))

    /// A connected channel with the server pipeline the edge port uses: encoder, decoder, guard.
    private func makeChannel(limits: FramingLimits = Self.limits, refuse: Bool = false) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(HTTPResponseEncoder())
        try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        try operations.addHandler(HTTPFramingGuard(limits: limits, refuse: refuse))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4566)).wait()
        return channel
    }

    /// Everything written to the socket so far, as text.
    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    private func send(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    private func expectS3Error(_ response: String, status: String, code: String, message: String, extra: String = "") {
        #expect(response.hasPrefix("HTTP/1.1 \(status)\r\nx-amz-request-id: "), "\(response)")
        #expect(response.contains("\r\nContent-Type: application/xml\r\n"))
        #expect(response.contains("\r\nConnection: close\r\n"))
        let body = "<Error><Code>\(code)</Code><Message>\(message)</Message>\(extra)<RequestId>"
        #expect(response.contains("\r\n\r\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body), "\(response)")
        if let start = response.range(of: "\r\n\r\n"), let length = response.range(of: "Content-Length: ") {
            let declared = response[length.upperBound...].prefix { $0.isNumber }
            #expect(Int(declared) == response[start.upperBound...].utf8.count)
        }
    }

    private static let parsingMessage = "An error occurred when parsing the HTTP request."

    @Test(arguments: [
        "Content-Length: -1\r\n",
        "Content-Length: \r\n",
        "Content-Length: abc\r\n",
        "Content-Length: 99999999999999999999999\r\n",
        "Content-Length: 9223372036854775808\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    ])
    func badFramingIsAnsweredAtOnceAndTheConnectionCloses(field: String) throws {
        let channel = try makeChannel()
        try send(channel, "PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\n\(field)\r\nhello")
        expectS3Error(try written(channel), status: "400 Bad Request", code: "BadRequest", message: Self.parsingMessage)
        // Nothing reached the application.
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aBadRequestPipelinedBehindAGoodOneIsAnsweredAfterIt() throws {
        let channel = try makeChannel()
        try send(
            channel,
            "GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nPUT /b/k HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n"
        )
        guard case .head = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the first request should be forwarded")
            return
        }
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .end(nil))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        #expect(try written(channel).isEmpty)
        // The first answer goes out first, then ours.
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "2"])
        try channel.writeOutbound(HTTPServerResponsePart.head(head))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "{}"))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        let text = try written(channel)
        let first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
        #expect(text.hasPrefix(first), "\(text)")
        expectS3Error(String(text.dropFirst(first.count)), status: "400 Bad Request", code: "BadRequest", message: Self.parsingMessage)
    }

    @Test func anOversizedHeaderSectionGetsS3sAnswer() throws {
        let channel = try makeChannel()
        let big = String(repeating: "a", count: 8200)
        try send(channel, "GET /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nx-amz-meta-big: \(big)\r\n\r\n")
        expectS3Error(
            try written(channel),
            status: "400 Bad Request",
            code: "RequestHeaderSectionTooLarge",
            message: "Your request header section exceeds the maximum allowed size.",
            extra: "<MaxSizeAllowed>8192</MaxSizeAllowed>"
        )
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
    }

    @Test func aBodyThatStopsArrivingGetsRequestTimeoutAndFailsTheBody() throws {
        let channel = try makeChannel()
        try send(channel, "PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nhello")
        channel.read()
        guard case .head = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the head should be forwarded")
            return
        }
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .body(ByteBuffer(string: "hello")))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(try written(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        expectS3Error(
            try written(channel),
            status: "400 Bad Request",
            code: "RequestTimeout",
            message: "Your socket connection to the server was not read from or written to within the timeout period. "
                + "Idle connections will be closed."
        )
        // The application's body stream ends with an error, never quietly with five of ten bytes.
        #expect(throws: FramingError.requestTimeout) { try channel.throwIfErrorCaught() }
        // Its late answer is refused instead of following ours.
        let late = channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        #expect(throws: ChannelError.self) { try late.wait() }
        #expect(try written(channel).isEmpty)
    }

    @Test func noTimeoutWhileTheServerIsNotReading() throws {
        let channel = try makeChannel()
        try send(channel, "PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nhello")
        // No read() outstanding: back-pressure of ours, not a stalled client.
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(try written(channel).isEmpty)
        #expect(channel.isActive)
    }

    @Test func anIdleConnectionIsClosedWithoutAnAnswer() throws {
        let channel = try makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(try written(channel).isEmpty)
        #expect(!channel.isActive)
    }

    @Test func aRequestBeingProcessedIsNotIdle() throws {
        let channel = try makeChannel()
        try send(channel, "GET /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        // The response ends; from then on the connection is idle.
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "0"])))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(try written(channel) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(!channel.isActive)
    }

    @Test func wellFormedRequestsPassUnchanged() throws {
        let channel = try makeChannel()
        try send(channel, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\r\n{}")
        guard case .head(let head) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the head should be forwarded")
            return
        }
        #expect(head.uri == "/" && head.headers["x-amz-target"] == ["DynamoDB_20120810.ListTables"])
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .body(ByteBuffer(string: "{}")))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .end(nil))
        #expect(try written(channel).isEmpty)
    }

    @Test func upgradedConnectionsArePassedThrough() throws {
        let channel = try makeChannel()
        try send(
            channel,
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        guard case .head = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the upgrade request should be forwarded")
            return
        }
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .end(nil))
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .switchingProtocols)))
        _ = try written(channel)
        // From now on inbound and outbound data are not HTTP parts; the guard must neither look nor time out.
        let decoder = try channel.pipeline.syncOperations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
        channel.pipeline.syncOperations.removeHandler(context: decoder, promise: nil)
        channel.embeddedEventLoop.run()
        try channel.writeInbound(ByteBuffer(bytes: [0x81, 0x80, 1, 2, 3, 4]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x81, 0x80, 1, 2, 3, 4]))
        channel.embeddedEventLoop.advanceTime(by: .hours(1))
        #expect(channel.isActive)
    }

    @Test func aConnectionOverTheCapIsClosedAtOnce() throws {
        let channel = try makeChannel(refuse: true)
        #expect(!channel.isActive)
        #expect(try written(channel).isEmpty)
    }

    @Test func theErrorBodyIsExact() {
        let (head, body) = FramingError.headerSectionTooLarge(limit: 8192).response(requestId: "R1", hostId: "H1")
        #expect(head.status == .badRequest)
        #expect(head.headers["Connection"] == ["close"])
        #expect(head.headers["Content-Length"] == [String(body.readableBytes)])
        #expect(
            String(buffer: body)
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>RequestHeaderSectionTooLarge</Code>"
                + "<Message>Your request header section exceeds the maximum allowed size.</Message>"
                + "<MaxSizeAllowed>8192</MaxSizeAllowed><RequestId>R1</RequestId><HostId>H1</HostId></Error>"
        )
    }
}

@Suite struct ConnectionLimiterTests {
    @Test func refusesBeyondTheCapAndCountsReleases() {
        let limiter = ConnectionLimiter(maxConnections: 2)
        #expect(limiter.acquire().admitted)
        #expect(limiter.acquire().admitted)
        let refused = limiter.acquire()
        #expect(!refused.admitted && refused.refusal == 1)
        #expect(limiter.openConnections == 2)
        limiter.release()
        #expect(limiter.acquire().admitted)
        #expect(limiter.acquire().refusal == 2)
    }
}

@Suite struct RecentKeysTests {
    @Test func remembersAtMostItsCapacityForgettingTheOldest() {
        var keys = RecentKeys(capacity: 3)
        let firsts = [keys.insert("a"), keys.insert("b"), keys.insert("c")]
        #expect(firsts == [true, true, true])
        let again = keys.insert("a")
        #expect(!again)
        for index in 0..<10_000 { keys.insert("key-\(index)") }
        #expect(keys.count == 3)
        #expect(keys.contains("key-9999") && keys.contains("key-9997") && !keys.contains("key-9996"))
        #expect(!keys.contains("a"))
    }
}
