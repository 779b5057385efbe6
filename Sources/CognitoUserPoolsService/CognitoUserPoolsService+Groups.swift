import AWSGateway
import EmulatorCore
import Foundation

/// Groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AdminAddUserToGroup,
/// AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup. A user's groups go into its tokens
/// (`cognito:groups`, and `cognito:roles` / `cognito:preferred_role` from the groups' `RoleArn`).
extension CognitoUserPoolsService {
    /// Answers one group operation.
    /// - Parameters:
    ///   - operation: A group operation.
    ///   - input: The request body.
    ///   - request: The request (for authorization).
    /// - Returns: The response object.
    /// - Throws: ``UserPoolsError``.
    func handleGroup(_ operation: UserPoolsOperation, _ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        switch operation {
        case .createGroup: return try await createGroup(input, request)
        case .getGroup:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetGroup.html
            let (_, group) = try await existingGroup(input, request, operation)
            return ["Group": group.groupType]
        case .listGroups:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListGroups.html
            let poolId = try Self.poolId(input)
            let (limit, offset) = try Self.groupPage(input)
            let pool = try await existingPool(poolId)
            try await authorize(request, operation, pool: pool.record)
            let page = try await store.groups(poolId: pool.record.id, offset: offset, limit: limit)
            return Self.page(["Groups": page.groups.map(\.groupType)], more: page.more, offset: offset, limit: limit)
        case .updateGroup: return try await updateGroup(input, request)
        case .deleteGroup:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteGroup.html
            let (pool, group) = try await existingGroup(input, request, operation)
            guard try await store.deleteGroup(poolId: pool.record.id, name: group.name) else { throw UserPoolsError.groupNotFound }
            return [:]
        case .adminAddUserToGroup:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminAddUserToGroup.html
            let groupName = try Self.groupName(input)
            let (pool, user) = try await adminUser(input, request, operation)
            try await store.addMember(
                poolId: pool.record.id,
                groupName: groupName,
                usernameKey: UserPoolsStore.key(user.username, pool: pool.record),
                at: clock.now
            )
            return [:]
        case .adminRemoveUserFromGroup:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminRemoveUserFromGroup.html
            let groupName = try Self.groupName(input)
            let (pool, user) = try await adminUser(input, request, operation)
            try await store.removeMember(
                poolId: pool.record.id,
                groupName: groupName,
                usernameKey: UserPoolsStore.key(user.username, pool: pool.record)
            )
            return [:]
        case .adminListGroupsForUser:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminListGroupsForUser.html
            let (limit, offset) = try Self.groupPage(input)
            let (pool, user) = try await adminUser(input, request, operation)
            let page = try await store.groups(
                poolId: pool.record.id,
                usernameKey: UserPoolsStore.key(user.username, pool: pool.record),
                offset: offset,
                limit: limit
            )
            return Self.page(["Groups": page.groups.map(\.groupType)], more: page.more, offset: offset, limit: limit)
        case .listUsersInGroup:
            // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsersInGroup.html
            let (limit, offset) = try Self.groupPage(input)
            let (pool, group) = try await existingGroup(input, request, operation)
            let page = try await store.users(poolId: pool.record.id, groupName: group.name, offset: offset, limit: limit)
            return Self.page(["Users": page.users.map(\.description)], more: page.more, offset: offset, limit: limit)
        default:
            throw UserPoolsError.unknownOperation
        }
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html
    private func createGroup(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let poolId = try Self.poolId(input)
        let name = try Self.groupName(input)
        let settings = try Self.groupSettings(input)
        let pool = try await existingPool(poolId)
        try await authorize(request, .createGroup, pool: pool.record)
        let now = clock.now
        let group = UserPoolGroupRecord(
            poolId: pool.record.id,
            name: name,
            groupDescription: settings.description,
            roleArn: settings.roleArn,
            precedence: settings.precedence,
            createdAt: now,
            lastModifiedAt: now
        )
        guard try await store.insert(group) else { throw UserPoolsError.groupExists }
        return ["Group": group.groupType]
    }

    /// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateGroup.html
    ///
    /// Members left out (and an empty `Description`) keep the group's value.
    private func updateGroup(_ input: PoolInput, _ request: AWSRequest) async throws -> [String: Any] {
        let settings = try Self.groupSettings(input)
        var group = try await existingGroup(input, request, .updateGroup).1
        var changed = false
        if let value = settings.description, !value.isEmpty {
            group.groupDescription = value
            changed = true
        }
        if let value = settings.roleArn {
            group.roleArn = value
            changed = true
        }
        if let value = settings.precedence {
            group.precedence = value
            changed = true
        }
        if changed {
            group.lastModifiedAt = clock.now
            guard try await store.update(group) else { throw UserPoolsError.groupNotFound }
        }
        return ["Group": group.groupType]
    }

    /// The pool and group a request names, after authorization.
    private func existingGroup(
        _ input: PoolInput,
        _ request: AWSRequest,
        _ operation: UserPoolsOperation
    ) async throws -> (UserPoolsStore.StoredPool, UserPoolGroupRecord) {
        let poolId = try Self.poolId(input)
        let name = try Self.groupName(input)
        let pool = try await existingPool(poolId)
        try await authorize(request, operation, pool: pool.record)
        guard let group = try await store.group(poolId: pool.record.id, name: name) else { throw UserPoolsError.groupNotFound }
        return (pool, group)
    }

    // MARK: Input

    /// `GroupName`: 1 to 128 letters, marks, symbols, numbers or punctuation.
    static func groupName(_ input: PoolInput) throws(UserPoolsError) -> String {
        guard let value = try input.string("GroupName") else { throw .missing("groupName") }
        try checkLength(value, field: "groupName", 1...128)
        if value.range(of: #"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$"#, options: .regularExpression) == nil {
            throw .constraint("groupName", value: value, #"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+"#)
        }
        return value
    }

    /// `Description`, `RoleArn` and `Precedence` of CreateGroup and UpdateGroup, checked against the model.
    static func groupSettings(_ input: PoolInput) throws(UserPoolsError) -> (description: String?, roleArn: String?, precedence: Int?) {
        let description = try input.string("Description")
        if let description { try checkLength(description, field: "description", 0...2048) }
        let roleArn = try input.string("RoleArn")
        if let roleArn {
            try checkLength(roleArn, field: "roleArn", 20...2048)
            let pattern = #"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?"#
            if roleArn.range(of: "^" + pattern + "$", options: .regularExpression) == nil {
                throw .constraint("roleArn", value: roleArn, "Member must satisfy regular expression pattern: " + pattern)
            }
        }
        let precedence = try input.int("Precedence")
        if let precedence { try checkRange(precedence, field: "precedence", 0...Int(Int32.max)) }
        return (description, roleArn, precedence)
    }

    /// `Limit` (1 to 60, 60 when absent) and the `NextToken` offset of the group listings.
    static func groupPage(_ input: PoolInput) throws(UserPoolsError) -> (limit: Int, offset: Int) {
        let limit = try input.int("Limit") ?? 60
        try checkRange(limit, field: "limit", 0...60)
        guard limit > 0 else { throw UserPoolsError.groupLimitOutOfRange }
        return (limit, try offset(try input.string("NextToken")))
    }

    /// A list answer with `NextToken` (the next page's offset) when there is more.
    static func page(_ output: [String: Any], more: Bool, offset: Int, limit: Int) -> [String: Any] {
        var output = output
        // `more` means a row exists past offset + limit, so the sum is a row count and cannot overflow.
        if more { output["NextToken"] = String(offset + limit) }
        return output
    }

    static func checkLength(_ value: String, field: String, _ range: ClosedRange<Int>) throws(UserPoolsError) {
        if value.count < range.lowerBound {
            throw .constraint(field, value: value, "Member must have length greater than or equal to \(range.lowerBound)")
        }
        if value.count > range.upperBound {
            throw .constraint(field, value: value, "Member must have length less than or equal to \(range.upperBound)")
        }
    }
}
