import Foundation
import GRDB
import Storage

/// `lambda.sqlite`'s migrations: the event source mappings' and the functions'. Never edit one after merge; add new ones.
enum LambdaDatabase {
    /// Every migration of `lambda.sqlite`, in order.
    static var migrator: DatabaseMigrator {
        var migrator = EventSourceMappingStore.migrator
        migrator.registerMigration("lambda-functions-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE lambda_function (
                        name TEXT PRIMARY KEY NOT NULL,
                        record TEXT,
                        changedAt REAL NOT NULL
                    );
                    """
            )
        }
        registerLayerMigration(&migrator)
        return migrator
    }
}

/// What the API changed about functions, in `lambda.sqlite` (memory with `--ephemeral`): one row per function the API
/// created or changed, holding its whole configuration (a row without a record is a template function the API
/// deleted). At start the rows are laid over the template's functions. Deployment packages are files beside it
/// (``FunctionStore/packageFolder``).
struct FunctionStore: Sendable {
    /// A function as stored.
    struct Record: Codable, Equatable, Sendable {
        /// The configuration.
        var spec: LambdaFunctionSpec
        /// `LastModified`, seconds since 1970.
        var lastModified: Double
        /// The uploaded package, when the API uploaded one.
        var deploymentPackage: DeploymentPackage?
        /// The revision id.
        var revisionId: String?
        /// The resource-based policy statements (JSON objects), in order.
        var policyStatements: [String]
        /// The version number of a published version's record (`nil` for `$LATEST`).
        var version: String? = nil
        /// The published versions, oldest first (`$LATEST`'s record only).
        var versions: [Record]? = nil
        /// The aliases (`$LATEST`'s record only).
        var aliases: [FunctionAlias]? = nil
    }

    /// The database writer.
    let writer: any DatabaseWriter
    /// Where deployment packages (`.zip`) are kept.
    let packageFolder: URL

    /// Uses the Lambda service's database and package folder.
    /// - Parameters:
    ///   - writer: `lambda.sqlite`, migrated with ``LambdaDatabase/migrator``.
    ///   - packageFolder: The folder of uploaded packages.
    init(writer: any DatabaseWriter, packageFolder: URL) {
        self.writer = writer
        self.packageFolder = packageFolder
    }

    /// Every stored row: the function's record, or `nil` for a deleted template function.
    /// - Returns: The rows by function name, in the order they were last changed.
    /// - Throws: GRDB errors.
    func load() throws -> [(name: String, record: Record?)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT name, record FROM lambda_function ORDER BY changedAt, rowid").map { row in
                let name: String = row["name"]
                let text: String? = row["record"]
                let record = text.flatMap { try? JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
                return (name: name, record: record)
            }
        }
    }

    /// Stores a function's record (`nil`: the function was deleted).
    /// - Parameters:
    ///   - name: The function name.
    ///   - record: The record, or `nil`.
    ///   - now: The change's time.
    /// - Throws: GRDB or encoding errors.
    func save(_ name: String, _ record: Record?, now: Date) async throws {
        let text = try record.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO lambda_function (name, record, changedAt) VALUES (?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET record = excluded.record, changedAt = excluded.changedAt
                    """,
                arguments: [name, text, now.timeIntervalSince1970]
            )
        }
    }

    /// Forgets a function the API created and then deleted (no template function of that name).
    /// - Parameter name: The function name.
    /// - Throws: GRDB errors.
    func forget(_ name: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM lambda_function WHERE name = ?", arguments: [name]) }
    }
}
