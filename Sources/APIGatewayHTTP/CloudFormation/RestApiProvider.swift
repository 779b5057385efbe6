import CloudFormation

/// The CloudFormation provider of the `AWS::ApiGateway::*` resources that make up a REST API (API Gateway v1).
///
/// Serves `RestApi` (`Body` as an OpenAPI document with `x-amazon-apigateway-integration`, `BinaryMediaTypes`,
/// `Name`), `Resource`, `Method` (`RequestParameters`, `RequestModels` and `RequestValidatorId` validated as a
/// `RequestValidator` says, `Integration` of type `AWS_PROXY`, `MOCK`, `AWS` (Lambda functions, DynamoDB, S3),
/// `HTTP` and `HTTP_PROXY` (loopback targets), with `RequestTemplates`, `RequestParameters`, `PassthroughBehavior` and
/// `IntegrationResponses`), `Deployment` (`StageName`) and `Stage`
/// (`StageName`, `Variables`). Ignored (reported by `validate`): `BodyS3Location`, `Policy`, `EndpointConfiguration`,
/// `ApiKeySourceType`, usage plan throttling. `Model` (`Schema`, JSON schema draft 4), `RequestValidator` and
/// `GatewayResponse` (status code, header parameters and templates of the 4XX answers) are served. `Authorizer` (TOKEN and REQUEST Lambda
/// authorizers), `ApiKey`, `UsagePlan` (`ApiStages`, `Quota`) and `UsagePlanKey` are served. HTTP APIs (`AWS::ApiGatewayV2::Api` with
/// `ProtocolType: HTTP` or a `Body`) are named by the WebSocket provider, which serves the `AWS::ApiGatewayV2` types,
/// and decoded by ``Stack/httpApis``.
package struct RestApiProvider: ResourceProvider {
    /// The REST API resource type.
    package static let restApiType = "AWS::ApiGateway::RestApi"
    /// The resource (path part) type.
    package static let resourceType = "AWS::ApiGateway::Resource"
    /// The method type.
    package static let methodType = "AWS::ApiGateway::Method"
    /// The deployment type.
    package static let deploymentType = "AWS::ApiGateway::Deployment"
    /// The stage type.
    package static let stageType = "AWS::ApiGateway::Stage"
    /// The Lambda authorizer type.
    package static let authorizerType = "AWS::ApiGateway::Authorizer"
    /// The API key type.
    package static let apiKeyType = "AWS::ApiGateway::ApiKey"
    /// The usage plan type.
    package static let usagePlanType = "AWS::ApiGateway::UsagePlan"
    /// The usage plan key type.
    package static let usagePlanKeyType = "AWS::ApiGateway::UsagePlanKey"

    /// The model (JSON schema) type.
    package static let modelType = "AWS::ApiGateway::Model"
    /// The request validator type.
    package static let requestValidatorType = "AWS::ApiGateway::RequestValidator"
    /// The gateway response type.
    package static let gatewayResponseType = "AWS::ApiGateway::GatewayResponse"

    /// Creates the provider.
    package init() {}

    /// The properties ``RestApiSpec`` reads, per type.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.restApiType: ["Name", "Description", "Body", "BinaryMediaTypes", "Tags", "FailOnWarnings", "EndpointConfiguration"],
            Self.resourceType: ["RestApiId", "ParentId", "PathPart"],
            Self.methodType: [
                "RestApiId", "ResourceId", "HttpMethod", "AuthorizationType", "Integration", "MethodResponses", "OperationName",
                "ApiKeyRequired", "RequestParameters", "RequestModels", "RequestValidatorId",
            ],
            Self.deploymentType: ["RestApiId", "StageName", "Description", "StageDescription"],
            Self.stageType: ["RestApiId", "StageName", "DeploymentId", "Variables", "Description", "Tags"],
            Self.authorizerType: [
                "RestApiId", "Name", "Type", "AuthorizerUri", "IdentitySource", "IdentityValidationExpression",
                "AuthorizerResultTtlInSeconds", "AuthorizerCredentials", "AuthType", "ProviderARNs",
            ],
            Self.apiKeyType: ["Name", "Value", "Enabled", "StageKeys", "Description", "GenerateDistinctId", "CustomerId", "Tags"],
            Self.usagePlanType: ["ApiStages", "Quota", "Throttle", "UsagePlanName", "Description", "Tags"],
            Self.usagePlanKeyType: ["KeyId", "KeyType", "UsagePlanId"],
            Self.modelType: ["RestApiId", "Name", "ContentType", "Description", "Schema"],
            Self.requestValidatorType: ["RestApiId", "Name", "ValidateRequestBody", "ValidateRequestParameters"],
            Self.gatewayResponseType: ["RestApiId", "ResponseType", "StatusCode", "ResponseParameters", "ResponseTemplates"],
        ]
    }

    /// REST API names come from `Name`.
    package var nameRules: [String: PhysicalNameRule] {
        [Self.restApiType: PhysicalNameRule(property: "Name", maxLength: 1024)]
    }

    /// Generated lowercase ids as API Gateway issues them: 10 characters for APIs (with a `RootResourceId`),
    /// 6 for resources and deployments; a stage's `Ref` is its `StageName`, a model's its `Name` (generated,
    /// alphanumeric, when absent); request validators and gateway responses get 6-character ids.
    /// - Parameter resource: The resource being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        switch resource.type {
        case Self.restApiType:
            let id = resource.shortId(10)
            let root = PhysicalNames.lowercaseId(stack: resource.configuration.stackName, logicalId: resource.logicalId + "/", length: 10)
            return ResourceIdentity(physicalId: id, attributes: ["RestApiId": id, "RootResourceId": root])
        case Self.resourceType:
            let id = resource.shortId(6)
            return ResourceIdentity(physicalId: id, attributes: ["ResourceId": id])
        case Self.deploymentType:
            let id = resource.shortId(6)
            return ResourceIdentity(physicalId: id, attributes: ["DeploymentId": id])
        case Self.authorizerType:
            let id = resource.shortId(6)
            return ResourceIdentity(physicalId: id, attributes: ["AuthorizerId": id])
        case Self.apiKeyType:
            let id = resource.shortId(10)
            return ResourceIdentity(physicalId: id, attributes: ["APIKeyId": id])
        case Self.usagePlanType:
            let id = resource.shortId(6)
            return ResourceIdentity(physicalId: id, attributes: ["Id": id])
        case Self.usagePlanKeyType:
            let id = resource.shortId(10)
            return ResourceIdentity(physicalId: id, attributes: ["Id": id])
        case Self.stageType:
            return ResourceIdentity(physicalId: resource.properties["StageName"]?.scalarText ?? resource.physicalName, attributes: [:])
        case Self.modelType:
            if let name = resource.properties["Name"]?.scalarText, !name.isEmpty { return ResourceIdentity(physicalId: name, attributes: [:]) }
            let generated = (resource.logicalId + resource.shortId(10)).filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
            return ResourceIdentity(physicalId: String(generated.suffix(128)), attributes: [:])
        case Self.requestValidatorType:
            let id = resource.shortId(6)
            return ResourceIdentity(physicalId: id, attributes: ["RequestValidatorId": id])
        case Self.gatewayResponseType:
            return ResourceIdentity(physicalId: resource.shortId(6), attributes: [:])
        default:
            return resource.nameOnly
        }
    }

    /// What the REST API service keeps but does not act on: methods whose authorization cannot be checked (they answer
    /// 401), usage plan `Throttle` limits (quotas are enforced), and the REST and HTTP API integrations and
    /// authorizations that fail at run time (``APIGatewayHTTPService/integrationProblems(restApis:httpApis:)``).
    /// - Parameter stack: The resolved stack.
    /// - Returns: One entry per such method and per usage plan with a `Throttle`.
    package func notActedOn(in stack: Stack) -> [UnsupportedProperty] {
        // Methods whose authorization cannot be checked here (an unknown security scheme) refuse every request with 401.
        let refused = ((try? stack.restApis) ?? []).flatMap { api in
            api.methods.compactMap { method -> UnsupportedProperty? in
                guard case .unsupported(let what) = method.authorization else { return nil }
                return UnsupportedProperty(
                    logicalId: api.logicalId,
                    resourceType: Self.restApiType,
                    property: "\(method.httpMethod) \(method.resourcePath) authorization",
                    reason: "(\(what)) is not emulated: requests answer 401 Unauthorized",
                    location: stack.resource(api.logicalId)?.location
                )
            }
        }
        // Integrations and authorizations that fail at run time (the start-up warnings), with what to do.
        let problems = APIGatewayHTTPService.integrationProblems(restApis: (try? stack.restApis) ?? [], httpApis: (try? stack.httpApis) ?? []).map {
            UnsupportedProperty(
                logicalId: $0.logicalId,
                resourceType: $0.resourceType,
                property: "\($0.resourceType == HttpApiSpec.apiType ? "route" : "method") \($0.subject):",
                reason: $0.problem,
                location: stack.resource($0.logicalId)?.location
            )
        }
        return refused + problems
            + stack.resources(ofType: Self.usagePlanType).compactMap { plan in
                guard plan.properties["Throttle"] != nil else { return nil }
                return UnsupportedProperty(
                    logicalId: plan.logicalId,
                    resourceType: Self.usagePlanType,
                    property: "Properties.Throttle",
                    reason: "is not enforced by the emulator (Quota is)",
                    location: plan.location
                )
            }
    }

    /// Decodes every REST API with its resources, methods, deployments and stages.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first resource with a wrongly shaped property.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.restApis
        _ = try stack.httpApis
    }
}

extension Stack {
    /// The REST APIs with their methods and stages.
    package var restApis: [RestApiSpec] {
        get throws(TemplateError) {
            try specs(ofType: RestApiProvider.restApiType) { resource throws(TemplateError) in try RestApiSpec(resource, in: self) }
        }
    }

    /// The HTTP APIs: `AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP`, or with an OpenAPI `Body` and no protocol.
    package var httpApis: [HttpApiSpec] {
        get throws(TemplateError) {
            var result: [HttpApiSpec] = []
            for resource in resources(ofType: HttpApiSpec.apiType) {
                let protocolType = resource.properties["ProtocolType"]?.scalarText
                guard protocolType == "HTTP" || (protocolType == nil && resource.properties["Body"] != nil) else { continue }
                result.append(try HttpApiSpec(resource, in: self))
            }
            return result
        }
    }
}
