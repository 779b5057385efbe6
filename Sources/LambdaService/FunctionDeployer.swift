import CloudFormation
import Crypto
import EmulatorCore
import Foundation
import GRDB
import Logging
import Storage
import Synchronization

/// An S3 object read for a function's code (CreateFunction / UpdateFunctionCode with `S3Bucket`/`S3Key`).
package enum LambdaCodeObject: Sendable, Equatable {
    /// The object's bytes.
    case found(Data)
    /// The bucket does not exist.
    case noSuchBucket
    /// The key (or version) does not exist.
    case noSuchKey
}

/// Reads an object of the emulated S3 in-process (never over the network): bucket, key, optional version id.
package typealias LambdaCodeSource = @Sendable (_ bucket: String, _ key: String, _ versionId: String?) async throws -> LambdaCodeObject

/// Deploys, replaces and removes functions at run time: the one path CreateFunction, UpdateFunctionCode,
/// UpdateFunctionConfiguration, DeleteFunction (and the CloudFormation deploys that reuse it) take. A deployed function
/// gets a new ``FunctionRuntime`` (its next invocation starts a fresh environment with the new code and
/// configuration); the replaced runtime's environments are shut down. Changes are kept in `lambda.sqlite`
/// (``FunctionStore``) and survive a restart.
final class FunctionDeployer: Sendable {
    private struct Slot {
        var store: FunctionStore?
        var codeSource: LambdaCodeSource?
        var packageFolder: URL?
    }

    let catalog: FunctionCatalog
    let host: RuntimeHost
    let supervisor: LambdaSupervisor
    /// The layer versions functions' `Layers` may name.
    let layers: LayerVersions
    /// The template's functions as deployed at start (what a restore brings back for one the snapshot did not change).
    let templateFunctions: [LambdaFunction]
    /// The template's function names.
    let templateNames: Set<String>
    /// The template's functions' whole records as deployed at start: with the versions and aliases the template
    /// declares (`AWS::Lambda::Version`/`Alias`, SAM `AutoPublishAlias`).
    private let templateRecords: [String: FunctionStore.Record]
    private let slot = Mutex(Slot())
    /// Orders changes (check, write, swap) one after the other.
    private let changes = AsyncSerializer()

    /// Creates the deployer.
    /// - Parameters:
    ///   - catalog: The functions.
    ///   - host: What runtimes share.
    ///   - supervisor: The supervisor (offline guards for new functions).
    ///   - layers: The layer versions.
    ///   - templateFunctions: The template's functions as deployed at start (the catalog already holds their
    ///     versions and aliases).
    init(catalog: FunctionCatalog, host: RuntimeHost, supervisor: LambdaSupervisor, layers: LayerVersions, templateFunctions: [LambdaFunction]) {
        self.catalog = catalog
        self.host = host
        self.supervisor = supervisor
        self.layers = layers
        self.templateFunctions = templateFunctions
        self.templateNames = Set(templateFunctions.map(\.name))
        var records: [String: FunctionStore.Record] = [:]
        for function in templateFunctions {
            var record = Self.record(of: function)
            record.versions = catalog.versions(of: function.name).map { Self.record(of: $0) }
            record.aliases = catalog.aliases(of: function.name)
            records[function.name] = record
        }
        self.templateRecords = records
    }

    /// Connects the S3 reader for `S3Bucket`/`S3Key` code.
    /// - Parameter source: The reader.
    func attach(_ source: @escaping LambdaCodeSource) { slot.withLock { $0.codeSource = source } }

    /// The S3 reader, when one is attached.
    var codeSource: LambdaCodeSource? { slot.withLock { $0.codeSource } }

    /// Opens the store and lays the stored functions over the template's.
    /// - Parameters:
    ///   - writer: `lambda.sqlite`.
    ///   - packageFolder: Where uploaded packages live.
    /// - Throws: GRDB errors.
    func open(writer: any DatabaseWriter, packageFolder: URL) throws {
        let store = FunctionStore(writer: writer, packageFolder: packageFolder)
        for (name, record) in try store.load() {
            catalog.remove(name)
            if let record { serve(record) }
        }
        slot.withLock {
            $0.store = store
            $0.packageFolder = packageFolder
        }
    }

    /// Serves a stored function (`$LATEST`, its published versions and aliases) on new runtimes; the caller removed
    /// the one of the same name.
    /// - Parameter record: The record.
    private func serve(_ record: FunctionStore.Record) {
        let function = makeFunction(record)
        catalog.put(function, runtime: FunctionRuntime(function: function, host: host))
        for versionRecord in record.versions ?? [] {
            let version = makeFunction(versionRecord)
            catalog.addVersion(version, runtime: FunctionRuntime(function: version, host: host))
        }
        for alias in record.aliases ?? [] { catalog.setAlias(function.name, alias) }
    }

    /// Brings the functions in line with `lambda.sqlite` after a snapshot restore replaced it: functions the
    /// restored rows do not name are the template's as deployed at start (or gone, for API-created ones); a function
    /// whose whole record (configuration, code, versions, aliases, policy) differs from what is served gets new
    /// runtimes and its environments stop; an unchanged one stays warm. Call it inside ``serialized(_:)``.
    /// - Returns: The names of the functions replaced or removed.
    /// - Throws: GRDB errors.
    @discardableResult
    func reloadAfterRestore() async throws -> [String] {
        guard let store = slot.withLock({ $0.store }) else { return [] }
        var wanted: [String: FunctionStore.Record?] = [:]
        var order: [String] = templateFunctions.map(\.name)
        for function in templateFunctions { wanted[function.name] = .some(templateRecords[function.name] ?? Self.record(of: function)) }
        for (name, record) in try store.load() {
            if wanted[name] == nil { order.append(name) }
            wanted[name] = .some(record)
        }
        var stopped: [FunctionRuntime] = []
        var changed: [String] = []
        for function in catalog.functions where (wanted[function.name] ?? nil) == nil {
            stopped += catalog.remove(function.name)
            changed.append(function.name)
        }
        for name in order {
            guard let record = wanted[name] ?? nil else { continue }
            if let current = catalog.function(named: name), Self.comparable(fullRecord(of: current)) == Self.comparable(record) { continue }
            stopped += catalog.remove(name)
            serve(record)
            changed.append(name)
        }
        for runtime in stopped { await runtime.reclaim(idleSince: .distantFuture) }
        return changed
    }

    /// A record with no versions and no aliases written as empty lists (a template function's record has neither).
    private static func comparable(_ record: FunctionStore.Record) -> FunctionStore.Record {
        var record = record
        record.versions = record.versions ?? []
        record.aliases = record.aliases ?? []
        return record
    }

    /// The folder of uploaded packages (deployment packages and layer archives), once opened.
    var openedPackageFolder: URL? { slot.withLock { $0.packageFolder } }

    /// The functions' database, once opened.
    var database: (any DatabaseWriter)? { slot.withLock { $0.store?.writer } }

    /// A function from its stored record.
    /// - Parameter record: The record.
    /// - Returns: The function, its layers resolved against the template's.
    func makeFunction(_ record: FunctionStore.Record) -> LambdaFunction {
        let current = host.environment.current
        var function = LambdaFunction(
            spec: record.spec,
            accountId: current.accountId,
            region: current.region,
            lastModified: Date(timeIntervalSince1970: record.lastModified)
        )
        function.layers = record.spec.layers.compactMap { layers.content($0) }
        function.unresolvedLayers = record.spec.layers.filter { layers.content($0) == nil }
        function.deploymentPackage = record.deploymentPackage
        function.revision = record.revisionId
        function.policyStatements = record.policyStatements
        if let version = record.version { function.version = version }
        return function
    }

    /// The record of a function version.
    /// - Parameter function: The function (`$LATEST` or a published version).
    /// - Returns: Its record (without versions and aliases).
    static func record(of function: LambdaFunction) -> FunctionStore.Record {
        FunctionStore.Record(
            spec: function.spec,
            lastModified: function.lastModified.timeIntervalSince1970,
            deploymentPackage: function.deploymentPackage,
            revisionId: function.revision,
            policyStatements: function.policyStatements,
            version: function.version == "$LATEST" ? nil : function.version
        )
    }

    /// The whole record of a function: `$LATEST` with its published versions and aliases.
    private func fullRecord(of function: LambdaFunction) -> FunctionStore.Record {
        var record = Self.record(of: function)
        record.versions = catalog.versions(of: function.name).map { Self.record(of: $0) }
        record.aliases = catalog.aliases(of: function.name)
        return record
    }

    /// Stores a function's current state (after a version or alias change). Call it inside ``serialized(_:)``.
    /// - Parameter name: The function name.
    /// - Throws: Storage errors.
    func persist(_ name: String) async throws {
        guard let store = slot.withLock({ $0.store }), let function = catalog.function(named: name) else { return }
        try await store.save(name, fullRecord(of: function), now: host.clock.now)
    }

    /// Keeps an uploaded deployment package in the data folder.
    /// - Parameters:
    ///   - data: The `.zip` bytes.
    ///   - name: The function name.
    /// - Returns: The code location (the kept `.zip`) and its hash and size.
    /// - Throws: File-system errors.
    func keepPackage(_ data: Data, function name: String) throws -> (LambdaCode, DeploymentPackage) {
        let folder = try packageFolder()
        let digest = Data(SHA256.hash(data: data))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let file = folder.appendingPathComponent("\(name)-\(hex.prefix(32)).zip")
        if !FileManager.default.fileExists(atPath: file.path) {
            try data.write(to: file, options: .atomic)
        }
        return (.localPath(file.path), DeploymentPackage(sha256: digest.base64EncodedString(), size: data.count))
    }

    private func packageFolder() throws -> URL {
        if let folder = slot.withLock({ $0.packageFolder }) { return folder }
        // No data folder was opened (a unit test): a private temporary folder.
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("synapscribe-lambda-packages-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        slot.withLock { $0.packageFolder = folder }
        return folder
    }

    /// Runs a change after every earlier one has finished.
    /// - Parameter body: The change.
    /// - Returns: Its result.
    /// - Throws: What the change throws.
    func serialized<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await changes.run(body)
    }

    /// Deploys a function (new, or replacing the one of the same name): stores it, then serves it on a new runtime.
    /// Call it inside ``serialized(_:)``.
    /// - Parameter function: The function.
    /// - Throws: When it cannot be stored (nothing changed then).
    func deploy(_ function: LambdaFunction) async throws {
        if let store = slot.withLock({ $0.store }) {
            var record = fullRecord(of: function)
            record.spec = function.spec
            try await store.save(function.name, record, now: host.clock.now)
        }
        await supervisor.guardEgress(for: function.name)
        let replaced = catalog.put(function, runtime: FunctionRuntime(function: function, host: host))
        if let replaced {
            // In-flight invocations finish on their environments; idle ones stop now.
            await replaced.reclaim(idleSince: .distantFuture)
        }
    }

    /// Removes a function and its environments. Call it inside ``serialized(_:)``.
    /// - Parameters:
    ///   - name: The function name.
    ///   - remembered: Whether a template function stays removed after a restart (else the template's comes back).
    /// - Throws: When the removal cannot be stored (nothing changed then).
    func remove(_ name: String, remembered: Bool = true) async throws {
        if let store = slot.withLock({ $0.store }) {
            if templateNames.contains(name) && remembered {
                try await store.save(name, nil, now: host.clock.now)
            } else {
                try await store.forget(name)
            }
        }
        for runtime in catalog.remove(name) { await runtime.reclaim(idleSince: .distantFuture) }
        if let folder = slot.withLock({ $0.packageFolder }),
            let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for file in files where file.hasPrefix(name + "-") && file.hasSuffix(".zip") && file.count == name.count + 37 {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(file))
            }
        }
    }
}

/// Runs async jobs one after another (FIFO), so check-then-write changes never interleave.
actor AsyncSerializer {
    private var tail: Task<Void, Never>?

    /// Runs a job after every earlier one.
    /// - Parameter body: The job.
    /// - Returns: Its result.
    /// - Throws: What the job throws.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        // Bridges the wait for this job's end into the next job's start (no structured parent spans both).
        tail = Task {
            await previous?.value
            for await _ in stream {}
        }
        await previous?.value
        defer { continuation.finish() }
        return try await body()
    }
}
