import EmulatorCore
import Foundation
import Identity
import SigV4

/// Issues temporary credentials that act for a template role (STS AssumeRole, Cognito identity pools, Lambda
/// execution roles) and records which role each belongs to, so ``PolicyAuthorizer`` can evaluate its policies.
package struct RoleSessions: Sendable {
    /// The credential store the gateway verifies signatures against.
    package let store: CredentialStore
    /// The live IAM directory: template roles and those the IAM API created or changed.
    package let directory: IAMDirectory
    /// The roles as they are now (a change through the IAM API applies to the next request).
    package var catalog: RoleCatalog { directory.catalog }
    /// The one clock: expirations are on virtual time.
    package let clock: VirtualClock
    /// The emulated account id.
    package let accountId: String

    /// Creates the issuer.
    /// - Parameters:
    ///   - store: Where issued credentials are recorded.
    ///   - catalog: The template's roles.
    ///   - clock: The virtual clock.
    ///   - accountId: The account id of assumed-role ARNs.
    package init(store: CredentialStore, catalog: RoleCatalog, clock: VirtualClock, accountId: String) {
        self.init(store: store, directory: IAMDirectory(catalog: catalog), clock: clock, accountId: accountId)
    }

    /// Creates the issuer over the live IAM directory.
    /// - Parameters:
    ///   - store: Where issued credentials are recorded.
    ///   - directory: The IAM directory.
    ///   - clock: The virtual clock.
    ///   - accountId: The account id of assumed-role ARNs.
    package init(store: CredentialStore, directory: IAMDirectory, clock: VirtualClock, accountId: String) {
        self.store = store
        self.directory = directory
        self.clock = clock
        self.accountId = accountId
    }

    /// The role named by an ARN, or nil when the template declares none.
    /// - Parameter roleArn: The role ARN.
    /// - Returns: The role.
    package func role(arn roleArn: String) -> RoleCatalog.Role? { catalog.role(arn: roleArn) }

    /// Issues credentials for a role session.
    ///
    /// The principal is `arn:aws:sts::ACCOUNT:assumed-role/ROLE_NAME/SESSION`; the credentials expire `duration`
    /// seconds from now on the virtual clock. A role the template does not declare still gets credentials (its
    /// session simply has no policies, so everything it does is denied, as in AWS after the role is deleted).
    /// - Parameters:
    ///   - roleArn: The role ARN.
    ///   - sessionName: The role session name (Lambda uses the function name, Cognito `CognitoIdentityCredentials`).
    ///   - duration: Lifetime in seconds.
    ///   - sessionContext: Condition keys every request of the session carries (Cognito's `sub`/`aud`/`amr`).
    /// - Returns: The credentials, already known to the gateway.
    package func issue(
        roleArn: String,
        sessionName: String,
        duration: TimeInterval = 3600,
        sessionContext: [String: [String]] = [:]
    ) -> TemporaryCredential {
        let roleName = catalog.role(arn: roleArn)?.name ?? Self.roleName(fromArn: roleArn)
        let principal = ARN.assumedRole(account: accountId, role: roleName, session: sessionName).description
        return store.issueTemporary(
            principal: principal,
            duration: duration,
            now: clock.now,
            roleArn: roleArn,
            sessionContext: sessionContext
        )
    }

    /// The `AssumedRoleId` (`AROA...:SESSION`) of a session.
    /// - Parameters:
    ///   - roleArn: The role ARN.
    ///   - sessionName: The session name.
    /// - Returns: The unique id AWS reports as `UserId` / `AssumedRoleId`.
    package func assumedRoleId(roleArn: String, sessionName: String) -> String {
        let roleId = catalog.role(arn: roleArn)?.roleId ?? Self.syntheticRoleId(roleArn)
        return "\(roleId):\(sessionName)"
    }

    /// The last path element of a role ARN.
    static func roleName(fromArn roleArn: String) -> String {
        guard let arn = ARN(parsing: roleArn) else { return roleArn }
        return arn.resource.split(separator: "/").last.map(String.init) ?? arn.resource
    }

    /// A stable `AROA...` id for a role the template does not declare.
    static func syntheticRoleId(_ roleArn: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in roleArn.utf8 {
            hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        var text = "AROA"
        for _ in 0..<17 {
            text.append(alphabet[Int(hash % 32)])
            hash /= 32
            if hash == 0 { hash = 0x9E37_79B9_7F4A_7C15 }
        }
        return text
    }
}

extension RoleSessions {
    /// The session-context key under which a session's session policies (STS `Policy` and `PolicyArns`, as JSON
    /// documents) travel with its credentials, so they survive a restart with them. No AWS condition key has this
    /// form; the authorizer takes it out of the request context.
    package static let sessionPolicyKey = "synapscribe-local:session-policy"

    /// The session-context key naming whose long-term credentials an STS session without a role was issued from
    /// (`GetSessionToken`, `GetFederationToken`): an IAM user's ARN, or ``rootIssuer`` for the account's
    /// administrator. The authorizer evaluates such sessions with that user's current policies.
    package static let issuingUserKey = "synapscribe-local:issuing-user"

    /// The ``issuingUserKey`` value for sessions issued from the administrator's (root) credentials.
    package static let rootIssuer = "root"

    /// Whether a caller acts as the emulator's account administrator: the test key pair, `--credentials-file` keys
    /// and unknown keys accepted unverified (not issued credentials, not an IAM user's access key).
    /// - Parameter caller: The caller.
    /// - Returns: True for the administrator.
    package func isAdministrator(_ caller: Caller) -> Bool {
        guard !caller.isAnonymous, let accessKeyId = caller.accessKeyId else { return false }
        if store.temporary(for: accessKeyId) != nil { return false }
        if !(caller.sessionToken ?? "").isEmpty { return false }
        return directory.standing(ofAccessKey: accessKeyId) == .notAUserKey
    }

    /// Whether a role's trust policy lets a principal assume it, evaluated like IAM evaluates trust policies.
    /// - Parameters:
    ///   - role: The role.
    ///   - principal: The principal asking (`cognito-identity.amazonaws.com` for Cognito, a caller ARN otherwise).
    ///   - action: `sts:AssumeRole` or `sts:AssumeRoleWithWebIdentity`.
    ///   - context: Condition keys (Cognito's `aud`, `amr`, `sub`).
    /// - Returns: True when a statement allows and none denies; false for a role whose trust policy did not parse.
    package func trustPolicyAllows(role: RoleCatalog.Role, principal: String, action: String, context: [String: [String]]) -> Bool {
        guard let trust = role.trustPolicy else { return false }
        var requestContext: [String: ContextValue] = [:]
        for (key, values) in context { requestContext[key] = values.count == 1 ? .single(values[0]) : .multiple(values) }
        let request = AuthorizationRequest(principalArn: principal, action: action, resources: [role.arn], context: requestContext)
        return PolicyEvaluator.evaluate(request: request, policies: [trust]).isAllowed
    }
}
