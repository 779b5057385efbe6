import APIGatewayWebSocket
import AWSGateway
import Foundation

extension APIGatewayV2Service {
    // MARK: Create

    func create(_ operation: APIGatewayV2Operation, body: [String: V2JSON]) throws -> V2Resource {
        let input = try V2Validation.input(body, kind: operation.kind, creating: true)
        if operation.kind == .api { return try createApi(input) }
        let api = try self.api(operation.apiId)
        let parent = try self.parent(of: operation, api: api)
        let id = operation.kind == .stage ? (input["stageName"]?.stringValue ?? "") : V2Identifiers.make(length: operation.kind.idLength)
        var document = defaults(operation.kind, protocolType: api.string("protocolType") ?? "", id: id)
        document.merge(input) { _, new in new }
        // A template API's new parts are the template's too: held in memory (and in snapshots), gone on reset.
        var resource = V2Resource(
            kind: operation.kind,
            apiId: api.apiId,
            parentId: parent?.id ?? "",
            id: id,
            document: document,
            fromTemplate: api.fromTemplate
        )
        try validate(resource, api: api)
        if operation.kind == .deployment { resource = snapshotted(resource) }
        let created = resource
        try store.put(created) { siblings in try Self.checkUnique(created, siblings: siblings, creating: true) }
        if operation.kind == .deployment { try deployToStage(created) }
        try changed(apiId: api.apiId, kind: operation.kind, stage: operation.kind == .stage ? (name: id, deploys: true) : nil)
        return store.get(operation.kind, apiId: api.apiId, id: id) ?? created
    }

    /// Creates an API (the entry point the CloudFormation deployer shares).
    /// - Parameter input: The accepted `CreateApi` members.
    /// - Returns: The API.
    /// - Throws: ``APIGatewayV2Error``.
    package func createApi(_ input: [String: V2JSON]) throws -> V2Resource {
        let protocolType = input["protocolType"]?.stringValue ?? ""
        try V2Validation.protocolType(protocolType)
        let quickCreate = input["target"] != nil || input["routeKey"] != nil || input["credentialsArn"] != nil
        if quickCreate, protocolType != "HTTP" || input["target"] == nil {
            throw APIGatewayV2Error.quickCreateNotSupported
        }
        let id = V2Identifiers.make(length: V2ResourceKind.api.idLength)
        var document = defaults(.api, protocolType: protocolType, id: id)
        document.merge(input) { _, new in new }
        for member in ["target", "routeKey", "credentialsArn"] { document[member] = nil }
        let resource = V2Resource(kind: .api, apiId: id, id: id, document: document)
        try validate(resource, api: resource)
        if quickCreate { try V2Validation.routeKey(input["routeKey"]?.stringValue ?? "$default", protocolType: "HTTP") }
        try store.put(resource)
        if quickCreate {
            try quickCreateChildren(input, api: resource)
            try changed(apiId: id, kind: .stage, stage: (name: "$default", deploys: true))
        }
        return resource
    }

    /// Quick create of an HTTP API (`target` with optional `routeKey` and `credentialsArn`): an `AWS_PROXY`
    /// integration (payload 2.0) for a Lambda ARN or an `HTTP_PROXY` one (method `ANY`) for a URL, a route for it
    /// (`$default` unless `routeKey`, validated before the API was stored), and an auto-deployed `$default` stage, all
    /// marked `apiGatewayManaged`.
    private func quickCreateChildren(_ input: [String: V2JSON], api: V2Resource) throws {
        let target = input["target"]?.stringValue ?? ""
        let routeKey = input["routeKey"]?.stringValue ?? "$default"
        let lambda = target.hasPrefix("arn:")
        let integrationId = V2Identifiers.make(length: V2ResourceKind.integration.idLength)
        var integration = defaults(.integration, protocolType: "HTTP", id: integrationId)
        integration["integrationType"] = .string(lambda ? "AWS_PROXY" : "HTTP_PROXY")
        integration["integrationUri"] = .string(target)
        integration["integrationMethod"] = .string(lambda ? "POST" : "ANY")
        integration["payloadFormatVersion"] = .string(lambda ? "2.0" : "1.0")
        integration["apiGatewayManaged"] = .bool(true)
        if let credentials = input["credentialsArn"] { integration["credentialsArn"] = credentials }
        let routeId = V2Identifiers.make(length: V2ResourceKind.route.idLength)
        var route = defaults(.route, protocolType: "HTTP", id: routeId)
        route["routeKey"] = .string(routeKey)
        route["target"] = .string("integrations/\(integrationId)")
        route["apiGatewayManaged"] = .bool(true)
        var stage = defaults(.stage, protocolType: "HTTP", id: "$default")
        stage["autoDeploy"] = .bool(true)
        stage["apiGatewayManaged"] = .bool(true)
        try store.put(V2Resource(kind: .integration, apiId: api.apiId, id: integrationId, document: integration))
        try store.put(V2Resource(kind: .route, apiId: api.apiId, id: routeId, document: route))
        try store.put(V2Resource(kind: .stage, apiId: api.apiId, id: "$default", document: stage))
    }

    /// AWS's defaults for a new resource's document.
    func defaults(_ kind: V2ResourceKind, protocolType: String, id: String) -> [String: V2JSON] {
        let now = V2JSON.string(nowText)
        let webSocket = protocolType == "WEBSOCKET"
        switch kind {
        case .api:
            let scheme = webSocket ? "wss" : "https"
            var document: [String: V2JSON] = [
                "apiId": .string(id),
                "apiEndpoint": .string("\(scheme)://\(id).execute-api.\(environment.current.region).amazonaws.com"),
                "apiKeySelectionExpression": .string("$request.header.x-api-key"),
                "createdDate": now,
                "disableExecuteApiEndpoint": .bool(false),
                "ipAddressType": .string("ipv4"),
                "tags": .object([:]),
            ]
            if !webSocket { document["routeSelectionExpression"] = .string("$request.method $request.path") }
            return document
        case .route:
            var document: [String: V2JSON] = [
                "routeId": .string(id), "apiKeyRequired": .bool(false), "authorizationType": .string("NONE"),
            ]
            if !webSocket { document["apiGatewayManaged"] = .bool(false) }
            return document
        case .routeResponse:
            return ["routeResponseId": .string(id)]
        case .integration:
            return [
                "integrationId": .string(id), "connectionType": .string("INTERNET"),
                "timeoutInMillis": .number(webSocket ? 29000 : 30000),
            ]
        case .integrationResponse:
            return ["integrationResponseId": .string(id)]
        case .stage:
            let routeSettings: [String: V2JSON] =
                webSocket
                ? ["dataTraceEnabled": .bool(false), "detailedMetricsEnabled": .bool(false), "loggingLevel": .string("OFF")]
                : ["detailedMetricsEnabled": .bool(false)]
            return [
                "stageName": .string(id), "createdDate": now, "lastUpdatedDate": now, "defaultRouteSettings": .object(routeSettings),
                "routeSettings": .object([:]), "stageVariables": .object([:]), "tags": .object([:]),
            ]
        case .deployment:
            return ["deploymentId": .string(id), "createdDate": now, "deploymentStatus": .string("DEPLOYED"), "autoDeployed": .bool(false)]
        case .authorizer:
            return ["authorizerId": .string(id)]
        }
    }

    /// Checks a new or updated resource against AWS's rules and the API's other resources.
    func validate(_ resource: V2Resource, api: V2Resource) throws {
        let protocolType = api.string("protocolType") ?? ""
        let document = resource.document
        switch resource.kind {
        case .api:
            guard let name = document["name"]?.stringValue, !name.isEmpty, name.count <= 128 else {
                throw APIGatewayV2Error.badRequest("Invalid API name specified. Must be between 1 and 128 characters.")
            }
            guard let expression = document["routeSelectionExpression"]?.stringValue else {
                throw APIGatewayV2Error.badRequest("RouteSelectionExpression is required for WEBSOCKET APIs")
            }
            try V2Validation.routeSelectionExpression(expression, protocolType: protocolType)
        case .route:
            try V2Validation.routeKey(document["routeKey"]?.stringValue ?? "", protocolType: protocolType)
            try V2Validation.routeAuthorization(document, protocolType: protocolType) { id in
                store.get(.authorizer, apiId: api.apiId, id: id) != nil
            }
            if let target = document["target"]?.stringValue {
                guard target.hasPrefix("integrations/") else {
                    throw APIGatewayV2Error.badRequest("Invalid target specified: \(target). Must be of the form integrations/{integrationId}")
                }
                let integrationId = String(target.dropFirst("integrations/".count))
                guard store.get(.integration, apiId: api.apiId, id: integrationId) != nil else {
                    throw notFound(.integration, id: integrationId)
                }
            }
        case .integration:
            try V2Validation.integration(document, protocolType: protocolType)
        case .authorizer:
            try V2Validation.authorizer(document, protocolType: protocolType)
        case .stage:
            let name = document["stageName"]?.stringValue ?? ""
            guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_$".contains($0) }) else {
                throw APIGatewayV2Error.badRequest("Stage name only allows a-zA-Z0-9_- and $default")
            }
            if let deploymentId = document["deploymentId"]?.stringValue, store.get(.deployment, apiId: api.apiId, id: deploymentId) == nil {
                throw notFound(.deployment, id: deploymentId)
            }
        case .deployment:
            if let stageName = document["stageName"]?.stringValue, store.get(.stage, apiId: api.apiId, id: stageName) == nil {
                throw notFound(.stage, id: stageName)
            }
            if store.list(.route, apiId: api.apiId).isEmpty {
                throw APIGatewayV2Error.deploymentNeedsRoutes
            }
        case .routeResponse, .integrationResponse:
            let key = resource.kind == .routeResponse ? "routeResponseKey" : "integrationResponseKey"
            guard let value = document[key]?.stringValue, !value.isEmpty else {
                throw APIGatewayV2Error.badRequest("Invalid request body: missing required property '\(key)'")
            }
        }
    }

    /// The uniqueness rules: one route per route key, one stage per name, one response per key (a stage's name is
    /// its id: creating one that exists is a conflict, never a replacement).
    static func checkUnique(_ resource: V2Resource, siblings: [V2Resource], creating: Bool) throws {
        let field: String
        switch resource.kind {
        case .route: field = "routeKey"
        case .stage: field = "stageName"
        case .routeResponse: field = "routeResponseKey"
        case .integrationResponse: field = "integrationResponseKey"
        default: return
        }
        let value = resource.string(field)
        let clash = siblings.contains {
            $0.kind == resource.kind && $0.parentId == resource.parentId && (creating || $0.id != resource.id) && $0.string(field) == value
        }
        guard clash else { return }
        switch resource.kind {
        case .stage: throw APIGatewayV2Error.stageExists
        case .route: throw APIGatewayV2Error.routeKeyExists(value ?? "")
        default:
            throw APIGatewayV2Error.conflict(
                "The \(resource.kind.noun) key \(value ?? "") already exists for this \(resource.kind == .routeResponse ? "route" : "integration")"
            )
        }
    }

    func deployToStage(_ deployment: V2Resource) throws {
        guard let stageName = deployment.string("stageName"), var stage = store.get(.stage, apiId: deployment.apiId, id: stageName) else { return }
        stage.document["deploymentId"] = .string(deployment.id)
        stage.document["lastUpdatedDate"] = .string(nowText)
        try store.put(stage)
    }

    // MARK: Update

    func update(_ operation: APIGatewayV2Operation, body: [String: V2JSON]) throws -> V2Resource {
        var resource = try existing(operation)
        var input = try V2Validation.input(body, kind: operation.kind, creating: false)
        // Ids and the protocol are not updatable (UpdateApi has no ProtocolType; a stage's name is its id).
        input.removeValue(forKey: "protocolType")
        input.removeValue(forKey: operation.kind.idField)
        if operation.kind == .api, input["target"] != nil || input["routeKey"] != nil || input["credentialsArn"] != nil {
            throw APIGatewayV2Error.quickCreateNotSupported
        }
        resource.document.merge(input) { _, new in new }
        if operation.kind == .stage { resource.document["lastUpdatedDate"] = .string(nowText) }
        let api = operation.kind == .api ? resource : try self.api(operation.apiId)
        try validate(resource, api: api)
        let updated = resource
        try store.put(updated) { siblings in try Self.checkUnique(updated, siblings: siblings, creating: false) }
        // A stage switched to AutoDeploy deploys at once.
        let deploys = operation.kind == .stage && input["autoDeploy"]?.boolValue == true
        try changed(apiId: api.apiId, kind: operation.kind, stage: operation.kind == .stage ? (name: updated.id, deploys: deploys) : nil)
        return store.get(operation.kind, apiId: api.apiId, id: updated.id) ?? updated
    }

    // MARK: Delete

    func delete(_ operation: APIGatewayV2Operation) throws {
        let resource = try existing(operation)
        switch resource.kind {
        case .api:
            try store.remove { $0.apiId == resource.apiId }
        case .route, .integration:
            let responseKind: V2ResourceKind = resource.kind == .route ? .routeResponse : .integrationResponse
            try store.remove {
                $0.apiId == resource.apiId
                    && (($0.kind == resource.kind && $0.id == resource.id) || ($0.kind == responseKind && $0.parentId == resource.id))
            }
        default:
            try store.remove { $0.apiId == resource.apiId && $0.kind == resource.kind && $0.id == resource.id }
        }
        try changed(apiId: resource.apiId, kind: resource.kind)
    }

    // MARK: List

    func list(_ operation: APIGatewayV2Operation, request: AWSRequest) throws -> V2JSON {
        var items: [V2Resource]
        if operation.kind == .api {
            items = store.list(.api)
        } else {
            let api = try self.api(operation.apiId)
            let parent = try self.parent(of: operation, api: api)
            items = store.list(operation.kind, apiId: api.apiId, parentId: parent?.id ?? "")
        }
        var start = 0
        if let token = request.query("nextToken") {
            guard let offset = Int(token), offset >= 0, offset <= items.count else {
                throw APIGatewayV2Error.badRequest("Invalid pagination token specified")
            }
            start = offset
        }
        var limit = items.count
        if let text = request.query("maxResults") {
            guard let value = Int(text), value >= 1 else { throw APIGatewayV2Error.badRequest("Invalid maxResults specified: \(text)") }
            limit = min(value, items.count)
        }
        let end = min(items.count, start + limit)
        var output: [String: V2JSON] = ["items": .array(items[start..<end].map { .object($0.wireDocument) })]
        if end < items.count { output["nextToken"] = .string(String(end)) }
        return .object(output)
    }

    // MARK: Data plane

    /// Hands what an API's stages serve (``servedResources(of:)``: the snapshot of their deployment) to the data
    /// planes: WebSocket APIs to the WebSocket data plane, HTTP APIs to the execute-api one; served once a stage has
    /// a deployment, withdrawn when none has or the API is gone.
    /// - Parameter apiId: The API id.
    func syncDataPlane(apiId: String) {
        if let executeApi {
            // HTTP APIs are served by the execute-api data plane: without a deployed stage every request is
            // `404 {"message":"Not Found"}`, as API Gateway answers.
            if let api = store.get(.api, apiId: apiId, id: apiId), api.string("protocolType") == "HTTP" {
                executeApi.register(.http(V2TemplateView.httpSpec(api: api, children: servedResources(of: api))))
            } else {
                executeApi.unregister(apiId: apiId)
            }
        }
        guard let webSocket else { return }
        guard let api = store.get(.api, apiId: apiId, id: apiId), api.string("protocolType") == "WEBSOCKET" else {
            webSocket.unregister(apiId: apiId)
            return
        }
        let spec = V2TemplateView.spec(api: api, children: servedResources(of: api))
        if spec.stages.isEmpty {
            webSocket.unregister(apiId: apiId)
        } else {
            webSocket.register(spec)
        }
    }
}
