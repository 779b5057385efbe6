import Crypto
import EmulatorCore
import Foundation
import _CryptoExtras

/// A user pool's RS256 signing key and the JWTs it signs, with the claims Cognito puts in its ID and access tokens.
/// See https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-with-identity-providers.html
struct UserPoolSigner: Sendable {
    let keyId: String
    let key: _RSA.Signing.PrivateKey

    /// A fresh 2048-bit key with a random `kid`.
    static func generate() throws -> (keyId: String, pem: String) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let digest = SHA256.hash(data: key.publicKey.derRepresentation)
        let keyId = Data(digest).base64EncodedString()
        return (keyId, key.pemRepresentation)
    }

    /// The signer of a stored pool, nil when its key does not load.
    init?(_ pool: UserPoolsStore.StoredPool) {
        guard let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pool.keyPEM) else { return nil }
        self.keyId = pool.keyId
        self.key = key
    }

    /// The pool's JWKS document.
    var jwks: Data {
        var entry: [String: Any] = ["alg": "RS256", "kid": keyId, "kty": "RSA", "use": "sig"]
        if let primitives = try? key.publicKey.getKeyPrimitives() {
            entry["n"] = Self.base64URL(primitives.modulus)
            entry["e"] = Self.base64URL(primitives.publicExponent)
        }
        return (try? JSONSerialization.data(withJSONObject: ["keys": [entry]], options: [.sortedKeys])) ?? Data()
    }

    /// Signs a claim set.
    func sign(_ claims: [String: Any]) -> String {
        let header: [String: Any] = ["kid": keyId, "alg": "RS256"]
        let input = Self.segment(header) + "." + Self.segment(claims)
        let signature = (try? key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5).rawRepresentation) ?? Data()
        return input + "." + Self.base64URL(signature)
    }

    /// The claims of a token this key signed, or nil when the signature does not verify.
    func verify(_ token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerBytes = Self.decodeBase64URL(parts[0]), let payload = Self.decodeBase64URL(parts[1]),
            let signature = Self.decodeBase64URL(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any],
            header["alg"] as? String == "RS256", header["kid"] as? String == keyId,
            key.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: Data((parts[0] + "." + parts[1]).utf8),
                padding: .insecurePKCS1v1_5
            )
        else { return nil }
        return try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
    }

    /// The unverified claims of a compact JWT (to find its issuer's key).
    static func unverifiedClaims(_ token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = decodeBase64URL(String(parts[1])) else { return nil }
        return try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
    }

    static func segment(_ object: [String: Any]) -> String {
        base64URL((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64)
    }
}

/// The three tokens of a successful sign-in.
struct IssuedTokens {
    var idToken: String
    var accessToken: String
    var refreshToken: String?
    var expiresIn: Int

    /// The `AuthenticationResult` member.
    var authenticationResult: [String: Any] {
        var object: [String: Any] = ["IdToken": idToken, "AccessToken": accessToken, "ExpiresIn": expiresIn, "TokenType": "Bearer"]
        if let refreshToken { object["RefreshToken"] = refreshToken }
        return object
    }
}

extension UserPoolSigner {
    /// An ID and an access token for a user, as Cognito shapes them.
    /// - Parameters:
    ///   - user: The user.
    ///   - pool: The pool.
    ///   - client: The app client.
    ///   - groups: The user's groups: `cognito:groups` (ID and access tokens, lowest `Precedence` first), and in the ID
    ///     token `cognito:roles` and `cognito:preferred_role` from the groups' `RoleArn`.
    ///   - authTime: When the user authenticated (`auth_time`; kept across refreshes).
    ///   - now: The issue time (virtual clock).
    ///   - originJti: The `origin_jti` of the sign-in.
    /// - Returns: The ID token and the access token.
    func tokens(
        user: PoolUserRecord,
        pool: UserPoolRecord,
        client: UserPoolClientRecord,
        groups: [UserPoolGroupRecord] = [],
        authTime: Date,
        now: Date,
        originJti: String
    ) -> (id: String, access: String) {
        let issuedAt = Timestamp.epochSeconds(now)
        let eventId = EmulatorRandom.uuidString("cognito-idp-events")
        var id: [String: Any] = [
            "sub": user.sub,
            "iss": pool.issuer,
            "cognito:username": user.username,
            "origin_jti": originJti,
            "aud": client.id,
            "event_id": eventId,
            "token_use": "id",
            "auth_time": Timestamp.epochSeconds(authTime),
            "exp": Timestamp.epochSeconds(now.addingTimeInterval(TimeInterval(client.idTokenValidity))),
            "iat": issuedAt,
            "jti": EmulatorRandom.uuidString("cognito-idp-jti"),
        ]
        for attribute in user.attributes where attribute.name != "sub" {
            if attribute.name.hasSuffix("_verified") {
                id[attribute.name] = attribute.value == "true"
            } else {
                id[attribute.name] = attribute.value
            }
        }
        var access: [String: Any] = [
            "sub": user.sub,
            "iss": pool.issuer,
            "client_id": client.id,
            "origin_jti": originJti,
            "event_id": eventId,
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": Timestamp.epochSeconds(authTime),
            "exp": Timestamp.epochSeconds(now.addingTimeInterval(TimeInterval(client.accessTokenValidity))),
            "iat": issuedAt,
            "jti": EmulatorRandom.uuidString("cognito-idp-jti"),
            "username": user.username,
        ]
        if !groups.isEmpty {
            let ordered = UserPoolGroupRecord.tokenOrder(groups)
            id["cognito:groups"] = ordered.map(\.name)
            access["cognito:groups"] = ordered.map(\.name)
            var roles: [String] = []
            for role in ordered.compactMap(\.roleArn) where !roles.contains(role) { roles.append(role) }
            if !roles.isEmpty { id["cognito:roles"] = roles }
            if let preferred = UserPoolGroupRecord.preferredRole(groups) { id["cognito:preferred_role"] = preferred }
        }
        return (sign(id), sign(access))
    }
}
