// The Identity target: who called (`Caller`), whether they may (`RequestAuthorizing`, `AuthorizationDecision`,
// `require`) and the `ARN` helpers. It sits below HTTP and IAM: it must not import AWSGateway, IAM or any service.

import SigV4

/// Who made a request, as the front door established it.
package struct Caller: Sendable {
    /// The access key id that signed the request, `nil` for anonymous requests.
    package var accessKeyId: String?
    /// The session token sent with temporary credentials.
    package var sessionToken: String?
    /// The principal ARN (`arn:aws:iam::ACCOUNT:root`, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    package var principalArn: String?
    /// Whether the signature was verified against a known secret (unknown keys may be let through unverified).
    package var signatureVerified: Bool
    /// How the request was signed.
    package var signing: SigningMethod
    /// The verification result (payload signing mode and chunk-signing context for S3 uploads).
    package var authentication: Authentication?

    /// How a request was signed.
    package enum SigningMethod: String, Sendable {
        /// No signature at all.
        case anonymous
        /// SigV4 `Authorization` header.
        case sigV4Header
        /// SigV4 query string (presigned URL).
        case sigV4Query
        /// SigV2 `Authorization: AWS` header (S3 only).
        case sigV2Header
        /// SigV2 query string (S3 presigned URL).
        case sigV2Query
    }

    /// Creates a caller.
    /// - Parameters:
    ///   - accessKeyId: The access key id that signed the request, `nil` for anonymous requests.
    ///   - sessionToken: The session token sent with temporary credentials.
    ///   - principalArn: The principal ARN.
    ///   - signatureVerified: Whether the signature was verified against a known secret.
    ///   - signing: How the request was signed.
    ///   - authentication: The verification result, if any.
    package init(
        accessKeyId: String?,
        sessionToken: String?,
        principalArn: String?,
        signatureVerified: Bool,
        signing: SigningMethod,
        authentication: Authentication?
    ) {
        self.accessKeyId = accessKeyId
        self.sessionToken = sessionToken
        self.principalArn = principalArn
        self.signatureVerified = signatureVerified
        self.signing = signing
        self.authentication = authentication
    }

    /// An anonymous caller.
    package static let anonymous = Caller(
        accessKeyId: nil,
        sessionToken: nil,
        principalArn: nil,
        signatureVerified: false,
        signing: .anonymous,
        authentication: nil
    )

    /// Whether the request carried no signature.
    package var isAnonymous: Bool { signing == .anonymous }
}
