import CloudFormation

/// Deploys `AWS::Logs::LogGroup` for the CloudFormation API's stacks (and the start-up stack's updates and deletion)
/// through the CloudWatch Logs store, so a stack's group is listed by `DescribeLogGroups`, keeps its retention and
/// tags, and goes when the stack does.
///
/// `LogGroupName` replaces the group (a new group, then the old one deleted with its streams), as the resource
/// reference marks it; `RetentionInDays` and `Tags` change in place.
package struct LogGroupDeployer: ResourceDeployer {
    private let store: LogGroupStore

    /// Creates the deployer of one Logs service.
    /// - Parameter service: The CloudWatch Logs service whose store holds the groups.
    package init(service: LogsService) { self.store = service.store }

    /// Log groups.
    package var deployableTypes: Set<String> { [LogGroupProvider.type] }

    /// `LogGroupName` replaces a group.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["LogGroupName"] }

    /// Creates the group with its retention and tags, refusing a name that exists as CloudFormation's handler does.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` when the group exists, or ``TemplateError`` for a wrongly shaped property.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try LogGroupSpec(resource)
        do {
            try store.createGroup(spec.name, retentionInDays: spec.retentionInDays, tags: spec.tags)
        } catch {
            throw ResourceDeploymentError("Resource of type '\(LogGroupProvider.type)' with identifier '\(spec.name)' already exists.")
        }
    }

    /// Sets the group's retention and tags to the new properties (its streams and events stay).
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the group is gone.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        let spec = try LogGroupSpec(new)
        do {
            try store.setRetention(spec.name, days: spec.retentionInDays)
            try store.updateTags(spec.name) { $0 = spec.tags }
        } catch {
            throw ResourceDeploymentError(LogsError.groupNotFound.message)
        }
    }

    /// Deletes the group with its streams; a group already gone is not an error.
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    package func delete(_ resource: StackResource, in stack: Stack) async {
        try? store.deleteGroup(resource.physicalId)
    }
}
