import AWSGateway
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@Suite struct ContinueHandlerTests {
    @Test func answersExpectContinueAtOnceAndForwardsTheHead() throws {
        let channel = EmbeddedChannel(handler: ContinueHandler())
        var head = HTTPRequest(method: .put, scheme: nil, authority: "127.0.0.1", path: "/bucket/key")
        head.headerFields[.expect] = "100-continue"
        try channel.writeInbound(HTTPRequestPart.head(head))

        let written = try channel.readOutbound(as: HTTPResponsePart.self)
        guard case .head(let response) = written else {
            Issue.record("expected a response head, got \(String(describing: written))")
            return
        }
        #expect(response.status == .continue)
        let forwarded = try channel.readInbound(as: HTTPRequestPart.self)
        #expect(forwarded == .head(head))
        #expect(try channel.finish().isClean)
    }

    @Test func leavesOtherRequestsAlone() throws {
        let channel = EmbeddedChannel(handler: ContinueHandler())
        let head = HTTPRequest(method: .post, scheme: nil, authority: "127.0.0.1", path: "/")
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{}")))
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == .head(head))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == .body(ByteBuffer(string: "{}")))
        _ = try channel.finish()
    }
}

@Suite struct GatewayHelpersTests {
    @Test(arguments: [
        ("bucket.s3.localhost:4566", "bucket"),
        ("my-bucket.s3.us-east-1.amazonaws.com", "my-bucket"),
        ("my.dotted.bucket.s3.amazonaws.com", "my.dotted.bucket"),
        ("bucket.localhost:4566", "bucket"),
    ])
    func virtualHostedBuckets(host: String, bucket: String) {
        #expect(S3Host.bucket(fromHost: host) == bucket)
    }

    @Test(arguments: ["127.0.0.1:4566", "localhost:4566", "s3.localhost:4566", "[::1]:4566", "s3.amazonaws.com"])
    func pathStyleHosts(host: String) {
        #expect(S3Host.bucket(fromHost: host) == nil)
    }

    @Test func splitsTargets() {
        #expect(Gateway.split("/b/k?list-type=2&prefix=a") == ("/b/k", "list-type=2&prefix=a"))
        #expect(Gateway.split("/") == ("/", ""))
    }

    @Test func decodesQueries() {
        let items = URLComponentsDecoding.queryItems("a=1&b=x%20y&c&d=e%2Bf&g=h+i", plusIsSpace: false)
        #expect(items.map(\.name) == ["a", "b", "c", "d", "g"])
        #expect(items.map(\.value) == ["1", "x y", "", "e+f", "h+i"])
        #expect(URLComponentsDecoding.queryItems("g=h+i", plusIsSpace: true).first?.value == "h i")
    }

    @Test func escapesXML() {
        #expect(XMLWriter.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;")
        var xml = XMLWriter(declaration: false)
        xml.element("Error") { xml in
            xml.element("Code", "NoSuchKey")
            xml.optionalElement("Key", nil)
        }
        #expect(xml.result == "<Error><Code>NoSuchKey</Code></Error>")
    }
}
