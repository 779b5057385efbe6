import Foundation

/// How an error is rendered on the wire.
package enum ErrorStyle: Sendable, Equatable {
    /// S3 REST-XML `<Error><Code>...` with extra elements.
    case s3Xml
    /// awsJson services (DynamoDB, Cognito...): `__type` + `message`, HTTP 400.
    case json
    /// restJson services (Lambda, API Gateway management): like `.json` but HTTP 403 for authentication failures.
    case restJson
    /// awsQuery services (STS, IAM, CloudFormation): `<ErrorResponse><Error><Code>...`.
    case queryXml
}

/// An error ready to be serialised by a protocol layer.
package struct WireError: Sendable, Equatable {
    /// The error code (`SignatureDoesNotMatch`, `InvalidSignatureException`...).
    package var code: String
    /// The human-readable message.
    package var message: String
    /// The HTTP status code.
    package var httpStatus: Int
    /// Extra elements S3 adds to `<Error>` (name, text), in order.
    package var extraElements: [(String, String)]

    /// Creates a wire error.
    package init(code: String, message: String, httpStatus: Int, extraElements: [(String, String)] = []) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.extraElements = extraElements
    }

    /// Compares code, message, status and extra elements.
    package static func == (lhs: WireError, rhs: WireError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.httpStatus == rhs.httpStatus
            && lhs.extraElements.map(\.0) == rhs.extraElements.map(\.0) && lhs.extraElements.map(\.1) == rhs.extraElements.map(\.1)
    }
}

/// One of the parts a SigV4 `Authorization` header must have.
package enum AuthorizationComponent: String, Sendable, Equatable {
    /// `Credential=`.
    case credential = "Credential"
    /// `Signature=`.
    case signature = "Signature"
    /// `SignedHeaders=`.
    case signedHeaders = "SignedHeaders"
    /// An `X-Amz-Date` or `Date` header.
    case date = "Date"
}

/// Data shown when a computed signature differs from the one provided.
package struct SignatureMismatch: Sendable, Equatable {
    /// The access key id the request used.
    package var accessKeyId: String
    /// The string to sign the server computed.
    package var stringToSign: String
    /// The signature the client sent.
    package var signatureProvided: String
    /// The canonical request the server computed (SigV4 only).
    package var canonicalRequest: String?

    /// Creates mismatch details.
    package init(accessKeyId: String, stringToSign: String, signatureProvided: String, canonicalRequest: String?) {
        self.accessKeyId = accessKeyId
        self.stringToSign = stringToSign
        self.signatureProvided = signatureProvided
        self.canonicalRequest = canonicalRequest
    }
}

/// Every way authentication can fail; renders itself per protocol with `wireError(_:)`.
package enum SigV4Error: Error, Sendable, Equatable {
    /// No `Authorization` header and no presigned query parameters.
    case missingAuthentication
    /// The `Authorization` header uses an unknown scheme/algorithm.
    case unsupportedAuthorizationType(authorization: String)
    /// The SigV4 `Authorization` header lacks components (or the request lacks a date).
    case authorizationMissingComponents(authorization: String, missing: [AuthorizationComponent])
    /// A component of the `Authorization` header is not `key=value`.
    case authorizationComponentMalformed(component: String, authorization: String)
    /// The credential is not `AKID/YYYYMMDD/REGION/SERVICE/aws4_request`.
    case credentialMalformed(credential: String, presigned: Bool)
    /// The credential scope does not end in `aws4_request`.
    case credentialWrongTerminator(terminator: String, presigned: Bool)
    /// The credential scope names another service than the endpoint's.
    case credentialWrongService(service: String, expected: String, presigned: Bool)
    /// The credential scope date differs from the request date (`requestTime` in ISO 8601 basic format).
    case credentialDateMismatch(credentialDate: String, requestTime: String, presigned: Bool)
    /// Neither a usable `X-Amz-Date` nor `Date` header.
    case missingDate
    /// `X-Amz-Date` in a presigned URL is not ISO 8601 basic format.
    case presignInvalidDate(value: String)
    /// `host` is not among the signed headers.
    case hostNotSigned
    /// S3: `x-amz-*` headers present but not signed.
    case headersNotSigned([String])
    /// The request time is further from the server time than allowed.
    case requestTimeTooSkewed(requestTime: String, requestDate: Date, serverTime: Date, maxSkew: TimeInterval)
    /// Presigned URL without all of the required `X-Amz-*` parameters (names of the missing ones).
    case presignMissingParameters(missing: [String])
    /// Presigned URL with an unknown `X-Amz-Algorithm`.
    case presignUnsupportedAlgorithm(String)
    /// `X-Amz-Expires` above 604800.
    case presignExpiresTooLarge
    /// `X-Amz-Expires` below zero.
    case presignExpiresNegative
    /// `X-Amz-Expires` not a number.
    case presignExpiresNotANumber
    /// The presigned URL is past its expiry.
    case presignExpired(expiresSeconds: Int, expiresAt: Date, serverTime: Date)
    /// The presigned URL's `X-Amz-Date` is in the future.
    case presignNotYetValid(requestDate: Date, serverTime: Date)
    /// `Authorization: AWS ...` is not `AWS AKID:signature`.
    case sigV2HeaderMalformed(authorization: String)
    /// SigV2 query authentication without `AWSAccessKeyId`, `Signature` and `Expires`.
    case sigV2QueryMissingParameters
    /// SigV2 query authentication whose `Expires` is not whole seconds since 1970 within years 0000 through 9999.
    case sigV2InvalidExpires(value: String)
    /// SigV2 presigned URL past its `Expires`.
    case sigV2Expired(expiresAt: Date, serverTime: Date)
    /// S3 header-signed SigV4 request without `x-amz-content-sha256`.
    case missingContentSHA256
    /// `x-amz-content-sha256` is neither a hash nor a known constant.
    case invalidContentSHA256(String)
    /// The body does not hash to the `x-amz-content-sha256` value.
    case contentSHA256Mismatch(clientComputed: String, serverComputed: String)
    /// The access key id is not known.
    case unknownAccessKey(String)
    /// The session token is missing or does not match the temporary credentials.
    case invalidToken(accessKeyId: String, token: String?)
    /// The temporary credentials have expired.
    case expiredToken(token: String)
    /// The computed signature differs from the provided one.
    case signatureMismatch(SignatureMismatch)
    /// aws-chunked body ended before its terminating chunk.
    case incompleteBody
    /// aws-chunked body decoded to another length than `x-amz-decoded-content-length`.
    case decodedContentLengthMismatch(expected: Int, actual: Int)
    /// A signed chunk other than the last is smaller than the minimum size.
    case invalidChunkSize(chunk: Int, size: Int)
    /// A chunk header or chunk terminator is not well formed.
    case malformedChunk
    /// The trailer section is not well formed.
    case malformedTrailer

    /// Renders the error as AWS does for a protocol style.
    /// - Parameter style: The protocol style of the service that received the request.
    /// - Returns: Code, message, HTTP status and S3 extra elements.
    package func wireError(_ style: ErrorStyle) -> WireError {
        switch style {
        case .s3Xml: s3Error
        case .json: jsonError(status: 400)
        case .restJson: jsonError(status: 403)
        case .queryXml: queryError
        }
    }
}
