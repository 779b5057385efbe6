import Foundation

/// Namespace for request-authentication helpers that do not need a verifier instance.
package enum SigV4 {}

/// What the verifier needs from an HTTP request (the front door fills it).
package struct SigV4Request: Sendable {
    /// HTTP method, e.g. `GET`.
    package var method: String
    /// Raw path exactly as received (still percent-encoded), without the query.
    package var path: String
    /// Raw query string exactly as received, without `?`; empty when there is none.
    package var query: String {
        didSet { queryItems = Self.decodedItems(query) }
    }
    /// Headers as received, in order, names in any case.
    package var headers: [(name: String, value: String)]

    /// Creates a request description.
    package init(method: String, path: String, query: String = "", headers: [(name: String, value: String)]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.queryItems = Self.decodedItems(query)
    }

    /// All values of a header (case-insensitive name match), in the order received.
    package func headerValues(_ name: String) -> [String] {
        headers.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// The first value of a header (case-insensitive name match).
    package func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// The query parameters, percent-decoded, in the order received (`+` is kept literally); decoded once, when the
    /// query is set, because the verifier reads a presigned URL's parameters one by one.
    package private(set) var queryItems: [(name: String, value: String)]

    private static func decodedItems(_ query: String) -> [(name: String, value: String)] {
        SigV4Encoding.parseQuery(query).map { (SigV4Encoding.percentDecode($0.name), SigV4Encoding.percentDecode($0.value)) }
    }

    /// ASCII case-insensitive comparison of header names, without lower-casing copies.
    private static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { pair in
            pair.0 == pair.1 || (pair.0 | 0x20 == pair.1 | 0x20 && (pair.0 | 0x20) >= UInt8(ascii: "a") && (pair.0 | 0x20) <= UInt8(ascii: "z"))
        }
    }

    /// The first decoded query parameter with exactly this name.
    package func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}

/// A key pair the server knows.
package struct SigningCredential: Sendable, Equatable {
    /// The access key id (`AKIA...`, `ASIA...`, or anything for local keys).
    package var accessKeyId: String
    /// The secret access key.
    package var secretAccessKey: String
    /// The session token that must accompany requests; nil for long-term keys.
    package var sessionToken: String?
    /// When temporary credentials stop being valid; nil for long-term keys.
    package var expiration: Date?

    /// Creates a credential.
    package init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

/// How a request carries its signature.
package enum AuthenticationKind: String, Sendable, Equatable {
    /// SigV4 `Authorization: AWS4-HMAC-SHA256 ...` header.
    case header
    /// SigV4 presigned URL (`X-Amz-Signature` query parameter).
    case presigned
    /// S3 SigV2 `Authorization: AWS AKID:signature` header.
    case sigV2Header
    /// S3 SigV2 presigned URL (`AWSAccessKeyId`, `Signature`, `Expires`).
    case sigV2Query
}

/// A request's signing material, parsed once: routing reads ``scope``, and
/// ``SigV4Verifier/verify(_:signature:bodySHA256Hex:style:now:skewReference:bucketForSigV2:lookup:unknownKeys:)``
/// reuses the parsed `Authorization` header instead of parsing it again.
package struct RequestSignature: Sendable {
    /// Where the signature is and what was parsed of it.
    enum Form: Sendable {
        /// No signing material at all.
        case none
        /// A SigV4 `Authorization` header (trimmed) and its components, or why they do not parse.
        case sigV4Header(authorization: String, components: Result<AuthorizationComponents, SigV4Error>)
        /// Any other `Authorization` header (trimmed): SigV2, or a scheme AWS does not support.
        case otherHeader(authorization: String)
        /// Signing parameters in the query string (presigned SigV4 or SigV2).
        case query
    }

    /// Which key, date, region and service signed the request; nil when unsigned or unparseable.
    package let scope: SigningScope?
    /// Where the signature is.
    let form: Form

    /// Whether the request carries any signing material, well-formed or not (a malformed `Authorization` header
    /// gets the signature error AWS gives for it, not the anonymous treatment).
    package var carriesSignature: Bool {
        if case .none = form { return false }
        return true
    }
}

/// Which key, date, region and service signed a request, found without verifying anything.
package struct SigningScope: Sendable, Equatable {
    /// The access key id.
    package var accessKeyId: String
    /// The credential-scope date (`YYYYMMDD`); nil for SigV2.
    package var date: String?
    /// The credential-scope region; `us-east-1` for SigV2.
    package var region: String
    /// The credential-scope service; `s3` for SigV2.
    package var service: String
    /// How the request is signed.
    package var kind: AuthenticationKind

    /// Creates a scope.
    package init(accessKeyId: String, date: String?, region: String, service: String, kind: AuthenticationKind) {
        self.accessKeyId = accessKeyId
        self.date = date
        self.region = region
        self.service = service
        self.kind = kind
    }
}

/// Rule set used to build the canonical request.
package enum ServiceStyle: Sendable, Equatable {
    /// S3: single URI encoding, no path normalisation, `x-amz-content-sha256` required, presign limits, SigV2 allowed.
    case s3
    /// Every other service: path normalised and each segment encoded again, payload hash from the body.
    case standard
}

/// What to do with an access key id the credential lookup does not know.
package enum UnknownKeyPolicy: Sendable, Equatable {
    /// Accept the request without checking the signature (`signatureVerified == false`).
    case acceptUnverified
    /// Reject the request (`UnrecognizedClientException` / `InvalidAccessKeyId`).
    case reject
}

/// How the payload of a request is protected, from `x-amz-content-sha256`.
package enum PayloadSigningMode: Sendable, Equatable {
    /// A hex SHA-256 of the whole body.
    case sha256(String)
    /// `UNSIGNED-PAYLOAD`.
    case unsigned
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: aws-chunked with chunk signatures.
    case streamingSigned
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks plus a signed trailer.
    case streamingSignedTrailer
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned aws-chunked with a trailer.
    case streamingUnsignedTrailer

    /// Parses an `x-amz-content-sha256` value; nil when it is not one of the accepted forms.
    package init?(contentSHA256 value: String) {
        switch value {
        case "UNSIGNED-PAYLOAD": self = .unsigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": self = .streamingSigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": self = .streamingSignedTrailer
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER": self = .streamingUnsignedTrailer
        default:
            guard SigV4Encoding.isHexSHA256(value) else { return nil }
            self = .sha256(value.lowercased())
        }
    }

    /// True for the aws-chunked forms.
    package var isStreaming: Bool {
        switch self {
        case .sha256, .unsigned: false
        case .streamingSigned, .streamingSignedTrailer, .streamingUnsignedTrailer: true
        }
    }
}

/// The result of a successful verification.
package struct Authentication: Sendable {
    /// The access key id that signed the request.
    package var accessKeyId: String
    /// Region from the credential scope (`us-east-1` for SigV2).
    package var region: String
    /// Service from the credential scope (`s3` for SigV2).
    package var service: String
    /// How the request was signed.
    package var kind: AuthenticationKind
    /// False when the key was unknown and the policy accepted it without a check.
    package var signatureVerified: Bool
    /// The session token the request carried, if any.
    package var sessionToken: String?
    /// The signing time (SigV2 presigned: the time of verification).
    package var requestDate: Date
    /// For presigned URLs: when the URL stops being valid.
    package var expiresAt: Date?
    /// How the payload is protected (S3 header-signed requests; nil otherwise).
    package var payloadMode: PayloadSigningMode?
    /// For aws-chunked bodies: what is needed to verify chunk signatures.
    package var chunkContext: ChunkSigningContext?

    /// Creates an authentication result (the verifier makes these; tests and adapters may too).
    package init(
        accessKeyId: String,
        region: String,
        service: String,
        kind: AuthenticationKind,
        signatureVerified: Bool,
        sessionToken: String? = nil,
        requestDate: Date,
        expiresAt: Date? = nil,
        payloadMode: PayloadSigningMode? = nil,
        chunkContext: ChunkSigningContext? = nil
    ) {
        self.accessKeyId = accessKeyId
        self.region = region
        self.service = service
        self.kind = kind
        self.signatureVerified = signatureVerified
        self.sessionToken = sessionToken
        self.requestDate = requestDate
        self.expiresAt = expiresAt
        self.payloadMode = payloadMode
        self.chunkContext = chunkContext
    }
}
