import CloudFormation
import Foundation

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
    /// `OpenIdConnectProviderARNs`.
    package var openIdConnectProviderARNs: [String]
    /// `SamlProviderARNs`.
    package var samlProviderARNs: [String]
    /// `IdentityPoolTags`.
    package var tags: [String: String]
    /// The attachment's `RoleMappings` in the API's shape (keyed by identity provider), as JSON text.
    package var roleMappingsJSON: String?
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
        openIdConnectProviderARNs = try reader["OpenIdConnectProviderARNs"].stringList() ?? []
        samlProviderARNs = try reader["SamlProviderARNs"].stringList() ?? []
        tags = try reader["IdentityPoolTags"].tags()
        for attachment in stack.resources(ofType: IdentityPoolProvider.attachmentType) {
            let attachmentReader = SpecReader(attachment)
            guard try attachmentReader["IdentityPoolId"].string() == resource.physicalId else { continue }
            unauthenticatedRoleArn = try attachmentReader["Roles"]["unauthenticated"].string()
            authenticatedRoleArn = try attachmentReader["Roles"]["authenticated"].string()
            roleMappingsJSON = try Self.roleMappingsJSON(attachmentReader["RoleMappings"])
        }
    }

    /// An attachment's `RoleMappings` as `SetIdentityPoolRoles` takes them: CloudFormation keys each mapping by any
    /// name and names its provider in `IdentityProvider` (the key when absent); the API keys it by the provider and
    /// calls the rule's role `RoleARN` as CloudFormation does.
    /// - Parameter reader: The `RoleMappings` property.
    /// - Returns: The JSON text, or nil when there are none.
    /// - Throws: ``TemplateError`` for a wrongly shaped mapping.
    package static func roleMappingsJSON(_ reader: SpecReader) throws(TemplateError) -> String? {
        guard let entries = try reader.entries(), !entries.isEmpty else { return nil }
        var mappings: [String: Any] = [:]
        for (key, mapping) in entries {
            var value: [String: Any] = ["Type": try mapping["Type"].requiredString()]
            if let resolution = try mapping["AmbiguousRoleResolution"].string() { value["AmbiguousRoleResolution"] = resolution }
            if let rules = try mapping["RulesConfiguration"]["Rules"].list() {
                var converted: [[String: String]] = []
                for rule in rules {
                    converted.append([
                        "Claim": try rule["Claim"].requiredString(), "MatchType": try rule["MatchType"].requiredString(),
                        "Value": try rule["Value"].requiredString(), "RoleARN": try rule["RoleARN"].requiredString(),
                    ])
                }
                value["RulesConfiguration"] = ["Rules": converted]
            }
            mappings[try mapping["IdentityProvider"].string() ?? key] = value
        }
        guard let data = try? JSONSerialization.data(withJSONObject: mappings, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
