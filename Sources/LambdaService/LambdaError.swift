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
    /// A request member fails its shape's constraint (400, `ValidationException`).
    case validation(String)
    /// The resource exists already, or is in use (409, `ResourceConflictException`).
    case resourceConflict(String)
    /// A resource other than a function does not exist (404, `ResourceNotFoundException` with its own text).
    case resourceMissing(String)
    /// `RevisionId` does not match the current revision (412, `PreconditionFailedException`).
    case preconditionFailed(String)

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
        case .validation: "ValidationException"
        case .resourceConflict: "ResourceConflictException"
        case .resourceMissing: "ResourceNotFoundException"
        case .preconditionFailed: "PreconditionFailedException"
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
        case .validation(let detail), .resourceConflict(let detail), .resourceMissing(let detail), .preconditionFailed(let detail):
            detail
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
        case .validation: 400
        case .resourceConflict: 409
        case .resourceMissing: 404
        case .preconditionFailed: 412
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
    /// The unreserved concurrency PutFunctionConcurrency must leave: AWS keeps 100 of its default 1,000; here a tenth of
    /// the local account limit (`--lambda-concurrency`), at least 1.
    /// - Parameter accountLimit: The account's concurrency limit.
    /// - Returns: The minimum.
    package static func minimumUnreserved(accountLimit: Int) -> Int { min(100, max(1, accountLimit / 10)) }
    /// CreateFunction for a name in use.
    package static func functionExists(_ name: String) -> String { "Function already exist: \(name)" }
    /// GetPolicy / RemovePermission when there is no such policy or statement.
    package static let resourceDoesNotExist = "The resource you requested does not exist."
    /// AddPermission with `Qualifier` `$LATEST`: the function's own policy is the unqualified one.
    package static let noLatestPolicies = "We currently do not support adding policies for $LATEST."
    /// A role that does not exist, or whose trust policy does not let Lambda assume it.
    package static let roleCannotBeAssumed = "The role defined for the function cannot be assumed by Lambda."
    /// A `.zip` upload that is not a zip archive.
    package static let cannotUnzip = "Could not unzip uploaded file. Please check your file, then try to upload again."
    /// `Code` without `ZipFile`, `S3Bucket`/`S3Key` or `ImageUri`.
    package static let noCodeSource = "Please provide a source for function code."
    /// `RevisionId` that is not the current one.
    package static let revisionMismatch =
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
    /// A layer permission operation's `RevisionId` that is not the layer version policy's.
    package static let layerRevisionMismatch =
        "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id"
    /// A layer permission operation on a layer version that does not exist.
    package static func layerVersionNotFound(_ arn: String) -> String { "Layer version \(arn) does not exist." }
    /// GetPolicy or GetLayerVersionPolicy of a resource without statements, RemovePermission on one.
    package static let noPolicy = "No policy is associated with the given resource."
    /// RemovePermission or RemoveLayerVersionPermission of a statement the policy does not have.
    package static func statementNotFound(_ id: String) -> String { "Statement \(id) is not found in resource policy." }
    /// AddPermission with a statement id in use.
    package static func statementExists(_ id: String) -> String {
        "The statement id (\(id)) provided already exists. Please provide a new statement id, or remove the existing statement."
    }
    /// S3 code that cannot be read.
    package static func s3CodeError(code: String, message: String) -> String {
        "Error occurred while GetObject. S3 Error Code: \(code). S3 Error Message: \(message)"
    }
    /// Environment variables that Lambda reserves.
    package static func reservedEnvironment(_ keys: [String]) -> String {
        "Lambda was unable to configure your environment variables because the environment variables you have provided "
            + "contains reserved keys that are currently not supported for modification. Reserved keys used in this request: "
            + keys.joined(separator: ", ")
    }
    /// `1 validation error detected: Value 'V' at 'member' failed to satisfy constraint: C`.
    package static func validation(_ value: String, at member: String, _ constraint: String) -> String {
        ValidationMessages.constraint(member, value: value, constraint)
    }
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

    /// A runtime the emulator cannot run, with what to do instead.
    package static func unsupportedRuntime(_ runtime: String?) -> String {
        guard let runtime else {
            return unsupportedFunction("container image functions do not run here; package it as a .zip with a python3.x or nodejsN.x Runtime")
        }
        return unsupportedFunction(
            "runtime \(runtime) is not supported; functions run here on python3.x and nodejsN.x runtimes (python3.13, nodejs22.x...), so set Runtime to one of those"
        )
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
