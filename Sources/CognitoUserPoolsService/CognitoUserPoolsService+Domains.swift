import AWSGateway
import EmulatorCore
import Foundation

/// Domains: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain and DeleteUserPoolDomain. Prefix
/// domains only (`{prefix}.auth.{region}.amazoncognito.com`, one per pool, unique in the region); no hosted UI or OAuth
/// endpoint is served on them. A `CustomDomainConfig` needs an ACM certificate, and the emulator has no ACM: it answers
/// Cognito's error for a certificate that does not exist.
extension CognitoUserPoolsService {
    /// Answers one domain operation.
    /// - Parameters:
    ///   - operation: A domain operation.
    ///   - input: The request body.
    ///   - request: The request (for authorization).
    /// - Returns: The response object.
    /// - Throws: ``UserPoolsError``.
    func handleDomain(_ operation: UserPoolsOperation, _ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        switch operation {
        case .createUserPoolDomain:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html
            let name = try Self.domainName(input)
            let poolId = try Self.poolId(input)
            let version = try Self.managedLoginVersion(input) ?? 1
            let pool = try await existingPool(poolId)
            try await authorize(request, operation, pool: pool.record)
            try Self.refuseCustomDomain(input)
            try Self.checkPrefix(name)
            let domain = UserPoolDomainRecord(domain: name, poolId: pool.record.id, managedLoginVersion: version, createdAt: clock.now)
            switch try await store.insert(domain) {
            case .inserted: return ["ManagedLoginVersion": version]
            case .poolHasDomain: throw UserPoolsError.domainConfigured
            case .domainTaken: throw UserPoolsError.domainTaken
            }
        case .describeUserPoolDomain:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPoolDomain.html
            // An unknown domain answers an empty description, as Cognito does.
            let name = try Self.domainName(input)
            try await authorize(request, operation, pool: nil)
            guard let domain = try await store.domain(name) else { return ["DomainDescription": [String: Any]()] }
            return [
                "DomainDescription": [
                    "UserPoolId": domain.poolId, "AWSAccountId": accountId, "Domain": domain.domain, "Status": "ACTIVE",
                    "ManagedLoginVersion": domain.managedLoginVersion,
                ] as [String: Any]
            ]
        case .updateUserPoolDomain:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolDomain.html
            let name = try Self.domainName(input)
            let poolId = try Self.poolId(input)
            let version = try Self.managedLoginVersion(input)
            let pool = try await existingPool(poolId)
            try await authorize(request, operation, pool: pool.record)
            guard let domain = try await store.domain(ofPool: pool.record.id), domain.domain == name else { throw UserPoolsError.noSuchDomain }
            try Self.refuseCustomDomain(input)
            let wanted = version ?? domain.managedLoginVersion
            guard try await store.updateDomain(name, poolId: pool.record.id, managedLoginVersion: wanted) else {
                throw UserPoolsError.noSuchDomain
            }
            return ["ManagedLoginVersion": wanted]
        case .deleteUserPoolDomain:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUserPoolDomain.html
            let name = try Self.domainName(input)
            let poolId = try Self.poolId(input)
            let pool = try await existingPool(poolId)
            try await authorize(request, operation, pool: pool.record)
            guard try await store.deleteDomain(name, poolId: pool.record.id) else { throw UserPoolsError.noSuchDomain }
            return [:]
        default:
            throw UserPoolsError.unknownOperation
        }
    }

    /// `Domain`: 1 to 63 characters (the model's length; the characters are Cognito's check, ``checkPrefix(_:)``).
    static func domainName(_ input: PoolInput) throws(UserPoolsError) -> String {
        guard let value = try input.string("Domain") else { throw .missing("domain") }
        try checkLength(value, field: "domain", 1...63)
        return value
    }

    /// `ManagedLoginVersion`: 1 (the classic hosted UI) or 2 (managed login).
    static func managedLoginVersion(_ input: PoolInput) throws(UserPoolsError) -> Int? {
        guard let version = try input.int("ManagedLoginVersion") else { return nil }
        try checkManagedLoginVersion(version)
        return version
    }

    /// Checks a `ManagedLoginVersion`: 1 or 2.
    static func checkManagedLoginVersion(_ version: Int) throws(UserPoolsError) {
        guard version == 1 || version == 2 else { throw .invalidManagedLoginVersion }
    }

    /// A prefix domain's rules: lower-case letters, digits and inner hyphens, none of Cognito's reserved words.
    /// - Parameter prefix: The domain prefix.
    /// - Throws: ``UserPoolsError/invalidDomain`` or ``UserPoolsError/reservedDomainWord(_:)``.
    static func checkPrefix(_ prefix: String) throws(UserPoolsError) {
        guard prefix.range(of: #"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"#, options: .regularExpression) != nil else {
            throw .invalidDomain
        }
        for word in ["aws", "amazon", "cognito"] where prefix.contains(word) { throw .reservedDomainWord(word) }
    }

    /// A `CustomDomainConfig` names an ACM certificate, which cannot exist in the emulator.
    private static func refuseCustomDomain(_ input: PoolInput) throws(UserPoolsError) {
        guard let custom = try input.structure("CustomDomainConfig") else { return }
        guard try custom.string("CertificateArn") != nil else { throw .missing("customDomainConfig.certificateArn") }
        throw .certificateNotFound
    }
}
