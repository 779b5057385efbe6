import Foundation

/// How other services (S3 notifications, API Gateway integrations, Cognito triggers) invoke Lambda functions
/// in-process. `EmulatorApp` injects the Lambda service's implementation; services never import each other.
package protocol LambdaInvoking: Sendable {
    /// Invokes a function.
    /// - Parameters:
    ///   - function: A function name, physical name, or ARN (qualified or not).
    ///   - payload: The event JSON.
    ///   - invocationType: Synchronous, or queued with AWS's retries for asynchronous invocations.
    ///   - context: Who invokes and on whose behalf (for the Runtime API headers and logs).
    /// - Returns: The invocation result (for `.event`, the acceptance only).
    /// - Throws: ``LambdaInvocationError`` when the function does not exist or cannot be invoked.
    func invoke(
        function: String,
        payload: Data,
        invocationType: LambdaInvocationType,
        context: LambdaInvocationContext
    ) async throws -> LambdaInvocationResult

    /// Whether the function's resource-based policy lets a service invoke it, as Lambda decides when the service
    /// calls Invoke (and S3 asks before it accepts a notification configuration).
    /// - Parameters:
    ///   - function: A function name or ARN.
    ///   - principal: The service principal, for example `s3.amazonaws.com` or `apigateway.amazonaws.com`.
    ///   - sourceArn: The invoking resource (`AWS:SourceArn`): the bucket ARN, the execute-api ARN.
    ///   - sourceAccount: The invoking resource's account (`AWS:SourceAccount`).
    /// - Returns: Whether an `Allow` statement matches and no `Deny` does; false for a function that does not exist.
    func isInvokeAllowed(function: String, principal: String, sourceArn: String?, sourceAccount: String?) -> Bool
}

/// Synchronous or asynchronous invocation, as the `X-Amz-Invocation-Type` header names them.
package enum LambdaInvocationType: String, Sendable {
    /// Wait for the result.
    case requestResponse = "RequestResponse"
    /// Queue the event; retried twice on error, as AWS does for asynchronous invocations.
    case event = "Event"
    /// Validate parameters and permissions only.
    case dryRun = "DryRun"
}

/// Extra facts an invoker passes along.
package struct LambdaInvocationContext: Sendable {
    /// The invoking service principal, for example `s3.amazonaws.com` or `apigateway.amazonaws.com`: the function's
    /// resource-based policy must allow it (``LambdaInvocationError/accessDenied(_:)`` otherwise).
    package var sourcePrincipal: String?
    /// The source ARN (bucket, API), as AWS passes it for resource-policy checks.
    package var sourceArn: String?
    /// Base64 client context (`Lambda-Runtime-Client-Context`).
    package var clientContext: String?
    /// Cognito identity JSON (`Lambda-Runtime-Cognito-Identity`).
    package var cognitoIdentity: String?
    /// A deadline shorter than the function's timeout (API Gateway's 29 s integration timeout).
    package var maximumDuration: Duration?
    /// For `Event` invocations: real time the queued event waits before its first attempt (the realism profile's
    /// S3 notification delay); nil runs it at once.
    package var deliveryDelay: Duration?

    /// Creates a context.
    /// - Parameters:
    ///   - sourcePrincipal: The invoking service principal.
    ///   - sourceArn: The source ARN.
    ///   - clientContext: Base64 client context.
    ///   - cognitoIdentity: Cognito identity JSON.
    ///   - maximumDuration: An upper bound on the invocation's duration.
    package init(
        sourcePrincipal: String? = nil,
        sourceArn: String? = nil,
        clientContext: String? = nil,
        cognitoIdentity: String? = nil,
        maximumDuration: Duration? = nil
    ) {
        self.sourcePrincipal = sourcePrincipal
        self.sourceArn = sourceArn
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.maximumDuration = maximumDuration
    }
}

/// The outcome of an invocation, as the Invoke API reports it.
package struct LambdaInvocationResult: Sendable {
    /// The HTTP status of the Invoke API (200 for RequestResponse, 202 for Event, 204 for DryRun).
    package var statusCode: Int
    /// The response payload (the handler's result, or the error object for failures).
    package var payload: Data
    /// `Unhandled` or `Handled` when the function failed (`X-Amz-Function-Error`), else `nil`.
    package var functionError: String?
    /// The last 4 KB of the log, base64 (for `LogType: Tail`).
    package var logResult: String?
    /// The version that ran (`$LATEST`).
    package var executedVersion: String

    /// Whether Lambda refused the invocation because the function's resource-based policy does not allow the
    /// invoking service (Invoke's 403 `AccessDeniedException`; the function did not run).
    package var isAccessDenied: Bool { statusCode == 403 }

    /// Creates a result.
    /// - Parameters:
    ///   - statusCode: The Invoke API status.
    ///   - payload: The payload.
    ///   - functionError: The function error kind.
    ///   - logResult: The base64 log tail.
    ///   - executedVersion: The version that ran.
    package init(statusCode: Int, payload: Data, functionError: String? = nil, logResult: String? = nil, executedVersion: String = "$LATEST") {
        self.statusCode = statusCode
        self.payload = payload
        self.functionError = functionError
        self.logResult = logResult
        self.executedVersion = executedVersion
    }
}

/// Why an in-process invocation could not happen.
package enum LambdaInvocationError: Error, Sendable {
    /// No such function.
    case functionNotFound(String)
    /// Concurrency limit reached.
    case tooManyRequests(String)
    /// The runtime could not start (interpreter missing, for example).
    case serviceFailure(String)
    /// The function's resource-based policy does not let the invoking service call it (Lambda's
    /// `AccessDeniedException`, 403).
    case accessDenied(String)
}
