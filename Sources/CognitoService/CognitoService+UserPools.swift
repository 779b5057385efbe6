import EmulatorCore
import Foundation

/// The emulated Cognito user pools as identity providers: an ID token in `Logins` under
/// `cognito-idp.{region}.amazonaws.com/{poolId}`, for a pool listed in `CognitoIdentityProviders` (with the token's
/// app client as `ClientId`), gets an authenticated identity (GetId) and the pool's authenticated role
/// (GetCredentialsForIdentity).
extension CognitoService {
    /// A `Logins` entry naming a user pool, verified.
    struct UserPoolLogin {
        var provider: String
        var token: UserPoolToken
    }

    /// Cognito's text for a token from a provider the pool does not list.
    static let unsupportedProvider = "Token is not from a supported provider of this identity pool."

    /// The user pool login of a request, verified against the pool's providers; nil when `Logins` names no user pool.
    /// - Throws: ``CognitoError`` when the token or provider does not hold, or other providers are named beside it.
    func userPoolLogin(_ input: JSONInput, pool: IdentityPoolRecord) async throws -> UserPoolLogin? {
        let logins = try input.stringMap("Logins")
        guard let entry = logins.first(where: { $0.key.hasPrefix("cognito-idp.") }) else { return nil }
        let (provider, token) = (entry.key, entry.value)
        guard logins.count == 1 else { throw CognitoError.loginsNotEmulated(providers: logins.keys.filter { $0 != provider }.sorted()) }
        guard let userPools, let verified = await userPools.verifiedToken(token), verified.tokenUse == "id" else {
            throw CognitoError.notAuthorized(CognitoError.invalidLoginToken)
        }
        let expected = verified.issuer.replacingOccurrences(of: "https://", with: "")
        guard provider == expected,
            pool.cognitoIdentityProviders.contains(where: { $0.providerName == provider && ($0.clientId ?? verified.clientId) == verified.clientId })
        else { throw CognitoError.notAuthorized(Self.unsupportedProvider) }
        return UserPoolLogin(provider: provider, token: verified)
    }

    /// The identity, its pool and the user pool login of a request naming an identity, when the login is the one
    /// linked to the identity; nil when `Logins` names no user pool.
    func userPoolIdentity(_ input: JSONInput, identityId: String) async throws -> (IdentityRecord, IdentityPoolRecord, UserPoolLogin)? {
        guard try input.stringMap("Logins").keys.contains(where: { $0.hasPrefix("cognito-idp.") }) else { return nil }
        let identity = try await existingIdentity(identityId)
        guard let pool = try await store.pool(identity.poolId) else { throw CognitoError.identityNotFound(identityId) }
        guard let login = try await userPoolLogin(input, pool: pool) else { return nil }
        guard try await store.providerIdentity(poolId: pool.id, provider: login.provider, subject: login.token.subject) == identity.id else {
            throw CognitoError.notAuthorized(CognitoError.loginsDoNotMatch)
        }
        return (identity, pool, login)
    }

    /// The `amr` of a user pool login: `authenticated`, the provider and `provider:CognitoSignIn:sub`.
    static func amr(_ login: UserPoolLogin) -> [String] {
        ["authenticated", login.provider, "\(login.provider):CognitoSignIn:\(login.token.subject)"]
    }

    /// GetOpenIdToken for a user pool login: a token with the authenticated `amr`.
    /// - Returns: The answer, or nil when `Logins` names no user pool.
    func userPoolOpenIdToken(_ input: JSONInput, identityId: String) async throws -> [String: Any]? {
        guard let (identity, pool, login) = try await userPoolIdentity(input, identityId: identityId) else { return nil }
        let token = tokens.sign(identityId: identity.id, poolId: pool.id, poolArn: poolArn(pool.id), amr: Self.amr(login), now: sessions.clock.now)
        return ["IdentityId": identity.id, "Token": token]
    }

    /// GetCredentialsForIdentity for a user pool login: the authenticated role's credentials, when the login is the
    /// one linked to the identity.
    /// - Returns: The answer, or nil when `Logins` names no user pool.
    func userPoolCredentials(_ input: JSONInput, identityId: String) async throws -> [String: Any]? {
        guard let (identity, pool, login) = try await userPoolIdentity(input, identityId: identityId) else { return nil }
        guard let roleArn = pool.roles["authenticated"], let role = sessions.role(arn: roleArn) else {
            throw CognitoError.invalidPoolConfiguration
        }
        let context = [
            "cognito-identity.amazonaws.com:sub": [identity.id],
            "cognito-identity.amazonaws.com:aud": [identity.poolId],
            "cognito-identity.amazonaws.com:amr": Self.amr(login),
        ]
        return try credentialsAnswer(identity: identity, role: role, context: context)
    }
}
