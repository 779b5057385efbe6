import CloudFormation
import EmulatorCore
import Foundation
import GRDB
import Storage

/// What `CreateStack`, `UpdateStack` and `CreateChangeSet` ask for.
package struct DeployRequest: Sendable {
    /// The stack name.
    package var stackName: String
    /// The template text (already read from S3 for a `TemplateURL`); nil with `UsePreviousTemplate`.
    package var templateBody: String?
    /// Parameters: a value, or nil to use the previous one.
    package var parameters: [(key: String, value: String?)]
    /// The acknowledged capabilities.
    package var capabilities: [String]
    /// The stack tags; nil keeps an existing stack's tags (as CloudFormation does when `Tags` is not sent).
    package var tags: [TagRecord]?

    /// Creates a request.
    /// - Parameters:
    ///   - stackName: The stack name.
    ///   - templateBody: The template text; nil reuses the previous template.
    ///   - parameters: Parameter values (nil: the previous value).
    ///   - capabilities: The acknowledged capabilities.
    ///   - tags: The stack tags; nil keeps an existing stack's.
    package init(
        stackName: String,
        templateBody: String?,
        parameters: [(key: String, value: String?)],
        capabilities: [String],
        tags: [TagRecord]?
    ) {
        self.stackName = stackName
        self.templateBody = templateBody
        self.parameters = parameters
        self.capabilities = capabilities
        self.tags = tags
    }
}

/// The stacks deployed through the CloudFormation API: resolution, deployment in dependency order with rollback,
/// change sets, exports, events and persistence in `cloudformation.sqlite`.
///
/// Every operation finishes before it returns (deployers act on in-process stores within milliseconds), so a
/// waiter's first poll already sees the final status. Operations on one stack are refused while another is in
/// progress (`..._IN_PROGRESS` status), as CloudFormation refuses them.
package actor StackEngine {
    var stacks: [StackRecord]
    let database: (any DatabaseWriter)?
    let catalog: ResourceCatalog
    let deployers: DeployerRegistry
    let clock: VirtualClock
    let environment: LiveEnvironment
    /// The start-up template's stack as `start` deployed it (adopted as a stack like any other; `POST /_local/reset`
    /// brings it back).
    nonisolated let startup: StartupStack
    /// Whether an earlier run left resources ``reconcileStartup()`` changes (requests wait for it).
    package nonisolated let reconcilesAtStart: Bool
    /// An earlier run's record of the start-up stack, when what it deployed differs from this start's template
    /// (``reconcileStartup()`` brings it to the template, as a `sam deploy` of the template would).
    var previousStartup: StackRecord?

    /// Opens the engine over the data folder's `cloudformation.sqlite` (memory with `--ephemeral`).
    /// - Parameters:
    ///   - location: Where the stacks are kept.
    ///   - catalog: The resource providers templates are resolved against.
    ///   - deployers: The runtime deployers by type.
    ///   - clock: The virtual clock.
    ///   - environment: Region and account.
    ///   - startup: The start-up template's stack as `start` deployed it: recorded as a `CREATE_COMPLETE` stack
    ///     (replacing an earlier run's record of it), then described, updated and deleted like any other.
    /// - Throws: When the database cannot be opened.
    package init(
        location: DataLocation?,
        catalog: ResourceCatalog,
        deployers: DeployerRegistry,
        clock: VirtualClock,
        environment: LiveEnvironment,
        startup: StartupStack
    ) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-cfn-stacks") { db in
            try db.execute(sql: "CREATE TABLE cfn_stack (position INTEGER PRIMARY KEY NOT NULL, record BLOB NOT NULL)")
        }
        let database = try location.map { try $0.openDatabase(named: "cloudformation", migrator: migrator) }
        var stacks = try database.map(Self.load) ?? []
        let adopted = Self.adopt(startup, into: &stacks)
        if let database, let data = try? JSONEncoder().encode(stacks[adopted.index]) {
            try database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO cfn_stack (position, record) VALUES (?, ?)", arguments: [adopted.index, data])
            }
        }
        self.stacks = stacks
        self.previousStartup = adopted.previous
        self.reconcilesAtStart = adopted.previous != nil
        self.database = database
        self.catalog = catalog
        self.deployers = deployers
        self.clock = clock
        self.environment = environment
        self.startup = startup
    }

    /// Every stored stack, in creation order.
    private static func load(_ database: any DatabaseWriter) throws -> [StackRecord] {
        let decoder = JSONDecoder()
        return try database.read { db in
            try Data.fetchAll(db, sql: "SELECT record FROM cfn_stack ORDER BY position").compactMap {
                try? decoder.decode(StackRecord.self, from: $0)
            }
        }
    }

    // MARK: Snapshots and reset

    /// Copies `cloudformation.sqlite` (every stack with its template, parameters, resources, outputs and exports,
    /// events and change sets) into a snapshot folder, with SQLite's backup API.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` without a data location; database errors.
    package func saveSnapshot(into folder: URL) throws {
        guard let database else { throw SnapshotFailure("the stacks are not stored (the engine was built without a data location)") }
        try DatabaseSnapshot.save(database, to: folder.appendingPathComponent("cloudformation.sqlite"))
    }

    /// Replaces every stack with a snapshot's. The stacks' resources live in their services, which the snapshot
    /// restores too.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure``, database errors.
    package func restoreSnapshot(from folder: URL) throws {
        guard let database else { throw SnapshotFailure("the stacks are not stored (the engine was built without a data location)") }
        try DatabaseSnapshot.restore(database, from: folder.appendingPathComponent("cloudformation.sqlite"))
        stacks = try Self.load(database)
    }

    /// Forgets every stack deployed through the API (`POST /_local/reset`), deleted ones included, as
    /// `/moto-api/reset` does; the start-up stack's record stays (``restoreStartup()`` brings it back to the
    /// template). Their resources are not deleted one by one: each service's own reset removes what the API
    /// created, stacks' resources among it.
    /// - Throws: Database errors (then nothing changed).
    package func forgetRuntimeStacks() throws {
        let kept = stacks.last { $0.name == startupName }.map { [$0] } ?? []
        guard stacks.count != kept.count else { return }
        let data = try kept.map { try JSONEncoder().encode($0) }
        try database?.write { db in
            try db.execute(sql: "DELETE FROM cfn_stack")
            for (position, record) in data.enumerated() {
                try db.execute(sql: "INSERT INTO cfn_stack (position, record) VALUES (?, ?)", arguments: [position, record])
            }
        }
        stacks = kept
    }

    // MARK: Reading

    /// Every stack, deleted ones included, in creation order.
    package var all: [StackRecord] { stacks }

    /// The live (not deleted) stack with a name, or any stack with an ARN.
    /// - Parameter nameOrId: A stack name or ARN.
    /// - Returns: The stack.
    package func stack(_ nameOrId: String) -> StackRecord? {
        guard let index = index(of: nameOrId, includeDeleted: true) else { return nil }
        return stacks[index]
    }

    /// Every export of a live stack: (exporting stack ARN, name, value).
    package var exports: [(stackId: String, name: String, value: String)] {
        stacks.filter { !$0.isDeleted && $0.status != "REVIEW_IN_PROGRESS" }.flatMap { stack in
            stack.outputs.compactMap { output in output.exportName.map { (stack.stackId, $0, output.value) } }
        }
    }

    /// The names of live stacks importing an export.
    /// - Parameter exportName: The export name.
    /// - Returns: The stack names.
    package func importers(of exportName: String) -> [String] {
        stacks.filter { !$0.isDeleted && $0.imports.contains(exportName) }.map(\.name)
    }

    func index(of nameOrId: String, includeDeleted: Bool = false) -> Int? {
        if nameOrId.hasPrefix("arn:") {
            return stacks.lastIndex { $0.stackId == nameOrId && (includeDeleted || !$0.isDeleted) }
        }
        return stacks.lastIndex { $0.name == nameOrId && !$0.isDeleted }
    }

    // MARK: Resolution

    /// Resolves a template for a stack, with the other stacks' exports available to `Fn::ImportValue`.
    /// - Parameters:
    ///   - body: The template text.
    ///   - stackName: The stack name.
    ///   - overrides: Parameter values by name.
    ///   - generations: How many times updates replaced each resource (``StackConfiguration/generations``).
    ///   - assigned: Identities services assigned (``StackConfiguration/assignedIdentities``).
    /// - Returns: The resolved stack.
    /// - Throws: ``CloudFormationError/validation(_:)`` with the template error's message.
    package func resolve(
        _ body: String,
        stackName: String,
        overrides: [String: String],
        generations: [String: Int] = [:],
        assigned: [String: ResourceIdentity] = [:]
    ) throws -> Stack {
        let template: Template
        do throws(TemplateError) {
            // The start-up stack's relative paths (`CodeUri`) are its template folder's, as at start.
            let base = stackName == startup.stack.name ? startup.baseDirectory : FileManager.default.currentDirectoryPath
            template = try TemplateLoader.parse(body, fileName: "template", baseDirectory: base)
        } catch {
            throw CloudFormationError.validation(error.message)
        }
        let declared = Set(template.section("Parameters").keys)
        let unknown = overrides.keys.filter { !declared.contains($0) }.sorted()
        if !unknown.isEmpty { throw CloudFormationError.validation("Parameters: [\(unknown.joined(separator: ", "))] do not exist in the template") }
        let current = environment.current
        var exportValues: [String: String] = [:]
        for export in exports where stack(export.stackId)?.name != stackName { exportValues[export.name] = export.value }
        var configuration = StackConfiguration(
            stackName: stackName,
            region: current.region,
            accountId: current.accountId,
            parameterOverrides: overrides,
            exports: exportValues
        )
        configuration.generations = generations
        configuration.assignedIdentities = assigned
        do throws(TemplateError) {
            return try template.resolve(configuration, catalog: catalog)
        } catch {
            throw CloudFormationError.validation(error.message)
        }
    }

    /// The capability a resolved stack needs beyond those acknowledged, if any.
    /// - Parameters:
    ///   - stack: The resolved stack.
    ///   - capabilities: The acknowledged capabilities.
    ///   - transforms: Whether the template declares transforms (stack operations, not change sets, need
    ///     `CAPABILITY_AUTO_EXPAND` for them).
    /// - Returns: The missing capability.
    package static func missingCapability(_ stack: Stack, capabilities: [String], transforms: Bool) -> String? {
        let iam = (stack.resources + stack.skipped).filter { $0.type.hasPrefix("AWS::IAM::") }
        let named = iam.contains { resource in
            ["RoleName", "ManagedPolicyName", "UserName", "GroupName", "InstanceProfileName"].contains { resource.properties[$0] != nil }
        }
        if named && !capabilities.contains("CAPABILITY_NAMED_IAM") { return "CAPABILITY_NAMED_IAM" }
        if !iam.isEmpty && !capabilities.contains("CAPABILITY_IAM") && !capabilities.contains("CAPABILITY_NAMED_IAM") {
            return "CAPABILITY_IAM"
        }
        if transforms && !capabilities.contains("CAPABILITY_AUTO_EXPAND") { return "CAPABILITY_AUTO_EXPAND" }
        return nil
    }

    private func prepare(_ request: DeployRequest, previous: StackRecord?, checkTransforms: Bool) throws -> PreparedDeploy {
        guard let body = request.templateBody ?? previous?.templateBody else {
            throw CloudFormationError.validation("Either Template URL or Template Body must be specified.")
        }
        var overrides: [String: String] = [:]
        for parameter in request.parameters {
            if let value = parameter.value {
                overrides[parameter.key] = value
            } else if let old = previous?.parameters.first(where: { $0.key == parameter.key }) {
                overrides[parameter.key] = old.value
            } else {
                throw CloudFormationError.validation(
                    "Invalid input for parameter key \(parameter.key). Cannot specify usePreviousValue as true for a parameter key not in the previous template"
                )
            }
        }
        var resolution = StackResolution(body: body, stackName: request.stackName, overrides: overrides)
        var stack = try resolve(resolution)
        if let previous, !previous.resources.isEmpty {
            (stack, resolution) = try planReplacements(resolution, previous: previous)
        }
        let transforms = (try? TemplateLoader.parse(body, fileName: "template"))?.transforms.isEmpty == false
        if let missing = Self.missingCapability(stack, capabilities: request.capabilities, transforms: checkTransforms && transforms) {
            throw CloudFormationError.insufficientCapabilities(missing)
        }
        let parameters = stack.parameters.map { ParameterRecord(key: $0.key, value: $0.value, noEcho: $0.noEcho) }
        return PreparedDeploy(stack: stack, body: body, parameters: parameters, resolution: resolution)
    }

    // MARK: Stack operations

    /// `CreateStack`: resolves, creates every resource in dependency order, rolls back on the first failure.
    /// - Parameter request: The request.
    /// - Returns: The stack ARN.
    /// - Throws: ``CloudFormationError`` for an existing stack, a template error or a missing capability.
    package func createStack(_ request: DeployRequest) async throws -> String {
        if index(of: request.stackName) != nil {
            throw CloudFormationError.alreadyExists("Stack [\(request.stackName)] already exists")
        }
        let prepared = try prepare(request, previous: nil, checkTransforms: true)
        let index = appendStack(prepared.stack, request: request, body: prepared.body, parameters: prepared.parameters, status: "CREATE_IN_PROGRESS")
        await runCreate(index, prepared.stack, resolution: prepared.resolution)
        return stacks[index].stackId
    }

    /// `UpdateStack`: applies the new template in place, rolling back on failure.
    /// - Parameter request: The request (a nil template body reuses the previous template).
    /// - Returns: The stack ARN.
    /// - Throws: ``CloudFormationError`` for a missing stack, one not in an updatable state, no changes, a template
    ///   error or a missing capability.
    package func updateStack(_ request: DeployRequest) async throws -> String {
        let index = try updatableIndex(request.stackName)
        let previous = stacks[index]
        let prepared = try prepare(request, previous: previous, checkTransforms: true)
        let changes = ChangePlan.changes(from: previous.resources, to: ChangePlan.deploymentOrder(prepared.stack.resources + prepared.stack.skipped))
        {
            deployers.deployer(for: $0)?.replacementProperties(of: $0) ?? []
        }
        if changes.isEmpty && !outputsOrParametersChanged(previous, prepared.stack, prepared.parameters, tags: request.tags ?? previous.tags) {
            throw CloudFormationError.validation("No updates are to be performed.")
        }
        await runUpdate(index, prepared.stack, resolution: prepared.resolution, parameters: prepared.parameters, request: request)
        return stacks[index].stackId
    }

    /// `DeleteStack`: deletes the resources in reverse order; refused (`DELETE_FAILED`) while another stack imports
    /// one of its exports. A stack that does not exist is not an error.
    /// - Parameter nameOrId: The stack name or ARN.
    /// - Throws: ``CloudFormationError`` for a stack in progress.
    package func deleteStack(_ nameOrId: String) async throws {
        guard let index = index(of: nameOrId) else { return }
        let status = stacks[index].status
        if status.hasSuffix("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS" {
            throw CloudFormationError.validation("Stack [\(stacks[index].name)] cannot be deleted while in status \(status)")
        }
        for output in stacks[index].outputs {
            guard let name = output.exportName else { continue }
            let users = importers(of: name).filter { $0 != stacks[index].name }
            if let user = users.first {
                setStatus(index, "DELETE_FAILED", reason: "Export \(name) cannot be deleted as it is in use by \(user)")
                save(index)
                return
            }
        }
        setStatus(index, "DELETE_IN_PROGRESS", reason: "User Initiated")
        let stack = stackValue(index)
        let retained = Self.retained(stacks[index].templateBody)
        for resource in stacks[index].resources.reversed() where resource.exists {
            if retained.contains(resource.logicalId) {
                setResource(index, resource.stackResource, status: "DELETE_SKIPPED", reason: nil)
                continue
            }
            setResource(index, resource.stackResource, status: "DELETE_IN_PROGRESS", reason: nil)
            do {
                try await remove(resource.stackResource, in: stack)
            } catch {
                setResource(index, resource.stackResource, status: "DELETE_FAILED", reason: Self.reason(error))
                setStatus(index, "DELETE_FAILED", reason: "The following resource(s) failed to delete: [\(resource.logicalId)]. ")
                save(index)
                return
            }
            setResource(index, resource.stackResource, status: "DELETE_COMPLETE", reason: nil)
        }
        stacks[index].deletionTime = clock.now
        for position in stacks[index].changeSets.indices { stacks[index].changeSets[position].executionStatus = "OBSOLETE" }
        setStatus(index, "DELETE_COMPLETE", reason: nil)
        save(index)
    }

    // MARK: Change sets

    /// `CreateChangeSet`: resolves the template and lists its changes (a `CREATE` change set creates the stack in
    /// `REVIEW_IN_PROGRESS`). The change set is `CREATE_COMPLETE` (or `FAILED` without changes) on return.
    /// - Parameters:
    ///   - request: The request.
    ///   - name: The change set name.
    ///   - type: `CREATE` or `UPDATE`.
    ///   - description: The description.
    /// - Returns: The change set ARN and the stack ARN.
    /// - Throws: ``CloudFormationError`` for the states and inputs CloudFormation refuses.
    package func createChangeSet(
        _ request: DeployRequest,
        name: String,
        type: String,
        description: String?
    ) throws -> (id: String, stackId: String) {
        let existing = index(of: request.stackName)
        let stackIndex: Int
        switch type {
        case "CREATE":
            if let existing, stacks[existing].status != "REVIEW_IN_PROGRESS" {
                throw CloudFormationError.alreadyExists(
                    "Stack [\(request.stackName)] already exists and cannot be created again with the changeSet [\(name)]."
                )
            }
            let prepared = try prepare(request, previous: nil, checkTransforms: false)
            if let existing {
                stackIndex = existing
            } else {
                stackIndex = appendStack(prepared.stack, request: request, body: "", parameters: [], status: "REVIEW_IN_PROGRESS")
                stacks[stackIndex].resources = []
                stacks[stackIndex].outputs = []
            }
            let changes = ChangePlan.changes(from: [], to: ChangePlan.deploymentOrder(prepared.stack.resources + prepared.stack.skipped)) {
                deployers.deployer(for: $0)?.replacementProperties(of: $0) ?? []
            }
            return addChangeSet(
                stackIndex,
                name: name,
                type: type,
                description: description,
                request: request,
                prepared: prepared,
                changes: changes,
                failed: false
            )
        case "UPDATE":
            guard let existing, stacks[existing].status != "REVIEW_IN_PROGRESS" else {
                throw CloudFormationError.validation("Stack [\(request.stackName)] does not exist")
            }
            stackIndex = existing
            let previous = stacks[existing]
            if previous.status.hasSuffix("_IN_PROGRESS") || previous.status.hasSuffix("_FAILED") || previous.status == "ROLLBACK_COMPLETE" {
                throw CloudFormationError.validation("Stack:\(previous.stackId) is in \(previous.status) state and can not be updated.")
            }
            let prepared = try prepare(request, previous: previous, checkTransforms: false)
            let changes = ChangePlan.changes(
                from: previous.resources,
                to: ChangePlan.deploymentOrder(prepared.stack.resources + prepared.stack.skipped)
            ) {
                deployers.deployer(for: $0)?.replacementProperties(of: $0) ?? []
            }
            let failed =
                changes.isEmpty && !outputsOrParametersChanged(previous, prepared.stack, prepared.parameters, tags: request.tags ?? previous.tags)
            return addChangeSet(
                stackIndex,
                name: name,
                type: type,
                description: description,
                request: request,
                prepared: prepared,
                changes: changes,
                failed: failed
            )
        default:
            throw CloudFormationError.validation(
                "1 validation error detected: Value '\(type)' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [UPDATE, IMPORT, CREATE]"
            )
        }
    }

    /// The change set named `name` (or with that ARN) of a stack.
    /// - Parameters:
    ///   - name: The change set name or ARN.
    ///   - stackName: The stack name or ARN (needed with a name).
    /// - Returns: The stack and the change set.
    /// - Throws: ``CloudFormationError/changeSetNotFound(_:)``.
    package func changeSet(_ name: String, stackName: String?) throws -> (stack: StackRecord, changeSet: ChangeSetRecord) {
        guard let (stackIndex, setIndex) = locateChangeSet(name, stackName: stackName) else {
            throw CloudFormationError.changeSetNotFound(name)
        }
        return (stacks[stackIndex], stacks[stackIndex].changeSets[setIndex])
    }

    /// `ExecuteChangeSet`: creates or updates the stack from the change set; finished on return.
    /// - Parameters:
    ///   - name: The change set name or ARN.
    ///   - stackName: The stack name or ARN.
    /// - Throws: ``CloudFormationError`` for a missing change set or one that cannot be executed.
    package func executeChangeSet(_ name: String, stackName: String?) async throws {
        guard let (stackIndex, setIndex) = locateChangeSet(name, stackName: stackName) else {
            throw CloudFormationError.changeSetNotFound(name)
        }
        let changeSet = stacks[stackIndex].changeSets[setIndex]
        guard changeSet.executionStatus == "AVAILABLE" else {
            throw CloudFormationError.invalidChangeSetStatus(
                "ChangeSet [\(changeSet.id)] cannot be executed in its current execution status of [\(changeSet.executionStatus)]"
            )
        }
        let request = DeployRequest(
            stackName: stacks[stackIndex].name,
            templateBody: changeSet.templateBody,
            parameters: changeSet.parameters.map { ($0.key, $0.value) },
            capabilities: changeSet.capabilities,
            tags: changeSet.tags
        )
        let prepared = try prepare(request, previous: stacks[stackIndex], checkTransforms: false)
        for position in stacks[stackIndex].changeSets.indices {
            stacks[stackIndex].changeSets[position].executionStatus = position == setIndex ? "EXECUTE_IN_PROGRESS" : "OBSOLETE"
        }
        if changeSet.type == "CREATE" {
            stacks[stackIndex].templateBody = prepared.body
            stacks[stackIndex].parameters = prepared.parameters
            stacks[stackIndex].capabilities = request.capabilities
            stacks[stackIndex].tags = request.tags ?? []
            stacks[stackIndex].creationTime = clock.now
            setStatus(stackIndex, "CREATE_IN_PROGRESS", reason: "User Initiated")
            await runCreate(stackIndex, prepared.stack, resolution: prepared.resolution)
        } else {
            await runUpdate(stackIndex, prepared.stack, resolution: prepared.resolution, parameters: prepared.parameters, request: request)
        }
        stacks[stackIndex].changeSets[setIndex].executionStatus = "EXECUTE_COMPLETE"
        save(stackIndex)
    }

    /// `DeleteChangeSet`.
    /// - Parameters:
    ///   - name: The change set name or ARN.
    ///   - stackName: The stack name or ARN.
    /// - Throws: ``CloudFormationError/changeSetNotFound(_:)``.
    package func deleteChangeSet(_ name: String, stackName: String?) throws {
        guard let (stackIndex, setIndex) = locateChangeSet(name, stackName: stackName) else {
            throw CloudFormationError.changeSetNotFound(name)
        }
        stacks[stackIndex].changeSets.remove(at: setIndex)
        save(stackIndex)
    }

    private func locateChangeSet(_ name: String, stackName: String?) -> (Int, Int)? {
        if name.hasPrefix("arn:") {
            for (stackIndex, stack) in stacks.enumerated() {
                if let setIndex = stack.changeSets.firstIndex(where: { $0.id == name }) { return (stackIndex, setIndex) }
            }
            return nil
        }
        guard let stackName, let stackIndex = index(of: stackName, includeDeleted: true) else { return nil }
        guard let setIndex = stacks[stackIndex].changeSets.firstIndex(where: { $0.name == name }) else { return nil }
        return (stackIndex, setIndex)
    }

    private func addChangeSet(
        _ stackIndex: Int,
        name: String,
        type: String,
        description: String?,
        request: DeployRequest,
        prepared: PreparedDeploy,
        changes: [ResourceChangeRecord],
        failed: Bool
    ) -> (id: String, stackId: String) {
        let current = environment.current
        let id = "arn:aws:cloudformation:\(current.region):\(current.accountId):changeSet/\(name)/\(EmulatorRandom.uuidString("cloudformation-ids"))"
        stacks[stackIndex].changeSets.append(
            ChangeSetRecord(
                name: name,
                id: id,
                type: type,
                description: description,
                status: failed ? "FAILED" : "CREATE_COMPLETE",
                statusReason: failed
                    ? "The submitted information didn't contain changes. Submit different information to create a change set." : nil,
                executionStatus: failed ? "UNAVAILABLE" : "AVAILABLE",
                creationTime: clock.now,
                templateBody: prepared.body,
                parameters: prepared.parameters,
                capabilities: request.capabilities,
                tags: request.tags ?? stacks[stackIndex].tags,
                changes: changes
            )
        )
        save(stackIndex)
        return (id, stacks[stackIndex].stackId)
    }

    // MARK: Running

    private func updatableIndex(_ nameOrId: String) throws -> Int {
        guard let index = index(of: nameOrId), stacks[index].status != "REVIEW_IN_PROGRESS" else {
            throw CloudFormationError.validation("Stack [\(nameOrId)] does not exist")
        }
        let status = stacks[index].status
        guard ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"].contains(status) else {
            throw CloudFormationError.validation("Stack:\(stacks[index].stackId) is in \(status) state and can not be updated.")
        }
        return index
    }

    private func outputsOrParametersChanged(_ previous: StackRecord, _ stack: Stack, _ parameters: [ParameterRecord], tags: [TagRecord]) -> Bool {
        let outputs = stack.outputs.map { OutputRecord(key: $0.key, value: $0.value, description: $0.description, exportName: $0.exportName) }
        return outputs != previous.outputs || parameters != previous.parameters || tags != previous.tags
    }

    private func appendStack(_ stack: Stack, request: DeployRequest, body: String, parameters: [ParameterRecord], status: String) -> Int {
        let current = environment.current
        let stackId =
            "arn:aws:cloudformation:\(current.region):\(current.accountId):stack/\(request.stackName)/\(EmulatorRandom.uuidString("cloudformation-ids"))"
        stacks.append(
            StackRecord(
                name: request.stackName,
                stackId: stackId,
                description: stack.description,
                templateBody: body,
                parameters: parameters,
                capabilities: request.capabilities,
                tags: request.tags ?? [],
                status: status,
                statusReason: nil,
                creationTime: clock.now,
                lastUpdatedTime: nil,
                deletionTime: nil,
                resources: [],
                outputs: [],
                imports: [],
                events: [],
                changeSets: []
            )
        )
        let index = stacks.count - 1
        addEvent(
            index,
            logicalId: request.stackName,
            physicalId: stackId,
            type: "AWS::CloudFormation::Stack",
            status: status,
            reason: "User Initiated"
        )
        save(index)
        return index
    }

    private func runCreate(_ index: Int, _ initialStack: Stack, resolution initialResolution: StackResolution) async {
        var stack = initialStack
        var resolution = initialResolution
        stacks[index].description = stack.description
        var created: [StackResource] = []
        var failure: String?
        let taken = Set(exports.filter { $0.stackId != stacks[index].stackId }.map(\.name))
        if let clash = stack.outputs.compactMap(\.exportName).first(where: { taken.contains($0) }) {
            let owner = exports.first { $0.name == clash }.flatMap { self.stack($0.stackId)?.name } ?? ""
            failure = "Export with name \(clash) is already exported by stack \(owner). Rollback requested by user."
        }
        if failure == nil {
            var position = 0
            while position < stack.resources.count + stack.skipped.count {
                var resource = ChangePlan.deploymentOrder(stack.resources + stack.skipped)[position]
                position += 1
                setResource(index, resource, status: "CREATE_IN_PROGRESS", reason: nil)
                do {
                    guard let deployer = deployers.deployer(for: resource.type) else {
                        throw ResourceDeploymentError(DeployerRegistry.notDeployableReason(resource.type))
                    }
                    resource = try await assigning(resource, deployer: deployer, stack: &stack, resolution: &resolution)
                    try await deployer.create(resource, in: stack)
                } catch {
                    setResource(index, resource, status: "CREATE_FAILED", reason: Self.reason(error))
                    failure = "The following resource(s) failed to create: [\(resource.logicalId)]. Rollback requested by user."
                    break
                }
                setResource(index, resource, status: "CREATE_COMPLETE", reason: nil)
                created.append(resource)
            }
        }
        if let failure {
            setStatus(index, "ROLLBACK_IN_PROGRESS", reason: failure)
            var rollbackFailed = false
            for resource in created.reversed() {
                setResource(index, resource, status: "DELETE_IN_PROGRESS", reason: nil)
                do {
                    try await deployers.deployer(for: resource.type)?.delete(resource, in: stack)
                    setResource(index, resource, status: "DELETE_COMPLETE", reason: nil)
                } catch {
                    setResource(index, resource, status: "DELETE_FAILED", reason: Self.reason(error))
                    rollbackFailed = true
                }
            }
            setStatus(index, rollbackFailed ? "ROLLBACK_FAILED" : "ROLLBACK_COMPLETE", reason: nil)
        } else {
            stacks[index].outputs = stack.outputs.map {
                OutputRecord(key: $0.key, value: $0.value, description: $0.description, exportName: $0.exportName)
            }
            stacks[index].imports = stack.imports
            stacks[index].generations = Self.kept(resolution.generations, in: stack)
            setStatus(index, "CREATE_COMPLETE", reason: nil)
        }
        save(index)
    }

    func runUpdate(
        _ index: Int,
        _ initialStack: Stack,
        resolution initialResolution: StackResolution,
        parameters: [ParameterRecord],
        request: DeployRequest
    ) async {
        var stack = initialStack
        var resolution = initialResolution
        let body = resolution.body
        let previous = stacks[index]
        let oldStack = stackValue(index)
        setStatus(index, "UPDATE_IN_PROGRESS", reason: "User Initiated")
        var failure: String?
        let newOutputs = stack.outputs.map { OutputRecord(key: $0.key, value: $0.value, description: $0.description, exportName: $0.exportName) }
        for output in previous.outputs {
            guard let name = output.exportName, let user = importers(of: name).first(where: { $0 != previous.name }) else { continue }
            if let replacement = newOutputs.first(where: { $0.exportName == name }) {
                if replacement.value != output.value { failure = "Cannot update export \(name) as it is in use by \(user)" }
            } else {
                failure = "Export \(name) cannot be deleted as it is in use by \(user)"
            }
            if failure != nil { break }
        }
        let existing = Dictionary(previous.resources.filter(\.exists).map { ($0.logicalId, $0) }, uniquingKeysWith: { first, _ in first })
        var created: [StackResource] = []
        var updated: [(old: StackResource, new: StackResource)] = []
        var replaced: [StackResource] = []
        var finalRecords: [String: (status: String, resource: StackResource)] = [:]
        if failure == nil {
            var position = 0
            resources: while position < stack.resources.count + stack.skipped.count {
                var resource = ChangePlan.deploymentOrder(stack.resources + stack.skipped)[position]
                position += 1
                let deployer = deployers.deployer(for: resource.type)
                guard let old = existing[resource.logicalId] else {
                    setResource(index, resource, status: "CREATE_IN_PROGRESS", reason: nil)
                    do {
                        guard let deployer else { throw ResourceDeploymentError(DeployerRegistry.notDeployableReason(resource.type)) }
                        resource = try await assigning(resource, deployer: deployer, stack: &stack, resolution: &resolution)
                        try await deployer.create(resource, in: stack)
                    } catch {
                        setResource(index, resource, status: "CREATE_FAILED", reason: Self.reason(error))
                        failure = "The following resource(s) failed to create: [\(resource.logicalId)]. "
                        break resources
                    }
                    setResource(index, resource, status: "CREATE_COMPLETE", reason: nil)
                    created.append(resource)
                    finalRecords[resource.logicalId] = ("CREATE_COMPLETE", resource)
                    continue
                }
                do {
                    let oldResource = old.stackResource
                    let changed = ChangePlan.changedProperties(oldResource.properties, resource.properties)
                    if changed.isEmpty && old.type == resource.type && old.physicalId == resource.physicalId {
                        finalRecords[resource.logicalId] = (old.status, resource)
                        continue
                    }
                    let replacing = old.physicalId != resource.physicalId || requiresReplacement(old, resource)
                    guard let deployer else { throw ResourceDeploymentError(DeployerRegistry.notDeployableReason(resource.type)) }
                    if replacing {
                        resource = try await assigning(resource, deployer: deployer, stack: &stack, resolution: &resolution)
                        guard old.physicalId != resource.physicalId else {
                            throw ResourceDeploymentError(
                                "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename "
                                    + "\(old.physicalId) and update the stack again."
                            )
                        }
                        setResource(
                            index,
                            resource,
                            status: "UPDATE_IN_PROGRESS",
                            reason: "Requested update requires the creation of a new physical resource; hence creating one."
                        )
                        try await deployer.create(resource, in: stack)
                        created.append(resource)
                        replaced.append(oldResource)
                    } else {
                        setResource(index, resource, status: "UPDATE_IN_PROGRESS", reason: nil)
                        try await deployer.update(oldResource, to: resource, in: stack)
                        updated.append((oldResource, resource))
                    }
                    setResource(index, resource, status: "UPDATE_COMPLETE", reason: nil)
                    finalRecords[resource.logicalId] = ("UPDATE_COMPLETE", resource)
                } catch {
                    setResource(index, resource, status: "UPDATE_FAILED", reason: Self.reason(error))
                    failure = "The following resource(s) failed to update: [\(resource.logicalId)]. "
                    break resources
                }
            }
        }
        if let failure {
            setStatus(index, "UPDATE_ROLLBACK_IN_PROGRESS", reason: failure)
            for change in updated.reversed() {
                setResource(index, change.old, status: "UPDATE_IN_PROGRESS", reason: nil)
                do {
                    try await deployers.deployer(for: change.old.type)?.update(change.new, to: change.old, in: oldStack)
                    setResource(index, change.old, status: "UPDATE_COMPLETE", reason: nil)
                } catch {
                    setResource(index, change.old, status: "UPDATE_FAILED", reason: Self.reason(error))
                }
            }
            setStatus(index, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", reason: nil)
            for resource in created.reversed() {
                addEvent(
                    index,
                    logicalId: resource.logicalId,
                    physicalId: resource.physicalId,
                    type: resource.type,
                    status: "DELETE_IN_PROGRESS",
                    reason: nil
                )
                try? await deployers.deployer(for: resource.type)?.delete(resource, in: stack)
                addEvent(
                    index,
                    logicalId: resource.logicalId,
                    physicalId: resource.physicalId,
                    type: resource.type,
                    status: "DELETE_COMPLETE",
                    reason: nil
                )
            }
            // The stack is described as before the update.
            stacks[index].resources = previous.resources
            setStatus(index, "UPDATE_ROLLBACK_COMPLETE", reason: nil)
            save(index)
            return
        }
        setStatus(index, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", reason: nil)
        let kept = Set(stack.resources.map(\.logicalId) + stack.skipped.map(\.logicalId))
        let retained = Self.retained(previous.templateBody)
        let removed = previous.resources.reversed().filter { $0.exists && !kept.contains($0.logicalId) && !retained.contains($0.logicalId) }
            .map(\.stackResource)
        // The new template's `UpdateReplacePolicy: Retain` keeps a replaced resource's old physical resource.
        let keptOnReplace = Self.retained(body, policy: "UpdateReplacePolicy")
        for resource in replaced.reversed() where keptOnReplace.contains(resource.logicalId) {
            addEvent(
                index,
                logicalId: resource.logicalId,
                physicalId: resource.physicalId,
                type: resource.type,
                status: "DELETE_SKIPPED",
                reason: nil
            )
        }
        for resource in replaced.reversed().filter({ !keptOnReplace.contains($0.logicalId) }) + removed {
            addEvent(
                index,
                logicalId: resource.logicalId,
                physicalId: resource.physicalId,
                type: resource.type,
                status: "DELETE_IN_PROGRESS",
                reason: nil
            )
            do {
                try await remove(resource, in: oldStack)
                addEvent(
                    index,
                    logicalId: resource.logicalId,
                    physicalId: resource.physicalId,
                    type: resource.type,
                    status: "DELETE_COMPLETE",
                    reason: nil
                )
            } catch {
                addEvent(
                    index,
                    logicalId: resource.logicalId,
                    physicalId: resource.physicalId,
                    type: resource.type,
                    status: "DELETE_FAILED",
                    reason: Self.reason(error)
                )
            }
        }
        let now = clock.now
        stacks[index].resources = ChangePlan.deploymentOrder(stack.resources + stack.skipped).compactMap { resource in
            guard let final = finalRecords[resource.logicalId] else { return nil }
            return Self.record(final.resource, status: final.status, reason: nil, at: now)
        }
        stacks[index].templateBody = body
        stacks[index].parameters = parameters
        stacks[index].capabilities = request.capabilities
        stacks[index].tags = request.tags ?? previous.tags
        stacks[index].description = stack.description
        // Resolved again when a service assigned an identity (a version's number) while deploying.
        stacks[index].outputs = stack.outputs.map {
            OutputRecord(key: $0.key, value: $0.value, description: $0.description, exportName: $0.exportName)
        }
        stacks[index].imports = stack.imports
        stacks[index].lastUpdatedTime = now
        stacks[index].generations = Self.kept(resolution.generations, in: stack)
        setStatus(index, "UPDATE_COMPLETE", reason: nil)
        save(index)
    }

    /// The deployed stack as deployers see it (for deletions and rollbacks).
    func stackValue(_ index: Int) -> Stack {
        let record = stacks[index]
        let current = environment.current
        var stack = Stack.empty(
            configuration: StackConfiguration(stackName: record.name, region: current.region, accountId: current.accountId)
        )
        stack.stackId = record.stackId
        stack.resources = record.resources.filter(\.exists).map(\.stackResource)
        return stack
    }

    static func record(_ resource: StackResource, status: String, reason: String?, at date: Date) -> ResourceRecord {
        ResourceRecord(
            logicalId: resource.logicalId,
            type: resource.type,
            physicalId: resource.physicalId,
            status: status,
            statusReason: reason,
            timestamp: date,
            propertiesJSON: resource.properties.jsonString,
            attributes: resource.attributes,
            dependsOn: resource.dependsOn
        )
    }

    func setResource(_ index: Int, _ resource: StackResource, status: String, reason: String?) {
        let now = clock.now
        let physicalId = status == "CREATE_IN_PROGRESS" || status == "CREATE_FAILED" ? "" : resource.physicalId
        var record = Self.record(resource, status: status, reason: reason, at: now)
        record.physicalId = physicalId
        if let position = stacks[index].resources.firstIndex(where: { $0.logicalId == resource.logicalId }) {
            // During an update the deployed record keeps describing the old resource until the stack completes.
            if stacks[index].status.hasPrefix("UPDATE") {
                stacks[index].resources[position].status = status
                stacks[index].resources[position].statusReason = reason
                stacks[index].resources[position].timestamp = now
            } else {
                stacks[index].resources[position] = record
            }
        } else if !stacks[index].status.hasPrefix("UPDATE") {
            stacks[index].resources.append(record)
        }
        addEvent(index, logicalId: resource.logicalId, physicalId: physicalId, type: resource.type, status: status, reason: reason)
    }

    func setStatus(_ index: Int, _ status: String, reason: String?) {
        stacks[index].status = status
        stacks[index].statusReason = reason
        addEvent(
            index,
            logicalId: stacks[index].name,
            physicalId: stacks[index].stackId,
            type: "AWS::CloudFormation::Stack",
            status: status,
            reason: reason
        )
    }

    func addEvent(_ index: Int, logicalId: String, physicalId: String, type: String, status: String, reason: String?) {
        stacks[index].events.append(Self.event(logicalId, physicalId, type: type, status: status, reason: reason, at: clock.now))
    }

    func save(_ index: Int) {
        guard let database, let data = try? JSONEncoder().encode(stacks[index]) else { return }
        try? database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO cfn_stack (position, record) VALUES (?, ?)", arguments: [index, data])
        }
    }

    /// The logical ids whose `DeletionPolicy` keeps them when the stack is deleted or they leave the template:
    /// `Retain` and `RetainExceptOnCreate` (or, with `policy: "UpdateReplacePolicy"`, whose old physical resource an
    /// update that replaces them keeps: `Retain`).
    /// - Parameters:
    ///   - templateBody: The deployed template.
    ///   - policy: `DeletionPolicy` or `UpdateReplacePolicy`.
    /// - Returns: The logical ids.
    package static func retained(_ templateBody: String, policy: String = "DeletionPolicy") -> Set<String> {
        guard var template = try? TemplateLoader.parse(templateBody, fileName: "template") else { return [] }
        // The SAM transform's resources carry their own policies (AutoPublishAlias's versions are retained).
        if template.transforms.contains(Template.serverlessTransform),
            let transformed = try? SAMTransform.apply(to: template, configuration: StackConfiguration(stackName: "stack")).template
        {
            template = transformed
        }
        var ids: Set<String> = []
        for (logicalId, body) in template.section("Resources").entries {
            if ["Retain", "RetainExceptOnCreate"].contains(body[policy]?.scalarText ?? "") { ids.insert(logicalId) }
        }
        return ids
    }

    /// The `ResourceStatusReason` of a deployer's error.
    /// - Parameter error: The error.
    /// - Returns: Its text.
    package static func reason(_ error: any Error) -> String {
        switch error {
        case let error as ResourceDeploymentError: error.reason
        case let error as TemplateError: "Properties validation failed for resource: \(error.message)"
        case let error as any AWSServiceError: error.message
        default: String(describing: error)
        }
    }
}
