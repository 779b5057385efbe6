import Foundation

/// Every AWS message text used by the authentication errors.
enum SigV4Messages {
    // MARK: JSON / query services
    static let missingAuthenticationToken = "Request is missing Authentication Token"
    static let missingAuthenticationTokenRest = "Missing Authentication Token"
    static let invalidSignature =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
        + "Consult the service documentation for details."
    static let invalidSecurityToken = "The security token included in the request is invalid."
    static let expiredSecurityToken = "The security token included in the request is expired"
    static let hostMustBeSigned = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    static let headersNotSignedJSON = "There were headers present in the request which were not signed"

    static func requiresComponent(_ component: AuthorizationComponent) -> String {
        switch component {
        case .date: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        default: "Authorization header requires '\(component.rawValue)' parameter."
        }
    }

    static func missingComponents(_ missing: [AuthorizationComponent], authorization: String) -> String {
        missing.map(requiresComponent).joined(separator: " ") + " Authorization=" + authorization
    }

    static func componentMissingEquals(_ component: String, authorization: String) -> String {
        "'\(component)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(authorization)'."
    }

    static func credentialElements(_ credential: String) -> String {
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credential)'"
    }

    static func credentialTerminator(_ terminator: String) -> String {
        "Credential should be scoped with a valid terminator: 'aws4_request', not '\(terminator)'."
    }

    static func credentialService(_ expected: String) -> String {
        "Credential should be scoped to correct service: '\(expected)'. "
    }

    static func credentialDate(_ credentialDate: String, requestTime: String) -> String {
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(credentialDate)' != '"
            + "\(requestTime.prefix(8))', from '\(requestTime)'."
    }

    /// `value` rounded down to an integer, clamped to `Int` (NaN becomes 0): a configured skew of any size renders.
    static func wholeNumber(_ value: Double) -> Int {
        guard !value.isNaN else { return 0 }
        if value >= 0x1p62 { return 1 << 62 }
        if value <= -0x1p62 { return -(1 << 62) }
        return Int(value.rounded(.down))
    }

    static func signatureExpired(requestTime: String, serverTime: Date, maxSkew: TimeInterval) -> String {
        let minutes = wholeNumber(maxSkew / 60)
        let limit = SigV4Encoding.amzDate(serverTime.addingTimeInterval(-maxSkew))
        return "Signature expired: \(requestTime) is now earlier than \(limit) (\(SigV4Encoding.amzDate(serverTime)) - \(minutes) min.)"
    }

    static func signatureNotYetCurrent(requestTime: String, serverTime: Date, maxSkew: TimeInterval) -> String {
        let minutes = wholeNumber(maxSkew / 60)
        let limit = SigV4Encoding.amzDate(serverTime.addingTimeInterval(maxSkew))
        return "Signature not yet current: \(requestTime) is still later than \(limit) (\(SigV4Encoding.amzDate(serverTime)) + \(minutes) min.)"
    }

    static func presignExpiredJSON(expiresAt: Date, serverTime: Date) -> String {
        "Signature expired: \(SigV4Encoding.amzDate(expiresAt)) is now earlier than \(SigV4Encoding.amzDate(serverTime))"
    }

    static func queryParametersMustInclude(_ missing: [String]) -> String {
        missing.map { "AWS query-string parameters must include '\($0)'." }.joined(separator: " ")
            + " Re-examine the query-string parameters."
    }

    static func unsupportedAlgorithm(_ algorithm: String) -> String {
        "Unsupported AWS 'algorithm': '\(algorithm)'"
    }

    static func signatureWithDetails(_ mismatch: SignatureMismatch) -> String {
        guard let canonical = mismatch.canonicalRequest else { return invalidSignature }
        return invalidSignature + "\n\nThe Canonical String for this request should have been\n'" + canonical
            + "'\n\nThe String-to-Sign should have been\n'" + mismatch.stringToSign + "'\n"
    }

    // MARK: S3
    static let s3AccessDenied = "Access Denied"
    static let s3UnsupportedAuthorizationType = "Unsupported Authorization Type"
    static let s3AuthorizationThreeComponents =
        "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."
    static let s3CredentialExpecting = "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
    static let s3HeaderMalformedPrefix = "The authorization header is malformed; "
    static let s3CredentialParameterPrefix = "Error parsing the X-Amz-Credential parameter; "
    static let s3MissingDate = "AWS authentication requires a valid Date or x-amz-date header"
    static let s3PresignInvalidDate = "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
    static let s3HeadersNotSigned = "There were headers present in the request which were not signed"
    static let s3RequestTimeTooSkewed = "The difference between the request time and the current time is too large."
    static let s3PresignMissingParameters =
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, "
        + "X-Amz-SignedHeaders, and X-Amz-Expires parameters."
    static let s3PresignAlgorithm = "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\""
    static let s3ExpiresTooLarge = "X-Amz-Expires must be less than a week (in seconds) that is; 604800"
    static let s3ExpiresNegative = "X-Amz-Expires must be non-negative"
    static let s3ExpiresNotANumber = "X-Amz-Expires should be a number"
    static let s3RequestExpired = "Request has expired"
    static let s3RequestNotYetValid = "Request is not valid yet"
    static let s3SigV2HeaderMalformed = "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"
    static let s3SigV2QueryMissing = "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"

    static func s3SigV2InvalidExpires(_ value: String) -> String {
        "Invalid date (should be seconds since epoch): \(value)"
    }
    static let s3MissingContentSHA256 = "Missing required header for this request: x-amz-content-sha256"
    static let s3InvalidContentSHA256 =
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
        + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, "
        + "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
    static let s3ContentSHA256Mismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."
    static let s3InvalidAccessKeyId = "The AWS Access Key Id you provided does not exist in our records."
    static let s3InvalidToken = "The provided token is malformed or otherwise invalid."
    static let s3ExpiredToken = "The provided token has expired."
    static let s3SignatureDoesNotMatch =
        "The request signature we calculated does not match the signature you provided. Check your key and signing method."
    static let s3IncompleteBody = "The request body terminated unexpectedly"
    static let s3IncompleteBodyLength = "You did not provide the number of bytes specified by the Content-Length HTTP header"
    static let s3InvalidChunkSize = "Only the last chunk is allowed to have a size less than 8192 bytes"
    static let s3MalformedTrailer =
        "The request contained trailing data that was not well-formed or did not conform to our published schema."

    static func s3ComponentMalformed(_ component: String) -> String {
        s3HeaderMalformedPrefix + "the authorization component \"\(component)\" is malformed."
    }

    static func s3Terminator(_ terminator: String) -> String {
        "incorrect terminal \"\(terminator)\". This endpoint uses \"aws4_request\"."
    }

    static func s3Service(_ service: String, expected: String) -> String {
        "incorrect service \"\(service)\". This endpoint belongs to \"\(expected)\"."
    }

    static func s3CredentialDate(_ credentialDate: String, requestTime: String) -> String {
        "Invalid credential date \"\(credentialDate)\". This date is not the same as X-Amz-Date: \"\(requestTime.prefix(8))\"."
    }
}

extension SigV4Error {
    private static func prefix(presigned: Bool) -> String {
        presigned ? SigV4Messages.s3CredentialParameterPrefix : SigV4Messages.s3HeaderMalformedPrefix
    }

    private static func malformedCode(presigned: Bool) -> String {
        presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed"
    }

    /// The S3 REST-XML rendering.
    var s3Error: WireError {
        typealias Text = SigV4Messages
        switch self {
        case .missingAuthentication:
            return WireError(code: "AccessDenied", message: Text.s3AccessDenied, httpStatus: 403)
        case .unsupportedAuthorizationType(let authorization):
            return WireError(
                code: "InvalidArgument",
                message: Text.s3UnsupportedAuthorizationType,
                httpStatus: 400,
                extraElements: [("ArgumentName", "Authorization"), ("ArgumentValue", authorization)]
            )
        case .authorizationMissingComponents(_, let missing):
            if missing == [.date] { return WireError(code: "AccessDenied", message: Text.s3MissingDate, httpStatus: 403) }
            return WireError(code: "AuthorizationHeaderMalformed", message: Text.s3AuthorizationThreeComponents, httpStatus: 400)
        case .authorizationComponentMalformed(let component, _):
            return WireError(code: "AuthorizationHeaderMalformed", message: Text.s3ComponentMalformed(component), httpStatus: 400)
        case .credentialMalformed(_, let presigned):
            return WireError(
                code: Self.malformedCode(presigned: presigned),
                message: Self.prefix(presigned: presigned) + Text.s3CredentialExpecting,
                httpStatus: 400
            )
        case .credentialWrongTerminator(let terminator, let presigned):
            return WireError(
                code: Self.malformedCode(presigned: presigned),
                message: Self.prefix(presigned: presigned) + Text.s3Terminator(terminator),
                httpStatus: 400
            )
        case .credentialWrongService(let service, let expected, let presigned):
            return WireError(
                code: Self.malformedCode(presigned: presigned),
                message: Self.prefix(presigned: presigned) + Text.s3Service(service, expected: expected),
                httpStatus: 400
            )
        case .credentialDateMismatch(let credentialDate, let requestTime, let presigned):
            return WireError(
                code: Self.malformedCode(presigned: presigned),
                message: Self.prefix(presigned: presigned) + Text.s3CredentialDate(credentialDate, requestTime: requestTime),
                httpStatus: 400
            )
        case .missingDate:
            return WireError(code: "AccessDenied", message: Text.s3MissingDate, httpStatus: 403)
        case .presignInvalidDate:
            return WireError(code: "AuthorizationQueryParametersError", message: Text.s3PresignInvalidDate, httpStatus: 400)
        case .hostNotSigned:
            return WireError(
                code: "AccessDenied",
                message: Text.s3HeadersNotSigned,
                httpStatus: 403,
                extraElements: [("HeadersNotSigned", "host")]
            )
        case .headersNotSigned(let names):
            return WireError(
                code: "AccessDenied",
                message: Text.s3HeadersNotSigned,
                httpStatus: 403,
                extraElements: [("HeadersNotSigned", names.joined(separator: ", "))]
            )
        case .requestTimeTooSkewed(let requestTime, _, let serverTime, let maxSkew):
            return WireError(
                code: "RequestTimeTooSkewed",
                message: Text.s3RequestTimeTooSkewed,
                httpStatus: 403,
                extraElements: [
                    ("RequestTime", requestTime), ("ServerTime", SigV4Encoding.isoDate(serverTime)),
                    ("MaxAllowedSkewMilliseconds", String(SigV4Messages.wholeNumber(maxSkew * 1000))),
                ]
            )
        case .presignMissingParameters:
            return WireError(code: "AuthorizationQueryParametersError", message: Text.s3PresignMissingParameters, httpStatus: 400)
        case .presignUnsupportedAlgorithm:
            return WireError(code: "AuthorizationQueryParametersError", message: Text.s3PresignAlgorithm, httpStatus: 400)
        case .presignExpiresTooLarge:
            return WireError(code: "AuthorizationQueryParametersError", message: Text.s3ExpiresTooLarge, httpStatus: 400)
        case .presignExpiresNegative:
            return WireError(code: "AuthorizationQueryParametersError", message: Text.s3ExpiresNegative, httpStatus: 400)
        case .presignExpiresNotANumber:
            return WireError(code: "AuthorizationQueryParametersError", message: Text.s3ExpiresNotANumber, httpStatus: 400)
        case .presignExpired(let seconds, let expiresAt, let serverTime):
            return WireError(
                code: "AccessDenied",
                message: Text.s3RequestExpired,
                httpStatus: 403,
                extraElements: [
                    ("X-Amz-Expires", String(seconds)), ("Expires", SigV4Encoding.isoDate(expiresAt)),
                    ("ServerTime", SigV4Encoding.isoDate(serverTime)),
                ]
            )
        case .presignNotYetValid:
            return WireError(code: "AccessDenied", message: Text.s3RequestNotYetValid, httpStatus: 403)
        case .sigV2HeaderMalformed(let authorization):
            return WireError(
                code: "InvalidArgument",
                message: Text.s3SigV2HeaderMalformed,
                httpStatus: 400,
                extraElements: [("ArgumentName", "Authorization"), ("ArgumentValue", authorization)]
            )
        case .sigV2QueryMissingParameters:
            return WireError(code: "AccessDenied", message: Text.s3SigV2QueryMissing, httpStatus: 403)
        case .sigV2InvalidExpires(let value):
            return WireError(code: "AccessDenied", message: Text.s3SigV2InvalidExpires(value), httpStatus: 403)
        case .sigV2Expired(let expiresAt, let serverTime):
            return WireError(
                code: "AccessDenied",
                message: Text.s3RequestExpired,
                httpStatus: 403,
                extraElements: [("Expires", SigV4Encoding.isoDate(expiresAt)), ("ServerTime", SigV4Encoding.isoDate(serverTime))]
            )
        case .missingContentSHA256:
            return WireError(code: "InvalidRequest", message: Text.s3MissingContentSHA256, httpStatus: 400)
        case .invalidContentSHA256(let value):
            return WireError(
                code: "InvalidArgument",
                message: Text.s3InvalidContentSHA256,
                httpStatus: 400,
                extraElements: [("ArgumentName", "x-amz-content-sha256"), ("ArgumentValue", value)]
            )
        case .contentSHA256Mismatch(let client, let server):
            return WireError(
                code: "XAmzContentSHA256Mismatch",
                message: Text.s3ContentSHA256Mismatch,
                httpStatus: 400,
                extraElements: [("ClientComputedContentSHA256", client), ("S3ComputedContentSHA256", server)]
            )
        case .unknownAccessKey(let accessKeyId):
            return WireError(
                code: "InvalidAccessKeyId",
                message: Text.s3InvalidAccessKeyId,
                httpStatus: 403,
                extraElements: [("AWSAccessKeyId", accessKeyId)]
            )
        case .invalidToken(let accessKeyId, let token):
            guard let token else {
                return WireError(
                    code: "InvalidAccessKeyId",
                    message: Text.s3InvalidAccessKeyId,
                    httpStatus: 403,
                    extraElements: [("AWSAccessKeyId", accessKeyId)]
                )
            }
            return WireError(code: "InvalidToken", message: Text.s3InvalidToken, httpStatus: 400, extraElements: [("Token-0", token)])
        case .expiredToken(let token):
            return WireError(code: "ExpiredToken", message: Text.s3ExpiredToken, httpStatus: 400, extraElements: [("Token-0", token)])
        case .signatureMismatch(let mismatch):
            var extras: [(String, String)] = [
                ("AWSAccessKeyId", mismatch.accessKeyId), ("StringToSign", mismatch.stringToSign),
                ("SignatureProvided", mismatch.signatureProvided), ("StringToSignBytes", SigV4Encoding.spacedHex(mismatch.stringToSign)),
            ]
            if let canonical = mismatch.canonicalRequest {
                extras.append(("CanonicalRequest", canonical))
                extras.append(("CanonicalRequestBytes", SigV4Encoding.spacedHex(canonical)))
            }
            return WireError(code: "SignatureDoesNotMatch", message: Text.s3SignatureDoesNotMatch, httpStatus: 403, extraElements: extras)
        case .incompleteBody, .malformedChunk:
            return WireError(code: "IncompleteBody", message: Text.s3IncompleteBody, httpStatus: 400)
        case .decodedContentLengthMismatch:
            return WireError(code: "IncompleteBody", message: Text.s3IncompleteBodyLength, httpStatus: 400)
        case .invalidChunkSize(let chunk, let size):
            return WireError(
                code: "InvalidChunkSizeError",
                message: Text.s3InvalidChunkSize,
                httpStatus: 403,
                extraElements: [("Chunk", String(chunk)), ("BadChunkSize", String(size))]
            )
        case .malformedTrailer:
            return WireError(code: "MalformedTrailerError", message: Text.s3MalformedTrailer, httpStatus: 400)
        }
    }

    /// Code and message shared by the JSON and query renderings: (kind, message).
    private var genericParts: (kind: GenericKind, message: String) {
        typealias Text = SigV4Messages
        switch self {
        case .missingAuthentication:
            return (.missingToken, Text.missingAuthenticationToken)
        case .unsupportedAuthorizationType(let authorization):
            return (.incomplete, Text.missingComponents([.credential, .signature, .signedHeaders], authorization: authorization))
        case .authorizationMissingComponents(let authorization, let missing):
            return (.incomplete, Text.missingComponents(missing, authorization: authorization))
        case .authorizationComponentMalformed(let component, let authorization):
            return (.incomplete, Text.componentMissingEquals(component, authorization: authorization))
        case .credentialMalformed(let credential, _):
            return (.incomplete, Text.credentialElements(credential))
        case .credentialWrongTerminator(let terminator, _):
            return (.incomplete, Text.credentialTerminator(terminator))
        case .credentialWrongService(_, let expected, _):
            return (.incomplete, Text.credentialService(expected))
        case .credentialDateMismatch(let credentialDate, let requestTime, _):
            return (.signature, Text.credentialDate(credentialDate, requestTime: requestTime))
        case .missingDate:
            return (.incomplete, Text.requiresComponent(.date))
        case .presignInvalidDate:
            return (.incomplete, Text.s3PresignInvalidDate)
        case .hostNotSigned:
            return (.incomplete, Text.hostMustBeSigned)
        case .headersNotSigned:
            return (.incomplete, Text.headersNotSignedJSON)
        case .requestTimeTooSkewed(let requestTime, let requestDate, let serverTime, let maxSkew):
            if requestDate < serverTime {
                return (.signature, Text.signatureExpired(requestTime: requestTime, serverTime: serverTime, maxSkew: maxSkew))
            }
            return (.signature, Text.signatureNotYetCurrent(requestTime: requestTime, serverTime: serverTime, maxSkew: maxSkew))
        case .presignMissingParameters(let missing):
            return (.incomplete, Text.queryParametersMustInclude(missing))
        case .presignUnsupportedAlgorithm(let algorithm):
            return (.incomplete, Text.unsupportedAlgorithm(algorithm))
        case .presignExpiresTooLarge:
            return (.incomplete, Text.s3ExpiresTooLarge)
        case .presignExpiresNegative:
            return (.incomplete, Text.s3ExpiresNegative)
        case .presignExpiresNotANumber:
            return (.incomplete, Text.s3ExpiresNotANumber)
        case .presignExpired(_, let expiresAt, let serverTime):
            return (.signature, Text.presignExpiredJSON(expiresAt: expiresAt, serverTime: serverTime))
        case .presignNotYetValid:
            return (.signature, Text.s3RequestNotYetValid)
        case .sigV2HeaderMalformed(let authorization):
            return (.incomplete, Text.missingComponents([.credential, .signature, .signedHeaders], authorization: authorization))
        case .sigV2QueryMissingParameters:
            return (.incomplete, Text.queryParametersMustInclude(["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"]))
        case .sigV2InvalidExpires(let value):
            return (.incomplete, Text.s3SigV2InvalidExpires(value))
        case .sigV2Expired(let expiresAt, let serverTime):
            return (.signature, Text.presignExpiredJSON(expiresAt: expiresAt, serverTime: serverTime))
        case .unknownAccessKey, .invalidToken:
            return (.invalidClient, Text.invalidSecurityToken)
        case .expiredToken:
            return (.expiredToken, Text.expiredSecurityToken)
        case .signatureMismatch(let mismatch):
            return (.signature, Text.signatureWithDetails(mismatch))
        case .missingContentSHA256, .invalidContentSHA256, .contentSHA256Mismatch, .incompleteBody, .decodedContentLengthMismatch,
            .invalidChunkSize, .malformedChunk, .malformedTrailer:
            let s3 = s3Error
            return (.other(s3.code), s3.message)
        }
    }

    private enum GenericKind {
        case missingToken
        case incomplete
        case signature
        case invalidClient
        case expiredToken
        case other(String)
    }

    /// The awsJson / restJson rendering.
    func jsonError(status: Int) -> WireError {
        let parts = genericParts
        switch parts.kind {
        case .missingToken:
            let message = status == 403 ? SigV4Messages.missingAuthenticationTokenRest : parts.message
            return WireError(code: "MissingAuthenticationTokenException", message: message, httpStatus: status)
        case .incomplete: return WireError(code: "IncompleteSignatureException", message: parts.message, httpStatus: status)
        case .signature: return WireError(code: "InvalidSignatureException", message: parts.message, httpStatus: status)
        case .invalidClient: return WireError(code: "UnrecognizedClientException", message: parts.message, httpStatus: status)
        case .expiredToken: return WireError(code: "ExpiredTokenException", message: parts.message, httpStatus: status)
        case .other(let code): return WireError(code: code, message: parts.message, httpStatus: 400)
        }
    }

    /// The awsQuery rendering.
    var queryError: WireError {
        let parts = genericParts
        switch parts.kind {
        case .missingToken: return WireError(code: "MissingAuthenticationToken", message: parts.message, httpStatus: 403)
        case .incomplete: return WireError(code: "IncompleteSignature", message: parts.message, httpStatus: 400)
        case .signature: return WireError(code: "SignatureDoesNotMatch", message: parts.message, httpStatus: 403)
        case .invalidClient: return WireError(code: "InvalidClientTokenId", message: parts.message, httpStatus: 403)
        case .expiredToken: return WireError(code: "ExpiredToken", message: parts.message, httpStatus: 403)
        case .other(let code): return WireError(code: code, message: parts.message, httpStatus: 400)
        }
    }
}
