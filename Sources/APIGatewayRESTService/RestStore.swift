import APIGatewayV2Service
import Foundation
import GRDB
import Storage
import Synchronization

/// One stored `apigateway` item: a REST API, resource (with its methods inside), deployment, stage, authorizer,
/// API key, usage plan or usage plan key, as the wire document AWS answers.
package struct RestItem: Sendable, Equatable {
    /// The kind (never a method part: those live in their resource's document).
    package var kind: RestKind
    /// The REST API id, the usage plan id of a usage plan key, "" for account-level items.
    package var scope: String
    /// The id (the stage name for stages).
    package var id: String
    /// The wire document.
    package var document: [String: V2JSON]

    /// Creates an item.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - scope: The REST API or usage plan it belongs to.
    ///   - id: The id.
    ///   - document: The document.
    package init(kind: RestKind, scope: String, id: String, document: [String: V2JSON]) {
        self.kind = kind
        self.scope = scope
        self.id = id
        self.document = document
    }
}

/// The `apigateway` items: in memory in creation order, written through to `apigateway-rest.sqlite` in the data
/// folder (memory with `--ephemeral`), so API-created REST APIs survive a restart. Every change runs under one lock,
/// the database write included.
package final class RestStore: Sendable {
    private let writer: any DatabaseWriter
    private let items: Mutex<[RestItem]>
    /// The start-up template's items as deployed at start (`POST /_local/reset` brings them back).
    private let baseline = Mutex<[RestItem]>([])

    /// The migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("apigateway-rest-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE apigw_rest_item (
                        kind TEXT NOT NULL, scope TEXT NOT NULL, id TEXT NOT NULL, document TEXT NOT NULL,
                        PRIMARY KEY (kind, scope, id)
                    );
                    """
            )
        }
        return migrator
    }

    /// Opens the store and loads what it holds.
    /// - Parameter location: Where data lives.
    /// - Throws: GRDB errors.
    package init(location: DataLocation) throws {
        writer = try location.openDatabase(named: "apigateway-rest", migrator: Self.migrator)
        items = Mutex(try Self.load(writer))
    }

    /// Every stored item, in creation order.
    private static func load(_ writer: any DatabaseWriter) throws -> [RestItem] {
        let rows = try writer.read { db in try Row.fetchAll(db, sql: "SELECT kind, scope, id, document FROM apigw_rest_item ORDER BY rowid") }
        var loaded: [RestItem] = []
        for row in rows {
            let kindName: String = row["kind"]
            let text: String = row["document"]
            guard let kind = RestKind(rawValue: kindName), let document = V2JSON.parse(Data(text.utf8))?.objectValue else { continue }
            loaded.append(RestItem(kind: kind, scope: row["scope"], id: row["id"], document: document))
        }
        return loaded
    }

    // MARK: Snapshots and reset

    /// Copies `apigateway-rest.sqlite` into a snapshot folder (SQLite's backup API).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database errors.
    package func save(into folder: URL) throws {
        try items.withLock { _ in try DatabaseSnapshot.save(writer, to: folder.appendingPathComponent("apigateway-rest.sqlite")) }
    }

    /// Replaces every item with a snapshot's.
    /// - Parameter folder: The snapshot's folder.
    /// - Returns: The ids of the REST APIs before and after (the data plane serves each again, or no longer).
    /// - Throws: ``SnapshotFailure`` when the file is missing; database errors.
    package func restore(from folder: URL) throws -> Set<String> {
        try items.withLock { all in
            let before = all.filter { $0.kind == .restApi }.map(\.id)
            try DatabaseSnapshot.restore(writer, from: folder.appendingPathComponent("apigateway-rest.sqlite"))
            all = try Self.load(writer)
            return Set(before).union(all.filter { $0.kind == .restApi }.map(\.id))
        }
    }

    /// Records the items `matching` picks as the start-up template's, as deployed now.
    /// - Parameter matching: Which items the template deployed.
    package func markBaseline(where matching: (RestItem) -> Bool) {
        let current = items.withLock { all in all.filter(matching) }
        baseline.withLock { $0 = current }
    }

    /// Back to the start-up template's items as deployed at start (`POST /_local/reset`): API-created and
    /// stack-deployed items are deleted, the template's changed or deleted ones restored.
    /// - Returns: The ids of the REST APIs before and after (the data plane serves each again, or no longer).
    /// - Throws: Database errors (then nothing changed).
    package func resetToBaseline() throws -> Set<String> {
        let template = baseline.withLock { $0 }
        return try items.withLock { all in
            let before = Set(all.filter { $0.kind == .restApi }.map(\.id))
            try writer.write { db in
                try db.execute(sql: "DELETE FROM apigw_rest_item")
                for item in template {
                    try db.execute(
                        sql: "INSERT INTO apigw_rest_item (kind, scope, id, document) VALUES (?, ?, ?, ?)",
                        arguments: [item.kind.rawValue, item.scope, item.id, String(decoding: V2JSON.object(item.document).data, as: UTF8.self)]
                    )
                }
            }
            all = template
            return before.union(template.filter { $0.kind == .restApi }.map(\.id))
        }
    }

    /// The items of a kind in a scope, in creation order.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - scope: The REST API or usage plan id ("" for account-level kinds).
    /// - Returns: The items.
    package func list(_ kind: RestKind, scope: String = "") -> [RestItem] {
        items.withLock { all in all.filter { $0.kind == kind && $0.scope == scope } }
    }

    /// Every item of a kind, whatever its scope.
    /// - Parameter kind: The kind.
    /// - Returns: The items.
    package func all(_ kind: RestKind) -> [RestItem] {
        items.withLock { all in all.filter { $0.kind == kind } }
    }

    /// One item.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - scope: The scope.
    ///   - id: The id.
    /// - Returns: The item, if it exists.
    package func get(_ kind: RestKind, scope: String = "", id: String) -> RestItem? {
        items.withLock { all in all.first { $0.kind == kind && $0.scope == scope && $0.id == id } }
    }

    /// Adds or replaces items (by kind, scope and id) after `check` passes on the current items.
    /// - Parameters:
    ///   - changed: The items.
    ///   - check: Runs under the lock with every item, before the write (uniqueness and reference rules).
    /// - Throws: What `check` throws, or GRDB errors (then nothing changed).
    package func put(_ changed: [RestItem], check: ([RestItem]) throws -> Void = { _ in }) throws {
        try items.withLock { all in
            try check(all)
            try writer.write { db in
                for item in changed {
                    try db.execute(
                        sql: """
                            INSERT INTO apigw_rest_item (kind, scope, id, document) VALUES (?, ?, ?, ?)
                            ON CONFLICT(kind, scope, id) DO UPDATE SET document = excluded.document
                            """,
                        arguments: [item.kind.rawValue, item.scope, item.id, String(decoding: V2JSON.object(item.document).data, as: UTF8.self)]
                    )
                }
            }
            for item in changed {
                if let index = all.firstIndex(where: { $0.kind == item.kind && $0.scope == item.scope && $0.id == item.id }) {
                    all[index] = item
                } else {
                    all.append(item)
                }
            }
        }
    }

    /// Removes items.
    /// - Parameters:
    ///   - check: Runs under the lock with every item first.
    ///   - matching: Which items go.
    /// - Throws: What `check` throws, or GRDB errors (then nothing changed).
    package func remove(check: ([RestItem]) throws -> Void = { _ in }, where matching: (RestItem) -> Bool) throws {
        try items.withLock { all in
            try check(all)
            let gone = all.filter(matching)
            try writer.write { db in
                for item in gone {
                    try db.execute(
                        sql: "DELETE FROM apigw_rest_item WHERE kind = ? AND scope = ? AND id = ?",
                        arguments: [item.kind.rawValue, item.scope, item.id]
                    )
                }
            }
            all.removeAll(where: matching)
        }
    }

    /// How many REST APIs there are.
    package var apiCount: Int { items.withLock { all in all.count { $0.kind == .restApi } } }
}
