import Foundation
import GRDB
import IAM
import Storage

/// The IAM state in `iam.sqlite` (or memory with `--ephemeral`): one JSON document, written whole after each change.
package struct IAMStateDatabase: IAMStatePersistence {
    private let db: any DatabaseWriter

    /// The migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-iam-state") { db in
            try db.execute(sql: "CREATE TABLE iamState (id INTEGER PRIMARY KEY NOT NULL, document TEXT NOT NULL)")
        }
        return migrator
    }

    /// Opens the database.
    /// - Parameter location: Where data lives.
    /// - Throws: GRDB errors.
    package init(location: DataLocation) throws {
        db = try location.openDatabase(named: "iam", migrator: Self.migrator)
    }

    /// The state saved by an earlier run, if any.
    /// - Returns: The state, or nil in a new data folder.
    /// - Throws: GRDB or decoding errors.
    package func load() throws -> IAMState? {
        let text = try db.read { db in try String.fetchOne(db, sql: "SELECT document FROM iamState WHERE id = 1") }
        guard let text else { return nil }
        return try JSONDecoder().decode(IAMState.self, from: Data(text.utf8))
    }

    /// Writes the whole state in one transaction.
    /// - Parameter state: The state.
    /// - Throws: GRDB or encoding errors.
    package func save(_ state: IAMState) throws {
        let text = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try db.write { db in
            try db.execute(
                sql: "INSERT INTO iamState (id, document) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET document = excluded.document",
                arguments: [text]
            )
        }
    }
}
