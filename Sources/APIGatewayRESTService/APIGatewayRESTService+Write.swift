import APIGatewayV2Service
import Foundation

extension APIGatewayRESTService {
    // MARK: Create and Put

    /// Creates (or, for `Put*`, replaces) the item an operation names.
    /// - Parameters:
    ///   - operation: The operation.
    ///   - body: The request members.
    ///   - id: The new item's id (CloudFormation's physical id), nil for a generated one.
    /// - Returns: The new document.
    /// - Throws: ``RestError``, or database errors.
    func write(_ operation: RestOperation, body: [String: V2JSON], id: String? = nil) throws -> [String: V2JSON] {
        let input = try RestValidation.input(body, kind: operation.kind, action: operation.action)
        switch operation.kind {
        case .restApi: return try createRestApi(input)
        case .resource: return try createResource(operation, input: input, id: id)
        case .method, .methodResponse, .integration, .integrationResponse: return try putPart(operation, input: input)
        case .deployment: return try createDeployment(operation.apiId, input: input, id: id)
        case .stage: return try createStage(operation.apiId, input: input)
        case .authorizer:
            _ = try restApi(operation.apiId)
            try RestValidation.authorizer(input)
            var document: [String: V2JSON] = ["id": .string(id ?? V2Identifiers.make(length: 6)), "authorizerResultTtlInSeconds": .number(300)]
            document.merge(input) { _, new in new }
            try store.put([RestItem(kind: .authorizer, scope: operation.apiId, id: document["id"]?.stringValue ?? "", document: document)])
            syncDataPlane(operation.apiId)
            return document
        case .apiKey: return try createApiKey(input, id: id)
        case .usagePlan:
            try checkApiStages(input["apiStages"])
            var document: [String: V2JSON] = ["id": .string(id ?? V2Identifiers.make(length: 6)), "apiStages": .array([])]
            document.merge(input) { _, new in new }
            try store.put([RestItem(kind: .usagePlan, scope: "", id: document["id"]?.stringValue ?? "", document: document)])
            syncAll()
            return document
        case .usagePlanKey: return try createUsagePlanKey(operation.parentId, input: input)
        case .model: return try createModel(operation.apiId, input: input, id: id)
        case .requestValidator: return try createRequestValidator(operation.apiId, input: input, id: id)
        case .gatewayResponse: return try putGatewayResponse(operation.apiId, type: operation.id, input: input)
        }
    }

    func createRestApi(_ input: [String: V2JSON], ids: (api: String, root: String)? = nil) throws -> [String: V2JSON] {
        if input["cloneFrom"] != nil { throw RestError.badRequest("cloneFrom is not supported by synapscribe-local") }
        let (api, root) = newRestApi(input, id: ids)
        try store.put([api, root] + Self.defaultModels(apiId: api.id)) { all in
            if ids != nil, all.contains(where: { $0.kind == .restApi && $0.id == api.id }) {
                throw RestError.conflict("RestApi \(api.id) already exists")
            }
        }
        return api.document
    }

    /// A new API and its root resource, not stored yet.
    /// - Parameters:
    ///   - input: The API's members.
    ///   - id: The API id and root resource id (CloudFormation's `RestApiId` and `RootResourceId`), nil for generated ones.
    /// - Returns: The API and its root resource.
    func newRestApi(_ input: [String: V2JSON], id: (api: String, root: String)? = nil) -> (api: RestItem, root: RestItem) {
        let (id, rootId) = id ?? (V2Identifiers.make(length: 10), V2Identifiers.make(length: 10))
        var document: [String: V2JSON] = [
            "id": .string(id), "createdDate": nowValue, "apiKeySource": .string("HEADER"),
            "endpointConfiguration": .object(["types": .array([.string("EDGE")]), "ipAddressType": .string("ipv4")]),
            "disableExecuteApiEndpoint": .bool(false), "rootResourceId": .string(rootId),
        ]
        document.merge(input) { _, new in new }
        return (
            RestItem(kind: .restApi, scope: "", id: id, document: document),
            RestItem(kind: .resource, scope: id, id: rootId, document: ["id": .string(rootId), "path": .string("/")])
        )
    }

    func createResource(_ operation: RestOperation, input: [String: V2JSON], id: String? = nil) throws -> [String: V2JSON] {
        let parent = try resource(operation.apiId, operation.parentId)
        let pathPart = input["pathPart"]?.stringValue ?? ""
        try RestValidation.pathPart(pathPart)
        let id = id ?? V2Identifiers.make(length: 6)
        let document: [String: V2JSON] = [
            "id": .string(id), "parentId": .string(parent.id), "pathPart": .string(pathPart),
            "path": .string(Self.childPath(parent: parent.document["path"]?.stringValue ?? "/", part: pathPart)),
        ]
        try store.put([RestItem(kind: .resource, scope: operation.apiId, id: id, document: document)]) { all in
            try RestValidation.checkSiblings(
                parent: parent,
                pathPart: pathPart,
                exceptId: id,
                resources: all.filter { $0.kind == .resource && $0.scope == operation.apiId }
            )
        }
        return document
    }

    static func childPath(parent: String, part: String) -> String { parent == "/" ? "/" + part : parent + "/" + part }

    func putPart(_ operation: RestOperation, input: [String: V2JSON]) throws -> [String: V2JSON] {
        var resource = try self.resource(operation.apiId, operation.parentId)
        let path = Self.partPath(operation)
        var document: [String: V2JSON]
        switch operation.kind {
        case .method:
            try RestValidation.httpMethod(operation.httpMethod)
            guard Self.value(at: path, in: resource.document) == nil else {
                throw RestError.conflict("Method already exists for this resource")
            }
            document = ["httpMethod": .string(operation.httpMethod), "apiKeyRequired": .bool(false)]
            document.merge(input) { _, new in new }
            try checkAuthorization(document, apiId: operation.apiId)
            try checkRequestValidation(document, apiId: operation.apiId)
        case .methodResponse:
            guard Self.value(at: Array(path.prefix(2)), in: resource.document) != nil else { throw Self.notFound(.method) }
            try RestValidation.statusCode(operation.id)
            document = ["statusCode": .string(operation.id)]
            document.merge(input) { _, new in new }
        case .integration:
            guard Self.value(at: Array(path.prefix(2)), in: resource.document) != nil else { throw Self.notFound(.method) }
            try RestValidation.integration(input)
            document = [
                "connectionType": .string("INTERNET"), "passthroughBehavior": .string("WHEN_NO_MATCH"),
                "timeoutInMillis": .number(29000), "cacheNamespace": .string(resource.id), "cacheKeyParameters": .array([]),
            ]
            document.merge(input) { _, new in new }
        default:
            guard Self.value(at: Array(path.prefix(3)), in: resource.document) != nil else {
                throw Self.value(at: Array(path.prefix(2)), in: resource.document) == nil ? Self.notFound(.method) : Self.notFound(.integration)
            }
            try RestValidation.statusCode(operation.id)
            document = ["statusCode": .string(operation.id)]
            document.merge(input) { _, new in new }
        }
        resource.document = Self.setting(document, at: path, in: resource.document)
        try store.put([resource])
        return document
    }

    func checkAuthorization(_ method: [String: V2JSON], apiId: String) throws(RestError) {
        let type = method["authorizationType"]?.stringValue ?? "NONE"
        guard ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"].contains(type) else {
            throw .badRequest(
                "1 validation error detected: Value '\(type)' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS]"
            )
        }
        if type == "CUSTOM" || type == "COGNITO_USER_POOLS" {
            guard let id = method["authorizerId"]?.stringValue, store.get(.authorizer, scope: apiId, id: id) != nil else {
                throw RestError.invalidAuthorizerId
            }
        }
    }

    func createDeployment(_ apiId: String, input: [String: V2JSON], id: String? = nil) throws -> [String: V2JSON] {
        _ = try restApi(apiId)
        let resources = store.list(.resource, scope: apiId)
        let methods = resources.flatMap { resource in (resource.document["resourceMethods"]?.objectValue ?? [:]).values }
        guard !methods.isEmpty else { throw RestError.badRequest("The REST API doesn't contain any methods") }
        guard methods.allSatisfy({ $0.objectValue?["methodIntegration"] != nil }) else {
            throw RestError.badRequest("No integration defined for method")
        }
        let id = id ?? V2Identifiers.make(length: 6)
        var document: [String: V2JSON] = [
            "id": .string(id), "createdDate": nowValue,
            "_snapshot": .array(resources.map { .object($0.document) }),
            // Models, request validators and gateway responses take effect when deployed, as the resources do.
            "_models": .array(store.list(.model, scope: apiId).map { .object($0.document) }),
            "_requestValidators": .array(store.list(.requestValidator, scope: apiId).map { .object($0.document) }),
            "_gatewayResponses": .array(store.list(.gatewayResponse, scope: apiId).map { .object($0.document) }),
        ]
        if let description = input["description"] { document["description"] = description }
        var changed = [RestItem(kind: .deployment, scope: apiId, id: id, document: document)]
        if let stageName = input["stageName"]?.stringValue {
            try RestValidation.stageName(stageName)
            var stage =
                store.get(.stage, scope: apiId, id: stageName)?.document ?? Self.newStage(stageName, deploymentId: id, created: nowValue)
            stage["deploymentId"] = .string(id)
            stage["lastUpdatedDate"] = nowValue
            if let description = input["stageDescription"] { stage["description"] = description }
            if let variables = input["variables"] { stage["variables"] = variables }
            changed.append(RestItem(kind: .stage, scope: apiId, id: stageName, document: stage))
        }
        try store.put(changed)
        syncDataPlane(apiId)
        return document
    }

    static func newStage(_ name: String, deploymentId: String, created: V2JSON) -> [String: V2JSON] {
        [
            "stageName": .string(name), "deploymentId": .string(deploymentId), "cacheClusterEnabled": .bool(false),
            "cacheClusterStatus": .string("NOT_AVAILABLE"), "tracingEnabled": .bool(false), "methodSettings": .object([:]),
            "createdDate": created, "lastUpdatedDate": created,
        ]
    }

    func createStage(_ apiId: String, input: [String: V2JSON]) throws -> [String: V2JSON] {
        _ = try restApi(apiId)
        let name = input["stageName"]?.stringValue ?? ""
        try RestValidation.stageName(name)
        let deploymentId = input["deploymentId"]?.stringValue ?? ""
        guard store.get(.deployment, scope: apiId, id: deploymentId) != nil else { throw Self.notFound(.deployment) }
        var document = Self.newStage(name, deploymentId: deploymentId, created: nowValue)
        document.merge(input) { _, new in new }
        try store.put([RestItem(kind: .stage, scope: apiId, id: name, document: document)]) { all in
            if all.contains(where: { $0.kind == .stage && $0.scope == apiId && $0.id == name }) { throw RestError.stageExists }
        }
        syncDataPlane(apiId)
        return document
    }

    func createApiKey(_ input: [String: V2JSON], id: String? = nil) throws -> [String: V2JSON] {
        let value = input["value"]?.stringValue ?? V2Identifiers.make(length: 40)
        guard value.count >= 20 else { throw RestError.badRequest("API Key value should be at least 20 characters") }
        let id = id ?? V2Identifiers.make(length: 10)
        var document: [String: V2JSON] = [
            "id": .string(id), "enabled": .bool(false), "createdDate": nowValue, "lastUpdatedDate": nowValue, "stageKeys": .array([]),
        ]
        document.merge(input) { _, new in new }
        document["value"] = .string(value)
        if let keys = Self.stageKeys(input["stageKeys"]) { document["stageKeys"] = .array(keys) }
        document["generateDistinctId"] = nil
        try store.put([RestItem(kind: .apiKey, scope: "", id: id, document: document)])
        return document
    }

    func checkApiStages(_ stages: V2JSON?) throws(RestError) {
        guard case .array(let items) = stages else { return }
        for item in items {
            guard let object = item.objectValue, let apiId = object["apiId"]?.stringValue, let stage = object["stage"]?.stringValue else {
                throw .badRequest("Invalid API Stage specified")
            }
            _ = try restApi(apiId)
            guard store.get(.stage, scope: apiId, id: stage) != nil else { throw Self.notFound(.stage) }
        }
    }

    func createUsagePlanKey(_ planId: String, input: [String: V2JSON]) throws -> [String: V2JSON] {
        guard store.get(.usagePlan, id: planId) != nil else { throw Self.notFound(.usagePlan) }
        guard input["keyType"]?.stringValue == "API_KEY" else {
            throw RestError.badRequest("Invalid key type specified. The only valid type is API_KEY")
        }
        let keyId = input["keyId"]?.stringValue ?? ""
        guard let key = store.get(.apiKey, id: keyId) else { throw Self.notFound(.apiKey) }
        let document: [String: V2JSON] = ["id": .string(keyId), "type": .string("API_KEY")]
        try store.put([RestItem(kind: .usagePlanKey, scope: planId, id: keyId, document: document)]) { all in
            if all.contains(where: { $0.kind == .usagePlanKey && $0.scope == planId && $0.id == keyId }) {
                throw RestError.conflict("Usage Plan \(planId) already contains API Key \(keyId)")
            }
        }
        syncAll()
        return Self.planKey(document, key: key.document)
    }

    /// A usage plan key as AWS answers it: with the key's current name and value.
    static func planKey(_ document: [String: V2JSON], key: [String: V2JSON]?) -> [String: V2JSON] {
        var document = document
        document["name"] = key?["name"]
        document["value"] = key?["value"]
        return document
    }

    /// An API key's `stageKeys` as AWS answers them (`{restApiId}/{stageName}`).
    static func stageKeys(_ value: V2JSON?) -> [V2JSON]? {
        guard case .array(let keys) = value else { return nil }
        return keys.compactMap { key in
            guard let object = key.objectValue, let api = object["restApiId"]?.stringValue, let stage = object["stageName"]?.stringValue
            else { return nil }
            return .string("\(api)/\(stage)")
        }
    }
}
