/// The kinds of API Gateway v2 resources the control plane serves, with the facts their paths, ids and messages
/// need. Every kind lives under an API; route and integration responses live under their route or integration.
package enum V2ResourceKind: String, Sendable, CaseIterable {
    /// `Api`.
    case api
    /// `Route`.
    case route
    /// `RouteResponse` (WebSocket APIs).
    case routeResponse
    /// `Integration`.
    case integration
    /// `IntegrationResponse` (WebSocket APIs).
    case integrationResponse
    /// `Stage`.
    case stage
    /// `Deployment`.
    case deployment
    /// `Authorizer`.
    case authorizer

    /// The path segment of the collection (`routes`, `routeresponses`...).
    package var pathSegment: String {
        switch self {
        case .api: "apis"
        case .route: "routes"
        case .routeResponse: "routeresponses"
        case .integration: "integrations"
        case .integrationResponse: "integrationresponses"
        case .stage: "stages"
        case .deployment: "deployments"
        case .authorizer: "authorizers"
        }
    }

    /// The operation noun (`CreateRouteResponse`, `GetRouteResponses`).
    package var noun: String {
        switch self {
        case .api: "Api"
        case .route: "Route"
        case .routeResponse: "RouteResponse"
        case .integration: "Integration"
        case .integrationResponse: "IntegrationResponse"
        case .stage: "Stage"
        case .deployment: "Deployment"
        case .authorizer: "Authorizer"
        }
    }

    /// The member holding the resource's id (`stageName` for stages: callers name them).
    package var idField: String {
        switch self {
        case .stage: "stageName"
        default: noun.prefix(1).lowercased() + noun.dropFirst() + "Id"
        }
    }

    /// The length of generated ids: 10 for APIs, 7 for routes and integrations, 6 for the rest (0: named by the caller).
    package var idLength: Int {
        switch self {
        case .api: 10
        case .route, .integration: 7
        case .routeResponse, .integrationResponse, .deployment, .authorizer: 6
        case .stage: 0
        }
    }

    /// The kind of the resource this kind lives under (nil for APIs).
    package var parent: V2ResourceKind? {
        switch self {
        case .api: nil
        case .routeResponse: .route
        case .integrationResponse: .integration
        default: .api
        }
    }

    /// The kinds a WebSocket API has that an HTTP API has not.
    package var isWebSocketOnly: Bool {
        self == .routeResponse || self == .integrationResponse
    }

    /// The word in AWS's `Invalid ... identifier specified` message.
    package var notFoundWord: String {
        switch self {
        case .api: "API"
        case .stage: "stage"
        default: noun
        }
    }
}
