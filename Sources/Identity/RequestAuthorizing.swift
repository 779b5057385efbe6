/// The authorization hook every service calls on every operation, with the action names AWS uses.
///
/// `IAM.PolicyAuthorizer` implements it with the policy evaluator and the caller's role policies;
/// ``AllowAllAuthorizer`` lets every caller through. Services call ``require(_:action:resources:context:denied:)``,
/// which turns a denial into their own AccessDenied error (S3 `AccessDenied`, DynamoDB `AccessDeniedException`,
/// API Gateway `ForbiddenException`).
package protocol RequestAuthorizing: Sendable {
    /// Decides whether the caller may perform an action on resources.
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action, for example `s3:PutObject`.
    ///   - resources: The resource ARNs the action touches.
    ///   - context: Service-specific condition keys (`s3:prefix`, `dynamodb:LeadingKeys`...), multi-valued.
    /// - Returns: The decision.
    func authorize(caller: Caller, action: String, resources: [String], context: [String: [String]]) async -> AuthorizationDecision

    /// Whether decisions for this caller can depend on the condition keys a service supplies.
    ///
    /// ``require(_:action:resources:context:denied:)`` works out a request's condition keys only when this is true,
    /// and services skip other work that only feeds them (reading an object's tags for `s3:ExistingObjectTag/...`).
    /// - Parameter caller: The authenticated caller.
    /// - Returns: `true` unless the authorizer knows the caller's decisions ignore condition keys.
    func usesConditionKeys(for caller: Caller) -> Bool

    /// Decides with the verdict of a resource-based policy (an S3 bucket policy or ACL) beside the caller's
    /// identity-based policies, as AWS evaluates same-account requests: an explicit deny in either wins, else an
    /// allow in either allows.
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action.
    ///   - resources: The resource ARNs.
    ///   - context: Service-specific condition keys.
    ///   - resourceVerdict: What the resource-based policy says.
    /// - Returns: The decision.
    func authorize(
        caller: Caller,
        action: String,
        resources: [String],
        context: [String: [String]],
        resourceVerdict: ResourcePolicyVerdict
    ) async -> AuthorizationDecision
}

/// What a resource-based policy says about one request.
package enum ResourcePolicyVerdict: Sendable, Equatable {
    /// No statement (or grant) applies.
    case none
    /// A statement or grant allows it, none denies it.
    case allow
    /// A statement denies it, with AWS's message.
    case explicitDeny(message: String)
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

    /// Nothing depends on condition keys.
    /// - Parameter caller: Ignored.
    /// - Returns: `false`.
    package func usesConditionKeys(for caller: Caller) -> Bool { false }
}

extension RequestAuthorizing {
    /// By default a resource policy's explicit deny denies, its allow allows, and otherwise the identity decides.
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action.
    ///   - resources: The resource ARNs.
    ///   - context: Service-specific condition keys.
    ///   - resourceVerdict: What the resource-based policy says.
    /// - Returns: The decision.
    package func authorize(
        caller: Caller,
        action: String,
        resources: [String],
        context: [String: [String]],
        resourceVerdict: ResourcePolicyVerdict
    ) async -> AuthorizationDecision {
        switch resourceVerdict {
        case .explicitDeny(let message): .denied(message: message)
        case .allow: .allowed
        case .none: await authorize(caller: caller, action: action, resources: resources, context: context)
        }
    }

    /// By default every caller's decisions may depend on condition keys.
    /// - Parameter caller: The authenticated caller.
    /// - Returns: `true`.
    package func usesConditionKeys(for caller: Caller) -> Bool { true }

    /// Requires that the caller may perform an action on resources, or throws the service's AccessDenied error.
    ///
    /// The one place every service's authorization goes through: the service names the action, the resources
    /// and the condition keys it supplies (`dynamodb:LeadingKeys`, `s3:prefix`...), and how a denial reads.
    /// The condition keys are worked out only when ``usesConditionKeys(for:)`` says they can matter, so the
    /// administrator's requests do not pay for them.
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action, for example `dynamodb:GetItem`.
    ///   - resources: The resource ARNs the action touches.
    ///   - context: Service-specific condition keys, multi-valued.
    ///   - denied: Makes the service's AccessDenied error from AWS's denial message.
    /// - Throws: The error `denied` makes, when the action is denied.
    package func require<Failure: Error>(
        _ caller: Caller,
        action: String,
        resources: [String],
        context: @autoclosure () -> [String: [String]] = [:],
        denied: (String) -> Failure
    ) async throws(Failure) {
        let keys = usesConditionKeys(for: caller) ? context() : [:]
        let decision = await authorize(caller: caller, action: action, resources: resources, context: keys)
        if case .denied(let message) = decision { throw denied(message) }
    }

    /// ``require(_:action:resources:context:denied:)`` with a resource-based policy's verdict.
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action.
    ///   - resources: The resource ARNs.
    ///   - context: Service-specific condition keys.
    ///   - resourceVerdict: What the resource-based policy says.
    ///   - denied: Makes the service's AccessDenied error from AWS's denial message.
    /// - Throws: The error `denied` makes, when the action is denied.
    package func require<Failure: Error>(
        _ caller: Caller,
        action: String,
        resources: [String],
        context: @autoclosure () -> [String: [String]] = [:],
        resourceVerdict: ResourcePolicyVerdict,
        denied: (String) -> Failure
    ) async throws(Failure) {
        let keys = usesConditionKeys(for: caller) ? context() : [:]
        let decision = await authorize(caller: caller, action: action, resources: resources, context: keys, resourceVerdict: resourceVerdict)
        if case .denied(let message) = decision { throw denied(message) }
    }
}
