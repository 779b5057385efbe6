import EmulatorCore

/// Every error the Lambda API returns, with AWS's codes, statuses and message texts (kept in this one file).
///
/// Lambda is a REST-JSON service: the gateway renders `message` in the body and the code in
/// `x-amzn-ErrorType`; AWS adds a `Type` member (`User` or `Service`) and, for throttling, a `Reason`.
package enum LambdaError: AWSServiceError, Equatable {
    /// No function with that name, ARN or qualifier (404).
    case resourceNotFound(arn: String)
    /// Concurrency exhausted (429): reserved concurrency of the function or the account limit.
    case tooManyRequests(reason: ThrottleReason)
    /// The payload is not JSON (400).
    case invalidRequestContent(String)
    /// The request payload is larger than 6 MB (413).
    case requestTooLarge
    /// A parameter has an invalid value (400).
    case invalidParameterValue(String)
    /// The runtime could not start (interpreter or runtime environment missing) (500).
    case serviceException(String)
    /// The caller may not perform the action (403).
    case accessDenied(String)

    /// Why an invocation was throttled.
    package enum ThrottleReason: String, Sendable, Equatable {
        /// The function's `ReservedConcurrentExecutions` are all busy.
        case reservedFunction = "ReservedFunctionConcurrentInvocationLimitExceeded"
        /// The account's concurrency limit is reached.
        case account = "ConcurrentInvocationLimitExceeded"
        /// The function's asynchronous event queue is full (``LambdaSettings/eventQueueSize``).
        case functionInvocationRate = "FunctionInvocationRateLimitExceeded"
        /// The asynchronous event queue of a function with reserved concurrency is full.
        case reservedFunctionInvocationRate = "ReservedFunctionInvocationRateLimitExceeded"
    }

    /// The AWS error code.
    package var code: String {
        switch self {
        case .resourceNotFound: "ResourceNotFoundException"
        case .tooManyRequests: "TooManyRequestsException"
        case .invalidRequestContent: "InvalidRequestContentException"
        case .requestTooLarge: "RequestTooLargeException"
        case .invalidParameterValue: "InvalidParameterValueException"
        case .serviceException: "ServiceException"
        case .accessDenied: "AccessDeniedException"
        }
    }

    /// The message, worded as AWS words it.
    package var message: String {
        switch self {
        case .resourceNotFound(let arn): LambdaMessages.functionNotFound(arn)
        case .tooManyRequests: LambdaMessages.rateExceeded
        case .invalidRequestContent(let detail): detail
        case .requestTooLarge: LambdaMessages.requestTooLarge
        case .invalidParameterValue(let detail): detail
        case .serviceException(let detail): detail
        case .accessDenied(let detail): detail
        }
    }

    /// The HTTP status.
    package var httpStatus: Int {
        switch self {
        case .resourceNotFound: 404
        case .tooManyRequests: 429
        case .invalidRequestContent, .invalidParameterValue: 400
        case .requestTooLarge: 413
        case .serviceException: 500
        case .accessDenied: 403
        }
    }

    /// AWS's `Type` member, and `Reason` for throttling.
    package var extraFields: [(String, String)] {
        switch self {
        case .tooManyRequests(let reason): [("Type", "User"), ("Reason", reason.rawValue)]
        case .serviceException: [("Type", "Service")]
        default: [("Type", "User")]
        }
    }
}

/// AWS's message texts for the Lambda API, the Runtime API and invocation failures.
package enum LambdaMessages {
    /// `Function not found: ARN`.
    /// - Parameter arn: The function ARN (with qualifier when one was given).
    /// - Returns: The message.
    package static func functionNotFound(_ arn: String) -> String { "Function not found: \(arn)" }
    /// The throttling message.
    package static let rateExceeded = "Rate Exceeded."
    /// The Invoke request size message.
    package static let requestTooLarge = "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    /// `X-Amz-Client-Context` that is not base64 of a JSON object, or longer than 3,583 bytes.
    package static let invalidClientContext = "Client context must be a valid Base64-encoded JSON object."
    /// The longest `X-Amz-Client-Context` (3,583 bytes of base64).
    package static let maxClientContextBytes = 3_583
    /// The largest Invoke request payload (6 MB).
    package static let maxRequestPayload = 6_291_456
    /// The largest response a function may return (6 MB + 100 bytes, as AWS counts).
    package static let maxResponsePayload = 6_291_556
    /// The JSON parse failure of an Invoke payload.
    /// - Parameter detail: What the parser said.
    /// - Returns: The message.
    package static func invalidJSON(_ detail: String) -> String {
        "Could not parse request body into json: Could not parse payload into json: \(detail)"
    }
    /// An unsupported invocation type.
    /// - Parameter value: The header value.
    /// - Returns: The message.
    package static func invalidInvocationType(_ value: String) -> String {
        "1 validation error detected: Value '\(value)' at 'invocationType' failed to satisfy constraint: "
            + "Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
    }
    /// An unsupported log type.
    /// - Parameter value: The header value.
    /// - Returns: The message.
    package static func invalidLogType(_ value: String) -> String {
        "1 validation error detected: Value '\(value)' at 'logType' failed to satisfy constraint: "
            + "Member must satisfy enum value set: [Tail, None]"
    }
    /// The runtime interpreter is missing.
    /// - Parameter runtime: The function's runtime (`python3.12`).
    /// - Returns: The message.
    package static func runtimeUnavailable(_ runtime: String) -> String {
        "The runtime \(runtime) is not available on this machine: run scripts/setup to create .venv-runtime "
            + "(python3.12 with awslambdaric), or pass --lambda-python."
    }
    /// No `node` interpreter for a Node.js function.
    /// - Parameter runtime: The function's runtime (`nodejs20.x`).
    /// - Returns: The message.
    package static func nodeUnavailable(_ runtime: String) -> String {
        "The runtime \(runtime) is not available on this machine: install Node.js (node on PATH; scripts/setup installs "
            + "Debian's nodejs), or pass --lambda-node."
    }
    /// The function's code or runtime is of a kind the emulator cannot run.
    /// - Parameter what: What is unsupported.
    /// - Returns: The message.
    package static func unsupportedFunction(_ what: String) -> String {
        "The function cannot run locally: \(what)"
    }

    /// The function's `requirements.txt` could not be installed (as `sam build` would have failed).
    /// - Parameter output: pip's output.
    /// - Returns: The message.
    package static func dependenciesFailed(_ output: String) -> String {
        "The function's requirements.txt could not be installed (pip failed): \(output.suffix(2000))"
    }

    /// The AWS SDK packages a Node.js function imports could not be installed into the runtime cache.
    /// - Parameter output: npm's output.
    /// - Returns: The message.
    package static func nodeSDKFailed(_ output: String) -> String {
        "The AWS SDK packages the function imports could not be installed into the runtime cache (npm failed): \(output.suffix(2000))"
    }

    /// The Runtime API's answer to an oversized response (`POST /invocation/{id}/response`, 413).
    package static let runtimeAPIPayloadTooLarge =
        #"{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#
    /// The invocation result of an oversized response.
    package static let responseSizeTooLarge =
        #"{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}"#

    /// `Sandbox.Timedout` invocation result text.
    /// - Parameters:
    ///   - requestId: The request id.
    ///   - seconds: The elapsed seconds.
    /// - Returns: The error message.
    package static func timedOut(requestId: String, seconds: Double) -> String {
        "RequestId: \(requestId) Error: Task timed out after \(formatSeconds(seconds)) seconds"
    }

    /// `Runtime.ExitError` invocation result text.
    /// - Parameters:
    ///   - requestId: The request id.
    ///   - reason: `exit status 1`, `signal: killed`, or `nil` for a clean exit.
    /// - Returns: The error message.
    package static func exited(requestId: String, reason: String?) -> String {
        if let reason {
            return "RequestId: \(requestId) Error: Runtime exited with error: \(reason)"
        }
        return "RequestId: \(requestId) Error: Runtime exited without providing a reason"
    }

    /// Seconds with two decimals, as in "Task timed out after 3.00 seconds".
    /// - Parameter seconds: The value.
    /// - Returns: The text.
    package static func formatSeconds(_ seconds: Double) -> String {
        let hundredths = max(0, LambdaNumbers.clampedInt((seconds * 100).rounded()))
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
