import EmulatorCore
import Foundation
import Logging

extension APIGatewayHTTPService {
    /// Runs a REST API Cognito user pool authorizer (`COGNITO_USER_POOLS`), as API Gateway does: the token from the
    /// identity source (default `method.request.header.Authorization`) must be signed by one of the `ProviderARNs`
    /// pools (their JWKS, from the emulated user pools without the network), carry that pool's issuer and be
    /// unexpired on the virtual clock. A method without `AuthorizationScopes` takes the ID token; with scopes, an
    /// access token naming one of them. Anything else answers 401 `Unauthorized`.
    /// - Returns: `requestContext.authorizer` = `{"claims": {...}}` (every claim as text, `exp` and `iat` as dates as
    ///   API Gateway writes them), or the refusal.
    func runCognitoAuthorizer(
        _ spec: AuthorizerSpec,
        scopes: [String],
        stage: RestApiSpec.Stage,
        method: RestApiSpec.Method,
        request: ProxyRequest,
        logger: Logger
    ) async -> MethodAuthorizationOutcome {
        let source = spec.identitySources.first ?? "method.request.header.Authorization"
        guard let token = Self.identityValue(source, request: request, stage: stage, method: method), !token.isEmpty else {
            logger.info("Cognito authorizer identity source missing", metadata: ["authorizer": .string(spec.name), "source": .string(source)])
            return .refused(.unauthorized)
        }
        let kid = Self.jwtKeyId(token)
        for arn in spec.providerARNs {
            // arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}
            let fields = arn.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 6, let poolId = fields[5].split(separator: "/").last.map(String.init) else { continue }
            let issuer = UserPoolToken.issuer(region: String(fields[3]), poolId: poolId)
            var validator = JWTValidator(issuer: issuer, audiences: [], keys: await jwks.keys(issuer: issuer, kid: kid))
            validator.checksAudience = false
            guard let valid = try? validator.validate(token, now: clock.now) else { continue }
            let use = valid.claims["token_use"]
            if scopes.isEmpty ? use != "id" : (use != "access" || !scopes.contains(where: valid.scopes.contains)) {
                logger.info("Cognito token refused: wrong token use or scopes", metadata: ["authorizer": .string(spec.name)])
                return .refused(.unauthorized)
            }
            var claims = valid.claims
            for name in ["exp", "iat"] {
                if let seconds = claims[name].flatMap(Double.init) { claims[name] = Self.claimDate(Date(timeIntervalSince1970: seconds)) }
            }
            return .allowed(authorizer: ProxyEvents.json(["claims": claims]), identity: [:])
        }
        logger.info("Cognito token refused", metadata: ["authorizer": .string(spec.name)])
        return .refused(.unauthorized)
    }

    /// A claim date as REST Cognito authorizers pass it: `Fri Dec 04 17:05:03 UTC 2026`.
    static func claimDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE MMM dd HH:mm:ss 'UTC' yyyy"
        return formatter.string(from: date)
    }
}
