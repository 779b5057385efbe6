import Synchronization

/// The WebSocket APIs the data plane serves, by id: the template's at start, and those the API Gateway v2
/// control plane creates, changes or deletes while the emulator runs.
package final class WebSocketApiTable: Sendable {
    private let byId: Mutex<[String: WebSocketApiSpec]>

    /// Creates the table.
    /// - Parameter apis: The APIs served from the start.
    init(_ apis: [WebSocketApiSpec]) {
        var byId: [String: WebSocketApiSpec] = [:]
        for api in apis { byId[api.apiId] = api }
        self.byId = Mutex(byId)
    }

    /// The API with this id, if served.
    subscript(id: String) -> WebSocketApiSpec? {
        byId.withLock { $0[id] }
    }

    /// Every served API.
    var values: [WebSocketApiSpec] { byId.withLock { Array($0.values) } }

    /// How many APIs are served.
    var count: Int { byId.withLock { $0.count } }

    /// Serves `api` (replacing the one with its id): new connections and messages use it at once.
    /// - Parameter api: The API.
    func register(_ api: WebSocketApiSpec) {
        byId.withLock { $0[api.apiId] = api }
    }

    /// Stops serving an API.
    /// - Parameter apiId: The API id.
    func remove(apiId: String) {
        _ = byId.withLock { $0.removeValue(forKey: apiId) }
    }
}

extension WebSocketAPIService {
    /// Serves an API created or changed through the API Gateway v2 control plane (replacing the one with its id).
    /// - Parameter api: The API with its routes, integrations, stages and authorizers.
    package func register(_ api: WebSocketApiSpec) {
        apis.register(api)
    }

    /// Stops serving an API (DeleteApi, or an API that no longer has a stage): new upgrades to it are refused.
    /// - Parameter apiId: The API id.
    package func unregister(apiId: String) {
        apis.remove(apiId: apiId)
    }

    /// The API served under this id, if any.
    /// - Parameter apiId: The API id.
    /// - Returns: The served API.
    package func servedApi(_ apiId: String) -> WebSocketApiSpec? {
        apis[apiId]
    }
}

extension WebSocketApiSpec {
    /// An API built by the API Gateway v2 control plane (not from a template): no logical ids, children added after.
    /// - Parameters:
    ///   - apiId: The API id.
    ///   - name: The name.
    ///   - routeSelectionExpression: The route selection expression.
    ///   - apiKeySelectionExpression: The API key selection expression.
    ///   - description: The description.
    ///   - apiEndpoint: The `wss://` endpoint.
    package init(
        apiId: String,
        name: String,
        routeSelectionExpression: String,
        apiKeySelectionExpression: String?,
        description: String?,
        apiEndpoint: String
    ) {
        self.logicalId = apiId
        self.apiId = apiId
        self.name = name
        self.protocolType = "WEBSOCKET"
        self.routeSelectionExpression = routeSelectionExpression
        self.apiKeySelectionExpression = apiKeySelectionExpression
        self.description = description
        self.apiEndpoint = apiEndpoint
        self.routes = []
        self.integrations = []
        self.stages = []
        self.routeResponses = []
        self.authorizers = []
        self.deployments = []
    }

    /// Adds a route.
    /// - Parameters:
    ///   - routeId: The route id.
    ///   - routeKey: The route key.
    ///   - target: `integrations/{id}`, if any.
    ///   - authorizationType: `NONE`, `AWS_IAM` or `CUSTOM`.
    ///   - authorizerId: The authorizer id for `CUSTOM`.
    ///   - apiKeyRequired: Whether an API key is required.
    ///   - routeResponseSelectionExpression: The route response selection expression.
    package mutating func addRoute(
        routeId: String,
        routeKey: String,
        target: String?,
        authorizationType: String,
        authorizerId: String?,
        apiKeyRequired: Bool,
        routeResponseSelectionExpression: String?
    ) {
        let integrationId = target.flatMap { $0.hasPrefix("integrations/") ? String($0.dropFirst("integrations/".count)) : nil }
        routes.append(
            Route(
                logicalId: routeId,
                routeId: routeId,
                routeKey: routeKey,
                target: target,
                integrationId: integrationId,
                authorizationType: authorizationType,
                authorizerId: authorizerId,
                apiKeyRequired: apiKeyRequired,
                routeResponseSelectionExpression: routeResponseSelectionExpression
            )
        )
    }

    /// Adds an integration.
    /// - Parameters:
    ///   - integrationId: The integration id.
    ///   - type: The integration type.
    ///   - uri: The integration URI.
    ///   - method: The integration method.
    ///   - timeoutInMillis: The timeout.
    package mutating func addIntegration(integrationId: String, type: String, uri: String?, method: String?, timeoutInMillis: Int?) {
        integrations.append(
            Integration(
                logicalId: integrationId,
                integrationId: integrationId,
                type: type,
                uri: uri,
                functionArn: uri.flatMap(Self.functionArn(fromIntegrationUri:)),
                method: method,
                timeoutInMillis: timeoutInMillis
            )
        )
    }

    /// Adds a stage.
    /// - Parameters:
    ///   - name: The stage name.
    ///   - deploymentId: The deployment id.
    ///   - autoDeploy: Whether changes deploy automatically.
    ///   - stageVariables: The stage variables.
    package mutating func addStage(name: String, deploymentId: String?, autoDeploy: Bool, stageVariables: [String: String]) {
        stages.append(Stage(logicalId: name, name: name, deploymentId: deploymentId, autoDeploy: autoDeploy, stageVariables: stageVariables))
    }

    /// Adds a route response.
    /// - Parameters:
    ///   - routeResponseId: The route response id.
    ///   - routeId: The route id.
    ///   - routeResponseKey: The route response key.
    package mutating func addRouteResponse(routeResponseId: String, routeId: String, routeResponseKey: String) {
        routeResponses.append(
            RouteResponse(logicalId: routeResponseId, routeResponseId: routeResponseId, routeId: routeId, routeResponseKey: routeResponseKey)
        )
    }

    /// Adds a REQUEST authorizer.
    /// - Parameters:
    ///   - authorizerId: The authorizer id.
    ///   - name: The name.
    ///   - type: The authorizer type.
    ///   - uri: The authorizer URI.
    ///   - identitySource: The identity sources.
    ///   - credentialsArn: `AuthorizerCredentialsArn`, the role the function is invoked as.
    package mutating func addAuthorizer(
        authorizerId: String,
        name: String,
        type: String,
        uri: String?,
        identitySource: [String],
        credentialsArn: String? = nil
    ) {
        authorizers.append(
            Authorizer(
                logicalId: authorizerId,
                authorizerId: authorizerId,
                name: name,
                type: type,
                uri: uri,
                functionArn: uri.flatMap(Self.functionArn(fromIntegrationUri:)),
                identitySource: identitySource,
                credentialsArn: credentialsArn
            )
        )
    }

    /// Adds a deployment.
    /// - Parameters:
    ///   - deploymentId: The deployment id.
    ///   - stageName: The stage it was deployed to.
    package mutating func addDeployment(deploymentId: String, stageName: String?) {
        deployments.append(Deployment(logicalId: deploymentId, deploymentId: deploymentId, stageName: stageName))
    }
}
