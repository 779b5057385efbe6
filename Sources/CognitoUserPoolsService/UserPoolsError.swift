import EmulatorCore

/// Cognito user pools' errors, with AWS's message texts (the only place they are written).
package enum UserPoolsError: AWSServiceError, Equatable {
    /// `ResourceNotFoundException`.
    case resourceNotFound(String)
    /// `UserNotFoundException`: `User does not exist.`
    case userNotFound
    /// `UsernameExistsException`.
    case usernameExists(String)
    /// `GroupExistsException`: `A group with the name already exists.`
    case groupExists
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
        case .groupExists: "GroupExistsException"
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
        case .groupExists: "A group with the name already exists."
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

    /// No group with that name in the pool (AdminAddUserToGroup, GetGroup...).
    static let groupNotFound = resourceNotFound("Group not found.")
    /// ListGroups, AdminListGroupsForUser and ListUsersInGroup with `Limit` 0.
    static let groupLimitOutOfRange = invalidParameter("Limit must be between 1 and 60.")
    /// DeleteUserPool of a pool that still has a domain.
    static let poolHasDomain = invalidParameter("User pool cannot be deleted. It has a domain configured that should be deleted first.")
    /// CreateUserPoolDomain for a pool that has one.
    static let domainConfigured = invalidParameter("User pool already has a domain configured.")
    /// CreateUserPoolDomain of a domain another pool has.
    static let domainTaken = invalidParameter("Domain already associated with another user pool.")
    /// UpdateUserPoolDomain or DeleteUserPoolDomain naming a domain the pool does not have.
    static let noSuchDomain = invalidParameter("No such domain or user pool exists.")
    /// A prefix domain outside `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`.
    static let invalidDomain = invalidParameter(
        "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"
    )
    /// A `CustomDomainConfig`: its ACM certificate cannot exist, the emulator has no ACM (Cognito's answer for a
    /// certificate CloudFront cannot use).
    static let certificateNotFound = invalidParameter(
        "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain."
    )

    /// A `ManagedLoginVersion` other than 1 (the classic hosted UI) or 2 (managed login).
    static let invalidManagedLoginVersion = invalidParameter("ManagedLoginVersion must be 1 or 2.")
    /// A prefix domain containing a word Cognito reserves (`aws`, `amazon`, `cognito`).
    static func reservedDomainWord(_ word: String) -> UserPoolsError { .invalidParameter("Domain cannot contain reserved word: \(word)") }

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
