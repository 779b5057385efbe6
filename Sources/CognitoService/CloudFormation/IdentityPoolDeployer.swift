import CloudFormation

/// Deploys `AWS::Cognito::IdentityPool` and `AWS::Cognito::IdentityPoolRoleAttachment` for the CloudFormation API's
/// stacks (and the start-up stack's updates and deletion) through the Cognito Identity store, so a stack's pool is
/// the same object as one made by `CreateIdentityPool`: listed, described, its roles returned by
/// `GetIdentityPoolRoles`.
///
/// Every pool property changes in place (the resource reference marks none "Replacement"); an attachment's
/// `IdentityPoolId` replaces it, its `Roles` change in place. The attachment owns the pool's roles: creating it sets
/// them (`SetIdentityPoolRoles`), deleting it clears them.
package struct IdentityPoolDeployer: ResourceDeployer {
    private let service: CognitoService

    /// Creates the deployer.
    /// - Parameter service: The Cognito Identity service.
    package init(service: CognitoService) { self.service = service }

    /// Pools and role attachments.
    package var deployableTypes: Set<String> { [IdentityPoolProvider.poolType, IdentityPoolProvider.attachmentType] }

    /// None for a pool; `IdentityPoolId` for an attachment.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        type == IdentityPoolProvider.poolType ? [] : ["IdentityPoolId"]
    }

    /// Creates the pool (without roles: its attachment sets them) or sets the attached pool's roles.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's reason.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        guard resource.type == IdentityPoolProvider.poolType else {
            try await attach(resource)
            return
        }
        var record = CognitoService.record(from: try IdentityPoolSpec(resource, in: stack))
        record.roles = [:]
        record.roleMappingsJSON = nil
        guard try await service.store.pool(record.id) == nil else {
            throw ResourceDeploymentError("Resource of type '\(IdentityPoolProvider.poolType)' with identifier '\(record.id)' already exists.")
        }
        try await service.store.insert(record, now: service.sessions.clock.now)
    }

    /// Brings the pool's settings and tags to the new properties (its identities and its attachment's roles stay), or
    /// sets the attached pool's roles and role mappings.
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the pool is gone.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        guard new.type == IdentityPoolProvider.poolType else {
            try await attach(new)
            return
        }
        guard let current = try await service.store.pool(new.physicalId) else {
            throw ResourceDeploymentError(CognitoError.poolNotFound(new.physicalId).message)
        }
        var record = CognitoService.record(from: try IdentityPoolSpec(new, in: stack))
        record.roles = current.roles
        record.roleMappingsJSON = current.roleMappingsJSON
        guard try await service.store.update(record) else { throw ResourceDeploymentError(CognitoError.poolNotFound(record.id).message) }
    }

    /// Deletes the pool with its identities, or clears the attached pool's roles; a pool already gone is not an error.
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: Database errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        if resource.type == IdentityPoolProvider.poolType {
            _ = try await service.store.deletePool(resource.physicalId)
            return
        }
        guard let poolId = resource.properties["IdentityPoolId"]?.scalarText, var pool = try await service.store.pool(poolId) else { return }
        pool.roles = [:]
        pool.roleMappingsJSON = nil
        _ = try await service.store.update(pool)
    }

    /// `SetIdentityPoolRoles` with the attachment's `Roles` and `RoleMappings`.
    private func attach(_ resource: StackResource) async throws {
        let reader = SpecReader(resource)
        let poolId = try reader["IdentityPoolId"].requiredString()
        let roles = try reader["Roles"].stringMap() ?? [:]
        for key in roles.keys where key != "authenticated" && key != "unauthenticated" {
            throw ResourceDeploymentError(
                CognitoError.invalidParameter("Invalid role type: \(key). Valid role types are authenticated and unauthenticated.").message
            )
        }
        let mappings = try IdentityPoolSpec.roleMappingsJSON(reader["RoleMappings"])
        guard var pool = try await service.store.pool(poolId) else { throw ResourceDeploymentError(CognitoError.poolNotFound(poolId).message) }
        pool.roles = roles
        pool.roleMappingsJSON = mappings
        guard try await service.store.update(pool) else { throw ResourceDeploymentError(CognitoError.poolNotFound(poolId).message) }
    }
}
