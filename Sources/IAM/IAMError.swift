import EmulatorCore

/// IAM API errors, worded as IAM words them (query-protocol `<ErrorResponse>`); every message text is here.
/// See https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and each operation's Errors section.
package enum IAMError: AWSServiceError, Equatable {
    /// `NoSuchEntity` (404).
    case noSuchEntity(String)
    /// `EntityAlreadyExists` (409).
    case entityAlreadyExists(String)
    /// `MalformedPolicyDocument` (400).
    case malformedPolicyDocument(String)
    /// `DeleteConflict` (409).
    case deleteConflict(String)
    /// `LimitExceeded` (409).
    case limitExceeded(String)
    /// `InvalidInput` (400).
    case invalidInput(String)
    /// `ValidationError` (400): a parameter violates its constraint.
    case validation(String)
    /// `AccessDenied` (403).
    case accessDenied(String)
    /// `ServiceFailure` (500): the state could not be written.
    case serviceFailure
    /// `InvalidAction` (400): an `Action` IAM does not have, or the emulator does not serve.
    case invalidAction(String)

    /// The AWS error code.
    package var code: String {
        switch self {
        case .noSuchEntity: "NoSuchEntity"
        case .entityAlreadyExists: "EntityAlreadyExists"
        case .malformedPolicyDocument: "MalformedPolicyDocument"
        case .deleteConflict: "DeleteConflict"
        case .limitExceeded: "LimitExceeded"
        case .invalidInput: "InvalidInput"
        case .validation: "ValidationError"
        case .accessDenied: "AccessDenied"
        case .serviceFailure: "ServiceFailure"
        case .invalidAction: "InvalidAction"
        }
    }

    /// The AWS message text.
    package var message: String {
        switch self {
        case .noSuchEntity(let message), .entityAlreadyExists(let message), .malformedPolicyDocument(let message),
            .deleteConflict(let message), .limitExceeded(let message), .invalidInput(let message), .validation(let message),
            .accessDenied(let message):
            message
        case .serviceFailure: "The request processing has failed because of an unknown error, exception or failure."
        case .invalidAction(let action): "Could not find operation \(action) for version 2010-05-08"
        }
    }

    /// The HTTP status.
    package var httpStatus: Int {
        switch self {
        case .noSuchEntity: 404
        case .entityAlreadyExists, .deleteConflict, .limitExceeded: 409
        case .malformedPolicyDocument, .invalidInput, .validation, .invalidAction: 400
        case .accessDenied: 403
        case .serviceFailure: 500
        }
    }

    // MARK: Messages

    /// `The role with name NAME cannot be found.`
    package static func noSuchRole(_ name: String) -> IAMError { .noSuchEntity("The role with name \(name) cannot be found.") }
    /// `The user with name NAME cannot be found.`
    package static func noSuchUser(_ name: String) -> IAMError { .noSuchEntity("The user with name \(name) cannot be found.") }
    /// `The role policy with name NAME cannot be found.`
    package static func noSuchRolePolicy(_ name: String) -> IAMError {
        .noSuchEntity("The role policy with name \(name) cannot be found.")
    }
    /// `The user policy with name NAME cannot be found.`
    package static func noSuchUserPolicy(_ name: String) -> IAMError {
        .noSuchEntity("The user policy with name \(name) cannot be found.")
    }
    /// `Policy ARN does not exist or is not attachable.`
    package static func noSuchPolicy(_ arn: String) -> IAMError { .noSuchEntity("Policy \(arn) does not exist or is not attachable.") }
    /// `Policy ARN was not found.` (GetPolicy / DeletePolicy).
    package static func policyNotFound(_ arn: String) -> IAMError { .noSuchEntity("Policy \(arn) was not found.") }
    /// `Policy ARN version VERSION does not exist or is not attachable.`
    package static func noSuchPolicyVersion(_ arn: String, _ version: String) -> IAMError {
        .noSuchEntity("Policy \(arn) version \(version) does not exist or is not attachable.")
    }
    /// `The Access Key with id KEY cannot be found`
    package static func noSuchAccessKey(_ id: String) -> IAMError { .noSuchEntity("The Access Key with id \(id) cannot be found") }
    /// `Policy ARN was not found.` for a detach of a policy that is not attached.
    package static func notAttached(_ arn: String) -> IAMError { .noSuchEntity("Policy \(arn) was not found.") }
    /// `Role with name NAME already exists.`
    package static func roleExists(_ name: String) -> IAMError { .entityAlreadyExists("Role with name \(name) already exists.") }
    /// `User with name NAME already exists.`
    package static func userExists(_ name: String) -> IAMError { .entityAlreadyExists("User with name \(name) already exists.") }
    /// `A policy called NAME already exists. Duplicate names are not allowed.`
    package static func policyExists(_ name: String) -> IAMError {
        .entityAlreadyExists("A policy called \(name) already exists. Duplicate names are not allowed.")
    }
    /// A role or user with managed policies attached.
    package static let mustDetachPolicies = IAMError.deleteConflict("Cannot delete entity, must detach all policies first.")
    /// A role or user with inline policies.
    package static let mustDeletePolicies = IAMError.deleteConflict("Cannot delete entity, must delete policies first.")
    /// A user with access keys.
    package static let mustDeleteAccessKeys = IAMError.deleteConflict("Cannot delete entity, must delete access keys first.")
    /// DeleteUser of a group member, DeleteGroup of a group with members.
    package static let mustRemoveFromGroups = IAMError.deleteConflict("Cannot delete entity, must remove users from group first.")
    /// A managed policy still attached.
    package static let policyAttached = IAMError.deleteConflict("Cannot delete a policy attached to entities.")
    /// A policy with versions besides the default one.
    package static let policyHasVersions = IAMError.deleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
    )
    /// Deleting the default version.
    package static let defaultVersion = IAMError.deleteConflict("Cannot delete the default version of a policy.")
    /// A sixth policy version.
    package static let tooManyVersions = IAMError.limitExceeded(
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version."
    )
    /// A third access key.
    package static let tooManyAccessKeys = IAMError.limitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")

    /// `1 validation error detected: Value null at 'FIELD' failed to satisfy constraint: Member must not be null`.
    /// - Parameter field: The camel-case member name.
    /// - Returns: The error.
    package static func missing(_ field: String) -> IAMError {
        .validation(ValidationMessages.mustNotBeNull(field))
    }

    /// One constraint violation.
    /// - Parameters:
    ///   - field: The camel-case member name.
    ///   - value: The value sent.
    ///   - constraint: The constraint text.
    /// - Returns: The error.
    package static func constraint(_ field: String, value: String, _ constraint: String) -> IAMError {
        .validation(ValidationMessages.constraint(field, value: value, constraint))
    }
}
