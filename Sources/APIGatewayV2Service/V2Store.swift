import EmulatorCore
import Foundation
import GRDB
import Storage
import Synchronization

/// One API Gateway v2 resource as the control plane answers it: the wire document (camel-case members, AWS's
/// defaults filled in) with where it lives.
package struct V2Resource: Sendable, Equatable {
    /// The kind.
    package var kind: V2ResourceKind
    /// The API it belongs to (its own id for an API).
    package var apiId: String
    /// The route or integration a response belongs to ("" for the rest).
    package var parentId: String
    /// The resource's id (the stage name for stages).
    package var id: String
    /// The document returned by Get*.
    package var document: [String: V2JSON]
    /// Whether the start-up template declares it (served from the template at every start, never written to disk).
    package var fromTemplate: Bool

    /// Creates a resource.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - apiId: The API id.
    ///   - parentId: The route or integration id of a response.
    ///   - id: The id.
    ///   - document: The wire document.
    ///   - fromTemplate: Whether the template declares it.
    package init(kind: V2ResourceKind, apiId: String, parentId: String = "", id: String, document: [String: V2JSON], fromTemplate: Bool = false) {
        self.kind = kind
        self.apiId = apiId
        self.parentId = parentId
        self.id = id
        self.document = document
        self.fromTemplate = fromTemplate
    }

    /// A string member of the document.
    /// - Parameter name: The member name.
    /// - Returns: The string.
    package func string(_ name: String) -> String? { document[name]?.stringValue }
}

/// The API Gateway v2 resources: kept in memory in creation order and written through to `apigateway.sqlite` in
/// the data folder (memory with `--ephemeral`), so API-created APIs survive a restart. Template resources are held
/// in memory only: the template declares them again at every start.
///
/// Each change runs under one lock, database write included, so the disk and memory change in the same order.
package final class V2Store: Sendable {
    private let writer: any DatabaseWriter
    private let resources: Mutex<[V2Resource]>
    /// The template's resources as at start.
    private let template: [V2Resource]

    /// The migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("apigatewayv2-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE apigwv2_resource (
                        kind TEXT NOT NULL,
                        apiId TEXT NOT NULL,
                        parentId TEXT NOT NULL,
                        id TEXT NOT NULL,
                        document TEXT NOT NULL,
                        PRIMARY KEY (kind, apiId, id)
                    );
                    """
            )
        }
        return migrator
    }

    /// Opens the store and loads the stored resources after the template's.
    /// - Parameters:
    ///   - location: Where data lives.
    ///   - template: The template's resources (their ids win over stored ones).
    /// - Throws: GRDB errors.
    package init(location: DataLocation, template: [V2Resource]) throws {
        writer = try location.openDatabase(named: "apigateway", migrator: Self.migrator)
        self.template = template
        resources = Mutex(try Self.load(writer, over: template))
    }

    /// The template's resources followed by the stored ones (those of a template API's id are skipped).
    private static func load(_ writer: any DatabaseWriter, over template: [V2Resource]) throws -> [V2Resource] {
        let templateApis = Set(template.filter { $0.kind == .api }.map(\.apiId))
        let stored = try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, apiId, parentId, id, document FROM apigwv2_resource ORDER BY rowid")
        }
        var all = template
        for row in stored {
            let kindName: String = row["kind"]
            let text: String = row["document"]
            guard let kind = V2ResourceKind(rawValue: kindName), let document = V2JSON.parse(Data(text.utf8))?.objectValue else { continue }
            let apiId: String = row["apiId"]
            guard !templateApis.contains(apiId) else { continue }
            all.append(V2Resource(kind: kind, apiId: apiId, parentId: row["parentId"], id: row["id"], document: document))
        }
        return all
    }

    // MARK: Snapshots and reset

    /// Writes the store into a snapshot folder: `apigateway.sqlite` (the API-created resources, SQLite's backup API)
    /// and `apigateway-template.json` (the template's resources as changed through the API, which live in memory).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database, encoding or file-system errors.
    package func save(into folder: URL) throws {
        try resources.withLock { all in
            try DatabaseSnapshot.save(writer, to: folder.appendingPathComponent("apigateway.sqlite"))
            let templateItems: [V2JSON] = all.filter(\.fromTemplate).map { resource in
                .object([
                    "kind": .string(resource.kind.rawValue), "apiId": .string(resource.apiId), "parentId": .string(resource.parentId),
                    "id": .string(resource.id), "document": .object(resource.document),
                ])
            }
            let file = folder.appendingPathComponent("apigateway-template.json")
            try DataLocation.makePrivateFile(file.path)
            try V2JSON.array(templateItems).data.write(to: file)
        }
    }

    /// Replaces every resource with a snapshot's (see ``save(into:)``).
    /// - Parameter folder: The snapshot's folder.
    /// - Returns: The ids of the APIs whose resources changed (the data plane serves them again).
    /// - Throws: ``SnapshotFailure`` when a file is missing; database errors.
    package func restore(from folder: URL) throws -> Set<String> {
        let file = folder.appendingPathComponent("apigateway-template.json")
        guard let data = FileManager.default.contents(atPath: file.path), case .array(let items)? = V2JSON.parse(data) else {
            throw SnapshotFailure("the snapshot has no readable apigateway-template.json; save it again")
        }
        let savedTemplate: [V2Resource] = items.compactMap { item -> V2Resource? in
            guard case .object(let members) = item, let kind = members["kind"]?.stringValue.flatMap(V2ResourceKind.init(rawValue:)),
                let apiId = members["apiId"]?.stringValue, let id = members["id"]?.stringValue, let document = members["document"]?.objectValue
            else { return nil }
            return V2Resource(
                kind: kind,
                apiId: apiId,
                parentId: members["parentId"]?.stringValue ?? "",
                id: id,
                document: document,
                fromTemplate: true
            )
        }
        return try resources.withLock { all in
            try DatabaseSnapshot.restore(writer, from: folder.appendingPathComponent("apigateway.sqlite"))
            let restored = try Self.load(writer, over: savedTemplate)
            let changed = Self.changedApis(all, restored)
            all = restored
            return changed
        }
    }

    /// Back to the template's resources (`POST /_local/reset`): API-created APIs are deleted with everything in
    /// them, and changes made through the API to the template's APIs are undone.
    /// - Returns: The ids of the APIs whose resources changed.
    /// - Throws: Database errors (then nothing changed).
    package func resetToTemplate() throws -> Set<String> {
        try resources.withLock { all in
            let changed = Self.changedApis(all, template)
            guard !changed.isEmpty else { return [] }
            if all.contains(where: { !$0.fromTemplate }) {
                try writer.write { db in try db.execute(sql: "DELETE FROM apigwv2_resource") }
            }
            all = template
            return changed
        }
    }

    /// The ids of the APIs whose resources differ between two lists.
    private static func changedApis(_ old: [V2Resource], _ new: [V2Resource]) -> Set<String> {
        let before = Dictionary(grouping: old, by: \.apiId)
        let after = Dictionary(grouping: new, by: \.apiId)
        return Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
    }

    /// Every resource of a kind in an API (every API for `.api`), in creation order.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - apiId: The API id (ignored for `.api`).
    ///   - parentId: The route or integration id, for responses.
    /// - Returns: The resources.
    package func list(_ kind: V2ResourceKind, apiId: String = "", parentId: String = "") -> [V2Resource] {
        resources.withLock { all in
            all.filter { $0.kind == kind && (kind == .api || ($0.apiId == apiId && $0.parentId == parentId)) }
        }
    }

    /// Every resource of one API, the API included.
    /// - Parameter apiId: The API id.
    /// - Returns: The resources.
    package func all(apiId: String) -> [V2Resource] {
        resources.withLock { all in all.filter { $0.apiId == apiId } }
    }

    /// One resource.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - apiId: The API id.
    ///   - id: The id.
    /// - Returns: The resource, if it exists.
    package func get(_ kind: V2ResourceKind, apiId: String, id: String) -> V2Resource? {
        resources.withLock { all in all.first { $0.kind == kind && $0.apiId == apiId && $0.id == id } }
    }

    /// Adds or replaces a resource (by kind, API and id) after `check` passes on the current resources.
    /// - Parameters:
    ///   - resource: The resource.
    ///   - check: Runs under the lock with every resource of the API, before the write (uniqueness rules).
    /// - Throws: What `check` throws, or GRDB errors (then nothing changed).
    package func put(_ resource: V2Resource, check: ([V2Resource]) throws -> Void = { _ in }) throws {
        try resources.withLock { all in
            try check(all.filter { $0.apiId == resource.apiId })
            if !resource.fromTemplate {
                let text = String(decoding: V2JSON.object(resource.document).data, as: UTF8.self)
                try writer.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO apigwv2_resource (kind, apiId, parentId, id, document) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT(kind, apiId, id) DO UPDATE SET document = excluded.document, parentId = excluded.parentId
                            """,
                        arguments: [resource.kind.rawValue, resource.apiId, resource.parentId, resource.id, text]
                    )
                }
            }
            if let index = all.firstIndex(where: { $0.kind == resource.kind && $0.apiId == resource.apiId && $0.id == resource.id }) {
                all[index] = resource
            } else {
                all.append(resource)
            }
        }
    }

    /// Removes resources.
    /// - Parameter matching: Which resources go.
    /// - Returns: How many went.
    /// - Throws: GRDB errors (then nothing changed).
    @discardableResult
    package func remove(where matching: (V2Resource) -> Bool) throws -> Int {
        try resources.withLock { all in
            let gone = all.filter(matching)
            try writer.write { db in
                for resource in gone where !resource.fromTemplate {
                    try db.execute(
                        sql: "DELETE FROM apigwv2_resource WHERE kind = ? AND apiId = ? AND id = ?",
                        arguments: [resource.kind.rawValue, resource.apiId, resource.id]
                    )
                }
            }
            all.removeAll(where: matching)
            return gone.count
        }
    }

    /// How many APIs there are.
    package var apiCount: Int { resources.withLock { all in all.count { $0.kind == .api } } }
}
