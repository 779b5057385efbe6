import EmulatorCore

/// Cognito user pools' errors, with AWS's message texts (the only place they are written).
package enum UserPoolsError: AWSServiceError, Equatable {
    /// `ResourceNotFoundException`.
    case resourceNotFound(String)
    /// `UserNotFoundException`: `User does not exist.`
    case userNotFound
    /// `UsernameExistsException`.
    case usernameExists(String)
    /// `NotAuthorizedException`.
    case notAuthorized(String)
    /// `UserNotConfirmedException`: `User is not confirmed.`
    case userNotConfirmed
    /// `InvalidPasswordException`.
    case invalidPassword(String)
    /// `CodeMismatchException`.
    case codeMismatch(String)
    /// `InvalidParameterException`.
    case invalidParameter(String)
    /// `ValidationException` (the model's constraints).
    case validation(String)
    /// `SerializationException`: the body is not the JSON the operation expects.
    case serialization(String)
    /// `AccessDeniedException`: the caller's policies do not allow the operation.
    case accessDenied(String)
    /// An operation Cognito has but the emulator does not serve.
    case unknownOperation

    /// The AWS error code.
    package var code: String {
        switch self {
        case .resourceNotFound: "ResourceNotFoundException"
        case .userNotFound: "UserNotFoundException"
        case .usernameExists: "UsernameExistsException"
        case .notAuthorized: "NotAuthorizedException"
        case .userNotConfirmed: "UserNotConfirmedException"
        case .invalidPassword: "InvalidPasswordException"
        case .codeMismatch: "CodeMismatchException"
        case .invalidParameter: "InvalidParameterException"
        case .validation: "ValidationException"
        case .serialization: "SerializationException"
        case .accessDenied: "AccessDeniedException"
        case .unknownOperation: "UnknownOperationException"
        }
    }

    /// The AWS message text.
    package var message: String {
        switch self {
        case .userNotFound: "User does not exist."
        case .userNotConfirmed: "User is not confirmed."
        case .resourceNotFound(let message), .usernameExists(let message), .notAuthorized(let message), .invalidPassword(let message),
            .codeMismatch(let message), .invalidParameter(let message), .validation(let message), .serialization(let message),
            .accessDenied(let message):
            message
        case .unknownOperation: ""
        }
    }

    /// The HTTP status.
    package var httpStatus: Int { 400 }

    /// The full `__type` for errors raised by AWS's front end rather than the service.
    package var jsonType: String? {
        switch self {
        case .serialization, .unknownOperation: "com.amazon.coral.service#" + code
        default: nil
        }
    }

    /// `1 validation error detected: Value null at 'FIELD' failed to satisfy constraint: Member must not be null`.
    static func missing(_ field: String) -> UserPoolsError {
        .validation(ValidationMessages.mustNotBeNull(field))
    }

    /// A constraint violation on one field.
    static func constraint(_ field: String, value: String, _ constraint: String) -> UserPoolsError {
        .validation(ValidationMessages.constraint(field, value: value, constraint))
    }

    /// No pool with that id.
    static func poolNotFound(_ id: String) -> UserPoolsError { .resourceNotFound("User pool \(id) does not exist.") }
    /// No app client with that id.
    static func clientNotFound(_ id: String) -> UserPoolsError { .resourceNotFound("User pool client \(id) does not exist.") }

    /// A wrong password, or an unknown user when the pool hides user existence.
    static let incorrectCredentials = notAuthorized("Incorrect username or password.")
    /// A disabled user signing in.
    static let userDisabled = notAuthorized("User is disabled.")
    /// An access token that is not one of the pool's.
    static let invalidAccessToken = notAuthorized("Invalid Access Token")
    /// An expired access token.
    static let expiredAccessToken = notAuthorized("Access Token has expired")
    /// A refresh token that is not (or no longer) valid.
    static let invalidRefreshToken = notAuthorized("Invalid Refresh Token")
    /// A challenge `Session` that is not valid.
    static let invalidSession = notAuthorized("Invalid session for the user.")
    /// An auth flow the app client does not allow.
    static let flowNotEnabled = invalidParameter("Auth flow not enabled for this client")
    /// `USER_PASSWORD_AUTH` on a client without `ALLOW_USER_PASSWORD_AUTH`.
    static let userPasswordFlowNotEnabled = invalidParameter("USER_PASSWORD_AUTH flow not enabled for this client")
    /// A wrong confirmation code.
    static let wrongCode = codeMismatch("Invalid verification code provided, please try again.")
    /// SRP is not emulated (the emulator's documented refusal).
    static let srpNotEmulated = invalidParameter(
        "USER_SRP_AUTH is not emulated by synapscribe-local; use USER_PASSWORD_AUTH (ALLOW_USER_PASSWORD_AUTH on the app client) or ADMIN_USER_PASSWORD_AUTH"
    )

    /// A user that cannot be confirmed in its current status.
    static func cannotConfirm(status: String) -> UserPoolsError {
        .notAuthorized("User cannot be confirmed. Current status is \(status)")
    }
}

extension UserPoolsError: JSONInputFailure {}

/// The user pool service's request bodies.
typealias PoolInput = JSONRequestInput<UserPoolsError>
