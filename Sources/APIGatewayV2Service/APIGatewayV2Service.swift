import APIGatewayHTTP
import APIGatewayWebSocket
import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage

/// The API Gateway v2 control plane (`aws apigatewayv2 ...`, REST-JSON on `/v2/apis...`, signing name
/// `apigateway`): Api, Route, RouteResponse, Integration, IntegrationResponse, Stage, Deployment and Authorizer
/// for WebSocket and HTTP APIs, with tags.
///
/// Resources live in ``V2Store``. A stage serves the snapshot its deployment took (changes need a new deployment,
/// or an `AutoDeploy` stage): what the stages serve is handed to the data planes after every change
/// (``WebSocketAPIService/register(_:)``).
package struct APIGatewayV2Service: AWSServiceHandler {
    /// Routing facts: REST-JSON, signing name `apigateway` (shared with the v1 API, which is not served).
    package let descriptor = ServiceDescriptor(signingName: "apigateway", name: "apigatewayv2", wireProtocol: .restJson1)

    /// The resources.
    package let store: V2Store
    let webSocket: WebSocketAPIService?
    /// The execute-api data plane API-created HTTP APIs are registered with.
    let executeApi: (any ServedApiRegistering)?
    let clock: VirtualClock
    let environment: LiveEnvironment
    let authorizer: any RequestAuthorizing
    let logger: Logger

    /// Creates the service.
    /// - Parameters:
    ///   - location: Where data lives.
    ///   - templateWebSocketApis: The template's WebSocket APIs (listed and served; changes to them last until restart).
    ///   - templateHttpApis: The template's HTTP APIs (listed, and served by `executeApi` from their documents).
    ///   - webSocket: The WebSocket data plane API-created APIs are registered with.
    ///   - clock: The virtual clock (created and updated dates).
    ///   - environment: Region, account.
    ///   - authorizer: The IAM hook.
    ///   - logger: The base logger.
    ///   - executeApi: The data plane HTTP APIs are registered with (nil: they are stored, not served).
    /// - Throws: When the database cannot be opened.
    package init(
        location: DataLocation,
        templateWebSocketApis: [WebSocketApiSpec],
        templateHttpApis: [HttpApiSpec] = [],
        webSocket: WebSocketAPIService?,
        clock: VirtualClock,
        environment: LiveEnvironment,
        authorizer: any RequestAuthorizing,
        logger: Logger,
        executeApi: (any ServedApiRegistering)? = nil
    ) throws {
        let template =
            V2TemplateView.resources(of: templateWebSocketApis, createdDate: clock.now)
            + V2TemplateView.resources(ofHttp: templateHttpApis, region: environment.current.region, createdDate: clock.now)
        store = try V2Store(location: location, template: template)
        self.webSocket = webSocket
        self.executeApi = executeApi
        self.clock = clock
        self.environment = environment
        self.authorizer = authorizer
        var logger = logger
        logger[metadataKey: "service"] = "apigatewayv2"
        self.logger = logger
        // The template's HTTP APIs, and API-created WebSocket and HTTP APIs stored before the restart, are served (the
        // WebSocket data plane serves the template's WebSocket APIs from the start).
        let templateIds = Set(templateWebSocketApis.map(\.apiId))
        for api in store.list(.api) where !templateIds.contains(api.apiId) { syncDataPlane(apiId: api.apiId) }
    }

    /// Names the operation from the method and path.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a path this API does not have.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        APIGatewayV2Operation.resolve(method: request.method, rawPath: request.rawPath)
    }

    /// `running`, with the number of APIs.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        ServiceHealth(state: "running", resources: ["apis": store.apiCount])
    }

    /// Serves one request.
    /// - Parameter request: The routed, authenticated request.
    /// - Returns: The response.
    /// - Throws: ``APIGatewayV2Error``.
    package func handle(_ request: AWSRequest) async throws -> Response {
        guard
            let operation = request.serviceOperation as? APIGatewayV2Operation
                ?? APIGatewayV2Operation.resolve(method: request.method, rawPath: request.rawPath)
        else { throw APIGatewayV2Error.unknownOperation }
        try await authorizer.require(
            request.caller,
            action: operation.iamAction,
            resources: [operation.iamResource(region: request.region)],
            denied: { APIGatewayV2Error.accessDenied($0) }
        )
        switch operation.action {
        case .create:
            let created = try create(operation, body: try Self.body(request))
            return Self.json(status: 201, .object(created.wireDocument))
        case .get:
            return Self.json(status: 200, .object(try existing(operation).wireDocument))
        case .list:
            return Self.json(status: 200, try list(operation, request: request))
        case .update:
            let updated = try update(operation, body: try Self.body(request))
            return Self.json(status: 200, .object(updated.wireDocument))
        case .delete:
            try delete(operation)
            return Response(status: .noContent)
        case .getTags:
            let resource = try tagged(operation.resourceArn)
            return Self.json(status: 200, .object(["tags": resource.document["tags"] ?? .object([:])]))
        case .tagResource:
            let body = try Self.body(request)
            guard let tags = body["tags"]?.stringMap else { throw APIGatewayV2Error.badRequest("Invalid request body: 'tags' is required") }
            var resource = try tagged(operation.resourceArn)
            var merged = resource.document["tags"]?.stringMap ?? [:]
            merged.merge(tags) { _, new in new }
            resource.document["tags"] = .object(merged.mapValues { .string($0) })
            try store.put(resource)
            return Self.json(status: 201, .object([:]))
        case .importApi, .reimportApi:
            let input = ImportInput(
                body: try Self.body(request),
                basepath: request.query("basepath"),
                failOnWarnings: request.query("failOnWarnings")
            )
            let imported = try importApi(input, apiId: operation.action == .reimportApi ? operation.apiId : nil)
            return Self.json(status: 201, .object(imported.wireDocument))
        case .exportApi:
            return try exportApi(operation, request: request)
        case .untagResource:
            let keys = request.queryItems.filter { $0.name == "tagKeys" }.map(\.value)
            guard !keys.isEmpty else { throw APIGatewayV2Error.badRequest("Invalid request: 'tagKeys' is required") }
            var resource = try tagged(operation.resourceArn)
            var tags = resource.document["tags"]?.stringMap ?? [:]
            for key in keys { tags.removeValue(forKey: key) }
            resource.document["tags"] = .object(tags.mapValues { .string($0) })
            try store.put(resource)
            return Response(status: .noContent)
        }
    }

    // MARK: Lookups

    var accountId: String { environment.current.accountId }

    func notFound(_ kind: V2ResourceKind, id: String) -> APIGatewayV2Error {
        kind == .api ? .apiNotFound(account: accountId, apiId: id) : .childNotFound(kind.notFoundWord, id: id)
    }

    /// The API named in the path.
    /// - Parameter apiId: The API id.
    /// - Returns: The API.
    /// - Throws: `NotFoundException` (`Invalid API identifier specified {account}:{id}`).
    package func api(_ apiId: String) throws(APIGatewayV2Error) -> V2Resource {
        guard let api = store.get(.api, apiId: apiId, id: apiId) else { throw .apiNotFound(account: accountId, apiId: apiId) }
        return api
    }

    func parent(of operation: APIGatewayV2Operation, api: V2Resource) throws(APIGatewayV2Error) -> V2Resource? {
        guard let parentKind = operation.kind.parent, parentKind != .api else { return nil }
        if operation.kind.isWebSocketOnly, api.string("protocolType") != "WEBSOCKET" {
            throw .badRequest("\(operation.kind.noun)s are supported only for WebSocket APIs.")
        }
        guard let parent = store.get(parentKind, apiId: api.apiId, id: operation.parentId) else {
            throw notFound(parentKind, id: operation.parentId)
        }
        return parent
    }

    func existing(_ operation: APIGatewayV2Operation) throws(APIGatewayV2Error) -> V2Resource {
        let api = try self.api(operation.apiId)
        if operation.kind == .api { return api }
        _ = try parent(of: operation, api: api)
        guard let resource = store.get(operation.kind, apiId: api.apiId, id: operation.id),
            resource.parentId == (operation.kind.parent == .api ? "" : operation.parentId)
        else { throw notFound(operation.kind, id: operation.id) }
        return resource
    }

    func tagged(_ arn: String) throws(APIGatewayV2Error) -> V2Resource {
        // arn:aws:apigateway:{region}::/apis/{apiId}[/stages/{stageName}]
        let parts = arn.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard arn.hasPrefix("arn:aws:apigateway:"), parts.count >= 3, parts[0].hasSuffix("::"), parts[1] == "apis" else {
            throw .badRequest("Invalid resource ARN specified: \(arn)")
        }
        let api = try self.api(parts[2])
        if parts.count == 3 { return api }
        guard parts.count == 5, parts[3] == "stages" else { throw .badRequest("Invalid resource ARN specified: \(arn)") }
        guard let stage = store.get(.stage, apiId: api.apiId, id: parts[4]) else { throw notFound(.stage, id: parts[4]) }
        return stage
    }

    // MARK: Responses

    /// A request body as a JSON object (an empty or blank body is `{}`), as both API Gateway control planes read it.
    /// - Parameter request: The request.
    /// - Returns: The members.
    /// - Throws: `BadRequestException` for a body that is not a JSON object.
    package static func body(_ request: AWSRequest) throws(APIGatewayV2Error) -> [String: V2JSON] {
        let data = request.bodyData
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let object = V2JSON.parse(data)?.objectValue else {
            throw .badRequest("Could not parse request body into json: the body is not a JSON object")
        }
        return object
    }

    /// A JSON response, as both API Gateway control planes answer.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - value: The body.
    /// - Returns: The response.
    package static func json(status: Int, _ value: V2JSON) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.data)))
    }

    var nowText: String { Self.dateText(clock.now) }

    static func dateText(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
