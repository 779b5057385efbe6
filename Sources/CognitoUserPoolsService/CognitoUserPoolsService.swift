import AWSGateway
import CloudFormation
import Crypto
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage

/// Amazon Cognito user pools (`cognito-idp`) over JSON 1.1.
///
/// Operations: CreateUserPool, DescribeUserPool, ListUserPools, DeleteUserPool, CreateUserPoolClient,
/// DescribeUserPoolClient, ListUserPoolClients, DeleteUserPoolClient, AdminCreateUser, AdminSetUserPassword,
/// AdminGetUser, AdminDeleteUser, ListUsers, AdminConfirmSignUp, AdminInitiateAuth, the group operations
/// (``handleGroup(_:_:_:)``), the prefix domain operations (``handleDomain(_:_:_:)``) (signed), and SignUp,
/// ConfirmSignUp, InitiateAuth, RespondToAuthChallenge, GetUser (unsigned, as in AWS). Sign-in flows:
/// `USER_PASSWORD_AUTH`, `ADMIN_USER_PASSWORD_AUTH` / `ADMIN_NO_SRP_AUTH`, `REFRESH_TOKEN_AUTH` and the
/// `NEW_PASSWORD_REQUIRED` challenge; `USER_SRP_AUTH` and `CUSTOM_AUTH` are refused. Tokens are RS256 JWTs signed
/// with a per-pool key whose JWKS is served at `/{poolId}/.well-known/jwks.json`. No message leaves the machine:
/// sign-up confirmation codes and generated temporary passwords are written to the emulator's log.
package struct CognitoUserPoolsService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.cognitoUserPools
    let store: UserPoolsStore
    let clock: VirtualClock
    let region: String
    let accountId: String
    private let authorizer: any RequestAuthorizing
    let logger: Logger

    /// How long a challenge `Session` is valid (Cognito: three minutes).
    static let sessionLifetime: TimeInterval = 180

    /// Creates the service and writes the template's pools, clients, groups and domains.
    /// - Parameters:
    ///   - template: The template's user pool resources.
    ///   - location: Where pools and users persist.
    ///   - clock: The virtual clock (token times).
    ///   - region: The emulated region.
    ///   - accountId: The emulated account.
    ///   - authorizer: The authorization hook for signed operations.
    ///   - logger: The base logger (confirmation codes are logged).
    /// - Throws: Storage or key generation errors; ``TemplateError`` for a template domain Cognito would refuse.
    package init(
        template: UserPoolTemplate,
        location: DataLocation,
        clock: VirtualClock,
        region: String,
        accountId: String,
        authorizer: any RequestAuthorizing,
        logger: Logger
    ) throws {
        store = try UserPoolsStore(location: location)
        self.clock = clock
        self.region = region
        self.accountId = accountId
        self.authorizer = authorizer
        var logger = logger
        logger[metadataKey: "service"] = "cognito-idp"
        self.logger = logger
        try syncTemplate(template)
    }

    /// Writes the template's pools (a new key for a pool not stored yet), clients, groups and domains. Users and
    /// user-to-group attachments are refused here: the start-up template is written on every start and reset, and a
    /// user's temporary password and state are not the template's to restore; stacks create them.
    /// - Throws: ``TemplateError`` (`CREATE_FAILED`) for a domain Cognito would refuse, a user or an attachment;
    ///   database errors.
    func syncTemplate(_ template: UserPoolTemplate) throws {
        let refused =
            template.users.map { ($0.logicalId, UserPoolProvider.userType) }
            + template.attachments.map { ($0.logicalId, UserPoolProvider.attachmentType) }
        if let (logicalId, type) = refused.first {
            throw TemplateError(
                .unsupported,
                "CREATE_FAILED: Resource type \(type) is not yet deployable by SynapScribe Local in the start-up template "
                    + "(deploy it in a stack through the CloudFormation API, or use AdminCreateUser and AdminAddUserToGroup)",
                logicalId: logicalId
            )
        }
        for domain in template.domains {
            if let refusal = Self.refusal(domain) {
                throw TemplateError(.invalidProperty, "CREATE_FAILED: \(refusal.message)", logicalId: domain.logicalId)
            }
        }
        let stored = try store.poolIds()
        let now = clock.now
        var records: [UserPoolsStore.StoredPool] = []
        for spec in template.pools {
            // A stored pool keeps its key (the upsert leaves it); only a new pool needs one.
            let key = try stored.contains(spec.id) ? (keyId: "", pem: "") : UserPoolSigner.generate()
            let record = Self.record(from: spec, region: region, accountId: accountId, now: now)
            records.append(UserPoolsStore.StoredPool(record: record, keyId: key.keyId, keyPEM: key.pem))
        }
        try store.syncTemplate(
            pools: records,
            clients: template.clients.map { Self.record(from: $0, now: now) },
            groups: template.groups.map { Self.record(from: $0, now: now) },
            domains: template.domains.map { Self.record(from: $0, now: now) }
        )
    }

    static func record(from spec: UserPoolGroupSpec, now: Date) -> UserPoolGroupRecord {
        UserPoolGroupRecord(
            poolId: spec.poolId,
            name: spec.name,
            groupDescription: spec.groupDescription,
            roleArn: spec.roleArn,
            precedence: spec.precedence,
            createdAt: now,
            lastModifiedAt: now
        )
    }

    static func record(from spec: UserPoolDomainSpec, now: Date) -> UserPoolDomainRecord {
        UserPoolDomainRecord(domain: spec.domain, poolId: spec.poolId, managedLoginVersion: spec.managedLoginVersion, createdAt: now)
    }

    /// Cognito's refusal of a template domain: a custom domain (no ACM certificate can exist), a prefix it does not
    /// accept, or a `ManagedLoginVersion` other than 1 or 2.
    static func refusal(_ spec: UserPoolDomainSpec) -> UserPoolsError? {
        if spec.customDomain { return .certificateNotFound }
        do throws(UserPoolsError) {
            try checkManagedLoginVersion(spec.managedLoginVersion)
            try checkPrefix(spec.domain)
            return nil
        } catch {
            return error
        }
    }

    static func record(from spec: UserPoolSpec, region: String, accountId: String, now: Date) -> UserPoolRecord {
        var record = UserPoolRecord(id: spec.id, name: spec.name, region: region, accountId: accountId, createdAt: now, lastModifiedAt: now)
        if let value = spec.minimumLength { record.passwordPolicy.minimumLength = value }
        if let value = spec.requireUppercase { record.passwordPolicy.requireUppercase = value }
        if let value = spec.requireLowercase { record.passwordPolicy.requireLowercase = value }
        if let value = spec.requireNumbers { record.passwordPolicy.requireNumbers = value }
        if let value = spec.requireSymbols { record.passwordPolicy.requireSymbols = value }
        if let value = spec.temporaryPasswordValidityDays { record.passwordPolicy.temporaryPasswordValidityDays = value }
        record.usernameAttributes = spec.usernameAttributes
        record.aliasAttributes = spec.aliasAttributes
        record.autoVerifiedAttributes = spec.autoVerifiedAttributes
        record.caseSensitive = spec.caseSensitive
        record.mfaConfiguration = spec.mfaConfiguration
        record.tags = spec.tags
        return record
    }

    static func record(from spec: UserPoolClientSpec, now: Date) -> UserPoolClientRecord {
        UserPoolClientRecord(
            id: spec.id,
            poolId: spec.poolId,
            name: spec.name,
            secret: spec.secret,
            explicitAuthFlows: spec.explicitAuthFlows,
            idTokenValidity: spec.idTokenValidity,
            accessTokenValidity: spec.accessTokenValidity,
            refreshTokenValidity: spec.refreshTokenValidity,
            createdAt: now,
            lastModifiedAt: now
        )
    }

    /// Names the typed operation from the `X-Amz-Target` suffix.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for a target the emulator does not serve.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(UserPoolsOperation.init(rawValue:))
    }

    /// Answers one JSON 1.1 request.
    /// - Parameter request: The request.
    /// - Returns: The JSON response.
    /// - Throws: ``UserPoolsError``.
    package func handle(_ request: AWSRequest) async throws -> Response {
        let input = try PoolInput(request.bodyData)
        guard let operation = request.serviceOperation as? UserPoolsOperation else { throw UserPoolsError.unknownOperation }
        let output: [String: Any]
        switch operation {
        case .createUserPool: output = try await createUserPool(input, request)
        case .describeUserPool:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html
            let pool = try await existingPool(try Self.poolId(input))
            try await authorize(request, operation, pool: pool.record)
            let users = try await store.userCount(pool.record.id)
            let domain = try await store.domain(ofPool: pool.record.id)
            output = ["UserPool": pool.record.description(estimatedUsers: users, domain: domain?.domain)]
        case .listUserPools: output = try await listUserPools(input, request)
        case .deleteUserPool:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUserPool.html
            let pool = try await existingPool(try Self.poolId(input))
            try await authorize(request, operation, pool: pool.record)
            switch try await store.deletePool(pool.record.id) {
            case .deleted: output = [:]
            case .notFound: throw UserPoolsError.poolNotFound(pool.record.id)
            case .hasDomain: throw UserPoolsError.poolHasDomain
            }
        case .createUserPoolClient: output = try await createClient(input, request)
        case .describeUserPoolClient:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPoolClient.html
            let pool = try await existingPool(try Self.poolId(input))
            let clientId = try Self.clientId(input)
            try await authorize(request, operation, pool: pool.record)
            guard let client = try await store.client(clientId), client.poolId == pool.record.id else {
                throw UserPoolsError.clientNotFound(clientId)
            }
            output = ["UserPoolClient": client.description]
        case .listUserPoolClients: output = try await listClients(input, request)
        case .deleteUserPoolClient:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUserPoolClient.html
            let pool = try await existingPool(try Self.poolId(input))
            let clientId = try Self.clientId(input)
            try await authorize(request, operation, pool: pool.record)
            guard try await store.deleteClient(clientId, poolId: pool.record.id) else { throw UserPoolsError.clientNotFound(clientId) }
            output = [:]
        case .adminCreateUser: output = try await adminCreateUser(input, request)
        case .adminSetUserPassword: output = try await adminSetUserPassword(input, request)
        case .adminGetUser:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminGetUser.html
            let (_, user) = try await adminUser(input, request, operation)
            output = [
                "Username": user.username, "UserAttributes": user.attributeList, "UserCreateDate": user.createdAt.timeIntervalSince1970,
                "UserLastModifiedDate": user.lastModifiedAt.timeIntervalSince1970, "Enabled": user.enabled, "UserStatus": user.status.rawValue,
            ]
        case .adminDeleteUser:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDeleteUser.html
            let (pool, user) = try await adminUser(input, request, operation)
            guard try await store.deleteUser(user.username, pool: pool.record) else { throw UserPoolsError.userNotFound }
            output = [:]
        case .listUsers: output = try await listUsers(input, request)
        case .adminConfirmSignUp: output = try await adminConfirmSignUp(input, request)
        case .adminInitiateAuth: output = try await adminInitiateAuth(input, request)
        case .signUp: output = try await signUp(input)
        case .confirmSignUp: output = try await confirmSignUp(input)
        case .initiateAuth: output = try await initiateAuth(input)
        case .respondToAuthChallenge: output = try await respondToAuthChallenge(input)
        case .getUser: output = try await getUser(input)
        case .createGroup, .getGroup, .listGroups, .updateGroup, .deleteGroup, .adminAddUserToGroup, .adminRemoveUserFromGroup,
            .adminListGroupsForUser, .listUsersInGroup:
            output = try await handleGroup(operation, input, request)
        case .createUserPoolDomain, .describeUserPoolDomain, .updateUserPoolDomain, .deleteUserPoolDomain:
            output = try await handleDomain(operation, input, request)
        }
        return Self.json(output)
    }

    /// Reports pools and users.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let counts = (try? await store.counts()) ?? (pools: 0, users: 0)
        return ServiceHealth(state: "running", resources: ["userPools": counts.pools], details: ["users": counts.users])
    }

    // MARK: Pools and clients

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
    private func createUserPool(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        guard let name = try input.string("PoolName") else { throw UserPoolsError.missing("poolName") }
        if name.isEmpty || name.count > 128 || name.range(of: #"^[\w\s+=,.@-]+$"#, options: .regularExpression) == nil {
            throw UserPoolsError.constraint("poolName", value: name, "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
        }
        try await authorize(request, .createUserPool, pool: nil)
        let now = clock.now
        var generator = EmulatorRandom.idGenerator("cognito-idp-ids")
        let suffix = String((0..<9).map { _ in UserPoolIds.poolAlphabet.randomElement(using: &generator) ?? "a" })
        var record = UserPoolRecord(id: "\(region)_\(suffix)", name: name, region: region, accountId: accountId, createdAt: now, lastModifiedAt: now)
        if let policy = try input.structure("Policies")?.structure("PasswordPolicy") {
            if let value = try policy.int("MinimumLength") {
                guard (6...99).contains(value) else {
                    throw UserPoolsError.constraint(
                        "policies.passwordPolicy.minimumLength",
                        value: String(value),
                        value < 6 ? "Member must have value greater than or equal to 6" : "Member must have value less than or equal to 99"
                    )
                }
                record.passwordPolicy.minimumLength = value
            }
            record.passwordPolicy.requireUppercase = try policy.bool("RequireUppercase") ?? false
            record.passwordPolicy.requireLowercase = try policy.bool("RequireLowercase") ?? false
            record.passwordPolicy.requireNumbers = try policy.bool("RequireNumbers") ?? false
            record.passwordPolicy.requireSymbols = try policy.bool("RequireSymbols") ?? false
            if let days = try policy.int("TemporaryPasswordValidityDays") {
                record.passwordPolicy.temporaryPasswordValidityDays = min(max(days, 0), 365)
            }
        }
        record.usernameAttributes = try input.strings("UsernameAttributes")
        record.aliasAttributes = try input.strings("AliasAttributes")
        record.autoVerifiedAttributes = try input.strings("AutoVerifiedAttributes")
        record.caseSensitive = try input.structure("UsernameConfiguration")?.bool("CaseSensitive") ?? true
        record.mfaConfiguration = try input.string("MfaConfiguration") ?? "OFF"
        record.tags = try input.stringMap("UserPoolTags")
        let key = try UserPoolSigner.generate()
        try await store.insert(UserPoolsStore.StoredPool(record: record, keyId: key.keyId, keyPEM: key.pem))
        return ["UserPool": record.description(estimatedUsers: 0, domain: nil)]
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUserPools.html
    private func listUserPools(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        guard let limit = try input.int("MaxResults") else { throw UserPoolsError.missing("maxResults") }
        try Self.checkRange(limit, field: "maxResults", 1...60)
        let offset = try Self.offset(try input.string("NextToken"))
        try await authorize(request, .listUserPools, pool: nil)
        let page = try await store.pools(offset: offset, limit: limit)
        var output: [String: Any] = ["UserPools": page.pools.map(\.summary)]
        if page.more { output["NextToken"] = String(offset + limit) }
        return output
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
    private func createClient(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        guard let name = try input.string("ClientName") else { throw UserPoolsError.missing("clientName") }
        if name.isEmpty || name.count > 128 || name.range(of: #"^[\w\s+=,.@-]+$"#, options: .regularExpression) == nil {
            throw UserPoolsError.constraint("clientName", value: name, "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
        }
        let flows = try input.strings("ExplicitAuthFlows")
        let known: Set<String> = [
            "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH",
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH",
        ]
        for flow in flows where !known.contains(flow) {
            throw UserPoolsError.constraint(
                "explicitAuthFlows",
                value: "[" + flows.joined(separator: ", ") + "]",
                "Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]]"
            )
        }
        let pool = try await existingPool(poolId)
        try await authorize(request, .createUserPoolClient, pool: pool.record)
        var generator = EmulatorRandom.idGenerator("cognito-idp-ids")
        func random(_ count: Int) -> String { String((0..<count).map { _ in UserPoolIds.clientAlphabet.randomElement(using: &generator) ?? "a" }) }
        let now = clock.now
        var client = UserPoolClientRecord(
            id: random(26),
            poolId: pool.record.id,
            name: name,
            secret: try input.bool("GenerateSecret") == true ? random(51) : nil,
            explicitAuthFlows: flows,
            createdAt: now,
            lastModifiedAt: now
        )
        let units = try input.structure("TokenValidityUnits")
        func seconds(_ key: String, unitKey: String, defaultUnit: String) throws -> Int? {
            guard let value = try input.int(key), value > 0 else { return nil }
            switch try units?.string(unitKey) ?? defaultUnit {
            case "seconds": return min(value, 315_360_000)
            case "minutes": return min(value, 5_256_000) * 60
            case "hours": return min(value, 87_600) * 3600
            default: return min(value, 3650) * 86400
            }
        }
        if let value = try seconds("IdTokenValidity", unitKey: "IdToken", defaultUnit: "hours") { client.idTokenValidity = value }
        if let value = try seconds("AccessTokenValidity", unitKey: "AccessToken", defaultUnit: "hours") { client.accessTokenValidity = value }
        if let value = try seconds("RefreshTokenValidity", unitKey: "RefreshToken", defaultUnit: "days") { client.refreshTokenValidity = value }
        guard try await store.insert(client) else { throw UserPoolsError.poolNotFound(pool.record.id) }
        return ["UserPoolClient": client.description]
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUserPoolClients.html
    private func listClients(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        let limit = try input.int("MaxResults") ?? 60
        try Self.checkRange(limit, field: "maxResults", 1...60)
        let offset = try Self.offset(try input.string("NextToken"))
        let pool = try await existingPool(poolId)
        try await authorize(request, .listUserPoolClients, pool: pool.record)
        let page = try await store.clients(poolId: pool.record.id, offset: offset, limit: limit)
        var output: [String: Any] = [
            "UserPoolClients": page.clients.map { ["ClientId": $0.id, "UserPoolId": $0.poolId, "ClientName": $0.name] }
        ]
        if page.more { output["NextToken"] = String(offset + limit) }
        return output
    }

    // MARK: Helpers

    func existingPool(_ id: String) async throws -> UserPoolsStore.StoredPool {
        guard let pool = try await store.pool(id) else { throw UserPoolsError.poolNotFound(id) }
        return pool
    }

    /// The client and its pool, for the unsigned operations that name only a `ClientId`.
    func existingClient(_ id: String) async throws -> (UserPoolClientRecord, UserPoolsStore.StoredPool) {
        guard let client = try await store.client(id), let pool = try await store.pool(client.poolId) else {
            throw UserPoolsError.clientNotFound(id)
        }
        return (client, pool)
    }

    func authorize(_ request: AWSRequest, _ operation: UserPoolsOperation, pool: UserPoolRecord?) async throws {
        let resources = pool.map { [$0.arn] } ?? []
        try await authorizer.require(request.caller, action: operation.iamAction, resources: resources, denied: UserPoolsError.accessDenied)
    }

    static func poolId(_ input: PoolInput) throws(UserPoolsError) -> String {
        guard let value = try input.string("UserPoolId") else { throw .missing("userPoolId") }
        if value.isEmpty || value.count > 55 || !UserPoolToken.isPoolId(value) {
            throw .constraint("userPoolId", value: value, "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+")
        }
        return value
    }

    static func clientId(_ input: PoolInput) throws(UserPoolsError) -> String {
        guard let value = try input.string("ClientId") else { throw .missing("clientId") }
        if value.isEmpty || value.count > 128 || value.range(of: #"^[\w+]+$"#, options: .regularExpression) == nil {
            throw .constraint("clientId", value: value, "Member must satisfy regular expression pattern: [\\w+]+")
        }
        return value
    }

    static func username(_ input: PoolInput) throws(UserPoolsError) -> String {
        guard let value = try input.string("Username") else { throw .missing("username") }
        if value.isEmpty || value.count > 128 {
            throw .constraint(
                "username",
                value: value,
                value.isEmpty ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 128"
            )
        }
        return value
    }

    static func checkRange(_ value: Int, field: String, _ range: ClosedRange<Int>) throws(UserPoolsError) {
        if value < range.lowerBound {
            throw .constraint(field, value: String(value), "Member must have value greater than or equal to \(range.lowerBound)")
        }
        if value > range.upperBound {
            throw .constraint(field, value: String(value), "Member must have value less than or equal to \(range.upperBound)")
        }
    }

    static func offset(_ token: String?) throws(UserPoolsError) -> Int {
        guard let token else { return 0 }
        guard let offset = Int(token), offset >= 0 else { throw .invalidParameter("Invalid pagination token.") }
        return offset
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
