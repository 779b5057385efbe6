import AWSGateway
import Crypto
import EmulatorCore
import Foundation

/// Users: AdminCreateUser, AdminSetUserPassword, AdminGetUser / AdminDeleteUser, ListUsers, SignUp, ConfirmSignUp
/// and AdminConfirmSignUp, with the pool's password policy and app client secret hashes.
extension CognitoUserPoolsService {
    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
    func adminCreateUser(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        let name = try Self.username(input)
        let action = try input.string("MessageAction")
        if let action, action != "RESEND", action != "SUPPRESS" {
            throw UserPoolsError.constraint("messageAction", value: action, "Member must satisfy enum value set: [RESEND, SUPPRESS]")
        }
        let attributes = try Self.attributes(input, key: "UserAttributes")
        let pool = try await existingPool(poolId)
        try await authorize(request, .adminCreateUser, pool: pool.record)
        if action == "RESEND" {
            guard var user = try await store.user(name, pool: pool.record) else { throw UserPoolsError.userNotFound }
            let password = Self.generatedPassword()
            user.passwordSalt = EmulatorRandom.uuidString("cognito-idp-salts")
            user.passwordHash = Self.hash(password, salt: user.passwordSalt)
            user.lastModifiedAt = clock.now
            _ = try await store.update(user, pool: pool.record)
            logger.notice(
                "Cognito temporary password (no invitation leaves the machine)",
                metadata: ["userPoolId": .string(pool.record.id), "username": .string(user.username), "temporaryPassword": .string(password)]
            )
            return ["User": user.description]
        }
        let temporary = try input.string("TemporaryPassword")
        let user = try await createInvitedUser(
            name: name,
            attributes: attributes,
            temporaryPassword: temporary,
            suppress: action == "SUPPRESS",
            pool: pool.record
        )
        return ["User": user.description]
    }

    /// Creates a user in `FORCE_CHANGE_PASSWORD` with `temporaryPassword` (a generated one when nil), as AdminCreateUser
    /// and the `AWS::Cognito::UserPoolUser` deployer do; the password is logged unless it was given and the invitation
    /// suppressed.
    /// - Throws: ``UserPoolsError`` for a password the policy refuses, a name the pool refuses or a user that exists.
    func createInvitedUser(
        name: String,
        attributes: [PoolUserRecord.Attribute],
        temporaryPassword temporary: String?,
        suppress: Bool,
        pool: UserPoolRecord
    ) async throws -> PoolUserRecord {
        if let temporary { try Self.checkPolicy(temporary, pool.passwordPolicy) }
        let password = temporary ?? Self.generatedPassword()
        let user = try newUser(name: name, attributes: attributes, password: password, status: .forceChangePassword, pool: pool)
        guard try await store.insert(user, pool: pool) else { throw UserPoolsError.usernameExists("User account already exists") }
        if temporary == nil || !suppress {
            logger.notice(
                "Cognito temporary password (no invitation leaves the machine)",
                metadata: ["userPoolId": .string(pool.id), "username": .string(user.username), "temporaryPassword": .string(password)]
            )
        }
        return user
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserPassword.html
    func adminSetUserPassword(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        guard let password = try input.string("Password") else { throw UserPoolsError.missing("password") }
        let permanent = try input.bool("Permanent") ?? false
        let (pool, found) = try await adminUser(input, request, .adminSetUserPassword)
        var user = found
        try Self.checkPolicy(password, pool.record.passwordPolicy)
        user.passwordSalt = EmulatorRandom.uuidString("cognito-idp-salts")
        user.passwordHash = Self.hash(password, salt: user.passwordSalt)
        user.status = permanent ? .confirmed : .forceChangePassword
        user.confirmationCode = nil
        user.lastModifiedAt = clock.now
        guard try await store.update(user, pool: pool.record) else { throw UserPoolsError.userNotFound }
        return [:]
    }

    /// The pool and user an Admin operation names, after authorization.
    func adminUser(
        _ input: PoolInput,
        _ request: AWSRequest,
        _ operation: UserPoolsOperation
    ) async throws -> (UserPoolsStore.StoredPool, PoolUserRecord) {
        let poolId = try Self.poolId(input)
        let name = try Self.username(input)
        let pool = try await existingPool(poolId)
        try await authorize(request, operation, pool: pool.record)
        guard let user = try await store.user(name, pool: pool.record) else { throw UserPoolsError.userNotFound }
        return (pool, user)
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html
    ///
    /// `Filter` supports `name = "value"` and `name ^= "prefix"` on `username`, `email`, `phone_number`, `name`,
    /// `given_name`, `family_name`, `preferred_username`, `sub` and `cognito:user_status` (`status`).
    func listUsers(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        let limit = try input.int("Limit") ?? 60
        try Self.checkRange(limit, field: "limit", 0...60)
        let offset = try Self.offset(try input.string("PaginationToken"))
        var filter: UserFilter?
        if let text = try input.string("Filter"), !text.isEmpty {
            guard let parsed = Self.parseFilter(text) else { throw UserPoolsError.invalidParameter("Error while parsing filter.") }
            filter = parsed
        }
        let wanted = try input.strings("AttributesToGet")
        let pool = try await existingPool(poolId)
        try await authorize(request, .listUsers, pool: pool.record)
        var users: [PoolUserRecord] = []
        var position = 0
        var more = false
        let pageSize = limit == 0 ? 60 : limit
        // Filtering happens before paging: walk the pool in pages of the store until the page is full.
        var storeOffset = 0
        scan: while true {
            let page = try await store.users(poolId: pool.record.id, offset: storeOffset, limit: 200)
            for user in page.users where filter.map({ Self.matches(user, $0) }) ?? true {
                if position >= offset {
                    if users.count == pageSize {
                        more = true
                        break scan
                    }
                    users.append(user)
                }
                position += 1
            }
            guard page.more else { break }
            storeOffset += 200
        }
        let entries = users.map { user -> [String: Any] in
            var entry = user.description
            if !wanted.isEmpty { entry["Attributes"] = user.attributeList.filter { wanted.contains($0["Name"] ?? "") } }
            return entry
        }
        var output: [String: Any] = ["Users": entries]
        if more { output["PaginationToken"] = String(offset + pageSize) }
        return output
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminConfirmSignUp.html
    func adminConfirmSignUp(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let (pool, found) = try await adminUser(input, request, .adminConfirmSignUp)
        var user = found
        guard user.status == .unconfirmed else { throw UserPoolsError.cannotConfirm(status: user.status.rawValue) }
        confirm(&user, pool: pool.record)
        guard try await store.update(user, pool: pool.record) else { throw UserPoolsError.userNotFound }
        return [:]
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html
    func signUp(_ input: PoolInput) async throws -> [String: Any] {
        let clientId = try Self.clientId(input)
        let name = try Self.username(input)
        guard let password = try input.string("Password") else { throw UserPoolsError.missing("password") }
        let attributes = try Self.attributes(input, key: "UserAttributes")
        let (client, pool) = try await existingClient(clientId)
        try Self.checkSecretHash(try input.string("SecretHash"), client: client, username: name)
        try Self.checkPolicy(password, pool.record.passwordPolicy)
        var codes = EmulatorRandom.idGenerator("cognito-idp-codes")
        let number = String(codes.next() % 1_000_000)
        let code = String(repeating: "0", count: 6 - number.count) + number
        var user = try newUser(name: name, attributes: attributes, password: password, status: .unconfirmed, pool: pool.record)
        user.confirmationCode = code
        guard try await store.insert(user, pool: pool.record) else { throw UserPoolsError.usernameExists("User already exists") }
        logger.notice(
            "Cognito sign-up confirmation code (no message leaves the machine)",
            metadata: ["userPoolId": .string(pool.record.id), "username": .string(user.username), "code": .string(code)]
        )
        var output: [String: Any] = ["UserConfirmed": false, "UserSub": user.sub]
        for medium in ["email", "phone_number"] where pool.record.autoVerifiedAttributes.contains(medium) {
            guard let destination = user.attribute(medium) else { continue }
            output["CodeDeliveryDetails"] = [
                "Destination": Self.masked(destination),
                "DeliveryMedium": medium == "email" ? "EMAIL" : "SMS",
                "AttributeName": medium,
            ]
            break
        }
        return output
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmSignUp.html
    func confirmSignUp(_ input: PoolInput) async throws -> [String: Any] {
        let clientId = try Self.clientId(input)
        let name = try Self.username(input)
        guard let code = try input.string("ConfirmationCode") else { throw UserPoolsError.missing("confirmationCode") }
        let (client, pool) = try await existingClient(clientId)
        try Self.checkSecretHash(try input.string("SecretHash"), client: client, username: name)
        guard var user = try await store.user(name, pool: pool.record) else { throw UserPoolsError.userNotFound }
        guard user.status == .unconfirmed else { throw UserPoolsError.cannotConfirm(status: user.status.rawValue) }
        guard user.confirmationCode == code else { throw UserPoolsError.wrongCode }
        confirm(&user, pool: pool.record)
        guard try await store.update(user, pool: pool.record) else { throw UserPoolsError.userNotFound }
        return [:]
    }

    /// Marks a user confirmed; auto-verified attributes it has become verified.
    func confirm(_ user: inout PoolUserRecord, pool: UserPoolRecord) {
        user.status = .confirmed
        user.confirmationCode = nil
        user.lastModifiedAt = clock.now
        for medium in ["email", "phone_number"] where pool.autoVerifiedAttributes.contains(medium) && user.attribute(medium) != nil {
            user.set(medium + "_verified", "true")
        }
    }

    /// A new user with a fresh `sub`: for pools whose `UsernameAttributes` include `email`, the name must be an
    /// email address and the username becomes the `sub`.
    func newUser(
        name: String,
        attributes: [PoolUserRecord.Attribute],
        password: String,
        status: PoolUserRecord.Status,
        pool: UserPoolRecord
    ) throws -> PoolUserRecord {
        let sub = EmulatorRandom.uuidString("cognito-idp-subs")
        var username = name
        var all = [PoolUserRecord.Attribute(name: "sub", value: sub)]
        if !pool.usernameAttributes.isEmpty {
            if pool.usernameAttributes.contains("email"), name.contains("@") {
                all.append(.init(name: "email", value: name))
            } else if pool.usernameAttributes.contains("phone_number"), name.hasPrefix("+") {
                all.append(.init(name: "phone_number", value: name))
            } else {
                throw UserPoolsError.invalidParameter(
                    pool.usernameAttributes.contains("email") ? "Username should be an email." : "Username should be a phone number."
                )
            }
            username = sub
        }
        for attribute in attributes where attribute.name != "sub" && !all.contains(where: { $0.name == attribute.name }) {
            all.append(attribute)
        }
        let salt = EmulatorRandom.uuidString("cognito-idp-salts")
        let now = clock.now
        return PoolUserRecord(
            username: username,
            sub: sub,
            attributes: all,
            status: status,
            passwordSalt: salt,
            passwordHash: Self.hash(password, salt: salt),
            createdAt: now,
            lastModifiedAt: now
        )
    }

    // MARK: Helpers

    static func attributes(_ input: PoolInput, key: String) throws(UserPoolsError) -> [PoolUserRecord.Attribute] {
        var result: [PoolUserRecord.Attribute] = []
        for entry in try input.objects(key) {
            guard let name = try entry.string("Name") else { throw .missing("\(key.prefix(1).lowercased() + key.dropFirst()).member.name") }
            result.append(.init(name: name, value: try entry.string("Value") ?? ""))
        }
        return result
    }

    /// Checks a password against the pool's policy, with Cognito's texts.
    static func checkPolicy(_ password: String, _ policy: UserPoolRecord.PasswordPolicy) throws(UserPoolsError) {
        let prefix = "Password did not conform with policy: "
        if password.count < policy.minimumLength { throw .invalidPassword(prefix + "Password not long enough") }
        if policy.requireLowercase, !password.contains(where: { $0.isLowercase }) {
            throw .invalidPassword(prefix + "Password must have lowercase characters")
        }
        if policy.requireUppercase, !password.contains(where: { $0.isUppercase }) {
            throw .invalidPassword(prefix + "Password must have uppercase characters")
        }
        if policy.requireNumbers, !password.contains(where: { $0.isASCII && $0.isNumber }) {
            throw .invalidPassword(prefix + "Password must have numeric characters")
        }
        if policy.requireSymbols, !password.contains(where: { symbols.contains($0) }) {
            throw .invalidPassword(prefix + "Password must have symbol characters")
        }
    }

    /// The special characters Cognito's password policy counts.
    static let symbols = Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

    /// A temporary password that meets any policy.
    static func generatedPassword() -> String {
        "Tmp" + EmulatorRandom.uuidString("cognito-idp-passwords").prefix(8) + "a1!"
    }

    static func hash(_ password: String, salt: String) -> String {
        Data(SHA256.hash(data: Data((salt + ":" + password).utf8))).base64EncodedString()
    }

    /// Whether a password is the user's.
    static func passwordMatches(_ password: String, _ user: PoolUserRecord) -> Bool {
        hash(password, salt: user.passwordSalt) == user.passwordHash
    }

    /// Checks `SECRET_HASH` (Base64 of HMAC-SHA256 over username + client id, keyed with the client secret) for a
    /// client that has a secret.
    static func checkSecretHash(_ given: String?, client: UserPoolClientRecord, username: String) throws(UserPoolsError) {
        guard let secret = client.secret else { return }
        guard let given else { throw .notAuthorized("Client \(client.id) is configured for secret but secret was not received") }
        let mac = HMAC<SHA256>.authenticationCode(for: Data((username + client.id).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        guard Data(mac).base64EncodedString() == given else { throw .notAuthorized("Unable to verify secret hash for client \(client.id)") }
    }

    /// `t***@e***` as Cognito masks a destination.
    static func masked(_ destination: String) -> String {
        guard let at = destination.firstIndex(of: "@") else { return "+*******" + destination.suffix(4) }
        let local = destination[..<at].prefix(1)
        let domain = destination[destination.index(after: at)...].prefix(1)
        return "\(local)***@\(domain)***"
    }

    /// A `ListUsers` filter: attribute, exact (`=`) or prefix (`^=`), value.
    typealias UserFilter = (attribute: String, prefix: Bool, value: String)

    static func parseFilter(_ text: String) -> UserFilter? {
        let pattern = #"^\s*([\w:]+)\s*(\^?=)\s*"(.*)"\s*$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let name = Range(match.range(at: 1), in: text), let op = Range(match.range(at: 2), in: text),
            let value = Range(match.range(at: 3), in: text)
        else { return nil }
        let attribute = String(text[name])
        let allowed: Set<String> = [
            "username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username", "sub", "cognito:user_status",
            "status",
        ]
        guard allowed.contains(attribute) else { return nil }
        return (attribute, text[op] == "^=", String(text[value]))
    }

    static func matches(_ user: PoolUserRecord, _ filter: UserFilter) -> Bool {
        let actual: String?
        switch filter.attribute {
        case "username": actual = user.username
        case "cognito:user_status": actual = user.status.rawValue
        case "status": actual = user.enabled ? "Enabled" : "Disabled"
        default: actual = user.attribute(filter.attribute)
        }
        guard let actual else { return false }
        return filter.prefix ? actual.hasPrefix(filter.value) : actual == filter.value
    }
}
