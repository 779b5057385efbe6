import EmulatorCore
import Foundation
import Identity
import Logging
import SigV4
import Synchronization

/// How strictly identity-based policies are applied (`synapscribe-local start --iam MODE`).
package enum IAMMode: String, Sendable, CaseIterable {
    /// Denied requests fail with the service's AccessDenied error, as in AWS.
    case enforce
    /// Every request proceeds; what AWS would deny is logged.
    case audit
    /// No evaluation at all.
    case off
}

/// The ``RequestAuthorizing`` hook backed by the policy evaluator.
///
/// Who the caller is decides which policies apply:
/// - the long-term test key pair, keys from `--credentials-file` and unknown keys accepted unverified act as the
///   account's administrator: everything is allowed;
/// - temporary credentials issued by STS, Cognito or for a Lambda execution role are evaluated against the
///   policies of their role (``RoleCatalog``), with the session's own context keys (Cognito's
///   `cognito-identity.amazonaws.com:sub`/`aud`/`amr`) and the global keys (`aws:CurrentTime` and
///   `aws:EpochTime` on the virtual clock, `aws:SourceIp` 127.0.0.1, `aws:SecureTransport` false,
///   `aws:PrincipalArn`, `aws:userid`);
/// - anonymous callers have no identity-based policies; they are denied with `Access Denied` (services that
///   serve unsigned operations, such as Cognito `GetId`, do not ask).
package struct PolicyAuthorizer: RequestAuthorizing {
    /// One evaluation, with everything the log line and the tests need.
    package struct Outcome: Sendable, Equatable {
        /// The hook's answer (in audit mode always `.allowed`).
        package var decision: AuthorizationDecision
        /// The evaluator's decision, nil when no evaluation happened (administrator, anonymous, mode off).
        package var evaluation: Decision?
        /// The principal the request was evaluated as.
        package var principalArn: String?
        /// The denial message AWS would send, also in audit mode.
        package var wouldDenyMessage: String?

        /// Creates an outcome.
        package init(decision: AuthorizationDecision, evaluation: Decision?, principalArn: String?, wouldDenyMessage: String?) {
            self.decision = decision
            self.evaluation = evaluation
            self.principalArn = principalArn
            self.wouldDenyMessage = wouldDenyMessage
        }
    }

    /// The mode.
    package let mode: IAMMode
    /// Issued sessions and the template's roles.
    package let sessions: RoleSessions
    private let logger: Logger
    /// The most recent denials, for the dashboard.
    package let decisions: DecisionLog
    /// What does not change for the life of a credential (role, principal-derived context keys), worked out once.
    private let sessionFacts = SessionFactsCache()

    /// The message AWS services give anonymous callers that no policy admits.
    package static let anonymousDenial = "Access Denied"

    /// The denial for temporary credentials that expired and were purged after their request was authenticated.
    package static let expiredSessionDenial = "The security token included in the request is expired"

    /// Creates the authorizer.
    /// - Parameters:
    ///   - mode: How strictly to apply policies.
    ///   - sessions: Issued sessions and the template's roles.
    ///   - logger: Where denials (and audit-mode would-be denials) are logged.
    ///   - decisions: Where the most recent denials are kept.
    package init(mode: IAMMode, sessions: RoleSessions, logger: Logger, decisions: DecisionLog = DecisionLog()) {
        self.mode = mode
        self.sessions = sessions
        self.logger = logger
        self.decisions = decisions
    }

    /// Decides whether the caller may perform an action on resources; logs denials with the deciding statement.
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action, for example `s3:PutObject`.
    ///   - resources: The resource ARNs the action touches.
    ///   - context: Service-specific condition keys, multi-valued.
    /// - Returns: The decision.
    package func authorize(caller: Caller, action: String, resources: [String], context: [String: [String]]) async -> AuthorizationDecision {
        await authorize(caller: caller, action: action, resources: resources, context: context, resourceVerdict: .none)
    }

    /// Decides with a resource-based policy's verdict beside the identity-based policies (same-account logic: an
    /// explicit deny in either wins, else an allow in either allows); logs denials.
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
        let outcome = evaluate(caller: caller, action: action, resources: resources, context: context, resourceVerdict: resourceVerdict)
        if let message = outcome.wouldDenyMessage {
            var metadata: Logger.Metadata = [
                "action": .string(action),
                "principal": .string(outcome.principalArn ?? "anonymous"),
                "resources": .array(resources.map { .string($0) }),
                "decision": .string(Self.describe(outcome.evaluation)),
            ]
            if let key = caller.accessKeyId { metadata["access-key-id"] = .string(key) }
            decisions.record(
                DecisionLog.Entry(
                    time: sessions.clock.now,
                    principal: outcome.principalArn,
                    action: action,
                    resources: resources,
                    message: message,
                    statement: Self.describe(outcome.evaluation),
                    auditOnly: mode == .audit
                )
            )
            if mode == .audit {
                logger.warning("IAM audit: AWS would deny this request: \(message)", metadata: metadata)
            } else {
                logger.notice("IAM denied: \(message)", metadata: metadata)
            }
        }
        return outcome.decision
    }

    /// Whether the caller's decisions can depend on condition keys: only temporary credentials issued for a role
    /// are evaluated against policies (the administrator's keys are allowed everything, anonymous callers denied).
    /// - Parameter caller: The authenticated caller.
    /// - Returns: Whether services should supply condition keys that cost work to compute.
    package func usesConditionKeys(for caller: Caller) -> Bool {
        guard mode != .off, !caller.isAnonymous, let accessKeyId = caller.accessKeyId else { return false }
        return sessions.store.temporary(for: accessKeyId) != nil || sessions.directory.standing(ofAccessKey: accessKeyId) != .notAUserKey
    }

    /// Evaluates without logging (the pure part of ``authorize(caller:action:resources:context:)``).
    /// - Parameters:
    ///   - caller: The authenticated caller.
    ///   - action: The IAM action.
    ///   - resources: The resource ARNs.
    ///   - context: Service-specific condition keys.
    ///   - resourceVerdict: What a resource-based policy (an S3 bucket policy or ACL) says, combined per AWS's
    ///     same-account logic.
    /// - Returns: The outcome.
    package func evaluate(
        caller: Caller,
        action: String,
        resources: [String],
        context: [String: [String]],
        resourceVerdict: ResourcePolicyVerdict = .none
    ) -> Outcome {
        guard mode != .off else {
            return Outcome(decision: .allowed, evaluation: nil, principalArn: caller.principalArn, wouldDenyMessage: nil)
        }
        if case .explicitDeny(let message) = resourceVerdict {
            return finish(Outcome(decision: .denied(message: message), evaluation: nil, principalArn: caller.principalArn, wouldDenyMessage: message))
        }
        if caller.isAnonymous {
            if resourceVerdict == .allow {
                return Outcome(decision: .allowed, evaluation: nil, principalArn: nil, wouldDenyMessage: nil)
            }
            return finish(
                Outcome(decision: .denied(message: Self.anonymousDenial), evaluation: nil, principalArn: nil, wouldDenyMessage: Self.anonymousDenial)
            )
        }
        guard let accessKeyId = caller.accessKeyId, let session = sessions.store.temporary(for: accessKeyId), let roleArn = session.roleArn else {
            if caller.signatureVerified, !(caller.sessionToken ?? "").isEmpty,
                caller.accessKeyId.flatMap({ sessions.store.temporary(for: $0) }) == nil
            {
                // Verified temporary credentials purged (expired) between authentication and now, during a long upload:
                // they must not fall back to the administrator's rights.
                return finish(
                    Outcome(
                        decision: .denied(message: Self.expiredSessionDenial),
                        evaluation: nil,
                        principalArn: caller.principalArn,
                        wouldDenyMessage: Self.expiredSessionDenial
                    )
                )
            }
            if !(caller.sessionToken ?? "").isEmpty, let accessKeyId = caller.accessKeyId, let session = sessions.store.temporary(for: accessKeyId),
                let issuer = session.sessionContext[RoleSessions.issuingUserKey]?.first
            {
                // `GetSessionToken` / `GetFederationToken` sessions act with their user's current policies.
                return evaluateIssuedSession(
                    session,
                    issuer: issuer,
                    action: action,
                    resources: resources,
                    context: context,
                    resourceVerdict: resourceVerdict
                )
            }
            if let accessKeyId = caller.accessKeyId {
                // IAM users' long-term keys (CreateAccessKey) are evaluated against the user's policies.
                switch sessions.directory.standing(ofAccessKey: accessKeyId) {
                case .notAUserKey:
                    break
                case .refused(let userArn):
                    let message = Self.refusedKeyDenial
                    return finish(Outcome(decision: .denied(message: message), evaluation: nil, principalArn: userArn, wouldDenyMessage: message))
                case .active(let userArn, let userId, let userName, let policies):
                    return evaluateUser(
                        arn: userArn,
                        userId: userId,
                        userName: userName,
                        policies: policies,
                        action: action,
                        resources: resources,
                        context: context,
                        resourceVerdict: resourceVerdict
                    )
                }
            }
            // Long-term keys and unknown keys: the account's administrator.
            return Outcome(decision: .allowed, evaluation: nil, principalArn: caller.principalArn, wouldDenyMessage: nil)
        }
        let facts = sessionFacts.facts(accessKeyId: accessKeyId) {
            let sessionName = ARN(parsing: session.principal)?.assumedRoleParts?.session ?? ""
            var base = AuthorizationRequest.globalContext(
                principalArn: session.principal,
                sourceIp: "127.0.0.1",
                secureTransport: false,
                now: sessions.clock.now,
                userid: sessions.assumedRoleId(roleArn: roleArn, sessionName: sessionName)
            )
            for (key, values) in session.sessionContext where key != RoleSessions.sessionPolicyKey {
                base[key] = Self.contextValue(values)
            }
            return SessionFacts(context: base, sessionPolicies: Self.sessionPolicies(of: session))
        }
        // Looked up per request: a change through the IAM API (PutRolePolicy...) applies to the next request.
        let role = sessions.role(arn: roleArn)
        let now = sessions.clock.now
        var requestContext = facts.context
        requestContext["aws:CurrentTime"] = .single(CurrentTimeText.iso8601(now))
        requestContext["aws:EpochTime"] = .epochSeconds(now)
        for (key, values) in context { requestContext[key] = Self.contextValue(values) }
        let request = AuthorizationRequest(principalArn: session.principal, action: action, resources: resources, context: requestContext)
        let decisions = PolicyEvaluator.evaluateEach(request: request, policies: role?.policies ?? [])
        let evaluation = Self.combine(decisions)
        if let denial = sessionPolicyDenial(facts.sessionPolicies, request: request, evaluation: evaluation, resourceVerdict: resourceVerdict) {
            return denial
        }
        if resourceVerdict == .allow, !Self.isExplicitDeny(evaluation) {
            // Same account: the resource-based policy's allow suffices unless an identity-based policy denies.
            return Outcome(decision: .allowed, evaluation: evaluation, principalArn: session.principal, wouldDenyMessage: nil)
        }
        guard let message = AccessDeniedMessage.message(for: decisions, request: request) else {
            return Outcome(decision: .allowed, evaluation: evaluation, principalArn: session.principal, wouldDenyMessage: nil)
        }
        return finish(
            Outcome(decision: .denied(message: message), evaluation: evaluation, principalArn: session.principal, wouldDenyMessage: message)
        )
    }

    /// Session policies (STS `Policy`/`PolicyArns`) cap the identity's permissions: the effective permissions are
    /// the intersection, and an explicit deny in either denies. Returns the denial, or nil when they do not deny.
    private func sessionPolicyDenial(
        _ sessionPolicies: [PolicyDocument],
        request: AuthorizationRequest,
        evaluation: Decision,
        resourceVerdict: ResourcePolicyVerdict
    ) -> Outcome? {
        guard !sessionPolicies.isEmpty, !Self.isExplicitDeny(evaluation) else { return nil }
        let sessionDecisions = PolicyEvaluator.evaluateEach(request: request, policies: sessionPolicies)
        let sessionEvaluation = Self.combine(sessionDecisions)
        guard !sessionEvaluation.isAllowed, evaluation.isAllowed || resourceVerdict == .allow || Self.isExplicitDeny(sessionEvaluation) else {
            return nil
        }
        let base = AccessDeniedMessage.message(for: sessionDecisions, request: request) ?? ""
        let message = base.replacingOccurrences(of: "identity-based policy", with: "session policy")
        return finish(
            Outcome(decision: .denied(message: message), evaluation: sessionEvaluation, principalArn: request.principalArn, wouldDenyMessage: message)
        )
    }

    /// The session policies a credential was issued with (checked when issued; one that no longer parses grants nothing).
    private static func sessionPolicies(of session: TemporaryCredential) -> [PolicyDocument] {
        (session.sessionContext[RoleSessions.sessionPolicyKey] ?? []).enumerated().map { index, text in
            (try? PolicyDocument(jsonString: text, name: "session policy #\(index + 1)"))
                ?? PolicyDocument(statements: [], name: "session policy #\(index + 1)")
        }
    }

    /// What the account's root user may do, as an identity policy: everything (the administrator's keys).
    private static let rootPermissions = [
        (try? PolicyDocument(
            jsonString: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            name: "account root"
        ))
            ?? PolicyDocument(statements: [], name: "account root")
    ]

    /// Evaluates a request signed with credentials from `GetSessionToken` or `GetFederationToken`: the issuing
    /// user's current policies (everything for the root user), capped by the session's policies.
    private func evaluateIssuedSession(
        _ session: TemporaryCredential,
        issuer: String,
        action: String,
        resources: [String],
        context: [String: [String]],
        resourceVerdict: ResourcePolicyVerdict
    ) -> Outcome {
        var identity: (userId: String, userName: String?, policies: [PolicyDocument])
        if issuer == RoleSessions.rootIssuer {
            identity = (sessions.accountId, nil, Self.rootPermissions)
        } else if case .active(_, let userId, let userName, let policies) = sessions.directory.standing(ofUserArn: issuer) {
            identity = (userId, userName, policies)
        } else {
            let message = Self.refusedKeyDenial
            return finish(Outcome(decision: .denied(message: message), evaluation: nil, principalArn: session.principal, wouldDenyMessage: message))
        }
        if let federated = ARN(parsing: session.principal), federated.resource.hasPrefix("federated-user/") {
            identity.userId = "\(sessions.accountId):\(federated.resource.dropFirst("federated-user/".count))"
            identity.userName = nil
        }
        var sessionContext = session.sessionContext
        sessionContext[RoleSessions.sessionPolicyKey] = nil
        sessionContext[RoleSessions.issuingUserKey] = nil
        return evaluateUser(
            arn: session.principal,
            userId: identity.userId,
            userName: identity.userName,
            policies: identity.policies,
            action: action,
            resources: resources,
            context: sessionContext.merging(context) { _, request in request },
            resourceVerdict: resourceVerdict,
            sessionPolicies: Self.sessionPolicies(of: session)
        )
    }

    /// Evaluates a request signed with an IAM user's active access key (or a session issued from it) against the
    /// user's policies, capped by the session's policies.
    private func evaluateUser(
        arn: String,
        userId: String,
        userName: String?,
        policies: [PolicyDocument],
        action: String,
        resources: [String],
        context: [String: [String]],
        resourceVerdict: ResourcePolicyVerdict,
        sessionPolicies: [PolicyDocument] = []
    ) -> Outcome {
        var requestContext = AuthorizationRequest.globalContext(
            principalArn: arn,
            sourceIp: "127.0.0.1",
            secureTransport: false,
            now: sessions.clock.now,
            username: userName,
            userid: userId
        )
        for (key, values) in context { requestContext[key] = Self.contextValue(values) }
        let request = AuthorizationRequest(principalArn: arn, action: action, resources: resources, context: requestContext)
        let decisions = PolicyEvaluator.evaluateEach(request: request, policies: policies)
        let evaluation = Self.combine(decisions)
        if let denial = sessionPolicyDenial(sessionPolicies, request: request, evaluation: evaluation, resourceVerdict: resourceVerdict) {
            return denial
        }
        if resourceVerdict == .allow, !Self.isExplicitDeny(evaluation) {
            return Outcome(decision: .allowed, evaluation: evaluation, principalArn: arn, wouldDenyMessage: nil)
        }
        guard let message = AccessDeniedMessage.message(for: decisions, request: request) else {
            return Outcome(decision: .allowed, evaluation: evaluation, principalArn: arn, wouldDenyMessage: nil)
        }
        return finish(Outcome(decision: .denied(message: message), evaluation: evaluation, principalArn: arn, wouldDenyMessage: message))
    }

    /// The denial for requests signed with an IAM user's access key that was deactivated or deleted.
    package static let refusedKeyDenial = "The security token included in the request is invalid."

    /// Applies the mode to a denial: audit mode lets it through but keeps the message for the log.
    private func finish(_ outcome: Outcome) -> Outcome {
        guard mode == .audit else { return outcome }
        var allowed = outcome
        allowed.decision = .allowed
        return allowed
    }

    /// The overall decision from per-resource decisions (as ``PolicyEvaluator/evaluate(request:policies:)`` combines them).
    private static func combine(_ decisions: [ResourceDecision]) -> Decision {
        if let denied = decisions.first(where: { if case .explicitDeny = $0.decision { true } else { false } }) {
            return denied.decision
        }
        if decisions.contains(where: { $0.decision == .implicitDeny }) { return .implicitDeny }
        return decisions.first?.decision ?? .implicitDeny
    }

    private static func isExplicitDeny(_ decision: Decision) -> Bool {
        if case .explicitDeny = decision { return true }
        return false
    }

    private static func contextValue(_ values: [String]) -> ContextValue {
        values.count == 1 ? .single(values[0]) : .multiple(values)
    }

    private static func describe(_ decision: Decision?) -> String {
        switch decision {
        case .allow(let match): "allowed by \(match)"
        case .explicitDeny(let match): "explicit deny by \(match)"
        case .implicitDeny: "implicit deny (no statement allows it)"
        case nil: "no identity-based policies (anonymous)"
        }
    }
}

/// The parts of an evaluation that depend only on the credential, not on the request.
struct SessionFacts: Sendable {
    /// Global and session context keys; the time keys are refreshed per request.
    let context: [String: ContextValue]
    /// The session policies the credential was issued with (empty: the role's policies alone decide).
    var sessionPolicies: [PolicyDocument] = []
}

/// A per-access-key cache of ``SessionFacts`` (issued credentials never change their role or session keys).
final class SessionFactsCache: Sendable {
    private let entries = Mutex<[String: SessionFacts]>([:])

    /// The cached facts for a key, computing them on first use.
    func facts(accessKeyId: String, compute: () -> SessionFacts) -> SessionFacts {
        if let cached = entries.withLock({ $0[accessKeyId] }) { return cached }
        let facts = compute()
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[accessKeyId] = facts
        }
        return facts
    }
}
