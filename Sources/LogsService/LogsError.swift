import EmulatorCore

/// CloudWatch Logs' errors, with AWS's message texts (the only place they are written).
package enum LogsError: AWSServiceError {
    /// No log group of that name.
    case groupNotFound
    /// No log stream of that name.
    case streamNotFound
    /// `CreateLogGroup` for a group that exists.
    case groupExists
    /// `CreateLogStream` for a stream that exists.
    case streamExists
    /// A parameter breaks its constraint (CloudWatch Logs answers validation errors as `InvalidParameterException`).
    case invalidParameter(String)
    /// The body is not the JSON the operation expects.
    case serialization(String)
    /// The caller's policies do not allow the operation.
    case accessDenied(String)
    /// An operation CloudWatch Logs has but the emulator does not serve.
    case unknownOperation(String?)

    /// The AWS error code.
    package var code: String {
        switch self {
        case .groupNotFound, .streamNotFound: "ResourceNotFoundException"
        case .groupExists, .streamExists: "ResourceAlreadyExistsException"
        case .invalidParameter: "InvalidParameterException"
        case .serialization: "SerializationException"
        case .accessDenied: "AccessDeniedException"
        case .unknownOperation: "UnknownOperationException"
        }
    }

    /// The AWS message text.
    package var message: String {
        switch self {
        case .groupNotFound: "The specified log group does not exist."
        case .streamNotFound: "The specified log stream does not exist."
        case .groupExists: "The specified log group already exists"
        case .streamExists: "The specified log stream already exists"
        case .invalidParameter(let message), .serialization(let message), .accessDenied(let message): message
        case .unknownOperation(let name):
            name.map { "synapscribe-local does not emulate the CloudWatch Logs operation \($0)" } ?? ""
        }
    }

    /// 400 for everything the caller did.
    package var httpStatus: Int { 400 }

    /// AWS's wording for a value outside a constraint.
    /// - Parameters:
    ///   - member: The member name.
    ///   - value: The offending value.
    ///   - constraint: The constraint text.
    /// - Returns: The error.
    static func constraint(_ member: String, value: String, _ constraint: String) -> LogsError {
        .invalidParameter(ValidationMessages.constraint(member, value: value, constraint))
    }

    /// The store's failure as the API's error.
    /// - Parameter failure: The store failure.
    /// - Returns: The error.
    static func from(_ failure: LogStoreFailure) -> LogsError {
        switch failure {
        case .groupNotFound: .groupNotFound
        case .streamNotFound: .streamNotFound
        case .groupExists: .groupExists
        case .streamExists: .streamExists
        }
    }
}

extension LogsError: JSONInputFailure {}

/// CloudWatch Logs' request bodies.
typealias LogsInput = JSONRequestInput<LogsError>
