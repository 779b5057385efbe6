import CloudFormation
import Foundation

/// Deploys `AWS::Cognito::UserPool` and `AWS::Cognito::UserPoolClient` for the CloudFormation API's stacks, through
/// the user pool service's store (a deployed pool gets its own signing key, as one created by CreateUserPool).
package struct UserPoolDeployer: ResourceDeployer {
    private let service: CognitoUserPoolsService

    /// Creates the deployer.
    /// - Parameter service: The user pool service.
    package init(service: CognitoUserPoolsService) { self.service = service }

    /// Pools and app clients.
    package var deployableTypes: Set<String> { [UserPoolProvider.poolType, UserPoolProvider.clientType] }

    /// `UsernameAttributes`, `AliasAttributes` and `UsernameConfiguration` replace a pool; `UserPoolId` and
    /// `GenerateSecret` replace a client.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        type == UserPoolProvider.poolType ? ["UsernameAttributes", "AliasAttributes", "UsernameConfiguration"] : ["UserPoolId", "GenerateSecret"]
    }

    /// Creates the pool (with a new key) or the client.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's reason.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let now = service.clock.now
        if resource.type == UserPoolProvider.poolType {
            let record = CognitoUserPoolsService.record(
                from: try UserPoolSpec(resource),
                region: service.region,
                accountId: service.accountId,
                now: now
            )
            guard try await service.store.pool(record.id) == nil else {
                throw ResourceDeploymentError("Resource of type '\(UserPoolProvider.poolType)' with identifier '\(record.id)' already exists.")
            }
            let key = try UserPoolSigner.generate()
            try await service.store.insert(UserPoolsStore.StoredPool(record: record, keyId: key.keyId, keyPEM: key.pem))
        } else {
            let client = CognitoUserPoolsService.record(from: try UserPoolClientSpec(resource), now: now)
            guard try await service.store.insert(client) else { throw ResourceDeploymentError("User pool \(client.poolId) does not exist.") }
        }
    }

    /// Changes the pool's or client's settings in place.
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the resource is gone.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        let now = service.clock.now
        if new.type == UserPoolProvider.poolType {
            guard let current = try await service.store.pool(new.physicalId) else {
                throw ResourceDeploymentError("User pool \(new.physicalId) does not exist.")
            }
            var record = CognitoUserPoolsService.record(from: try UserPoolSpec(new), region: service.region, accountId: service.accountId, now: now)
            record.createdAt = current.record.createdAt
            guard try await service.store.update(record) else { throw ResourceDeploymentError("User pool \(record.id) does not exist.") }
        } else {
            var client = CognitoUserPoolsService.record(from: try UserPoolClientSpec(new), now: now)
            guard let current = try await service.store.client(client.id) else {
                throw ResourceDeploymentError("User pool client \(client.id) does not exist.")
            }
            client.createdAt = current.createdAt
            guard try await service.store.update(client) else { throw ResourceDeploymentError("User pool client \(client.id) does not exist.") }
        }
    }

    /// Deletes the pool (with its clients, users and groups) or the client.
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` when the pool still has a domain (as Cognito refuses), database errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        if resource.type == UserPoolProvider.poolType {
            if try await service.store.deletePool(resource.physicalId) == .hasDomain {
                throw ResourceDeploymentError(UserPoolsError.poolHasDomain.message)
            }
        } else if let client = try await service.store.client(resource.physicalId) {
            _ = try await service.store.deleteClient(client.id, poolId: client.poolId)
        }
    }
}
