import AWSGateway
import EmulatorCore
import Foundation

/// Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge (`NEW_PASSWORD_REQUIRED`) and GetUser.
extension CognitoUserPoolsService {
    /// The `AuthFlow` values of the model.
    static let authFlows = [
        "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH",
        "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH",
    ]

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
    func initiateAuth(_ input: PoolInput) async throws -> [String: Any] {
        let flow = try Self.authFlow(input)
        let clientId = try Self.clientId(input)
        let parameters = try input.stringMap("AuthParameters")
        let (client, pool) = try await existingClient(clientId)
        switch flow {
        case "USER_PASSWORD_AUTH":
            guard client.allows("USER_PASSWORD_AUTH") else { throw UserPoolsError.userPasswordFlowNotEnabled }
            return try await passwordSignIn(parameters, client: client, pool: pool)
        case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
            return try await refresh(parameters, client: client, pool: pool)
        default:
            try Self.refuse(flow: flow, client: client, parameters: parameters)
        }
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html
    func adminInitiateAuth(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        let clientId = try Self.clientId(input)
        let flow = try Self.authFlow(input)
        let parameters = try input.stringMap("AuthParameters")
        let pool = try await existingPool(poolId)
        try await authorize(request, .adminInitiateAuth, pool: pool.record)
        guard let client = try await store.client(clientId), client.poolId == pool.record.id else { throw UserPoolsError.clientNotFound(clientId) }
        switch flow {
        case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
            guard client.allows("ADMIN_USER_PASSWORD_AUTH") else { throw UserPoolsError.flowNotEnabled }
            return try await passwordSignIn(parameters, client: client, pool: pool)
        case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
            return try await refresh(parameters, client: client, pool: pool)
        default:
            try Self.refuse(flow: flow, client: client, parameters: parameters)
        }
    }

    /// The flows InitiateAuth and AdminInitiateAuth answer alike with an error: SRP (not emulated), custom
    /// authentication (no Lambda triggers), and unknown flows.
    private static func refuse(flow: String, client: UserPoolClientRecord, parameters: [String: String]) throws -> Never {
        switch flow {
        case "USER_SRP_AUTH":
            guard client.allows("USER_SRP_AUTH") else { throw UserPoolsError.flowNotEnabled }
            guard parameters["SRP_A"] != nil else { throw UserPoolsError.invalidParameter("Missing required parameter SRP_A") }
            throw UserPoolsError.srpNotEmulated
        case "CUSTOM_AUTH":
            guard client.allows("CUSTOM_AUTH") else { throw UserPoolsError.flowNotEnabled }
            throw UserPoolsError.invalidParameter("Custom auth lambda trigger is not configured for the user pool.")
        default:
            throw UserPoolsError.invalidParameter("Initiate Auth method not supported.")
        }
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
    func respondToAuthChallenge(_ input: PoolInput) async throws -> [String: Any] {
        let clientId = try Self.clientId(input)
        guard let challenge = try input.string("ChallengeName") else { throw UserPoolsError.missing("challengeName") }
        let responses = try input.stringMap("ChallengeResponses")
        let (client, pool) = try await existingClient(clientId)
        guard challenge == "NEW_PASSWORD_REQUIRED" else { throw UserPoolsError.invalidSession }
        guard let sessionValue = try input.string("Session"), let session = try await store.token(sessionValue, kind: "session"),
            session.clientId == client.id
        else { throw UserPoolsError.invalidSession }
        guard session.expiresAt > clock.now else { throw UserPoolsError.notAuthorized("Invalid session for the user, session is expired.") }
        guard let name = responses["USERNAME"] else { throw UserPoolsError.invalidParameter("Missing required parameter USERNAME") }
        guard let newPassword = responses["NEW_PASSWORD"] else { throw UserPoolsError.invalidParameter("Missing required parameter NEW_PASSWORD") }
        try Self.checkSecretHash(responses["SECRET_HASH"], client: client, username: name)
        guard var user = try await store.user(name, pool: pool.record), user.username == session.username else {
            throw UserPoolsError.invalidSession
        }
        try Self.checkPolicy(newPassword, pool.record.passwordPolicy)
        user.passwordSalt = EmulatorRandom.uuidString("cognito-idp-salts")
        user.passwordHash = Self.hash(newPassword, salt: user.passwordSalt)
        user.status = .confirmed
        user.lastModifiedAt = clock.now
        for (key, value) in responses where key.hasPrefix("userAttributes.") {
            user.set(String(key.dropFirst("userAttributes.".count)), value)
        }
        guard try await store.update(user, pool: pool.record) else { throw UserPoolsError.userNotFound }
        try await store.deleteToken(sessionValue)
        let tokens = try await issue(user: user, client: client, pool: pool)
        return ["ChallengeParameters": [String: String](), "AuthenticationResult": tokens.authenticationResult]
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUser.html
    func getUser(_ input: PoolInput) async throws -> [String: Any] {
        guard let token = try input.string("AccessToken") else { throw UserPoolsError.missing("accessToken") }
        guard let claims = UserPoolSigner.unverifiedClaims(token), let issuer = claims["iss"] as? String,
            let poolId = UserPoolToken.poolId(ofIssuer: issuer), let pool = try await store.pool(poolId), pool.record.issuer == issuer,
            let signer = UserPoolSigner(pool), let verified = signer.verify(token), verified["token_use"] as? String == "access",
            let username = verified["username"] as? String
        else { throw UserPoolsError.invalidAccessToken }
        guard let exp = (verified["exp"] as? NSNumber)?.doubleValue, exp > clock.now.timeIntervalSince1970 else {
            throw UserPoolsError.expiredAccessToken
        }
        guard let user = try await store.user(username, pool: pool.record) else { throw UserPoolsError.userNotFound }
        return ["Username": user.username, "UserAttributes": user.attributeList]
    }

    // MARK: Flows

    /// `USER_PASSWORD_AUTH` / `ADMIN_USER_PASSWORD_AUTH`: tokens, or the `NEW_PASSWORD_REQUIRED` challenge.
    func passwordSignIn(_ parameters: [String: String], client: UserPoolClientRecord, pool: UserPoolsStore.StoredPool) async throws -> [String: Any] {
        guard let name = parameters["USERNAME"] else { throw UserPoolsError.invalidParameter("Missing required parameter USERNAME") }
        guard let password = parameters["PASSWORD"] else { throw UserPoolsError.invalidParameter("Missing required parameter PASSWORD") }
        try Self.checkSecretHash(parameters["SECRET_HASH"], client: client, username: name)
        guard let user = try await store.user(name, pool: pool.record) else { throw UserPoolsError.userNotFound }
        guard Self.passwordMatches(password, user) else { throw UserPoolsError.incorrectCredentials }
        guard user.enabled else { throw UserPoolsError.userDisabled }
        switch user.status {
        case .unconfirmed:
            throw UserPoolsError.userNotConfirmed
        case .forceChangePassword:
            let now = clock.now
            let session = EmulatorRandom.uuidString("cognito-idp-sessions") + EmulatorRandom.uuidString("cognito-idp-sessions")
            try await store.insert(
                PoolTokenRecord(
                    kind: "session",
                    value: session,
                    poolId: pool.record.id,
                    clientId: client.id,
                    username: user.username,
                    authTime: now,
                    expiresAt: now.addingTimeInterval(Self.sessionLifetime)
                )
            )
            var visible: [String: String] = [:]
            for attribute in user.attributes where attribute.name != "sub" && !attribute.name.hasSuffix("_verified") {
                visible[attribute.name] = attribute.value
            }
            let attributesJSON = (try? JSONSerialization.data(withJSONObject: visible, options: [.sortedKeys])).map {
                String(decoding: $0, as: UTF8.self)
            }
            return [
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": session,
                "ChallengeParameters": [
                    "USER_ID_FOR_SRP": user.username, "requiredAttributes": "[]", "userAttributes": attributesJSON ?? "{}",
                ],
            ]
        case .confirmed:
            let tokens = try await issue(user: user, client: client, pool: pool)
            return ["ChallengeParameters": [String: String](), "AuthenticationResult": tokens.authenticationResult]
        }
    }

    /// `REFRESH_TOKEN_AUTH`: new ID and access tokens (no new refresh token), keeping the sign-in's `auth_time`.
    func refresh(_ parameters: [String: String], client: UserPoolClientRecord, pool: UserPoolsStore.StoredPool) async throws -> [String: Any] {
        guard let value = parameters["REFRESH_TOKEN"] else { throw UserPoolsError.invalidParameter("Missing required parameter REFRESH_TOKEN") }
        guard let stored = try await store.token(value, kind: "refresh"), stored.clientId == client.id, stored.poolId == pool.record.id,
            stored.expiresAt > clock.now
        else { throw UserPoolsError.invalidRefreshToken }
        guard let user = try await store.user(stored.username, pool: pool.record) else { throw UserPoolsError.invalidRefreshToken }
        guard user.enabled else { throw UserPoolsError.userDisabled }
        let tokens = try await issue(user: user, client: client, pool: pool, authTime: stored.authTime, withRefreshToken: false)
        return ["ChallengeParameters": [String: String](), "AuthenticationResult": tokens.authenticationResult]
    }

    /// Signs a user's tokens and stores the refresh token.
    func issue(
        user: PoolUserRecord,
        client: UserPoolClientRecord,
        pool: UserPoolsStore.StoredPool,
        authTime: Date? = nil,
        withRefreshToken: Bool = true
    ) async throws -> IssuedTokens {
        guard let signer = UserPoolSigner(pool) else { throw UserPoolsError.resourceNotFound("User pool \(pool.record.id) has no signing key.") }
        let now = clock.now
        let originJti = EmulatorRandom.uuidString("cognito-idp-jti")
        let groups = try await store.groups(poolId: pool.record.id, usernameKey: UserPoolsStore.key(user.username, pool: pool.record)).groups
        let tokens = signer.tokens(
            user: user,
            pool: pool.record,
            client: client,
            groups: groups,
            authTime: authTime ?? now,
            now: now,
            originJti: originJti
        )
        var refreshToken: String?
        if withRefreshToken {
            let value =
                "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ."
                + UserPoolSigner.base64URL(
                    Data((EmulatorRandom.uuidString("cognito-idp-refresh") + EmulatorRandom.uuidString("cognito-idp-refresh")).utf8)
                )
            try await store.insert(
                PoolTokenRecord(
                    kind: "refresh",
                    value: value,
                    poolId: pool.record.id,
                    clientId: client.id,
                    username: user.username,
                    authTime: now,
                    expiresAt: now.addingTimeInterval(TimeInterval(client.refreshTokenValidity))
                )
            )
            refreshToken = value
        }
        return IssuedTokens(idToken: tokens.id, accessToken: tokens.access, refreshToken: refreshToken, expiresIn: client.accessTokenValidity)
    }

    static func authFlow(_ input: PoolInput) throws(UserPoolsError) -> String {
        guard let flow = try input.string("AuthFlow") else { throw .missing("authFlow") }
        guard authFlows.contains(flow) else {
            throw .constraint("authFlow", value: flow, "Member must satisfy enum value set: [\(authFlows.joined(separator: ", "))]")
        }
        return flow
    }
}
