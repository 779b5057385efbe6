import Foundation
import SigV4
import Testing

@Suite("Requests signed by botocore")
struct BotocoreTests {
    private let verifier = SigV4Verifier()
    private static let permanent = SigningCredential(accessKeyId: "AKIDBOTOCORE", secretAccessKey: "botocore/secret+key")

    private func temporary(expiration: Date) -> SigningCredential {
        SigningCredential(accessKeyId: "ASIABOTOCORETEMP", secretAccessKey: "temp-secret", sessionToken: "session-token-123", expiration: expiration)
    }

    private func verify(
        _ testCase: BotocoreCase,
        request: SigV4Request? = nil,
        now: Date,
        credentials: [SigningCredential]? = nil
    ) throws(SigV4Error) -> Authentication {
        try verifier.verify(
            request ?? testCase.request,
            bodySHA256Hex: testCase.bodySHA256,
            style: testCase.serviceStyle,
            now: now,
            bucketForSigV2: testCase.bucket,
            lookup: Fixture.lookup(credentials ?? [Self.permanent, temporary(expiration: now.addingTimeInterval(3600))]),
            unknownKeys: .reject
        )
    }

    private func replacingHeader(_ request: SigV4Request, _ name: String, with value: String) -> SigV4Request {
        var copy = request
        copy.headers = copy.headers.map { $0.name.lowercased() == name.lowercased() ? (name: $0.name, value: value) : $0 }
        return copy
    }

    static let caseNames = [
        "dynamodb-post", "dynamodb-post-temporary", "s3-put-signed-payload", "s3-put-unsigned-payload", "s3-presigned-get",
        "s3-sigv2-presigned", "s3-sigv2-presigned-temporary", "s3-sigv2-header", "s3-unsigned-trailer",
    ]

    @Test("botocore signature verifies", arguments: caseNames)
    func verifies(name: String) throws {
        let output = try Botocore.load()
        let testCase = try Botocore.find(name)
        let auth = try verify(testCase, now: Date(timeIntervalSince1970: output.now))
        #expect(auth.signatureVerified)
        #expect(auth.accessKeyId == (name.contains("temporary") ? "ASIABOTOCORETEMP" : "AKIDBOTOCORE"))
        if name.contains("temporary") { #expect(auth.sessionToken == "session-token-123") }
        switch name {
        case "s3-presigned-get": #expect(auth.kind == .presigned)
        case "s3-sigv2-presigned", "s3-sigv2-presigned-temporary": #expect(auth.kind == .sigV2Query)
        case "s3-sigv2-header": #expect(auth.kind == .sigV2Header)
        default: #expect(auth.kind == .header)
        }
    }

    @Test("wrong secret is rejected", arguments: caseNames)
    func wrongSecret(name: String) throws {
        let output = try Botocore.load()
        let testCase = try Botocore.find(name)
        let now = Date(timeIntervalSince1970: output.now)
        let wrong = [
            SigningCredential(accessKeyId: "AKIDBOTOCORE", secretAccessKey: "other"),
            SigningCredential(accessKeyId: "ASIABOTOCORETEMP", secretAccessKey: "other", sessionToken: "session-token-123"),
        ]
        let error = Fixture.error { () throws(SigV4Error) in try verify(testCase, now: now, credentials: wrong) }
        guard case .signatureMismatch(let mismatch) = error else {
            Issue.record("expected signatureMismatch, got \(String(describing: error))")
            return
        }
        #expect(mismatch.accessKeyId.hasPrefix(name.contains("temporary") ? "ASIA" : "AKID"))
        let s3 = try #require(error).wireError(.s3Xml)
        #expect(s3.code == "SignatureDoesNotMatch")
        #expect(s3.httpStatus == 403)
        #expect(s3.extraElements.map(\.0).starts(with: ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes"]))
    }

    @Test("a changed signed header fails with InvalidSignatureException")
    func tamperedHeader() throws {
        let output = try Botocore.load()
        let testCase = try Botocore.find("dynamodb-post")
        let tampered = replacingHeader(testCase.request, "X-Amz-Target", with: "DynamoDB_20120810.DeleteTable")
        let error = Fixture.error { () throws(SigV4Error) in try verify(testCase, request: tampered, now: Date(timeIntervalSince1970: output.now)) }
        let wire = try #require(error).wireError(.json)
        #expect(wire.code == "InvalidSignatureException")
        #expect(wire.httpStatus == 400)
        #expect(wire.message.hasPrefix("The request signature we calculated does not match the signature you provided."))
        #expect(wire.message.contains("x-amz-target:DynamoDB_20120810.DeleteTable"))
    }

    @Test("a body that does not match the signed hash is rejected")
    func tamperedBody() throws {
        let output = try Botocore.load()
        let testCase = try Botocore.find("dynamodb-post")
        let error = Fixture.error { () throws(SigV4Error) in
            try verifier.verify(
                testCase.request,
                bodySHA256Hex: SigV4Encoding.sha256Hex(Array("{}".utf8)),
                style: .standard,
                now: Date(timeIntervalSince1970: output.now),
                lookup: Fixture.lookup([Self.permanent]),
                unknownKeys: .reject
            )
        }
        #expect(error?.wireError(.json).code == "InvalidSignatureException")
    }

    @Test("a changed query value fails the presigned S3 URL")
    func tamperedQuery() throws {
        let output = try Botocore.load()
        let testCase = try Botocore.find("s3-presigned-get")
        var request = testCase.request
        request.query = request.query.replacingOccurrences(of: "image%2Fjpeg", with: "text%2Fhtml")
        #expect(request.query != testCase.query)
        let error = Fixture.error { () throws(SigV4Error) in try verify(testCase, request: request, now: Date(timeIntervalSince1970: output.now)) }
        let wire = try #require(error).wireError(.s3Xml)
        #expect(wire.code == "SignatureDoesNotMatch")
        let canonical = try #require(wire.extraElements.first { $0.0 == "CanonicalRequest" }?.1)
        #expect(canonical.contains("response-content-type=text%2Fhtml"))
        #expect(canonical.hasSuffix("UNSIGNED-PAYLOAD"))
        #expect(wire.extraElements.map(\.0).contains("CanonicalRequestBytes"))
    }

    @Test("a changed SigV2 sub-resource fails")
    func tamperedSigV2() throws {
        let output = try Botocore.load()
        let testCase = try Botocore.find("s3-sigv2-presigned")
        var request = testCase.request
        request.query = request.query.replacingOccurrences(of: "versionId=v1", with: "versionId=v2")
        let error = Fixture.error { () throws(SigV4Error) in try verify(testCase, request: request, now: Date(timeIntervalSince1970: output.now)) }
        guard case .signatureMismatch(let mismatch) = error else {
            Issue.record("expected signatureMismatch, got \(String(describing: error))")
            return
        }
        #expect(mismatch.stringToSign.hasSuffix("/my-bucket/hello.txt?versionId=v2"))
        #expect(mismatch.canonicalRequest == nil)
    }

    @Test("a skewed clock fails header-signed requests")
    func skewedClock() throws {
        let output = try Botocore.load()
        let testCase = try Botocore.find("dynamodb-post")
        let later = Date(timeIntervalSince1970: output.now + 20 * 60)
        let error = Fixture.error { () throws(SigV4Error) in try verify(testCase, now: later) }
        let json = try #require(error).wireError(.json)
        #expect(json.code == "InvalidSignatureException")
        #expect(json.message.hasPrefix("Signature expired: "))
        #expect(json.message.hasSuffix(" - 15 min.)"))
        let s3Case = try Botocore.find("s3-put-signed-payload")
        let s3Error = Fixture.error { () throws(SigV4Error) in try verify(s3Case, now: later) }
        let s3 = try #require(s3Error).wireError(.s3Xml)
        #expect(s3.code == "RequestTimeTooSkewed")
        #expect(s3.extraElements.map(\.0) == ["RequestTime", "ServerTime", "MaxAllowedSkewMilliseconds"])
        #expect(s3.extraElements.last?.1 == "900000")
    }

    @Test("expired presigned URLs fail")
    func expiredPresigned() throws {
        let output = try Botocore.load()
        let later = Date(timeIntervalSince1970: output.now + 3_700)
        let presigned = try Botocore.find("s3-presigned-get")
        let v4 = Fixture.error { () throws(SigV4Error) in try verify(presigned, now: later) }
        let v4Wire = try #require(v4).wireError(.s3Xml)
        #expect(v4Wire.code == "AccessDenied")
        #expect(v4Wire.message == "Request has expired")
        #expect(v4Wire.extraElements.map(\.0) == ["X-Amz-Expires", "Expires", "ServerTime"])
        #expect(v4Wire.extraElements.first?.1 == "3600")
        let sigV2 = try Botocore.find("s3-sigv2-presigned")
        let v2 = Fixture.error { () throws(SigV4Error) in try verify(sigV2, now: later) }
        let v2Wire = try #require(v2).wireError(.s3Xml)
        #expect(v2Wire.message == "Request has expired")
        #expect(v2Wire.extraElements.map(\.0) == ["Expires", "ServerTime"])
    }

    @Test("temporary credentials: expired and wrong token")
    func temporaryCredentials() throws {
        let output = try Botocore.load()
        let now = Date(timeIntervalSince1970: output.now)
        let testCase = try Botocore.find("dynamodb-post-temporary")
        let expired = Fixture.error { () throws(SigV4Error) in
            try verify(testCase, now: now, credentials: [temporary(expiration: now.addingTimeInterval(-1))])
        }
        #expect(expired == .expiredToken(token: "session-token-123"))
        #expect(expired?.wireError(.json).code == "ExpiredTokenException")
        var other = temporary(expiration: now.addingTimeInterval(60))
        other.sessionToken = "another-token"
        let wrong = Fixture.error { () throws(SigV4Error) in try verify(testCase, now: now, credentials: [other]) }
        #expect(
            wrong?.wireError(.json)
                == WireError(code: "UnrecognizedClientException", message: "The security token included in the request is invalid.", httpStatus: 400)
        )
        let sigV2 = try Botocore.find("s3-sigv2-presigned-temporary")
        let v2Expired = Fixture.error { () throws(SigV4Error) in
            try verify(sigV2, now: now, credentials: [temporary(expiration: now.addingTimeInterval(-1))])
        }
        let s3 = try #require(v2Expired).wireError(.s3Xml)
        #expect(s3.code == "ExpiredToken")
        #expect(s3.extraElements.first?.0 == "Token-0")
    }

    @Test("S3 payload hash helper and aws-chunked unsigned trailer body")
    func s3Payloads() throws {
        let output = try Botocore.load()
        let now = Date(timeIntervalSince1970: output.now)
        let put = try Botocore.find("s3-put-signed-payload")
        let declared = try #require(put.request.header("x-amz-content-sha256"))
        try SigV4.checkContentSHA256(declared: declared, computedHex: put.bodySHA256)
        #expect(throws: SigV4Error.self) { try SigV4.checkContentSHA256(declared: declared, computedHex: SigV4Encoding.emptySHA256Hex) }

        let chunked = try Botocore.find("s3-unsigned-trailer")
        let auth = try verify(chunked, now: now)
        #expect(auth.payloadMode == .streamingUnsignedTrailer)
        var decoder = AWSChunkedDecoder(
            mode: try #require(auth.payloadMode),
            context: auth.chunkContext,
            decodedContentLength: Int(chunked.request.header("x-amz-decoded-content-length") ?? "")
        )
        let body = Fixture.bytes(hex: chunked.bodyHex)
        var decoded: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let end = min(offset + 1_000, body.count)
            decoded += try decoder.feed(body[offset..<end])
            offset = end
        }
        let trailers = try decoder.finish()
        #expect(decoded == Fixture.bytes(hex: try #require(chunked.decodedHex)))
        #expect(trailers.map(\.name) == ["x-amz-checksum-crc32"])
    }
}
