import Foundation
import GRDB
import Storage

/// The event source mappings and their checkpoints in `lambda.sqlite` of the data folder (memory with
/// `--ephemeral`), so a mapping the API acknowledged and the records its function acknowledged survive a restart
/// and `kill -9`.
///
/// One row per mapping: its configuration (JSON), whether the template declares it, the poller's checkpoint (records
/// after `position` are delivered next) and `LastProcessingResult`. The functions here run inside the writer's
/// serialized access that ``EventSourceMappings`` holds, so the database and memory change in the same order.
struct EventSourceMappingStore: Sendable {
    /// The database writer.
    let writer: any DatabaseWriter

    /// The migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("lambda-esm-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE esm_mapping (
                        uuid TEXT PRIMARY KEY NOT NULL,
                        config TEXT NOT NULL,
                        fromTemplate INTEGER NOT NULL DEFAULT 0,
                        position INTEGER,
                        lastProcessingResult TEXT NOT NULL
                    );
                    """
            )
        }
        return migrator
    }

    /// Opens (creating) the store.
    /// - Parameter location: Where data lives.
    /// - Throws: GRDB errors.
    init(location: DataLocation) throws {
        writer = try location.openDatabase(named: "lambda", migrator: LambdaDatabase.migrator)
    }

    /// Uses `lambda.sqlite` opened (and migrated with ``LambdaDatabase/migrator``) by the Lambda service.
    /// - Parameter writer: The database writer.
    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// A mapping's configuration as stored (the members the API sets; the checkpoint has its own columns).
    private struct Configuration: Codable, Equatable {
        var functionArn: String
        var eventSourceArn: String
        var startingPosition: String
        var batchSize: Int
        var maximumBatchingWindowInSeconds: Int
        var filterPatterns: [String]
        var bisectBatchOnFunctionError: Bool
        var maximumRetryAttempts: Int
        var maximumRecordAgeInSeconds: Int
        var functionResponseTypes: [String]
        var enabled: Bool
        var lastModified: Double

        init(_ mapping: EventSourceMapping) {
            functionArn = mapping.functionArn
            eventSourceArn = mapping.eventSourceArn
            startingPosition = mapping.startingPosition
            batchSize = mapping.batchSize
            maximumBatchingWindowInSeconds = mapping.maximumBatchingWindowInSeconds
            filterPatterns = mapping.filterPatterns
            bisectBatchOnFunctionError = mapping.bisectBatchOnFunctionError
            maximumRetryAttempts = mapping.maximumRetryAttempts
            maximumRecordAgeInSeconds = mapping.maximumRecordAgeInSeconds
            functionResponseTypes = mapping.functionResponseTypes
            enabled = mapping.enabled
            lastModified = mapping.lastModified.timeIntervalSince1970
        }

        func mapping(uuid: String) -> EventSourceMapping {
            var mapping = EventSourceMapping(
                uuid: uuid,
                functionArn: functionArn,
                eventSourceArn: eventSourceArn,
                startingPosition: startingPosition,
                lastModified: Date(timeIntervalSince1970: lastModified)
            )
            mapping.batchSize = batchSize
            mapping.maximumBatchingWindowInSeconds = maximumBatchingWindowInSeconds
            mapping.filterPatterns = filterPatterns
            // Stored patterns were accepted when the mapping was created or updated.
            mapping.filters = filterPatterns.compactMap { try? EventFilterPattern($0) }
            mapping.bisectBatchOnFunctionError = bisectBatchOnFunctionError
            mapping.maximumRetryAttempts = maximumRetryAttempts
            mapping.maximumRecordAgeInSeconds = maximumRecordAgeInSeconds
            mapping.functionResponseTypes = functionResponseTypes
            mapping.enabled = enabled
            return mapping
        }
    }

    private static func encode(_ mapping: EventSourceMapping) throws -> String {
        String(decoding: try JSONEncoder().encode(Configuration(mapping)), as: UTF8.self)
    }

    /// Writes the template's mappings (the template is authoritative for their configuration at every start) and
    /// returns every mapping in creation order: the template's with the checkpoint stored for them (kept while the
    /// stream is the same), then the API's as stored. Template mappings no longer in the template are removed.
    /// - Parameter template: The template's mappings.
    /// - Returns: The mappings to serve.
    /// - Throws: GRDB errors.
    func open(template: [EventSourceMapping]) throws -> [EventSourceMapping] {
        try writer.write { db in
            var served: [EventSourceMapping] = []
            var kept: Set<String> = []
            for mapping in template where !kept.contains(mapping.uuid) {
                kept.insert(mapping.uuid)
                var restored = mapping
                if let row = try Row.fetchOne(
                    db,
                    sql: "SELECT config, position, lastProcessingResult FROM esm_mapping WHERE uuid = ?",
                    arguments: [mapping.uuid]
                ), let stored = Self.decode(row["config"]) {
                    if stored.eventSourceArn == mapping.eventSourceArn {
                        restored.position = row["position"]
                        restored.lastProcessingResult = row["lastProcessingResult"]
                    }
                    // An unchanged template mapping keeps its LastModified.
                    var unchanged = Configuration(mapping)
                    unchanged.lastModified = stored.lastModified
                    if unchanged == stored { restored.lastModified = Date(timeIntervalSince1970: stored.lastModified) }
                }
                let config = try Self.encode(restored)
                try db.execute(
                    sql: """
                        INSERT INTO esm_mapping (uuid, config, fromTemplate, position, lastProcessingResult) VALUES (?, ?, 1, ?, ?)
                        ON CONFLICT(uuid) DO UPDATE SET config = excluded.config, fromTemplate = 1,
                            position = excluded.position, lastProcessingResult = excluded.lastProcessingResult
                        """,
                    arguments: [mapping.uuid, config, restored.position, restored.lastProcessingResult]
                )
                served.append(restored)
            }
            for uuid in try String.fetchAll(db, sql: "SELECT uuid FROM esm_mapping WHERE fromTemplate = 1") where !kept.contains(uuid) {
                try db.execute(sql: "DELETE FROM esm_mapping WHERE uuid = ?", arguments: [uuid])
            }
            let created = try Row.fetchAll(
                db,
                sql: "SELECT uuid, config, position, lastProcessingResult FROM esm_mapping WHERE fromTemplate = 0 ORDER BY rowid"
            )
            for row in created {
                let uuid: String = row["uuid"]
                guard !kept.contains(uuid), let config = Self.decode(row["config"]) else { continue }
                var mapping = config.mapping(uuid: uuid)
                mapping.position = row["position"]
                mapping.lastProcessingResult = row["lastProcessingResult"]
                served.append(mapping)
            }
            return served
        }
    }

    /// Every stored mapping with its checkpoint: the template's first, then the API's, each in creation order.
    static func all(_ db: Database) throws -> [EventSourceMapping] {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT uuid, config, position, lastProcessingResult FROM esm_mapping ORDER BY fromTemplate DESC, rowid"
        )
        return rows.compactMap { row -> EventSourceMapping? in
            guard let config = decode(row["config"]) else { return nil }
            var mapping = config.mapping(uuid: row["uuid"])
            mapping.position = row["position"]
            mapping.lastProcessingResult = row["lastProcessingResult"]
            return mapping
        }
    }

    private static func decode(_ text: String?) -> Configuration? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(Configuration.self, from: Data(text.utf8))
    }

    /// Inserts a mapping the API created.
    static func insert(_ db: Database, _ mapping: EventSourceMapping) throws {
        try db.execute(
            sql: "INSERT INTO esm_mapping (uuid, config, fromTemplate, position, lastProcessingResult) VALUES (?, ?, 0, ?, ?)",
            arguments: [mapping.uuid, try encode(mapping), mapping.position, mapping.lastProcessingResult]
        )
    }

    /// Replaces a mapping's configuration (the checkpoint stays).
    static func update(_ db: Database, _ mapping: EventSourceMapping) throws {
        try db.execute(sql: "UPDATE esm_mapping SET config = ? WHERE uuid = ?", arguments: [try encode(mapping), mapping.uuid])
    }

    /// Deletes a mapping with its checkpoint.
    static func delete(_ db: Database, uuid: String) throws {
        try db.execute(sql: "DELETE FROM esm_mapping WHERE uuid = ?", arguments: [uuid])
    }

    /// Records a mapping's checkpoint and `LastProcessingResult`.
    static func checkpoint(_ db: Database, uuid: String, position: Int64, result: String) throws {
        try db.execute(
            sql: "UPDATE esm_mapping SET position = ?, lastProcessingResult = ? WHERE uuid = ?",
            arguments: [position, result, uuid]
        )
    }
}
