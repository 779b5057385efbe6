/// Creates, updates and deletes resolved resources of some types while the emulator runs (the CloudFormation
/// API's `CreateStack`, `UpdateStack`, `DeleteStack` and change sets).
///
/// A deployer lives beside its service's ``ResourceProvider`` and acts through the service's own create and
/// configure code, so a deployed resource is the same as one created at start-up or through the service's API.
/// Physical ids and attributes are the provider's (``ResourceProvider/identity(of:)``): the resolver computes
/// them before any deployer runs. A type without a deployer fails its resource honestly (see ``DeployerRegistry``).
package protocol ResourceDeployer: Sendable {
    /// The resource types this deployer creates, updates and deletes.
    var deployableTypes: Set<String> { get }

    /// The properties of `type` whose change replaces the resource (a new physical resource, then the old one
    /// deleted), as the CloudFormation resource reference marks them "Replacement".
    /// - Parameter type: One of ``deployableTypes``.
    /// - Returns: The property names.
    func replacementProperties(of type: String) -> Set<String>

    /// Creates one resource.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: The resolved stack it belongs to.
    /// - Throws: ``ResourceDeploymentError`` (or a service error) with the reason CloudFormation reports.
    func create(_ resource: StackResource, in stack: Stack) async throws

    /// Changes one resource in place (its physical id stays).
    /// - Parameters:
    ///   - old: The resource as deployed.
    ///   - new: The resource as the new template resolves it.
    ///   - stack: The new resolved stack.
    /// - Throws: ``ResourceDeploymentError`` (or a service error) with the reason CloudFormation reports.
    func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws

    /// Whether the service assigns the physical ids of `type` when it creates them (a Lambda version's number), so
    /// that a deployed resource keeps the id it got and a new one asks ``assignedIdentity(of:in:)``. False by default.
    /// - Parameter type: One of ``deployableTypes``.
    /// - Returns: Whether ids of the type are the service's.
    func assignsPhysicalIds(of type: String) -> Bool

    /// The identity the service will give `resource` when ``create(_:in:)`` runs next, for types whose ids it assigns;
    /// nil when the provider's identity stands (the default).
    /// - Parameters:
    ///   - resource: The resolved resource about to be created.
    ///   - stack: The resolved stack it belongs to.
    /// - Returns: The identity `Ref` and `Fn::GetAtt` must give.
    func assignedIdentity(of resource: StackResource, in stack: Stack) async -> ResourceIdentity?

    /// Deletes one resource; a resource that is already gone is not an error.
    /// - Parameters:
    ///   - resource: The resource as deployed.
    ///   - stack: The stack it belongs to.
    /// - Throws: ``ResourceDeploymentError`` (or a service error) with the reason CloudFormation reports.
    func delete(_ resource: StackResource, in stack: Stack) async throws
}

extension ResourceDeployer {
    /// False: the provider computes the ids.
    /// - Parameter type: The resource type.
    /// - Returns: False.
    package func assignsPhysicalIds(of type: String) -> Bool { false }

    /// Nil: the provider's identity stands.
    /// - Parameters:
    ///   - resource: The resource.
    ///   - stack: Its stack.
    /// - Returns: Nil.
    package func assignedIdentity(of resource: StackResource, in stack: Stack) async -> ResourceIdentity? { nil }
}

/// Why a resource could not be created, updated or deleted: CloudFormation's `ResourceStatusReason`.
package struct ResourceDeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason text.
    package var reason: String

    /// Creates an error.
    /// - Parameter reason: The reason text.
    package init(_ reason: String) { self.reason = reason }

    /// The reason text.
    package var description: String { reason }
}

extension StackResource {
    /// A required property's text, or CloudFormation's validation failure naming the property when it is missing or
    /// empty (`Properties validation failed for resource X with message: #: required key [P] not found`).
    /// - Parameter name: The property name.
    /// - Returns: The property's text.
    /// - Throws: ``ResourceDeploymentError``.
    package func requiredText(_ name: String) throws -> String {
        guard let value = properties.mapValue?[name]?.scalarText, !value.isEmpty else {
            throw ResourceDeploymentError(
                "Properties validation failed for resource \(logicalId) with message: #: required key [\(name)] not found"
            )
        }
        return value
    }

    /// The text of the document the resource's `BodyS3Location` names (`Bucket`, `Key`, optional `Version`: an API
    /// definition), read from the emulated S3.
    /// - Parameter readObject: Reads an object's text (bucket, key, version id); nil when it does not exist.
    /// - Returns: The text, or nil when the resource has no `BodyS3Location`.
    /// - Throws: ``ResourceDeploymentError`` when `Bucket` or `Key` is missing or the object does not exist.
    package func bodyS3LocationText(_ readObject: (String, String, String?) async -> String?) async throws -> String? {
        guard let location = properties["BodyS3Location"], location != .null else { return nil }
        guard let bucket = location["Bucket"]?.scalarText, let key = location["Key"]?.scalarText else {
            throw ResourceDeploymentError(
                "Properties validation failed for resource \(logicalId) with message: #/BodyS3Location: required key [Bucket, Key] not found"
            )
        }
        let version = location["Version"]?.scalarText
        guard let text = await readObject(bucket, key, version) else {
            let versionText = version.map { " (version \($0))" } ?? ""
            throw ResourceDeploymentError("Unable to read the OpenAPI document at s3://\(bucket)/\(key)\(versionText): the object does not exist")
        }
        return text
    }
}

/// The deployers by resource type: the runtime counterpart of ``ResourceCatalog``.
///
/// Wiring a new type (Lambda functions, API Gateway v2 APIs) is one more deployer in the list the composition root
/// passes in.
package struct DeployerRegistry: Sendable {
    private let byType: [String: any ResourceDeployer]

    /// Creates the registry.
    /// - Parameter deployers: The deployers; a later one wins for a type two declare.
    package init(_ deployers: [any ResourceDeployer]) {
        var byType: [String: any ResourceDeployer] = [:]
        for deployer in deployers {
            for type in deployer.deployableTypes { byType[type] = deployer }
        }
        self.byType = byType
    }

    /// The deployer of `type`, if any.
    /// - Parameter type: A resource type.
    /// - Returns: The deployer.
    package func deployer(for type: String) -> (any ResourceDeployer)? { byType[type] }

    /// Every type with a deployer.
    package var deployableTypes: Set<String> { Set(byType.keys) }

    /// The `ResourceStatusReason` of a resource whose type has no deployer.
    /// - Parameter type: The resource type.
    /// - Returns: The reason.
    package static func notDeployableReason(_ type: String) -> String {
        "Resource type \(type) is not yet deployable by SynapScribe Local through the CloudFormation API "
            + "(declare it in the start-up template, or create it through its service's API)"
    }

    /// The `ResourceStatusReason` of deleting a resource of an emulated type that has no deployer (a start-up
    /// template's resource: it stays until the emulator restarts without it).
    /// - Parameter type: The resource type.
    /// - Returns: The reason.
    package static func notDeletableReason(_ type: String) -> String {
        "Resource type \(type) is not yet deletable by SynapScribe Local through the CloudFormation API "
            + "(remove it from the start-up template and restart)"
    }
}
