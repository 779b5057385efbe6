import Crypto
import EmulatorCore
import Foundation

/// Signs and verifies the OpenID Connect tokens Cognito's `GetOpenIdToken` returns and STS
/// `AssumeRoleWithWebIdentity` accepts.
///
/// Tokens are compact JWS (ES256) signed with a P-256 key generated when the emulator starts, so they do not
/// survive a restart. The claims are the ones Cognito puts in its tokens: `sub` (identity id), `aud` (pool id),
/// `amr`, `iss` (`https://cognito-identity.amazonaws.com`), `iat`, `exp` (ten minutes later) and the
/// `https://cognito-identity.amazonaws.com/identity-pool-arn` claim.
package struct WebIdentityTokens: Sendable {
    /// The claims the emulator reads back from a token.
    package struct Claims: Sendable, Equatable {
        /// `sub`: the identity id.
        package var subject: String
        /// `aud`: the identity pool id.
        package var audience: String
        /// `amr`: `unauthenticated`, or `authenticated` and provider entries.
        package var amr: [String]
        /// `iss`.
        package var issuer: String
        /// `iat`.
        package var issuedAt: Date
        /// `exp`.
        package var expiresAt: Date
    }

    /// Why a token was refused.
    package enum Failure: Error, Sendable, Equatable {
        /// Not a JWS this emulator signed (shape, algorithm or signature).
        case invalid
        /// Past its `exp` on the virtual clock.
        case expired(expiresAt: Date)
    }

    /// The issuer Cognito names in its tokens.
    package static let issuer = "https://cognito-identity.amazonaws.com"
    /// How long a token from `GetOpenIdToken` is valid (ten minutes, as in Cognito).
    package static let lifetime: TimeInterval = 600

    /// The P-256 private key's raw bytes (Crypto's key types are not `Sendable`; the bytes are).
    private let keyBytes: Data
    /// The `kid` header of every token.
    package let keyId: String

    /// Generates a fresh signing key.
    /// - Parameter keyId: The `kid` header value.
    package init(keyId: String = "synapscribe-local-1") {
        self.keyBytes = P256.Signing.PrivateKey().rawRepresentation
        self.keyId = keyId
    }

    /// Signs a Cognito identity token.
    /// - Parameters:
    ///   - identityId: The identity id (`sub`).
    ///   - poolId: The identity pool id (`aud`).
    ///   - poolArn: The pool's ARN (the `identity-pool-arn` claim).
    ///   - amr: The authentication methods (`["unauthenticated"]` for guests).
    ///   - now: The issue time (virtual clock).
    ///   - lifetime: Seconds until `exp`.
    /// - Returns: The compact JWS.
    package func sign(identityId: String, poolId: String, poolArn: String, amr: [String], now: Date, lifetime: TimeInterval = lifetime) -> String {
        let issuedAt = Timestamp.epochSeconds(now)
        let claims: [String: Any] = [
            "sub": identityId,
            "aud": poolId,
            "amr": amr,
            "iss": Self.issuer,
            "iat": issuedAt,
            "exp": Timestamp.epochSeconds(now.addingTimeInterval(lifetime.rounded(.down))),
            "https://cognito-identity.amazonaws.com/identity-pool-arn": poolArn,
        ]
        let header: [String: Any] = ["kid": keyId, "typ": "JWS", "alg": "ES256"]
        let signingInput = Self.segment(header) + "." + Self.segment(claims)
        let key = try? P256.Signing.PrivateKey(rawRepresentation: keyBytes)
        let signature = (try? key?.signature(for: Data(signingInput.utf8)).rawRepresentation) ?? Data()
        return signingInput + "." + Self.base64URL(signature)
    }

    /// Verifies a token's signature and expiry and reads its claims.
    /// - Parameters:
    ///   - token: The compact JWS.
    ///   - now: The current time (virtual clock).
    /// - Returns: The claims.
    /// - Throws: ``Failure``.
    package func verify(_ token: String, now: Date) throws(Failure) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Self.decodeBase64URL(parts[0]), let claimsData = Self.decodeBase64URL(parts[1]),
            let signatureData = Self.decodeBase64URL(parts[2]),
            let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
            header["alg"] as? String == "ES256",
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureData),
            let key = try? P256.Signing.PrivateKey(rawRepresentation: keyBytes),
            key.publicKey.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8)),
            let claims = (try? JSONSerialization.jsonObject(with: claimsData)) as? [String: Any],
            let subject = claims["sub"] as? String, let audience = claims["aud"] as? String,
            let issuedAt = (claims["iat"] as? NSNumber)?.doubleValue, let expiresAt = (claims["exp"] as? NSNumber)?.doubleValue
        else { throw .invalid }
        let expiry = Date(timeIntervalSince1970: expiresAt)
        guard now < expiry else { throw .expired(expiresAt: expiry) }
        return Claims(
            subject: subject,
            audience: audience,
            amr: claims["amr"] as? [String] ?? [],
            issuer: claims["iss"] as? String ?? "",
            issuedAt: Date(timeIntervalSince1970: issuedAt),
            expiresAt: expiry
        )
    }

    private static func segment(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return base64URL(data)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
