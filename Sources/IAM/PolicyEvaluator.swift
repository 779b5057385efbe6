import Foundation
import Identity

/// Which statement decided a request, for logging and error messages.
package struct MatchedStatement: Sendable, Hashable, CustomStringConvertible {
    /// The index of the policy in the list passed to the evaluator.
    package var policyIndex: Int
    /// The policy's `name` (ARN or inline name), when it has one.
    package var policyName: String?
    /// The index of the statement within its policy.
    package var statementIndex: Int
    /// The statement's `Sid`, when it has one.
    package var sid: String?
    /// The request resource the statement matched.
    package var resource: String

    /// Creates a matched-statement record.
    package init(policyIndex: Int, policyName: String?, statementIndex: Int, sid: String?, resource: String) {
        self.policyIndex = policyIndex
        self.policyName = policyName
        self.statementIndex = statementIndex
        self.sid = sid
        self.resource = resource
    }

    /// For logs: `policy NAME statement #N (Sid X) on RESOURCE`.
    package var description: String {
        let policy = policyName ?? "#\(policyIndex)"
        let sidText = sid.map { " (Sid \($0))" } ?? ""
        return "policy \(policy) statement #\(statementIndex)\(sidText) on \(resource)"
    }
}

/// The outcome of evaluating identity-based policies for a request.
package enum Decision: Sendable, Hashable {
    /// Some statement allows every resource and none denies; carries the allowing statement (of the first resource).
    case allow(MatchedStatement)
    /// A `Deny` statement matched; it wins over any allow.
    case explicitDeny(MatchedStatement)
    /// No statement allows (at least one resource of) the request.
    case implicitDeny

    /// Whether the request may proceed.
    package var isAllowed: Bool {
        if case .allow = self { return true }
        return false
    }
}

/// The decision for one resource of a multi-resource request.
package struct ResourceDecision: Sendable, Hashable {
    /// The resource ARN (or `*` when the request had no resources).
    package var resource: String
    /// The decision for that resource alone.
    package var decision: Decision
}

/// IAM's policy evaluation logic for identity-based policies: explicit deny wins, then any allow, else implicit deny.
package enum PolicyEvaluator {
    /// Evaluates a request against policies.
    /// - Parameters:
    ///   - request: The principal, action, resources and context.
    ///   - policies: Every policy that applies to the principal (inline and attached managed).
    /// - Returns: `.explicitDeny` if any statement denies any resource, else `.implicitDeny` if some resource is not
    ///   allowed, else `.allow`.
    package static func evaluate(request: AuthorizationRequest, policies: [PolicyDocument]) -> Decision {
        let perResource = evaluateEach(request: request, policies: policies)
        if let denied = perResource.first(where: { if case .explicitDeny = $0.decision { true } else { false } }) {
            return denied.decision
        }
        if perResource.contains(where: { $0.decision == .implicitDeny }) { return .implicitDeny }
        return perResource.first?.decision ?? .implicitDeny
    }

    /// Evaluates each resource of a request separately.
    /// - Parameters:
    ///   - request: The principal, action, resources and context.
    ///   - policies: Every policy that applies to the principal.
    /// - Returns: One decision per resource, in request order (one entry for `*` when the request has no resources).
    package static func evaluateEach(request: AuthorizationRequest, policies: [PolicyDocument]) -> [ResourceDecision] {
        let context = ContextLookup(request.effectiveContext)
        let resources = request.resources.isEmpty ? ["*"] : request.resources
        return resources.map { resource in
            ResourceDecision(resource: resource, decision: decide(resource: resource, request: request, context: context, policies: policies))
        }
    }

    private static func decide(resource: String, request: AuthorizationRequest, context: ContextLookup, policies: [PolicyDocument]) -> Decision {
        var firstAllow: MatchedStatement?
        for (policyIndex, policy) in policies.enumerated() {
            let variables = policy.version.supportsPolicyVariables ? context : nil
            for (statementIndex, statement) in policy.statements.enumerated() {
                guard applies(statement, resource: resource, request: request, context: context, variables: variables) else { continue }
                let match = MatchedStatement(
                    policyIndex: policyIndex,
                    policyName: policy.name,
                    statementIndex: statementIndex,
                    sid: statement.sid,
                    resource: resource
                )
                switch statement.effect {
                case .deny: return .explicitDeny(match)
                case .allow: if firstAllow == nil { firstAllow = match }
                }
            }
        }
        return firstAllow.map(Decision.allow) ?? .implicitDeny
    }

    /// Whether a statement matches the action, resource, principal and conditions of a request.
    static func applies(
        _ statement: PolicyStatement,
        resource: String,
        request: AuthorizationRequest,
        context: ContextLookup,
        variables: ContextLookup?
    ) -> Bool {
        let actionHit: Bool
        switch statement.actions {
        case .matching(let patterns):
            actionHit = patterns.contains { PatternMatcher.actionMatches(pattern: $0, action: request.action) }
        case .notMatching(let patterns):
            actionHit = !patterns.contains { PatternMatcher.actionMatches(pattern: $0, action: request.action) }
        }
        guard actionHit else { return false }
        switch statement.resources {
        case .matching(let patterns):
            guard patterns.contains(where: { PatternMatcher.arnMatches(pattern: $0, arn: resource, variables: variables) }) else { return false }
        case .notMatching(let patterns):
            guard !patterns.contains(where: { PatternMatcher.arnMatches(pattern: $0, arn: resource, variables: variables) }) else { return false }
        case nil:
            break
        }
        switch statement.principal {
        case .principal(let set):
            guard principalMatches(set, request: request, context: context) else { return false }
        case .notPrincipal(let set):
            guard !principalMatches(set, request: request, context: context) else { return false }
        case nil:
            break
        }
        return ConditionEvaluator.allHold(statement.conditions, context: context, variables: variables)
    }

    /// Whether the request's principal is named by a principal set (account, role, role session, user, service or federated provider).
    static func principalMatches(_ set: PrincipalSet, request: AuthorizationRequest, context: ContextLookup) -> Bool {
        if set.isWildcard { return true }
        let caller = request.principalArn
        let callerARN = ARN(parsing: caller)
        for identifier in set.principals["AWS"] ?? [] {
            if identifier == "*" || identifier == caller { return true }
            if let callerARN, identifier == callerARN.account, identifier.count == 12 { return true }
            guard let named = ARN(parsing: identifier), let callerARN else { continue }
            if named.service == "iam", named.resource == "root", named.account == callerARN.account { return true }
            if let session = callerARN.assumedRoleParts, named.service == "iam", named.account == callerARN.account,
                named.resource.hasPrefix("role/"), named.resource.split(separator: "/").last.map(String.init) == session.role
            {
                return true
            }
        }
        let services = context.value(forKey: "aws:PrincipalServiceName")?.values ?? []
        for identifier in set.principals["Service"] ?? [] where identifier == caller || services.contains(identifier) {
            return true
        }
        for identifier in set.principals["Federated"] ?? [] where identifier == caller {
            return true
        }
        for identifier in set.principals["CanonicalUser"] ?? [] where identifier == caller {
            return true
        }
        return false
    }
}
