import CloudFormation
import Foundation

/// Deploys the `AWS::ApiGatewayV2::*` resources (`Api`, `Route`, `Integration`, `RouteResponse`,
/// `IntegrationResponse`, `Stage`, `Deployment`, `Authorizer`) at runtime through the API Gateway v2 control plane's
/// own store, defaults and validation, so a deployed API is the same object as one created through `CreateApi`:
/// listed by `GetApis`, and a WebSocket API with a stage is served at once.
///
/// Ids are the ones the resolver computed (`WebSocketApiProvider.identity(of:)`): the API, route and integration
/// ids `Ref` returned to the rest of the template are the ids the control plane stores.
///
/// An HTTP API with an OpenAPI `Body` (inline, or a JSON string) or `BodyS3Location` (`Bucket`, `Key`, `Version`, read
/// from the emulated S3) is created through `ImportApi`'s path (`BasePath`, `FailOnWarnings` as its `basepath` and
/// `failOnWarnings`; `Name`, `Description`, `CorsConfiguration`... set after the definition's); an update
/// reimports it. SAM's `AWS::Serverless::HttpApi` arrives this way.
package struct APIGatewayV2Deployer: ResourceDeployer {
    private let service: APIGatewayV2Service
    private let readObject: @Sendable (_ bucket: String, _ key: String, _ versionId: String?) async -> String?

    /// Creates the deployer of one control plane.
    /// - Parameters:
    ///   - service: The API Gateway v2 service whose store holds the APIs.
    ///   - readObject: Reads an object's text from the emulated S3 (`BodyS3Location`); nil when it does not exist.
    package init(
        service: APIGatewayV2Service,
        readObject: @escaping @Sendable (_ bucket: String, _ key: String, _ versionId: String?) async -> String? = { _, _, _ in nil }
    ) {
        self.service = service
        self.readObject = readObject
    }

    /// The resource kind of each deployable type.
    static let kinds: [String: V2ResourceKind] = [
        "AWS::ApiGatewayV2::Api": .api, "AWS::ApiGatewayV2::Route": .route, "AWS::ApiGatewayV2::Integration": .integration,
        "AWS::ApiGatewayV2::RouteResponse": .routeResponse, "AWS::ApiGatewayV2::IntegrationResponse": .integrationResponse,
        "AWS::ApiGatewayV2::Stage": .stage, "AWS::ApiGatewayV2::Deployment": .deployment, "AWS::ApiGatewayV2::Authorizer": .authorizer,
    ]

    /// The eight API Gateway v2 types.
    package var deployableTypes: Set<String> { Set(Self.kinds.keys) }

    /// The properties the CloudFormation resource reference marks "Replacement": the parent ids everywhere,
    /// an API's `ProtocolType` and a stage's `StageName`.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { Self.replacement(of: type) }

    static func replacement(of type: String) -> Set<String> {
        switch kinds[type] {
        case .api: ["ProtocolType"]
        case .stage: ["ApiId", "StageName"]
        case .routeResponse: ["ApiId", "RouteId"]
        case .integrationResponse: ["ApiId", "IntegrationId"]
        default: ["ApiId"]
        }
    }

    /// Creates the resource with its resolved id.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with API Gateway's message.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let place = try Self.place(resource)
        if let definition = try await definition(of: resource) {
            try Self.deploying { try service.deployImport(apiId: place.id, definition: definition, input: place.input, creating: true) }
            return
        }
        try Self.deploying { try service.deployCreate(place.kind, apiId: place.apiId, parentId: place.parentId, id: place.id, input: place.input) }
    }

    /// Brings the resource to the new properties (its id stays); members the new template drops return to AWS's
    /// defaults.
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` with API Gateway's message.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        let place = try Self.place(new)
        if let definition = try await definition(of: new) {
            try Self.deploying { try service.deployImport(apiId: place.id, definition: definition, input: place.input, creating: false) }
            return
        }
        try Self.deploying { try service.deployUpdate(place.kind, apiId: place.apiId, parentId: place.parentId, id: place.id, input: place.input) }
    }

    /// Deletes the resource (one already gone, such as a route of a deleted API, is not an error).
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with API Gateway's message.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        let place = try Self.place(resource)
        try Self.deploying { try service.deployDelete(place.kind, apiId: place.apiId, parentId: place.parentId, id: place.id) }
    }

    private static func deploying(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as APIGatewayV2Error {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// An API's OpenAPI definition with its import options.
    struct Definition {
        var document: TemplateValue
        var basePath: String?
        var failOnWarnings: Bool
    }

    /// The definition of an `Api` with `Body` or `BodyS3Location` (nil for every other resource).
    /// - Throws: ``ResourceDeploymentError`` when the definition cannot be read.
    private func definition(of resource: StackResource) async throws -> Definition? {
        guard Self.kinds[resource.type] == .api else { return nil }
        let properties = resource.properties.mapValue ?? TemplateMap()
        var document: TemplateValue
        if let body = properties["Body"] {
            document = body
        } else if let text = try await resource.bodyS3LocationText(readObject) {
            document = .string(text)
        } else {
            return nil
        }
        if case .string(let text) = document {
            do {
                document = try TemplateLoader.parseValue(text, fileName: "Body")
            } catch {
                throw ResourceDeploymentError(APIGatewayV2Error.invalidDefinition(error.message).message)
            }
        }
        return Definition(
            document: document,
            basePath: properties["BasePath"]?.scalarText,
            failOnWarnings: properties["FailOnWarnings"]?.boolValue ?? false
        )
    }

    /// Where a resource lives and its request members.
    struct Place {
        var kind: V2ResourceKind
        var apiId: String
        var parentId: String
        var id: String
        var input: [String: V2JSON]
    }

    static func place(_ resource: StackResource) throws -> Place {
        guard let kind = kinds[resource.type] else { throw ResourceDeploymentError("Unsupported resource type \(resource.type)") }
        let properties = resource.properties.mapValue ?? TemplateMap()
        func text(_ name: String) throws -> String {
            try resource.requiredText(name)
        }
        let apiId = try kind == .api ? resource.physicalId : text("ApiId")
        var parentId = ""
        if kind == .routeResponse { parentId = try text("RouteId") }
        if kind == .integrationResponse { parentId = try text("IntegrationId") }
        let members = V2Validation.members(of: kind)
        var input: [String: V2JSON] = [:]
        for (key, value) in properties.entries where !["ApiId", "RouteId", "IntegrationId"].contains(key) {
            let name = key.prefix(1).lowercased() + key.dropFirst()
            guard let type = members[name] else { continue }
            input[name] = json(value, as: type)
        }
        return Place(kind: kind, apiId: apiId, parentId: parentId, id: resource.physicalId, input: input)
    }

    /// A template value as the member's JSON type: CloudFormation accepts `"29000"` and `"true"` for numbers and
    /// booleans, and spells nested object members in Pascal case (`JwtConfiguration.Audience`).
    static func json(_ value: TemplateValue, as type: V2Validation.MemberType) -> V2JSON {
        switch type {
        case .int: if let number = value.doubleValue { return .number(number) }
        case .bool: if let flag = value.boolValue { return .bool(flag) }
        case .object: return json(value, camelCase: true)
        case .string, .stringList, .stringMap, .list: break
        }
        return json(value, camelCase: false)
    }

    static func json(_ value: TemplateValue, camelCase: Bool) -> V2JSON {
        switch value {
        case .string(let text): return .string(text)
        case .number(let text): return Double(text).map(V2JSON.number) ?? .string(text)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .list(let items): return .array(items.map { json($0, camelCase: camelCase) })
        case .map(let map):
            var members: [String: V2JSON] = [:]
            for (key, item) in map.entries {
                members[camelCase ? key.prefix(1).lowercased() + key.dropFirst() : key] = json(item, camelCase: camelCase)
            }
            return .object(members)
        }
    }
}

extension APIGatewayV2Service {
    /// Creates (or reimports) an HTTP API from its template's OpenAPI definition, with the template's other members
    /// set after the definition's.
    /// - Parameters:
    ///   - apiId: The API id.
    ///   - definition: The definition and its import options.
    ///   - input: The template's other members (`name`, `description`, `corsConfiguration`...).
    ///   - creating: Whether the API is new (an id in use is a conflict) or is reimported (it must exist).
    /// - Throws: ``APIGatewayV2Error``.
    func deployImport(apiId: String, definition: APIGatewayV2Deployer.Definition, input: [String: V2JSON], creating: Bool) throws {
        if creating {
            guard store.get(.api, apiId: apiId, id: apiId) == nil else { throw APIGatewayV2Error.conflict("Api \(apiId) already exists") }
        } else {
            _ = try api(apiId)
        }
        var overrides = try V2Validation.input(input, kind: .api, creating: false)
        if let protocolType = overrides["protocolType"]?.stringValue, protocolType != "HTTP" {
            throw APIGatewayV2Error.badRequest("Body and BodyS3Location are supported only for HTTP APIs.")
        }
        for member in ["protocolType", "target", "routeKey", "credentialsArn"] { overrides[member] = nil }
        _ = try importDefinition(
            definition.document,
            apiId: apiId,
            basePath: definition.basePath,
            failOnWarnings: definition.failOnWarnings,
            overrides: overrides
        )
    }

    /// Creates a resource with a given id (the CloudFormation deployer's path): `Create*`'s validation, defaults,
    /// uniqueness checks and data-plane hand-over.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - apiId: The API id (the new id for an API).
    ///   - parentId: The route or integration id of a response, else "".
    ///   - id: The id (the stage name for a stage).
    ///   - body: The request members.
    /// - Throws: ``APIGatewayV2Error``.
    func deployCreate(_ kind: V2ResourceKind, apiId: String, parentId: String, id: String, input body: [String: V2JSON]) throws {
        var input = try V2Validation.input(body, kind: kind, creating: true)
        if kind == .api {
            let protocolType = input["protocolType"]?.stringValue ?? ""
            try V2Validation.protocolType(protocolType)
            if input["target"] != nil || input["routeKey"] != nil || input["credentialsArn"] != nil {
                throw APIGatewayV2Error.quickCreateNotSupported
            }
            guard store.get(.api, apiId: id, id: id) == nil else { throw APIGatewayV2Error.conflict("Api \(id) already exists") }
            var document = defaults(.api, protocolType: protocolType, id: id)
            document.merge(input) { _, new in new }
            let resource = V2Resource(kind: .api, apiId: id, id: id, document: document)
            try validate(resource, api: resource)
            try store.put(resource)
            try changed(apiId: id, kind: .api)
            return
        }
        let api = try self.api(apiId)
        let operation = APIGatewayV2Operation(action: .create, kind: kind, apiId: apiId, parentId: parentId)
        _ = try parent(of: operation, api: api)
        if kind == .stage { input["stageName"] = .string(id) }
        if store.get(kind, apiId: apiId, id: id) != nil, kind != .stage {
            throw APIGatewayV2Error.conflict("\(kind.noun) \(id) already exists")
        }
        var document = defaults(kind, protocolType: api.string("protocolType") ?? "", id: id)
        document.merge(input) { _, new in new }
        var resource = V2Resource(kind: kind, apiId: apiId, parentId: parentId, id: id, document: document, fromTemplate: api.fromTemplate)
        try validate(resource, api: api)
        if kind == .deployment { resource = snapshotted(resource) }
        let created = resource
        try store.put(created) { siblings in try Self.checkUnique(created, siblings: siblings, creating: true) }
        if kind == .deployment { try deployToStage(created) }
        try changed(apiId: apiId, kind: kind, stage: kind == .stage ? (name: id, deploys: true) : nil)
    }

    /// Replaces a resource's members with a template's (ids, created dates and the stage's deployment kept).
    /// - Parameters:
    ///   - kind: The kind.
    ///   - apiId: The API id.
    ///   - parentId: The route or integration id of a response, else "".
    ///   - id: The id.
    ///   - body: The request members.
    /// - Throws: ``APIGatewayV2Error`` (`NotFoundException` when the resource is gone).
    func deployUpdate(_ kind: V2ResourceKind, apiId: String, parentId: String, id: String, input body: [String: V2JSON]) throws {
        let operation = APIGatewayV2Operation(action: .update, kind: kind, apiId: apiId, parentId: parentId, id: id)
        let current = try existing(operation)
        var input = try V2Validation.input(body, kind: kind, creating: true)
        input.removeValue(forKey: "protocolType")
        let api = kind == .api ? current : try self.api(apiId)
        var document = defaults(kind, protocolType: api.string("protocolType") ?? "", id: id)
        for kept in ["protocolType", "createdDate", "apiEndpoint", kind.idField] { document[kept] = current.document[kept] }
        if kind == .stage, input["deploymentId"] == nil { document["deploymentId"] = current.document["deploymentId"] }
        document.merge(input) { _, new in new }
        var resource = current
        resource.document = document
        // A deployment CloudFormation updates is a new deployment of the current configuration.
        if kind == .deployment { resource = snapshotted(resource) }
        let updated = resource
        try validate(updated, api: kind == .api ? updated : api)
        try store.put(updated) { siblings in try Self.checkUnique(updated, siblings: siblings, creating: false) }
        if kind == .deployment { try deployToStage(updated) }
        try changed(apiId: apiId, kind: kind, stage: kind == .stage ? (name: id, deploys: document["autoDeploy"]?.boolValue == true) : nil)
    }

    /// Deletes a resource through `Delete*`; one already gone is not an error.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - apiId: The API id.
    ///   - parentId: The route or integration id of a response, else "".
    ///   - id: The id.
    /// - Throws: ``APIGatewayV2Error`` other than `NotFoundException`.
    func deployDelete(_ kind: V2ResourceKind, apiId: String, parentId: String, id: String) throws {
        let operation = APIGatewayV2Operation(action: .delete, kind: kind, apiId: apiId, parentId: parentId, id: id)
        do {
            try delete(operation)
        } catch let error as APIGatewayV2Error {
            if case .notFound = error { return }
            throw error
        }
    }
}
