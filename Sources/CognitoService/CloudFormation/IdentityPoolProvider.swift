import CloudFormation

/// The CloudFormation provider of `AWS::Cognito::IdentityPool` and `AWS::Cognito::IdentityPoolRoleAttachment`.
///
/// Pools support `IdentityPoolName`, `AllowUnauthenticatedIdentities`, `CognitoIdentityProviders`,
/// `SupportedLoginProviders`, `DeveloperProviderName`, `AllowClassicFlow`, `OpenIdConnectProviderARNs`,
/// `SamlProviderARNs` and `IdentityPoolTags`; role attachments support `IdentityPoolId`, `Roles` and `RoleMappings`
/// (stored and returned by `GetIdentityPoolRoles`, not applied when credentials are issued). Every other property
/// (`CognitoEvents`, `CognitoStreams`, `PushSync`) is reported as ignored. ``IdentityPoolDeployer`` creates, updates and deletes both for the CloudFormation API's stacks.
package struct IdentityPoolProvider: ResourceProvider {
    /// The identity pool resource type.
    package static let poolType = "AWS::Cognito::IdentityPool"
    /// The role attachment resource type.
    package static let attachmentType = "AWS::Cognito::IdentityPoolRoleAttachment"

    /// Creates the provider.
    package init() {}

    /// The properties ``IdentityPoolSpec`` reads, per type.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.poolType: [
                "IdentityPoolName", "AllowUnauthenticatedIdentities", "CognitoIdentityProviders", "SupportedLoginProviders",
                "DeveloperProviderName", "AllowClassicFlow", "OpenIdConnectProviderARNs", "SamlProviderARNs", "IdentityPoolTags",
            ],
            Self.attachmentType: ["IdentityPoolId", "Roles", "RoleMappings"],
        ]
    }

    /// Identity pools are identified by a generated id, not a name; no type takes its name from a property.
    package var nameRules: [String: PhysicalNameRule] { [:] }

    /// A pool's `Ref` is `{region}:{uuid}`, with `Name` and `Id` attributes; an attachment has a generated id.
    /// - Parameter resource: The pool or role attachment being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        guard resource.type == Self.poolType else { return resource.nameOnly }
        let configuration = resource.configuration
        let stack = configuration.stackName
        let id = "\(configuration.region):\(PhysicalNames.uuid(stack, resource.logicalId, configuration.accountId, configuration.region))"
        let poolName =
            resource.properties["IdentityPoolName"]?.scalarText
            ?? resource.logicalId + "_" + PhysicalNames.suffix(stack: stack, logicalId: resource.logicalId)
        return ResourceIdentity(physicalId: id, attributes: ["Name": poolName, "Id": id])
    }

    /// Decodes every identity pool with its role attachment.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first pool or attachment with a wrongly shaped property.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.identityPools
    }
}

extension Stack {
    /// The Cognito identity pools with their attached roles.
    package var identityPools: [IdentityPoolSpec] {
        get throws(TemplateError) {
            try specs(ofType: IdentityPoolProvider.poolType) { resource throws(TemplateError) in try IdentityPoolSpec(resource, in: self) }
        }
    }
}
