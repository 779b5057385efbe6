import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import NIOCore
import SigV4

/// AWS STS over the query protocol: GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity.
///
/// Roles come from the live IAM directory (template roles and the IAM API's). `AssumeRole` checks the caller's
/// identity policies through the authorization hook (`sts:AssumeRole` on the role ARN) and, for IAM users and role
/// sessions, the role's trust policy (with `sts:ExternalId` and request tags); the account administrator (the test
/// key pair) may assume any role. Session policies (`Policy`, `PolicyArns`) cap the session's permissions and
/// session tags become `aws:PrincipalTag/...`. `AssumeRoleWithWebIdentity` accepts only tokens from this emulator's
/// Cognito and checks the role's trust policy, as Cognito does.
package struct STSService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.sts
    private let sessions: RoleSessions
    private let tokens: WebIdentityTokens
    private let authorizer: any RequestAuthorizing

    private static let namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
    private static let sessionNamePattern = #"^[\w+=,.@-]*$"#

    /// Creates the service.
    /// - Parameters:
    ///   - sessions: Issues role credentials and knows the template's roles.
    ///   - tokens: Verifies web identity tokens.
    ///   - authorizer: The authorization hook.
    package init(sessions: RoleSessions, tokens: WebIdentityTokens, authorizer: any RequestAuthorizing) {
        self.sessions = sessions
        self.tokens = tokens
        self.authorizer = authorizer
    }

    /// Names the typed operation from the query `Action`.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for an action STS does not have here.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(STSOperation.init(rawValue:))
    }

    /// Answers one query-protocol request.
    /// - Parameter request: The request.
    /// - Returns: The XML response.
    /// - Throws: ``STSError``.
    package func handle(_ request: AWSRequest) async throws -> Response {
        guard let operation = request.serviceOperation as? STSOperation else { throw STSError.invalidAction(request.operation ?? "") }
        let parameters = request.parameters
        var result = XMLWriter(declaration: false)
        switch operation {
        case .getCallerIdentity:
            // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
            let identity = callerIdentity(request.caller)
            result.element("Arn", identity.arn)
            result.element("UserId", identity.userId)
            result.element("Account", sessions.accountId)
        case .assumeRole:
            // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
            try await assumeRole(parameters, caller: request.caller, into: &result)
        case .assumeRoleWithWebIdentity:
            // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
            try assumeRoleWithWebIdentity(parameters, into: &result)
        }
        return Self.queryResponse(operation: operation.name, result: result.result, requestId: request.requestId)
    }

    /// Reports the roles callers can assume.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        ServiceHealth(state: "running", resources: ["roles": sessions.catalog.allRoles.count])
    }

    // MARK: Operations

    private func callerIdentity(_ caller: Caller) -> (arn: String, userId: String) {
        let root = ARN.accountRoot(account: sessions.accountId).description
        guard let accessKeyId = caller.accessKeyId, let session = sessions.store.temporary(for: accessKeyId) else {
            return (caller.principalArn ?? root, sessions.accountId)
        }
        let sessionName = ARN(parsing: session.principal)?.assumedRoleParts?.session ?? ""
        guard let roleArn = session.roleArn else { return (session.principal, accessKeyId) }
        return (session.principal, sessions.assumedRoleId(roleArn: roleArn, sessionName: sessionName))
    }

    private func assumeRole(_ parameters: [String: String], caller: Caller, into result: inout XMLWriter) async throws {
        guard let roleArn = parameters["RoleArn"] else { throw STSError.missing("roleArn") }
        guard let sessionName = parameters["RoleSessionName"] else { throw STSError.missing("roleSessionName") }
        try Self.validate(roleArn: roleArn, sessionName: sessionName)
        let duration = try Self.duration(parameters["DurationSeconds"])
        let externalId = try Self.externalId(parameters["ExternalId"])
        let sessionPolicies = try sessionPolicies(parameters)
        let tags = try Self.sessionTags(parameters)
        let callerArn = caller.principalArn ?? ARN.accountRoot(account: sessions.accountId).description
        try await authorizer.require(caller, action: STSOperation.assumeRole.iamAction, resources: [roleArn], denied: STSError.accessDenied)
        let refusal = STSError.accessDenied("User: \(callerArn) is not authorized to perform: sts:AssumeRole on resource: \(roleArn)")
        guard let role = sessions.role(arn: roleArn) else { throw refusal }
        // The role's trust policy decides for IAM users and role sessions, with `sts:ExternalId` and the caller's
        // tags; the emulator's administrator keys may assume any role (a local convenience, see the README).
        if !sessions.isAdministrator(caller) {
            var context: [String: [String]] = ["aws:PrincipalArn": [callerArn]]
            if let externalId { context["sts:ExternalId"] = [externalId] }
            for (key, value) in tags { context["aws:RequestTag/\(key)"] = [value] }
            if !tags.isEmpty { context["aws:TagKeys"] = tags.map(\.key) }
            guard sessions.trustPolicyAllows(role: role, principal: callerArn, action: "sts:AssumeRole", context: context) else { throw refusal }
        }
        guard duration <= role.maxSessionDuration else { throw STSError.durationExceedsMaxSession }
        var sessionContext: [String: [String]] = [:]
        if !sessionPolicies.isEmpty { sessionContext[RoleSessions.sessionPolicyKey] = sessionPolicies }
        for (key, value) in tags { sessionContext["aws:PrincipalTag/\(key)"] = [value] }
        let credentials = sessions.issue(
            roleArn: role.arn,
            sessionName: sessionName,
            duration: TimeInterval(duration),
            sessionContext: sessionContext
        )
        writeAssumedRole(&result, credentials: credentials, roleArn: role.arn, sessionName: sessionName)
        if !sessionPolicies.isEmpty || !tags.isEmpty {
            // The packed size as a percentage of the allowed space.
            let packed = sessionPolicies.reduce(0) { $0 + $1.utf8.count } + tags.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
            result.element("PackedPolicySize", String(min(100, max(1, packed * 100 / 2048))))
        }
    }

    /// The session policies of an `AssumeRole`: `Policy` (inline JSON) and `PolicyArns` (managed policies), as JSON
    /// documents.
    private func sessionPolicies(_ parameters: [String: String]) throws(STSError) -> [String] {
        var documents: [String] = []
        if let policy = parameters["Policy"] {
            if policy.isEmpty { throw .constraint("policy", value: policy, "Member must have length greater than or equal to 1") }
            if policy.count > 2048 { throw .constraint("policy", value: policy, "Member must have length less than or equal to 2048") }
            do {
                _ = try PolicyDocument(jsonString: policy)
            } catch {
                throw .malformedPolicyDocument(error.message)
            }
            documents.append(policy)
        }
        var index = 1
        while let arn = parameters["PolicyArns.member.\(index).arn"] {
            guard index <= 10 else {
                throw .validation(
                    "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
                        + "Member must have length less than or equal to 10"
                )
            }
            let state = sessions.directory.state
            if let text = state.policies[arn]?.defaultDocument {
                documents.append(text)
            } else if let entry = ManagedPolicies.entries.first(where: { $0.arn == arn }) {
                documents.append(entry.json)
            } else {
                throw .malformedPolicyDocument("Policy \(arn) does not exist or is not attachable.")
            }
            index += 1
        }
        return documents
    }

    private static func externalId(_ value: String?) throws(STSError) -> String? {
        guard let value else { return nil }
        if value.count < 2 { throw .constraint("externalId", value: value, "Member must have length greater than or equal to 2") }
        if value.count > 1224 { throw .constraint("externalId", value: value, "Member must have length less than or equal to 1224") }
        if value.range(of: #"^[\w+=,.@:/-]*$"#, options: .regularExpression) == nil {
            throw .constraint("externalId", value: value, "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
        }
        return value
    }

    private static func sessionTags(_ parameters: [String: String]) throws(STSError) -> [(key: String, value: String)] {
        var tags: [(key: String, value: String)] = []
        var index = 1
        while let key = parameters["Tags.member.\(index).Key"] {
            tags.append((key, parameters["Tags.member.\(index).Value"] ?? ""))
            index += 1
        }
        if tags.count > 50 {
            throw .validation(
                "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
            )
        }
        return tags
    }

    private func assumeRoleWithWebIdentity(_ parameters: [String: String], into result: inout XMLWriter) throws(STSError) {
        guard let roleArn = parameters["RoleArn"] else { throw .missing("roleArn") }
        guard let sessionName = parameters["RoleSessionName"] else { throw .missing("roleSessionName") }
        guard let token = parameters["WebIdentityToken"] else { throw .missing("webIdentityToken") }
        try Self.validate(roleArn: roleArn, sessionName: sessionName)
        let duration = try Self.duration(parameters["DurationSeconds"])
        let now = sessions.clock.now
        let claims: WebIdentityTokens.Claims
        do {
            claims = try tokens.verify(token, now: now)
        } catch {
            switch error {
            case .invalid: throw .invalidIdentityToken(STSError.tokenNotValid)
            case .expired(let expiresAt): throw .expiredWebIdentityToken(now: now, expiresAt: expiresAt)
            }
        }
        let context = [
            "cognito-identity.amazonaws.com:sub": [claims.subject],
            "cognito-identity.amazonaws.com:aud": [claims.audience],
            "cognito-identity.amazonaws.com:amr": claims.amr,
        ]
        guard let role = sessions.role(arn: roleArn),
            sessions.trustPolicyAllows(
                role: role,
                principal: "cognito-identity.amazonaws.com",
                action: "sts:AssumeRoleWithWebIdentity",
                context: context
            )
        else { throw .webIdentityNotAuthorized }
        guard duration <= role.maxSessionDuration else { throw .durationExceedsMaxSession }
        let credentials = sessions.issue(roleArn: role.arn, sessionName: sessionName, duration: TimeInterval(duration), sessionContext: context)
        result.element("SubjectFromWebIdentityToken", claims.subject)
        result.element("Audience", claims.audience)
        writeAssumedRole(&result, credentials: credentials, roleArn: role.arn, sessionName: sessionName)
        result.element("Provider", "cognito-identity.amazonaws.com")
    }

    private func writeAssumedRole(_ xml: inout XMLWriter, credentials: TemporaryCredential, roleArn: String, sessionName: String) {
        xml.element("AssumedRoleUser") { xml in
            xml.element("AssumedRoleId", sessions.assumedRoleId(roleArn: roleArn, sessionName: sessionName))
            xml.element("Arn", credentials.principal)
        }
        xml.element("Credentials") { xml in
            xml.element("AccessKeyId", credentials.accessKeyId)
            xml.element("SecretAccessKey", credentials.secretAccessKey)
            xml.element("SessionToken", credentials.sessionToken)
            xml.element("Expiration", Timestamp.iso8601(credentials.expiration))
        }
    }

    // MARK: Validation

    private static func validate(roleArn: String, sessionName: String) throws(STSError) {
        if roleArn.count < 20 {
            throw .constraint("roleArn", value: roleArn, "Member must have length greater than or equal to 20")
        }
        if sessionName.count < 2 {
            throw .constraint("roleSessionName", value: sessionName, "Member must have length greater than or equal to 2")
        }
        if sessionName.count > 64 {
            throw .constraint("roleSessionName", value: sessionName, "Member must have length less than or equal to 64")
        }
        if sessionName.range(of: sessionNamePattern, options: .regularExpression) == nil {
            throw .constraint("roleSessionName", value: sessionName, "Member must satisfy regular expression pattern: [\\w+=,.@-]*")
        }
    }

    private static func duration(_ text: String?) throws(STSError) -> Int {
        guard let text else { return 3600 }
        guard let seconds = Int(text) else {
            throw .constraint("durationSeconds", value: text, "Member must be a number")
        }
        if seconds < 900 {
            throw .constraint("durationSeconds", value: text, "Member must have value greater than or equal to 900")
        }
        if seconds > 43200 {
            throw .constraint("durationSeconds", value: text, "Member must have value less than or equal to 43200")
        }
        return seconds
    }

    private static func queryResponse(operation: String, result: String, requestId: String) -> Response {
        var xml = XMLWriter(declaration: false)
        xml.element("\(operation)Response", attributes: [("xmlns", namespace)]) { xml in
            xml.element("\(operation)Result") { xml in xml.raw(result) }
            xml.element("ResponseMetadata") { $0.element("RequestId", requestId) }
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml.result)))
    }
}
