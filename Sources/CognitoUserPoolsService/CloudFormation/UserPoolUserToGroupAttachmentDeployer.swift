import CloudFormation
import Foundation

/// Deploys `AWS::Cognito::UserPoolUserToGroupAttachment` for the CloudFormation API's stacks, through
/// AdminAddUserToGroup's path (`UserPoolId`, `GroupName`, `Username`, each replacing the attachment); deleting it
/// removes the user from the group as AdminRemoveUserFromGroup does.
package struct UserPoolUserToGroupAttachmentDeployer: ResourceDeployer {
    private let service: CognitoUserPoolsService

    /// Creates the deployer.
    /// - Parameter service: The user pool service.
    package init(service: CognitoUserPoolsService) { self.service = service }

    /// Attachments.
    package var deployableTypes: Set<String> { [UserPoolProvider.attachmentType] }

    /// Every property replaces an attachment.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["UserPoolId", "GroupName", "Username"] }

    /// Adds the user to the group.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: Cognito's error (the pool, the group or the user does not exist).
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try UserPoolUserToGroupAttachmentSpec(resource)
        let pool = try await service.existingPool(spec.poolId)
        guard let user = try await service.store.user(spec.username, pool: pool.record) else { throw UserPoolsError.userNotFound }
        try await service.store.addMember(
            poolId: pool.record.id,
            groupName: spec.groupName,
            usernameKey: UserPoolsStore.key(user.username, pool: pool.record),
            at: service.clock.now
        )
    }

    /// Every property replaces an attachment, so an update only adds the user again (adding a member again changes
    /// nothing).
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: Cognito's error when the pool, the group or the user is gone.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        try await create(new, in: stack)
    }

    /// Removes the user from the group (nothing when the pool, the group or the user is gone).
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: Database errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        guard let spec = try? UserPoolUserToGroupAttachmentSpec(resource), let pool = try await service.store.pool(spec.poolId),
            let user = try await service.store.user(spec.username, pool: pool.record),
            try await service.store.group(poolId: pool.record.id, name: spec.groupName) != nil
        else { return }
        try await service.store.removeMember(
            poolId: pool.record.id,
            groupName: spec.groupName,
            usernameKey: UserPoolsStore.key(user.username, pool: pool.record)
        )
    }
}
