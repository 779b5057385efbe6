import CloudFormation

/// What a deploy resolves its template with: the text and parameter values, and the two things that make a
/// replacement a new physical resource as on CloudFormation — each resource's generation (bumped when an update
/// replaces it, so its generated name and ids change) and the identities services assigned (a Lambda version's
/// number).
struct StackResolution: Sendable {
    /// The template text.
    var body: String
    /// The stack name.
    var stackName: String
    /// Parameter values by name.
    var overrides: [String: String]
    /// Generations by logical id (absent: 0).
    var generations: [String: Int] = [:]
    /// Identities services assigned, by logical id.
    var assigned: [String: ResourceIdentity] = [:]
}

/// A template resolved for `CreateStack`, `UpdateStack` or a change set.
struct PreparedDeploy: Sendable {
    /// The resolved stack.
    var stack: Stack
    /// The template text.
    var body: String
    /// The parameters as `DescribeStacks` reports them.
    var parameters: [ParameterRecord]
    /// How the stack was resolved (resolved again when a service assigns an identity while deploying).
    var resolution: StackResolution
}

extension StackEngine {
    /// Resolves a template with a resolution's generations and assigned identities.
    /// - Parameter resolution: The resolution.
    /// - Returns: The resolved stack.
    /// - Throws: ``CloudFormationError/validation(_:)``.
    func resolve(_ resolution: StackResolution) throws -> Stack {
        try resolve(
            resolution.body,
            stackName: resolution.stackName,
            overrides: resolution.overrides,
            generations: resolution.generations,
            assigned: resolution.assigned
        )
    }

    /// Resolves an update so that every resource it replaces gets a new physical id, as CloudFormation creates the
    /// replacement under a new generated name and repoints every `Ref` and `Fn::GetAtt` to it.
    ///
    /// The deployed stack's generations and service-assigned identities are kept; then, round by round, each
    /// resource whose change requires replacement gets the next generation (or, for a type whose ids the service
    /// assigns, loses its deployed identity). A resource whose physical id does not change with its generation has a
    /// custom name: it keeps it, and the update fails on it as CloudFormation's does. A replacement changes what its
    /// dependents resolve to, which may replace them in turn: hence the rounds, at most one per resource.
    /// - Parameters:
    ///   - initial: The resolution of the request (text, parameters).
    ///   - previous: The deployed stack.
    /// - Returns: The resolved stack and the resolution that produced it.
    /// - Throws: ``CloudFormationError/validation(_:)``.
    func planReplacements(_ initial: StackResolution, previous: StackRecord) throws -> (Stack, StackResolution) {
        var resolution = initial
        resolution.generations = previous.generations ?? [:]
        let existing = Dictionary(previous.resources.filter(\.exists).map { ($0.logicalId, $0) }, uniquingKeysWith: { first, _ in first })
        for record in existing.values where deployers.deployer(for: record.type)?.assignsPhysicalIds(of: record.type) == true {
            resolution.assigned[record.logicalId] = ResourceIdentity(physicalId: record.physicalId, attributes: record.attributes)
        }
        var stack = try resolve(resolution)
        var settled: Set<String> = []
        for _ in 0...(stack.resources.count + stack.skipped.count) {
            var trial = resolution
            var bumped: [String] = []
            var changed = false
            for resource in stack.resources + stack.skipped {
                guard !settled.contains(resource.logicalId), let old = existing[resource.logicalId], requiresReplacement(old, resource) else {
                    continue
                }
                settled.insert(resource.logicalId)
                if trial.assigned.removeValue(forKey: resource.logicalId) != nil {
                    changed = true
                } else if resource.physicalId == old.physicalId {
                    trial.generations[resource.logicalId, default: 0] += 1
                    bumped.append(resource.logicalId)
                    changed = true
                }
            }
            guard changed else { break }
            let candidate = try resolve(trial)
            var reverted = false
            for logicalId in bumped where candidate.resource(logicalId)?.physicalId == existing[logicalId]?.physicalId {
                // A custom name: the generation does not rename it (the update then fails on it).
                trial.generations[logicalId] = resolution.generations[logicalId]
                reverted = true
            }
            resolution = trial
            stack = reverted ? try resolve(resolution) : candidate
        }
        return (stack, resolution)
    }

    /// Whether the new template's resource replaces the deployed one: another type, or a change to a property the
    /// type's deployer marks "Replacement".
    func requiresReplacement(_ old: ResourceRecord, _ new: StackResource) -> Bool {
        if old.type != new.type { return true }
        let replacing = deployers.deployer(for: new.type)?.replacementProperties(of: new.type) ?? []
        return !replacing.isDisjoint(with: ChangePlan.changedProperties(old.stackResource.properties, new.properties))
    }

    /// The resource with the identity its service will assign on creation: when it differs from the resolved one,
    /// the stack is resolved again with it, so the resource and everything after it refer to it.
    /// - Parameters:
    ///   - resource: The resolved resource about to be created.
    ///   - deployer: Its deployer.
    ///   - stack: The resolved stack (replaced by the new resolution).
    ///   - resolution: The resolution (records the assigned identity).
    /// - Returns: The resource to create.
    /// - Throws: ``CloudFormationError/validation(_:)`` when the template no longer resolves.
    func assigning(
        _ resource: StackResource,
        deployer: any ResourceDeployer,
        stack: inout Stack,
        resolution: inout StackResolution
    ) async throws -> StackResource {
        guard let identity = await deployer.assignedIdentity(of: resource, in: stack),
            identity != ResourceIdentity(physicalId: resource.physicalId, attributes: resource.attributes)
        else { return resource }
        resolution.assigned[resource.logicalId] = identity
        stack = try resolve(resolution)
        return stack.resource(resource.logicalId) ?? resource
    }

    /// The generations of the resources a stack still has, without zeros (what its record keeps).
    static func kept(_ generations: [String: Int], in stack: Stack) -> [String: Int]? {
        let ids = Set((stack.resources + stack.skipped).map(\.logicalId))
        let kept = generations.filter { ids.contains($0.key) && $0.value > 0 }
        return kept.isEmpty ? nil : kept
    }
}
