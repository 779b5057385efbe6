import Foundation
import Identity

/// Builds AWS's `AccessDenied` message texts for identity-based policy denials.
package enum AccessDeniedMessage {
    /// How a service words its message.
    package enum ResourceStyle: Sendable, Hashable {
        /// `on resource: arn:...` (DynamoDB, Lambda and most JSON services).
        case plain
        /// `on resource: "arn:..."` (S3).
        case quoted
        /// API Gateway: `on resource: arn:aws:execute-api:REGION:********1234:...` (all but the last four account digits masked),
        /// no reason clause for an implicit deny, and ` with an explicit deny` for an explicit one.
        case apiGateway

        /// The style a service uses, chosen from the action's service prefix.
        package static func forAction(_ action: String) -> ResourceStyle {
            let service = action.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            switch service {
            case "s3": return .quoted
            case "execute-api": return .apiGateway
            default: return .plain
            }
        }
    }

    /// The message for a denied request.
    /// - Parameters:
    ///   - principalArn: The caller, for example `arn:aws:sts::123456789012:assumed-role/Role/session`.
    ///   - action: The IAM action, for example `s3:PutObject`.
    ///   - resource: The resource ARN the message names.
    ///   - explicit: True for an explicit deny, false when no policy allowed the action.
    ///   - style: How to render the resource; defaults to the style of the action's service.
    /// - Returns: For example `User: ARN is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/k" because no
    ///   identity-based policy allows the s3:PutObject action`.
    package static func message(principalArn: String, action: String, resource: String, explicit: Bool, style: ResourceStyle? = nil) -> String {
        let resolvedStyle = style ?? ResourceStyle.forAction(action)
        let renderedResource: String
        switch resolvedStyle {
        case .plain: renderedResource = resource
        case .quoted: renderedResource = "\"\(resource)\""
        case .apiGateway: renderedResource = maskAccount(resource)
        }
        let head = "User: \(principalArn) is not authorized to perform: \(action) on resource: \(renderedResource)"
        if resolvedStyle == .apiGateway { return explicit ? head + " with an explicit deny" : head }
        if explicit { return head + " with an explicit deny in an identity-based policy" }
        return head + " because no identity-based policy allows the \(action) action"
    }

    /// The message for a decision, or nil when the decision allows the request.
    /// - Parameters:
    ///   - decision: The evaluator's decision.
    ///   - request: The evaluated request; its first resource is named for an implicit deny.
    ///   - style: How to render the resource; defaults to the style of the action's service.
    /// - Returns: The message, or nil for `.allow`.
    package static func message(for decision: Decision, request: AuthorizationRequest, style: ResourceStyle? = nil) -> String? {
        switch decision {
        case .allow:
            return nil
        case .explicitDeny(let match):
            return message(principalArn: request.principalArn, action: request.action, resource: match.resource, explicit: true, style: style)
        case .implicitDeny:
            let resource = request.resources.first ?? "*"
            return message(principalArn: request.principalArn, action: request.action, resource: resource, explicit: false, style: style)
        }
    }

    /// The message for per-resource decisions: names the first explicitly denied resource, else the first not allowed.
    /// - Parameters:
    ///   - decisions: The output of `PolicyEvaluator.evaluateEach`.
    ///   - request: The evaluated request.
    ///   - style: How to render the resource; defaults to the style of the action's service.
    /// - Returns: The message, or nil when every resource is allowed.
    package static func message(for decisions: [ResourceDecision], request: AuthorizationRequest, style: ResourceStyle? = nil) -> String? {
        let explicit = decisions.first { if case .explicitDeny = $0.decision { true } else { false } }
        guard let denied = explicit ?? decisions.first(where: { !$0.decision.isAllowed }) else { return nil }
        return message(
            principalArn: request.principalArn,
            action: request.action,
            resource: denied.resource,
            explicit: explicit != nil,
            style: style
        )
    }

    /// Replaces all but the last four digits of the account component with `*`.
    static func maskAccount(_ resource: String) -> String {
        guard var arn = ARN(parsing: resource), arn.account.count > 4 else { return resource }
        arn.account = String(repeating: "*", count: arn.account.count - 4) + arn.account.suffix(4)
        return arn.description
    }
}
