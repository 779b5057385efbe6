import EmulatorCore
import Foundation
import GRDB

/// `POST /_local/reset` for DynamoDB: the template's tables as the template creates them, and nothing else.
package struct DynamoDBReset: ResettableService {
    /// The service.
    package let service: DynamoDBService
    /// The template's tables.
    package let tables: [DynamoDBTableSpec]

    /// Creates the hook.
    /// - Parameters:
    ///   - service: The service.
    ///   - tables: The template's tables.
    package init(service: DynamoDBService, tables: [DynamoDBTableSpec]) {
        self.service = service
        self.tables = tables
    }

    /// `dynamodb`.
    package var resetName: String { "dynamodb" }

    /// Empties every table in one transaction: items, stream records and idempotency tokens go; tables created
    /// through the API are dropped; template tables deleted through the API come back; template tables get the template's
    /// definition back (billing mode, indexes, stream and TTL settings changed through `UpdateTable` or
    /// `UpdateTimeToLive` are undone).
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        try await service.resetToTemplate(tables)
    }
}

extension DynamoDBService {
    /// See ``DynamoDBReset``.
    func resetToTemplate(_ tables: [DynamoDBTableSpec]) async throws {
        let now = clock.now.timeIntervalSince1970
        let environment = self.environment.current
        let (kept, dropped) = try await database.write { db -> ([TableMetadata], [String]) in
            try db.execute(sql: "DELETE FROM ddb_item")
            try db.execute(sql: "DELETE FROM ddb_stream_record")
            try db.execute(sql: "DELETE FROM ddb_client_token")
            var kept: [TableMetadata] = []
            var dropped: [String] = []
            for meta in try ItemStore.loadTables(db) {
                if let spec = tables.first(where: { $0.name == meta.name }) {
                    // The template's definition again (billing, indexes, stream, TTL, tags changed through the API are
                    // undone), under the same id, table id and creation time, so the stream keeps the ARN the
                    // template's mappings name.
                    var fresh = Self.metadata(from: spec, now: meta.creationTime, environment: environment)
                    fresh.id = meta.id
                    fresh.tableId = meta.tableId
                    fresh.creationTime = meta.creationTime
                    try db.execute(sql: "DELETE FROM ddb_stream WHERE tbl = ?", arguments: [meta.id])
                    try ItemStore.saveTable(db, fresh)
                    kept.append(fresh)
                } else {
                    try db.execute(sql: "DELETE FROM ddb_stream WHERE tbl = ?", arguments: [meta.id])
                    try ItemStore.deleteTable(db, id: meta.id)
                    dropped.append(meta.name)
                }
            }
            for spec in tables where !kept.contains(where: { $0.name == spec.name }) {
                kept.append(try ItemStore.insertTable(db, Self.metadata(from: spec, now: now, environment: environment)))
            }
            return (kept, dropped)
        }
        for name in dropped { setCached(name, nil) }
        for meta in kept { setCached(meta.name, TableView(meta)) }
    }
}
