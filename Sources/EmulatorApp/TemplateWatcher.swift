import CloudFormation
import CloudFormationService
import Foundation
import LambdaService
import ServiceLifecycle

/// `start --watch`: the local `sam sync --watch`. Polls the template's and its functions' code folders'
/// modification times about once a second; a template edit is resolved again and applied to the running start-up
/// stack through the same ``ResourceDeployer``s the CloudFormation API uses (tables keep their items, buckets their
/// objects), a code edit redeploys the function so its next invocation starts a fresh environment. One line is
/// printed per changed resource (`Updated ConnectionsTable (added GSI byUser)`); a template that fails to load or
/// validate prints its error and the running stack is kept.
package struct TemplateWatcher: Service {
    private let options: EmulatorOptions
    private let initial: Stack
    private let deployers: DeployerRegistry
    private let interval: Duration
    private let output: @Sendable (String) -> Void

    /// Creates the watcher.
    /// - Parameters:
    ///   - options: The start options (template path, stack name, parameter overrides).
    ///   - stack: The start-up stack as deployed.
    ///   - deployers: The runtime deployers.
    ///   - interval: The polling period.
    ///   - output: Where the change lines go (standard output).
    package init(
        options: EmulatorOptions,
        stack: Stack,
        deployers: DeployerRegistry,
        interval: Duration = .seconds(1),
        output: @escaping @Sendable (String) -> Void
    ) {
        self.options = options
        self.initial = stack
        self.deployers = deployers
        self.interval = interval
        self.output = output
    }

    /// Polls until graceful shutdown.
    /// - Throws: Never.
    package func run() async throws {
        let templatePath = URL(fileURLWithPath: options.templatePath).standardizedFileURL.path
        var applied = initial
        var templateStamp = Self.stamp(templatePath)
        var codeStamps = Self.codeStamps(applied)
        let (ticks, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let interval = self.interval
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        for await _ in ticks.cancelOnGracefulShutdown() {
            if Task.isCancelled { break }
            let stamp = Self.stamp(templatePath)
            if stamp != templateStamp {
                templateStamp = stamp
                applied = await applyTemplate(over: applied)
                codeStamps = Self.codeStamps(applied)
                continue
            }
            let current = Self.codeStamps(applied)
            for (logicalId, stamp) in current where codeStamps[logicalId] != stamp {
                await redeploy(logicalId, in: applied)
            }
            codeStamps = current
        }
        timer.cancel()
        continuation.finish()
    }

    // MARK: Template edits

    /// Resolves the template again and applies the differences; returns the stack as now deployed.
    func applyTemplate(over applied: Stack) async -> Stack {
        let next: Stack
        do {
            next = try StackPlan(options: options).stack
        } catch {
            output("Template not applied (the running stack is kept): \(error)")
            return applied
        }
        var deployed = Dictionary(applied.resources.map { ($0.logicalId, $0) }, uniquingKeysWith: { first, _ in first })
        var changed = false
        for resource in ChangePlan.deploymentOrder(next.resources) {
            let old = deployed[resource.logicalId]
            if let old, old.type == resource.type, old.physicalId == resource.physicalId, old.properties == resource.properties {
                deployed[resource.logicalId] = resource
                continue
            }
            changed = true
            guard let deployer = deployers.deployer(for: resource.type) else {
                output("Not applied \(resource.logicalId): \(DeployerRegistry.notDeployableReason(resource.type)); restart to apply")
                continue
            }
            do {
                guard let old else {
                    try await deployer.create(resource, in: next)
                    deployed[resource.logicalId] = resource
                    output("Created \(resource.logicalId) (\(resource.type))")
                    continue
                }
                let properties = ChangePlan.changedProperties(old.properties, resource.properties)
                let replacing =
                    old.type != resource.type || old.physicalId != resource.physicalId
                    || !deployer.replacementProperties(of: resource.type).isDisjoint(with: properties)
                if replacing, old.physicalId != resource.physicalId {
                    try await deployer.create(resource, in: next)
                    try await deployers.deployer(for: old.type)?.delete(old, in: applied)
                    output("Replaced \(resource.logicalId) (\(Self.detail(old, resource, properties)))")
                } else if replacing {
                    output(
                        "Not applied \(resource.logicalId): changing \(properties.joined(separator: ", ")) replaces it and "
                            + "\(old.physicalId) is custom-named; rename it or restart to apply"
                    )
                    continue
                } else {
                    try await deployer.update(old, to: resource, in: next)
                    output("Updated \(resource.logicalId) (\(Self.detail(old, resource, properties)))")
                }
                deployed[resource.logicalId] = resource
            } catch {
                output("Failed to apply \(resource.logicalId): \(StackEngine.reason(error))")
            }
        }
        let kept = Set(next.resources.map(\.logicalId))
        for old in ChangePlan.deploymentOrder(applied.resources).reversed() where !kept.contains(old.logicalId) {
            changed = true
            do {
                try await deployers.deployer(for: old.type)?.delete(old, in: applied)
                deployed[old.logicalId] = nil
                output("Deleted \(old.logicalId) (\(old.type))")
            } catch {
                output("Failed to delete \(old.logicalId): \(StackEngine.reason(error))")
            }
        }
        if !changed { output("Template saved: no resource changes") }
        var result = next
        result.resources = ChangePlan.deploymentOrder(applied.resources + next.resources).compactMap { resource in
            deployed.removeValue(forKey: resource.logicalId)
        }
        return result
    }

    /// What changed, in words: GSIs added and removed for tables, else the changed property names.
    static func detail(_ old: StackResource, _ new: StackResource, _ properties: [String]) -> String {
        if new.type == "AWS::DynamoDB::Table", properties.contains("GlobalSecondaryIndexes") {
            let before = indexNames(old)
            let after = indexNames(new)
            var parts = after.filter { !before.contains($0) }.map { "added GSI \($0)" }
            parts += before.filter { !after.contains($0) }.map { "removed GSI \($0)" }
            parts += properties.filter { !["GlobalSecondaryIndexes", "AttributeDefinitions"].contains($0) }.map { "changed \($0)" }
            if !parts.isEmpty { return parts.joined(separator: ", ") }
        }
        if properties.isEmpty { return "changed type or name" }
        return "changed " + properties.joined(separator: ", ")
    }

    private static func indexNames(_ resource: StackResource) -> [String] {
        resource.properties.mapValue?["GlobalSecondaryIndexes"]?.listValue?.compactMap { $0.mapValue?["IndexName"]?.scalarText } ?? []
    }

    // MARK: Code edits

    /// Redeploys a function whose code folder changed: its next invocation starts a fresh environment.
    func redeploy(_ logicalId: String, in stack: Stack) async {
        guard let resource = stack.resources.first(where: { $0.logicalId == logicalId }),
            let deployer = deployers.deployer(for: resource.type)
        else { return }
        do {
            try await deployer.update(resource, to: resource, in: stack)
            let folder = (try? LambdaFunctionSpec(resource))?.codeUri ?? ""
            output("Updated \(logicalId) (code in \(folder) changed)")
        } catch {
            output("Failed to redeploy \(logicalId): \(StackEngine.reason(error))")
        }
    }

    /// The code-folder stamp of every function with local code, by logical id.
    static func codeStamps(_ stack: Stack) -> [String: String] {
        var stamps: [String: String] = [:]
        for resource in stack.resources where resource.type == LambdaResourceProvider.functionType {
            guard let path = (try? LambdaFunctionSpec(resource))?.codeUri else { continue }
            stamps[resource.logicalId] = stamp(path)
        }
        return stamps
    }

    /// The newest modification time, file count and total size under a path (a file or a folder).
    static func stamp(_ path: String) -> String {
        let manager = FileManager.default
        var newest = 0.0
        var count = 0
        var size = 0
        func add(_ attributes: [FileAttributeKey: Any]) {
            newest = max(newest, (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
            size &+= (attributes[.size] as? NSNumber)?.intValue ?? 0
            count &+= 1
        }
        guard let attributes = try? manager.attributesOfItem(atPath: path) else { return "missing" }
        add(attributes)
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue, let files = manager.enumerator(atPath: path) {
            for case let file as String in files {
                if let attributes = try? manager.attributesOfItem(atPath: (path as NSString).appendingPathComponent(file)) { add(attributes) }
            }
        }
        return "\(newest):\(count):\(size)"
    }
}
