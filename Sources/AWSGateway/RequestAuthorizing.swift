import EmulatorCore

/// The authorization hook every service calls on every operation, with the action names AWS uses.
///
/// The IAM issue implements it with the policy evaluator and the caller's role policies; until then
/// ``AllowAllAuthorizer`` lets every authenticated caller through. Services turn a denial into their own
/// AccessDenied error (S3 `AccessDenied`, DynamoDB `AccessDeniedException`, API Gateway `ForbiddenException`).
package protocol RequestAuthorizing: Sendable {
    /// Decides whether the caller may perform an action on resources.
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action, for example `s3:PutObject`.
    ///   - resources: The resource ARNs the action touches.
    ///   - context: Service-specific condition keys (`s3:prefix`, `dynamodb:LeadingKeys`...), multi-valued.
    /// - Returns: The decision.
    func authorize(caller: Caller, action: String, resources: [String], context: [String: [String]]) async -> AuthorizationDecision
}

/// The outcome of an authorization check.
package enum AuthorizationDecision: Sendable, Equatable {
    /// Allowed.
    case allowed
    /// Denied, with AWS's message ("User: ARN is not authorized to perform: ACTION on resource: ...").
    case denied(message: String)
}

/// Lets every caller do everything (the account administrator's view).
package struct AllowAllAuthorizer: RequestAuthorizing {
    /// Creates the authorizer.
    package init() {}

    /// Always allows.
    /// - Parameters:
    ///   - caller: Ignored.
    ///   - action: Ignored.
    ///   - resources: Ignored.
    ///   - context: Ignored.
    /// - Returns: `.allowed`.
    package func authorize(caller: Caller, action: String, resources: [String], context: [String: [String]]) async -> AuthorizationDecision {
        .allowed
    }
}
