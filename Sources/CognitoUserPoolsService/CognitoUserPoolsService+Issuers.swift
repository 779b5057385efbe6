import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The pools as JWT issuers: their JWKS and OpenID configuration over HTTP, and token verification in-process for
/// API Gateway authorizers and Cognito Identity logins.
extension CognitoUserPoolsService: UserPoolIssuers {
    /// The JWKS of a local pool, by issuer.
    /// - Parameter issuer: `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
    /// - Returns: The document, or nil.
    package func jwks(issuer: String) async -> Data? {
        guard let poolId = UserPoolToken.poolId(ofIssuer: issuer), let pool = try? await store.pool(poolId),
            pool.record.issuer == issuer.trimmingSuffix("/"), let signer = UserPoolSigner(pool)
        else { return nil }
        return signer.jwks
    }

    /// A verified token of a local pool.
    /// - Parameter token: The compact JWT.
    /// - Returns: The token, or nil when its signature, issuer or `exp` does not hold.
    package func verifiedToken(_ token: String) async -> UserPoolToken? {
        guard let claims = UserPoolSigner.unverifiedClaims(token), let issuer = claims["iss"] as? String,
            let poolId = UserPoolToken.poolId(ofIssuer: issuer), let pool = try? await store.pool(poolId), pool.record.issuer == issuer,
            let signer = UserPoolSigner(pool), let verified = signer.verify(token),
            let exp = (verified["exp"] as? NSNumber)?.doubleValue, exp > clock.now.timeIntervalSince1970,
            let use = verified["token_use"] as? String, let sub = verified["sub"] as? String
        else { return nil }
        let client = (verified["aud"] as? String) ?? (verified["client_id"] as? String) ?? ""
        return UserPoolToken(issuer: issuer, poolId: poolId, tokenUse: use, clientId: client, subject: sub)
    }

    /// `GET /{poolId}/.well-known/jwks.json` and `/{poolId}/.well-known/openid-configuration`, as Cognito serves them
    /// on `cognito-idp.{region}.amazonaws.com`; nil for every other request (and for unknown pools: the caller
    /// answers those as it answers any unknown path).
    /// - Parameter head: The request head.
    /// - Returns: The answer.
    package func wellKnownResponse(_ head: HTTPRequest) async -> Response? {
        guard head.method == .get || head.method == .head, let path = head.path?.split(separator: "?").first,
            path.contains("/.well-known/")
        else { return nil }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 3, parts[1] == ".well-known", UserPoolToken.isPoolId(parts[0]) else { return nil }
        guard let pool = try? await store.pool(parts[0]), let signer = UserPoolSigner(pool) else {
            return Self.wellKnown(status: .notFound, Data(#"{"message":"User pool \#(parts[0]) does not exist."}"#.utf8))
        }
        switch parts[2] {
        case "jwks.json":
            return Self.wellKnown(status: .ok, signer.jwks)
        case "openid-configuration":
            let host = head.authority ?? "127.0.0.1"
            let base = host.hasPrefix("cognito-idp.") ? pool.record.issuer : "http://\(host)/\(pool.record.id)"
            let document: [String: Any] = [
                "issuer": pool.record.issuer,
                "jwks_uri": base + "/.well-known/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "token"],
                "scopes_supported": ["openid", "email", "phone", "profile"],
                "subject_types_supported": ["public"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return Self.wellKnown(status: .ok, data)
        default:
            return nil
        }
    }

    private static func wellKnown(status: HTTPResponse.Status, _ data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json;charset=UTF-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
