import Crypto
import Foundation

/// S3 Signature Version 2 (`Authorization: AWS AKID:sig` and `AWSAccessKeyId`/`Signature`/`Expires` URLs).
struct SigV2Verifier: Sendable {
    var maxClockSkew: TimeInterval

    /// Query parameters that are part of the canonicalized resource (the list botocore signs).
    static let subresources: Set<String> = [
        "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber", "policy", "requestPayment", "torrent",
        "versioning", "versionId", "versions", "website", "uploads", "uploadId", "response-content-type", "response-content-language",
        "response-expires", "response-cache-control", "response-content-disposition", "response-content-encoding", "delete",
        "lifecycle", "tagging", "restore", "storageClass", "notification", "replication", "analytics", "metrics", "inventory",
        "select", "select-type", "object-lock",
    ]

    /// The canonicalized resource: `/bucket` (virtual host) + raw path + sorted sub-resources.
    static func canonicalResource(_ request: SigV4Request, bucket: String?) -> String {
        var resource = ""
        if let bucket, !bucket.isEmpty { resource = "/" + bucket }
        resource += request.path.isEmpty ? "/" : request.path
        var pairs: [(String, String?)] = []
        for pair in SigV4Encoding.parseQuery(request.query) where subresources.contains(pair.name) {
            let hasValue = request.query.contains(pair.name + "=")
            pairs.append((pair.name, hasValue ? SigV4Encoding.percentDecode(pair.value) : nil))
        }
        guard !pairs.isEmpty else { return resource }
        let sorted = pairs.enumerated().sorted { lhs, rhs in
            lhs.element.0 == rhs.element.0 ? lhs.offset < rhs.offset : lhs.element.0 < rhs.element.0
        }
        let rendered = sorted.map { entry in
            guard let value = entry.element.1 else { return entry.element.0 }
            return entry.element.0 + "=" + value
        }
        return resource + "?" + rendered.joined(separator: "&")
    }

    /// The string to sign.
    /// - Parameters:
    ///   - request: The request.
    ///   - dateLine: `Date` header value, empty when `x-amz-date` is used, or the `Expires` value for query authentication.
    ///   - queryAuth: Whether `x-amz-*`, `content-md5` and `content-type` may also come from the query string.
    ///   - bucket: The virtual-host bucket, if any.
    /// - Returns: The SigV2 string to sign.
    static func stringToSign(_ request: SigV4Request, dateLine: String, queryAuth: Bool, bucket: String?) -> String {
        let queryItems = queryAuth ? request.queryItems : []
        func standard(_ name: String) -> String {
            if let value = request.header(name) { return SigV4Encoding.trimmingWhitespace(value) }
            return queryItems.first { $0.name.lowercased() == name }?.value ?? ""
        }
        var amzNames: [String] = []
        var amzValues: [String: [String]] = [:]
        // An x-amz-* value may come from a header or (query authentication) from the query string; a header wins.
        let headerNames = Set(request.headers.map { $0.name.lowercased() })
        let fromQuery = queryItems.filter { !headerNames.contains($0.name.lowercased()) }
        let sources = request.headers.map { ($0.name, $0.value) } + fromQuery.map { ($0.name, $0.value) }
        for (name, value) in sources {
            let lower = name.lowercased()
            guard lower.hasPrefix("x-amz-") else { continue }
            if amzValues[lower] == nil { amzNames.append(lower) }
            amzValues[lower, default: []].append(SigV4Encoding.canonicalHeaderValue(value))
        }
        var text = request.method.uppercased() + "\n" + standard("content-md5") + "\n" + standard("content-type") + "\n" + dateLine + "\n"
        for name in amzNames.sorted() {
            text += name + ":" + (amzValues[name] ?? []).joined(separator: ",") + "\n"
        }
        return text + canonicalResource(request, bucket: bucket)
    }

    /// Base64 HMAC-SHA1 of the string to sign.
    static func signature(secret: String, stringToSign: String) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return Data(mac).base64EncodedString()
    }

    private func finish(
        _ request: SigV4Request,
        accessKeyId: String,
        provided: String,
        token: String?,
        stringToSign: String,
        now: Date,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy,
        result: Authentication
    ) throws(SigV4Error) -> Authentication {
        guard
            let credential = try SigV4Verifier.resolveCredential(
                accessKeyId: accessKeyId,
                token: token,
                now: now,
                lookup: lookup,
                unknownKeys: unknownKeys
            )
        else { return result }
        let expected = Self.signature(secret: credential.secretAccessKey, stringToSign: stringToSign)
        guard SigV4Encoding.constantTimeEquals(expected, provided) else {
            throw .signatureMismatch(
                SignatureMismatch(accessKeyId: accessKeyId, stringToSign: stringToSign, signatureProvided: provided, canonicalRequest: nil)
            )
        }
        var verified = result
        verified.signatureVerified = true
        return verified
    }

    func verifyHeader(
        _ request: SigV4Request,
        authorization: String,
        now: Date,
        skewNow: Date? = nil,
        bucket: String?,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy
    ) throws(SigV4Error) -> Authentication {
        let credentials = SigV4Encoding.trimmingWhitespace(authorization.dropFirst(4))
        guard let colon = credentials.lastIndex(of: ":") else { throw .sigV2HeaderMalformed(authorization: authorization) }
        let accessKeyId = String(credentials[..<colon])
        let provided = String(credentials[credentials.index(after: colon)...])
        guard !accessKeyId.isEmpty, !provided.isEmpty else { throw .sigV2HeaderMalformed(authorization: authorization) }
        let rawDate: String
        let dateLine: String
        if let amzDate = request.header("x-amz-date") {
            rawDate = amzDate
            dateLine = ""
        } else if let date = request.header("date") {
            rawDate = date
            dateLine = SigV4Encoding.trimmingWhitespace(date)
        } else {
            throw .missingDate
        }
        guard let date = SigV4Encoding.parseHTTPDate(rawDate) else { throw .missingDate }
        let skewNow = skewNow ?? now
        if abs(date.timeIntervalSince(skewNow)) > maxClockSkew {
            throw .requestTimeTooSkewed(requestTime: rawDate, requestDate: date, serverTime: skewNow, maxSkew: maxClockSkew)
        }
        let token = request.header("x-amz-security-token")
        let result = Authentication(
            accessKeyId: accessKeyId,
            region: "us-east-1",
            service: "s3",
            kind: .sigV2Header,
            signatureVerified: false,
            sessionToken: token,
            requestDate: date,
            expiresAt: nil,
            payloadMode: nil,
            chunkContext: nil
        )
        return try finish(
            request,
            accessKeyId: accessKeyId,
            provided: provided,
            token: token,
            stringToSign: Self.stringToSign(request, dateLine: dateLine, queryAuth: false, bucket: bucket),
            now: now,
            lookup: lookup,
            unknownKeys: unknownKeys,
            result: result
        )
    }

    /// The instant named by a SigV2 `Expires` value: whole seconds since 1970, within years 0000 through 9999.
    /// - Parameter text: The raw parameter value.
    /// - Returns: The instant, or nil for anything else (S3 answers `Invalid date (should be seconds since epoch)`).
    static func expiry(_ text: String) -> Date? {
        guard let seconds = Int(text), (SigV4Encoding.earliestSeconds...SigV4Encoding.latestSeconds).contains(seconds) else {
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    func verifyQuery(
        _ request: SigV4Request,
        now: Date,
        bucket: String?,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy
    ) throws(SigV4Error) -> Authentication {
        guard let accessKeyId = request.queryValue("AWSAccessKeyId"), !accessKeyId.isEmpty,
            let provided = request.queryValue("Signature"), !provided.isEmpty,
            let expiresText = request.queryValue("Expires")
        else { throw .sigV2QueryMissingParameters }
        guard let expiresAt = Self.expiry(expiresText) else { throw .sigV2InvalidExpires(value: expiresText) }
        if now > expiresAt { throw .sigV2Expired(expiresAt: expiresAt, serverTime: now) }
        let token = request.queryValue("x-amz-security-token") ?? request.header("x-amz-security-token")
        let result = Authentication(
            accessKeyId: accessKeyId,
            region: "us-east-1",
            service: "s3",
            kind: .sigV2Query,
            signatureVerified: false,
            sessionToken: token,
            requestDate: now,
            expiresAt: expiresAt,
            payloadMode: nil,
            chunkContext: nil
        )
        return try finish(
            request,
            accessKeyId: accessKeyId,
            provided: provided,
            token: token,
            stringToSign: Self.stringToSign(request, dateLine: expiresText, queryAuth: true, bucket: bucket),
            now: now,
            lookup: lookup,
            unknownKeys: unknownKeys,
            result: result
        )
    }
}
