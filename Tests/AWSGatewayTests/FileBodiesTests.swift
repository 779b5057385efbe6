import AWSGateway
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// File bodies: the guard, behind NIO's real HTTP/1 encoder, turns a registered marker into a `FileRegion` of the
/// file (what the socket sends with sendfile) and leaves every other body untouched.
@Suite struct FileBodiesTests {
    /// Closes its descriptor when released, and says so.
    private final class OpenFile: Sendable {
        let descriptor: CInt

        init(path: String) throws {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
        }

        deinit { close(descriptor) }
    }

    private func makeChannel(fileBodies: FileBodies?) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(HTTPResponseEncoder())
        try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        try operations.addHandler(HTTPFramingGuard(limits: FramingLimits(), fileBodies: fileBodies))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4566)).wait()
        try channel.writeInbound(ByteBuffer(string: "GET /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        return channel
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "file-bodies-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aMarkerGoesOutAsARegionOfTheFileAndReleasesItsOwnerOnceWritten() throws {
        let path = try temporaryFile("hello, sendfile")
        defer { unlink(path) }
        let bodies = FileBodies()
        let channel = try makeChannel(fileBodies: bodies)
        weak var released: OpenFile?
        var marker = ByteBuffer()
        do {
            let file = try OpenFile(path: path)
            released = file
            marker = bodies.marker(descriptor: file.descriptor, offset: 7, count: 8, keepingAlive: file)
        }
        #expect(released != nil, "the registry keeps the file open until its bytes are sent")
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "8"])))
        let written = channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(marker)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        try written.wait()

        let head = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: head) == "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n")
        guard case .fileRegion(let region) = try #require(try channel.readOutbound(as: IOData.self)) else {
            Issue.record("the marker should have become a file region")
            return
        }
        #expect(region.readerIndex == 7)
        #expect(region.endIndex == 15)
        // The region gave its descriptor back to the owner, which is released once the write completed.
        #expect(!region.fileHandle.isOpen)
        #expect(released == nil)
        // The `.end` of a response with a length adds no bytes.
        var rest = 0
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { rest += buffer.readableBytes }
        #expect(rest == 0)
    }

    @Test func otherBodiesAndMarkersOfNoRegistryPassUnchanged() throws {
        let path = try temporaryFile("0123456789")
        defer { unlink(path) }
        let bodies = FileBodies()
        let file = try OpenFile(path: path)
        let marker = bodies.marker(descriptor: file.descriptor, offset: 0, count: 10, keepingAlive: file)
        // A one-byte body with the marker's content but its own storage is a body like any other.
        for channel in [try makeChannel(fileBodies: bodies), try makeChannel(fileBodies: nil)] {
            try channel.writeOutbound(
                HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "1"]))
            )
            try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: [0]))))
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
            var text = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            #expect(text == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\u{0}")
        }
        // A guard without a registry (a TLS port) never takes another connection's marker.
        let other = try makeChannel(fileBodies: nil)
        try other.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "1"])))
        try other.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(marker)))
        _ = try other.readOutbound(as: ByteBuffer.self)
        #expect(try other.readOutbound(as: IOData.self) == .byteBuffer(marker))
    }
}
