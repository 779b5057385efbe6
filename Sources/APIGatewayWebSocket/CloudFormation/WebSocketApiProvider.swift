import CloudFormation

/// The CloudFormation provider of the `AWS::ApiGatewayV2::*` resources that make up a WebSocket API.
///
/// Serves `Api`, `Stage`, `Route`, `Integration`, `IntegrationResponse`, `Deployment`, `RouteResponse` and `Authorizer` with the
/// properties listed in ``supportedProperties``; others (`Api.CorsConfiguration`, `Stage.AccessLogSettings`,
/// `Route.RequestModels`...) are reported as ignored. Only APIs with `ProtocolType: WEBSOCKET` are served;
/// the children are gathered into one ``WebSocketApiSpec`` per API by `ApiId`.
package struct WebSocketApiProvider: ResourceProvider {
    /// The API resource type.
    package static let apiType = "AWS::ApiGatewayV2::Api"

    /// Creates the provider.
    package init() {}

    /// The properties ``WebSocketApiSpec`` reads, per type.
    package var supportedProperties: [String: Set<String>] {
        [
            // Body, CorsConfiguration, Target and RouteKey are read for HTTP APIs (APIGatewayHTTP's HttpApiSpec).
            Self.apiType: [
                "Name", "ProtocolType", "RouteSelectionExpression", "ApiKeySelectionExpression", "Description", "Tags", "Body",
                "CorsConfiguration", "Target", "RouteKey",
            ],
            "AWS::ApiGatewayV2::Stage": ["ApiId", "StageName", "DeploymentId", "AutoDeploy", "Description", "StageVariables"],
            "AWS::ApiGatewayV2::Route": [
                "ApiId", "RouteKey", "Target", "AuthorizationType", "AuthorizerId", "ApiKeyRequired", "OperationName",
                "RouteResponseSelectionExpression", "AuthorizationScopes",
            ],
            "AWS::ApiGatewayV2::Integration": [
                "ApiId", "IntegrationType", "IntegrationUri", "IntegrationMethod", "CredentialsArn", "Description", "TimeoutInMillis",
                "ContentHandlingStrategy", "PayloadFormatVersion", "RequestTemplates", "TemplateSelectionExpression", "PassthroughBehavior",
                // HTTP APIs' parameter mappings and AWS service integrations (APIGatewayHTTP).
                "RequestParameters", "ResponseParameters", "IntegrationSubtype",
            ],
            "AWS::ApiGatewayV2::IntegrationResponse": [
                "ApiId", "IntegrationId", "IntegrationResponseKey", "ResponseTemplates", "TemplateSelectionExpression",
            ],
            "AWS::ApiGatewayV2::Deployment": ["ApiId", "StageName", "Description"],
            "AWS::ApiGatewayV2::RouteResponse": ["ApiId", "RouteId", "RouteResponseKey"],
            "AWS::ApiGatewayV2::Authorizer": [
                "ApiId", "Name", "AuthorizerType", "AuthorizerUri", "IdentitySource", "AuthorizerCredentialsArn", "JwtConfiguration",
                // HTTP API Lambda authorizers (APIGatewayHTTP).
                "AuthorizerPayloadFormatVersion", "EnableSimpleResponses", "AuthorizerResultTtlInSeconds",
            ],
        ]
    }

    /// API names come from `Name`, else are generated within 128 characters.
    package var nameRules: [String: PhysicalNameRule] {
        [Self.apiType: PhysicalNameRule(property: "Name", maxLength: 128)]
    }

    /// Generated lowercase ids as API Gateway issues them (10 characters for APIs, 7 for routes and
    /// integrations, 6 for the rest); a stage's `Ref` is its `StageName`.
    /// - Parameter resource: The API Gateway resource being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        switch resource.type {
        case Self.apiType:
            let id = resource.shortId(10)
            let scheme = resource.properties["ProtocolType"]?.scalarText == "WEBSOCKET" ? "wss" : "https"
            let endpoint = "\(scheme)://\(id).execute-api.\(resource.configuration.region).\(resource.configuration.urlSuffix)"
            return ResourceIdentity(physicalId: id, attributes: ["ApiId": id, "ApiEndpoint": endpoint])
        case "AWS::ApiGatewayV2::Stage":
            return ResourceIdentity(physicalId: resource.properties["StageName"]?.scalarText ?? resource.physicalName, attributes: [:])
        case "AWS::ApiGatewayV2::Route":
            return Self.generatedId(resource, length: 7, attribute: "RouteId")
        case "AWS::ApiGatewayV2::Integration":
            return Self.generatedId(resource, length: 7, attribute: "IntegrationId")
        case "AWS::ApiGatewayV2::Deployment":
            return Self.generatedId(resource, length: 6, attribute: "DeploymentId")
        case "AWS::ApiGatewayV2::RouteResponse":
            return Self.generatedId(resource, length: 6, attribute: "RouteResponseId")
        case "AWS::ApiGatewayV2::IntegrationResponse":
            return Self.generatedId(resource, length: 6, attribute: "IntegrationResponseId")
        case "AWS::ApiGatewayV2::Authorizer":
            return Self.generatedId(resource, length: 6, attribute: "AuthorizerId")
        default:
            return resource.nameOnly
        }
    }

    /// Decodes every WebSocket API with its children.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first API Gateway resource with a wrongly shaped property.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.webSocketApis
    }

    private static func generatedId(_ resource: ResourceNaming, length: Int, attribute: String) -> ResourceIdentity {
        let id = resource.shortId(length)
        return ResourceIdentity(physicalId: id, attributes: [attribute: id])
    }
}

extension Stack {
    /// The WebSocket APIs (`ProtocolType: WEBSOCKET`) with their routes, integrations and stages.
    package var webSocketApis: [WebSocketApiSpec] {
        get throws(TemplateError) {
            var specs: [WebSocketApiSpec] = []
            for resource in resources(ofType: WebSocketApiProvider.apiType) where resource.properties["ProtocolType"]?.scalarText == "WEBSOCKET" {
                specs.append(try WebSocketApiSpec(resource, in: self))
            }
            return specs
        }
    }
}
