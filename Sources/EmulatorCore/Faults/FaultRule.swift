import Foundation

/// One injected fault as `POST /_local/faults` registers it: which calls it hits (service, operation, resource),
/// what it does to them (``Effect``), how often (``rate``) and until when (``remaining`` injections, ``expiresAt``).
package struct FaultRule: Sendable, Equatable {
    /// What a fault does to a call it hits.
    package enum Effect: Sendable, Equatable {
        /// The call fails with an AWS error before the service runs (nothing changes).
        case error(InjectedError)
        /// The call waits this many milliseconds, then runs as usual.
        case latency(milliseconds: Int)
        /// A Lambda invocation reports `Sandbox.Timedout` ("Task timed out after N seconds") without running.
        case functionTimeout
        /// A Lambda invocation's cold start fails: the invocation reports the `Runtime.*` init error.
        case initFailure(InjectedInitError)

        /// Whether the front door applies the effect (errors, latency) rather than the Lambda invoke path.
        package var appliesAtGateway: Bool {
            switch self {
            case .error, .latency: true
            case .functionTimeout, .initFailure: false
            }
        }

        /// The effect in a word or two, for the log and the dashboard.
        package var summary: String {
            switch self {
            case .error(let error): error.code
            case .latency(let milliseconds): "latency \(milliseconds) ms"
            case .functionTimeout: "function timeout"
            case .initFailure(let failure): "init failure \(failure.errorType)"
            }
        }
    }

    /// The id `DELETE /_local/faults/{id}` takes, for example `fault-3`.
    package var id: String
    /// The service: its SigV4 signing name (`dynamodb`, `s3`, `lambda`, `execute-api` for `@connections`...).
    package var service: String
    /// The operation name (`PutItem`, `GetObject`, `Invoke`, `PostToConnection`), or nil for every operation.
    package var operation: String?
    /// The resource: a table, `bucket` or `bucket/prefix`, a function name, a connection id; nil for every one.
    package var resource: String?
    /// What the fault does.
    package var effect: Effect
    /// The probability (0...1) that a matching call is hit.
    package var rate: Double
    /// How many more calls the fault hits before it expires (nil: no count limit).
    package var remaining: Int?
    /// The virtual time at which the fault expires (nil: no time limit).
    package var expiresAt: Date?
    /// When the fault was added (virtual time).
    package var createdAt: Date
    /// How many calls the fault has hit so far.
    package var injected: Int

    /// Creates a rule.
    /// - Parameters:
    ///   - id: The id.
    ///   - service: The service's signing name.
    ///   - operation: The operation, nil for all.
    ///   - resource: The resource, nil for all.
    ///   - effect: The effect.
    ///   - rate: The probability of a hit.
    ///   - remaining: Hits left, nil for unlimited.
    ///   - expiresAt: Virtual expiry time, nil for none.
    ///   - createdAt: Virtual creation time.
    package init(
        id: String,
        service: String,
        operation: String?,
        resource: String?,
        effect: Effect,
        rate: Double = 1,
        remaining: Int? = nil,
        expiresAt: Date? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.service = service
        self.operation = operation
        self.resource = resource
        self.effect = effect
        self.rate = rate
        self.remaining = remaining
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.injected = 0
    }

    /// Whether the fault has expired at a given virtual time (by count or by time).
    /// - Parameter now: The virtual time.
    /// - Returns: `true` once it may hit no more calls.
    package func isExpired(at now: Date) -> Bool {
        if let remaining, remaining <= 0 { return true }
        if let expiresAt, now >= expiresAt { return true }
        return false
    }

    /// Whether a call's resources match ``resource``.
    ///
    /// A rule without a resource matches every call. A rule resource `bucket` matches the bucket and every key in
    /// it; `bucket/prefix` matches keys starting with the prefix; names without `/` (tables, functions, connection
    /// ids) match exactly.
    /// - Parameter resources: The call's resources (S3: `bucket/key`; DynamoDB: every table named; Lambda: the
    ///   function name; `@connections`: the connection id).
    /// - Returns: `true` when the rule applies.
    package func matches(resources: [String]) -> Bool {
        guard let resource else { return true }
        return resources.contains { candidate in
            if candidate == resource { return true }
            if resource.contains("/") { return candidate.hasPrefix(resource) }
            return candidate.hasPrefix(resource + "/")
        }
    }
}

/// An AWS error a fault answers with, worded as the service words it (see ``FaultCatalog``).
package struct InjectedError: AWSServiceError, Equatable {
    /// The AWS error code.
    package var code: String
    /// The message text.
    package var message: String
    /// The HTTP status.
    package var httpStatus: Int
    /// The JSON `__type`, when it is more than the code (DynamoDB's namespaced types).
    package var jsonType: String?
    /// Extra members (Lambda's `Type` and `Reason`).
    package var extraFields: [(String, String)]
    /// Whether AWS sends the error with an empty JSON object as its body (`@connections` `GoneException`).
    package var emptyBody: Bool

    /// Creates an error.
    /// - Parameters:
    ///   - code: The AWS error code.
    ///   - message: The message.
    ///   - httpStatus: The HTTP status.
    ///   - jsonType: The JSON `__type`.
    ///   - extraFields: Extra members.
    ///   - emptyBody: Whether the body is `{}`.
    package init(
        code: String,
        message: String,
        httpStatus: Int,
        jsonType: String? = nil,
        extraFields: [(String, String)] = [],
        emptyBody: Bool = false
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.jsonType = jsonType
        self.extraFields = extraFields
        self.emptyBody = emptyBody
    }

    /// Errors are equal when every rendered part is.
    package static func == (lhs: InjectedError, rhs: InjectedError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.httpStatus == rhs.httpStatus && lhs.jsonType == rhs.jsonType
            && lhs.emptyBody == rhs.emptyBody && lhs.extraFields.map(\.0) == rhs.extraFields.map(\.0)
            && lhs.extraFields.map(\.1) == rhs.extraFields.map(\.1)
    }
}

/// A Lambda init failure a fault reports: the `Runtime.*` error type and its message.
package struct InjectedInitError: Sendable, Equatable {
    /// The `errorType`, for example `Runtime.ImportModuleError`.
    package var errorType: String
    /// The `errorMessage`.
    package var errorMessage: String

    /// Creates the failure.
    /// - Parameters:
    ///   - errorType: The error type.
    ///   - errorMessage: The message.
    package init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }
}

/// One call a fault hit, as `GET /_local/faults` and the dashboard list it.
package struct InjectedFault: Sendable, Equatable {
    /// When (virtual time).
    package var time: Date
    /// The fault's id.
    package var faultId: String
    /// The service's signing name.
    package var service: String
    /// The operation, when known.
    package var operation: String?
    /// The call's resource, when one was worked out.
    package var resource: String?
    /// The effect in words (the error code, `latency 200 ms`...).
    package var effect: String
    /// The request id of the call (the Lambda request id for invocation faults).
    package var requestId: String

    /// Creates a log entry.
    /// - Parameters:
    ///   - time: When.
    ///   - faultId: The fault.
    ///   - service: The service.
    ///   - operation: The operation.
    ///   - resource: The resource.
    ///   - effect: The effect in words.
    ///   - requestId: The request id.
    package init(time: Date, faultId: String, service: String, operation: String?, resource: String?, effect: String, requestId: String) {
        self.time = time
        self.faultId = faultId
        self.service = service
        self.operation = operation
        self.resource = resource
        self.effect = effect
        self.requestId = requestId
    }
}
