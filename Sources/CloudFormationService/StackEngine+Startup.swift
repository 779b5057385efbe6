import CloudFormation
import EmulatorCore
import Foundation

/// The start-up template's stack as `synapscribe-local start` deployed it: every service built its resources from
/// the resolved template before the server started.
///
/// The engine adopts it as a `CREATE_COMPLETE` stack like any other, so `UpdateStack`, change sets, `DeleteStack`
/// and `start --watch` edits act on it through the same deployers as on stacks created through the API.
package struct StartupStack: Sendable {
    /// The resolved template.
    package var stack: Stack
    /// The template text as written.
    package var templateBody: String
    /// The template's folder: relative paths (`CodeUri`) of later templates for this stack resolve against it.
    package var baseDirectory: String
    /// When the emulator started (the stack's creation time).
    package var creationTime: Date

    /// Creates the description of the start-up stack.
    /// - Parameters:
    ///   - stack: The resolved template.
    ///   - templateBody: The template text.
    ///   - baseDirectory: The template's folder.
    ///   - creationTime: The start time.
    package init(stack: Stack, templateBody: String, baseDirectory: String, creationTime: Date) {
        self.stack = stack
        self.templateBody = templateBody
        self.baseDirectory = baseDirectory
        self.creationTime = creationTime
    }
}

extension StackEngine {
    /// The start-up stack's name.
    package nonisolated var startupName: String { startup.stack.name }

    /// The start-up stack's record as at start: created from the template at the start time, with one
    /// `CREATE_IN_PROGRESS`/`CREATE_COMPLETE` event pair per resource.
    /// - Parameter startup: The start-up stack.
    /// - Returns: The record.
    static func startupRecord(_ startup: StartupStack) -> StackRecord {
        let stack = startup.stack
        let time = startup.creationTime
        let resources = ChangePlan.deploymentOrder(stack.resources + stack.skipped)
        var events = [
            event(stack.name, stack.stackId, type: stackType, status: "CREATE_IN_PROGRESS", reason: "User Initiated", at: time)
        ]
        for resource in resources {
            events.append(event(resource.logicalId, "", type: resource.type, status: "CREATE_IN_PROGRESS", reason: nil, at: time))
            events.append(event(resource.logicalId, resource.physicalId, type: resource.type, status: "CREATE_COMPLETE", reason: nil, at: time))
        }
        events.append(event(stack.name, stack.stackId, type: stackType, status: "CREATE_COMPLETE", reason: nil, at: time))
        let usesIAM = stack.resources.contains { $0.type.hasPrefix("AWS::IAM::") }
        return StackRecord(
            name: stack.name,
            stackId: stack.stackId,
            description: stack.description,
            templateBody: startup.templateBody,
            parameters: stack.parameters.map { ParameterRecord(key: $0.key, value: $0.value, noEcho: $0.noEcho) },
            capabilities: usesIAM ? ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"] : [],
            tags: [],
            status: "CREATE_COMPLETE",
            statusReason: nil,
            creationTime: time,
            lastUpdatedTime: nil,
            deletionTime: nil,
            resources: resources.map { record($0, status: "CREATE_COMPLETE", reason: nil, at: time) },
            outputs: stack.outputs.map { OutputRecord(key: $0.key, value: $0.value, description: $0.description, exportName: $0.exportName) },
            imports: stack.imports,
            events: events,
            changeSets: []
        )
    }

    /// Puts the start-up stack's record in place of an earlier run's record of it (or after the other stacks).
    /// - Parameters:
    ///   - startup: The start-up stack.
    ///   - stacks: The persisted stacks.
    /// - Returns: The record's position, and the earlier run's record when what it deployed differs from this
    ///   template (``reconcileStartup()`` then brings it to the template).
    static func adopt(_ startup: StartupStack, into stacks: inout [StackRecord]) -> (index: Int, previous: StackRecord?) {
        let record = startupRecord(startup)
        guard let position = stacks.lastIndex(where: { $0.name == startup.stack.name }) else {
            stacks.append(record)
            return (stacks.count - 1, nil)
        }
        let previous = stacks[position]
        stacks[position] = record
        func deployed(_ resources: [ResourceRecord]) -> [String] {
            resources.filter(\.exists).map { "\($0.logicalId) \($0.type) \($0.physicalId) \($0.propertiesJSON)" }.sorted()
        }
        let differs = !previous.isDeleted && deployed(previous.resources) != deployed(record.resources)
        return (position, differs ? previous : nil)
    }

    /// Brings what an earlier run's start-up stack deployed to this start's template, as a `sam deploy` of the
    /// template would: resources the template no longer declares are deleted (unless their `DeletionPolicy` retains
    /// them), resources an update changed are updated back (items and objects kept). Runs once, before the first
    /// request is served.
    /// - Returns: One line per resource that could not be brought back.
    package func reconcileStartup() async -> [String] {
        guard let previous = previousStartup else { return [] }
        previousStartup = nil
        return await bringToTemplate(from: previous, createMissing: false, retaining: Self.retained(previous.templateBody))
    }

    /// `POST /_local/reset`: brings the start-up stack back to the template as deployed at start, through the
    /// deployers (resources an update added are deleted, changed ones changed back, deleted ones created again);
    /// the data services' reset hooks then restore items and objects. The stack is described as at start.
    /// - Throws: ``ResourceDeploymentError`` naming the resources that could not be restored.
    package func restoreStartup() async throws {
        let initial = Self.startupRecord(startup)
        guard let position = stacks.lastIndex(where: { $0.name == startupName }) else {
            stacks.append(initial)
            save(stacks.count - 1)
            return
        }
        let failures = await bringToTemplate(from: stacks[position], createMissing: true, retaining: [])
        stacks[position] = initial
        save(position)
        if !failures.isEmpty {
            throw ResourceDeploymentError("The start-up stack could not be restored: " + failures.joined(separator: "; "))
        }
    }

    /// Deletes, updates (and, with `createMissing`, creates) resources so that what `current` describes becomes the
    /// start-up template's resources.
    private func bringToTemplate(from current: StackRecord, createMissing: Bool, retaining: Set<String>) async -> [String] {
        var oldStack = Stack.empty(configuration: startup.stack.configuration)
        oldStack.stackId = current.stackId
        oldStack.resources = current.resources.filter(\.exists).map(\.stackResource)
        let target = ChangePlan.deploymentOrder(startup.stack.resources + startup.stack.skipped)
        let emulated = Set(startup.stack.resources.map(\.logicalId))
        var existing = Dictionary(current.resources.filter(\.exists).map { ($0.logicalId, $0) }, uniquingKeysWith: { first, _ in first })
        var failures: [String] = []
        // Deletions refused while a resource still uses them (an API Gateway deployment a stage points at until the
        // stage is brought back) are tried again once the template's resources are in place.
        var retried: [StackResource] = []
        // Resources the template does not declare (or declares as another resource) go first, newest first.
        for old in current.resources.reversed() where existing[old.logicalId] != nil {
            let wanted = target.first { $0.logicalId == old.logicalId }
            guard wanted == nil || wanted?.type != old.type || wanted?.physicalId != old.physicalId else { continue }
            existing[old.logicalId] = nil
            if retaining.contains(old.logicalId) || target.contains(where: { $0.type == old.type && $0.physicalId == old.physicalId }) {
                continue
            }
            do {
                try await remove(old.stackResource, in: oldStack)
            } catch {
                retried.append(old.stackResource)
            }
        }
        for resource in target {
            do {
                if let old = existing[resource.logicalId] {
                    guard old.propertiesJSON != resource.properties.jsonString else { continue }
                    guard let deployer = deployers.deployer(for: resource.type) else {
                        throw ResourceDeploymentError(DeployerRegistry.notDeployableReason(resource.type))
                    }
                    try await deployer.update(old.stackResource, to: resource, in: startup.stack)
                } else if createMissing && emulated.contains(resource.logicalId) {
                    guard let deployer = deployers.deployer(for: resource.type) else {
                        throw ResourceDeploymentError(DeployerRegistry.notDeployableReason(resource.type))
                    }
                    try await deployer.create(resource, in: startup.stack)
                }
            } catch {
                failures.append("\(resource.logicalId): \(Self.reason(error))")
            }
        }
        for old in retried {
            do {
                try await remove(old, in: oldStack)
            } catch {
                failures.append("\(old.logicalId) (\(old.physicalId)): \(Self.reason(error))")
            }
        }
        return failures
    }

    /// The deployed stack as deployers see it, for the start-up stack's code redeploys (`start --watch`).
    /// - Parameter nameOrId: The stack name or ARN.
    /// - Returns: The stack, if it is live.
    package func deployedStack(_ nameOrId: String) -> Stack? {
        guard let index = index(of: nameOrId), !stacks[index].isDeleted else { return nil }
        return stackValue(index)
    }

    /// Deletes one resource through its deployer; a resource the emulator does not emulate (a skipped type) never
    /// existed and needs nothing.
    /// - Parameters:
    ///   - resource: The resource as deployed.
    ///   - stack: The stack it belongs to.
    /// - Throws: ``ResourceDeploymentError`` for an emulated type without a deployer (it still exists), or the
    ///   deployer's error.
    func remove(_ resource: StackResource, in stack: Stack) async throws {
        if let deployer = deployers.deployer(for: resource.type) {
            try await deployer.delete(resource, in: stack)
        } else if catalog.emulatedTypes.contains(resource.type) {
            throw ResourceDeploymentError(DeployerRegistry.notDeletableReason(resource.type))
        }
    }

    /// The resource type of stack events.
    static let stackType = "AWS::CloudFormation::Stack"

    /// One stack or resource event.
    static func event(_ logicalId: String, _ physicalId: String, type: String, status: String, reason: String?, at date: Date) -> EventRecord {
        EventRecord(
            eventId: type == stackType
                ? EmulatorRandom.uuidString("cloudformation-ids") : "\(logicalId)-\(status)-\(EmulatorRandom.uuidString("cloudformation-ids"))",
            logicalId: logicalId,
            physicalId: physicalId,
            type: type,
            status: status,
            reason: reason,
            timestamp: date
        )
    }
}
