import CloudFormation

/// Deploys `AWS::Lambda::LayerVersion` (and SAM's `AWS::Serverless::LayerVersion`) through PublishLayerVersion's code:
/// the version number is Lambda's (one more than any the layer ever had), so `Ref` and `LayerVersionArn` give the ARN
/// Lambda assigned. Every property replaces a layer version (a new version is published, then the old one deleted
/// unless `UpdateReplacePolicy: Retain`); deleting it deletes the version, which functions already using it keep.
package struct LambdaLayerVersionDeployer: ResourceDeployer {
    private let service: LambdaService

    /// Creates the deployer of one Lambda service.
    /// - Parameter service: The service whose layers get the versions.
    package init(service: LambdaService) { self.service = service }

    /// Layer versions.
    package var deployableTypes: Set<String> { [LambdaResourceProvider.layerType] }

    /// Every property of a layer version replaces it, as the CloudFormation resource reference marks them.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        ["LayerName", "Content", "CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"]
    }

    /// Layer version numbers are Lambda's.
    /// - Parameter type: The resource type.
    /// - Returns: True.
    package func assignsPhysicalIds(of type: String) -> Bool { true }

    /// The ARN PublishLayerVersion will answer.
    /// - Parameters:
    ///   - resource: The layer version about to be published.
    ///   - stack: Its stack.
    /// - Returns: The identity.
    package func assignedIdentity(of resource: StackResource, in stack: Stack) async -> ResourceIdentity? {
        guard let spec = try? LambdaLayerSpec(resource) else { return nil }
        let arn = service.deployer.layers.versionArn(spec.layerName, service.deployer.layers.nextVersion(of: spec.layerName))
        return ResourceIdentity(physicalId: arn, attributes: ["LayerVersionArn": arn])
    }

    /// Publishes the layer version.
    /// - Parameters:
    ///   - resource: The resolved layer version.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message, or when Lambda published another number than the
    ///   one resolved.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try Self.spec(resource)
        let version: Int
        do {
            version = try await service.publishLayerVersion(spec)
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
        guard version == spec.version else {
            throw ResourceDeploymentError("Lambda published version \(version) of layer \(spec.layerName), not \(spec.version ?? 0)")
        }
    }

    /// Nothing changes in place: every property replaces a layer version.
    /// - Parameters:
    ///   - old: The deployed layer version.
    ///   - new: The new layer version.
    ///   - stack: The new stack.
    /// - Throws: Nothing.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {}

    /// Deletes the layer version (one already gone is not an error, as DeleteLayerVersion answers).
    /// - Parameters:
    ///   - resource: The deployed layer version.
    ///   - stack: Its stack.
    /// - Throws: Storage errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try Self.spec(resource)
        guard let version = spec.version else { return }
        try await service.deployer.layers.delete(name: spec.layerName, version: version)
    }

    private static func spec(_ resource: StackResource) throws -> LambdaLayerSpec {
        do {
            return try LambdaLayerSpec(resource)
        } catch {
            throw ResourceDeploymentError(error.description)
        }
    }
}
