import EmulatorCore
import Foundation
import GRDB
import Storage

/// Snapshots of DynamoDB: `dynamodb.sqlite`, every table's definition, items, stream records and idempotency tokens,
/// copied with SQLite's backup API; a restore reloads the table cache from the restored definitions.
package struct DynamoDBSnapshot: SnapshottableService {
    /// The service.
    package let service: DynamoDBService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: DynamoDBService) {
        self.service = service
    }

    /// `dynamodb`.
    package var snapshotName: String { "dynamodb" }

    /// Copies the database.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database errors.
    package func saveSnapshot(into folder: URL) async throws {
        try DatabaseSnapshot.save(service.database, to: folder.appendingPathComponent("dynamodb.sqlite"))
    }

    /// Replaces the database and the table cache.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or database errors.
    package func restoreSnapshot(from folder: URL) async throws {
        try DatabaseSnapshot.restore(service.database, from: folder.appendingPathComponent("dynamodb.sqlite"))
        let tables = try await service.database.read { db in try ItemStore.loadTables(db) }
        let restored = Set(tables.map(\.name))
        for view in service.allTables() where !restored.contains(view.meta.name) { service.setCached(view.meta.name, nil) }
        for meta in tables { service.setCached(meta.name, TableView(meta)) }
    }
}
