import EmulatorCore
import Foundation
import GRDB
import Synchronization

/// One layer version: the template's (`AWS::Lambda::LayerVersion`) or one PublishLayerVersion added.
struct LayerVersionRecord: Codable, Equatable, Sendable {
    /// The layer name.
    var name: String
    /// The version number (1, 2, ...; never reused, even after a delete).
    var version: Int
    /// `Description`.
    var description: String
    /// `CompatibleRuntimes`.
    var compatibleRuntimes: [String]
    /// `CompatibleArchitectures`.
    var compatibleArchitectures: [String]
    /// `LicenseInfo`.
    var licenseInfo: String?
    /// `CreatedDate`, seconds since 1970.
    var created: Double
    /// Where the content lives (an uploaded `.zip` kept in the data folder, or the template's folder or file).
    var code: LambdaCode
    /// The uploaded archive's hash and size (nil for a template folder).
    var package: DeploymentPackage?
    /// DeleteLayerVersion removed it from listings; functions that use it keep a copy, as on AWS.
    var deleted = false
    /// The statements AddLayerVersionPermission added to the version's resource-based policy (JSON texts); nil or
    /// empty when it has none (records stored before layer permissions existed have no key).
    var policyStatements: [String]?
    /// The policy's `RevisionId`, new with every change (nil until the first).
    var policyRevision: String?
}

/// The layer versions functions' `Layers` may name: the template's and PublishLayerVersion's, kept in `lambda.sqlite`
/// (table `lambda_layer_version`) so they survive a restart. Deleted versions stay resolvable for the functions that
/// already use them and keep their number from being reused.
final class LayerVersions: Sendable {
    private struct State {
        var records: [String: LayerVersionRecord] = [:]
        var writer: (any DatabaseWriter)?
    }

    private let state = Mutex(State())
    private let region: String
    private let accountId: String
    /// The template's layer versions, as at start.
    private let template: [String: LayerVersionRecord]

    /// Creates the registry with the template's layer versions.
    /// - Parameters:
    ///   - template: The template's layer versions.
    ///   - region: The region of ARNs.
    ///   - accountId: The account of ARNs.
    ///   - created: When the template's versions were created.
    ///   - policies: The template's `AWS::Lambda::LayerVersionPermission` statements, by layer version ARN.
    init(template: [LambdaLayerSpec], region: String, accountId: String, created: Date, policies: [String: [String]] = [:]) {
        self.region = region
        self.accountId = accountId
        var records: [String: LayerVersionRecord] = [:]
        for layer in template where records[layer.arn] == nil {
            guard let version = layer.version else { continue }
            records[layer.arn] = LayerVersionRecord(
                name: layer.layerName,
                version: version,
                description: layer.description,
                compatibleRuntimes: layer.compatibleRuntimes,
                compatibleArchitectures: layer.compatibleArchitectures,
                licenseInfo: layer.licenseInfo,
                created: created.timeIntervalSince1970,
                code: layer.content
            )
        }
        for (arn, statements) in policies where records[arn] != nil {
            records[arn]?.policyStatements = statements
            records[arn]?.policyRevision = RequestID.uuid()
        }
        self.template = records
        state.withLock { $0.records = records }
    }

    /// Back to the template's layer versions (`POST /_local/reset`): published versions and deletions are forgotten.
    /// - Throws: GRDB errors.
    func resetToTemplate() async throws {
        let writer = state.withLock { state -> (any DatabaseWriter)? in
            state.records = template
            return state.writer
        }
        try await writer?.write { db in try db.execute(sql: "DELETE FROM lambda_layer_version") }
    }

    /// The unversioned layer ARN.
    /// - Parameter name: The layer name.
    /// - Returns: `arn:aws:lambda:REGION:ACCOUNT:layer:NAME`.
    func layerArn(_ name: String) -> String { "arn:aws:lambda:\(region):\(accountId):layer:\(name)" }

    /// The layer version ARN.
    /// - Parameters:
    ///   - name: The layer name.
    ///   - version: The version number.
    /// - Returns: `...:layer:NAME:VERSION`.
    func versionArn(_ name: String, _ version: Int) -> String { "\(layerArn(name)):\(version)" }

    /// Loads the versions the API published (and deletions) from `lambda.sqlite`.
    /// - Parameter writer: The database.
    /// - Throws: GRDB errors.
    func open(writer: any DatabaseWriter) throws {
        state.withLock { $0.writer = writer }
        try reload()
    }

    /// Reads the layer versions again: the template's, then those `lambda.sqlite` holds (after a snapshot restore
    /// replaced it).
    /// - Throws: GRDB errors.
    func reload() throws {
        guard let writer = state.withLock({ $0.writer }) else { return }
        let rows = try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT arn, record FROM lambda_layer_version ORDER BY rowid").map { row -> (String, String) in
                (row["arn"], row["record"])
            }
        }
        state.withLock { state in
            state.records = template
            for (arn, text) in rows {
                if let record = try? JSONDecoder().decode(LayerVersionRecord.self, from: Data(text.utf8)) { state.records[arn] = record }
            }
        }
    }

    /// The content a function's `Layers` entry names (deleted versions included: functions keep their copy).
    /// - Parameter arn: A layer version ARN.
    /// - Returns: The content, or nil when no such version was ever published.
    func content(_ arn: String) -> LambdaCode? { state.withLock { $0.records[arn]?.code } }

    /// Whether a layer version ARN names a version that exists now (what new `Layers` settings may name).
    /// - Parameter arn: A layer version ARN.
    /// - Returns: True when published (or the template's) and not deleted.
    func exists(_ arn: String) -> Bool { state.withLock { $0.records[arn].map { !$0.deleted } ?? false } }

    /// A version that exists (not deleted).
    /// - Parameters:
    ///   - name: The layer name.
    ///   - version: The version number.
    /// - Returns: The record.
    func record(name: String, version: Int) -> LayerVersionRecord? {
        state.withLock { $0.records[versionArn(name, version)] }.flatMap { $0.deleted ? nil : $0 }
    }

    /// A layer's versions that exist, newest first.
    /// - Parameter name: The layer name.
    /// - Returns: The records.
    func versions(of name: String) -> [LayerVersionRecord] {
        state.withLock { $0.records.values.filter { $0.name == name && !$0.deleted } }.sorted { $0.version > $1.version }
    }

    /// Every version that exists, by layer name, newest first.
    var all: [String: [LayerVersionRecord]] {
        let records = state.withLock { $0.records.values.filter { !$0.deleted } }
        return Dictionary(grouping: records, by: \.name).mapValues { $0.sorted { $0.version > $1.version } }
    }

    /// The number ``publish(_:)`` gives a layer's next version: one more than any version it ever had.
    /// - Parameter name: The layer name.
    /// - Returns: The number.
    func nextVersion(of name: String) -> Int {
        state.withLock { state in (state.records.values.filter { $0.name == name }.map(\.version).max() ?? 0) + 1 }
    }

    /// Adds the next version of a layer (one more than any version it ever had) and stores it.
    /// - Parameter draft: The version's fields; its `version` is replaced.
    /// - Returns: The stored record.
    /// - Throws: GRDB errors (nothing changes then).
    func publish(_ draft: LayerVersionRecord) async throws -> LayerVersionRecord {
        let (record, writer) = state.withLock { state -> (LayerVersionRecord, (any DatabaseWriter)?) in
            var record = draft
            record.version = (state.records.values.filter { $0.name == draft.name }.map(\.version).max() ?? 0) + 1
            state.records[versionArn(record.name, record.version)] = record
            return (record, state.writer)
        }
        do {
            try await save(record, writer: writer)
        } catch {
            state.withLock { _ = $0.records.removeValue(forKey: versionArn(record.name, record.version)) }
            throw error
        }
        return record
    }

    /// Deletes a version (no error when it does not exist, as AWS answers).
    /// - Parameters:
    ///   - name: The layer name.
    ///   - version: The version number.
    /// - Throws: GRDB errors.
    func delete(name: String, version: Int) async throws {
        let arn = versionArn(name, version)
        let (deleted, writer) = state.withLock { state -> (LayerVersionRecord?, (any DatabaseWriter)?) in
            guard var record = state.records[arn], !record.deleted else { return (nil, state.writer) }
            record.deleted = true
            state.records[arn] = record
            return (record, state.writer)
        }
        if let deleted { try await save(deleted, writer: writer) }
    }

    /// Changes a version's resource-based policy (AddLayerVersionPermission, RemoveLayerVersionPermission and the
    /// CloudFormation `AWS::Lambda::LayerVersionPermission`) and gives it a new revision id.
    /// - Parameters:
    ///   - name: The layer name.
    ///   - version: The version number.
    ///   - expectedRevision: `RevisionId`: the change is refused unless it is the policy's current one.
    ///   - body: Changes the statements; what it throws leaves the policy as it was.
    /// - Returns: The policy's new revision id.
    /// - Throws: ``LambdaError/resourceMissing(_:)`` for a version that does not exist,
    ///   ``LambdaError/preconditionFailed(_:)`` for a stale `RevisionId`, what `body` throws, or GRDB errors (nothing
    ///   changes then).
    func changePolicy(
        name: String,
        version: Int,
        expectedRevision: String?,
        _ body: (inout [String]) throws(LambdaError) -> Void
    ) async throws -> String {
        let arn = versionArn(name, version)
        let (previous, updated, writer) = try state.withLock {
            state throws(LambdaError) -> (LayerVersionRecord, LayerVersionRecord, (any DatabaseWriter)?) in
            guard let previous = state.records[arn], !previous.deleted else {
                throw .resourceMissing(LambdaMessages.layerVersionNotFound(arn))
            }
            if let expectedRevision, expectedRevision != previous.policyRevision {
                throw .preconditionFailed(LambdaMessages.layerRevisionMismatch)
            }
            var statements = previous.policyStatements ?? []
            try body(&statements)
            var updated = previous
            updated.policyStatements = statements
            updated.policyRevision = RequestID.uuid()
            state.records[arn] = updated
            return (previous, updated, state.writer)
        }
        do {
            try await save(updated, writer: writer)
        } catch {
            state.withLock { $0.records[arn] = previous }
            throw error
        }
        return updated.policyRevision ?? ""
    }

    private func save(_ record: LayerVersionRecord, writer: (any DatabaseWriter)?) async throws {
        guard let writer else { return }
        let arn = versionArn(record.name, record.version)
        let text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        try await writer.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO lambda_layer_version (arn, record) VALUES (?, ?)", arguments: [arn, text])
        }
    }
}

extension LambdaDatabase {
    /// `lambda_layer_version`: the layer versions PublishLayerVersion added and the deletions, one JSON record per ARN.
    static func registerLayerMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("lambda-layers-v1") { db in
            try db.execute(sql: "CREATE TABLE lambda_layer_version (arn TEXT PRIMARY KEY NOT NULL, record TEXT NOT NULL);")
        }
    }
}
