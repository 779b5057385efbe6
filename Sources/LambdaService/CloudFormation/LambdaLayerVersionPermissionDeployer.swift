import CloudFormation

/// Deploys `AWS::Lambda::LayerVersionPermission` through AddLayerVersionPermission's and
/// RemoveLayerVersionPermission's code: one statement in the layer version's resource-based policy, whose `Sid` is
/// the part of the physical id after `#` (`LAYER_VERSION_ARN#STATEMENT_ID`, what `Ref` returns), as
/// GetLayerVersionPolicy then shows it. Every property replaces a permission.
package struct LambdaLayerVersionPermissionDeployer: ResourceDeployer {
    private let service: LambdaService

    /// Creates the deployer of one Lambda service.
    /// - Parameter service: The service whose layer versions carry the policies.
    package init(service: LambdaService) { self.service = service }

    /// Layer version permissions.
    package var deployableTypes: Set<String> { [LambdaResourceProvider.layerPermissionType] }

    /// Every property of a layer version permission replaces it, as the CloudFormation resource reference marks them.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["Action", "LayerVersionArn", "OrganizationId", "Principal"] }

    /// Adds the statement to the layer version's policy.
    /// - Parameters:
    ///   - resource: The resolved permission.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message (no such layer version, a statement id in use, a
    ///   bad action, principal or organization id).
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let target = try Self.target(resource)
        let properties = resource.properties.mapValue ?? TemplateMap()
        do {
            let statement = try LambdaService.layerStatement(
                id: target.statementId,
                action: try resource.requiredText("Action"),
                principal: try resource.requiredText("Principal"),
                organizationId: properties["OrganizationId"]?.scalarText,
                layerVersionArn: service.deployer.layers.versionArn(target.name, target.version)
            )
            _ = try await service.addLayerStatement(
                statement,
                id: target.statementId,
                name: target.name,
                version: target.version,
                expectedRevision: nil
            )
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// Every property replaces a permission, so an in-place update only re-creates its statement.
    /// - Parameters:
    ///   - old: The deployed permission.
    ///   - new: The new permission.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        try await delete(old, in: stack)
        try await create(new, in: stack)
    }

    /// Removes the statement (a layer version or statement already gone is not an error).
    /// - Parameters:
    ///   - resource: The deployed permission.
    ///   - stack: Its stack.
    /// - Throws: Storage errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        guard let target = try? Self.target(resource),
            let record = service.deployer.layers.record(name: target.name, version: target.version),
            (record.policyStatements ?? []).contains(where: { ResourcePolicy.statementId(of: $0) == target.statementId })
        else { return }
        let layers = service.deployer.layers
        try await service.deployer.serialized {
            _ = try await layers.changePolicy(name: target.name, version: target.version, expectedRevision: nil) { statements throws(LambdaError) in
                statements.removeAll { ResourcePolicy.statementId(of: $0) == target.statementId }
            }
        }
    }

    /// A start-up template permission's statement, as the stack's creation adds it.
    /// - Parameter resource: The resolved permission.
    /// - Returns: The layer version ARN whose policy gets the statement, and the statement's JSON text.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's or Lambda's message (a missing property, a bad
    ///   layer version ARN, action, principal or organization id).
    static func templateStatement(_ resource: StackResource) throws -> (layerVersionArn: String, text: String) {
        let target = try Self.target(resource)
        let arn = try resource.requiredText("LayerVersionArn")
        do {
            let text = try LambdaService.layerStatement(
                id: target.statementId,
                action: try resource.requiredText("Action"),
                principal: try resource.requiredText("Principal"),
                organizationId: resource.properties.mapValue?["OrganizationId"]?.scalarText,
                layerVersionArn: arn
            )
            return (arn, text)
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// The layer version `LayerVersionArn` names and the statement id the physical id carries.
    private static func target(_ resource: StackResource) throws -> (name: String, version: Int, statementId: String) {
        let arn = try resource.requiredText("LayerVersionArn")
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 8, parts[0] == "arn", parts[5] == "layer", !parts[6].isEmpty, let version = Int(parts[7]), version >= 1 else {
            throw ResourceDeploymentError("LayerVersionArn \(arn) is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)")
        }
        let statementId = resource.physicalId.split(separator: "#").last.map(String.init) ?? resource.physicalId
        return (parts[6], version, statementId)
    }
}
