import CloudFormation

/// What the API Gateway WebSocket service needs: one API with everything attached to it by `ApiId`.
package struct WebSocketApiSpec: Sendable, Equatable {
    /// An `AWS::ApiGatewayV2::Route`.
    package struct Route: Sendable, Equatable {
        /// The logical id.
        package var logicalId: String
        /// The route id.
        package var routeId: String
        /// `RouteKey` (`$connect`, `$default`, `sendMessage`).
        package var routeKey: String
        /// `Target` (`integrations/{id}`).
        package var target: String?
        /// The integration id parsed from ``target``.
        package var integrationId: String?
        /// `AuthorizationType` (default `NONE`).
        package var authorizationType: String
        /// `AuthorizerId`.
        package var authorizerId: String?
        /// `ApiKeyRequired`.
        package var apiKeyRequired: Bool
        /// `RouteResponseSelectionExpression`.
        package var routeResponseSelectionExpression: String?
    }

    /// An `AWS::ApiGatewayV2::Integration`.
    package struct Integration: Sendable, Equatable {
        /// The logical id.
        package var logicalId: String
        /// The integration id.
        package var integrationId: String
        /// `IntegrationType` (`AWS_PROXY`, `MOCK`...).
        package var type: String
        /// `IntegrationUri`.
        package var uri: String?
        /// The Lambda function ARN inside a Lambda invocation URI.
        package var functionArn: String?
        /// `IntegrationMethod`.
        package var method: String?
        /// `TimeoutInMillis`.
        package var timeoutInMillis: Int?
        /// Request and response mapping (`AWS`, `MOCK`, `HTTP` integrations); see ``IntegrationMapping``.
        package var mapping = IntegrationMapping()
    }

    /// An `AWS::ApiGatewayV2::Stage`.
    package struct Stage: Sendable, Equatable {
        /// The logical id.
        package var logicalId: String
        /// `StageName`.
        package var name: String
        /// `DeploymentId`.
        package var deploymentId: String?
        /// `AutoDeploy`.
        package var autoDeploy: Bool
        /// `StageVariables`.
        package var stageVariables: [String: String]
    }

    /// An `AWS::ApiGatewayV2::RouteResponse`.
    package struct RouteResponse: Sendable, Equatable {
        /// The logical id.
        package var logicalId: String
        /// The route response id.
        package var routeResponseId: String
        /// `RouteId`.
        package var routeId: String
        /// `RouteResponseKey` (`$default`).
        package var routeResponseKey: String
    }

    /// An `AWS::ApiGatewayV2::Authorizer`.
    package struct Authorizer: Sendable, Equatable {
        /// The logical id.
        package var logicalId: String
        /// The authorizer id.
        package var authorizerId: String
        /// `Name`.
        package var name: String
        /// `AuthorizerType` (`REQUEST`).
        package var type: String
        /// `AuthorizerUri`.
        package var uri: String?
        /// The Lambda function ARN inside ``uri``.
        package var functionArn: String?
        /// `IdentitySource`.
        package var identitySource: [String]
        /// `AuthorizerCredentialsArn`: the role API Gateway invokes the function as (then the function's resource
        /// policy is not what allows it).
        package var credentialsArn: String? = nil
    }

    /// An `AWS::ApiGatewayV2::Deployment`.
    package struct Deployment: Sendable, Equatable {
        /// The logical id.
        package var logicalId: String
        /// The deployment id.
        package var deploymentId: String
        /// `StageName`.
        package var stageName: String?
    }

    /// The logical id.
    package var logicalId: String
    /// The API id (10 lowercase alphanumerics).
    package var apiId: String
    /// `Name`.
    package var name: String
    /// `ProtocolType` (`WEBSOCKET`).
    package var protocolType: String
    /// `RouteSelectionExpression`.
    package var routeSelectionExpression: String
    /// `ApiKeySelectionExpression`.
    package var apiKeySelectionExpression: String?
    /// `Description`.
    package var description: String?
    /// `wss://{id}.execute-api.{region}.amazonaws.com`.
    package var apiEndpoint: String
    /// The routes.
    package var routes: [Route]
    /// The integrations.
    package var integrations: [Integration]
    /// The stages.
    package var stages: [Stage]
    /// The route responses.
    package var routeResponses: [RouteResponse]
    /// The authorizers.
    package var authorizers: [Authorizer]
    /// The deployments.
    package var deployments: [Deployment]

    /// The function ARN inside `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`.
    /// - Parameter uri: An integration or authorizer URI.
    /// - Returns: The function ARN, or nil when `uri` is not a Lambda invocation URI.
    package static func functionArn(fromIntegrationUri uri: String) -> String? {
        LambdaIntegrationURI.functionArn(uri)
    }

    /// Decodes an `AWS::ApiGatewayV2::Api` and gathers its children from `stack`.
    /// - Parameters:
    ///   - resource: A resolved `AWS::ApiGatewayV2::Api`.
    ///   - stack: The stack holding the routes, integrations, stages, route responses, authorizers and deployments.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource, in stack: Stack) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        apiId = resource.physicalId
        name = try reader["Name"].string() ?? resource.logicalId
        protocolType = try reader["ProtocolType"].string() ?? "WEBSOCKET"
        routeSelectionExpression = try reader["RouteSelectionExpression"].string() ?? "$request.body.action"
        apiKeySelectionExpression = try reader["ApiKeySelectionExpression"].string()
        description = try reader["Description"].string()
        apiEndpoint = resource.attributes["ApiEndpoint"] ?? ""
        let apiId = resource.physicalId
        func children(_ type: String) throws(TemplateError) -> [(StackResource, SpecReader)] {
            try stack.children(ofType: type, property: "ApiId", parentId: apiId)
        }
        var routes: [Route] = []
        for (child, route) in try children("AWS::ApiGatewayV2::Route") {
            let target = try route["Target"].string()
            let integrationId = target.flatMap { $0.hasPrefix("integrations/") ? String($0.dropFirst("integrations/".count)) : nil }
            routes.append(
                Route(
                    logicalId: child.logicalId,
                    routeId: child.physicalId,
                    routeKey: try route["RouteKey"].requiredString(),
                    target: target,
                    integrationId: integrationId,
                    authorizationType: try route["AuthorizationType"].string() ?? "NONE",
                    authorizerId: try route["AuthorizerId"].string(),
                    apiKeyRequired: try route["ApiKeyRequired"].bool() ?? false,
                    routeResponseSelectionExpression: try route["RouteResponseSelectionExpression"].string()
                )
            )
        }
        self.routes = routes
        var integrations: [Integration] = []
        for (child, integration) in try children("AWS::ApiGatewayV2::Integration") {
            let uri = try integration["IntegrationUri"].string()
            var item = Integration(
                logicalId: child.logicalId,
                integrationId: child.physicalId,
                type: try integration["IntegrationType"].requiredString(),
                uri: uri,
                functionArn: uri.flatMap(Self.functionArn(fromIntegrationUri:)),
                method: try integration["IntegrationMethod"].string(),
                timeoutInMillis: try integration["TimeoutInMillis"].int()
            )
            item.mapping = try IntegrationMapping(integration: integration)
            integrations.append(item)
        }
        try IntegrationMapping.attachResponses(to: &integrations, from: try children("AWS::ApiGatewayV2::IntegrationResponse"))
        self.integrations = integrations
        var stages: [Stage] = []
        for (child, stage) in try children("AWS::ApiGatewayV2::Stage") {
            stages.append(
                Stage(
                    logicalId: child.logicalId,
                    name: child.physicalId,
                    deploymentId: try stage["DeploymentId"].string(),
                    autoDeploy: try stage["AutoDeploy"].bool() ?? false,
                    stageVariables: try stage["StageVariables"].stringMap() ?? [:]
                )
            )
        }
        self.stages = stages
        var routeResponses: [RouteResponse] = []
        for (child, response) in try children("AWS::ApiGatewayV2::RouteResponse") {
            routeResponses.append(
                RouteResponse(
                    logicalId: child.logicalId,
                    routeResponseId: child.physicalId,
                    routeId: try response["RouteId"].requiredString(),
                    routeResponseKey: try response["RouteResponseKey"].requiredString()
                )
            )
        }
        self.routeResponses = routeResponses
        var authorizers: [Authorizer] = []
        for (child, authorizer) in try children("AWS::ApiGatewayV2::Authorizer") {
            let uri = try authorizer["AuthorizerUri"].string()
            authorizers.append(
                Authorizer(
                    logicalId: child.logicalId,
                    authorizerId: child.physicalId,
                    name: try authorizer["Name"].string() ?? child.logicalId,
                    type: try authorizer["AuthorizerType"].string() ?? "REQUEST",
                    uri: uri,
                    functionArn: uri.flatMap(Self.functionArn(fromIntegrationUri:)),
                    identitySource: try authorizer["IdentitySource"].stringList() ?? [],
                    credentialsArn: try authorizer["AuthorizerCredentialsArn"].string()
                )
            )
        }
        self.authorizers = authorizers
        var deployments: [Deployment] = []
        for (child, deployment) in try children("AWS::ApiGatewayV2::Deployment") {
            deployments.append(
                Deployment(logicalId: child.logicalId, deploymentId: child.physicalId, stageName: try deployment["StageName"].string())
            )
        }
        self.deployments = deployments
    }
}
