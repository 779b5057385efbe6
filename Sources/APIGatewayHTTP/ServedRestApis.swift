import Synchronization

/// The REST APIs of the `apigateway` control plane's store (the start-up template's, stack-deployed and API-created
/// ones alike): one snapshot per stage (the stage's deployment), replaced whenever the control plane changes what a
/// stage serves.
package final class ServedRestApis: Sendable {
    private struct Served: Sendable {
        var spec: RestApiSpec
        var matcher: RouteMatcher
    }

    private let apis = Mutex<[String: [String: Served]]>([:])

    /// Creates an empty set.
    package init() {}

    /// Replaces what an API serves.
    /// - Parameters:
    ///   - apiId: The REST API id.
    ///   - stages: One spec per stage name, each holding that stage's deployment's methods and that one stage
    ///     (empty: the API is no longer served).
    package func replace(apiId: String, stages: [String: RestApiSpec]) {
        let served = stages.mapValues { spec in
            Served(spec: spec, matcher: ServedApi.rest(spec).matcher)
        }
        apis.withLock { all in all[apiId] = served.isEmpty ? nil : served }
    }

    /// Any stage's spec and matcher of an API (the request's stage is picked later with ``spec(_:stage:)``).
    /// - Parameter apiId: The API id.
    /// - Returns: The spec and matcher, or nil when the API is not served.
    package func anyStage(_ apiId: String) -> (spec: RestApiSpec, matcher: RouteMatcher)? {
        apis.withLock { all in all[apiId]?.values.first.map { (spec: $0.spec, matcher: $0.matcher) } }
    }

    /// The spec and matcher of one stage.
    /// - Parameters:
    ///   - apiId: The API id.
    ///   - stage: The stage name.
    /// - Returns: The spec and its matcher, or nil.
    package func spec(_ apiId: String, stage: String) -> (spec: RestApiSpec, matcher: RouteMatcher)? {
        apis.withLock { all in all[apiId]?[stage].map { (spec: $0.spec, matcher: $0.matcher) } }
    }
}
