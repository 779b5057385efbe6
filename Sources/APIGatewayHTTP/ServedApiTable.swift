import Synchronization

/// One API the execute-api data plane serves: a REST API (v1) or an HTTP API (v2).
package enum ServedApi: Sendable, Equatable {
    /// A REST API.
    case rest(RestApiSpec)
    /// An HTTP API.
    case http(HttpApiSpec)

    /// The API id.
    package var apiId: String {
        switch self {
        case .rest(let api): return api.apiId
        case .http(let api): return api.apiId
        }
    }

    /// The route matcher of the API's methods (REST) or routes (HTTP; `$default` matches no request method).
    var matcher: RouteMatcher {
        switch self {
        case .rest(let api):
            return RouteMatcher(api.methods.map { RouteMatcher.Entry(method: $0.httpMethod, path: $0.resourcePath) })
        case .http(let api):
            return RouteMatcher(api.routes.map { RouteMatcher.Entry(method: $0.path == nil ? "$default" : $0.method, path: $0.path ?? "/") })
        }
    }
}

/// Where control planes hand the execute-api data plane the APIs they create, change or delete while the emulator
/// runs (the API Gateway v2 control plane's HTTP APIs, the `apigateway` control plane's REST APIs).
///
/// ``APIGatewayHTTPService`` conforms: a registered API is served at its local URLs at once.
package protocol ServedApiRegistering: Sendable {
    /// Serves an API (replacing the one with its id): the next request to it uses it.
    /// - Parameter api: The API.
    func register(_ api: ServedApi)
    /// Stops serving an API created by a control plane (the template's APIs stay).
    /// - Parameter apiId: The API id.
    func unregister(apiId: String)
}

/// The HTTP APIs the execute-api data plane serves, by id, with their route matchers, as their control plane registers
/// them (``ServedApiRegistering``: the template's and API-created ones alike).
package final class ServedApiTable: Sendable {
    /// One served API with its matcher.
    struct Entry: Sendable {
        var api: ServedApi
        var matcher: RouteMatcher
    }

    private let byId: Mutex<[String: Entry]>

    /// Creates an empty table.
    init() {
        byId = Mutex([:])
    }

    /// The API with this id, if served.
    subscript(id: String) -> Entry? {
        byId.withLock { $0[id] }
    }

    /// The ids of the served APIs.
    var ids: Set<String> { byId.withLock { Set($0.keys) } }

    /// Serves `api` (replacing the one with its id).
    func register(_ api: ServedApi) {
        let entry = Entry(api: api, matcher: api.matcher)
        byId.withLock { $0[api.apiId] = entry }
    }

    /// Stops serving an API.
    func remove(apiId: String) {
        _ = byId.withLock { $0.removeValue(forKey: apiId) }
    }
}

extension APIGatewayHTTPService: ServedApiRegistering {
    /// Serves an API created or changed by a control plane (replacing the one with its id).
    /// - Parameter api: The API.
    package func register(_ api: ServedApi) {
        apis.register(api)
    }

    /// Stops serving an API.
    /// - Parameter apiId: The API id.
    package func unregister(apiId: String) {
        apis.remove(apiId: apiId)
    }
}
