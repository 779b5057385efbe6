import EmulatorCore
import Foundation
import GRDB

/// What a table with an enabled stream records on each write: attached to its cached ``TableView``, so a table
/// without a stream pays nothing (``ItemStore/replace(_:table:old:new:collectionLimit:origin:)`` checks one
/// optional).
struct StreamRecorder: Sendable {
    /// The stream's ARN.
    let arn: String
    /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`.
    let viewType: String
    /// The virtual clock (`ApproximateCreationDateTime`, the 24-hour retention).
    let clock: VirtualClock
}

/// Who made a change, as a stream record tells it.
enum StreamOrigin: Sendable {
    /// A request (no `userIdentity`).
    case request
    /// A TTL deletion (`userIdentity: {"type": "Service", "principalId": "dynamodb.amazonaws.com"}`).
    case timeToLive
}

/// One stream as stored in `ddb_stream`: kept 24 hours after it is disabled or its table deleted.
struct StoredStream: Sendable {
    /// `LatestStreamArn` of the table when it was created.
    var arn: String
    /// The table's name.
    var tableName: String
    /// The ISO-8601 creation time (`StreamLabel`).
    var label: String
    /// The view type.
    var viewType: String
    /// The table's `KeySchema` entries.
    var keySchema: [KeySchemaEntry]
    /// Creation time, epoch seconds (virtual clock).
    var created: Double
    /// When the stream was disabled (epoch seconds), nil while it is enabled.
    var disabled: Double?
    /// The first sequence number the shard can hold.
    var startSequence: Int64
    /// The last sequence number of a closed shard.
    var endSequence: Int64?
    /// The highest sequence number trimmed away (24-hour retention), 0 when none.
    var trimmedSequence: Int64

    /// The stream's one shard: `shardId-<20-digit creation milliseconds>-<8 hex digits>`, as AWS forms them.
    var shardId: String {
        let millis = max(0, Timestamp.clampedInt64(created * 1000))
        var hash: UInt32 = 2_166_136_261
        for byte in arn.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let digits = String(millis)
        let padded = String(repeating: "0", count: max(0, 20 - digits.count)) + digits
        let hex = String(hash, radix: 16)
        return "shardId-\(padded)-\(String(repeating: "0", count: max(0, 8 - hex.count)) + hex)"
    }

    /// The table name and region parts of the ARN (`awsRegion` of the records).
    var region: String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 ? String(parts[3]) : ""
    }
}

/// The SQLite side of DynamoDB Streams: streams, their records, written in the same transaction as the items.
///
/// Sequence numbers come from one `AUTOINCREMENT` column shared by all streams, so they increase within every
/// shard and never repeat; on the wire they are 21-digit strings (``StreamStore/wire(_:)``), as AWS's are.
enum StreamStore {
    /// Records are kept this long (seconds), and disabled streams stay readable as long.
    static let retention: Double = 86_400

    /// Registers the streams tables.
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("dynamodb-streams-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ddb_stream (
                        arn TEXT PRIMARY KEY,
                        tbl INTEGER NOT NULL,
                        table_name TEXT NOT NULL,
                        label TEXT NOT NULL,
                        view_type TEXT NOT NULL,
                        key_schema BLOB NOT NULL,
                        created REAL NOT NULL,
                        disabled REAL,
                        start_seq INTEGER NOT NULL,
                        end_seq INTEGER,
                        trimmed_seq INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE ddb_stream_record (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        stream TEXT NOT NULL,
                        created REAL NOT NULL,
                        event_id TEXT NOT NULL,
                        event_name TEXT NOT NULL,
                        keys BLOB NOT NULL,
                        new_image BLOB,
                        old_image BLOB,
                        size INTEGER NOT NULL,
                        service INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX ddb_stream_record_stream ON ddb_stream_record (stream, seq);
                    CREATE INDEX ddb_stream_record_created ON ddb_stream_record (created);
                    """
            )
        }
    }

    // MARK: Sequence numbers

    /// A sequence number as AWS writes it: at least 21 digits (`1` followed by the 20-digit counter).
    static func wire(_ sequence: Int64) -> String {
        let digits = String(max(0, sequence))
        return "1" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Parses a wire sequence number; nil for anything this store never issued (wrong length, not digits).
    static func parse(_ text: String) -> Int64? {
        guard text.count == 21, text.first == "1", text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(text.dropFirst())
    }

    // MARK: Streams

    /// Makes sure the table's current stream has its row (CreateTable, UpdateTable enabling a stream, template
    /// tables); does nothing for a table without an enabled stream.
    static func register(_ db: Database, _ meta: TableMetadata) throws {
        guard meta.streamEnabled, let arn = meta.streamArn, let label = meta.streamLabel else { return }
        let created = Timestamp.parseISO8601(label + "Z")?.timeIntervalSince1970 ?? meta.creationTime
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let next = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'ddb_stream_record'") ?? 0
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO ddb_stream (arn, tbl, table_name, label, view_type, key_schema, created, start_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                arn, meta.id, meta.name, label, meta.streamViewType ?? "NEW_AND_OLD_IMAGES", try encoder.encode(meta.keySchema), created,
                next + 1,
            ]
        )
    }

    /// Closes the table's enabled streams other than `keep` (UpdateTable disabling or replacing a stream,
    /// DeleteTable): they stay readable for 24 hours with status `DISABLED`.
    static func disable(_ db: Database, table id: Int64, keep: String?, now: Double) throws {
        let arns = try String.fetchAll(db, sql: "SELECT arn FROM ddb_stream WHERE tbl = ? AND disabled IS NULL", arguments: [id])
        for arn in arns where arn != keep {
            let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM ddb_stream_record WHERE stream = ?", arguments: [arn])
            try db.execute(
                sql: "UPDATE ddb_stream SET disabled = ?, end_seq = coalesce(?, start_seq) WHERE arn = ?",
                arguments: [now, last, arn]
            )
        }
    }

    /// Decodes a `ddb_stream` row.
    private static func stream(_ row: Row) -> StoredStream {
        let keys: Data = row["key_schema"]
        return StoredStream(
            arn: row["arn"],
            tableName: row["table_name"],
            label: row["label"],
            viewType: row["view_type"],
            keySchema: (try? JSONDecoder().decode([KeySchemaEntry].self, from: keys)) ?? [],
            created: row["created"],
            disabled: row["disabled"],
            startSequence: row["start_seq"],
            endSequence: row["end_seq"],
            trimmedSequence: row["trimmed_seq"]
        )
    }

    /// The stream with an ARN.
    static func stream(_ db: Database, arn: String) throws -> StoredStream? {
        try Row.fetchOne(db, sql: "SELECT * FROM ddb_stream WHERE arn = ?", arguments: [arn]).map(stream)
    }

    /// Every stream, optionally of one table, in creation order.
    static func streams(_ db: Database, tableName: String?) throws -> [StoredStream] {
        if let tableName {
            return try Row.fetchAll(db, sql: "SELECT * FROM ddb_stream WHERE table_name = ? ORDER BY created, arn", arguments: [tableName])
                .map(stream)
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM ddb_stream ORDER BY created, arn").map(stream)
    }

    /// The highest sequence number issued so far (0 before the first record).
    static func lastSequence(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'ddb_stream_record'") ?? 0
    }

    // MARK: Records

    /// Appends the record of one item change when it changed something (AWS writes no record for a write that
    /// leaves the item as it was).
    static func append(_ db: Database, recorder: StreamRecorder, key: KeySchema, old: Item?, new: Item?, origin: StreamOrigin) throws {
        let eventName: String
        switch (old, new) {
        case (nil, nil): return
        case (nil, .some): eventName = "INSERT"
        case (.some, nil): eventName = "REMOVE"
        case (.some(let before), .some(let after)):
            if before == after { return }
            eventName = "MODIFY"
        }
        guard let source = new ?? old else { return }
        let keys = source.filter { key.attributeNames.contains($0.key) }
        let newImage = recorder.viewType == "NEW_IMAGE" || recorder.viewType == "NEW_AND_OLD_IMAGES" ? new : nil
        let oldImage = recorder.viewType == "OLD_IMAGE" || recorder.viewType == "NEW_AND_OLD_IMAGES" ? old : nil
        let size = ItemSize.of(keys) + (newImage.map(ItemSize.of) ?? 0) + (oldImage.map(ItemSize.of) ?? 0)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO ddb_stream_record (stream, created, event_id, event_name, keys, new_image, old_image, size, service)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        let eventId = EmulatorRandom.uuidString("dynamodb-stream-event-ids").replacingOccurrences(of: "-", with: "")
        try statement.execute(
            arguments: [
                recorder.arn, recorder.clock.now.timeIntervalSince1970, eventId, eventName, ItemCodec.encode(keys),
                newImage.map(ItemCodec.encode), oldImage.map(ItemCodec.encode), size, origin == .timeToLive ? 1 : 0,
            ]
        )
    }

    /// Up to `limit` records of a stream after sequence number `after`.
    static func records(_ db: Database, stream: StoredStream, after: Int64, limit: Int) throws -> [StreamRecordRow] {
        try Row.fetchAll(
            db,
            sql: "SELECT * FROM ddb_stream_record WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?",
            arguments: [stream.arn, after, limit]
        ).map { row in
            StreamRecordRow(
                sequence: row["seq"],
                created: row["created"],
                eventId: row["event_id"],
                eventName: row["event_name"],
                keys: row["keys"],
                newImage: row["new_image"],
                oldImage: row["old_image"],
                size: row["size"],
                byService: (row["service"] as Int) != 0
            )
        }
    }

    /// Trims records older than 24 hours (remembering the highest trimmed sequence number of each stream, for
    /// `TrimmedDataAccessException`) and forgets streams disabled more than 24 hours ago.
    static func trim(_ db: Database, now: Double) throws {
        let horizon = now - retention
        let trimmed = try Row.fetchAll(
            db,
            sql: "SELECT stream, max(seq) AS last FROM ddb_stream_record WHERE created < ? GROUP BY stream",
            arguments: [horizon]
        )
        for row in trimmed {
            let stream: String = row["stream"]
            let last: Int64 = row["last"]
            try db.execute(sql: "UPDATE ddb_stream SET trimmed_seq = max(trimmed_seq, ?) WHERE arn = ?", arguments: [last, stream])
        }
        if !trimmed.isEmpty { try db.execute(sql: "DELETE FROM ddb_stream_record WHERE created < ?", arguments: [horizon]) }
        let gone = try String.fetchAll(db, sql: "SELECT arn FROM ddb_stream WHERE disabled IS NOT NULL AND disabled < ?", arguments: [horizon])
        for arn in gone {
            try db.execute(sql: "DELETE FROM ddb_stream_record WHERE stream = ?", arguments: [arn])
            try db.execute(sql: "DELETE FROM ddb_stream WHERE arn = ?", arguments: [arn])
        }
    }
}

/// One stored stream record.
struct StreamRecordRow: Sendable {
    /// The sequence number.
    var sequence: Int64
    /// When it was written (epoch seconds, virtual clock).
    var created: Double
    /// `eventID`.
    var eventId: String
    /// `INSERT`, `MODIFY` or `REMOVE`.
    var eventName: String
    /// The key attributes (wire JSON).
    var keys: Data
    /// The new image (wire JSON), when the view type keeps it.
    var newImage: Data?
    /// The old image (wire JSON), when the view type keeps it.
    var oldImage: Data?
    /// `SizeBytes`.
    var size: Int
    /// Whether TTL deleted the item.
    var byService: Bool

    /// The record as GetRecords returns it, or, with `eventSourceARN`, as Lambda passes it to the function.
    func json(stream: StoredStream, eventSourceARN: String? = nil) -> JSONOut {
        var inner: [(String, JSONOut)] = [
            ("ApproximateCreationDateTime", .double(created.rounded(.down))),
            ("Keys", .raw(keys)),
        ]
        if let newImage { inner.append(("NewImage", .raw(newImage))) }
        if let oldImage { inner.append(("OldImage", .raw(oldImage))) }
        inner += [
            ("SequenceNumber", .string(StreamStore.wire(sequence))), ("SizeBytes", .int(size)),
            ("StreamViewType", .string(stream.viewType)),
        ]
        var members: [(String, JSONOut)] = [
            ("eventID", .string(eventId)), ("eventName", .string(eventName)), ("eventVersion", .string("1.1")),
            ("eventSource", .string("aws:dynamodb")), ("awsRegion", .string(stream.region)), ("dynamodb", .object(inner)),
        ]
        if byService {
            // GetRecords spells the members as its Identity shape does; Lambda's event in lower camel case.
            let lambda = eventSourceARN != nil
            members.append(
                (
                    "userIdentity",
                    .object([
                        (lambda ? "type" : "Type", .string("Service")), (lambda ? "principalId" : "PrincipalId", .string("dynamodb.amazonaws.com")),
                    ])
                )
            )
        }
        if let eventSourceARN { members.append(("eventSourceARN", .string(eventSourceARN))) }
        return .object(members)
    }
}
