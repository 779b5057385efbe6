import EmulatorCore
import Foundation
import SigV4

/// Fuzzing of request authentication.
enum SigV4Fuzzing {
    /// The instant the verifier runs at: the corpus requests are signed for 2024-01-01.
    private static let now = Date(timeIntervalSince1970: 1_704_067_200)
    /// The latest virtual time the clock can reach, to drive skew and expiry messages at the far end.
    private static let lateNow = Date(timeIntervalSince1970: 1_704_067_200 + VirtualClock.maximumOffset)

    private static let credentials = [
        SigningCredential(accessKeyId: "test", secretAccessKey: "test"),
        SigningCredential(accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret"),
        SigningCredential(
            accessKeyId: "ASIATEMPORARY",
            secretAccessKey: "temporary-secret",
            sessionToken: "token",
            expiration: Date(timeIntervalSince1970: 1_704_070_800)
        ),
    ]

    private static func lookup(_ id: String) -> SigningCredential? {
        credentials.first { $0.accessKeyId == id }
    }

    /// Parses `METHOD target` then `Name: value` lines, as a lenient HTTP/1.1 request head.
    static func request(_ bytes: [UInt8]) -> SigV4Request {
        var lines = FuzzInput.lines(bytes)[...]
        let requestLine = lines.popFirst() ?? ""
        let words = requestLine.split(separator: " ", omittingEmptySubsequences: true)
        let method = words.first.map(String.init) ?? "GET"
        let target = words.dropFirst().first.map(String.init) ?? "/"
        var path = target
        var query = ""
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        }
        var headers: [(name: String, value: String)] = []
        while let line = lines.popFirst(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        return SigV4Request(method: method, path: path, query: query, headers: headers)
    }

    /// Verifies the request every way the gateway can, and renders every outcome.
    static func run(_ bytes: [UInt8]) {
        let request = request(bytes)
        FuzzInput.consume(SigV4.signingScope(of: request))
        for (style, serverNow) in [(ServiceStyle.s3, now), (.standard, now), (.s3, lateNow), (.standard, lateNow)] {
            for unknownKeys in [UnknownKeyPolicy.acceptUnverified, .reject] {
                do throws(SigV4Error) {
                    let authentication = try SigV4Verifier()
                        .verify(
                            request,
                            bodySHA256Hex: SigV4Encoding.emptySHA256Hex,
                            style: style,
                            now: serverNow,
                            skewReference: now,
                            bucketForSigV2: style == .s3 ? "b" : nil,
                            lookup: lookup,
                            unknownKeys: unknownKeys
                        )
                    FuzzInput.consume(SigV4Encoding.amzDate(authentication.requestDate))
                    FuzzInput.consume(authentication.expiresAt.map(SigV4Encoding.isoDate))
                } catch {
                    for errorStyle in [ErrorStyle.s3Xml, .json, .restJson, .queryXml] {
                        let wire = error.wireError(errorStyle)
                        FuzzInput.consume(wire.message + wire.extraElements.map { $0.0 + $0.1 }.joined())
                    }
                }
            }
        }
        if let declared = request.header("x-amz-content-sha256") {
            FuzzInput.consume(try? SigV4.checkContentSHA256(declared: declared, computedHex: SigV4Encoding.emptySHA256Hex))
        }
        for header in request.headers {
            FuzzInput.consume(SigV4Encoding.parseHTTPDate(header.value).map(SigV4Encoding.isoDate))
        }
    }

    /// Decodes an `aws-chunked` body: the first byte picks the mode and how the body is split into reads.
    static func runChunked(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        let modes: [PayloadSigningMode] = [.streamingUnsignedTrailer, .streamingSigned, .streamingSignedTrailer, .sha256("")]
        let mode = modes[Int(first & 0x03)]
        let key = SigV4Signing.signingKey(secret: "test", date: "20240101", region: "us-east-1", service: "s3")
        let context = ChunkSigningContext(
            signingKey: key,
            requestTime: "20240101T000000Z",
            scope: "20240101/us-east-1/s3/aws4_request",
            seedSignature: String(repeating: "0", count: 64),
            accessKeyId: "test"
        )
        let declaredLength: Int? = first & 0x04 == 0 ? nil : Int(first >> 3) * 97
        var decoder = AWSChunkedDecoder(
            mode: mode,
            context: context,
            decodedContentLength: declaredLength,
            minimumChunkSize: first & 0x80 == 0 ? 8_192 : 0
        )
        let pieceLength = max(1, Int(first >> 4) * 7)
        do throws(SigV4Error) {
            var offset = 0
            while offset < body.count {
                let end = min(body.count, offset + pieceLength)
                FuzzInput.consume(try decoder.feed(body[offset..<end]))
                offset = end
            }
            FuzzInput.consume(try decoder.finish())
        } catch {
            FuzzInput.consume(error.wireError(.s3Xml))
        }
    }
}
