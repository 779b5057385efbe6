import Foundation
import GRDB

/// Where one item lives in `ddb_item`: the primary-key columns of its row.
struct RowKey: Sendable, Hashable {
    /// The index name (`""` for the table itself).
    var index: String
    /// A 16-bit hash of the partition key (the scan order and the `Segment` split).
    var hash: Int
    /// `KeyEncoding.identity` of the partition key value.
    var partition: Data
    /// `KeyEncoding.sortable` of the sort key value (empty without a sort key).
    var sort: Data
    /// For index rows, the identity of the table key (empty for table rows).
    var ident: Data
}

/// The SQLite layout of the DynamoDB service and the row-level operations on it.
///
/// Items live in one `WITHOUT ROWID` table keyed by (table id, index name, partition hash, partition bytes,
/// sort bytes, table-key identity): a Query on one partition is a range scan of that key, so a page costs the
/// same whatever the table's size. Index rows are written in the same transaction as their item.
enum ItemStore {
    /// Number of distinct partition hashes (the `Segment` split works on this range).
    static let hashSpace = 65536

    /// The migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("dynamodb-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ddb_table (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE,
                        meta BLOB NOT NULL
                    );
                    CREATE TABLE ddb_item (
                        tbl INTEGER NOT NULL,
                        idx TEXT NOT NULL,
                        h INTEGER NOT NULL,
                        pk BLOB NOT NULL,
                        sk BLOB NOT NULL,
                        ident BLOB NOT NULL,
                        item BLOB NOT NULL,
                        size INTEGER NOT NULL,
                        ttl REAL,
                        PRIMARY KEY (tbl, idx, h, pk, sk, ident)
                    ) WITHOUT ROWID;
                    CREATE INDEX ddb_item_ttl ON ddb_item (ttl, tbl) WHERE ttl IS NOT NULL;
                    """
            )
        }
        ClientTokenStore.register(in: &migrator)
        StreamStore.register(in: &migrator)
        return migrator
    }

    // MARK: Keys

    /// A stable 16-bit hash (FNV-1a folded) of partition bytes.
    static func hash(_ bytes: Data) -> Int {
        var value: UInt32 = 2_166_136_261
        for byte in bytes {
            value ^= UInt32(byte)
            value = value &* 16_777_619
        }
        return Int((value >> 16) ^ (value & 0xFFFF))
    }

    /// The row key of an item (or key) under a key schema; nil when a key attribute is missing.
    static func rowKey(of item: Item, schema: KeySchema, index: String, ident: Data) -> RowKey? {
        guard let partitionValue = item[schema.partitionKey.name] else { return nil }
        let partition = KeyEncoding.identity(partition: partitionValue, sort: nil)
        var sort = Data()
        if let sortKey = schema.sortKey {
            guard let value = item[sortKey.name], let bytes = KeyEncoding.sortable(value) else { return nil }
            sort = bytes
        }
        return RowKey(index: index, hash: hash(partition), partition: partition, sort: sort, ident: ident)
    }

    /// The row key of an item in the table itself.
    static func tableRowKey(of item: Item, table: TableView) -> RowKey? {
        rowKey(of: item, schema: table.key, index: "", ident: Data())
    }

    /// The TTL column value of an item (epoch seconds of a top-level Number attribute, when TTL is enabled).
    static func ttlValue(of item: Item, meta: TableMetadata) -> Double? {
        guard meta.ttlEnabled, let attribute = meta.ttlAttribute, case .n(let number)? = item[attribute] else { return nil }
        return Double(number.description)
    }

    // MARK: Tables

    /// Every table's metadata.
    static func loadTables(_ db: Database) throws -> [TableMetadata] {
        let decoder = JSONDecoder()
        return try Row.fetchAll(db, sql: "SELECT id, meta FROM ddb_table").compactMap { row in
            let data: Data = row["meta"]
            var meta = try decoder.decode(TableMetadata.self, from: data)
            meta.id = row["id"]
            return meta
        }
    }

    /// Inserts a new table and returns its metadata with the assigned id.
    static func insertTable(_ db: Database, _ meta: TableMetadata) throws -> TableMetadata {
        try db.execute(sql: "INSERT INTO ddb_table (name, meta) VALUES (?, ?)", arguments: [meta.name, Data()])
        var stored = meta
        stored.id = db.lastInsertedRowID
        try saveTable(db, stored)
        return stored
    }

    /// Rewrites a table's metadata.
    static func saveTable(_ db: Database, _ meta: TableMetadata) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try db.execute(sql: "UPDATE ddb_table SET meta = ? WHERE id = ?", arguments: [try encoder.encode(meta), meta.id])
        try StreamStore.register(db, meta)
    }

    /// Deletes a table and every row of it.
    static func deleteTable(_ db: Database, id: Int64) throws {
        try db.execute(sql: "DELETE FROM ddb_item WHERE tbl = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM ddb_table WHERE id = ?", arguments: [id])
    }

    /// Whether the table still exists (checked inside write transactions).
    static func tableExists(_ db: Database, id: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM ddb_table WHERE id = ?"), arguments: [id]) ?? false
    }

    /// Item count and total size of a table.
    static func statistics(_ db: Database, id: Int64) throws -> (count: Int, bytes: Int) {
        let row = try Row.fetchOne(
            db,
            sql: "SELECT count(*) AS c, coalesce(sum(size), 0) AS s FROM ddb_item WHERE tbl = ? AND idx = ''",
            arguments: [id]
        )
        return (row?["c"] ?? 0, row?["s"] ?? 0)
    }

    /// Item count and size of one index.
    static func indexStatistics(_ db: Database, id: Int64, index: String) throws -> (count: Int, bytes: Int) {
        let row = try Row.fetchOne(
            db,
            sql: "SELECT count(*) AS c, coalesce(sum(size), 0) AS s FROM ddb_item WHERE tbl = ? AND idx = ?",
            arguments: [id, index]
        )
        return (row?["c"] ?? 0, row?["s"] ?? 0)
    }

    // MARK: Items

    /// Reads the item with a key from the table.
    static func fetchItem(_ db: Database, table: TableView, key: Item) throws -> Item? {
        guard let rowKey = tableRowKey(of: key, table: table) else { return nil }
        let statement = try db.cachedStatement(
            sql: "SELECT item FROM ddb_item WHERE tbl = ? AND idx = '' AND h = ? AND pk = ? AND sk = ? AND ident = x''"
        )
        guard let data = try Data.fetchOne(statement, arguments: [table.meta.id, rowKey.hash, rowKey.partition, rowKey.sort]) else {
            return nil
        }
        return ItemCodec.decode(data)
    }

    /// Reads the stored JSON and size of the item with a key, without decoding it.
    static func fetchRaw(_ db: Database, table: TableView, key: Item) throws -> (data: Data, size: Int)? {
        guard let rowKey = tableRowKey(of: key, table: table) else { return nil }
        let statement = try db.cachedStatement(
            sql: "SELECT item, size FROM ddb_item WHERE tbl = ? AND idx = '' AND h = ? AND pk = ? AND sk = ? AND ident = x''"
        )
        guard let row = try Row.fetchOne(statement, arguments: [table.meta.id, rowKey.hash, rowKey.partition, rowKey.sort]) else {
            return nil
        }
        return (row["item"], row["size"])
    }

    /// The size limit of an item collection (all items with one partition key value, plus their local index
    /// entries) in tables with local secondary indexes: 10 GB, as in AWS.
    static let defaultCollectionLimit = 10 * 1024 * 1024 * 1024

    /// Replaces `old` by `new` (either may be nil) in the table and its indexes, and appends the change to the
    /// table's stream when it has one (same transaction; `origin` says whether TTL made it).
    ///
    /// In tables with local secondary indexes, a write that makes its item collection larger than
    /// `collectionLimit` bytes fails with `ItemCollectionSizeLimitExceededException` (the caller's transaction rolls
    /// the rows back).
    static func replace(
        _ db: Database,
        table: TableView,
        old: Item?,
        new: Item?,
        collectionLimit: Int = defaultCollectionLimit,
        origin: StreamOrigin = .request
    ) throws {
        if table.stream != nil || table.recentWrites != nil {
            // PutItem's fast path passes no old item; the stream record needs it (INSERT or MODIFY, OldImage), and so do
            // eventually consistent reads.
            let before = try old ?? new.flatMap { try fetchItem(db, table: table, key: $0) }
            if let recorder = table.stream {
                try StreamStore.append(db, recorder: recorder, key: table.key, old: before, new: new, origin: origin)
            }
            if let recent = table.recentWrites, let changed = new ?? old, let key = tableRowKey(of: changed, table: table) {
                recent.record(key: key, before: before)
            }
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM ddb_item WHERE tbl = ? AND idx = ? AND h = ? AND pk = ? AND sk = ? AND ident = ?")
        let insert = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO ddb_item (tbl, idx, h, pk, sk, ident, item, size, ttl) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        let id = table.meta.id
        if let old, let key = tableRowKey(of: old, table: table) {
            try delete.execute(arguments: [id, "", key.hash, key.partition, key.sort, Data()])
            let identity = table.key.identity(of: old) ?? Data()
            for index in table.indexes where index.project(old, tableKey: table.key) != nil {
                if let indexKey = rowKey(of: old, schema: index.key, index: index.meta.name, ident: identity) {
                    try delete.execute(arguments: [id, indexKey.index, indexKey.hash, indexKey.partition, indexKey.sort, indexKey.ident])
                }
            }
        }
        guard let new, let key = tableRowKey(of: new, table: table) else { return }
        let blob = ItemCodec.encode(new)
        let size = ItemSize.of(new)
        try insert.execute(arguments: [id, "", key.hash, key.partition, key.sort, Data(), blob, size, ttlValue(of: new, meta: table.meta)])
        let identity = table.key.identity(of: new) ?? Data()
        for index in table.indexes {
            guard let projected = index.project(new, tableKey: table.key),
                let indexKey = rowKey(of: new, schema: index.key, index: index.meta.name, ident: identity)
            else { continue }
            let indexBlob = index.meta.projectionType == "ALL" ? blob : ItemCodec.encode(projected)
            try insert.execute(
                arguments: [
                    id, indexKey.index, indexKey.hash, indexKey.partition, indexKey.sort, indexKey.ident, indexBlob, ItemSize.of(projected), nil,
                ]
            )
        }
        let localIndexes = table.indexes.filter { !$0.meta.isGlobal }
        if !localIndexes.isEmpty, size > 0 {
            let sum = try db.cachedStatement(sql: "SELECT coalesce(sum(size), 0) FROM ddb_item WHERE tbl = ? AND idx = ? AND h = ? AND pk = ?")
            var collection = try Int.fetchOne(sum, arguments: [id, "", key.hash, key.partition]) ?? 0
            for index in localIndexes {
                guard let indexKey = rowKey(of: new, schema: index.key, index: index.meta.name, ident: identity) else { continue }
                collection += try Int.fetchOne(sum, arguments: [id, indexKey.index, indexKey.hash, indexKey.partition]) ?? 0
            }
            if collection > collectionLimit {
                throw DynamoDBError(.itemCollectionSizeLimitExceededException, DynamoDBMessages.itemCollectionSizeLimitExceeded)
            }
        }
    }

    /// Rebuilds one index from the table's items (UpdateTable adding a global index).
    static func backfill(_ db: Database, table: TableView, index: CompiledIndex) throws {
        let insert = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO ddb_item (tbl, idx, h, pk, sk, ident, item, size, ttl) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)"
        )
        let cursor = try Data.fetchCursor(db, sql: "SELECT item FROM ddb_item WHERE tbl = ? AND idx = ''", arguments: [table.meta.id])
        var pending: [Item] = []
        while let data = try cursor.next() { pending.append(ItemCodec.decode(data)) }
        for item in pending {
            let identity = table.key.identity(of: item) ?? Data()
            guard let projected = index.project(item, tableKey: table.key),
                let key = rowKey(of: item, schema: index.key, index: index.meta.name, ident: identity)
            else { continue }
            try insert.execute(
                arguments: [
                    table.meta.id, key.index, key.hash, key.partition, key.sort, key.ident, ItemCodec.encode(projected), ItemSize.of(projected),
                ]
            )
        }
    }

    /// Recomputes the TTL column of every item (UpdateTimeToLive).
    static func recomputeTTL(_ db: Database, table: TableView) throws {
        try db.execute(sql: "UPDATE ddb_item SET ttl = NULL WHERE tbl = ? AND ttl IS NOT NULL", arguments: [table.meta.id])
        guard table.meta.ttlEnabled else { return }
        let rows = try Row.fetchAll(db, sql: "SELECT h, pk, sk, item FROM ddb_item WHERE tbl = ? AND idx = ''", arguments: [table.meta.id])
        let update = try db.cachedStatement(
            sql: "UPDATE ddb_item SET ttl = ? WHERE tbl = ? AND idx = '' AND h = ? AND pk = ? AND sk = ? AND ident = x''"
        )
        for row in rows {
            let data: Data = row["item"]
            guard let ttl = ttlValue(of: ItemCodec.decode(data), meta: table.meta) else { continue }
            let hash: Int = row["h"]
            let partition: Data = row["pk"]
            let sort: Data = row["sk"]
            try update.execute(arguments: [ttl, table.meta.id, hash, partition, sort])
        }
    }
}
