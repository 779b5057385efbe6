import Crypto
import Foundation

/// A parsed SigV4 credential scope.
struct CredentialScope: Sendable, Equatable {
    var accessKeyId: String
    var date: String
    var region: String
    var service: String

    var scope: String { "\(date)/\(region)/\(service)/aws4_request" }

    static func parse(_ credential: String, presigned: Bool) throws(SigV4Error) -> CredentialScope {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, !parts[0].isEmpty, parts[1].utf8.count == 8, parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            !parts[2].isEmpty, !parts[3].isEmpty
        else { throw .credentialMalformed(credential: credential, presigned: presigned) }
        guard parts[4] == "aws4_request" else { throw .credentialWrongTerminator(terminator: parts[4], presigned: presigned) }
        return CredentialScope(accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3])
    }
}

/// The three components of a SigV4 `Authorization` header.
struct ParsedAuthorization: Sendable, Equatable {
    var credential: String
    var signedHeaders: String
    var signature: String

    /// Parses everything after the algorithm name.
    static func parse(_ authorization: String, hasDate: Bool) throws(SigV4Error) -> ParsedAuthorization {
        try AuthorizationComponents.parse(authorization).complete(authorization: authorization, hasDate: hasDate)
    }
}

/// The `key=value` components of a SigV4 `Authorization` header as written, before the checks for missing ones.
///
/// The front door parses them once (routing needs the credential scope); verification completes the same value.
struct AuthorizationComponents: Sendable, Equatable {
    var credential: String?
    var signedHeaders: String?
    var signature: String?

    /// Splits everything after the algorithm name into components; the first occurrence of each name wins.
    static func parse(_ authorization: String) throws(SigV4Error) -> AuthorizationComponents {
        let body = authorization.utf8.dropFirst(sigV4Algorithm.utf8.count)
        var components = AuthorizationComponents()
        let tokens = body.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        for token in tokens {
            guard let equals = token.firstIndex(of: UInt8(ascii: "=")) else {
                throw .authorizationComponentMalformed(component: String(decoding: token, as: UTF8.self), authorization: authorization)
            }
            let value = String(decoding: token[token.index(after: equals)...], as: UTF8.self)
            switch String(decoding: token[..<equals], as: UTF8.self) {
            case "Credential": if components.credential == nil { components.credential = value }
            case "SignedHeaders": if components.signedHeaders == nil { components.signedHeaders = value }
            case "Signature": if components.signature == nil { components.signature = value }
            default: break
            }
        }
        return components
    }

    /// The complete header, or the error naming every missing component (the date comes from the headers).
    func complete(authorization: String, hasDate: Bool) throws(SigV4Error) -> ParsedAuthorization {
        var missing: [AuthorizationComponent] = []
        if credential == nil { missing.append(.credential) }
        if signature == nil { missing.append(.signature) }
        if signedHeaders == nil { missing.append(.signedHeaders) }
        if !hasDate { missing.append(.date) }
        guard missing.isEmpty, let credential, let signedHeaders, let signature else {
            throw .authorizationMissingComponents(authorization: authorization, missing: missing)
        }
        return ParsedAuthorization(credential: credential, signedHeaders: signedHeaders, signature: signature)
    }
}

extension SigV4 {
    /// Cheap pre-parse for routing: which key, date, region and service signed this request; nil when unsigned or unparseable.
    /// - Parameter request: The request.
    /// - Returns: The scope from the `Authorization` header, `X-Amz-Credential`, or SigV2 `AWSAccessKeyId` / `AWS AKID:sig`.
    package static func signingScope(of request: SigV4Request) -> SigningScope? {
        inspect(request).scope
    }

    /// Finds how a request is signed and parses its `Authorization` header or credential once, without verifying
    /// anything. Routing reads ``RequestSignature/scope``; ``SigV4Verifier/verify(_:signature:bodySHA256Hex:style:now:skewReference:bucketForSigV2:lookup:unknownKeys:)``
    /// reuses the parse.
    /// - Parameter request: The request.
    /// - Returns: The signing material.
    package static func inspect(_ request: SigV4Request) -> RequestSignature {
        // An empty Authorization header is no signature at all: S3 answers such a request as an anonymous one.
        if let raw = request.header("authorization"), !SigV4Encoding.trimmingWhitespace(raw).isEmpty {
            let authorization = SigV4Encoding.trimmingWhitespace(raw)
            if authorization == sigV4Algorithm || authorization.hasPrefix(sigV4Algorithm + " ") {
                let components = Result { () throws(SigV4Error) in try AuthorizationComponents.parse(authorization) }
                let credential: String?
                switch components {
                case .success(let parsed): credential = parsed.credential
                case .failure: credential = firstCredentialToken(authorization)
                }
                let scope = credential.flatMap { try? CredentialScope.parse($0, presigned: false) }.map {
                    SigningScope(accessKeyId: $0.accessKeyId, date: $0.date, region: $0.region, service: $0.service, kind: .header)
                }
                return RequestSignature(scope: scope, form: .sigV4Header(authorization: authorization, components: components))
            }
            if authorization.hasPrefix("AWS "), let colon = authorization.lastIndex(of: ":") {
                let accessKeyId = SigV4Encoding.trimmingWhitespace(authorization[authorization.index(authorization.startIndex, offsetBy: 4)..<colon])
                let scope =
                    accessKeyId.isEmpty
                    ? nil : SigningScope(accessKeyId: accessKeyId, date: nil, region: "us-east-1", service: "s3", kind: .sigV2Header)
                return RequestSignature(scope: scope, form: .otherHeader(authorization: authorization))
            }
            return RequestSignature(scope: nil, form: .otherHeader(authorization: authorization))
        }
        if let credential = request.queryValue("X-Amz-Credential") {
            let scope = (try? CredentialScope.parse(credential, presigned: true)).map {
                SigningScope(accessKeyId: $0.accessKeyId, date: $0.date, region: $0.region, service: $0.service, kind: .presigned)
            }
            return RequestSignature(scope: scope, form: .query)
        }
        if let accessKeyId = request.queryValue("AWSAccessKeyId"), !accessKeyId.isEmpty {
            return RequestSignature(
                scope: SigningScope(accessKeyId: accessKeyId, date: nil, region: "us-east-1", service: "s3", kind: .sigV2Query),
                form: .query
            )
        }
        let signingParameters: Set<String> = ["X-Amz-Signature", "X-Amz-Credential", "Signature", "AWSAccessKeyId"]
        let carries = request.queryItems.contains { signingParameters.contains($0.name) }
        return RequestSignature(scope: nil, form: carries ? .query : .none)
    }

    /// The `Credential=` token of a header whose components do not parse (routing still follows its scope).
    private static func firstCredentialToken(_ authorization: String) -> String? {
        let tokens = authorization.split(whereSeparator: { $0 == "," || $0 == " " })
        return tokens.first { $0.hasPrefix("Credential=") }.map { String($0.dropFirst("Credential=".count)) }
    }

    /// S3's check of a streamed body against `x-amz-content-sha256`.
    /// - Parameters:
    ///   - declared: The `x-amz-content-sha256` header value.
    ///   - computedHex: Hex SHA-256 of the body as received.
    /// - Throws: `SigV4Error.contentSHA256Mismatch` when `declared` is a hash and differs.
    package static func checkContentSHA256(declared: String, computedHex: String) throws(SigV4Error) {
        guard case .sha256(let expected) = PayloadSigningMode(contentSHA256: declared) else { return }
        if expected != computedHex.lowercased() {
            throw .contentSHA256Mismatch(clientComputed: declared, serverComputed: computedHex.lowercased())
        }
    }
}

/// Verifies SigV4 (header and presigned) and, for S3, SigV2 request signatures.
package struct SigV4Verifier: Sendable {
    /// Largest allowed distance between the request time and the server clock.
    package var maxClockSkew: TimeInterval

    /// Creates a verifier.
    package init(maxClockSkew: TimeInterval = 900) {
        self.maxClockSkew = maxClockSkew
    }

    /// Verifies a request.
    /// - Parameters:
    ///   - request: The request as received.
    ///   - bodySHA256Hex: Hex SHA-256 of the whole body (non-S3 services); nil means the empty body.
    ///   - style: S3 or standard canonicalisation rules.
    ///   - now: The server time: token and presigned-URL expiry are judged against it.
    ///   - skewReference: The time client clocks follow, for the clock-skew checks (the emulator passes real time
    ///     while its virtual clock runs ahead); nil means `now`.
    ///   - bucketForSigV2: The bucket when addressed virtual-host style (SigV2 canonical resource); nil for path style.
    ///   - lookup: Finds the credential for an access key id.
    ///   - unknownKeys: What to do when `lookup` returns nil.
    /// - Returns: Who signed the request and how.
    /// - Throws: `SigV4Error` describing the first failed check.
    package func verify(
        _ request: SigV4Request,
        bodySHA256Hex: String?,
        style: ServiceStyle,
        now: Date,
        skewReference: Date? = nil,
        bucketForSigV2: String? = nil,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy
    ) throws(SigV4Error) -> Authentication {
        try verify(
            request,
            signature: SigV4.inspect(request),
            bodySHA256Hex: bodySHA256Hex,
            style: style,
            now: now,
            skewReference: skewReference,
            bucketForSigV2: bucketForSigV2,
            lookup: lookup,
            unknownKeys: unknownKeys
        )
    }

    /// Verifies a request whose signing material ``SigV4/inspect(_:)`` already parsed (the front door parses the
    /// `Authorization` header once, for routing, and verification reuses that parse).
    /// - Parameters:
    ///   - request: The request as received.
    ///   - signature: The request's signing material, from ``SigV4/inspect(_:)`` on the same request.
    ///   - bodySHA256Hex: Hex SHA-256 of the whole body (non-S3 services); nil means the empty body.
    ///   - style: S3 or standard canonicalisation rules.
    ///   - now: The server time: token and presigned-URL expiry are judged against it.
    ///   - skewReference: The time client clocks follow, for the clock-skew checks; nil means `now`.
    ///   - bucketForSigV2: The bucket when addressed virtual-host style (SigV2 canonical resource); nil for path style.
    ///   - lookup: Finds the credential for an access key id.
    ///   - unknownKeys: What to do when `lookup` returns nil.
    /// - Returns: Who signed the request and how.
    /// - Throws: `SigV4Error` describing the first failed check.
    package func verify(
        _ request: SigV4Request,
        signature: RequestSignature,
        bodySHA256Hex: String?,
        style: ServiceStyle,
        now: Date,
        skewReference: Date? = nil,
        bucketForSigV2: String? = nil,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy
    ) throws(SigV4Error) -> Authentication {
        let skewNow = skewReference ?? now
        switch signature.form {
        case .sigV4Header(let authorization, let components):
            return try verifyHeader(
                request,
                authorization: authorization,
                components: components,
                bodySHA256Hex: bodySHA256Hex,
                style: style,
                now: now,
                skewNow: skewNow,
                lookup: lookup,
                unknownKeys: unknownKeys
            )
        case .otherHeader(let authorization):
            if style == .s3, authorization.hasPrefix("AWS ") {
                return try SigV2Verifier(maxClockSkew: maxClockSkew)
                    .verifyHeader(
                        request,
                        authorization: authorization,
                        now: now,
                        skewNow: skewNow,
                        bucket: bucketForSigV2,
                        lookup: lookup,
                        unknownKeys: unknownKeys
                    )
            }
            if style == .standard, !hasDate(request) {
                throw .authorizationMissingComponents(authorization: authorization, missing: [.credential, .signature, .signedHeaders, .date])
            }
            throw .unsupportedAuthorizationType(authorization: authorization)
        case .query, .none:
            break
        }
        let items = request.queryItems
        if items.contains(where: { Self.presignParameters.contains($0.name) }) {
            return try verifyPresigned(
                request,
                bodySHA256Hex: bodySHA256Hex,
                style: style,
                now: now,
                skewNow: skewNow,
                lookup: lookup,
                unknownKeys: unknownKeys
            )
        }
        if style == .s3, items.contains(where: { $0.name == "AWSAccessKeyId" || $0.name == "Signature" }) {
            return try SigV2Verifier(maxClockSkew: maxClockSkew)
                .verifyQuery(request, now: now, bucket: bucketForSigV2, lookup: lookup, unknownKeys: unknownKeys)
        }
        throw .missingAuthentication
    }

    private static let presignParameters: Set<String> = ["X-Amz-Signature", "X-Amz-Algorithm", "X-Amz-Credential"]

    private func hasDate(_ request: SigV4Request) -> Bool {
        request.header("x-amz-date") != nil || request.header("date") != nil
    }

    /// The request time from `X-Amz-Date` or `Date`: (parsed date, raw header value, ISO 8601 basic form).
    private func requestTime(_ request: SigV4Request) -> (date: Date, raw: String, amz: String)? {
        if let raw = request.header("x-amz-date") {
            guard let date = SigV4Encoding.parseAmzDate(SigV4Encoding.trimmingWhitespace(raw)) ?? SigV4Encoding.parseHTTPDate(raw) else {
                return nil
            }
            return (date, raw, SigV4Encoding.amzDate(date))
        }
        if let raw = request.header("date"), let date = SigV4Encoding.parseHTTPDate(raw) {
            return (date, raw, SigV4Encoding.amzDate(date))
        }
        return nil
    }

    private func checkSignedHeaders(_ request: SigV4Request, signed: [String], style: ServiceStyle) throws(SigV4Error) {
        guard signed.contains("host") || signed.contains(":authority") else { throw .hostNotSigned }
        guard style == .s3 else { return }
        let signedSet = Set(signed)
        var unsigned: [String] = []
        for header in request.headers {
            let name = header.name.lowercased()
            if name.hasPrefix("x-amz-"), !signedSet.contains(name), !unsigned.contains(name) { unsigned.append(name) }
        }
        if !unsigned.isEmpty { throw .headersNotSigned(unsigned.sorted()) }
    }

    /// Resolves the credential, applying the unknown-key policy and the session-token rules; nil means "accept unverified".
    ///
    /// Only long-term-looking keys are ever accepted unverified: an unknown key that looks temporary (see
    /// ``looksTemporary(accessKeyId:token:)``) is refused whatever the policy, since temporary credentials can only
    /// come from an issuer and the emulator is the only one it trusts.
    static func resolveCredential(
        accessKeyId: String,
        token: String?,
        now: Date,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy
    ) throws(SigV4Error) -> SigningCredential? {
        guard let credential = lookup(accessKeyId) else {
            if unknownKeys == .reject || looksTemporary(accessKeyId: accessKeyId, token: token) {
                throw .unknownAccessKey(accessKeyId)
            }
            return nil
        }
        if let expected = credential.sessionToken {
            guard let token, SigV4Encoding.constantTimeEquals(token, expected) else {
                throw .invalidToken(accessKeyId: accessKeyId, token: token)
            }
            if let expiration = credential.expiration, expiration <= now { throw .expiredToken(token: token) }
        } else if let token, !token.isEmpty {
            throw .invalidToken(accessKeyId: accessKeyId, token: token)
        }
        return credential
    }

    /// Whether an access key would be temporary credentials on AWS: an `ASIA` access key id, or any request that
    /// carries a session token.
    /// - Parameters:
    ///   - accessKeyId: The access key id.
    ///   - token: The session token the request carried (`X-Amz-Security-Token`), if any.
    /// - Returns: True for temporary-looking keys.
    package static func looksTemporary(accessKeyId: String, token: String?) -> Bool {
        accessKeyId.hasPrefix("ASIA") || !(token ?? "").isEmpty
    }

    /// Canonical (URI, query) variants tried in order; the first is the one reported on mismatch.
    private func canonicalVariants(_ request: SigV4Request, style: ServiceStyle, excluding: Set<String>) -> [(uri: String, query: String)] {
        let primaryURI = SigV4Signing.canonicalURI(request.path, style: style)
        let primaryQuery = SigV4Encoding.canonicalQuery(request.query, excluding: excluding)
        var variants = [(primaryURI, primaryQuery)]
        if style == .s3, request.path != primaryURI, !request.path.isEmpty { variants.append((request.path, primaryQuery)) }
        if request.query.contains("+") {
            let plusQuery = SigV4Encoding.canonicalQuery(request.query, excluding: excluding, plusAsSpace: true)
            variants.append((primaryURI, plusQuery))
        }
        return variants
    }

    /// Checks the signature against each canonical variant; returns the matching canonical request.
    private func checkSignature(
        _ request: SigV4Request,
        style: ServiceStyle,
        excluding: Set<String>,
        signedHeaders: [String],
        payloadHash: String,
        scope: CredentialScope,
        requestTime: String,
        key: SymmetricKey,
        provided: String
    ) throws(SigV4Error) {
        var first: SignatureMismatch?
        for variant in canonicalVariants(request, style: style, excluding: excluding) {
            let canonical = SigV4Signing.canonicalRequest(
                request,
                canonicalURI: variant.uri,
                canonicalQuery: variant.query,
                signedHeaders: signedHeaders,
                payloadHash: payloadHash
            )
            let stringToSign = SigV4Signing.stringToSign(requestTime: requestTime, scope: scope.scope, canonicalRequest: canonical)
            let expected = SigV4Signing.signature(key: key, stringToSign: stringToSign)
            if SigV4Encoding.constantTimeEquals(expected, provided.lowercased()) { return }
            if first == nil {
                first = SignatureMismatch(
                    accessKeyId: scope.accessKeyId,
                    stringToSign: stringToSign,
                    signatureProvided: provided,
                    canonicalRequest: canonical
                )
            }
        }
        if let first { throw .signatureMismatch(first) }
    }

    private func verifyHeader(
        _ request: SigV4Request,
        authorization: String,
        components: Result<AuthorizationComponents, SigV4Error>,
        bodySHA256Hex: String?,
        style: ServiceStyle,
        now: Date,
        skewNow: Date,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy
    ) throws(SigV4Error) -> Authentication {
        let parsed = try components.get().complete(authorization: authorization, hasDate: hasDate(request))
        let scope = try CredentialScope.parse(parsed.credential, presigned: false)
        guard let time = requestTime(request) else {
            throw .authorizationMissingComponents(authorization: authorization, missing: [.date])
        }
        guard scope.date == time.amz.prefix(8) else {
            throw .credentialDateMismatch(credentialDate: scope.date, requestTime: time.amz, presigned: false)
        }
        if abs(time.date.timeIntervalSince(skewNow)) > maxClockSkew {
            throw .requestTimeTooSkewed(requestTime: time.raw, requestDate: time.date, serverTime: skewNow, maxSkew: maxClockSkew)
        }
        let signedHeaders = parsed.signedHeaders.split(separator: ";", omittingEmptySubsequences: true).map { $0.lowercased() }
        try checkSignedHeaders(request, signed: signedHeaders, style: style)

        let declared = request.header("x-amz-content-sha256").map { SigV4Encoding.trimmingWhitespace($0) }
        var payloadMode: PayloadSigningMode?
        let payloadHash: String
        switch style {
        case .s3:
            guard let declared else { throw .missingContentSHA256 }
            guard let mode = PayloadSigningMode(contentSHA256: declared) else { throw .invalidContentSHA256(declared) }
            payloadMode = mode
            payloadHash = declared
        case .standard:
            payloadHash = declared ?? bodySHA256Hex?.lowercased() ?? SigV4Encoding.emptySHA256Hex
        }

        let token = request.header("x-amz-security-token")
        let base = Authentication(
            accessKeyId: scope.accessKeyId,
            region: scope.region,
            service: scope.service,
            kind: .header,
            signatureVerified: false,
            sessionToken: token,
            requestDate: time.date,
            expiresAt: nil,
            payloadMode: payloadMode,
            chunkContext: nil
        )
        guard
            let credential = try Self.resolveCredential(
                accessKeyId: scope.accessKeyId,
                token: token,
                now: now,
                lookup: lookup,
                unknownKeys: unknownKeys
            )
        else { return base }

        let key = SigV4Signing.cachedSigningKey(secret: credential.secretAccessKey, date: scope.date, region: scope.region, service: scope.service)
        try checkSignature(
            request,
            style: style,
            excluding: [],
            signedHeaders: signedHeaders,
            payloadHash: payloadHash,
            scope: scope,
            requestTime: time.amz,
            key: key,
            provided: parsed.signature
        )
        if style == .standard, let declared, let bodySHA256Hex, SigV4Encoding.isHexSHA256(declared),
            declared.lowercased() != bodySHA256Hex.lowercased()
        {
            // The client signed a hash that is not the body's: AWS computes the canonical request from the real body.
            let canonical = SigV4Signing.canonicalRequest(
                request,
                canonicalURI: SigV4Signing.canonicalURI(request.path, style: style),
                canonicalQuery: SigV4Encoding.canonicalQuery(request.query),
                signedHeaders: signedHeaders,
                payloadHash: bodySHA256Hex.lowercased()
            )
            let stringToSign = SigV4Signing.stringToSign(requestTime: time.amz, scope: scope.scope, canonicalRequest: canonical)
            throw .signatureMismatch(
                SignatureMismatch(
                    accessKeyId: scope.accessKeyId,
                    stringToSign: stringToSign,
                    signatureProvided: parsed.signature,
                    canonicalRequest: canonical
                )
            )
        }
        var result = base
        result.signatureVerified = true
        if payloadMode?.isStreaming == true {
            result.chunkContext = ChunkSigningContext(
                signingKey: key,
                requestTime: time.amz,
                scope: scope.scope,
                seedSignature: parsed.signature.lowercased(),
                accessKeyId: scope.accessKeyId
            )
        }
        return result
    }

    private func verifyPresigned(
        _ request: SigV4Request,
        bodySHA256Hex: String?,
        style: ServiceStyle,
        now: Date,
        skewNow: Date,
        lookup: (String) -> SigningCredential?,
        unknownKeys: UnknownKeyPolicy
    ) throws(SigV4Error) -> Authentication {
        var required = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"]
        if style == .s3 { required.append("X-Amz-Expires") }
        let missing = required.filter { request.queryValue($0) == nil }
        guard missing.isEmpty, let algorithm = request.queryValue("X-Amz-Algorithm"), let credentialText = request.queryValue("X-Amz-Credential"),
            let signature = request.queryValue("X-Amz-Signature"), let signedHeadersText = request.queryValue("X-Amz-SignedHeaders"),
            let dateText = request.queryValue("X-Amz-Date")
        else { throw .presignMissingParameters(missing: missing) }
        guard algorithm == sigV4Algorithm else { throw .presignUnsupportedAlgorithm(algorithm) }
        let scope = try CredentialScope.parse(credentialText, presigned: true)
        guard let date = SigV4Encoding.parseAmzDate(dateText) else { throw .presignInvalidDate(value: dateText) }
        guard scope.date == dateText.prefix(8) else {
            throw .credentialDateMismatch(credentialDate: scope.date, requestTime: dateText, presigned: true)
        }
        var expiresAt: Date?
        if let expiresText = request.queryValue("X-Amz-Expires") {
            guard let seconds = Int(expiresText) else { throw .presignExpiresNotANumber }
            guard seconds >= 0 else { throw .presignExpiresNegative }
            guard seconds <= 604_800 else { throw .presignExpiresTooLarge }
            let expiry = date.addingTimeInterval(TimeInterval(seconds))
            if now > expiry { throw .presignExpired(expiresSeconds: seconds, expiresAt: expiry, serverTime: now) }
            expiresAt = expiry
        } else if skewNow.timeIntervalSince(date) > maxClockSkew {
            throw .requestTimeTooSkewed(requestTime: dateText, requestDate: date, serverTime: skewNow, maxSkew: maxClockSkew)
        }
        if date.timeIntervalSince(skewNow) > maxClockSkew { throw .presignNotYetValid(requestDate: date, serverTime: skewNow) }
        let signedHeaders = signedHeadersText.split(separator: ";", omittingEmptySubsequences: true).map { $0.lowercased() }
        try checkSignedHeaders(request, signed: signedHeaders, style: style)

        let payloadHash: String
        switch style {
        case .s3: payloadHash = request.queryValue("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD"
        case .standard:
            payloadHash = request.header("x-amz-content-sha256") ?? bodySHA256Hex?.lowercased() ?? SigV4Encoding.emptySHA256Hex
        }
        let token = request.queryValue("X-Amz-Security-Token")
        var result = Authentication(
            accessKeyId: scope.accessKeyId,
            region: scope.region,
            service: scope.service,
            kind: .presigned,
            signatureVerified: false,
            sessionToken: token,
            requestDate: date,
            expiresAt: expiresAt,
            payloadMode: style == .s3 ? PayloadSigningMode(contentSHA256: payloadHash) : nil,
            chunkContext: nil
        )
        guard
            let credential = try Self.resolveCredential(
                accessKeyId: scope.accessKeyId,
                token: token,
                now: now,
                lookup: lookup,
                unknownKeys: unknownKeys
            )
        else { return result }
        let key = SigV4Signing.cachedSigningKey(secret: credential.secretAccessKey, date: scope.date, region: scope.region, service: scope.service)
        try checkSignature(
            request,
            style: style,
            excluding: ["X-Amz-Signature"],
            signedHeaders: signedHeaders,
            payloadHash: payloadHash,
            scope: scope,
            requestTime: dateText,
            key: key,
            provided: signature
        )
        result.signatureVerified = true
        return result
    }
}
