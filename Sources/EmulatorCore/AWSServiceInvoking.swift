import Foundation

/// How API Gateway's `AWS` service integrations call the emulated services (DynamoDB, S3) in-process, acting for
/// the integration's credentials role. `EmulatorApp` injects the implementation; services never import each other.
package protocol AWSServiceInvoking: Sendable {
    /// Sends one request to a service and returns its answer (AWS errors included, as the service renders them).
    /// - Parameter call: The request.
    /// - Returns: The service's response.
    func call(_ call: AWSServiceCall) async -> AWSServiceCallResult
}

/// One request of an `AWS` integration: `arn:aws:apigateway:{region}:{service}:action/{Action}` or `...:path/{path}`.
package struct AWSServiceCall: Sendable {
    /// The service's signing name (`dynamodb`, `s3`).
    package var service: String
    /// The HTTP method (the integration's `IntegrationHttpMethod`).
    package var method: String
    /// The action (`PutItem`) for the action form, else nil.
    package var action: String?
    /// The request path (`/bucket/key`) for the path form, `/` for the action form.
    package var path: String
    /// The body (the request template's output).
    package var body: Data
    /// The integration's credentials role ARN (`CredentialsArn`); nil when none is set.
    package var credentialsArn: String?

    /// Creates a call.
    /// - Parameters:
    ///   - service: The signing name.
    ///   - method: The HTTP method.
    ///   - action: The action, for the action form.
    ///   - path: The path.
    ///   - body: The body.
    ///   - credentialsArn: The credentials role.
    package init(service: String, method: String, action: String?, path: String, body: Data, credentialsArn: String?) {
        self.service = service
        self.method = method
        self.action = action
        self.path = path
        self.body = body
        self.credentialsArn = credentialsArn
    }
}

/// A service's answer to an ``AWSServiceCall``.
package struct AWSServiceCallResult: Sendable {
    /// The HTTP status; `0` when the call could not be made at all (no such service, no credentials).
    package var status: Int
    /// The response headers.
    package var headers: [(name: String, value: String)]
    /// The response body.
    package var body: Data

    /// Creates a result.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - headers: The headers.
    ///   - body: The body.
    package init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The invoker of a process without service integrations (unit tests): every call fails with status `0`.
package struct UnavailableServiceInvoker: AWSServiceInvoking {
    /// Creates the invoker.
    package init() {}

    /// Fails.
    /// - Parameter call: The request.
    /// - Returns: Status `0`.
    package func call(_ call: AWSServiceCall) async -> AWSServiceCallResult {
        AWSServiceCallResult(status: 0)
    }
}

extension AWSServiceCall {
    /// The service request of an `AWS` integration URI: `arn:aws:apigateway:{region}:{service}:action/{Action}`
    /// (JSON protocols, path `/`) or `arn:aws:apigateway:{region}:{service}:path/{path}`; nil for any other URI.
    /// - Parameters:
    ///   - uri: The integration URI.
    ///   - method: The integration's HTTP method (`POST` when absent).
    ///   - body: The request template's output.
    ///   - credentialsArn: The credentials role.
    package init?(integrationUri uri: String?, method: String?, body: String, credentialsArn: String?) {
        guard let uri else { return nil }
        let parts = uri.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "apigateway" else { return nil }
        let service = String(parts[4].split(separator: ".").last ?? "")
        let rest = parts[5]
        if rest.hasPrefix("action/") {
            let action = String(rest.dropFirst("action/".count).prefix { $0 != "&" && $0 != "?" })
            guard !action.isEmpty else { return nil }
            self.init(service: service, method: method ?? "POST", action: action, path: "/", body: Data(body.utf8), credentialsArn: credentialsArn)
        } else if rest.hasPrefix("path/") {
            let path = "/" + rest.dropFirst("path/".count)
            self.init(service: service, method: method ?? "POST", action: nil, path: path, body: Data(body.utf8), credentialsArn: credentialsArn)
        } else {
            return nil
        }
    }
}
