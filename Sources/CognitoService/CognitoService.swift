import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import Logging
import NIOCore
import SigV4
import Storage

/// Amazon Cognito Identity (identity pools) over JSON 1.1.
///
/// Operations: GetId, GetCredentialsForIdentity, GetOpenIdToken, UnlinkIdentity (unsigned, as in AWS),
/// DescribeIdentityPool, ListIdentityPools, CreateIdentityPool, UpdateIdentityPool, SetIdentityPoolRoles,
/// GetIdentityPoolRoles, DescribeIdentity, ListIdentities, DeleteIdentities, DeleteIdentityPool, and developer
/// authenticated identities (GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity,
/// MergeDeveloperIdentities; their token in `Logins` under `cognito-identity.amazonaws.com` gets the pool's
/// authenticated role from GetCredentialsForIdentity). Pools come from the template (`AWS::Cognito::IdentityPool`
/// and `AWS::Cognito::IdentityPoolRoleAttachment`) and from CreateIdentityPool; pools, identities and developer
/// logins persist. The emulated Cognito user pools are identity providers (`CognitoIdentityProviders`): their ID
/// tokens in `Logins` get an authenticated identity and the pool's authenticated role. Public identity providers
/// (Facebook, Google, SAML, OpenID Connect...) are not emulated: a request carrying their `Logins` is refused with
/// `NotAuthorizedException` naming the providers.
package struct CognitoService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.cognitoIdentity
    let store: CognitoStore
    let sessions: RoleSessions
    let tokens: WebIdentityTokens
    private let authorizer: any RequestAuthorizing
    let region: String
    /// The emulated user pools, whose ID tokens `Logins` may carry.
    let userPools: (any UserPoolIssuers)?

    /// The session name AWS gives Cognito's role sessions.
    package static let sessionName = "CognitoIdentityCredentials"
    /// How long credentials from GetCredentialsForIdentity last.
    package static let credentialLifetime: TimeInterval = 3600

    /// Creates the service and writes the template's pools.
    /// - Parameters:
    ///   - pools: The template's identity pools.
    ///   - location: Where pools and identities persist.
    ///   - sessions: Issues role credentials.
    ///   - tokens: Signs OpenID tokens.
    ///   - authorizer: The authorization hook for signed operations.
    ///   - region: The emulated region (new pool and identity ids start with it).
    ///   - userPools: The emulated user pools (their ID tokens are accepted in `Logins`).
    /// - Throws: Storage errors.
    package init(
        pools: [IdentityPoolSpec],
        location: DataLocation,
        sessions: RoleSessions,
        tokens: WebIdentityTokens,
        authorizer: any RequestAuthorizing,
        region: String,
        userPools: (any UserPoolIssuers)? = nil
    ) throws {
        store = try CognitoStore(location: location)
        self.sessions = sessions
        self.tokens = tokens
        self.authorizer = authorizer
        self.region = region
        self.userPools = userPools
        try store.syncTemplatePools(pools.map(Self.record(from:)), now: sessions.clock.now)
    }

    static func record(from spec: IdentityPoolSpec) -> IdentityPoolRecord {
        var roles: [String: String] = [:]
        if let arn = spec.unauthenticatedRoleArn { roles["unauthenticated"] = arn }
        if let arn = spec.authenticatedRoleArn { roles["authenticated"] = arn }
        return IdentityPoolRecord(
            id: spec.id,
            name: spec.name,
            allowUnauthenticatedIdentities: spec.allowUnauthenticatedIdentities,
            allowClassicFlow: spec.allowClassicFlow,
            supportedLoginProviders: spec.supportedLoginProviders,
            developerProviderName: spec.developerProviderName,
            openIdConnectProviderARNs: spec.openIdConnectProviderARNs,
            cognitoIdentityProviders: spec.providers.map {
                .init(providerName: $0.providerName, clientId: $0.clientId, serverSideTokenCheck: $0.serverSideTokenCheck)
            },
            samlProviderARNs: spec.samlProviderARNs,
            tags: spec.tags,
            roles: roles,
            roleMappingsJSON: spec.roleMappingsJSON
        )
    }

    /// Names the typed operation from the `X-Amz-Target` suffix.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a target Cognito Identity does not have here.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(CognitoOperation.init(rawValue:))
    }

    /// Answers one JSON 1.1 request.
    /// - Parameter request: The request.
    /// - Returns: The JSON response.
    /// - Throws: ``CognitoError``.
    package func handle(_ request: AWSRequest) async throws -> Response {
        let input = try JSONInput(request.bodyData)
        guard let operation = request.serviceOperation as? CognitoOperation else { throw CognitoError.unknownOperation }
        let output: [String: Any]
        switch operation {
        case .getId: output = try await getId(input)
        case .getCredentialsForIdentity: output = try await getCredentials(input)
        case .getOpenIdToken: output = try await getOpenIdToken(input)
        case .describeIdentityPool:
            // https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_DescribeIdentityPool.html
            let pool = try await existingPool(try Self.poolId(input))
            try await authorize(request, operation, pool: pool.id)
            output = pool.description
        case .listIdentityPools: output = try await listPools(input, request)
        case .createIdentityPool: output = try await createPool(input, request)
        case .setIdentityPoolRoles: output = try await setRoles(input, request)
        case .getIdentityPoolRoles:
            // https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetIdentityPoolRoles.html
            let pool = try await existingPool(try Self.poolId(input))
            try await authorize(request, operation, pool: pool.id)
            var object: [String: Any] = ["IdentityPoolId": pool.id, "Roles": pool.roles]
            if let mappings = pool.roleMappingsJSON, let value = try? JSONSerialization.jsonObject(with: Data(mappings.utf8)) {
                object["RoleMappings"] = value
            }
            output = object
        case .describeIdentity:
            // https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_DescribeIdentity.html
            let identity = try await existingIdentity(try Self.identityId(input))
            try await authorize(request, operation, pool: identity.poolId)
            output = identity.description
        case .listIdentities: output = try await listIdentities(input, request)
        case .deleteIdentityPool:
            // https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_DeleteIdentityPool.html
            let id = try Self.poolId(input)
            try await authorize(request, operation, pool: id)
            guard try await store.deletePool(id) else { throw CognitoError.poolNotFound(id) }
            output = [:]
        case .updateIdentityPool: output = try await updatePool(input, request)
        case .deleteIdentities: output = try await deleteIdentities(input, request)
        case .getOpenIdTokenForDeveloperIdentity: output = try await openIdTokenForDeveloper(input, request)
        case .lookupDeveloperIdentity: output = try await lookupDeveloper(input, request)
        case .mergeDeveloperIdentities: output = try await mergeDevelopers(input, request)
        case .unlinkIdentity: output = try await unlinkIdentity(input)
        }
        return Self.json(output)
    }

    /// Reports pools and identities.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let counts = (try? await store.counts()) ?? (pools: 0, identities: 0)
        return ServiceHealth(state: "running", resources: ["identityPools": counts.pools], details: ["identities": counts.identities])
    }

    // MARK: Unsigned operations

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetId.html
    private func getId(_ input: JSONInput) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        if let accountId = try input.string("AccountId"), accountId.count != 12 || !accountId.allSatisfy(\.isNumber) {
            throw CognitoError.constraint("accountId", value: accountId, "Member must satisfy regular expression pattern: \\d+")
        }
        let pool = try await existingPool(poolId)
        let now = sessions.clock.now
        let identity = IdentityRecord(
            id: "\(Self.regionPrefix(of: pool.id, fallback: region)):\(EmulatorRandom.uuidString("cognito-identity-ids"))",
            poolId: pool.id,
            createdAt: now,
            lastModifiedAt: now
        )
        if let login = try await userPoolLogin(input, pool: pool) {
            let id = try await store.linkProvider(poolId: pool.id, provider: login.provider, subject: login.token.subject, newIdentity: identity)
            return ["IdentityId": id]
        }
        try Self.refuseLogins(input)
        guard pool.allowUnauthenticatedIdentities else { throw CognitoError.unauthenticatedNotSupported }
        guard try await store.insertIdentity(identity) else { throw CognitoError.poolNotFound(poolId) }
        return ["IdentityId": identity.id]
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html
    private func getCredentials(_ input: JSONInput) async throws -> [String: Any] {
        let identityId = try Self.identityId(input)
        if let custom = try input.string("CustomRoleArn"), custom.count < 20 {
            throw CognitoError.constraint("customRoleArn", value: custom, "Member must have length greater than or equal to 20")
        }
        if let login = try developerLogin(input) {
            // Developer-authenticated identities (enhanced flow): the token from GetOpenIdTokenForDeveloperIdentity.
            return try await authenticatedCredentials(identityId: identityId, token: login)
        }
        if let answer = try await userPoolCredentials(input, identityId: identityId) { return answer }
        try Self.refuseLogins(input)
        let (identity, pool) = try await unauthenticatedIdentity(identityId)
        guard let roleArn = pool.roles["unauthenticated"], let role = sessions.role(arn: roleArn) else {
            throw CognitoError.invalidPoolConfiguration
        }
        return try credentialsAnswer(identity: identity, role: role, context: Self.sessionContext(identity: identity))
    }

    /// GetCredentialsForIdentity's answer: the role's session for the identity, when the role's trust policy lets
    /// Cognito Identity assume it with this context.
    /// - Parameters:
    ///   - identity: The identity.
    ///   - role: The pool's role for it.
    ///   - context: The session's condition keys (`cognito-identity.amazonaws.com:aud/amr/sub`).
    /// - Returns: `IdentityId` and `Credentials`.
    /// - Throws: ``CognitoError/invalidPoolConfiguration`` when the trust policy does not allow it.
    func credentialsAnswer(identity: IdentityRecord, role: RoleCatalog.Role, context: [String: [String]]) throws -> [String: Any] {
        guard
            sessions.trustPolicyAllows(
                role: role,
                principal: "cognito-identity.amazonaws.com",
                action: "sts:AssumeRoleWithWebIdentity",
                context: context
            )
        else { throw CognitoError.invalidPoolConfiguration }
        let credentials = sessions.issue(
            roleArn: role.arn,
            sessionName: Self.sessionName,
            duration: Self.credentialLifetime,
            sessionContext: context
        )
        return [
            "IdentityId": identity.id,
            "Credentials": [
                "AccessKeyId": credentials.accessKeyId,
                "SecretKey": credentials.secretAccessKey,
                "SessionToken": credentials.sessionToken,
                "Expiration": credentials.expiration.timeIntervalSince1970,
            ] as [String: Any],
        ]
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetOpenIdToken.html
    private func getOpenIdToken(_ input: JSONInput) async throws -> [String: Any] {
        let identityId = try Self.identityId(input)
        if let answer = try await userPoolOpenIdToken(input, identityId: identityId) { return answer }
        try Self.refuseLogins(input)
        let (identity, pool) = try await unauthenticatedIdentity(identityId)
        let token = tokens.sign(
            identityId: identity.id,
            poolId: pool.id,
            poolArn: poolArn(pool.id),
            amr: ["unauthenticated"],
            now: sessions.clock.now
        )
        return ["IdentityId": identity.id, "Token": token]
    }

    private func unauthenticatedIdentity(_ identityId: String) async throws -> (IdentityRecord, IdentityPoolRecord) {
        let identity = try await existingIdentity(identityId)
        // A pool deleted after the identity was made takes its identities with it.
        guard let pool = try await store.pool(identity.poolId) else { throw CognitoError.identityNotFound(identityId) }
        guard pool.allowUnauthenticatedIdentities else { throw CognitoError.unauthenticatedNotSupported }
        return (identity, pool)
    }

    // MARK: Signed operations

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_ListIdentityPools.html
    private func listPools(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        let limit = try Self.maxResults(input)
        let offset = try Self.offset(input)
        try await authorize(request, .listIdentityPools, pool: nil)
        let page = try await store.pools(offset: offset, limit: limit)
        var output: [String: Any] = [
            "IdentityPools": page.pools.map { ["IdentityPoolId": $0.id, "IdentityPoolName": $0.name] }
        ]
        if page.more { output["NextToken"] = String(offset + limit) }
        return output
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_CreateIdentityPool.html
    private func createPool(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        guard let name = try input.string("IdentityPoolName") else { throw CognitoError.missing("identityPoolName") }
        guard let allowUnauthenticated = try input.bool("AllowUnauthenticatedIdentities") else {
            throw CognitoError.missing("allowUnauthenticatedIdentities")
        }
        if name.isEmpty || name.count > 128 || name.range(of: #"^[\w\s+=,.@-]+$"#, options: .regularExpression) == nil {
            throw CognitoError.constraint("identityPoolName", value: name, CognitoError.namePattern)
        }
        try await authorize(request, .createIdentityPool, pool: nil)
        var providers: [IdentityPoolRecord.Provider] = []
        for entry in try input.objects("CognitoIdentityProviders") {
            providers.append(
                .init(
                    providerName: try entry.string("ProviderName"),
                    clientId: try entry.string("ClientId"),
                    serverSideTokenCheck: try entry.bool("ServerSideTokenCheck") ?? false
                )
            )
        }
        let pool = IdentityPoolRecord(
            id: "\(region):\(EmulatorRandom.uuidString("cognito-identity-ids"))",
            name: name,
            allowUnauthenticatedIdentities: allowUnauthenticated,
            allowClassicFlow: try input.bool("AllowClassicFlow") ?? false,
            supportedLoginProviders: try input.stringMap("SupportedLoginProviders"),
            developerProviderName: try input.string("DeveloperProviderName"),
            openIdConnectProviderARNs: try input.strings("OpenIdConnectProviderARNs"),
            cognitoIdentityProviders: providers,
            samlProviderARNs: try input.strings("SamlProviderARNs"),
            tags: try input.stringMap("IdentityPoolTags"),
            roles: [:],
            roleMappingsJSON: nil
        )
        try await store.insert(pool, now: sessions.clock.now)
        return pool.description
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_SetIdentityPoolRoles.html
    private func setRoles(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        guard input.contains("Roles") else { throw CognitoError.missing("roles") }
        let roles = try input.stringMap("Roles")
        for (key, arn) in roles {
            guard key == "authenticated" || key == "unauthenticated" else {
                throw CognitoError.invalidParameter("Invalid role type: \(key). Valid role types are authenticated and unauthenticated.")
            }
            if arn.count < 20 {
                throw CognitoError.constraint(
                    "roles",
                    value: arn,
                    "Map value must satisfy constraint: [Member must have length greater than or equal to 20]"
                )
            }
        }
        var pool = try await existingPool(poolId)
        try await authorize(request, .setIdentityPoolRoles, pool: pool.id)
        pool.roles = roles
        pool.roleMappingsJSON = input.rawJSON("RoleMappings")
        guard try await store.update(pool) else { throw CognitoError.poolNotFound(poolId) }
        return [:]
    }

    /// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_ListIdentities.html
    private func listIdentities(_ input: JSONInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        let limit = try Self.maxResults(input)
        let offset = try Self.offset(input)
        let pool = try await existingPool(poolId)
        try await authorize(request, .listIdentities, pool: pool.id)
        let page = try await store.identities(poolId: pool.id, offset: offset, limit: limit)
        var output: [String: Any] = ["IdentityPoolId": pool.id, "Identities": page.identities.map(\.description)]
        if page.more { output["NextToken"] = String(offset + limit) }
        return output
    }

    // MARK: Helpers

    func existingPool(_ id: String) async throws -> IdentityPoolRecord {
        guard let pool = try await store.pool(id) else { throw CognitoError.poolNotFound(id) }
        return pool
    }

    func existingIdentity(_ id: String) async throws -> IdentityRecord {
        guard let identity = try await store.identity(id) else { throw CognitoError.identityNotFound(id) }
        return identity
    }

    func poolArn(_ poolId: String) -> String {
        "arn:aws:cognito-identity:\(Self.regionPrefix(of: poolId, fallback: region)):\(sessions.accountId):identitypool/\(poolId)"
    }

    func authorize(_ request: AWSRequest, _ operation: CognitoOperation, pool: String?) async throws {
        let action = operation.iamAction
        let resources = pool.map { [poolArn($0)] } ?? []
        try await authorizer.require(request.caller, action: action, resources: resources, denied: CognitoError.accessDenied)
    }

    /// The condition keys Cognito credentials carry.
    static func sessionContext(identity: IdentityRecord) -> [String: [String]] {
        [
            "cognito-identity.amazonaws.com:sub": [identity.id],
            "cognito-identity.amazonaws.com:aud": [identity.poolId],
            "cognito-identity.amazonaws.com:amr": ["unauthenticated"],
        ]
    }

    static func regionPrefix(of id: String, fallback: String) -> String {
        id.split(separator: ":", maxSplits: 1).first.map(String.init) ?? fallback
    }

    static func refuseLogins(_ input: JSONInput) throws(CognitoError) {
        let logins = try input.stringMap("Logins")
        guard logins.isEmpty else { throw .loginsNotEmulated(providers: logins.keys.sorted()) }
    }

    static func validId(_ value: String, field: String) throws(CognitoError) -> String {
        if value.isEmpty {
            throw .constraint(field, value: value, "Member must have length greater than or equal to 1")
        }
        if value.count > 55 {
            throw .constraint(field, value: value, "Member must have length less than or equal to 55")
        }
        if value.range(of: #"^[\w-]+:[0-9a-f-]+$"#, options: .regularExpression) == nil {
            throw .constraint(field, value: value, CognitoError.idPattern)
        }
        return value
    }

    static func poolId(_ input: JSONInput) throws(CognitoError) -> String {
        guard let value = try input.string("IdentityPoolId") else { throw .missing("identityPoolId") }
        return try validId(value, field: "identityPoolId")
    }

    static func identityId(_ input: JSONInput) throws(CognitoError) -> String {
        guard let value = try input.string("IdentityId") else { throw .missing("identityId") }
        return try validId(value, field: "identityId")
    }

    static func maxResults(_ input: JSONInput) throws(CognitoError) -> Int {
        guard let value = try input.int("MaxResults") else { throw .missing("maxResults") }
        if value < 1 { throw .constraint("maxResults", value: String(value), "Member must have value greater than or equal to 1") }
        if value > 60 { throw .constraint("maxResults", value: String(value), "Member must have value less than or equal to 60") }
        return value
    }

    static func offset(_ input: JSONInput) throws(CognitoError) -> Int {
        guard let token = try input.string("NextToken") else { return 0 }
        guard let offset = Int(token), offset >= 0 else { throw .invalidParameter("Invalid pagination token.") }
        return offset
    }

    private static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
