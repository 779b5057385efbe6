import CloudFormation
import EmulatorCore

/// The CloudFormation provider of `AWS::Cognito::UserPool`, `AWS::Cognito::UserPoolClient`,
/// `AWS::Cognito::UserPoolGroup`, `AWS::Cognito::UserPoolDomain`, `AWS::Cognito::UserPoolUser` and
/// `AWS::Cognito::UserPoolUserToGroupAttachment`.
///
/// Pools support `UserPoolName`, `Policies.PasswordPolicy`, `UsernameAttributes`, `AliasAttributes`,
/// `AutoVerifiedAttributes`, `UsernameConfiguration.CaseSensitive`, `MfaConfiguration` and `UserPoolTags`; clients
/// support `UserPoolId`, `ClientName`, `GenerateSecret`, `ExplicitAuthFlows`, `AccessTokenValidity`,
/// `IdTokenValidity`, `RefreshTokenValidity` and `TokenValidityUnits`; groups support `UserPoolId`, `GroupName`,
/// `Description`, `Precedence` and `RoleArn`; domains support `UserPoolId`, `Domain`, `ManagedLoginVersion` and
/// `CustomDomainConfig` (refused: no ACM); users support `UserPoolId`, `Username`, `UserAttributes`, `MessageAction`
/// and `DesiredDeliveryMediums`; attachments `UserPoolId`, `GroupName` and `Username`. Every other property
/// (`LambdaConfig`, `Schema`, `EmailConfiguration`, OAuth settings, a user's `ForceAliasCreation`, `ClientMetadata`
/// and `ValidationData`...) is reported as ignored.
package struct UserPoolProvider: ResourceProvider {
    /// The user pool resource type.
    package static let poolType = "AWS::Cognito::UserPool"
    /// The app client resource type.
    package static let clientType = "AWS::Cognito::UserPoolClient"
    /// The group resource type.
    package static let groupType = "AWS::Cognito::UserPoolGroup"
    /// The domain resource type.
    package static let domainType = "AWS::Cognito::UserPoolDomain"
    /// The user resource type.
    package static let userType = "AWS::Cognito::UserPoolUser"
    /// The user-to-group attachment resource type.
    package static let attachmentType = "AWS::Cognito::UserPoolUserToGroupAttachment"

    /// Creates the provider.
    package init() {}

    /// The properties the specs read, per type.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.poolType: [
                "UserPoolName", "Policies", "UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes", "UsernameConfiguration",
                "MfaConfiguration", "UserPoolTags",
            ],
            Self.clientType: [
                "UserPoolId", "ClientName", "GenerateSecret", "ExplicitAuthFlows", "AccessTokenValidity", "IdTokenValidity",
                "RefreshTokenValidity", "TokenValidityUnits",
            ],
            Self.groupType: ["UserPoolId", "GroupName", "Description", "Precedence", "RoleArn"],
            Self.domainType: ["UserPoolId", "Domain", "ManagedLoginVersion", "CustomDomainConfig"],
            Self.userType: ["UserPoolId", "Username", "UserAttributes", "MessageAction", "DesiredDeliveryMediums"],
            Self.attachmentType: ["UserPoolId", "GroupName", "Username"],
        ]
    }

    /// Pools and clients are identified by generated ids; a group by `GroupName` (or a generated name), a domain by
    /// `Domain`.
    package var nameRules: [String: PhysicalNameRule] {
        [
            Self.groupType: PhysicalNameRule(property: "GroupName", maxLength: 128),
            Self.domainType: PhysicalNameRule(property: "Domain", maxLength: 63, lowercase: true),
            Self.userType: PhysicalNameRule(property: "Username", maxLength: 128),
        ]
    }

    /// A pool's `Ref` is its id (`{region}_{9 alphanumerics}`) with `Arn`, `ProviderName`, `ProviderURL` and
    /// `UserPoolId`; a client's is its 26-character id with `ClientSecret` (when generated) and `Name`; a group's is its
    /// name, a domain's its `Domain`, a user's its `Username` (CloudFormation's generated name when absent), an
    /// attachment's a generated `UserToGroupAttachment-{12 alphanumerics}`.
    /// - Parameter resource: The pool or client being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        let configuration = resource.configuration
        let seed = PhysicalNames.seed(configuration.stackName, resource.seedLogicalId, configuration.accountId, configuration.region)
        if resource.type == Self.poolType {
            let id = configuration.region + "_" + PhysicalNames.randomString(seed: seed, count: 9, alphabet: UserPoolIds.poolAlphabet)
            let issuer = UserPoolToken.issuer(region: configuration.region, poolId: id)
            return ResourceIdentity(
                physicalId: id,
                attributes: [
                    "Arn": "arn:\(configuration.partition):cognito-idp:\(configuration.region):\(configuration.accountId):userpool/\(id)",
                    "ProviderName": "cognito-idp.\(configuration.region).amazonaws.com/\(id)",
                    "ProviderURL": issuer,
                    "UserPoolId": id,
                ]
            )
        }
        if resource.type == Self.attachmentType {
            let suffix = PhysicalNames.randomString(seed: seed, count: 12, alphabet: UserPoolIds.poolAlphabet)
            return ResourceIdentity(physicalId: "UserToGroupAttachment-" + suffix, attributes: [:])
        }
        guard resource.type == Self.clientType else { return resource.nameOnly }
        let id = PhysicalNames.randomString(seed: seed, count: 26, alphabet: UserPoolIds.clientAlphabet)
        var attributes = ["Name": resource.properties["ClientName"]?.scalarText ?? resource.logicalId, "ClientId": id]
        if resource.properties["GenerateSecret"]?.boolValue == true {
            attributes["ClientSecret"] = PhysicalNames.randomString(
                seed: PhysicalNames.seed(configuration.stackName, resource.seedLogicalId, "secret"),
                count: 51,
                alphabet: UserPoolIds.clientAlphabet
            )
        }
        return ResourceIdentity(physicalId: id, attributes: attributes)
    }

    /// Decodes every pool, client, group and domain.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first resource with a wrongly shaped property.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try UserPoolTemplate(stack)
    }
}

/// The alphabets of generated pool and client ids.
package enum UserPoolIds {
    /// Pool id suffixes: upper and lower case letters and digits.
    package static let poolAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    /// Client ids and secrets: lower case letters and digits.
    package static let clientAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
}

extension Stack {
    /// The Cognito user pools.
    package var userPools: [UserPoolSpec] {
        get throws(TemplateError) {
            try specs(ofType: UserPoolProvider.poolType) { resource throws(TemplateError) in try UserPoolSpec(resource) }
        }
    }

    /// The Cognito user pool app clients.
    package var userPoolClients: [UserPoolClientSpec] {
        get throws(TemplateError) {
            try specs(ofType: UserPoolProvider.clientType) { resource throws(TemplateError) in try UserPoolClientSpec(resource) }
        }
    }
}
