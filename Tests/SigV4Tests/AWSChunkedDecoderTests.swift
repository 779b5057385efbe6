import Foundation
import SigV4
import Testing

/// AWS's published "Transferring Payload in Multiple Chunks" example (and the aws-crt trailer vector built on it).
enum ChunkedExample {
    static let credential = SigningCredential(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z
    static let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    static let chunk1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
    static let chunk2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
    static let final = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
    static let trailerSignature = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c"

    static let request = SigV4Request(
        method: "PUT",
        path: "/examplebucket/chunkObject.txt",
        headers: [
            (name: "Host", value: "s3.amazonaws.com"), (name: "x-amz-date", value: "20130524T000000Z"),
            (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
            (
                name: "Authorization",
                value: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;"
                    + "content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=\(seed)"
            ),
            (name: "x-amz-content-sha256", value: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), (name: "Content-Encoding", value: "aws-chunked"),
            (name: "x-amz-decoded-content-length", value: "66560"), (name: "Content-Length", value: "66824"),
        ]
    )

    static func chunk(_ size: Int, _ signature: String, byte: UInt8 = 97) -> [UInt8] {
        Array((String(size, radix: 16) + ";chunk-signature=" + signature + "\r\n").utf8) + [UInt8](repeating: byte, count: size) + [13, 10]
    }

    static var body: [UInt8] { chunk(65_536, chunk1) + chunk(1_024, chunk2) + Array("0;chunk-signature=\(final)\r\n\r\n".utf8) }

    static var trailerBody: [UInt8] {
        chunk(65_536, chunk1) + chunk(1_024, chunk2)
            + Array("0;chunk-signature=\(final)\r\nfirst:1st\r\nsecond:2nd\r\nthird:3rd\r\nx-amz-trailer-signature:\(trailerSignature)\r\n\r\n".utf8)
    }

    static func context() throws -> ChunkSigningContext {
        let auth = try SigV4Verifier()
            .verify(request, bodySHA256Hex: nil, style: .s3, now: date, lookup: Fixture.lookup([credential]), unknownKeys: .reject)
        guard let context = auth.chunkContext else { throw SigV4Error.malformedChunk }
        return context
    }

    /// A small signed body built with the example's signing key (chunk sizes 5, 3, 0).
    static func smallSignedBody(context: ChunkSigningContext) -> (body: [UInt8], payload: [UInt8]) {
        var previous = context.seedSignature
        var body: [UInt8] = []
        var payload: [UInt8] = []
        for data in [Array("hello".utf8), Array("abc".utf8), []] {
            let signature = context.sign(
                context.chunkStringToSign(previousSignature: previous, chunkSHA256Hex: SigV4Encoding.sha256Hex(data))
            )
            body += Array((String(data.count, radix: 16) + ";chunk-signature=" + signature + "\r\n").utf8) + data + [13, 10]
            payload += data
            previous = signature
        }
        return (body, payload)
    }
}

@Suite("aws-chunked decoder")
struct AWSChunkedDecoderTests {
    private func decode(
        _ body: [UInt8],
        pieces: [Int],
        mode: PayloadSigningMode,
        context: ChunkSigningContext?,
        length: Int?,
        minimum: Int = 8_192
    ) throws(SigV4Error) -> (payload: [UInt8], trailers: [(name: String, value: String)]) {
        var decoder = AWSChunkedDecoder(mode: mode, context: context, decodedContentLength: length, minimumChunkSize: minimum)
        var output: [UInt8] = []
        var offset = 0
        var pieceIndex = 0
        while offset < body.count {
            let size = pieces.isEmpty ? body.count : max(1, pieces[pieceIndex % pieces.count])
            pieceIndex += 1
            let end = min(body.count, offset + size)
            output += try decoder.feed(body[offset..<end])
            offset = end
        }
        let trailers = try decoder.finish()
        #expect(decoder.isComplete)
        return (output, trailers)
    }

    @Test("AWS example: seed signature and chunk signatures verify", arguments: [[1], [7], [4_096], [70_000], [3, 65_000, 11]])
    func awsExample(pieces: [Int]) throws {
        let context = try ChunkedExample.context()
        #expect(context.seedSignature == ChunkedExample.seed)
        #expect(context.scope == "20130524/us-east-1/s3/aws4_request")
        let result = try decode(ChunkedExample.body, pieces: pieces, mode: .streamingSigned, context: context, length: 66_560)
        #expect(result.payload == [UInt8](repeating: 97, count: 66_560))
        #expect(result.trailers.isEmpty)
    }

    @Test("signed trailer vector verifies")
    func signedTrailer() throws {
        let context = try ChunkedExample.context()
        let result = try decode(ChunkedExample.trailerBody, pieces: [1_000], mode: .streamingSignedTrailer, context: context, length: 66_560)
        #expect(result.payload.count == 66_560)
        #expect(result.trailers.map(\.name) == ["first", "second", "third"])
        #expect(result.trailers.map(\.value) == ["1st", "2nd", "3rd"])
    }

    @Test("tampered trailer value fails")
    func tamperedTrailer() throws {
        let context = try ChunkedExample.context()
        var body = ChunkedExample.trailerBody
        let marker = Array("2nd".utf8)
        let position = try #require((0..<(body.count - 3)).first { Array(body[$0..<($0 + 3)]) == marker })
        body[position] = UInt8(ascii: "3")
        let error = Fixture.failure { () throws(SigV4Error) in
            _ = try decode(body, pieces: [], mode: .streamingSignedTrailer, context: context, length: nil)
        }
        guard case .signatureMismatch(let mismatch) = error else {
            Issue.record("expected signatureMismatch, got \(String(describing: error))")
            return
        }
        #expect(mismatch.stringToSign.hasPrefix("AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n"))
    }

    @Test("every split position of a small signed body decodes")
    func everySplit() throws {
        let context = try ChunkedExample.context()
        let (body, payload) = ChunkedExample.smallSignedBody(context: context)
        for split in 0...body.count {
            var decoder = AWSChunkedDecoder(mode: .streamingSigned, context: context, decodedContentLength: payload.count, minimumChunkSize: 0)
            var output = try decoder.feed(body[..<split])
            output += try decoder.feed(body[split...])
            _ = try decoder.finish()
            #expect(output == payload, "split at \(split)")
        }
        let byteByByte = try decode(body, pieces: [1], mode: .streamingSigned, context: context, length: payload.count, minimum: 0)
        #expect(byteByByte.payload == payload)
    }

    @Test("every split position of an unsigned trailer body decodes")
    func everySplitUnsigned() throws {
        let body = Array("5\r\nhello\r\n3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n".utf8)
        for split in 0...body.count {
            var decoder = AWSChunkedDecoder(mode: .streamingUnsignedTrailer, context: nil, decodedContentLength: 8)
            var output = try decoder.feed(body[..<split])
            output += try decoder.feed(body[split...])
            let trailers = try decoder.finish()
            #expect(output == Array("helloabc".utf8), "split at \(split)")
            #expect(trailers.first?.name == "x-amz-checksum-crc32")
            #expect(trailers.first?.value == "NhCmhg==")
        }
    }

    @Test("tampered chunk data or signature fails with SignatureDoesNotMatch")
    func tamperedChunk() throws {
        let context = try ChunkedExample.context()
        var body =
            ChunkedExample.chunk(65_536, ChunkedExample.chunk1) + ChunkedExample.chunk(1_024, ChunkedExample.chunk2, byte: 98)
            + Array("0;chunk-signature=\(ChunkedExample.final)\r\n\r\n".utf8)
        var error = Fixture.failure { () throws(SigV4Error) in
            _ = try decode(body, pieces: [512], mode: .streamingSigned, context: context, length: nil)
        }
        #expect(error?.wireError(.s3Xml).code == "SignatureDoesNotMatch")
        body = ChunkedExample.body
        body[30] = body[30] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        error = Fixture.failure { () throws(SigV4Error) in
            _ = try decode(body, pieces: [512], mode: .streamingSigned, context: context, length: nil)
        }
        guard case .signatureMismatch(let mismatch) = error else {
            Issue.record("expected signatureMismatch, got \(String(describing: error))")
            return
        }
        #expect(
            mismatch.stringToSign.hasPrefix("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\(ChunkedExample.seed)")
        )
    }

    @Test("malformed bodies are rejected with S3-shaped errors")
    func malformed() throws {
        let cases: [([UInt8], PayloadSigningMode, Int?, String)] = [
            (Array("zz;chunk-signature=00\r\n".utf8), .streamingSigned, nil, "IncompleteBody"),
            (Array("5\r\nhel".utf8), .streamingUnsignedTrailer, nil, "IncompleteBody"),
            (Array("5\r\nhelloXX".utf8), .streamingUnsignedTrailer, nil, "IncompleteBody"),
            (Array("5\r\nhello\r\n0\r\n\r\n".utf8), .streamingUnsignedTrailer, 6, "IncompleteBody"),
            (Array("5\r\nhello\r\n0\r\nbad trailer line\r\n\r\n".utf8), .streamingUnsignedTrailer, nil, "MalformedTrailerError"),
            (Array("5\r\nhello\r\n0\r\n\r\nextra".utf8), .streamingUnsignedTrailer, nil, "IncompleteBody"),
            (
                ChunkedExample.chunk(100, ChunkedExample.chunk1) + ChunkedExample.chunk(100, ChunkedExample.chunk2), .streamingSigned, nil,
                "IncompleteBody"
            ),
        ]
        for (index, (body, mode, length, code)) in cases.enumerated() {
            let error = Fixture.failure { () throws(SigV4Error) in
                _ = try decode(body, pieces: [], mode: mode, context: nil, length: length, minimum: 0)
            }
            #expect(error?.wireError(.s3Xml).code == code, "case \(index)")
        }
    }

    @Test("signed chunks smaller than 8 KiB before the last one are rejected")
    func chunkSize() throws {
        let context = try ChunkedExample.context()
        let body = ChunkedExample.chunk(100, ChunkedExample.chunk1) + ChunkedExample.chunk(100, ChunkedExample.chunk2)
        var decoder = AWSChunkedDecoder(mode: .streamingSigned, context: nil, decodedContentLength: nil)
        let error = Fixture.failure { () throws(SigV4Error) in
            _ = try decoder.feed(body)
        }
        #expect(error == .invalidChunkSize(chunk: 1, size: 100))
        let wire = try #require(error).wireError(.s3Xml)
        #expect(wire.code == "InvalidChunkSizeError")
        #expect(wire.extraElements.map(\.0) == ["Chunk", "BadChunkSize"])
        #expect(context.seedSignature == ChunkedExample.seed)
    }
}
