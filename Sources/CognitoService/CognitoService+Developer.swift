import AWSGateway
import EmulatorCore
import Foundation
import IAM

/// UpdateIdentityPool, DeleteIdentities, developer-authenticated identities (GetOpenIdTokenForDeveloperIdentity,
/// LookupDeveloperIdentity, MergeDeveloperIdentities and their credentials) and UnlinkIdentity.
extension CognitoService {
    /// The provider name the enhanced flow's `Logins` carries the OpenID token under.
    static let cognitoLoginProvider = "cognito-identity.amazonaws.com"

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_UpdateIdentityPool.html
    func updatePool(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        guard let name = try input.string("IdentityPoolName") else { throw CognitoError.missing("identityPoolName") }
        guard let allowUnauthenticated = try input.bool("AllowUnauthenticatedIdentities") else {
            throw CognitoError.missing("allowUnauthenticatedIdentities")
        }
        if name.isEmpty || name.count > 128 || name.range(of: #"^[\w\s+=,.@-]+$"#, options: .regularExpression) == nil {
            throw CognitoError.constraint("identityPoolName", value: name, CognitoError.namePattern)
        }
        var pool = try await existingPool(poolId)
        try await authorize(request, .updateIdentityPool, pool: pool.id)
        let developerProviderName = try input.string("DeveloperProviderName")
        if let current = pool.developerProviderName, let developerProviderName, developerProviderName != current {
            throw CognitoError.invalidParameter("Developer provider name cannot be changed once set.")
        }
        var providers: [IdentityPoolRecord.Provider] = []
        for entry in try input.objects("CognitoIdentityProviders") {
            providers.append(
                .init(
                    providerName: try entry.string("ProviderName"),
                    clientId: try entry.string("ClientId"),
                    serverSideTokenCheck: try entry.bool("ServerSideTokenCheck") ?? false
                )
            )
        }
        // UpdateIdentityPool replaces the pool's configuration: members left out are cleared (tags are kept unless sent).
        pool.name = name
        pool.allowUnauthenticatedIdentities = allowUnauthenticated
        pool.allowClassicFlow = try input.bool("AllowClassicFlow") ?? false
        pool.supportedLoginProviders = try input.stringMap("SupportedLoginProviders")
        pool.developerProviderName = developerProviderName ?? pool.developerProviderName
        pool.openIdConnectProviderARNs = try input.strings("OpenIdConnectProviderARNs")
        pool.cognitoIdentityProviders = providers
        pool.samlProviderARNs = try input.strings("SamlProviderARNs")
        if input.contains("IdentityPoolTags") { pool.tags = try input.stringMap("IdentityPoolTags") }
        guard try await store.update(pool) else { throw CognitoError.poolNotFound(poolId) }
        return pool.description
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_DeleteIdentities.html
    func deleteIdentities(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        guard input.contains("IdentityIdsToDelete") else { throw CognitoError.missing("identityIdsToDelete") }
        let ids = try input.strings("IdentityIdsToDelete")
        if ids.isEmpty {
            throw CognitoError.constraint("identityIdsToDelete", value: "[]", "Member must have length greater than or equal to 1")
        }
        if ids.count > 60 {
            throw CognitoError.constraint(
                "identityIdsToDelete",
                value: "[" + ids.joined(separator: ", ") + "]",
                "Member must have length less than or equal to 60"
            )
        }
        for id in ids { _ = try Self.validId(id, field: "identityIdsToDelete") }
        try await authorize(request, .deleteIdentities, pool: nil)
        let missing = try await store.deleteIdentities(ids)
        return ["UnprocessedIdentityIds": missing.map { ["IdentityId": $0, "ErrorCode": "ResourceNotFound"] }]
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetOpenIdTokenForDeveloperIdentity.html
    func openIdTokenForDeveloper(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        guard input.contains("Logins") else { throw CognitoError.missing("logins") }
        let logins = try input.stringMap("Logins")
        let requestedIdentity = try input.string("IdentityId")
        if let requestedIdentity { _ = try Self.validId(requestedIdentity, field: "identityId") }
        let duration = try input.int("TokenDuration") ?? 900
        if duration < 1 {
            throw CognitoError.constraint("tokenDuration", value: String(duration), "Member must have value greater than or equal to 1")
        }
        if duration > 86400 {
            throw CognitoError.constraint("tokenDuration", value: String(duration), "Member must have value less than or equal to 86400")
        }
        let pool = try await existingPool(poolId)
        try await authorize(request, .getOpenIdTokenForDeveloperIdentity, pool: pool.id)
        guard let provider = pool.developerProviderName, logins.count == 1, let userIdentifier = logins[provider] else {
            throw CognitoError.notAuthorized(CognitoError.loginsDoNotMatch)
        }
        let now = sessions.clock.now
        let fresh = IdentityRecord(
            id: "\(Self.regionPrefix(of: pool.id, fallback: region)):\(EmulatorRandom.uuidString("cognito-identity-ids"))",
            poolId: pool.id,
            createdAt: now,
            lastModifiedAt: now
        )
        let identityId: String
        switch try await store.linkDeveloper(poolId: pool.id, userIdentifier: userIdentifier, identityId: requestedIdentity, newIdentity: fresh) {
        case .linked(let id): identityId = id
        case .linkedElsewhere: throw CognitoError.resourceConflict("The provided login is already linked to another identity.")
        case .noSuchIdentity: throw CognitoError.identityNotFound(requestedIdentity ?? "")
        }
        let token = tokens.sign(
            identityId: identityId,
            poolId: pool.id,
            poolArn: poolArn(pool.id),
            amr: ["authenticated", provider, "\(provider):\(pool.id):\(userIdentifier)"],
            now: now,
            lifetime: TimeInterval(duration)
        )
        return ["IdentityId": identityId, "Token": token]
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_LookupDeveloperIdentity.html
    func lookupDeveloper(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        let identityId = try input.string("IdentityId")
        if let identityId { _ = try Self.validId(identityId, field: "identityId") }
        let userIdentifier = try input.string("DeveloperUserIdentifier")
        if let maxResults = try input.int("MaxResults"), maxResults < 1 || maxResults > 60 {
            throw CognitoError.constraint(
                "maxResults",
                value: String(maxResults),
                maxResults < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 60"
            )
        }
        let pool = try await existingPool(poolId)
        try await authorize(request, .lookupDeveloperIdentity, pool: pool.id)
        let resolved: String
        if let userIdentifier {
            guard let linked = try await store.developerIdentity(poolId: pool.id, userIdentifier: userIdentifier) else {
                throw CognitoError.resourceNotFound("Developer user identifier \(userIdentifier) was not found.")
            }
            if let identityId, identityId != linked {
                throw CognitoError.resourceConflict("The developer user identifier is linked to another identity.")
            }
            resolved = linked
        } else if let identityId {
            let identity = try await existingIdentity(identityId)
            guard identity.poolId == pool.id else { throw CognitoError.identityNotFound(identityId) }
            resolved = identity.id
        } else {
            throw CognitoError.invalidParameter("Either IdentityId or DeveloperUserIdentifier must be specified.")
        }
        return [
            "IdentityId": resolved,
            "DeveloperUserIdentifierList": try await store.developerUserIdentifiers(identityId: resolved),
        ]
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_MergeDeveloperIdentities.html
    func mergeDevelopers(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        guard let source = try input.string("SourceUserIdentifier") else { throw CognitoError.missing("sourceUserIdentifier") }
        guard let destination = try input.string("DestinationUserIdentifier") else { throw CognitoError.missing("destinationUserIdentifier") }
        guard let provider = try input.string("DeveloperProviderName") else { throw CognitoError.missing("developerProviderName") }
        let poolId = try Self.poolId(input)
        let pool = try await existingPool(poolId)
        try await authorize(request, .mergeDeveloperIdentities, pool: pool.id)
        guard pool.developerProviderName == provider else {
            throw CognitoError.resourceNotFound("Developer provider \(provider) is not configured for identity pool \(pool.id).")
        }
        guard let merged = try await store.mergeDeveloper(poolId: pool.id, source: source, destination: destination) else {
            throw CognitoError.resourceNotFound("Developer user identifier was not found.")
        }
        return ["IdentityId": merged]
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_UnlinkIdentity.html
    ///
    /// Only unauthenticated and developer-authenticated identities are emulated: no public provider login is ever
    /// linked, so every unlink names logins the emulator does not hold.
    func unlinkIdentity(_ input: JSONInput) async throws -> [String: Any] {
        let identityId = try Self.identityId(input)
        guard input.contains("Logins") else { throw CognitoError.missing("logins") }
        guard input.contains("LoginsToRemove") else { throw CognitoError.missing("loginsToRemove") }
        let logins = try input.stringMap("Logins")
        let toRemove = try input.strings("LoginsToRemove")
        _ = try await existingIdentity(identityId)
        throw CognitoError.loginsNotEmulated(providers: Array(Set(logins.keys).union(toRemove)).sorted())
    }

    /// The enhanced flow's OpenID token in `Logins` (`cognito-identity.amazonaws.com`), when that is all it holds.
    func developerLogin(_ input: JSONInput) throws(CognitoError) -> String? {
        let logins = try input.stringMap("Logins")
        guard logins.count == 1, let token = logins[Self.cognitoLoginProvider] else { return nil }
        return token
    }

    /// Credentials of the pool's authenticated role for an identity proven by a token from
    /// GetOpenIdTokenForDeveloperIdentity.
    func authenticatedCredentials(identityId: String, token: String) async throws -> [String: Any] {
        let now = sessions.clock.now
        let claims: WebIdentityTokens.Claims
        do {
            claims = try tokens.verify(token, now: now)
        } catch {
            switch error {
            case .invalid: throw CognitoError.notAuthorized(CognitoError.invalidLoginToken)
            case .expired: throw CognitoError.notAuthorized(CognitoError.expiredLoginToken)
            }
        }
        guard claims.subject == identityId, claims.amr.contains("authenticated") else {
            throw CognitoError.notAuthorized(CognitoError.loginsDoNotMatch)
        }
        let identity = try await existingIdentity(identityId)
        guard let pool = try await store.pool(identity.poolId) else { throw CognitoError.identityNotFound(identityId) }
        guard let roleArn = pool.roles["authenticated"], let role = sessions.role(arn: roleArn) else {
            throw CognitoError.invalidPoolConfiguration
        }
        let context = [
            "cognito-identity.amazonaws.com:sub": [identity.id],
            "cognito-identity.amazonaws.com:aud": [identity.poolId],
            "cognito-identity.amazonaws.com:amr": claims.amr,
        ]
        return try credentialsAnswer(identity: identity, role: role, context: context)
    }
}
