import Crypto
import Foundation
import _CryptoExtras

/// Validates a JSON Web Token as an HTTP API JWT authorizer does: an `RS256` signature by a key of the issuer's JWKS
/// (by `kid`), `iss` equal to the configured issuer, `aud` (or an access token's `client_id`) naming one of the
/// configured audiences, `exp` in the future and `nbf` (if any) in the past on the virtual clock.
package struct JWTValidator: Sendable {
    /// Why a token is refused (API Gateway answers 401 `Unauthorized` for all of them).
    package enum Failure: Error, Equatable {
        /// Not three base64url parts of JSON.
        case malformed
        /// Not `RS256`, or no JWKS key with the token's `kid`, or the signature does not verify.
        case badSignature
        /// `iss` is not the configured issuer.
        case wrongIssuer
        /// Neither `aud` nor `client_id` names a configured audience.
        case wrongAudience
        /// `exp` is missing or past.
        case expired
        /// `nbf` is in the future.
        case notYetValid
    }

    /// A validated token.
    package struct Token: Sendable {
        /// The claims, with their JSON values as text (as payload 2.0 passes them).
        package var claims: [String: String]
        /// The `scope` (or `scp`) claim's scopes.
        package var scopes: [String]
    }

    /// The issuer (`iss` must equal it).
    package var issuer: String
    /// The audiences (`aud` or `client_id` must name one).
    package var audiences: [String]
    /// The issuer's signing keys by `kid`.
    package var keys: [String: _RSA.Signing.PublicKey]
    /// Whether `aud` / `client_id` must name one of ``audiences`` (REST Cognito authorizers accept any app client).
    package var checksAudience = true

    /// Creates a validator.
    /// - Parameters:
    ///   - issuer: The issuer.
    ///   - audiences: The audiences.
    ///   - keys: The RSA public keys by `kid`.
    package init(issuer: String, audiences: [String], keys: [String: _RSA.Signing.PublicKey]) {
        self.issuer = issuer
        self.audiences = audiences
        self.keys = keys
    }

    /// The RSA keys of a JWKS document (`{"keys":[{"kty":"RSA","kid","n","e"}...]}`); other keys are skipped.
    /// - Parameter jwks: The document.
    /// - Returns: The keys by `kid`.
    package static func keys(fromJWKS jwks: Data) -> [String: _RSA.Signing.PublicKey] {
        guard let object = try? JSONSerialization.jsonObject(with: jwks) as? [String: Any], let list = object["keys"] as? [Any] else { return [:] }
        var result: [String: _RSA.Signing.PublicKey] = [:]
        for case let key as [String: Any] in list {
            guard key["kty"] as? String == "RSA", let kid = key["kid"] as? String,
                let n = (key["n"] as? String).flatMap(base64URL), let e = (key["e"] as? String).flatMap(base64URL),
                let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { continue }
            result[kid] = publicKey
        }
        return result
    }

    /// Validates a token.
    /// - Parameters:
    ///   - token: The compact JWT (a `Bearer ` prefix is removed).
    ///   - now: The virtual time.
    /// - Returns: The claims and scopes.
    /// - Throws: ``Failure``.
    package func validate(_ token: String, now: Date) throws(Failure) -> Token {
        var compact = token.trimmingCharacters(in: .whitespaces)
        if compact.lowercased().hasPrefix("bearer ") { compact = String(compact.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerBytes = Self.base64URL(parts[0]), let payloadBytes = Self.base64URL(parts[1]),
            let signature = Self.base64URL(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: payloadBytes) as? [String: Any]
        else { throw .malformed }
        guard header["alg"] as? String == "RS256", let kid = header["kid"] as? String, let key = keys[kid] else { throw .badSignature }
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        guard key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: signed, padding: .insecurePKCS1v1_5) else {
            throw .badSignature
        }
        guard claims["iss"] as? String == issuer else { throw .wrongIssuer }
        var named: [String] = []
        if let one = claims["aud"] as? String { named.append(one) }
        if let list = claims["aud"] as? [Any] { named += list.compactMap { $0 as? String } }
        if let client = claims["client_id"] as? String { named.append(client) }
        guard !checksAudience || named.contains(where: audiences.contains) else { throw .wrongAudience }
        let seconds = now.timeIntervalSince1970
        guard let exp = (claims["exp"] as? NSNumber)?.doubleValue, exp > seconds else { throw .expired }
        if let nbf = (claims["nbf"] as? NSNumber)?.doubleValue, nbf > seconds { throw .notYetValid }
        let scopeText = (claims["scope"] as? String) ?? (claims["scp"] as? String)
        var scopes = scopeText.map { $0.split(separator: " ").map(String.init) } ?? []
        if let list = claims["scp"] as? [Any] { scopes = list.compactMap { $0 as? String } }
        var texts: [String: String] = [:]
        for (name, value) in claims { texts[name] = Self.claimText(value) }
        return Token(claims: texts, scopes: scopes)
    }

    /// A claim as payload 2.0 writes it: strings as they are, numbers and booleans (`true`) as text, lists as `[a b]`.
    static func claimText(_ value: Any) -> String {
        switch value {
        case let text as String: return text
        case let list as [Any]: return "[" + list.map(claimText).joined(separator: " ") + "]"
        case let number as NSNumber:
            // JSON booleans decode as NSNumber of type `c` (char): `true` / `false`, as API Gateway writes them.
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            let double = number.doubleValue
            if double.rounded() == double, abs(double) < 9.0e15 { return String(Int64(double)) }
            return number.stringValue
        default:
            let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Decodes base64url (no padding).
    static func base64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64)
    }
}
