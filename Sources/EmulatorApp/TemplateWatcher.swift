import CloudFormation
import CloudFormationService
import Foundation
import LambdaService
import ServiceLifecycle

/// `start --watch`: the local `sam sync --watch`. Polls the template's and its functions' code folders'
/// modification times about once a second; a template edit is an `UpdateStack` of the start-up stack (the same
/// ``StackEngine`` path the CloudFormation API takes: tables keep their items, buckets their objects, and a failure
/// rolls the whole update back), a code edit redeploys the function so its next invocation starts a fresh
/// environment. One line is printed per changed resource (`Updated ConnectionsTable (added GSI byUser)`); a template
/// that fails to load or validate, or an update that rolls back, prints its error and the running stack is kept.
package struct TemplateWatcher: Service {
    private let options: EmulatorOptions
    private let engine: StackEngine
    private let deployers: DeployerRegistry
    private let interval: Duration
    private let output: @Sendable (String) -> Void

    /// Creates the watcher.
    /// - Parameters:
    ///   - options: The start options (template path, parameter overrides).
    ///   - engine: The stacks (the start-up stack is updated).
    ///   - deployers: The runtime deployers (code edits redeploy a function through its deployer).
    ///   - interval: The polling period.
    ///   - output: Where the change lines go (standard output).
    package init(
        options: EmulatorOptions,
        engine: StackEngine,
        deployers: DeployerRegistry,
        interval: Duration = .seconds(1),
        output: @escaping @Sendable (String) -> Void
    ) {
        self.options = options
        self.engine = engine
        self.deployers = deployers
        self.interval = interval
        self.output = output
    }

    /// Polls until graceful shutdown.
    /// - Throws: Never.
    package func run() async throws {
        let templatePath = URL(fileURLWithPath: options.templatePath).standardizedFileURL.path
        var templateStamp = Self.stamp(templatePath)
        var codeStamps = Self.codeStamps(await deployed())
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
                await applyTemplate(at: templatePath)
                codeStamps = Self.codeStamps(await deployed())
                continue
            }
            let applied = await deployed()
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

    /// The start-up stack as deployed now (empty once it has been deleted).
    func deployed() async -> Stack {
        await engine.deployedStack(engine.startupName)
            ?? Stack.empty(configuration: StackConfiguration(stackName: engine.startupName, region: options.region, accountId: options.accountId))
    }

    /// Applies the template file as an `UpdateStack` of the start-up stack and prints one line per changed resource.
    /// - Parameter path: The template file.
    func applyTemplate(at path: String) async {
        guard let body = try? String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8) else {
            output("Template not applied (the running stack is kept): \(path) cannot be read")
            return
        }
        let before = await engine.stack(engine.startupName)?.resources ?? []
        let request = DeployRequest(
            stackName: engine.startupName,
            templateBody: body,
            parameters: options.parameterOverrides.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) },
            // Editing the file is the acknowledgement `sam sync` asks for.
            capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            tags: nil
        )
        do {
            _ = try await engine.updateStack(request)
        } catch let error as CloudFormationError where error.message == "No updates are to be performed." {
            output("Template saved: no resource changes")
            return
        } catch {
            output("Template not applied (the running stack is kept): \(StackEngine.reason(error))")
            return
        }
        guard let after = await engine.stack(engine.startupName) else { return }
        guard after.status == "UPDATE_COMPLETE" else {
            let failed = after.events.last { $0.type != "AWS::CloudFormation::Stack" && $0.status.hasSuffix("_FAILED") }
            let cause = failed.map { "\($0.logicalId): \($0.reason ?? $0.status)" } ?? (after.statusReason ?? after.status)
            output("Template not applied (the update rolled back, the running stack is kept): \(cause)")
            return
        }
        let lines = Self.changeLines(from: before, to: after.resources)
        if lines.isEmpty { output("Template saved: no resource changes") }
        for line in lines { output(line) }
    }

    /// One line per resource an update created, changed, replaced or deleted.
    /// - Parameters:
    ///   - before: The resources before the update.
    ///   - after: The resources after it.
    /// - Returns: The lines, in deployment order, deletions last.
    static func changeLines(from before: [ResourceRecord], to after: [ResourceRecord]) -> [String] {
        let old = Dictionary(before.filter(\.exists).map { ($0.logicalId, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for resource in after {
            guard let previous = old[resource.logicalId] else {
                lines.append("Created \(resource.logicalId) (\(resource.type))")
                continue
            }
            let oldResource = previous.stackResource
            let newResource = resource.stackResource
            let properties = ChangePlan.changedProperties(oldResource.properties, newResource.properties)
            if previous.physicalId != resource.physicalId || previous.type != resource.type {
                lines.append("Replaced \(resource.logicalId) (\(detail(oldResource, newResource, properties)))")
            } else if !properties.isEmpty {
                lines.append("Updated \(resource.logicalId) (\(detail(oldResource, newResource, properties)))")
            }
        }
        let kept = Set(after.map(\.logicalId))
        for previous in before.reversed() where previous.exists && !kept.contains(previous.logicalId) {
            lines.append("Deleted \(previous.logicalId) (\(previous.type))")
        }
        return lines
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
