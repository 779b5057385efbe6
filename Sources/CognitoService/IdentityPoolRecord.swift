import Foundation

/// One identity pool as the service keeps it (stored as JSON in the `identityPool` table).
struct IdentityPoolRecord: Codable, Sendable, Equatable {
    /// One `CognitoIdentityProviders` entry.
    struct Provider: Codable, Sendable, Equatable {
        var providerName: String?
        var clientId: String?
        var serverSideTokenCheck: Bool
    }

    var id: String
    var name: String
    var allowUnauthenticatedIdentities: Bool
    var allowClassicFlow: Bool
    var supportedLoginProviders: [String: String]
    var developerProviderName: String?
    var openIdConnectProviderARNs: [String]
    var cognitoIdentityProviders: [Provider]
    var samlProviderARNs: [String]
    var tags: [String: String]
    /// `authenticated` / `unauthenticated` role ARNs.
    var roles: [String: String]
    /// `RoleMappings` as sent to SetIdentityPoolRoles (kept verbatim as JSON text).
    var roleMappingsJSON: String?

    /// The DescribeIdentityPool / CreateIdentityPool response body.
    var description: [String: Any] {
        var object: [String: Any] = [
            "IdentityPoolId": id,
            "IdentityPoolName": name,
            "AllowUnauthenticatedIdentities": allowUnauthenticatedIdentities,
            "AllowClassicFlow": allowClassicFlow,
            "SupportedLoginProviders": supportedLoginProviders,
            "OpenIdConnectProviderARNs": openIdConnectProviderARNs,
            "CognitoIdentityProviders": cognitoIdentityProviders.map { provider -> [String: Any] in
                var entry: [String: Any] = ["ServerSideTokenCheck": provider.serverSideTokenCheck]
                if let name = provider.providerName { entry["ProviderName"] = name }
                if let client = provider.clientId { entry["ClientId"] = client }
                return entry
            },
            "SamlProviderARNs": samlProviderARNs,
            "IdentityPoolTags": tags,
        ]
        if let developerProviderName { object["DeveloperProviderName"] = developerProviderName }
        return object
    }
}

/// One identity.
struct IdentityRecord: Sendable, Equatable {
    var id: String
    var poolId: String
    var createdAt: Date
    var lastModifiedAt: Date

    /// The DescribeIdentity / ListIdentities entry.
    var description: [String: Any] {
        [
            "IdentityId": id,
            "Logins": [String](),
            "CreationDate": createdAt.timeIntervalSince1970,
            "LastModifiedDate": lastModifiedAt.timeIntervalSince1970,
        ]
    }
}
