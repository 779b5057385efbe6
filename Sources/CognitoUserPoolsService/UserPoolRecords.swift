import Foundation

/// One user pool's settings as the service keeps them (stored as JSON in the `userPool` table).
struct UserPoolRecord: Codable, Sendable, Equatable {
    /// `Policies.PasswordPolicy`.
    struct PasswordPolicy: Codable, Sendable, Equatable {
        var minimumLength = 8
        var requireUppercase = true
        var requireLowercase = true
        var requireNumbers = true
        var requireSymbols = true
        var temporaryPasswordValidityDays = 7
    }

    var id: String
    var name: String
    var region: String
    var accountId: String
    var passwordPolicy = PasswordPolicy()
    /// `UsernameAttributes` (`email`, `phone_number`): users sign in with these instead of a username.
    var usernameAttributes: [String] = []
    /// `AliasAttributes`.
    var aliasAttributes: [String] = []
    /// `AutoVerifiedAttributes`.
    var autoVerifiedAttributes: [String] = []
    /// `UsernameConfiguration.CaseSensitive` (false: usernames match whatever their case).
    var caseSensitive = true
    /// `MfaConfiguration`.
    var mfaConfiguration = "OFF"
    /// `UserPoolTags`.
    var tags: [String: String] = [:]
    var createdAt: Date
    var lastModifiedAt: Date

    /// The pool ARN.
    var arn: String { "arn:aws:cognito-idp:\(region):\(accountId):userpool/\(id)" }
    /// The token issuer.
    var issuer: String { "https://cognito-idp.\(region).amazonaws.com/\(id)" }

    /// The DescribeUserPool / CreateUserPool `UserPool` member (`Domain`: the pool's prefix domain).
    func description(estimatedUsers: Int, domain: String?) -> [String: Any] {
        var object: [String: Any] = [
            "Id": id,
            "Name": name,
            "Arn": arn,
            "Policies": [
                "PasswordPolicy": [
                    "MinimumLength": passwordPolicy.minimumLength,
                    "RequireUppercase": passwordPolicy.requireUppercase,
                    "RequireLowercase": passwordPolicy.requireLowercase,
                    "RequireNumbers": passwordPolicy.requireNumbers,
                    "RequireSymbols": passwordPolicy.requireSymbols,
                    "TemporaryPasswordValidityDays": passwordPolicy.temporaryPasswordValidityDays,
                ] as [String: Any]
            ],
            "LambdaConfig": [String: Any](),
            "MfaConfiguration": mfaConfiguration,
            "EstimatedNumberOfUsers": estimatedUsers,
            "CreationDate": createdAt.timeIntervalSince1970,
            "LastModifiedDate": lastModifiedAt.timeIntervalSince1970,
            "UserPoolTags": tags,
            "AutoVerifiedAttributes": autoVerifiedAttributes,
        ]
        if !usernameAttributes.isEmpty { object["UsernameAttributes"] = usernameAttributes }
        if !aliasAttributes.isEmpty { object["AliasAttributes"] = aliasAttributes }
        object["UsernameConfiguration"] = ["CaseSensitive": caseSensitive]
        if let domain { object["Domain"] = domain }
        return object
    }

    /// The ListUserPools entry.
    var summary: [String: Any] {
        [
            "Id": id, "Name": name, "LambdaConfig": [String: Any](), "CreationDate": createdAt.timeIntervalSince1970,
            "LastModifiedDate": lastModifiedAt.timeIntervalSince1970,
        ]
    }
}

/// One app client (stored as JSON in the `userPoolClient` table).
struct UserPoolClientRecord: Codable, Sendable, Equatable {
    var id: String
    var poolId: String
    var name: String
    var secret: String?
    /// `ExplicitAuthFlows` (`ALLOW_USER_PASSWORD_AUTH`, `ALLOW_ADMIN_USER_PASSWORD_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`...).
    var explicitAuthFlows: [String]
    /// ID and access token validity in seconds (default one hour).
    var idTokenValidity: Int = 3600
    var accessTokenValidity: Int = 3600
    /// Refresh token validity in seconds (default 30 days).
    var refreshTokenValidity: Int = 30 * 86400
    var createdAt: Date
    var lastModifiedAt: Date

    /// Whether the client allows a flow (`ALLOW_X`, or the legacy `X_ONLY` names): a client without
    /// `ExplicitAuthFlows` allows `USER_SRP_AUTH`, `CUSTOM_AUTH` and `REFRESH_TOKEN_AUTH`, as Cognito does.
    func allows(_ flow: String) -> Bool {
        if explicitAuthFlows.isEmpty { return ["USER_SRP_AUTH", "CUSTOM_AUTH", "REFRESH_TOKEN_AUTH"].contains(flow) }
        if flow == "REFRESH_TOKEN_AUTH" { return true }
        if flow == "ADMIN_USER_PASSWORD_AUTH" {
            return explicitAuthFlows.contains("ALLOW_ADMIN_USER_PASSWORD_AUTH") || explicitAuthFlows.contains("ADMIN_NO_SRP_AUTH")
        }
        if flow == "USER_PASSWORD_AUTH" {
            return explicitAuthFlows.contains("ALLOW_USER_PASSWORD_AUTH") || explicitAuthFlows.contains("USER_PASSWORD_AUTH")
        }
        return explicitAuthFlows.contains("ALLOW_" + flow)
    }

    /// The DescribeUserPoolClient / CreateUserPoolClient `UserPoolClient` member.
    var description: [String: Any] {
        var object: [String: Any] = [
            "UserPoolId": poolId,
            "ClientName": name,
            "ClientId": id,
            "ExplicitAuthFlows": explicitAuthFlows,
            "RefreshTokenValidity": refreshTokenValidity / 86400,
            "AccessTokenValidity": accessTokenValidity / 60,
            "IdTokenValidity": idTokenValidity / 60,
            "TokenValidityUnits": ["AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"],
            "CreationDate": createdAt.timeIntervalSince1970,
            "LastModifiedDate": lastModifiedAt.timeIntervalSince1970,
            "AllowedOAuthFlowsUserPoolClient": false,
            "EnableTokenRevocation": true,
        ]
        if let secret { object["ClientSecret"] = secret }
        return object
    }
}

/// One user (stored as JSON in the `poolUser` table).
struct PoolUserRecord: Codable, Sendable, Equatable {
    /// `UNCONFIRMED`, `CONFIRMED`, `FORCE_CHANGE_PASSWORD`.
    enum Status: String, Codable, Sendable {
        case unconfirmed = "UNCONFIRMED"
        case confirmed = "CONFIRMED"
        case forceChangePassword = "FORCE_CHANGE_PASSWORD"
    }

    var username: String
    var sub: String
    /// The attributes in the order they were set (`sub` first).
    var attributes: [Attribute]
    var status: Status
    var enabled = true
    var passwordSalt: String
    var passwordHash: String
    /// The sign-up confirmation code while the user is `UNCONFIRMED`.
    var confirmationCode: String?
    var createdAt: Date
    var lastModifiedAt: Date

    /// One `{Name, Value}` attribute.
    struct Attribute: Codable, Sendable, Equatable {
        var name: String
        var value: String
    }

    /// An attribute's value.
    func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

    /// Sets (or adds) an attribute.
    mutating func set(_ name: String, _ value: String) {
        if let index = attributes.firstIndex(where: { $0.name == name }) {
            attributes[index].value = value
        } else {
            attributes.append(Attribute(name: name, value: value))
        }
    }

    /// The `Attributes` / `UserAttributes` list.
    var attributeList: [[String: String]] { attributes.map { ["Name": $0.name, "Value": $0.value] } }

    /// The AdminCreateUser `User` / ListUsers entry.
    var description: [String: Any] {
        [
            "Username": username,
            "Attributes": attributeList,
            "UserCreateDate": createdAt.timeIntervalSince1970,
            "UserLastModifiedDate": lastModifiedAt.timeIntervalSince1970,
            "Enabled": enabled,
            "UserStatus": status.rawValue,
        ]
    }
}

/// A refresh token or a challenge session (the `poolToken` table).
struct PoolTokenRecord: Sendable, Equatable {
    /// `refresh` or `session`.
    var kind: String
    var value: String
    var poolId: String
    var clientId: String
    var username: String
    var authTime: Date
    var expiresAt: Date
}

/// One user pool group (stored as JSON in the `poolGroup` table).
struct UserPoolGroupRecord: Codable, Sendable, Equatable {
    var poolId: String
    var name: String
    /// `Description`.
    var groupDescription: String?
    /// `RoleArn`: the role Cognito Identity can choose from the group's tokens.
    var roleArn: String?
    /// `Precedence` (0 first; a group without one comes after every group with one).
    var precedence: Int?
    var createdAt: Date
    var lastModifiedAt: Date

    /// The `GroupType` of CreateGroup, GetGroup, UpdateGroup, ListGroups and AdminListGroupsForUser.
    var groupType: [String: Any] {
        var object: [String: Any] = [
            "GroupName": name,
            "UserPoolId": poolId,
            "CreationDate": createdAt.timeIntervalSince1970,
            "LastModifiedDate": lastModifiedAt.timeIntervalSince1970,
        ]
        if let groupDescription { object["Description"] = groupDescription }
        if let roleArn { object["RoleArn"] = roleArn }
        if let precedence { object["Precedence"] = precedence }
        return object
    }

    /// The groups in the order tokens list them: lowest `Precedence` first, groups without one last, then by name.
    static func tokenOrder(_ groups: [UserPoolGroupRecord]) -> [UserPoolGroupRecord] {
        groups.sorted { left, right in
            switch (left.precedence, right.precedence) {
            case (let l?, let r?) where l != r: return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            default: return left.name < right.name
            }
        }
    }

    /// `cognito:preferred_role`: the role of the highest-precedence groups that have one, when those groups agree on
    /// it (two groups of the same precedence with different roles leave the claim out, as Cognito does).
    static func preferredRole(_ groups: [UserPoolGroupRecord]) -> String? {
        let withRole = tokenOrder(groups.filter { $0.roleArn != nil })
        guard let first = withRole.first else { return nil }
        let roles = Set(withRole.filter { $0.precedence == first.precedence }.compactMap(\.roleArn))
        return roles.count == 1 ? roles.first : nil
    }
}

/// A user pool's prefix domain (the `poolDomain` table): `{domain}.auth.{region}.amazoncognito.com`. No hosted UI is
/// served on it.
struct UserPoolDomainRecord: Sendable, Equatable {
    var domain: String
    var poolId: String
    /// `ManagedLoginVersion` (1: the classic hosted UI, 2: managed login).
    var managedLoginVersion: Int
    var createdAt: Date
}
