import CloudFormation
import Foundation

/// Deploys `AWS::Cognito::UserPoolGroup` for the CloudFormation API's stacks, through the user pool service's store.
///
/// Supported: `UserPoolId`, `GroupName` (the `Ref`; CloudFormation's generated name when absent), `Description`,
/// `Precedence`, `RoleArn`.
package struct UserPoolGroupDeployer: ResourceDeployer {
    private let service: CognitoUserPoolsService

    /// Creates the deployer.
    /// - Parameter service: The user pool service.
    package init(service: CognitoUserPoolsService) { self.service = service }

    /// Groups.
    package var deployableTypes: Set<String> { [UserPoolProvider.groupType] }

    /// `GroupName` and `UserPoolId` replace a group.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["GroupName", "UserPoolId"] }

    /// Creates the group.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Cognito's reason (the pool does not exist, the group exists).
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let group = CognitoUserPoolsService.record(from: try UserPoolGroupSpec(resource), now: service.clock.now)
        guard try await service.store.insert(group) else { throw ResourceDeploymentError(UserPoolsError.groupExists.message) }
    }

    /// Changes the group's description, precedence and role in place (its members stay).
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the group is gone.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        var group = CognitoUserPoolsService.record(from: try UserPoolGroupSpec(new), now: service.clock.now)
        guard let current = try await service.store.group(poolId: group.poolId, name: group.name) else {
            throw ResourceDeploymentError(UserPoolsError.groupNotFound.message)
        }
        group.createdAt = current.createdAt
        guard try await service.store.update(group) else { throw ResourceDeploymentError(UserPoolsError.groupNotFound.message) }
    }

    /// Deletes the group with its memberships.
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: Database errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        guard let poolId = resource.properties["UserPoolId"]?.scalarText else { return }
        _ = try await service.store.deleteGroup(poolId: poolId, name: resource.physicalId)
    }
}
