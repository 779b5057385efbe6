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
        for attachment in stack.resources(ofType: "AWS::Cognito::IdentityPoolRoleAttachment") {
            let attachmentReader = SpecReader(attachment)
            guard try attachmentReader["IdentityPoolId"].string() == resource.physicalId else { continue }
            unauthenticatedRoleArn = try attachmentReader["Roles"]["unauthenticated"].string()
            authenticatedRoleArn = try attachmentReader["Roles"]["authenticated"].string()
        }
    }
}

/// What the IAM layer needs to know about one role.
package struct IAMRoleSpec: Sendable, Equatable {
    /// An inline policy.
    package struct InlinePolicy: Sendable, Equatable {
        /// The policy name.
        package var name: String
        /// The policy document (convert with ``TemplateValue/jsonObject`` or ``TemplateValue/jsonString``).
        package var document: TemplateValue
    }

    /// The logical id.
    package var logicalId: String
    /// The role name.
    package var name: String
    /// The role ARN.
    package var arn: String
    /// The role id (`AROA...`).
    package var roleId: String
    /// The role path.
    package var path: String
    /// The trust policy.
    package var assumeRolePolicyDocument: TemplateValue
    /// The role's `Policies` plus `AWS::IAM::Policy` resources that name the role.
    package var inlinePolicies: [InlinePolicy]
    /// `ManagedPolicyArns` plus `AWS::IAM::ManagedPolicy` resources that name the role.
    package var managedPolicyArns: [String]

    /// Decodes an `AWS::IAM::Role` and the policies attached to it elsewhere in `stack`.
    /// - Parameters:
    ///   - resource: A resolved `AWS::IAM::Role`.
    ///   - stack: The stack holding `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource, in stack: Stack) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        name = resource.physicalId
        arn = resource.attributes["Arn"] ?? ""
        roleId = resource.attributes["RoleId"] ?? ""
        path = try reader["Path"].string() ?? "/"
        guard let trust = reader["AssumeRolePolicyDocument"].value, trust.mapValue != nil else {
            throw reader["AssumeRolePolicyDocument"].failure("a policy document map")
        }
        assumeRolePolicyDocument = trust
        var inline: [InlinePolicy] = []
        for item in try reader["Policies"].list() ?? [] {
            guard let document = item["PolicyDocument"].value, document.mapValue != nil else {
                throw item["PolicyDocument"].failure("a policy document map")
            }
            inline.append(InlinePolicy(name: try item["PolicyName"].requiredString(), document: document))
        }
        var managed = try reader["ManagedPolicyArns"].stringList() ?? []
        for policy in stack.resources(ofType: "AWS::IAM::Policy") {
            let policyReader = SpecReader(policy)
            guard try policyReader["Roles"].stringList()?.contains(resource.physicalId) == true else { continue }
            guard let document = policyReader["PolicyDocument"].value, document.mapValue != nil else {
                throw policyReader["PolicyDocument"].failure("a policy document map")
            }
            inline.append(InlinePolicy(name: try policyReader["PolicyName"].requiredString(), document: document))
        }
        for policy in stack.resources(ofType: "AWS::IAM::ManagedPolicy") {
            let policyReader = SpecReader(policy)
            if try policyReader["Roles"].stringList()?.contains(resource.physicalId) == true {
                managed.append(policy.physicalId)
            }
        }
        inlinePolicies = inline
        managedPolicyArns = managed
    }
}

extension Stack {
    /// The Lambda functions in dependency order.
    package var lambdaFunctions: [LambdaFunctionSpec] {
        get throws(TemplateError) {
            var specs: [LambdaFunctionSpec] = []
            for resource in resources(ofType: "AWS::Lambda::Function") {
                specs.append(try LambdaFunctionSpec(resource))
            }
            return specs
        }
    }

    /// The S3 buckets in dependency order.
    package var buckets: [S3BucketSpec] {
        get throws(TemplateError) {
            var specs: [S3BucketSpec] = []
            for resource in resources(ofType: "AWS::S3::Bucket") {
                specs.append(try S3BucketSpec(resource))
            }
            return specs
        }
    }

    /// The DynamoDB tables in dependency order.
    package var tables: [DynamoDBTableSpec] {
        get throws(TemplateError) {
            var specs: [DynamoDBTableSpec] = []
            for resource in resources(ofType: "AWS::DynamoDB::Table") {
                specs.append(try DynamoDBTableSpec(resource))
            }
            return specs
        }
    }

    /// The WebSocket APIs (`ProtocolType: WEBSOCKET`) with their routes, integrations and stages.
    package var webSocketApis: [WebSocketApiSpec] {
        get throws(TemplateError) {
            var specs: [WebSocketApiSpec] = []
            for resource in resources(ofType: "AWS::ApiGatewayV2::Api") where resource.properties["ProtocolType"]?.scalarText == "WEBSOCKET" {
                specs.append(try WebSocketApiSpec(resource, in: self))
            }
            return specs
        }
    }

    /// The Cognito identity pools with their attached roles.
    package var identityPools: [IdentityPoolSpec] {
        get throws(TemplateError) {
            var specs: [IdentityPoolSpec] = []
            for resource in resources(ofType: "AWS::Cognito::IdentityPool") {
                specs.append(try IdentityPoolSpec(resource, in: self))
            }
            return specs
        }
    }

    /// The IAM roles with their inline and managed policies.
    package var roles: [IAMRoleSpec] {
        get throws(TemplateError) {
            var specs: [IAMRoleSpec] = []
            for resource in resources(ofType: "AWS::IAM::Role") {
                specs.append(try IAMRoleSpec(resource, in: self))
            }
            return specs
        }
    }

    /// Customer managed policy documents by policy ARN (`AWS::IAM::ManagedPolicy` resources).
    package var managedPolicyDocuments: [String: TemplateValue] {
        var documents: [String: TemplateValue] = [:]
        for resource in resources(ofType: "AWS::IAM::ManagedPolicy") {
            if let document = resource.properties["PolicyDocument"] {
                documents[resource.physicalId] = document
            }
        }
        return documents
    }

    /// Decodes every spec once so shape errors surface when the template is loaded, not when a service starts.
    /// - Throws: ``TemplateError`` for the first resource whose properties have the wrong shape.
    package func validateSpecs() throws(TemplateError) {
        _ = try lambdaFunctions
        _ = try buckets
        _ = try tables
        _ = try webSocketApis
        _ = try identityPools
        _ = try roles
    }
}
