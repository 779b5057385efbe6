import CloudFormation

/// What the REST API service needs of one `AWS::ApiGateway::RestApi`: its methods (from the OpenAPI `Body` and the
/// template's `Resource`/`Method` resources), stages and binary media types.
package struct RestApiSpec: Sendable, Equatable {
    /// One method on one resource path.
    package struct Method: Sendable, Equatable {
        /// The resource id (`$context.resourceId`).
        package var resourceId: String
        /// The resource path template (`/pets/{id}`, `/{proxy+}`).
        package var resourcePath: String
        /// The HTTP method, or `ANY`.
        package var httpMethod: String
        /// The integration, if any.
        package var integration: IntegrationSpec?
        /// Whether the method requires authorization (an authorizer, IAM, or an API key).
        package var secured: Bool { authorization != .none || apiKeyRequired }
        /// How the method is authorized.
        package var authorization: MethodAuthorization
        /// `ApiKeyRequired`: the request needs an `x-api-key` of a usage plan of the stage.
        package var apiKeyRequired: Bool
        /// What the method's request validator checks (nil: no validator).
        package var validation: RequestValidation? = nil
    }

    /// What a method's request validator checks before the integration runs.
    package struct RequestValidation: Sendable, Equatable {
        /// `ValidateRequestParameters`: the required method request parameters must be present.
        package var validateParameters: Bool
        /// `ValidateRequestBody`: the body must match the model of its content type.
        package var validateBody: Bool
        /// The method request parameters marked required (`method.request.querystring.q`...), sorted.
        package var requiredParameters: [String]
        /// The JSON schema of each content type's model (`$default` for any other type).
        package var schemas: [String: String]
        /// Every model's schema by name (what a model's `$ref` to another model names).
        package var models: [String: String] = [:]
    }

    /// One customized gateway response (`AWS::ApiGateway::GatewayResponse`, `PutGatewayResponse`).
    package struct GatewayResponse: Sendable, Equatable {
        /// `StatusCode`, nil for the type's default.
        package var statusCode: Int?
        /// `ResponseParameters`: `gatewayresponse.header.NAME` to a source (`'value'`, `method.request.header.NAME`...).
        package var parameters: [String: String]
        /// `ResponseTemplates` by content type.
        package var templates: [String: String]
    }

    /// One stage.
    package struct Stage: Sendable, Equatable {
        /// The stage name.
        package var name: String
        /// The deployment id.
        package var deploymentId: String?
        /// The stage variables.
        package var variables: [String: String]
    }

    /// The logical id.
    package var logicalId: String
    /// The API id (10 lowercase alphanumerics).
    package var apiId: String
    /// `Name`.
    package var name: String
    /// The methods.
    package var methods: [Method]
    /// The stages (from `Stage` resources and `Deployment`s naming a `StageName`).
    package var stages: [Stage]
    /// `BinaryMediaTypes` plus the document's `x-amazon-apigateway-binary-media-types`.
    package var binaryMediaTypes: [String]
    /// The Lambda (and Cognito) authorizers: the document's security schemes and `AWS::ApiGateway::Authorizer`s.
    package var authorizers: [AuthorizerSpec]
    /// The API keys of the usage plans naming the API's stages.
    package var apiKeys: [ApiKeyGrant]
    /// The customized gateway responses by response type (`DEFAULT_4XX`, `BAD_REQUEST_BODY`...).
    package var gatewayResponses: [String: GatewayResponse] = [:]

    /// Decodes a REST API and gathers its resources, methods, deployments and stages from `stack`.
    /// - Parameters:
    ///   - resource: A resolved `AWS::ApiGateway::RestApi`.
    ///   - stack: The stack.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource, in stack: Stack) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        apiId = resource.physicalId
        name = try reader["Name"].string() ?? resource.logicalId
        var binary = try reader["BinaryMediaTypes"].stringList() ?? []
        binary += try reader["Body"]["x-amazon-apigateway-binary-media-types"].stringList() ?? []
        binaryMediaTypes = binary
        let apiId = resource.physicalId
        var methods: [Method] = []
        let schemes = try OpenAPISecuritySchemes(reader["Body"], idSeed: apiId)
        var authorizers = schemes.authorizers
        for operation in try OpenAPIOperation.operations(in: reader["Body"], defaultPayloadFormat: "1.0") {
            let requirement = schemes.requirement(operation.securityNames, scopes: operation.securityScopes)
            let id = PhysicalNames.randomString(
                seed: PhysicalNames.seed(apiId, operation.path),
                count: 6,
                alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789")
            )
            methods.append(
                Method(
                    resourceId: id,
                    resourcePath: operation.path,
                    httpMethod: operation.method,
                    integration: operation.integration,
                    authorization: requirement.authorization,
                    apiKeyRequired: requirement.apiKeyRequired
                )
            )
        }

        func children(_ type: String) throws(TemplateError) -> [(StackResource, SpecReader)] {
            try stack.children(ofType: type, property: "RestApiId", parentId: apiId)
        }
        for (child, authorizer) in try children(RestApiProvider.authorizerType) {
            let type = try authorizer["Type"].requiredString().uppercased()
            guard let kind = AuthorizerSpec.Kind(rawValue: type) else {
                throw TemplateError(
                    .invalidProperty,
                    "property Properties.Type must be TOKEN, REQUEST or COGNITO_USER_POOLS",
                    at: child.location,
                    logicalId: child.logicalId
                )
            }
            authorizers.append(
                AuthorizerSpec(
                    authorizerId: child.physicalId,
                    name: try authorizer["Name"].string() ?? child.logicalId,
                    kind: kind,
                    functionArn: (try authorizer["AuthorizerUri"].string()).flatMap(LambdaIntegrationURI.functionArn),
                    identitySources: AuthorizerSpec.sources(try authorizer["IdentitySource"].string()),
                    validationExpression: try authorizer["IdentityValidationExpression"].string(),
                    resultTtlSeconds: AuthorizerSpec.ttl(try authorizer["AuthorizerResultTtlInSeconds"].int()),
                    providerARNs: try authorizer["ProviderARNs"].stringList() ?? []
                )
            )
        }
        self.authorizers = authorizers
        var schemas: [String: String] = [:]
        for (child, model) in try children(RestApiProvider.modelType) {
            switch model["Schema"].value {
            case .none, .some(.null): schemas[child.physicalId] = "{}"
            case .some(let value): schemas[child.physicalId] = value.stringValue ?? value.jsonString
            }
        }
        var validators: [String: (body: Bool, parameters: Bool)] = [:]
        for (child, validator) in try children(RestApiProvider.requestValidatorType) {
            validators[child.physicalId] = (
                try validator["ValidateRequestBody"].bool() ?? false, try validator["ValidateRequestParameters"].bool() ?? false
            )
        }
        var gatewayResponses: [String: GatewayResponse] = [:]
        for (_, response) in try children(RestApiProvider.gatewayResponseType) {
            gatewayResponses[try response["ResponseType"].requiredString()] = GatewayResponse(
                statusCode: (try response["StatusCode"].string()).flatMap { Int($0) },
                parameters: try response["ResponseParameters"].stringMap() ?? [:],
                templates: try response["ResponseTemplates"].stringMap() ?? [:]
            )
        }
        self.gatewayResponses = gatewayResponses
        // Resource paths: each resource's parent is the API's root resource or another resource.
        let rootId = resource.attributes["RootResourceId"] ?? ""
        var parents: [String: (parent: String, part: String)] = [:]
        for (child, path) in try children(RestApiProvider.resourceType) {
            parents[child.physicalId] = (try path["ParentId"].requiredString(), try path["PathPart"].requiredString())
        }
        func path(of id: String) -> String? {
            var parts: [String] = []
            var current = id
            // Bounded by the number of resources: a cycle in the template cannot loop forever.
            for _ in 0...parents.count {
                if current == rootId { return "/" + parts.reversed().joined(separator: "/") }
                guard let entry = parents[current] else { return nil }
                parts.append(entry.part)
                current = entry.parent
            }
            return nil
        }
        for (child, method) in try children(RestApiProvider.methodType) {
            let resourceId = try method["ResourceId"].requiredString()
            guard let resourcePath = path(of: resourceId) else {
                throw TemplateError(
                    .invalidProperty,
                    "property Properties.ResourceId must name the API's root resource or one of its AWS::ApiGateway::Resource resources",
                    at: child.location,
                    logicalId: child.logicalId
                )
            }
            let integration = method["Integration"]
            let authorizationType = (try method["AuthorizationType"].string() ?? "NONE").uppercased()
            let authorization: MethodAuthorization
            switch authorizationType {
            case "NONE":
                authorization = .none
            case "AWS_IAM":
                authorization = .awsIAM
            case "CUSTOM":
                guard let authorizerId = try method["AuthorizerId"].string(), authorizers.contains(where: { $0.authorizerId == authorizerId }) else {
                    throw TemplateError(
                        .invalidProperty,
                        "property Properties.AuthorizerId must name an AWS::ApiGateway::Authorizer of the API when AuthorizationType is CUSTOM",
                        at: child.location,
                        logicalId: child.logicalId
                    )
                }
                authorization = .custom(authorizerId: authorizerId)
            case "COGNITO_USER_POOLS":
                guard let authorizerId = try method["AuthorizerId"].string(),
                    authorizers.contains(where: { $0.authorizerId == authorizerId && $0.kind == .cognitoUserPools })
                else {
                    throw TemplateError(
                        .invalidProperty,
                        "property Properties.AuthorizerId must name a COGNITO_USER_POOLS AWS::ApiGateway::Authorizer of the API when AuthorizationType is COGNITO_USER_POOLS",
                        at: child.location,
                        logicalId: child.logicalId
                    )
                }
                authorization = .cognito(authorizerId: authorizerId, scopes: try method["AuthorizationScopes"].stringList() ?? [])
            default:
                authorization = .unsupported("AuthorizationType \(authorizationType)")
            }
            let apiKeyRequired = try method["ApiKeyRequired"].bool() ?? false
            var validation: RequestValidation?
            if let validatorId = try method["RequestValidatorId"].string(), let validator = validators[validatorId] {
                var required: [String] = []
                for (name, flag) in try method["RequestParameters"].entries() ?? [] {
                    if try flag.bool() == true { required.append(name) }
                }
                var modelSchemas: [String: String] = [:]
                for (contentType, model) in try method["RequestModels"].stringMap() ?? [:] {
                    if let schema = schemas[model] { modelSchemas[contentType.lowercased()] = schema }
                }
                validation = RequestValidation(
                    validateParameters: validator.parameters,
                    validateBody: validator.body,
                    requiredParameters: required.sorted(),
                    schemas: modelSchemas,
                    models: schemas
                )
            }
            methods.append(
                Method(
                    resourceId: resourceId,
                    resourcePath: resourcePath,
                    httpMethod: try method["HttpMethod"].requiredString().uppercased(),
                    integration: integration.exists ? try IntegrationSpec(method: integration) : nil,
                    authorization: authorization,
                    apiKeyRequired: apiKeyRequired,
                    validation: validation
                )
            )
        }
        self.methods = methods

        var stages: [Stage] = []
        for (child, stage) in try children(RestApiProvider.stageType) {
            stages.append(
                Stage(name: child.physicalId, deploymentId: try stage["DeploymentId"].string(), variables: try stage["Variables"].stringMap() ?? [:])
            )
        }
        for (child, deployment) in try children(RestApiProvider.deploymentType) {
            if let name = try deployment["StageName"].string(), !stages.contains(where: { $0.name == name }) {
                let variables = try deployment["StageDescription"]["Variables"].stringMap() ?? [:]
                stages.append(Stage(name: name, deploymentId: child.physicalId, variables: variables))
            }
        }
        self.stages = stages
        apiKeys = try Self.apiKeyGrants(apiId: apiId, in: stack)
    }
}
