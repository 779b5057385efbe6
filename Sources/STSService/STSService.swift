import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import NIOCore
import SigV4

/// AWS STS over the query protocol: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken,
/// GetFederationToken and GetAccessKeyInfo.
///
/// Roles come from the live IAM directory (template roles and the IAM API's). `AssumeRole` checks the caller's
/// identity policies through the authorization hook (`sts:AssumeRole` on the role ARN) and, for IAM users and role
/// sessions, the role's trust policy (with `sts:ExternalId` and request tags); the account administrator (the test
/// key pair) may assume any role. Session policies (`Policy`, `PolicyArns`) cap the session's permissions and
/// session tags become `aws:PrincipalTag/...`. `AssumeRoleWithWebIdentity` accepts only tokens from this emulator's
/// Cognito and checks the role's trust policy, as Cognito does. `GetSessionToken` and `GetFederationToken` issue
/// sessions from long-term credentials (an IAM user's access key, or the administrator's as the root user) that act
/// with that user's current policies (federated ones capped by their session policies).
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
        case .getSessionToken:
            // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
            try getSessionToken(parameters, caller: request.caller, into: &result)
        case .getFederationToken:
            // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
            try await getFederationToken(parameters, caller: request.caller, into: &result)
        case .getAccessKeyInfo:
            // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html
            try await getAccessKeyInfo(parameters, caller: request.caller, into: &result)
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
        guard let roleArn = session.roleArn else {
            // GetSessionToken / GetFederationToken sessions: the user (or root) they act as.
            if let federated = ARN(parsing: session.principal), federated.resource.hasPrefix("federated-user/") {
                return (session.principal, "\(sessions.accountId):\(federated.resource.dropFirst("federated-user/".count))")
            }
            if session.principal == root { return (root, sessions.accountId) }
            if case .active(_, let userId, _, _) = sessions.directory.standing(ofUserArn: session.principal) { return (session.principal, userId) }
            return (session.principal, accessKeyId)
        }
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
            result.element("PackedPolicySize", String(Self.packedPolicySize(policies: sessionPolicies, tags: tags)))
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

    /// Whose long-term credentials signed a request: the root user (the administrator's keys) or an IAM user.
    /// Session credentials cannot call `GetSessionToken` or `GetFederationToken`.
    private func longTermIssuer(_ caller: Caller, operation: STSOperation) throws(STSError) -> (issuer: String, userArn: String?) {
        if sessions.isAdministrator(caller) { return (RoleSessions.rootIssuer, nil) }
        if let accessKeyId = caller.accessKeyId, (caller.sessionToken ?? "").isEmpty,
            case .active(let userArn, _, _, _) = sessions.directory.standing(ofAccessKey: accessKeyId)
        {
            return (userArn, userArn)
        }
        throw .accessDenied("Cannot call \(operation.rawValue) with session credentials")
    }

    private func getSessionToken(_ parameters: [String: String], caller: Caller, into result: inout XMLWriter) throws(STSError) {
        if let serial = parameters["SerialNumber"] {
            try Self.check(serial, field: "serialNumber", minimum: 9, maximum: 256, pattern: #"^[\w+=/:,.@-]*$"#, patternText: "[\\w+=/:,.@-]*")
        }
        if let code = parameters["TokenCode"] {
            try Self.check(code, field: "tokenCode", minimum: 6, maximum: 6, pattern: #"^[\d]*$"#, patternText: "[\\d]*")
        }
        var duration = try Self.duration(parameters["DurationSeconds"], default: 43200, maximum: 129_600)
        let (issuer, userArn) = try longTermIssuer(caller, operation: .getSessionToken)
        if parameters["SerialNumber"] != nil || parameters["TokenCode"] != nil {
            // The IAM API here has no MFA devices, so no serial number is associated with the caller.
            throw .accessDenied("MultiFactorAuthentication failed, unable to validate MFA code.")
        }
        let root = ARN.accountRoot(account: sessions.accountId).description
        if userArn == nil { duration = min(duration, 3600) }
        let credentials = sessions.store.issueTemporary(
            principal: userArn ?? root,
            duration: TimeInterval(duration),
            now: sessions.clock.now,
            sessionContext: [RoleSessions.issuingUserKey: [issuer]]
        )
        writeCredentials(&result, credentials)
    }

    private func getFederationToken(_ parameters: [String: String], caller: Caller, into result: inout XMLWriter) async throws {
        guard let name = parameters["Name"] else { throw STSError.missing("name") }
        try Self.check(name, field: "name", minimum: 2, maximum: 32, pattern: #"^[\w+=,.@-]*$"#, patternText: "[\\w+=,.@-]*")
        var duration = try Self.duration(parameters["DurationSeconds"], default: 43200, maximum: 129_600)
        let sessionPolicies = try sessionPolicies(parameters)
        let tags = try Self.sessionTags(parameters)
        let (issuer, userArn) = try longTermIssuer(caller, operation: .getFederationToken)
        let federatedArn = "arn:aws:sts::\(sessions.accountId):federated-user/\(name)"
        try await authorizer.require(
            caller,
            action: STSOperation.getFederationToken.iamAction,
            resources: [federatedArn],
            denied: STSError.accessDenied
        )
        if userArn == nil { duration = min(duration, 3600) }
        // Without session policies the federated user has no permissions (an empty policy allows nothing).
        var context: [String: [String]] = [
            RoleSessions.issuingUserKey: [issuer],
            RoleSessions.sessionPolicyKey: sessionPolicies.isEmpty ? [#"{"Version":"2012-10-17","Statement":[]}"#] : sessionPolicies,
        ]
        for (key, value) in tags { context["aws:PrincipalTag/\(key)"] = [value] }
        let credentials = sessions.store.issueTemporary(
            principal: federatedArn,
            duration: TimeInterval(duration),
            now: sessions.clock.now,
            sessionContext: context
        )
        writeCredentials(&result, credentials)
        result.element("FederatedUser") { xml in
            xml.element("FederatedUserId", "\(sessions.accountId):\(name)")
            xml.element("Arn", federatedArn)
        }
        if !sessionPolicies.isEmpty || !tags.isEmpty {
            result.element("PackedPolicySize", String(Self.packedPolicySize(policies: sessionPolicies, tags: tags)))
        }
    }

    private func getAccessKeyInfo(_ parameters: [String: String], caller: Caller, into result: inout XMLWriter) async throws {
        guard let accessKeyId = parameters["AccessKeyId"] else { throw STSError.missing("accessKeyId") }
        try Self.check(accessKeyId, field: "accessKeyId", minimum: 16, maximum: 128, pattern: #"^[\w]*$"#, patternText: "[\\w]*")
        try await authorizer.require(caller, action: STSOperation.getAccessKeyInfo.iamAction, resources: ["*"], denied: STSError.accessDenied)
        let known =
            sessions.store.temporary(for: accessKeyId) != nil || sessions.directory.standing(ofAccessKey: accessKeyId) != .notAUserKey
        result.element("Account", known ? sessions.accountId : (Self.accountEncoded(in: accessKeyId) ?? sessions.accountId))
    }

    /// The account id AWS encodes in access key ids it issues (`AKIA`/`ASIA` and 16 base32 characters): bits 7-46 of
    /// the first six decoded bytes. Keys this emulator issued belong to its account; other keys are decoded as AWS
    /// does, and ids that do not decode (too short, not base32) are reported as the emulator's account.
    static func accountEncoded(in accessKeyId: String) -> String? {
        let body = accessKeyId.utf8.dropFirst(4)
        guard accessKeyId.utf8.count >= 20 else { return nil }
        var bits: UInt64 = 0
        var count = 0
        for byte in body.prefix(10) {
            let value: UInt64
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt64(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = UInt64(byte - UInt8(ascii: "2")) + 26
            default: return nil
            }
            bits = (bits << 5) | value
            count += 5
        }
        // 50 bits read; keep the first 48 (six bytes).
        let sixBytes = bits >> UInt64(count - 48)
        let account = (sixBytes & 0x7FFF_FFFF_FF80) >> 7
        let text = String(account)
        return String(repeating: "0", count: max(0, 12 - text.count)) + text
    }

    private static func check(_ value: String, field: String, minimum: Int, maximum: Int, pattern: String, patternText: String) throws(STSError) {
        if value.count < minimum { throw .constraint(field, value: value, "Member must have length greater than or equal to \(minimum)") }
        if value.count > maximum { throw .constraint(field, value: value, "Member must have length less than or equal to \(maximum)") }
        if value.range(of: pattern, options: .regularExpression) == nil {
            throw .constraint(field, value: value, "Member must satisfy regular expression pattern: \(patternText)")
        }
    }

    /// The packed size of session policies and tags as a percentage of the allowed space.
    private static func packedPolicySize(policies: [String], tags: [(key: String, value: String)]) -> Int {
        let packed = policies.reduce(0) { $0 + $1.utf8.count } + tags.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        return min(100, max(1, packed * 100 / 2048))
    }

    private func writeCredentials(_ xml: inout XMLWriter, _ credentials: TemporaryCredential) {
        xml.element("Credentials") { xml in
            xml.element("AccessKeyId", credentials.accessKeyId)
            xml.element("SecretAccessKey", credentials.secretAccessKey)
            xml.element("SessionToken", credentials.sessionToken)
            xml.element("Expiration", Timestamp.iso8601(credentials.expiration))
        }
    }

    private func writeAssumedRole(_ xml: inout XMLWriter, credentials: TemporaryCredential, roleArn: String, sessionName: String) {
        xml.element("AssumedRoleUser") { xml in
            xml.element("AssumedRoleId", sessions.assumedRoleId(roleArn: roleArn, sessionName: sessionName))
            xml.element("Arn", credentials.principal)
        }
        writeCredentials(&xml, credentials)
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

    private static func duration(_ text: String?, default defaultSeconds: Int = 3600, maximum: Int = 43200) throws(STSError) -> Int {
        guard let text else { return defaultSeconds }
        guard let seconds = Int(text) else {
            throw .constraint("durationSeconds", value: text, "Member must be a number")
        }
        if seconds < 900 {
            throw .constraint("durationSeconds", value: text, "Member must have value greater than or equal to 900")
        }
        if seconds > maximum {
            throw .constraint("durationSeconds", value: text, "Member must have value less than or equal to \(maximum)")
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
