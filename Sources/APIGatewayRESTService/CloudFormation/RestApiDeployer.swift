import APIGatewayHTTP
import APIGatewayV2Service
import CloudFormation
import Foundation

/// Deploys the `AWS::ApiGateway::*` resources of a REST API (`RestApi`, `Resource`, `Method`, `Deployment`, `Stage`,
/// `Authorizer`, `Model`, `RequestValidator`, `GatewayResponse`, `ApiKey`, `UsagePlan`, `UsagePlanKey`) at runtime through the API Gateway v1 control plane's own
/// store, defaults and validation, so a deployed REST API is the same object as one created through `CreateRestApi`:
/// listed by `GetRestApis`, described by `GetResources`/`GetMethod`/`GetStages`..., and served at its local URL as
/// soon as a stage points at a deployment.
///
/// Ids are the ones the resolver computed (``RestApiProvider/identity(of:)``): the API id, its `RootResourceId`, and
/// the resource, deployment, authorizer, API key and usage plan ids `Ref`/`Fn::GetAtt` hand to the rest of the
/// template are the ids the control plane stores.
///
/// Supported properties: `RestApi` `Name`, `Description`, `Body` and `BodyS3Location` (an OpenAPI 2.0/3.0 document,
/// imported as `PutRestApi` with `mode=overwrite` imports it; `BodyS3Location` is read from the emulated S3),
/// `BinaryMediaTypes`, `EndpointConfiguration`, `ApiKeySourceType`, `Policy`, `MinimumCompressionSize`,
/// `DisableExecuteApiEndpoint`, `Tags`; `Method` with its `Integration` (and `IntegrationResponses`) and
/// `MethodResponses`; `Deployment` with `StageName` and `StageDescription` (`Description`, `Variables`, cache and
/// tracing flags); `Model` (`Ref` is its `Name`; a `Schema` object is stored as its JSON text); `GatewayResponse` (stored
/// under its `ResponseType`); every documented property of the other types that the control plane keeps. Refused (the
/// resource fails with a reason): `CloneFrom`.
package struct RestApiDeployer: ResourceDeployer {
    private let service: APIGatewayRESTService
    private let readObject: @Sendable (_ bucket: String, _ key: String, _ versionId: String?) async -> String?

    /// Creates the deployer of one control plane.
    /// - Parameters:
    ///   - service: The API Gateway REST control plane whose store holds the APIs.
    ///   - readObject: Reads an object of the emulated S3 as text (`BodyS3Location`); nil when it does not exist.
    package init(
        service: APIGatewayRESTService,
        readObject: @escaping @Sendable (_ bucket: String, _ key: String, _ versionId: String?) async -> String?
    ) {
        self.service = service
        self.readObject = readObject
    }

    /// The twelve `AWS::ApiGateway` types the REST API provider names.
    package var deployableTypes: Set<String> { RestApiProvider().resourceTypes }

    /// None: ids are derived from the stack and logical id, so a change of parent (`RestApiId`, `ResourceId`,
    /// `UsagePlanId`...) is deployed as a delete of the old item and a create of the new one with the same id.
    /// - Parameter type: The resource type.
    /// - Returns: An empty set.
    package func replacementProperties(of type: String) -> Set<String> { [] }

    /// Creates the resource with its resolved id.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with API Gateway's message.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let place = try Place(resource, stackName: stack.name)
        let body = try await openAPIBody(resource)
        try Self.deploying { try service.deployCreate(place, body: body) }
    }

    /// Brings the resource to the new properties (its id stays); members the new template drops return to AWS's
    /// defaults. A changed parent deletes the old item and creates the new one.
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` with API Gateway's message.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        let before = try Place(old, stackName: stack.name)
        let after = try Place(new, stackName: stack.name)
        if before.parentKey != after.parentKey {
            try Self.deploying { try service.deployDelete(before) }
            try await create(new, in: stack)
            return
        }
        let body = try await openAPIBody(new)
        try Self.deploying { try service.deployUpdate(from: before, to: after, body: body) }
    }

    /// Deletes the resource (one already gone, such as a method of a deleted API, is not an error).
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with API Gateway's message.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        let place = try Place(resource, stackName: stack.name)
        try Self.deploying { try service.deployDelete(place) }
    }

    private static func deploying(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as RestError {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// The OpenAPI document of a `RestApi` (`Body`, or `BodyS3Location` read from the emulated S3), as JSON or YAML
    /// text; nil for other types and plain APIs.
    private func openAPIBody(_ resource: StackResource) async throws -> String? {
        guard resource.type == RestApiProvider.restApiType else { return nil }
        if let body = Self.inlineBody(resource) { return body }
        return try await resource.bodyS3LocationText(readObject)
    }
}

extension RestApiDeployer {
    /// A `RestApi`'s inline `Body` as JSON or YAML text.
    static func inlineBody(_ resource: StackResource) -> String? {
        guard let body = resource.properties["Body"], body != .null else { return nil }
        return body.stringValue ?? body.jsonString
    }

    /// The order the start-up template's resources are created in: APIs, resources, authorizers, models, request
    /// validators, methods and gateway responses before any deployment (the template model served every method of an API whatever the template's `DependsOn`), then
    /// stages, API keys, usage plans and their keys; dependency order within each kind.
    static func templateOrder(_ resources: [StackResource]) -> [StackResource] {
        let ranks = [
            RestApiProvider.restApiType, RestApiProvider.resourceType, RestApiProvider.authorizerType, RestApiProvider.modelType,
            RestApiProvider.requestValidatorType, RestApiProvider.methodType, RestApiProvider.gatewayResponseType, RestApiProvider.deploymentType,
            RestApiProvider.stageType, RestApiProvider.apiKeyType, RestApiProvider.usagePlanType,
            RestApiProvider.usagePlanKeyType,
        ]
        return ranks.flatMap { type in resources.filter { $0.type == type } }
    }
}

// MARK: Where a resource lives

extension RestApiDeployer {
    /// One template resource as the control plane sees it: its kind, scope, id and request members.
    struct Place: Sendable {
        var kind: RestKind
        /// The REST API id ("" for API keys and usage plans).
        var apiId: String
        /// The resource id of a method; the parent resource id of a resource; the usage plan id of a usage plan key.
        var parentId: String
        /// The HTTP method of a method.
        var httpMethod: String = ""
        /// The id (the stage name of a stage, the key id of a usage plan key).
        var id: String
        /// The root resource id of a REST API.
        var rootId: String = ""
        /// The request members (`CreateRestApi`, `CreateResource`, `PutMethod`...).
        var input: [String: V2JSON]
        /// A method's responses and integration, each as its `Put*` members.
        var methodResponses: [(code: String, input: [String: V2JSON])] = []
        var integration: [String: V2JSON]?
        var integrationResponses: [(code: String, input: [String: V2JSON])] = []
        /// A deployment's `StageDescription`, as stage members.
        var stageSettings: [String: V2JSON] = [:]

        /// What a change of which deletes and creates the item again.
        var parentKey: [String] {
            switch kind {
            case .method: [apiId, parentId, httpMethod]
            case .usagePlanKey: [parentId, id]
            case .stage: [apiId, id]
            default: [apiId]
            }
        }

        /// - Parameters:
        ///   - resource: The resolved resource.
        ///   - stackName: Its stack's name (a usage plan without `UsagePlanName` gets a generated name).
        /// - Throws: ``ResourceDeploymentError`` for a missing parent id or an unknown type.
        init(_ resource: StackResource, stackName: String = "") throws {
            let properties = resource.properties.mapValue ?? TemplateMap()
            func required(_ name: String) throws -> String {
                try resource.requiredText(name)
            }
            let skipped: Set<String> = ["RestApiId", "ResourceId", "ParentId", "HttpMethod", "UsagePlanId", "Integration", "MethodResponses"]
            func members(_ kind: RestKind, _ source: TemplateMap = properties) -> [String: V2JSON] {
                RestApiDeployer.members(source, kind: kind, skipping: skipped)
            }
            id = resource.physicalId
            parentId = ""
            switch resource.type {
            case RestApiProvider.restApiType:
                kind = .restApi
                apiId = resource.physicalId
                rootId = resource.attributes["RootResourceId"] ?? ""
                input = members(.restApi)
            case RestApiProvider.resourceType:
                kind = .resource
                apiId = try required("RestApiId")
                parentId = try required("ParentId")
                input = members(.resource)
            case RestApiProvider.methodType:
                kind = .method
                apiId = try required("RestApiId")
                parentId = try required("ResourceId")
                httpMethod = try required("HttpMethod").uppercased()
                input = members(.method)
                if input["authorizationType"] == nil { input["authorizationType"] = .string("NONE") }
                for response in properties["MethodResponses"]?.listValue ?? [] {
                    let map = response.mapValue ?? TemplateMap()
                    methodResponses.append((map["StatusCode"]?.scalarText ?? "", members(.methodResponse, map)))
                }
                if let integration = properties["Integration"]?.mapValue {
                    self.integration = members(.integration, integration)
                    for response in integration["IntegrationResponses"]?.listValue ?? [] {
                        let map = response.mapValue ?? TemplateMap()
                        integrationResponses.append((map["StatusCode"]?.scalarText ?? "", members(.integrationResponse, map)))
                    }
                }
            case RestApiProvider.deploymentType:
                kind = .deployment
                apiId = try required("RestApiId")
                input = members(.deployment)
                input["stageDescription"] = nil
                if let settings = properties["StageDescription"]?.mapValue {
                    stageSettings = members(.stage, settings)
                    input["stageDescription"] = stageSettings["description"]
                    input["variables"] = stageSettings["variables"]
                }
            case RestApiProvider.stageType:
                kind = .stage
                apiId = try required("RestApiId")
                input = members(.stage)
                id = try required("StageName")
            case RestApiProvider.authorizerType:
                kind = .authorizer
                apiId = try required("RestApiId")
                input = members(.authorizer)
            case RestApiProvider.modelType:
                kind = .model
                apiId = try required("RestApiId")
                input = members(.model)
                input["name"] = .string(resource.physicalId)
            case RestApiProvider.requestValidatorType:
                kind = .requestValidator
                apiId = try required("RestApiId")
                input = members(.requestValidator)
            case RestApiProvider.gatewayResponseType:
                kind = .gatewayResponse
                apiId = try required("RestApiId")
                id = try required("ResponseType")
                input = members(.gatewayResponse)
            case RestApiProvider.apiKeyType:
                kind = .apiKey
                apiId = ""
                input = members(.apiKey)
                // CloudFormation generates a value for a key without one (the same one at every deploy here).
                if input["value"] == nil { input["value"] = .string(ApiKeyGrant.generatedValue(resource.physicalId)) }
                // Without a `Name`, CloudFormation names the key with a generated physical name.
                if input["name"] == nil {
                    input["name"] = .string(PhysicalNames.generatedName(stack: stackName, logicalId: resource.logicalId, maxLength: 1024))
                }
            case RestApiProvider.usagePlanType:
                kind = .usagePlan
                apiId = ""
                input = members(.usagePlan)
                if input["name"] == nil {
                    input["name"] = .string(PhysicalNames.generatedName(stack: stackName, logicalId: resource.logicalId, maxLength: 128))
                }
            case RestApiProvider.usagePlanKeyType:
                kind = .usagePlanKey
                apiId = ""
                parentId = try required("UsagePlanId")
                id = try required("KeyId")
                input = members(.usagePlanKey)
            default:
                throw ResourceDeploymentError("Unsupported resource type \(resource.type)")
            }
        }
    }

    // MARK: CloudFormation properties as request members

    /// CloudFormation property names whose API member has another name.
    static let renamed = ["IntegrationHttpMethod": "httpMethod", "ApiKeySourceType": "apiKeySource", "UsagePlanName": "name"]

    /// Maps whose keys are data (variable names, media types, parameter names): kept as written.
    static let dataMaps: Set<String> = [
        "Variables", "RequestTemplates", "ResponseTemplates", "RequestParameters", "ResponseParameters", "RequestModels",
        "ResponseModels", "StageVariableOverrides",
    ]

    /// The API member name of a property (`StageName` → `stageName`).
    static func memberName(_ property: String) -> String {
        renamed[property] ?? property.prefix(1).lowercased() + property.dropFirst()
    }

    /// The members `kind` takes, read from CloudFormation properties with their types (CloudFormation accepts `"true"`
    /// and `"29000"`; `Tags` lists become maps; a `Policy` object becomes its JSON text).
    static func members(_ properties: TemplateMap, kind: RestKind, skipping: Set<String>) -> [String: V2JSON] {
        let types = RestValidation.members(of: kind)
        var input: [String: V2JSON] = [:]
        for (key, value) in properties.entries where !skipping.contains(key) {
            let name = memberName(key)
            guard let type = types[name] else { continue }
            input[name] = json(value, as: type, property: key)
        }
        return input
    }

    static func json(_ value: TemplateValue, as type: JSONMemberType, property: String) -> V2JSON {
        switch type {
        case .string:
            if property == "Policy" || property == "Schema", value.mapValue != nil || value.listValue != nil { return .string(value.jsonString) }
            if let text = value.scalarText { return .string(text) }
        case .int:
            if let number = value.intValue { return .number(Double(number)) }
        case .bool:
            if let flag = value.boolValue { return .bool(flag) }
        case .stringList:
            if let items = value.listValue?.compactMap(\.scalarText), items.count == value.listValue?.count {
                return .array(items.map { .string($0) })
            }
        case .stringMap:
            if property == "Tags", let items = value.listValue {
                var tags: [String: V2JSON] = [:]
                for item in items {
                    if let key = item["Key"]?.scalarText, let text = item["Value"]?.scalarText { tags[key] = .string(text) }
                }
                return .object(tags)
            }
            if let map = value.mapValue {
                var result: [String: V2JSON] = [:]
                for (key, item) in map.entries { result[key] = item.scalarText.map { .string($0) } ?? plain(item) }
                return .object(result)
            }
        case .object where property == "RequestParameters" || property == "ResponseParameters":
            if let map = value.mapValue {
                var result: [String: V2JSON] = [:]
                for (key, item) in map.entries { result[key] = item.boolValue.map { .bool($0) } ?? plain(item) }
                return .object(result)
            }
        case .object, .list:
            return structured(value)
        }
        // A value of the wrong type: the control plane's type check reports it.
        return plain(value)
    }

    /// A nested structure with its member names as the API spells them (`EndpointConfiguration.Types` → `types`).
    static func structured(_ value: TemplateValue, property: String? = nil) -> V2JSON {
        switch value {
        case .map(let map):
            if let property, dataMaps.contains(property) { return plain(value) }
            var members: [String: V2JSON] = [:]
            for (key, item) in map.entries { members[memberName(key)] = structured(item, property: key) }
            return .object(members)
        case .list(let items):
            return .array(items.map { structured($0) })
        default:
            return plain(value)
        }
    }

    /// A template value as JSON, keys as written.
    static func plain(_ value: TemplateValue) -> V2JSON {
        switch value {
        case .string(let text): return .string(text)
        case .number(let text): return Double(text).map(V2JSON.number) ?? .string(text)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .list(let items): return .array(items.map(plain))
        case .map(let map):
            var members: [String: V2JSON] = [:]
            for (key, item) in map.entries { members[key] = plain(item) }
            return .object(members)
        }
    }
}

// MARK: The control plane's side

extension APIGatewayRESTService {
    /// Creates a template resource with its resolved id through the `Create*`/`Put*` code paths, then hands the
    /// API to the data plane.
    /// - Parameters:
    ///   - place: The resource.
    ///   - body: A REST API's OpenAPI document.
    /// - Throws: ``RestError``.
    func deployCreate(_ place: RestApiDeployer.Place, body: String?) throws {
        switch place.kind {
        case .restApi:
            try deployRestApi(place, body: body, creating: true)
        case .method:
            try deployMethod(place)
        case .deployment:
            _ = try write(RestOperation(action: .create, kind: .deployment, apiId: place.apiId), body: place.input, id: place.id)
            try applyStageSettings(place)
        case .usagePlanKey:
            _ = try write(RestOperation(action: .create, kind: .usagePlanKey, parentId: place.parentId), body: place.input)
        case .model:
            _ = try write(RestOperation(action: .create, kind: .model, apiId: place.apiId), body: place.input)
        case .gatewayResponse:
            _ = try write(RestOperation(action: .put, kind: .gatewayResponse, apiId: place.apiId, id: place.id), body: place.input)
        default:
            let operation = RestOperation(action: .create, kind: place.kind, apiId: place.apiId, parentId: place.parentId)
            _ = try write(operation, body: place.input, id: place.id)
        }
        syncDeployed(place)
    }

    /// Replaces a template resource's members with the new template's (ids and created dates kept).
    /// - Parameters:
    ///   - old: The resource as deployed.
    ///   - new: The resource as the new template resolves it (same parent).
    ///   - body: A REST API's OpenAPI document.
    /// - Throws: ``RestError`` (`NotFoundException` when the item is gone).
    func deployUpdate(from old: RestApiDeployer.Place, to new: RestApiDeployer.Place, body: String?) throws {
        switch new.kind {
        case .restApi:
            try deployRestApi(new, body: body, creating: false)
        case .resource:
            let operation = RestOperation(action: .update, kind: .resource, apiId: new.apiId, id: new.id)
            let patch: [(op: String, path: String, value: String?)] = [
                ("replace", "/parentId", new.parentId), ("replace", "/pathPart", new.input["pathPart"]?.stringValue ?? ""),
            ]
            _ = try updateResource(operation, operations: patch)
        case .method:
            try deployDelete(old)
            try deployMethod(new)
        case .deployment:
            var deployment = try item(.deployment, scope: new.apiId, id: new.id)
            deployment.document["description"] = new.input["description"]
            try store.put([deployment])
            try applyStageSettings(new, pointing: true)
        case .usagePlanKey:
            break
        case .model, .requestValidator:
            guard old.id == new.id else {
                // A new model name: the new model first (the template's methods name it next), then the old one unless
                // a method still names it.
                try deployCreate(new, body: nil)
                do { try deployDelete(old) } catch RestError.conflict { return }
                return
            }
            // Changed in place: the methods naming it keep naming it.
            var current = try item(new.kind, scope: new.apiId, id: new.id)
            let input = try RestValidation.input(new.input, kind: new.kind, action: .create)
            var document: [String: V2JSON]
            if new.kind == .model {
                try RestValidation.model(name: new.id, contentType: input["contentType"]?.stringValue ?? "", schema: input["schema"]?.stringValue)
                document = ["id": current.document["id"] ?? .string(V2Identifiers.make(length: 6))]
            } else {
                document = ["id": .string(new.id), "validateRequestBody": .bool(false), "validateRequestParameters": .bool(false)]
            }
            document.merge(input) { _, new in new }
            current.document = document
            try store.put([current])
        case .gatewayResponse:
            // Replaced under its response type.
            try deployDelete(old)
            try deployCreate(new, body: nil)
            return
        default:
            let input = try RestValidation.input(new.input, kind: new.kind, action: .create)
            let current = try item(new.kind, scope: new.kind == .stage || new.kind == .authorizer ? new.apiId : "", id: new.id)
            var document: [String: V2JSON]
            switch new.kind {
            case .stage:
                document = Self.newStage(new.id, deploymentId: "", created: current.document["createdDate"] ?? nowValue)
                document["lastUpdatedDate"] = nowValue
            case .authorizer:
                try RestValidation.authorizer(input)
                document = ["id": .string(new.id), "authorizerResultTtlInSeconds": .number(300)]
            case .apiKey:
                document = [
                    "id": .string(new.id), "enabled": .bool(false), "createdDate": current.document["createdDate"] ?? nowValue,
                    "lastUpdatedDate": nowValue, "stageKeys": .array([]), "value": current.document["value"] ?? .null,
                ]
            default:
                try checkApiStages(input["apiStages"])
                document = ["id": .string(new.id), "apiStages": .array([])]
            }
            document.merge(input) { _, new in new }
            if new.kind == .stage {
                guard store.get(.deployment, scope: new.apiId, id: document["deploymentId"]?.stringValue ?? "") != nil else {
                    throw Self.notFound(.deployment)
                }
            }
            if new.kind == .apiKey {
                guard let value = document["value"]?.stringValue, value.count >= 20 else {
                    throw RestError.badRequest("API Key value should be at least 20 characters")
                }
                document["stageKeys"] = .array(Self.stageKeys(input["stageKeys"]) ?? [])
                document["generateDistinctId"] = nil
            }
            try store.put([RestItem(kind: current.kind, scope: current.scope, id: current.id, document: document)])
        }
        syncDeployed(new)
    }

    /// Deletes a template resource through `Delete*`; one already gone is not an error. A deployment that named a
    /// `StageName` takes the stage it created with it.
    /// - Parameter place: The resource.
    /// - Throws: ``RestError`` other than `NotFoundException`.
    func deployDelete(_ place: RestApiDeployer.Place) throws {
        var operation = RestOperation(action: .delete, kind: place.kind, apiId: place.apiId, parentId: place.parentId, id: place.id)
        switch place.kind {
        case .restApi: operation.apiId = place.id
        case .method: operation.httpMethod = place.httpMethod
        case .deployment:
            if let stageName = place.input["stageName"]?.stringValue,
                store.get(.stage, scope: place.apiId, id: stageName)?.document["deploymentId"]?.stringValue == place.id
            {
                try ignoringMissing { try delete(RestOperation(action: .delete, kind: .stage, apiId: place.apiId, id: stageName)) }
            }
        default: break
        }
        try ignoringMissing { try delete(operation) }
        syncDeployed(place)
    }

    private func ignoringMissing(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as RestError {
            if case .notFound = error { return }
            throw error
        }
    }

    /// Creates or changes a REST API; a `Body` is imported into it as `PutRestApi` (`mode=overwrite`) imports it.
    private func deployRestApi(_ place: RestApiDeployer.Place, body: String?, creating: Bool) throws {
        var input = place.input
        if let body {
            if input["name"] == nil {
                let title = (try? TemplateLoader.parseValue(body, fileName: "body"))?["info"]?["title"]?.stringValue
                input["name"] = title.map { .string($0) }
            }
        }
        input = try RestValidation.input(input, kind: .restApi, action: .create)
        if input["cloneFrom"] != nil { throw RestError.badRequest("cloneFrom is not supported by synapscribe-local") }
        if creating {
            _ = try createRestApi(input, ids: (place.id, place.rootId))
        } else {
            let current = try restApi(place.id)
            var api = newRestApi(input, id: (place.id, current.document["rootResourceId"]?.stringValue ?? place.rootId)).api
            api.document["createdDate"] = current.document["createdDate"]
            try store.put([api])
        }
        guard let body else { return }
        do {
            _ = try importRestApi(Data(body.utf8), apiId: place.id, mode: "overwrite")
        } catch {
            if creating { try? delete(RestOperation(action: .delete, kind: .restApi, apiId: place.id, id: place.id)) }
            throw error
        }
        // The document's title does not rename an API whose template names it.
        if let name = input["name"], var api = store.get(.restApi, id: place.id), api.document["name"] != name {
            api.document["name"] = name
            try store.put([api])
        }
    }

    /// `PutMethod`, then `PutMethodResponse`, `PutIntegration` and `PutIntegrationResponse` for its parts; a failing
    /// part leaves no method behind.
    private func deployMethod(_ place: RestApiDeployer.Place) throws {
        let method = RestOperation(action: .put, kind: .method, apiId: place.apiId, parentId: place.parentId, httpMethod: place.httpMethod)
        _ = try write(method, body: place.input)
        do {
            for response in place.methodResponses {
                var operation = method
                operation.kind = .methodResponse
                operation.id = response.code
                _ = try write(operation, body: response.input)
            }
            if let integration = place.integration {
                var operation = method
                operation.kind = .integration
                _ = try write(operation, body: integration)
                for response in place.integrationResponses {
                    operation.kind = .integrationResponse
                    operation.id = response.code
                    _ = try write(operation, body: response.input)
                }
            }
        } catch {
            try? delete(RestOperation(action: .delete, kind: .method, apiId: place.apiId, parentId: place.parentId, httpMethod: place.httpMethod))
            throw error
        }
    }

    /// A deployment's `StageDescription` applied to the stage its `StageName` names (created by the deployment, or
    /// pointed at it on an update).
    private func applyStageSettings(_ place: RestApiDeployer.Place, pointing: Bool = false) throws {
        guard let stageName = place.input["stageName"]?.stringValue else { return }
        let created = Self.newStage(stageName, deploymentId: place.id, created: nowValue)
        var stage =
            store.get(.stage, scope: place.apiId, id: stageName) ?? RestItem(kind: .stage, scope: place.apiId, id: stageName, document: created)
        let settings = place.stageSettings.filter { ["cacheClusterEnabled", "cacheClusterSize", "tracingEnabled", "tags"].contains($0.key) }
        stage.document.merge(settings) { _, new in new }
        if pointing {
            stage.document["deploymentId"] = .string(place.id)
            stage.document["description"] = place.input["stageDescription"]
            stage.document["variables"] = place.input["variables"]
            stage.document["lastUpdatedDate"] = nowValue
        }
        try store.put([stage])
    }

    /// Deploys the start-up template's REST API resources into the store with the template's ids (items an earlier
    /// run deployed from them replaced), records them as what `POST /_local/reset` brings back, and serves them.
    /// - Parameters:
    ///   - resources: The template's `AWS::ApiGateway::*` resources, in dependency order.
    ///   - stackName: The start-up stack's name.
    /// - Returns: One line per resource the control plane refused (that resource is not deployed).
    package func deployTemplate(_ resources: [StackResource], stackName: String) -> [String] {
        let places = RestApiDeployer.templateOrder(resources).compactMap { resource in
            (try? RestApiDeployer.Place(resource, stackName: stackName)).map { (resource, $0) }
        }
        let ids = Set(places.map(\.1.id))
        let apiIds = Set(places.filter { $0.1.kind == .restApi }.map(\.1.id))
        func isTemplate(_ item: RestItem) -> Bool {
            switch item.kind {
            case .restApi: apiIds.contains(item.id)
            case .apiKey, .usagePlan: ids.contains(item.id)
            case .usagePlanKey: ids.contains(item.scope)
            default: apiIds.contains(item.scope)
            }
        }
        var failures: [String] = []
        do {
            try store.remove(where: isTemplate)
        } catch {
            failures.append("the earlier run's items could not be replaced: \(error)")
        }
        for (resource, place) in places {
            do {
                try deployCreate(place, body: RestApiDeployer.inlineBody(resource))
            } catch let error as RestError {
                failures.append("\(resource.logicalId) (\(resource.type)): \(error.message)")
            } catch {
                failures.append("\(resource.logicalId) (\(resource.type)): \(error)")
            }
        }
        store.markBaseline(where: isTemplate)
        // What an earlier run served under these ids is replaced (or, for a refused API, no longer served).
        for apiId in apiIds.sorted() { syncDataPlane(apiId) }
        return failures
    }

    /// Hands what a deployed resource changed to the data plane (API keys and usage plans apply across APIs).
    private func syncDeployed(_ place: RestApiDeployer.Place) {
        switch place.kind {
        case .restApi: syncDataPlane(place.id)
        case .apiKey, .usagePlan, .usagePlanKey: syncAll()
        default: syncDataPlane(place.apiId)
        }
    }
}
