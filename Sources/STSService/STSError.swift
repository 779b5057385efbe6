import EmulatorCore
import Foundation

/// STS errors, worded as STS words them (query-protocol `<ErrorResponse>`).
package enum STSError: AWSServiceError {
    /// The caller may not assume the role (no identity policy allows it, or the role does not exist).
    case accessDenied(String)
    /// The web identity token's trust check failed.
    case webIdentityNotAuthorized
    /// A parameter violates its constraint (`1 validation error detected: ...`).
    case validation(String)
    /// DurationSeconds above the role's `MaxSessionDuration`.
    case durationExceedsMaxSession
    /// The web identity token is not one this emulator issued.
    case invalidIdentityToken(String)
    /// The web identity token expired.
    case expiredWebIdentityToken(now: Date, expiresAt: Date)
    /// An `Action` STS does not have (or the emulator does not serve).
    case invalidAction(String)
    /// A session policy (`Policy`) that does not parse, or a `PolicyArns` entry that names no managed policy.
    case malformedPolicyDocument(String)

    /// The AWS error code.
    package var code: String {
        switch self {
        case .accessDenied, .webIdentityNotAuthorized: "AccessDenied"
        case .validation, .durationExceedsMaxSession: "ValidationError"
        case .invalidIdentityToken: "InvalidIdentityToken"
        case .expiredWebIdentityToken: "ExpiredTokenException"
        case .invalidAction: "InvalidAction"
        case .malformedPolicyDocument: "MalformedPolicyDocument"
        }
    }

    /// The AWS message text.
    package var message: String {
        switch self {
        case .accessDenied(let message): message
        case .webIdentityNotAuthorized: "Not authorized to perform sts:AssumeRoleWithWebIdentity"
        case .validation(let message): message
        case .durationExceedsMaxSession: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        case .invalidIdentityToken(let message): message
        case .expiredWebIdentityToken(let now, let expiresAt):
            "Token expired: current date/time \(Timestamp.epochSeconds(now)) must be before the expiration date/time "
                + "\(Timestamp.epochSeconds(expiresAt))"
        case .invalidAction(let action): "Could not find operation \(action) for version 2011-06-15"
        case .malformedPolicyDocument(let message): message
        }
    }

    /// The HTTP status.
    package var httpStatus: Int {
        switch self {
        case .accessDenied, .webIdentityNotAuthorized: 403
        default: 400
        }
    }

    /// `1 validation error detected: Value null at 'FIELD' failed to satisfy constraint: Member must not be null`.
    static func missing(_ field: String) -> STSError {
        .validation(ValidationMessages.mustNotBeNull(field))
    }

    /// A constraint violation on one field.
    static func constraint(_ field: String, value: String, _ constraint: String) -> STSError {
        .validation(ValidationMessages.constraint(field, value: value, constraint))
    }

    /// The message for an unparseable or foreign web identity token.
    static let tokenNotValid = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
}
