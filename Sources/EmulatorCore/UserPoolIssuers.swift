import Foundation

/// The emulated Cognito user pools as JWT issuers, for the services that accept their tokens (API Gateway's Cognito
/// and JWT authorizers, Cognito Identity's `Logins`) without importing the user pool service or using the network.
package protocol UserPoolIssuers: Sendable {
    /// The JWKS document (`{"keys":[...]}`) of a local pool, by its issuer URL.
    /// - Parameter issuer: `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
    /// - Returns: The document, or nil when no local pool has that issuer.
    func jwks(issuer: String) async -> Data?

    /// The claims of a token a local pool signed, verified: signature, issuer, `exp` on the virtual clock.
    /// - Parameter token: The compact JWT.
    /// - Returns: The verified token, or nil when it is not a valid, unexpired token of a local pool.
    func verifiedToken(_ token: String) async -> UserPoolToken?
}

/// A verified user pool token.
package struct UserPoolToken: Sendable, Equatable {
    /// `iss`.
    package var issuer: String
    /// The pool id (the issuer's last path segment).
    package var poolId: String
    /// `token_use`: `id` or `access`.
    package var tokenUse: String
    /// `aud` (ID tokens) or `client_id` (access tokens).
    package var clientId: String
    /// `sub`.
    package var subject: String

    /// Creates a token description.
    /// - Parameters:
    ///   - issuer: `iss`.
    ///   - poolId: The pool id.
    ///   - tokenUse: `id` or `access`.
    ///   - clientId: The app client id.
    ///   - subject: `sub`.
    package init(issuer: String, poolId: String, tokenUse: String, clientId: String, subject: String) {
        self.issuer = issuer
        self.poolId = poolId
        self.tokenUse = tokenUse
        self.clientId = clientId
        self.subject = subject
    }

    /// The issuer URL of a user pool, as Cognito writes it in `iss`.
    /// - Parameters:
    ///   - region: The pool's region.
    ///   - poolId: The pool id.
    /// - Returns: `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
    package static func issuer(region: String, poolId: String) -> String {
        "https://cognito-idp.\(region).amazonaws.com/\(poolId)"
    }

    /// The pool id of a user pool issuer URL (`https://cognito-idp.{region}.amazonaws.com/{poolId}`), or nil for
    /// any other URL.
    /// - Parameter issuer: The URL.
    /// - Returns: The pool id.
    package static func poolId(ofIssuer issuer: String) -> String? {
        var text = issuer
        while text.hasSuffix("/") { text.removeLast() }
        guard text.hasPrefix("https://cognito-idp.") else { return nil }
        let rest = text.dropFirst("https://".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let host = rest[..<slash]
        // `isPoolId` refuses any further `/`: exactly one path segment.
        let poolId = String(rest[rest.index(after: slash)...])
        guard host.hasSuffix(".amazonaws.com"), isPoolId(poolId) else { return nil }
        return poolId
    }

    /// Whether a text has a user pool id's shape: `{region}_{alphanumerics}`.
    /// - Parameter text: The text.
    /// - Returns: Whether it is shaped like a pool id.
    package static func isPoolId(_ text: String) -> Bool {
        guard let underscore = text.firstIndex(of: "_"), text.count <= 55 else { return false }
        let region = text[..<underscore]
        let rest = text[text.index(after: underscore)...]
        return !region.isEmpty && region.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
            && !rest.isEmpty && rest.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
