import Crypto
import Foundation
import Synchronization

/// The SigV4 algorithm name.
let sigV4Algorithm = "AWS4-HMAC-SHA256"

/// Everything needed to verify the chunk and trailer signatures of an aws-chunked body.
package struct ChunkSigningContext: Sendable {
    /// The derived signing key bytes (`AWS4` + secret → date → region → service → `aws4_request`).
    package var signingKeyBytes: [UInt8]
    /// The request time in ISO 8601 basic format.
    package var requestTime: String
    /// The credential scope `YYYYMMDD/region/service/aws4_request`.
    package var scope: String
    /// The request signature, which seeds the chunk-signature chain.
    package var seedSignature: String
    /// The access key id (shown in `SignatureDoesNotMatch`).
    package var accessKeyId: String

    /// Creates a context.
    package init(signingKey: SymmetricKey, requestTime: String, scope: String, seedSignature: String, accessKeyId: String) {
        self.signingKeyBytes = signingKey.withUnsafeBytes { Array($0) }
        self.requestTime = requestTime
        self.scope = scope
        self.seedSignature = seedSignature
        self.accessKeyId = accessKeyId
    }

    /// The string to sign for one chunk.
    /// - Parameters:
    ///   - previousSignature: The seed signature for the first chunk, then the previous chunk's signature.
    ///   - chunkSHA256Hex: Hex SHA-256 of the chunk data.
    /// - Returns: The `AWS4-HMAC-SHA256-PAYLOAD` string to sign.
    package func chunkStringToSign(previousSignature: String, chunkSHA256Hex: String) -> String {
        "AWS4-HMAC-SHA256-PAYLOAD\n\(requestTime)\n\(scope)\n\(previousSignature)\n\(SigV4Encoding.emptySHA256Hex)\n\(chunkSHA256Hex)"
    }

    /// The string to sign for the trailer section.
    /// - Parameters:
    ///   - previousSignature: The signature of the final (empty) chunk.
    ///   - trailerSHA256Hex: Hex SHA-256 of the canonical trailers (`name:value\n` each).
    /// - Returns: The `AWS4-HMAC-SHA256-TRAILER` string to sign.
    package func trailerStringToSign(previousSignature: String, trailerSHA256Hex: String) -> String {
        "AWS4-HMAC-SHA256-TRAILER\n\(requestTime)\n\(scope)\n\(previousSignature)\n\(trailerSHA256Hex)"
    }

    /// Hex HMAC-SHA256 of a string to sign with the signing key.
    package func sign(_ stringToSign: String) -> String {
        SigV4Signing.signature(key: SymmetricKey(data: signingKeyBytes), stringToSign: stringToSign)
    }
}

/// SigV4 primitives (signing key, canonical request, string to sign) and a signer used by tests and tools.
package enum SigV4Signing {
    /// Derives the signing key for a date (`YYYYMMDD`), region and service.
    package static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// The signing key for a date, region and service, derived once and then reused: AWS's key depends on nothing
    /// else, so verifying a request costs one HMAC instead of five.
    ///
    /// At most ``signingKeyCacheLimit`` keys are kept (the cache starts over when full).
    /// - Parameters:
    ///   - secret: The secret access key.
    ///   - date: The scope's date (`YYYYMMDD`).
    ///   - region: The scope's region.
    ///   - service: The scope's service.
    /// - Returns: The same key as ``signingKey(secret:date:region:service:)``.
    package static func cachedSigningKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        let scope = SigningKeyScope(secret: secret, date: date, region: region, service: service)
        if let bytes = signingKeys.withLock({ $0[scope] }) { return SymmetricKey(data: bytes) }
        let key = signingKey(secret: secret, date: date, region: region, service: service)
        let bytes = key.withUnsafeBytes { Array($0) }
        signingKeys.withLock { keys in
            if keys.count >= signingKeyCacheLimit { keys.removeAll(keepingCapacity: true) }
            keys[scope] = bytes
        }
        return key
    }

    /// The most signing keys ``cachedSigningKey(secret:date:region:service:)`` keeps.
    package static let signingKeyCacheLimit = 256

    private struct SigningKeyScope: Hashable {
        let secret: String
        let date: String
        let region: String
        let service: String
    }

    private static let signingKeys = Mutex<[SigningKeyScope: [UInt8]]>([:])

    /// Base64 HMAC-SHA1 of a SigV2 string to sign.
    package static func sigV2Signature(secret: String, stringToSign: String) -> String {
        SigV2Verifier.signature(secret: secret, stringToSign: stringToSign)
    }

    /// Hex HMAC-SHA256 of a string.
    package static func signature(key: SymmetricKey, stringToSign: String) -> String {
        SigV4Encoding.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The canonical headers block (`name:value\n` per signed header) for a request.
    static func canonicalHeaders(_ request: SigV4Request, signedHeaders: [String]) -> String {
        var block = ""
        for name in signedHeaders {
            let values = request.headerValues(name).map(SigV4Encoding.canonicalHeaderValue)
            block += name + ":" + values.joined(separator: ",") + "\n"
        }
        return block
    }

    /// Builds a canonical request.
    /// - Parameters:
    ///   - request: The request (method and headers are used).
    ///   - canonicalURI: The already canonicalised path.
    ///   - canonicalQuery: The already canonicalised query string.
    ///   - signedHeaders: Lower-case names of the signed headers, in `SignedHeaders` order.
    ///   - payloadHash: The payload hash line.
    /// - Returns: The canonical request text.
    static func canonicalRequest(
        _ request: SigV4Request,
        canonicalURI: String,
        canonicalQuery: String,
        signedHeaders: [String],
        payloadHash: String
    ) -> String {
        request.method.uppercased() + "\n" + canonicalURI + "\n" + canonicalQuery + "\n" + canonicalHeaders(request, signedHeaders: signedHeaders)
            + "\n" + signedHeaders.joined(separator: ";") + "\n" + payloadHash
    }

    /// The SigV4 string to sign.
    static func stringToSign(requestTime: String, scope: String, canonicalRequest: String) -> String {
        sigV4Algorithm + "\n" + requestTime + "\n" + scope + "\n" + SigV4Encoding.sha256Hex(canonicalRequest.utf8)
    }

    /// The canonical URI of a raw path for a service style.
    static func canonicalURI(_ rawPath: String, style: ServiceStyle) -> String {
        switch style {
        case .s3: SigV4Encoding.s3CanonicalURI(rawPath)
        case .standard: SigV4Encoding.standardCanonicalURI(rawPath)
        }
    }

    /// Signs a request with an `Authorization` header (adds `X-Amz-Date`, and `X-Amz-Security-Token` when the credential has one).
    /// - Parameters:
    ///   - request: The request to sign; its `host` header must already be present.
    ///   - credential: The key pair.
    ///   - region: Credential-scope region.
    ///   - service: Credential-scope service.
    ///   - date: The signing time.
    ///   - payloadHash: The payload hash line (for S3 also sent as `x-amz-content-sha256`).
    ///   - style: The canonicalisation rules.
    /// - Returns: The signed request.
    package static func signHeaders(
        _ request: SigV4Request,
        credential: SigningCredential,
        region: String,
        service: String,
        date: Date,
        payloadHash: String,
        style: ServiceStyle
    ) -> SigV4Request {
        var signed = request
        let requestTime = SigV4Encoding.amzDate(date)
        signed.headers.append((name: "X-Amz-Date", value: requestTime))
        if style == .s3 { signed.headers.append((name: "x-amz-content-sha256", value: payloadHash)) }
        if let token = credential.sessionToken { signed.headers.append((name: "X-Amz-Security-Token", value: token)) }
        let names = Set(signed.headers.map { $0.name.lowercased() }).subtracting(["authorization", "user-agent", "expect"]).sorted()
        let scope = "\(requestTime.prefix(8))/\(region)/\(service)/aws4_request"
        let canonical = canonicalRequest(
            signed,
            canonicalURI: canonicalURI(signed.path, style: style),
            canonicalQuery: SigV4Encoding.canonicalQuery(signed.query),
            signedHeaders: names,
            payloadHash: payloadHash
        )
        let key = signingKey(secret: credential.secretAccessKey, date: String(requestTime.prefix(8)), region: region, service: service)
        let signatureHex = signature(key: key, stringToSign: stringToSign(requestTime: requestTime, scope: scope, canonicalRequest: canonical))
        signed.headers.append(
            (
                name: "Authorization",
                value: "\(sigV4Algorithm) Credential=\(credential.accessKeyId)/\(scope), SignedHeaders=\(names.joined(separator: ";")), "
                    + "Signature=\(signatureHex)"
            )
        )
        return signed
    }

    /// Presigns a request (adds the `X-Amz-*` query parameters); only `host` is signed.
    /// - Parameters:
    ///   - request: The request to presign; its `host` header must already be present.
    ///   - credential: The key pair.
    ///   - region: Credential-scope region.
    ///   - service: Credential-scope service.
    ///   - date: The signing time.
    ///   - expires: Validity in seconds.
    ///   - style: The canonicalisation rules (S3 signs `UNSIGNED-PAYLOAD`).
    /// - Returns: The request with the presigned query string.
    package static func presign(
        _ request: SigV4Request,
        credential: SigningCredential,
        region: String,
        service: String,
        date: Date,
        expires: Int,
        style: ServiceStyle
    ) -> SigV4Request {
        var signed = request
        let requestTime = SigV4Encoding.amzDate(date)
        let scope = "\(requestTime.prefix(8))/\(region)/\(service)/aws4_request"
        var params = [
            ("X-Amz-Algorithm", sigV4Algorithm), ("X-Amz-Credential", "\(credential.accessKeyId)/\(scope)"), ("X-Amz-Date", requestTime),
            ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credential.sessionToken { params.append(("X-Amz-Security-Token", token)) }
        let added = params.map { "\($0.0)=\(SigV4Encoding.uriEncode($0.1))" }.joined(separator: "&")
        signed.query = signed.query.isEmpty ? added : signed.query + "&" + added
        let payloadHash = style == .s3 ? "UNSIGNED-PAYLOAD" : SigV4Encoding.emptySHA256Hex
        let canonical = canonicalRequest(
            signed,
            canonicalURI: canonicalURI(signed.path, style: style),
            canonicalQuery: SigV4Encoding.canonicalQuery(signed.query),
            signedHeaders: ["host"],
            payloadHash: payloadHash
        )
        let key = signingKey(secret: credential.secretAccessKey, date: String(requestTime.prefix(8)), region: region, service: service)
        let signatureHex = signature(key: key, stringToSign: stringToSign(requestTime: requestTime, scope: scope, canonicalRequest: canonical))
        signed.query += "&X-Amz-Signature=" + signatureHex
        return signed
    }
}
