import Foundation
import Logging

extension APIGatewayHTTPService {
    /// Runs an HTTP API JWT authorizer: the token from the identity source (default `$request.header.Authorization`,
    /// a `Bearer ` prefix allowed), validated against the issuer's JWKS (``JWTValidator``); a missing or invalid token
    /// answers 401 `Unauthorized`, a valid one without any of the route's `AuthorizationScopes` 403 `Forbidden`.
    /// - Returns: `requestContext.authorizer` as JSON (`{"jwt":{"claims","scopes"}}` for payload 2.0,
    ///   `{"claims","scopes"}` for 1.0), or the refusal.
    func authorizeJWT(
        _ api: HttpApiSpec,
        authorizerId: String,
        scopes required: [String],
        request: ProxyRequest,
        version2: Bool,
        logger: Logger
    ) async -> Result<Data, GatewayRefusal> {
        let unauthorized = GatewayRefusal(status: 401, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.unauthorized))
        guard let spec = api.authorizers.first(where: { $0.authorizerId == authorizerId }), let issuer = spec.issuer else {
            return .failure(unauthorized)
        }
        let source = spec.identitySources.first ?? "$request.header.Authorization"
        let token: String?
        if source.hasPrefix("$request.header.") {
            token = request.header(String(source.dropFirst("$request.header.".count)))
        } else if source.hasPrefix("$request.querystring.") {
            let name = String(source.dropFirst("$request.querystring.".count))
            token = request.queryItems.first { $0.name == name }?.value
        } else {
            token = nil
        }
        guard let token, !token.isEmpty else { return .failure(unauthorized) }
        let kid = Self.jwtKeyId(token)
        let keys = await jwks.keys(issuer: issuer, kid: kid)
        let validator = JWTValidator(issuer: issuer, audiences: spec.audiences, keys: keys)
        let valid: JWTValidator.Token
        do {
            valid = try validator.validate(token, now: clock.now)
        } catch {
            logger.info("JWT refused", metadata: ["authorizer": .string(spec.name), "reason": .string(String(describing: error))])
            return .failure(unauthorized)
        }
        if !required.isEmpty, !required.contains(where: valid.scopes.contains) {
            return .failure(GatewayRefusal(status: 403, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.forbidden)))
        }
        let jwt: [String: Any] = ["claims": valid.claims, "scopes": valid.scopes.isEmpty ? NSNull() : valid.scopes]
        return .success(ProxyEvents.json(version2 ? ["jwt": jwt] : jwt))
    }

    /// The `kid` of a token's header, if readable.
    static func jwtKeyId(_ token: String) -> String? {
        var compact = token.trimmingCharacters(in: .whitespaces)
        if compact.lowercased().hasPrefix("bearer ") { compact = String(compact.dropFirst(7)) }
        guard let first = compact.split(separator: ".").first, let data = JWTValidator.base64URL(String(first)),
            let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return header["kid"] as? String
    }
}
