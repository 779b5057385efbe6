import CloudFormation
import Foundation

/// Deploys `AWS::Cognito::UserPoolUser` for the CloudFormation API's stacks, through AdminCreateUser's path: the user
/// is in `FORCE_CHANGE_PASSWORD` with a generated temporary password written to the log (no invitation leaves the
/// machine).
///
/// Supported: `UserPoolId`, `Username` (the `Ref`; CloudFormation's generated name when absent), `UserAttributes`,
/// `MessageAction` (`SUPPRESS`; `RESEND` names a user that must exist, as AdminCreateUser's does) and
/// `DesiredDeliveryMediums`. Every property replaces the user.
package struct UserPoolUserDeployer: ResourceDeployer {
    private let service: CognitoUserPoolsService

    /// Creates the deployer.
    /// - Parameter service: The user pool service.
    package init(service: CognitoUserPoolsService) { self.service = service }

    /// Users.
    package var deployableTypes: Set<String> { [UserPoolProvider.userType] }

    /// Every property replaces a user.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        [
            "UserPoolId", "Username", "UserAttributes", "MessageAction", "DesiredDeliveryMediums", "ForceAliasCreation", "ClientMetadata",
            "ValidationData",
        ]
    }

    /// Creates the user.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: Cognito's error (the pool does not exist, the user exists, a name the pool refuses...).
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try UserPoolUserSpec(resource)
        if let action = spec.messageAction, action != "RESEND", action != "SUPPRESS" {
            throw UserPoolsError.constraint("messageAction", value: action, "Member must satisfy enum value set: [RESEND, SUPPRESS]")
        }
        let pool = try await service.existingPool(spec.poolId)
        if spec.messageAction == "RESEND" {
            guard try await service.store.user(spec.username, pool: pool.record) != nil else { throw UserPoolsError.userNotFound }
            throw ResourceDeploymentError(
                "MessageAction RESEND is not supported by SynapScribe Local's AWS::Cognito::UserPoolUser deployer "
                    + "(the stack would take over a user it did not create)"
            )
        }
        _ = try await service.createInvitedUser(
            name: spec.username,
            attributes: spec.attributes.map { PoolUserRecord.Attribute(name: $0.name, value: $0.value) },
            temporaryPassword: nil,
            suppress: spec.messageAction == "SUPPRESS",
            pool: pool.record
        )
    }

    /// Every property replaces a user, so an update only checks that the user is still there.
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``UserPoolsError/userNotFound`` when the user is gone.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        let spec = try UserPoolUserSpec(new)
        let pool = try await service.existingPool(spec.poolId)
        guard try await service.store.user(old.physicalId, pool: pool.record) != nil else { throw UserPoolsError.userNotFound }
    }

    /// Deletes the user with its group memberships, as AdminDeleteUser does.
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: Database errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        guard let poolId = resource.properties["UserPoolId"]?.scalarText, let pool = try await service.store.pool(poolId),
            let user = try await service.store.user(resource.physicalId, pool: pool.record)
        else { return }
        _ = try await service.store.deleteUser(user.username, pool: pool.record)
    }
}
