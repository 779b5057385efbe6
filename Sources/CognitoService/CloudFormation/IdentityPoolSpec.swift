import CloudFormation

/// What the Cognito Identity service needs to create one identity pool.
package struct IdentityPoolSpec: Sendable, Equatable {
    /// One `CognitoIdentityProviders` entry.
    package struct Provider: Sendable, Equatable {
        /// `ClientId`.
        package var clientId: String?
        /// `ProviderName`.
        package var providerName: String?
        /// `ServerSideTokenCheck`.
        package var serverSideTokenCheck: Bool
    }

    /// The logical id.
    package var logicalId: String
    /// The pool id (`us-east-1:uuid`).
    package var id: String
    /// The pool name.
    package var name: String
    /// `AllowUnauthenticatedIdentities`.
    package var allowUnauthenticatedIdentities: Bool
    /// `AllowClassicFlow`.
    package var allowClassicFlow: Bool
    /// `CognitoIdentityProviders`.
    package var providers: [Provider]
    /// `SupportedLoginProviders`.
    package var supportedLoginProviders: [String: String]
    /// `DeveloperProviderName`.
    package var developerProviderName: String?
    /// The unauthenticated role ARN from the pool's `IdentityPoolRoleAttachment`.
    package var unauthenticatedRoleArn: String?
    /// The authenticated role ARN from the pool's `IdentityPoolRoleAttachment`.
    package var authenticatedRoleArn: String?

    /// Decodes an `AWS::Cognito::IdentityPool` and its role attachment from `stack`.
    /// - Parameters:
    ///   - resource: A resolved `AWS::Cognito::IdentityPool`.
    ///   - stack: The stack holding `AWS::Cognito::IdentityPoolRoleAttachment` resources.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource, in stack: Stack) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        id = resource.physicalId
        name = resource.attributes["Name"] ?? resource.logicalId
        allowUnauthenticatedIdentities = try reader["AllowUnauthenticatedIdentities"].bool() ?? false
        allowClassicFlow = try reader["AllowClassicFlow"].bool() ?? false
        var providers: [Provider] = []
        for item in try reader["CognitoIdentityProviders"].list() ?? [] {
            providers.append(
                Provider(
                    clientId: try item["ClientId"].string(),
                    providerName: try item["ProviderName"].string(),
                    serverSideTokenCheck: try item["ServerSideTokenCheck"].bool() ?? false
                )
            )
        }
        self.providers = providers
        supportedLoginProviders = try reader["SupportedLoginProviders"].stringMap() ?? [:]
        developerProviderName = try reader["DeveloperProviderName"].string()
        for attachment in stack.resources(ofType: IdentityPoolProvider.attachmentType) {
            let attachmentReader = SpecReader(attachment)
            guard try attachmentReader["IdentityPoolId"].string() == resource.physicalId else { continue }
            unauthenticatedRoleArn = try attachmentReader["Roles"]["unauthenticated"].string()
            authenticatedRoleArn = try attachmentReader["Roles"]["authenticated"].string()
        }
    }
}
