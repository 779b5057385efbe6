import CloudFormation

/// What the user pool service needs to create one `AWS::Cognito::UserPool`.
package struct UserPoolSpec: Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// The pool id.
    package var id: String
    /// `UserPoolName` (the logical id when absent).
    package var name: String
    /// `Policies.PasswordPolicy.MinimumLength`.
    package var minimumLength: Int?
    /// `Policies.PasswordPolicy.RequireUppercase`...
    package var requireUppercase: Bool?
    /// `RequireLowercase`.
    package var requireLowercase: Bool?
    /// `RequireNumbers`.
    package var requireNumbers: Bool?
    /// `RequireSymbols`.
    package var requireSymbols: Bool?
    /// `TemporaryPasswordValidityDays`.
    package var temporaryPasswordValidityDays: Int?
    /// `UsernameAttributes`.
    package var usernameAttributes: [String]
    /// `AliasAttributes`.
    package var aliasAttributes: [String]
    /// `AutoVerifiedAttributes`.
    package var autoVerifiedAttributes: [String]
    /// `UsernameConfiguration.CaseSensitive` (CloudFormation's default: true).
    package var caseSensitive: Bool
    /// `MfaConfiguration`.
    package var mfaConfiguration: String
    /// `UserPoolTags`.
    package var tags: [String: String]

    /// Decodes a resolved `AWS::Cognito::UserPool`.
    /// - Parameter resource: The resource.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        id = resource.physicalId
        name = try reader["UserPoolName"].string() ?? resource.logicalId
        let policy = reader["Policies"]["PasswordPolicy"]
        minimumLength = try policy["MinimumLength"].int()
        requireUppercase = try policy["RequireUppercase"].bool()
        requireLowercase = try policy["RequireLowercase"].bool()
        requireNumbers = try policy["RequireNumbers"].bool()
        requireSymbols = try policy["RequireSymbols"].bool()
        temporaryPasswordValidityDays = try policy["TemporaryPasswordValidityDays"].int()
        usernameAttributes = try reader["UsernameAttributes"].stringList() ?? []
        aliasAttributes = try reader["AliasAttributes"].stringList() ?? []
        autoVerifiedAttributes = try reader["AutoVerifiedAttributes"].stringList() ?? []
        caseSensitive = try reader["UsernameConfiguration"]["CaseSensitive"].bool() ?? true
        mfaConfiguration = try reader["MfaConfiguration"].string() ?? "OFF"
        tags = try reader["UserPoolTags"].stringMap() ?? [:]
    }
}

/// What the user pool service needs to create one `AWS::Cognito::UserPoolClient`.
package struct UserPoolClientSpec: Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// The client id.
    package var id: String
    /// `UserPoolId`.
    package var poolId: String
    /// `ClientName`.
    package var name: String
    /// The generated secret when `GenerateSecret` is true.
    package var secret: String?
    /// `ExplicitAuthFlows`.
    package var explicitAuthFlows: [String]
    /// ID token validity in seconds.
    package var idTokenValidity: Int
    /// Access token validity in seconds.
    package var accessTokenValidity: Int
    /// Refresh token validity in seconds.
    package var refreshTokenValidity: Int

    /// Decodes a resolved `AWS::Cognito::UserPoolClient`.
    /// - Parameter resource: The resource.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        id = resource.physicalId
        poolId = try reader["UserPoolId"].requiredString()
        name = try reader["ClientName"].string() ?? resource.logicalId
        secret = resource.attributes["ClientSecret"]
        explicitAuthFlows = try reader["ExplicitAuthFlows"].stringList() ?? []
        let units = reader["TokenValidityUnits"]
        func seconds(_ value: Int?, unit: String?, defaultUnit: String, fallback: Int) -> Int {
            guard let value, value > 0 else { return fallback }
            switch unit ?? defaultUnit {
            case "seconds": return min(value, 315_360_000)
            case "minutes": return min(value, 5_256_000) * 60
            case "hours": return min(value, 87_600) * 3600
            default: return min(value, 3650) * 86400
            }
        }
        idTokenValidity = seconds(try reader["IdTokenValidity"].int(), unit: try units["IdToken"].string(), defaultUnit: "hours", fallback: 3600)
        accessTokenValidity = seconds(
            try reader["AccessTokenValidity"].int(),
            unit: try units["AccessToken"].string(),
            defaultUnit: "hours",
            fallback: 3600
        )
        refreshTokenValidity = seconds(
            try reader["RefreshTokenValidity"].int(),
            unit: try units["RefreshToken"].string(),
            defaultUnit: "days",
            fallback: 30 * 86400
        )
    }
}

/// What the user pool service needs to create one `AWS::Cognito::UserPoolGroup`.
package struct UserPoolGroupSpec: Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// `UserPoolId`.
    package var poolId: String
    /// The group name: `GroupName`, or CloudFormation's generated `{stack}-{LogicalId}-{SUFFIX}` (the `Ref`).
    package var name: String
    /// `Description`.
    package var groupDescription: String?
    /// `Precedence`.
    package var precedence: Int?
    /// `RoleArn`.
    package var roleArn: String?

    /// Decodes a resolved `AWS::Cognito::UserPoolGroup`.
    /// - Parameter resource: The resource.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        poolId = try reader["UserPoolId"].requiredString()
        name = resource.physicalId
        groupDescription = try reader["Description"].string()
        precedence = try reader["Precedence"].int()
        roleArn = try reader["RoleArn"].string()
    }
}

/// What the user pool service needs to create one `AWS::Cognito::UserPoolDomain`.
package struct UserPoolDomainSpec: Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// `UserPoolId`.
    package var poolId: String
    /// `Domain` (the `Ref`): the prefix of `{Domain}.auth.{region}.amazoncognito.com`.
    package var domain: String
    /// `ManagedLoginVersion` (1 when absent).
    package var managedLoginVersion: Int
    /// Whether `CustomDomainConfig` is set (a custom domain needs an ACM certificate, which the emulator does not have).
    package var customDomain: Bool

    /// Decodes a resolved `AWS::Cognito::UserPoolDomain`.
    /// - Parameter resource: The resource.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        poolId = try reader["UserPoolId"].requiredString()
        domain = try reader["Domain"].requiredString()
        managedLoginVersion = try reader["ManagedLoginVersion"].int() ?? 1
        customDomain = reader["CustomDomainConfig"].exists
    }
}

/// What the user pool service needs to create one `AWS::Cognito::UserPoolUser`.
package struct UserPoolUserSpec: Sendable, Equatable {
    /// One of `UserAttributes`.
    package struct Attribute: Sendable, Equatable {
        /// `Name`.
        package var name: String
        /// `Value`.
        package var value: String
    }

    /// The logical id.
    package var logicalId: String
    /// `UserPoolId`.
    package var poolId: String
    /// The username: `Username`, or CloudFormation's generated `{stack}-{LogicalId}-{SUFFIX}` (the `Ref`).
    package var username: String
    /// `UserAttributes`.
    package var attributes: [Attribute]
    /// `MessageAction`.
    package var messageAction: String?
    /// `DesiredDeliveryMediums` (no message leaves the machine: the temporary password is logged).
    package var deliveryMediums: [String]

    /// Decodes a resolved `AWS::Cognito::UserPoolUser`.
    /// - Parameter resource: The resource.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        poolId = try reader["UserPoolId"].requiredString()
        username = resource.physicalId
        var attributes: [Attribute] = []
        for entry in try reader["UserAttributes"].list() ?? [] {
            attributes.append(Attribute(name: try entry["Name"].requiredString(), value: try entry["Value"].string() ?? ""))
        }
        self.attributes = attributes
        messageAction = try reader["MessageAction"].string()
        deliveryMediums = try reader["DesiredDeliveryMediums"].stringList() ?? []
    }
}

/// What the user pool service needs to create one `AWS::Cognito::UserPoolUserToGroupAttachment`.
package struct UserPoolUserToGroupAttachmentSpec: Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// `UserPoolId`.
    package var poolId: String
    /// `GroupName`.
    package var groupName: String
    /// `Username`.
    package var username: String

    /// Decodes a resolved `AWS::Cognito::UserPoolUserToGroupAttachment`.
    /// - Parameter resource: The resource.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        poolId = try reader["UserPoolId"].requiredString()
        groupName = try reader["GroupName"].requiredString()
        username = try reader["Username"].requiredString()
    }
}

/// The start-up template's user pool resources, which the service writes on every start and on reset.
package struct UserPoolTemplate: Sendable, Equatable {
    /// `AWS::Cognito::UserPool`.
    package var pools: [UserPoolSpec]
    /// `AWS::Cognito::UserPoolClient`.
    package var clients: [UserPoolClientSpec]
    /// `AWS::Cognito::UserPoolGroup`.
    package var groups: [UserPoolGroupSpec]
    /// `AWS::Cognito::UserPoolDomain`.
    package var domains: [UserPoolDomainSpec]
    /// `AWS::Cognito::UserPoolUser` (decoded to check their shape; the start-up path refuses them).
    package var users: [UserPoolUserSpec]
    /// `AWS::Cognito::UserPoolUserToGroupAttachment` (decoded to check their shape; the start-up path refuses them).
    package var attachments: [UserPoolUserToGroupAttachmentSpec]

    /// The user pool resources of a stack.
    /// - Parameter stack: The resolved start-up stack.
    /// - Throws: ``TemplateError`` for the first resource with a wrongly shaped property.
    package init(_ stack: Stack) throws(TemplateError) {
        pools = try stack.userPools
        clients = try stack.userPoolClients
        groups = try stack.specs(ofType: UserPoolProvider.groupType) { resource throws(TemplateError) in try UserPoolGroupSpec(resource) }
        domains = try stack.specs(ofType: UserPoolProvider.domainType) { resource throws(TemplateError) in try UserPoolDomainSpec(resource) }
        users = try stack.specs(ofType: UserPoolProvider.userType) { resource throws(TemplateError) in try UserPoolUserSpec(resource) }
        attachments = try stack.specs(ofType: UserPoolProvider.attachmentType) { resource throws(TemplateError) in
            try UserPoolUserToGroupAttachmentSpec(resource)
        }
    }
}
