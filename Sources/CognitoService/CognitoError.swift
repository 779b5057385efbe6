import EmulatorCore

/// Cognito Identity's errors, with AWS's message texts (the only place they are written).
package enum CognitoError: AWSServiceError {
    /// No pool with that id.
    case poolNotFound(String)
    /// No identity with that id.
    case identityNotFound(String)
    /// The pool does not allow unauthenticated identities.
    case unauthenticatedNotSupported
    /// The pool has no role for the kind of identity asking.
    case invalidPoolConfiguration
    /// Logins for identity providers are not emulated yet.
    case loginsNotEmulated(providers: [String])
    /// A parameter violates its constraint.
    case validation(String)
    /// A bad parameter the model's constraints do not cover.
    case invalidParameter(String)
    /// The body is not the JSON the operation expects.
    case serialization(String)
    /// The caller's policies do not allow the operation.
    case accessDenied(String)
    /// An operation Cognito Identity has but the emulator does not serve.
    case unknownOperation
    /// A login that does not authorize the request (`NotAuthorizedException` with Cognito's text).
    case notAuthorized(String)
    /// The request conflicts with existing links (`ResourceConflictException`).
    case resourceConflict(String)
    /// Something else was not found (`ResourceNotFoundException` with Cognito's text).
    case resourceNotFound(String)

    /// The AWS error code.
    package var code: String {
        switch self {
        case .poolNotFound, .identityNotFound, .resourceNotFound: "ResourceNotFoundException"
        case .unauthenticatedNotSupported, .loginsNotEmulated, .notAuthorized: "NotAuthorizedException"
        case .resourceConflict: "ResourceConflictException"
        case .invalidPoolConfiguration: "InvalidIdentityPoolConfigurationException"
        case .validation: "ValidationException"
        case .invalidParameter: "InvalidParameterException"
        case .serialization: "SerializationException"
        case .accessDenied: "AccessDeniedException"
        case .unknownOperation: "UnknownOperationException"
        }
    }

    /// The AWS message text.
    package var message: String {
        switch self {
        case .poolNotFound(let id): "IdentityPool '\(id)' not found."
        case .identityNotFound(let id): "Identity '\(id)' not found."
        case .unauthenticatedNotSupported: "Unauthenticated access is not supported for this identity pool."
        case .invalidPoolConfiguration: "Invalid identity pool configuration. Check assigned IAM roles for this pool."
        case .loginsNotEmulated(let providers):
            "Logins for identity providers (\(providers.joined(separator: ", "))) are not emulated by synapscribe-local yet; "
                + "use unauthenticated identities (call GetId without Logins)."
        case .validation(let message), .invalidParameter(let message), .serialization(let message), .accessDenied(let message),
            .notAuthorized(let message), .resourceConflict(let message), .resourceNotFound(let message):
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
    static func missing(_ field: String) -> CognitoError {
        .validation(ValidationMessages.mustNotBeNull(field))
    }

    /// A constraint violation on one field.
    static func constraint(_ field: String, value: String, _ constraint: String) -> CognitoError {
        .validation(ValidationMessages.constraint(field, value: value, constraint))
    }

    /// A login map that names no provider the identity or pool has.
    static let loginsDoNotMatch = "Logins don't match. Please include at least one valid login for this identity or identity pool."
    /// A `cognito-identity.amazonaws.com` login token that is not one of ours.
    static let invalidLoginToken = "Invalid login token. Not a valid OpenId Connect identity token."
    /// An expired `cognito-identity.amazonaws.com` login token.
    static let expiredLoginToken = "Invalid login token. Token is expired."

    /// The regular expression identity and pool ids must match.
    static let idPattern = "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
    /// The regular expression pool names must match.
    static let namePattern = "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
}

extension CognitoError: JSONInputFailure {}

/// Cognito's request bodies.
typealias JSONInput = JSONRequestInput<CognitoError>
