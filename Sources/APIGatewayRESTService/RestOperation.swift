import AWSGateway
import HTTPTypes

/// The kinds of resources the `apigateway` (v1) control plane keeps.
package enum RestKind: String, Sendable, Equatable, CaseIterable {
    /// A REST API.
    case restApi = "restapi"
    /// A resource (a path) of a REST API; its methods, integrations and responses live inside its document.
    case resource
    /// A method of a resource.
    case method
    /// A method response.
    case methodResponse
    /// A method's integration.
    case integration
    /// An integration response.
    case integrationResponse
    /// A deployment.
    case deployment
    /// A stage.
    case stage
    /// An authorizer.
    case authorizer
    /// An API key (account level).
    case apiKey = "apikey"
    /// A usage plan (account level).
    case usagePlan = "usageplan"
    /// A key of a usage plan.
    case usagePlanKey = "usageplankey"
    /// A model (a JSON schema) of a REST API, stored under its name.
    case model
    /// A request validator of a REST API.
    case requestValidator = "requestvalidator"
    /// A customized gateway response of a REST API, stored under its response type.
    case gatewayResponse = "gatewayresponse"

    /// The noun in operation names (`CreateRestApi`, `PutIntegrationResponse`...).
    package var noun: String {
        switch self {
        case .restApi: "RestApi"
        case .resource: "Resource"
        case .method: "Method"
        case .methodResponse: "MethodResponse"
        case .integration: "Integration"
        case .integrationResponse: "IntegrationResponse"
        case .deployment: "Deployment"
        case .stage: "Stage"
        case .authorizer: "Authorizer"
        case .apiKey: "ApiKey"
        case .usagePlan: "UsagePlan"
        case .usagePlanKey: "UsagePlanKey"
        case .model: "Model"
        case .requestValidator: "RequestValidator"
        case .gatewayResponse: "GatewayResponse"
        }
    }

    /// Whether the kind lives inside a resource's document (`resourceMethods`).
    var isMethodPart: Bool { [.method, .methodResponse, .integration, .integrationResponse].contains(self) }
}

/// One `apigateway` control-plane operation, named from the method and the path (`/restapis/...`, `/apikeys/...`,
/// `/usageplans/...`).
package struct RestOperation: ServiceOperation, Equatable {
    /// What the operation does.
    package enum Action: String, Sendable, Equatable {
        /// `POST` on a collection (`Create*`).
        case create
        /// `PUT` on a method or its parts (`Put*`).
        case put
        /// `GET` on a collection (paged).
        case list
        /// `GET` on one resource.
        case get
        /// `PATCH` on one resource.
        case update
        /// `DELETE` on one resource.
        case delete
    }

    /// What it does.
    package var action: Action
    /// The kind of resource.
    package var kind: RestKind
    /// The REST API id ("" for account-level kinds and for CreateRestApi/GetRestApis).
    package var apiId = ""
    /// The resource id of method parts; the parent id of CreateResource; the usage plan id of usage plan keys.
    package var parentId = ""
    /// The HTTP method of a method's path.
    package var httpMethod = ""
    /// The id of a get, update or delete (stage name, status code...).
    package var id = ""
    /// The decoded path, for the IAM resource.
    package var resourcePath = ""

    /// The AWS operation name.
    package var name: String {
        switch action {
        case .create: "Create" + kind.noun
        case .put: "Put" + kind.noun
        case .list: kind == .resource ? "GetResources" : "Get" + kind.noun + "s"
        case .get: "Get" + kind.noun
        case .update: "Update" + kind.noun
        case .delete: "Delete" + kind.noun
        }
    }

    /// The IAM action: API Gateway authorizes its management API by HTTP method.
    package var iamAction: String {
        switch action {
        case .create: "apigateway:POST"
        case .put: "apigateway:PUT"
        case .list, .get: "apigateway:GET"
        case .update: "apigateway:PATCH"
        case .delete: "apigateway:DELETE"
        }
    }

    /// The IAM resource: `arn:aws:apigateway:{region}::{path}`.
    /// - Parameter region: The region.
    /// - Returns: The ARN.
    package func iamResource(region: String) -> String { "arn:aws:apigateway:\(region)::\(resourcePath)" }

    /// Names the operation of a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - rawPath: The raw (percent-encoded) path.
    /// - Returns: The operation, or nil for a path or method this API does not serve.
    package static func resolve(method: HTTPRequest.Method, rawPath: String) -> RestOperation? {
        var raw = rawPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if raw.count > 1, raw.last == "" { raw.removeLast() }
        guard raw.count >= 2, raw[0].isEmpty else { return nil }
        let s = raw.dropFirst().map { URLComponentsDecoding.decode($0) }
        guard !s.contains(where: \.isEmpty) else { return nil }
        var operation = RestOperation(action: .list, kind: .restApi, resourcePath: "/" + s.joined(separator: "/"))
        let isItem: Bool
        switch s[0] {
        case "apikeys", "usageplans":
            operation.kind = s[0] == "apikeys" ? .apiKey : .usagePlan
            switch s.count {
            case 1: isItem = false
            case 2:
                operation.id = s[1]
                isItem = true
            case 3, 4:
                guard operation.kind == .usagePlan, s[2] == "keys" else { return nil }
                operation.kind = .usagePlanKey
                operation.parentId = s[1]
                isItem = s.count == 4
                if isItem { operation.id = s[3] }
            default: return nil
            }
        case "restapis":
            if s.count >= 2 { operation.apiId = s[1] }
            switch s.count {
            case 1: isItem = false
            case 2:
                operation.id = s[1]
                isItem = true
            case 3, 4:
                let kinds: [String: RestKind] = [
                    "resources": .resource, "deployments": .deployment, "stages": .stage, "authorizers": .authorizer,
                    "models": .model, "requestvalidators": .requestValidator, "gatewayresponses": .gatewayResponse,
                ]
                guard let kind = kinds[s[2]] else { return nil }
                operation.kind = kind
                isItem = s.count == 4
                if isItem { operation.id = s[3] }
                // POST /restapis/{id}/resources/{parentId} creates a child resource.
                if kind == .resource, isItem, method == .post {
                    operation.parentId = s[3]
                    operation.id = ""
                    operation.action = .create
                    return operation
                }
                if kind == .resource, !isItem, method != .get { return nil }
            default:
                // /restapis/{a}/resources/{r}/methods/{m}[/responses/{s} | /integration[/responses/{s}]]
                guard s.count >= 6, s[2] == "resources", s[4] == "methods" else { return nil }
                operation.parentId = s[3]
                operation.httpMethod = s[5]
                switch Array(s.dropFirst(6)) {
                case []: operation.kind = .method
                case ["integration"]: operation.kind = .integration
                case let rest where rest.count == 2 && rest[0] == "responses":
                    operation.kind = .methodResponse
                    operation.id = rest[1]
                case let rest where rest.count == 3 && rest[0] == "integration" && rest[1] == "responses":
                    operation.kind = .integrationResponse
                    operation.id = rest[2]
                default: return nil
                }
                switch method {
                case .put: operation.action = .put
                case .get: operation.action = .get
                case .patch: operation.action = .update
                case .delete: operation.action = .delete
                default: return nil
                }
                return operation
            }
        default:
            return nil
        }
        switch (method, isItem) {
        case (.post, false) where operation.kind != .gatewayResponse: operation.action = .create
        case (.get, false): operation.action = .list
        case (.get, true): operation.action = .get
        case (.patch, true) where operation.kind != .usagePlanKey: operation.action = .update
        case (.put, true) where operation.kind == .restApi || operation.kind == .gatewayResponse: operation.action = .put
        case (.delete, true): operation.action = .delete
        default: return nil
        }
        if operation.kind == .resource, operation.action == .list { operation.parentId = "" }
        return operation
    }
}
