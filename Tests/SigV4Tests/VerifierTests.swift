import Foundation
import SigV4
import Testing

@Suite("SigV4 verifier rules")
struct VerifierTests {
    private let verifier = SigV4Verifier()

    private func base(
        _ method: String = "GET",
        path: String = "/",
        query: String = "",
        headers: [(name: String, value: String)] = []
    )
        -> SigV4Request
    {
        SigV4Request(method: method, path: path, query: query, headers: [(name: "Host", value: "localhost:4566")] + headers)
    }

    private func signed(
        _ request: SigV4Request,
        style: ServiceStyle = .standard,
        payload: String = SigV4Encoding.emptySHA256Hex
    )
        -> SigV4Request
    {
        SigV4Signing.signHeaders(
            request,
            credential: Fixture.local,
            region: "us-east-1",
            service: style == .s3 ? "s3" : "dynamodb",
            date: Fixture.localDate,
            payloadHash: payload,
            style: style
        )
    }

    private func verify(
        _ request: SigV4Request,
        style: ServiceStyle = .standard,
        now: Date = Fixture.localDate,
        credentials: [SigningCredential] = [Fixture.local],
        unknownKeys: UnknownKeyPolicy = .reject
    ) throws(SigV4Error) -> Authentication {
        try verifier.verify(
            request,
            bodySHA256Hex: nil,
            style: style,
            now: now,
            lookup: Fixture.lookup(credentials),
            unknownKeys: unknownKeys
        )
    }

    private func authorizationRequest(_ value: String, date: Bool = true) -> SigV4Request {
        base(headers: (date ? [(name: "X-Amz-Date", value: "20240101T000000Z")] : []) + [(name: "Authorization", value: value)])
    }

    @Test("self-signed requests verify in both styles, including awkward paths")
    func roundTrip() throws {
        let paths = ["/", "/my-bucket/a%20b/c%2Bd", "/api/resource/x%3Dy", "/bucket/key!with*chars"]
        for path in paths {
            for style in [ServiceStyle.s3, .standard] {
                let request = signed(base("PUT", path: path, query: "b=2&a=1&flag", headers: [(name: "x-amz-meta-k", value: "v")]), style: style)
                let auth = try verify(request, style: style)
                #expect(auth.signatureVerified, "\(path) \(style)")
            }
        }
    }

    @Test("unknown keys: accepted unverified or rejected per policy")
    func unknownKeys() throws {
        let request = signed(base())
        let accepted = try verify(request, credentials: [], unknownKeys: .acceptUnverified)
        #expect(!accepted.signatureVerified)
        #expect(accepted.accessKeyId == "AKIDLOCAL")
        let error = Fixture.error { () throws(SigV4Error) in try verify(request, credentials: []) }
        #expect(error == .unknownAccessKey("AKIDLOCAL"))
        #expect(
            error?.wireError(.json)
                == WireError(code: "UnrecognizedClientException", message: "The security token included in the request is invalid.", httpStatus: 400)
        )
        let s3 = try #require(error).wireError(.s3Xml)
        #expect(s3.code == "InvalidAccessKeyId")
        #expect(s3.message == "The AWS Access Key Id you provided does not exist in our records.")
        #expect(s3.extraElements.first?.0 == "AWSAccessKeyId")
        #expect(error?.wireError(.queryXml).code == "InvalidClientTokenId")
    }

    @Test("unknown temporary-looking keys (ASIA..., or any session token) are refused even when unknown keys are accepted")
    func unknownTemporaryKeys() throws {
        let forged = SigningCredential(accessKeyId: "ASIAFORGED0000000000", secretAccessKey: "x", sessionToken: "forged-token")
        let tokenOnly = SigningCredential(accessKeyId: "AKIDLONGTERM", secretAccessKey: "x", sessionToken: "forged-token")
        let bare = SigningCredential(accessKeyId: "ASIABARE000000000000", secretAccessKey: "x")
        for credential in [forged, tokenOnly, bare] {
            let request = SigV4Signing.signHeaders(
                base(),
                credential: credential,
                region: "us-east-1",
                service: "dynamodb",
                date: Fixture.localDate,
                payloadHash: SigV4Encoding.emptySHA256Hex,
                style: .standard
            )
            let error = Fixture.error { () throws(SigV4Error) in try verify(request, credentials: [], unknownKeys: .acceptUnverified) }
            #expect(error == .unknownAccessKey(credential.accessKeyId), "\(credential.accessKeyId)")
            #expect(
                error?.wireError(.restJson)
                    == WireError(
                        code: "UnrecognizedClientException",
                        message: "The security token included in the request is invalid.",
                        httpStatus: 403
                    )
            )
        }
        let presigned = SigV4Signing.presign(
            base(),
            credential: forged,
            region: "us-east-1",
            service: "s3",
            date: Fixture.localDate,
            expires: 600,
            style: .s3
        )
        let error = Fixture.error { () throws(SigV4Error) in
            try verify(presigned, style: .s3, credentials: [], unknownKeys: .acceptUnverified)
        }
        #expect(error == .unknownAccessKey("ASIAFORGED0000000000"))
        #expect(!SigV4Verifier.looksTemporary(accessKeyId: "AKIDLOCAL", token: nil))
        #expect(!SigV4Verifier.looksTemporary(accessKeyId: "AKIDLOCAL", token: ""))
    }

    @Test("malformed Authorization headers produce AWS's errors")
    func malformedHeaders() throws {
        let missing = Fixture.error { () throws(SigV4Error) in
            try verify(authorizationRequest("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-east-1/dynamodb/aws4_request", date: false))
        }
        let json = try #require(missing).wireError(.json)
        #expect(json.code == "IncompleteSignatureException")
        #expect(
            json.message
                == "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
                + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                + "Authorization=AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-east-1/dynamodb/aws4_request"
        )
        #expect(missing?.wireError(.s3Xml).code == "AuthorizationHeaderMalformed")
        #expect(missing?.wireError(.queryXml).code == "IncompleteSignature")

        let pair = Fixture.error { () throws(SigV4Error) in
            try verify(
                authorizationRequest(
                    "AWS4-HMAC-SHA256 Credential=AKIDLOCAL /20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=ab"
                )
            )
        }
        #expect(
            pair?.wireError(.json).message.hasPrefix("'/20240101/us-east-1/dynamodb/aws4_request' not a valid key=value pair (missing equal-sign)")
                == true
        )

        let credential = Fixture.error { () throws(SigV4Error) in
            try verify(authorizationRequest("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-east-1, SignedHeaders=host, Signature=ab"))
        }
        #expect(
            credential?.wireError(.s3Xml).message
                == "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
        )
        #expect(credential?.wireError(.json).message.hasPrefix("Credential must have exactly 5 slash-delimited elements") == true)

        let terminator = Fixture.error { () throws(SigV4Error) in
            try verify(authorizationRequest("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-east-1/s3/aws4, SignedHeaders=host, Signature=ab"))
        }
        #expect(terminator == .credentialWrongTerminator(terminator: "aws4", presigned: false))

        let bearer = Fixture.error { () throws(SigV4Error) in try verify(authorizationRequest("Bearer abc"), style: .s3) }
        let s3 = try #require(bearer).wireError(.s3Xml)
        #expect(s3.code == "InvalidArgument")
        #expect(s3.message == "Unsupported Authorization Type")
        #expect(s3.extraElements.map(\.0) == ["ArgumentName", "ArgumentValue"])

        let noDate = Fixture.error { () throws(SigV4Error) in
            try verify(
                authorizationRequest(
                    "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab",
                    date: false
                ),
                style: .s3
            )
        }
        #expect(
            noDate?.wireError(.s3Xml)
                == WireError(code: "AccessDenied", message: "AWS authentication requires a valid Date or x-amz-date header", httpStatus: 403)
        )

        let unsigned = Fixture.error { () throws(SigV4Error) in try verify(SigV4Request(method: "GET", path: "/", headers: [])) }
        #expect(unsigned?.wireError(.json).code == "MissingAuthenticationTokenException")
        #expect(unsigned?.wireError(.json).message == "Request is missing Authentication Token")
    }

    @Test("credential date must match the request date")
    func dateMismatch() throws {
        let request = authorizationRequest(
            "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240102/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab"
        )
        let error = Fixture.error { () throws(SigV4Error) in try verify(request, style: .s3) }
        #expect(
            error?.wireError(.s3Xml).message
                == "The authorization header is malformed; Invalid credential date \"20240102\". This date is not the same as X-Amz-Date: \"20240101\"."
        )
        #expect(
            error?.wireError(.json).message
                == "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240102' != '20240101', from '20240101T000000Z'."
        )
    }

    @Test("clock skew wording for expired and future requests")
    func skew() throws {
        let request = signed(base())
        let late = Fixture.error { () throws(SigV4Error) in try verify(request, now: Fixture.localDate.addingTimeInterval(25 * 60)) }
        #expect(
            late?.wireError(.json).message
                == "Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T002500Z - 15 min.)"
        )
        #expect(late?.wireError(.queryXml).code == "SignatureDoesNotMatch")
        #expect(late?.wireError(.queryXml).httpStatus == 403)
        let early = Fixture.error { () throws(SigV4Error) in try verify(request, now: Fixture.localDate.addingTimeInterval(-25 * 60)) }
        #expect(
            early?.wireError(.json).message
                == "Signature not yet current: 20240101T000000Z is still later than 20231231T235000Z (20231231T233500Z + 15 min.)"
        )
        let s3 = try #require(late).wireError(.s3Xml)
        #expect(s3.extraElements.map(\.1) == ["20240101T000000Z", "2024-01-01T00:25:00Z", "900000"])
    }

    @Test("skew is judged on the skew reference (real time) while token expiry follows now (virtual time)")
    func skewReference() throws {
        let temporary = SigningCredential(
            accessKeyId: "ASIATEMPORARY0000000",
            secretAccessKey: "secret",
            sessionToken: "token",
            expiration: Fixture.localDate.addingTimeInterval(3600)
        )
        let request = SigV4Signing.signHeaders(
            base(),
            credential: temporary,
            region: "us-east-1",
            service: "dynamodb",
            date: Fixture.localDate,
            payloadHash: SigV4Encoding.emptySHA256Hex,
            style: .standard
        )
        func check(virtualAhead seconds: TimeInterval) throws(SigV4Error) -> Authentication {
            try verifier.verify(
                request,
                bodySHA256Hex: nil,
                style: .standard,
                now: Fixture.localDate.addingTimeInterval(seconds),
                skewReference: Fixture.localDate,
                lookup: Fixture.lookup([temporary]),
                unknownKeys: .reject
            )
        }
        #expect(try check(virtualAhead: 59 * 60).signatureVerified)
        let expired = Fixture.error { () throws(SigV4Error) in try check(virtualAhead: 3600) }
        #expect(expired?.wireError(.json).code == "ExpiredTokenException")
        #expect(expired?.wireError(.queryXml).code == "ExpiredToken")
    }

    @Test("S3 requires x-amz-content-sha256 with a valid value and signed x-amz headers")
    func s3Rules() throws {
        let plain = SigV4Signing.signHeaders(
            base(),
            credential: Fixture.local,
            region: "us-east-1",
            service: "s3",
            date: Fixture.localDate,
            payloadHash: SigV4Encoding.emptySHA256Hex,
            style: .standard
        )
        let missing = Fixture.error { () throws(SigV4Error) in try verify(plain, style: .s3) }
        #expect(missing?.wireError(.s3Xml).message == "Missing required header for this request: x-amz-content-sha256")
        let bad = Fixture.error { () throws(SigV4Error) in try verify(signed(base(), style: .s3, payload: "NOPE"), style: .s3) }
        #expect(bad?.wireError(.s3Xml).code == "InvalidArgument")
        var extra = signed(base(), style: .s3, payload: "UNSIGNED-PAYLOAD")
        extra.headers.append((name: "x-amz-meta-late", value: "1"))
        let unsignedHeader = Fixture.error { () throws(SigV4Error) in try verify(extra, style: .s3) }
        #expect(unsignedHeader == .headersNotSigned(["x-amz-meta-late"]))
        let streaming = try verify(signed(base("PUT"), style: .s3, payload: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), style: .s3)
        #expect(streaming.payloadMode == .streamingSigned)
        #expect(streaming.chunkContext?.scope == "20240101/us-east-1/s3/aws4_request")
        let mismatch = Fixture.failure { () throws(SigV4Error) in
            try SigV4.checkContentSHA256(declared: String(repeating: "a", count: 64), computedHex: SigV4Encoding.emptySHA256Hex)
        }
        let wire = try #require(mismatch).wireError(.s3Xml)
        #expect(wire.code == "XAmzContentSHA256Mismatch")
        #expect(wire.extraElements.map(\.0) == ["ClientComputedContentSHA256", "S3ComputedContentSHA256"])
    }

    @Test("host must be signed")
    func hostSigned() throws {
        let request = authorizationRequest(
            "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=x-amz-date, Signature=ab"
        )
        let error = Fixture.error { () throws(SigV4Error) in try verify(request) }
        #expect(error?.wireError(.json).message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    }

    @Test("presigned S3 URL limits", arguments: [("0", true), ("604800", true), ("604801", false), ("-1", false), ("abc", false)])
    func presignLimits(expires: String, valid: Bool) throws {
        var request = SigV4Signing.presign(
            base(path: "/bucket/key"),
            credential: Fixture.local,
            region: "us-east-1",
            service: "s3",
            date: Fixture.localDate,
            expires: 60,
            style: .s3
        )
        request.query = request.query.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=\(expires)")
        let error = Fixture.error { () throws(SigV4Error) in try verify(request, style: .s3) }
        if valid {
            // The signature no longer matches (the expiry changed) but the limits passed.
            guard case .signatureMismatch = error else {
                Issue.record("expected signature mismatch, got \(String(describing: error))")
                return
            }
        } else {
            #expect(error?.wireError(.s3Xml).code == "AuthorizationQueryParametersError")
        }
        if expires == "604801" {
            #expect(error?.wireError(.s3Xml).message == "X-Amz-Expires must be less than a week (in seconds) that is; 604800")
        }
    }

    @Test("presigned URL: valid, expired, missing parameters")
    func presigned() throws {
        let request = SigV4Signing.presign(
            base(path: "/bucket/key"),
            credential: Fixture.local,
            region: "us-east-1",
            service: "s3",
            date: Fixture.localDate,
            expires: 600,
            style: .s3
        )
        let auth = try verify(request, style: .s3, now: Fixture.localDate.addingTimeInterval(599))
        #expect(auth.kind == .presigned)
        #expect(auth.payloadMode == .unsigned)
        let expired = Fixture.error { () throws(SigV4Error) in try verify(request, style: .s3, now: Fixture.localDate.addingTimeInterval(601)) }
        #expect(
            expired?.wireError(.s3Xml).extraElements.map(\.1) == ["600", "2024-01-01T00:10:00Z", "2024-01-01T00:10:01Z"]
        )
        var partial = request
        partial.query = "X-Amz-Signature=abc"
        let missing = Fixture.error { () throws(SigV4Error) in try verify(partial, style: .s3) }
        #expect(
            missing?.wireError(.s3Xml).message
                == "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, "
                + "X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
        #expect(missing?.wireError(.json).message.hasPrefix("AWS query-string parameters must include 'X-Amz-Algorithm'.") == true)
    }

    @Test("SigV2 header signing with Date and x-amz headers")
    func sigV2Header() throws {
        let stringToSign = "PUT\n\ntext/plain\nMon, 01 Jan 2024 00:00:00 GMT\nx-amz-meta-a:1\n/bucket/key?acl"
        let signature = SigV4Signing.sigV2Signature(secret: "local-secret", stringToSign: stringToSign)
        let request = SigV4Request(
            method: "PUT",
            path: "/key",
            query: "acl",
            headers: [
                (name: "Host", value: "bucket.s3.localhost"), (name: "Content-Type", value: "text/plain"),
                (name: "Date", value: "Mon, 01 Jan 2024 00:00:00 GMT"), (name: "x-amz-meta-a", value: "1"),
                (name: "Authorization", value: "AWS AKIDLOCAL:\(signature)"),
            ]
        )
        let auth = try verifier.verify(
            request,
            bodySHA256Hex: nil,
            style: .s3,
            now: Fixture.localDate,
            bucketForSigV2: "bucket",
            lookup: Fixture.lookup([Fixture.local]),
            unknownKeys: .reject
        )
        #expect(auth.kind == .sigV2Header)
        #expect(auth.signatureVerified)
        let scope = try #require(SigV4.signingScope(of: request))
        #expect(scope == SigningScope(accessKeyId: "AKIDLOCAL", date: nil, region: "us-east-1", service: "s3", kind: .sigV2Header))
        var broken = request
        broken.headers[4].value = "AWS AKIDLOCAL"
        let error = Fixture.error { () throws(SigV4Error) in try verify(broken, style: .s3) }
        #expect(error?.wireError(.s3Xml).message == "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
    }

    @Test("signing scope pre-parse")
    func signingScope() throws {
        let header = signed(base())
        #expect(
            SigV4.signingScope(of: header)
                == SigningScope(accessKeyId: "AKIDLOCAL", date: "20240101", region: "us-east-1", service: "dynamodb", kind: .header)
        )
        let presigned = SigV4Signing.presign(
            base(),
            credential: Fixture.local,
            region: "eu-west-1",
            service: "s3",
            date: Fixture.localDate,
            expires: 60,
            style: .s3
        )
        #expect(SigV4.signingScope(of: presigned)?.region == "eu-west-1")
        #expect(SigV4.signingScope(of: presigned)?.kind == .presigned)
        #expect(SigV4.signingScope(of: base(query: "AWSAccessKeyId=AKID2&Signature=x&Expires=1"))?.kind == .sigV2Query)
        #expect(SigV4.signingScope(of: base()) == nil)
    }
}
