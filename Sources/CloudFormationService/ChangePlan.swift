import CloudFormation

/// What a new template changes in a deployed stack: CloudFormation's change-set `Changes`, and the order resources
/// are created in. Pure functions, unit-tested.
package enum ChangePlan {
    /// Every resource of a resolved stack (emulated and not), dependencies before dependents; resources without a
    /// dependency between them keep their template order.
    /// - Parameter resources: The resources.
    /// - Returns: The resources in creation order (deletion runs it backwards).
    package static func deploymentOrder(_ resources: [StackResource]) -> [StackResource] {
        let known = Set(resources.map(\.logicalId))
        var remaining = resources
        var placed: Set<String> = []
        var ordered: [StackResource] = []
        while !remaining.isEmpty {
            let next =
                remaining.firstIndex { resource in
                    resource.dependsOn.allSatisfy { !known.contains($0) || placed.contains($0) }
                } ?? 0  // A cycle (the resolver refuses those) would otherwise never finish: take the first.
            let resource = remaining.remove(at: next)
            placed.insert(resource.logicalId)
            ordered.append(resource)
        }
        return ordered
    }

    /// The changes from the deployed resources to the new ones, as `DescribeChangeSet` lists them: `Add` and
    /// `Modify` in the new template's order, then `Remove`.
    /// - Parameters:
    ///   - deployed: The deployed resources (those never created or already deleted count as absent).
    ///   - new: The new stack's resources in deployment order.
    ///   - replacementProperties: The properties whose change replaces a resource of a type.
    /// - Returns: The changes; empty when nothing changes.
    package static func changes(
        from deployed: [ResourceRecord],
        to new: [StackResource],
        replacementProperties: (String) -> Set<String>
    ) -> [ResourceChangeRecord] {
        let existing = Dictionary(deployed.filter(\.exists).map { ($0.logicalId, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [ResourceChangeRecord] = []
        for resource in new {
            guard let old = existing[resource.logicalId] else {
                changes.append(
                    ResourceChangeRecord(
                        action: "Add",
                        logicalId: resource.logicalId,
                        physicalId: nil,
                        type: resource.type,
                        replacement: nil,
                        changedProperties: []
                    )
                )
                continue
            }
            let changed = changedProperties(old.stackResource.properties, resource.properties)
            let typeChanged = old.type != resource.type
            guard typeChanged || !changed.isEmpty || old.physicalId != resource.physicalId else { continue }
            let replacing = typeChanged || old.physicalId != resource.physicalId || !replacementProperties(resource.type).isDisjoint(with: changed)
            changes.append(
                ResourceChangeRecord(
                    action: "Modify",
                    logicalId: resource.logicalId,
                    physicalId: old.physicalId,
                    type: resource.type,
                    replacement: replacing ? "True" : "False",
                    changedProperties: changed
                )
            )
        }
        let newIds = Set(new.map(\.logicalId))
        for old in deployed where old.exists && !newIds.contains(old.logicalId) {
            changes.append(
                ResourceChangeRecord(
                    action: "Remove",
                    logicalId: old.logicalId,
                    physicalId: old.physicalId,
                    type: old.type,
                    replacement: nil,
                    changedProperties: []
                )
            )
        }
        return changes
    }

    /// The top-level property names whose values differ, sorted.
    /// - Parameters:
    ///   - old: The deployed properties.
    ///   - new: The new properties.
    /// - Returns: The names.
    package static func changedProperties(_ old: TemplateValue, _ new: TemplateValue) -> [String] {
        let oldMap = old.mapValue ?? TemplateMap()
        let newMap = new.mapValue ?? TemplateMap()
        let keys = Set(oldMap.keys).union(newMap.keys)
        return keys.filter { oldMap[$0]?.jsonString != newMap[$0]?.jsonString }.sorted()
    }
}
