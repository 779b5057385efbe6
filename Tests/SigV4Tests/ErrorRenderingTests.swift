import Foundation
import SigV4
import Testing

@Suite("Error rendering per protocol style")
struct ErrorRenderingTests {
    private static let mismatch = SigV4Error.signatureMismatch(
        SignatureMismatch(accessKeyId: "AKID", stringToSign: "AWS4-HMAC-SHA256\nX", signatureProvided: "abc", canonicalRequest: "GET\n/")
    )

    @Test("signature mismatch in every style")
    func signatureMismatch() {
        let s3 = Self.mismatch.wireError(.s3Xml)
        #expect(s3.code == "SignatureDoesNotMatch")
        #expect(s3.httpStatus == 403)
        #expect(s3.message == "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        #expect(
            s3.extraElements.map(\.0)
                == ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"]
        )
        #expect(s3.extraElements[3].1 == "41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a 58")
        #expect(s3.extraElements[5].1 == "47 45 54 0a 2f")

        let json = Self.mismatch.wireError(.json)
        #expect(json.code == "InvalidSignatureException")
        #expect(json.httpStatus == 400)
        #expect(
            json.message
                == "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
                + "Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'GET\n/'\n\n"
                + "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\nX'\n"
        )
        #expect(Self.mismatch.wireError(.restJson).httpStatus == 403)
        let query = Self.mismatch.wireError(.queryXml)
        #expect(query.code == "SignatureDoesNotMatch")
        #expect(query.httpStatus == 403)
        #expect(query.extraElements.isEmpty)
    }

    @Test(
        "codes per style",
        arguments: [
            (SigV4Error.missingAuthentication, "AccessDenied", "MissingAuthenticationTokenException", "MissingAuthenticationToken"),
            (.unknownAccessKey("AKID"), "InvalidAccessKeyId", "UnrecognizedClientException", "InvalidClientTokenId"),
            (.invalidToken(accessKeyId: "ASIA", token: "t"), "InvalidToken", "UnrecognizedClientException", "InvalidClientTokenId"),
            (.invalidToken(accessKeyId: "ASIA", token: nil), "InvalidAccessKeyId", "UnrecognizedClientException", "InvalidClientTokenId"),
            (.expiredToken(token: "t"), "ExpiredToken", "ExpiredTokenException", "ExpiredToken"),
            (
                .authorizationMissingComponents(authorization: "x", missing: [.credential]), "AuthorizationHeaderMalformed",
                "IncompleteSignatureException", "IncompleteSignature"
            ),
            (.presignExpiresTooLarge, "AuthorizationQueryParametersError", "IncompleteSignatureException", "IncompleteSignature"),
            (.incompleteBody, "IncompleteBody", "IncompleteBody", "IncompleteBody"),
        ]
    )
    func codes(error: SigV4Error, s3: String, json: String, query: String) {
        #expect(error.wireError(.s3Xml).code == s3)
        #expect(error.wireError(.json).code == json)
        #expect(error.wireError(.restJson).code == json)
        #expect(error.wireError(.queryXml).code == query)
    }

    @Test("token errors carry AWS's texts")
    func tokenTexts() {
        let expired = SigV4Error.expiredToken(token: "tok")
        #expect(expired.wireError(.json).message == "The security token included in the request is expired")
        #expect(
            expired.wireError(.s3Xml)
                == WireError(code: "ExpiredToken", message: "The provided token has expired.", httpStatus: 400, extraElements: [("Token-0", "tok")])
        )
        let invalid = SigV4Error.invalidToken(accessKeyId: "ASIA", token: "tok")
        #expect(invalid.wireError(.s3Xml).message == "The provided token is malformed or otherwise invalid.")
        #expect(invalid.wireError(.queryXml).httpStatus == 403)
    }

    @Test("S3 time and expiry errors format their dates")
    func s3Dates() {
        let now = Date(timeIntervalSince1970: 1_704_068_700)  // 2024-01-01T00:25:00Z
        let skew = SigV4Error.requestTimeTooSkewed(
            requestTime: "20240101T000000Z",
            requestDate: Date(timeIntervalSince1970: 1_704_067_200),
            serverTime: now,
            maxSkew: 900
        )
        #expect(
            skew.wireError(.s3Xml)
                == WireError(
                    code: "RequestTimeTooSkewed",
                    message: "The difference between the request time and the current time is too large.",
                    httpStatus: 403,
                    extraElements: [
                        ("RequestTime", "20240101T000000Z"), ("ServerTime", "2024-01-01T00:25:00Z"), ("MaxAllowedSkewMilliseconds", "900000"),
                    ]
                )
        )
        let v2 = SigV4Error.sigV2Expired(expiresAt: Date(timeIntervalSince1970: 1_704_067_200), serverTime: now)
        #expect(v2.wireError(.s3Xml).extraElements.map(\.1) == ["2024-01-01T00:00:00Z", "2024-01-01T00:25:00Z"])
        #expect(v2.wireError(.s3Xml).code == "AccessDenied")
    }
}

@Suite("Credential store")
struct CredentialStoreTests {
    @Test("default key, long-term and temporary credentials, principals")
    func store() {
        let store = CredentialStore()
        #expect(store.lookup(accessKeyId: "test") == SigningCredential(accessKeyId: "test", secretAccessKey: "test"))
        store.addLongTerm(accessKeyId: "AKIA1", secretAccessKey: "s1", principal: "arn:aws:iam::000000000000:user/alice")
        #expect(store.principal(for: "AKIA1") == "arn:aws:iam::000000000000:user/alice")
        let now = Date(timeIntervalSince1970: 1_704_067_200)
        let temporary = store.issueTemporary(principal: "arn:aws:sts::000000000000:assumed-role/r/s", duration: 3600, now: now)
        #expect(temporary.accessKeyId.hasPrefix("ASIA"))
        #expect(temporary.accessKeyId.count == 20)
        #expect(store.lookup(accessKeyId: temporary.accessKeyId)?.sessionToken == temporary.sessionToken)
        #expect(store.principal(for: temporary.accessKeyId) == "arn:aws:sts::000000000000:assumed-role/r/s")
        store.purgeExpired(now: now.addingTimeInterval(3601))
        #expect(store.lookup(accessKeyId: temporary.accessKeyId) == nil)
        #expect(store.lookup(accessKeyId: "AKIA1") != nil)
        store.remove(accessKeyId: "AKIA1")
        #expect(store.lookup(accessKeyId: "AKIA1") == nil)
    }

    @Test("issued session tokens carry a tag only this store's issuer key opens")
    func issuedTokens() {
        let store = CredentialStore()
        let now = Date(timeIntervalSince1970: 1_704_067_200)
        let issued = store.issueTemporary(principal: "arn:aws:sts::000000000000:assumed-role/r/s", duration: 900, now: now)
        #expect(store.issuedTokenExpiry(accessKeyId: issued.accessKeyId, sessionToken: issued.sessionToken) == issued.expiration)
        #expect(store.issuedTokenExpiry(accessKeyId: "ASIAOTHER00000000000", sessionToken: issued.sessionToken) == nil)
        var tampered = Array(issued.sessionToken)
        tampered[20] = tampered[20] == "A" ? "B" : "A"
        #expect(store.issuedTokenExpiry(accessKeyId: issued.accessKeyId, sessionToken: String(tampered)) == nil)
        #expect(store.issuedTokenExpiry(accessKeyId: issued.accessKeyId, sessionToken: "short") == nil)
        #expect(CredentialStore().issuedTokenExpiry(accessKeyId: issued.accessKeyId, sessionToken: issued.sessionToken) == nil)
        // Purged at expiry; a request still carrying it is an expired token, a forged one an unknown key, a long-term
        // unknown key neither.
        #expect(store.purgeExpired(now: now.addingTimeInterval(899)).isEmpty)
        #expect(store.purgeExpired(now: now.addingTimeInterval(900)) == [issued.accessKeyId])
        #expect(store.temporaryCount == 0)
        #expect(
            store.unknownKeyError(accessKeyId: issued.accessKeyId, sessionToken: issued.sessionToken) == .expiredToken(token: issued.sessionToken)
        )
        #expect(store.unknownKeyError(accessKeyId: "ASIAFORGED0000000000", sessionToken: "t") == .unknownAccessKey("ASIAFORGED0000000000"))
        #expect(store.unknownKeyError(accessKeyId: "ASIAFORGED0000000000", sessionToken: nil) == .unknownAccessKey("ASIAFORGED0000000000"))
        #expect(store.unknownKeyError(accessKeyId: "AKIAUNKNOWN", sessionToken: nil) == nil)
        // Absurd durations cannot trap.
        let far = store.issueTemporary(principal: "p", duration: .infinity, now: now)
        #expect(store.issuedTokenExpiry(accessKeyId: far.accessKeyId, sessionToken: far.sessionToken) == now)
    }

    @Test("credentials INI parsing")
    func ini() {
        let text = """
            # comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = secret/default
            [profile dev]
            aws_access_key_id=AKIDDEV
            aws_secret_access_key=devsecret
            aws_session_token = tok
            [broken]
            aws_access_key_id = ONLYID
            """
        let parsed = CredentialStore.parseCredentialsINI(text)
        #expect(parsed.count == 2)
        #expect(parsed["default"] == SigningCredential(accessKeyId: "AKIDDEFAULT", secretAccessKey: "secret/default"))
        #expect(parsed["dev"]?.sessionToken == "tok")
        let store = CredentialStore(longTerm: [])
        #expect(store.addCredentials(fromINI: text) == 2)
        #expect(store.lookup(accessKeyId: "AKIDDEV")?.secretAccessKey == "devsecret")
        #expect(store.lookup(accessKeyId: "test") == nil)
    }
}
