import APIGatewayHTTP
import APIGatewayV2Service
import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage

/// The API Gateway v1 control plane (`aws apigateway ...`, REST-JSON on `/restapis...`, `/apikeys...`,
/// `/usageplans...`, signing name `apigateway`): REST APIs, resources, methods, method responses, integrations,
/// integration responses, deployments, stages, authorizers, models, request validators, gateway responses, API keys,
/// usage plans and usage plan keys.
///
/// Items live in ``RestStore``: API-created ones, those of stacks deployed through CloudFormation, and the start-up
/// template's (deployed at start through ``RestApiDeployer``, ``deployTemplate(_:stackName:)``), one model for all.
/// A stage serves the snapshot its deployment took of the API's resources and methods (``RestDataPlane``),
/// registered with the execute-api data plane through ``ServedRestApis``.
package struct APIGatewayRESTService: AWSServiceHandler {
    /// Routing facts: REST-JSON, signing name `apigateway` (shared with v2, told apart by path); named
    /// `apigateway-rest` in health and logs (`apigateway` is the WebSocket management API there).
    package let descriptor = ServiceDescriptor(signingName: "apigateway", name: "apigateway-rest", wireProtocol: .restJson1)

    /// The items.
    package let store: RestStore
    let served: ServedRestApis?
    let clock: VirtualClock
    let environment: LiveEnvironment
    let authorizer: any RequestAuthorizing
    let logger: Logger

    /// Creates the service.
    /// - Parameters:
    ///   - location: Where data lives.
    ///   - served: The execute-api data plane's registry of API-created REST APIs (nil: nothing is served).
    ///   - clock: The virtual clock (created and updated dates).
    ///   - environment: Region, account.
    ///   - authorizer: The IAM hook.
    ///   - logger: The base logger.
    /// - Throws: When the database cannot be opened.
    package init(
        location: DataLocation,
        served: ServedRestApis?,
        clock: VirtualClock,
        environment: LiveEnvironment,
        authorizer: any RequestAuthorizing,
        logger: Logger
    ) throws {
        store = try RestStore(location: location)
        self.served = served
        self.clock = clock
        self.environment = environment
        self.authorizer = authorizer
        var logger = logger
        logger[metadataKey: "service"] = "apigateway"
        self.logger = logger
        // APIs created before the restart are served again.
        syncAll()
    }

    /// Names the operation from the method and path.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a path this API does not have.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        RestOperation.resolve(method: request.method, rawPath: request.rawPath)
    }

    /// `running`, with the number of REST APIs.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        ServiceHealth(state: "running", resources: ["restapis": store.apiCount])
    }

    /// Serves one request.
    /// - Parameter request: The routed, authenticated request.
    /// - Returns: The response.
    /// - Throws: ``RestError``.
    package func handle(_ request: AWSRequest) async throws -> Response {
        guard
            let operation = request.serviceOperation as? RestOperation
                ?? RestOperation.resolve(method: request.method, rawPath: request.rawPath)
        else { throw RestError.unknownOperation }
        try await authorizer.require(
            request.caller,
            action: operation.iamAction,
            resources: [operation.iamResource(region: request.region)],
            denied: { RestError.accessDenied($0) }
        )
        let query = Dictionary(request.queryItems.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        // ImportRestApi (`POST /restapis?mode=import`) and PutRestApi take an OpenAPI document; ImportApiKeys is not served.
        if operation.kind == .restApi, operation.action == .put || query["mode"] == "import" {
            let putting = operation.action == .put
            let document = try importRestApi(
                request.bodyData,
                apiId: putting ? operation.apiId : nil,
                mode: putting ? query["mode"] ?? "merge" : "merge"
            )
            return APIGatewayV2Service.json(status: putting ? 200 : 201, .object(document))
        }
        if operation.action == .create, query["mode"] != nil { throw RestError.unknownOperation }
        switch operation.action {
        case .create, .put:
            let document = try write(operation, body: try APIGatewayV2Service.body(request))
            return APIGatewayV2Service.json(status: 201, .object(Self.visible(document, kind: operation.kind, query: ["includeValue": "true"])))
        case .get:
            return APIGatewayV2Service.json(status: 200, .object(Self.visible(try read(operation, query: query), kind: operation.kind, query: query)))
        case .list:
            return APIGatewayV2Service.json(status: 200, try list(operation, query: query))
        case .update:
            let document = try update(operation, body: try APIGatewayV2Service.body(request))
            return APIGatewayV2Service.json(status: 200, .object(Self.visible(document, kind: operation.kind, query: query)))
        case .delete:
            try delete(operation)
            return Response(status: operation.kind.isMethodPart ? .noContent : .accepted)
        }
    }

    // MARK: Lookups

    var accountId: String { environment.current.accountId }

    var nowValue: V2JSON { .number(clock.now.timeIntervalSince1970.rounded(.down)) }

    /// The REST API of an operation.
    /// - Parameter apiId: The REST API id.
    /// - Returns: The API.
    /// - Throws: `NotFoundException` (`Invalid API identifier specified {account}:{id}`).
    package func restApi(_ apiId: String) throws(RestError) -> RestItem {
        guard let api = store.get(.restApi, id: apiId) else { throw .apiNotFound(account: accountId, apiId: apiId) }
        return api
    }

    func resource(_ apiId: String, _ id: String) throws(RestError) -> RestItem {
        _ = try restApi(apiId)
        guard let resource = store.get(.resource, scope: apiId, id: id) else { throw .notFound("Invalid Resource identifier specified") }
        return resource
    }

    func item(_ kind: RestKind, scope: String, id: String) throws(RestError) -> RestItem {
        if kind == .restApi { return try restApi(id) }
        if !scope.isEmpty, kind != .usagePlanKey { _ = try restApi(scope) }
        guard let item = store.get(kind, scope: scope, id: id) else {
            throw kind == .model ? .notFound("Invalid model name specified: \(id)") : Self.notFound(kind)
        }
        return item
    }

    static func notFound(_ kind: RestKind) -> RestError {
        switch kind {
        case .restApi: .notFound("Invalid API identifier specified")
        case .resource: .notFound("Invalid Resource identifier specified")
        case .method: .notFound("Invalid Method identifier specified")
        case .integration: .notFound("Invalid Integration identifier specified")
        case .methodResponse, .integrationResponse: .notFound("Invalid Response status code specified")
        case .deployment: .notFound("Invalid Deployment identifier specified")
        case .stage: .notFound("Invalid Stage identifier specified")
        case .authorizer: .notFound("Invalid Authorizer identifier specified")
        case .apiKey: .notFound("Invalid API Key identifier specified")
        case .usagePlan: .notFound("Invalid Usage Plan ID specified")
        case .usagePlanKey: .notFound("Invalid Usage Plan Key identifier specified")
        case .model: .notFound("Invalid model name specified")
        case .requestValidator: .notFound("Invalid Request Validator identifier specified")
        case .gatewayResponse: .notFound("Invalid Gateway Response identifier specified")
        }
    }

    /// The scope an operation's item lives in.
    static func scope(of operation: RestOperation) -> String {
        switch operation.kind {
        case .apiKey, .usagePlan, .restApi: ""
        case .usagePlanKey: operation.parentId
        default: operation.apiId
        }
    }

    // MARK: Method parts (inside their resource's document)

    /// The path of a method part inside its resource's document.
    static func partPath(_ operation: RestOperation) -> [String] {
        let method = ["resourceMethods", operation.httpMethod]
        switch operation.kind {
        case .methodResponse: return method + ["methodResponses", operation.id]
        case .integration: return method + ["methodIntegration"]
        case .integrationResponse: return method + ["methodIntegration", "integrationResponses", operation.id]
        default: return method
        }
    }

    static func value(at path: [String], in document: [String: V2JSON]) -> [String: V2JSON]? {
        var current = document
        for key in path {
            guard let next = current[key]?.objectValue else { return nil }
            current = next
        }
        return current
    }

    static func setting(_ value: [String: V2JSON]?, at path: [String], in document: [String: V2JSON]) -> [String: V2JSON] {
        guard let first = path.first else { return value ?? [:] }
        var document = document
        if path.count == 1 {
            document[first] = value.map { .object($0) }
        } else {
            let inner = setting(value, at: Array(path.dropFirst()), in: document[first]?.objectValue ?? [:])
            document[first] = .object(inner)
        }
        return document
    }

    /// Finds a method part, checking each level exists (AWS's texts for the first missing one).
    func part(_ operation: RestOperation) throws(RestError) -> (resource: RestItem, document: [String: V2JSON]) {
        let resource = try self.resource(operation.apiId, operation.parentId)
        let path = Self.partPath(operation)
        guard Self.value(at: Array(path.prefix(2)), in: resource.document) != nil else { throw Self.notFound(.method) }
        if operation.kind == .integration || operation.kind == .integrationResponse {
            guard Self.value(at: Array(path.prefix(3)), in: resource.document) != nil else { throw Self.notFound(.integration) }
        }
        guard let document = Self.value(at: path, in: resource.document) else { throw Self.notFound(operation.kind) }
        return (resource, document)
    }

    // MARK: Responses

    /// The document as AWS answers it: internal members dropped, an API key's value only when asked for.
    static func visible(_ document: [String: V2JSON], kind: RestKind, query: [String: String]) -> [String: V2JSON] {
        var document = document.filter { !$0.key.hasPrefix("_") }
        if kind == .apiKey, query["includeValue"] != "true", query["includeValues"] != "true" { document["value"] = nil }
        return document
    }
}
