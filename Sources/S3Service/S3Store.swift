import EmulatorCore
import Foundation
import GRDB
import Logging
import NIOCore
import Storage
import Synchronization

/// The content headers and metadata S3 stores with an object.
package struct ObjectHeaders: Codable, Sendable, Hashable {
    /// `Content-Type`.
    package var contentType: String?
    /// `Content-Encoding` (without `aws-chunked`).
    package var contentEncoding: String?
    /// `Content-Disposition`.
    package var contentDisposition: String?
    /// `Content-Language`.
    package var contentLanguage: String?
    /// `Cache-Control`.
    package var cacheControl: String?
    /// `Expires`, as sent.
    package var expires: String?
    /// `x-amz-website-redirect-location`.
    package var websiteRedirectLocation: String?
    /// `x-amz-meta-*` (names lower-cased, without the prefix).
    package var metadata: [String: String]
    /// `x-amz-storage-class` (`STANDARD` when not given).
    package var storageClass: String
    /// `x-amz-server-side-encryption` in effect.
    package var serverSideEncryption: String?
    /// `x-amz-server-side-encryption-aws-kms-key-id`.
    package var kmsKeyId: String?
    /// `x-amz-server-side-encryption-bucket-key-enabled` (SSE-KMS only); nil when not enabled.
    package var bucketKeyEnabled: Bool?

    /// No headers, `STANDARD` storage.
    package init(metadata: [String: String] = [:], storageClass: String = "STANDARD") {
        self.metadata = metadata
        self.storageClass = storageClass
    }
}

/// A bucket row.
package struct BucketRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// GRDB table name.
    package static let databaseTableName = "bucket"
    /// The bucket name.
    package var name: String
    /// The bucket's region.
    package var region: String
    /// When it was created.
    package var creationDate: Date
    /// Its configuration.
    package var configuration: BucketConfiguration
}

/// An object row: one version of a key (the `null` version in buckets that were never versioned), or a delete
/// marker.
///
/// Per key, exactly one row is the latest (`isLatest`, enforced by a partial unique index) and it has the highest
/// `sequence`; the others are noncurrent, newest first by `sequence`.
package struct ObjectRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// GRDB table name.
    package static let databaseTableName = "object"
    /// The bucket.
    package var bucket: String
    /// The key.
    package var key: String
    /// The blob file name under `objects/`.
    package var blob: String
    /// Size in bytes.
    package var size: Int
    /// The ETag with quotes.
    package var etag: String
    /// Content headers, metadata, storage class, encryption.
    package var headers: ObjectHeaders
    /// The flexible checksum algorithm, if any.
    package var checksumAlgorithm: ChecksumAlgorithm?
    /// The base64 checksum (`xxx-N` for multipart composites).
    package var checksumValue: String?
    /// `FULL_OBJECT` or `COMPOSITE`.
    package var checksumType: String?
    /// Object tags.
    package var tags: [S3Tag]
    /// Last-Modified.
    package var lastModified: Date
    /// The version id: `null` for writes to buckets that were never versioned or are suspended.
    package var versionId: String = "null"
    /// The number of parts for multipart objects.
    package var partsCount: Int?
    /// The sizes of a multipart object's parts, in order (GetObject `partNumber`); nil for other objects.
    package var partSizes: [Int]?
    /// Whether this is the key's current version (or current delete marker).
    package var isLatest = true
    /// Whether this row is a delete marker (no body: `blob` is empty).
    package var isDeleteMarker = false
    /// The order of the key's versions (higher is newer), assigned when the row is stored.
    package var sequence = 1
    /// The version's ACL; nil is the owner's full control (every object stored before ACLs were kept).
    package var acl: AccessControlList?
}

extension ObjectRecord {
    /// Decodes a row as the `Decodable` default does, except that the JSON columns (`headers`, `tags`) are decoded
    /// once per distinct text: most objects share their headers and have no tags, and two `JSONDecoder` runs per
    /// GetObject were a visible share of its cost.
    /// - Parameter row: A row of the `object` table.
    /// - Throws: GRDB's decoding errors; JSON decoding errors for malformed JSON columns.
    package init(row: Row) throws {
        bucket = try row.decode(String.self, forColumn: "bucket")
        key = try row.decode(String.self, forColumn: "key")
        blob = try row.decode(String.self, forColumn: "blob")
        size = try row.decode(Int.self, forColumn: "size")
        etag = try row.decode(String.self, forColumn: "etag")
        headers = try StoredJSON.headers(try row.decode(String.self, forColumn: "headers"))
        let algorithm = try row.decode(String?.self, forColumn: "checksumAlgorithm")
        checksumAlgorithm = try algorithm.map { name in
            guard let value = ChecksumAlgorithm(rawValue: name) else { throw StoredJSON.Malformed(column: "checksumAlgorithm") }
            return value
        }
        checksumValue = try row.decode(String?.self, forColumn: "checksumValue")
        checksumType = try row.decode(String?.self, forColumn: "checksumType")
        tags = try StoredJSON.tags(try row.decode(String.self, forColumn: "tags"))
        lastModified = try StoredDate.decode(row, forColumn: "lastModified")
        versionId = try row.decode(String.self, forColumn: "versionId")
        partsCount = try row.decode(Int?.self, forColumn: "partsCount")
        isLatest = try row.decode(Bool.self, forColumn: "isLatest")
        isDeleteMarker = try row.decode(Bool.self, forColumn: "isDeleteMarker")
        sequence = try row.decode(Int.self, forColumn: "sequence")
        acl = try row.decode(String?.self, forColumn: "acl").map { try StoredJSON.acl($0) }
        partSizes = try row.decode(String?.self, forColumn: "partSizes").map { text in
            try text.split(separator: ",").map { item in
                guard let size = Int(item) else { throw StoredJSON.Malformed(column: "partSizes") }
                return size
            }
        }
    }
}

extension ObjectRecord {
    /// Encodes the columns as the `Encodable` default does (JSON with sorted keys for `headers` and `tags`), with
    /// the JSON of headers kept by value: most objects share theirs.
    /// - Parameter container: The row's columns.
    /// - Throws: JSON encoding errors.
    package func encode(to container: inout PersistenceContainer) throws {
        container["bucket"] = bucket
        container["key"] = key
        container["blob"] = blob
        container["size"] = size
        container["etag"] = etag
        container["headers"] = try StoredJSON.text(headers)
        container["checksumAlgorithm"] = checksumAlgorithm?.rawValue
        container["checksumValue"] = checksumValue
        container["checksumType"] = checksumType
        container["tags"] = try StoredJSON.text(tags)
        container["lastModified"] = StoredDate.databaseValue(lastModified)
        container["versionId"] = versionId
        container["partsCount"] = partsCount
        container["isLatest"] = isLatest
        container["isDeleteMarker"] = isDeleteMarker
        container["sequence"] = sequence
        container["partSizes"] = partSizes.map { $0.map(String.init).joined(separator: ",") }
        container["acl"] = try acl.map { try StoredJSON.text($0) }
    }
}

extension ObjectRecord {
    /// Updates every column of the row with this record's primary key, as GRDB's `update(_:)` does, through one cached
    /// statement (GRDB's record update builds its column list and looks its statement up per call: 6 % of a PutObject).
    /// - Parameter db: The database, inside a transaction where the row is known to exist.
    /// - Throws: Database errors; JSON encoding errors.
    func replaceRow(_ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                UPDATE object SET blob = ?, size = ?, etag = ?, headers = ?, checksumAlgorithm = ?, checksumValue = ?,
                checksumType = ?, tags = ?, lastModified = ?, partsCount = ?, isLatest = ?, isDeleteMarker = ?, sequence = ?,
                partSizes = ?, acl = ? WHERE bucket = ? AND key = ? AND versionId = ?
                """
        )
        let headersText = try StoredJSON.text(headers)
        let tagsText = try StoredJSON.text(tags)
        let aclText = try acl.map { try StoredJSON.text($0) }
        let sizes = partSizes.map { $0.map(String.init).joined(separator: ",") }
        try statement.execute(arguments: [
            blob, size, etag, headersText, checksumAlgorithm?.rawValue, checksumValue, checksumType, tagsText,
            StoredDate.databaseValue(lastModified),
            partsCount, isLatest, isDeleteMarker, sequence, sizes, aclText, bucket, key, versionId,
        ])
    }
}

/// Decoded JSON columns of object rows, kept by their text (a small cache, emptied when full).
enum StoredJSON {
    /// A stored value that is not what its column holds.
    struct Malformed: Error {
        /// The column.
        var column: String
    }

    private static let cache = Mutex([String: ObjectHeaders]())
    private static let texts = Mutex([ObjectHeaders: String]())
    private static let capacity = 256
    private static let decoder = JSONDecoder()
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // as GRDB writes JSON columns
        return encoder
    }()

    /// The JSON text of headers.
    static func text(_ headers: ObjectHeaders) throws -> String {
        if let hit = texts.withLock({ $0[headers] }) { return hit }
        let text = String(decoding: try encoder.encode(headers), as: UTF8.self)
        texts.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[headers] = text
        }
        return text
    }

    /// The JSON text of tags (`[]` without an encoder).
    static func text(_ tags: [S3Tag]) throws -> String {
        if tags.isEmpty { return "[]" }
        return String(decoding: try encoder.encode(tags), as: UTF8.self)
    }

    /// The headers a `headers` column holds.
    static func headers(_ text: String) throws -> ObjectHeaders {
        if let hit = cache.withLock({ $0[text] }) { return hit }
        let decoded = try decoder.decode(ObjectHeaders.self, from: Data(text.utf8))
        cache.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = decoded
        }
        return decoded
    }

    /// The JSON text of an ACL.
    static func text(_ acl: AccessControlList) throws -> String {
        String(decoding: try encoder.encode(acl), as: UTF8.self)
    }

    /// The ACL an `acl` column holds.
    static func acl(_ text: String) throws -> AccessControlList {
        try decoder.decode(AccessControlList.self, from: Data(text.utf8))
    }

    /// The tags a `tags` column holds (`[]` without a decoder).
    static func tags(_ text: String) throws -> [S3Tag] {
        if text == "[]" { return [] }
        return try decoder.decode([S3Tag].self, from: Data(text.utf8))
    }
}

/// A multipart upload in progress.
package struct UploadRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// GRDB table name.
    package static let databaseTableName = "upload"
    /// The upload id.
    package var uploadId: String
    /// The bucket.
    package var bucket: String
    /// The key.
    package var key: String
    /// When it was initiated.
    package var initiated: Date
    /// The headers the object will get.
    package var headers: ObjectHeaders
    /// The checksum algorithm declared at creation.
    package var checksumAlgorithm: ChecksumAlgorithm?
    /// Tags from `x-amz-tagging`.
    package var tags: [S3Tag]
    /// The ACL the object will get (`x-amz-acl` / `x-amz-grant-*` at creation); nil is the owner's full control.
    package var acl: AccessControlList?
}

/// An uploaded part.
package struct PartRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// GRDB table name.
    package static let databaseTableName = "part"
    /// The upload id.
    package var uploadId: String
    /// The part number (1...10000).
    package var partNumber: Int
    /// The blob file name under `parts/`.
    package var blob: String
    /// Size in bytes.
    package var size: Int
    /// The ETag with quotes.
    package var etag: String
    /// The part's checksum, if the upload declared an algorithm.
    package var checksumValue: String?
    /// When it was uploaded.
    package var lastModified: Date
}

/// Object metadata in SQLite and object bodies as files: the one place that touches either.
///
/// Uploaded bodies are written under a fresh name straight into `objects/` (or `parts/`), copies and assembled
/// uploads in `tmp/` and renamed there, all before the metadata row that names them is committed, so a crash
/// mid-upload leaves no visible object; files no row names are removed at start. With the default durability
/// (``Durability/process``) nothing is fsynced: the body and the SQLite WAL commit are in the kernel before the
/// write is acknowledged, so killing the process loses nothing; with ``Durability/fsync`` the body, its folder and
/// the commit are fsynced too. All file I/O runs on the store's own threads (``BlobIO``).
///
/// Bucket rows are read on every request and change rarely: they are cached in memory and the cache is dropped
/// whenever this store changes a bucket (the only writer of the table).
package final class S3Store: Sendable {
    /// The database.
    package let database: any DatabaseWriter
    /// The threads that do the file I/O, and whether writes are fsynced.
    package let io: BlobIO
    /// Recently read object bodies (immutable blobs), dropped when their blob is removed.
    let bodies = BodyCache()
    private let bucketCache = Mutex(BucketCache())
    /// Whether one-row reads and writes run on the calling thread: the in-memory database of `--ephemeral`, where a
    /// statement never waits for a disk and the hop to GRDB's queue and back costs more than the statement itself.
    private let databaseInline: Bool

    /// Bucket records by name, valid while `generation` is unchanged.
    private struct BucketCache {
        var generation = 0
        var records: [String: BucketRecord] = [:]
    }
    /// The blob root.
    package let root: URL
    /// The blob root when it lives only as long as the process (`--ephemeral`).
    private let ephemeralRoot: URL?
    private let objectsDirectory: URL
    private let partsDirectory: URL
    private let tmpDirectory: URL
    // The same folders as paths: composing file paths per request as strings, not `URL`s.
    private let objectsPath: String
    private let partsPath: String

    /// The schema.
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("s3-v1") { db in
            try db.create(table: "bucket") { table in
                table.primaryKey("name", .text)
                table.column("region", .text).notNull()
                table.column("creationDate", .datetime).notNull()
                table.column("configuration", .text).notNull()
            }
            try db.create(table: "object") { table in
                table.column("bucket", .text).notNull().references("bucket", onDelete: .cascade)
                table.column("key", .text).notNull()
                table.column("blob", .text).notNull()
                table.column("size", .integer).notNull()
                table.column("etag", .text).notNull()
                table.column("headers", .text).notNull()
                table.column("checksumAlgorithm", .text)
                table.column("checksumValue", .text)
                table.column("checksumType", .text)
                table.column("tags", .text).notNull()
                table.column("lastModified", .datetime).notNull()
                table.column("versionId", .text)
                table.column("partsCount", .integer)
                table.primaryKey(["bucket", "key"])
            }
            try db.create(table: "upload") { table in
                table.primaryKey("uploadId", .text)
                table.column("bucket", .text).notNull().references("bucket", onDelete: .cascade)
                table.column("key", .text).notNull()
                table.column("initiated", .datetime).notNull()
                table.column("headers", .text).notNull()
                table.column("checksumAlgorithm", .text)
                table.column("tags", .text).notNull()
            }
            try db.create(index: "upload_by_bucket_key", on: "upload", columns: ["bucket", "key"])
            try db.create(table: "part") { table in
                table.column("uploadId", .text).notNull().references("upload", onDelete: .cascade)
                table.column("partNumber", .integer).notNull()
                table.column("blob", .text).notNull()
                table.column("size", .integer).notNull()
                table.column("etag", .text).notNull()
                table.column("checksumValue", .text)
                table.column("lastModified", .datetime).notNull()
                table.primaryKey(["uploadId", "partNumber"])
            }
        }
        migrator.registerMigration("s3-v2-versions") { db in try migrateToVersions(db) }
        // Object and upload ACLs; NULL (every row stored before) reads as the owner's full control.
        migrator.registerMigration("s3-v3-acl") { db in
            try db.alter(table: "object") { table in table.add(column: "acl", .text) }
            try db.alter(table: "upload") { table in table.add(column: "acl", .text) }
        }
        return migrator
    }

    /// Rebuilds `object` with one row per version: the key of a row becomes (bucket, key, versionId), and every
    /// object stored before becomes its key's latest `null` version.
    private static func migrateToVersions(_ db: Database) throws {
        try db.create(table: "object_v2") { table in
            table.column("bucket", .text).notNull().references("bucket", onDelete: .cascade)
            table.column("key", .text).notNull()
            table.column("blob", .text).notNull()
            table.column("size", .integer).notNull()
            table.column("etag", .text).notNull()
            table.column("headers", .text).notNull()
            table.column("checksumAlgorithm", .text)
            table.column("checksumValue", .text)
            table.column("checksumType", .text)
            table.column("tags", .text).notNull()
            table.column("lastModified", .datetime).notNull()
            table.column("versionId", .text).notNull()
            table.column("partsCount", .integer)
            table.column("isLatest", .boolean).notNull()
            table.column("isDeleteMarker", .boolean).notNull()
            table.column("sequence", .integer).notNull()
            table.column("partSizes", .text)
            table.primaryKey(["bucket", "key", "versionId"])
        }
        let kept = "bucket, key, blob, size, etag, headers, checksumAlgorithm, checksumValue, checksumType, tags, lastModified, partsCount"
        try db.execute(
            sql: "INSERT INTO object_v2 (\(kept), versionId, isLatest, isDeleteMarker, sequence) SELECT \(kept), 'null', 1, 0, 1 FROM object"
        )
        try db.drop(table: "object")
        try db.rename(table: "object_v2", to: "object")
        // At most one latest row per key; it serves GetObject and the listings.
        try db.execute(sql: "CREATE UNIQUE INDEX object_latest ON object(bucket, key) WHERE isLatest = 1")
        // A key's versions newest first (ListObjectVersions, promotion after a version is deleted).
        try db.execute(sql: "CREATE INDEX object_versions ON object(bucket, key, sequence)")
    }

    /// Opens the store.
    /// - Parameters:
    ///   - location: Where data lives.
    ///   - logger: For start-up cleanup notes.
    /// - Throws: Database or file-system errors.
    package init(location: DataLocation, logger: Logger) throws {
        database = try location.openDatabase(named: "s3", migrator: Self.migrator)
        databaseInline = location == .ephemeral
        let syncs = location.syncsToStableStorage
        io = BlobIO(syncs: syncs, threads: syncs ? 16 : 4, inMemory: location.blobsInMemory)
        if case .ephemeral = location {
            // One folder per store, removed at shutdown: emulators side by side in one process must not share bodies.
            let folder = try location.blobDirectory(named: "s3").appendingPathComponent(UUID().uuidString, isDirectory: true)
            root = folder
            ephemeralRoot = folder
        } else {
            root = try location.blobDirectory(named: "s3")
            ephemeralRoot = nil
        }
        objectsDirectory = root.appendingPathComponent("objects", isDirectory: true)
        partsDirectory = root.appendingPathComponent("parts", isDirectory: true)
        tmpDirectory = root.appendingPathComponent("tmp", isDirectory: true)
        objectsPath = objectsDirectory.path
        partsPath = partsDirectory.path
        let files = FileManager.default
        try? files.removeItem(at: tmpDirectory)
        for folder in [objectsDirectory, partsDirectory, tmpDirectory] {
            try DataLocation.makePrivateDirectory(folder)
        }
        try removeOrphans(logger: logger)
    }

    deinit { io.shutdown() }

    /// Removes the bodies of an ephemeral store (called at shutdown).
    package func removeEphemeralData() {
        if let ephemeralRoot { try? FileManager.default.removeItem(at: ephemeralRoot) }
    }

    /// A one-row write transaction (``putObject(_:condition:)``, deletes): on the calling thread for the in-memory
    /// database (``databaseInline``; GRDB's queue still serializes it with every other access), else on GRDB's
    /// writer queue.
    private func quickWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if databaseInline { return try database.cachedWriteHere(body) }
        return try await database.cachedWrite(body)
    }

    /// A read of one statement, without a transaction (SQLite's own snapshot suffices): on the calling thread for the
    /// in-memory database, else on GRDB's reader queue.
    private func quickRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if databaseInline { return try Self.readHere(database, body) }
        return try await database.unsafeRead(body)
    }

    // Synchronous: from a synchronous function Swift picks GRDB's blocking overloads, which run the work on the calling
    // thread when the database is free.
    private static func readHere<T>(_ writer: any DatabaseWriter, _ body: (Database) throws -> T) throws -> T {
        try writer.unsafeRead(body)
    }

    private func removeOrphans(logger: Logger) throws {
        let (objectBlobs, partBlobs) = try database.read { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT blob FROM object")),
                Set(try String.fetchAll(db, sql: "SELECT blob FROM part"))
            )
        }
        var removed = 0
        for (folder, known) in [(objectsDirectory, objectBlobs), (partsDirectory, partBlobs)] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where !known.contains(name) {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
                removed += 1
            }
        }
        if removed > 0 { logger.notice("Removed \(removed) S3 body files left by an interrupted upload") }
    }

    // MARK: Blob files

    /// A fresh temporary file path.
    /// - Returns: The path (the file does not exist yet).
    package func temporaryURL() -> URL { tmpDirectory.appendingPathComponent(Self.blobName()) }

    /// The path of an object blob.
    /// - Parameter blob: The blob name.
    /// - Returns: The path.
    package func objectURL(_ blob: String) -> URL { objectsDirectory.appendingPathComponent(blob) }

    /// The path of a part blob.
    /// - Parameter blob: The blob name.
    /// - Returns: The path.
    package func partURL(_ blob: String) -> URL { partsDirectory.appendingPathComponent(blob) }

    /// Moves a completed temporary file into `objects/` or `parts/` on the calling thread (fsyncing the folder with
    /// `--durability fsync`); requests use ``place(_:part:)``.
    /// - Parameters:
    ///   - temporary: The temporary file, closed (and fsynced when the durability asks for it).
    ///   - part: Whether it is a multipart part.
    /// - Returns: The blob name.
    /// - Throws: File-system errors.
    package func commit(_ temporary: URL, part: Bool = false) throws -> String {
        let name = Self.blobName()
        let target = part ? partURL(name) : objectURL(name)
        try FileManager.default.moveItem(at: temporary, to: target)
        if io.syncs { try BlobIO.syncFolder(target.deletingLastPathComponent().path) }
        return name
    }

    /// Moves a completed temporary file into `objects/` or `parts/` on the I/O threads (fsyncing the folder with
    /// `--durability fsync`).
    /// - Parameters:
    ///   - temporary: The temporary file, closed (and fsynced when the durability asks for it).
    ///   - part: Whether it is a multipart part.
    /// - Returns: The blob name.
    /// - Throws: File-system errors.
    package func place(_ temporary: URL, part: Bool = false) async throws -> String {
        let name = Self.blobName()
        let source = temporary.path
        let target = (part ? partURL(name) : objectURL(name)).path
        let folder = (part ? partsDirectory : objectsDirectory).path
        let syncs = io.syncs
        try await io.run {
            guard rename(source, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
            if syncs { try BlobIO.syncFolder(folder) }
        }
        return name
    }

    /// A new body file created straight in `objects/` (or `parts/`) under a fresh blob name, so finishing it needs no
    /// rename: until its row commits, no row names it, and a body a crash left half-written is removed with the other
    /// orphans at the next start.
    /// - Parameter part: Whether it is a multipart part.
    /// - Returns: The file (created at its first write) and its blob name.
    package func bodyFile(part: Bool = false) -> (file: WritableFile, blob: String) {
        let name = Self.blobName()
        return (WritableFile(path: (part ? partsPath : objectsPath) + "/" + name, io: io), name)
    }

    /// Finishes a body from ``bodyFile(part:)`` in one job on the I/O threads: the last bytes are written, the file
    /// (and with `--durability fsync` its folder) synced and closed.
    /// - Parameters:
    ///   - file: The body, fully received.
    ///   - part: Whether it is a multipart part.
    /// - Throws: File-system errors (the file is removed).
    package func finish(_ file: WritableFile, part: Bool = false) async throws {
        do {
            try await file.finish(syncingFolder: part ? partsPath : objectsPath)
        } catch {
            await file.discard()
            throw error
        }
    }

    /// A fresh blob file name: UUID-shaped, unique within the process by a counter and across processes by a
    /// random per-process prefix (no system call per name).
    private static func blobName() -> String { RequestID.uuid() }

    /// Removes blob files, ignoring missing ones, on the calling thread.
    /// - Parameters:
    ///   - objects: Object blob names.
    ///   - parts: Part blob names.
    package func removeBlobs(objects: [String] = [], parts: [String] = []) {
        bodies.drop(objects)
        // An empty name (a delete marker has no body) would name the folder itself.
        for name in objects where !name.isEmpty { try? FileManager.default.removeItem(at: objectURL(name)) }
        for name in parts where !name.isEmpty { try? FileManager.default.removeItem(at: partURL(name)) }
    }

    /// Removes blob files, ignoring missing ones, on the I/O threads.
    /// - Parameters:
    ///   - objects: Object blob names.
    ///   - parts: Part blob names.
    package func discardBlobs(objects: [String] = [], parts: [String] = []) async {
        bodies.drop(objects)
        let objects = objects.filter { !$0.isEmpty }
        let parts = parts.filter { !$0.isEmpty }
        await io.remove(objects.map { objectsPath + "/" + $0 } + parts.map { partsPath + "/" + $0 })
    }

    /// Opens an object's body and reads its first bytes, on the I/O threads.
    /// - Parameters:
    ///   - blob: The blob name.
    ///   - offset: Where reading starts.
    ///   - count: The most bytes the first read returns.
    ///   - keepOpen: Whether more is read later (else the file is closed after the first read).
    /// - Returns: The open file (when kept open) and the first bytes; nil when the blob is gone (the object was
    ///   overwritten or deleted after its row was read).
    /// - Throws: Read failures.
    package func openObject(
        _ blob: String,
        readingAt offset: Int,
        count: Int,
        keepOpen: Bool
    ) async throws -> (file: ReadableFile?, first: ByteBuffer)? {
        try await ReadableFile.opening(objectsPath + "/" + blob, io: io, readingAt: offset, count: count, keepOpen: keepOpen)
    }

    /// An object's whole body from memory (``BodyCache``), read from its blob and kept on a miss; for bodies whose size
    /// the cache keeps (``BodyCache/keeps(size:)``).
    /// - Parameters:
    ///   - blob: The blob name.
    ///   - size: The object's size.
    /// - Returns: The body; nil when the blob is gone (the object was overwritten or deleted after its row was read).
    /// - Throws: When the blob holds fewer than `size` bytes or cannot be read.
    package func wholeObjectBody(_ blob: String, size: Int) async throws -> ByteBuffer? {
        if let kept = bodies.body(blob), kept.readableBytes == size { return kept }
        guard let read = try await openObject(blob, readingAt: 0, count: size, keepOpen: false) else { return nil }
        guard read.first.readableBytes == size else { throw CocoaError(.fileReadCorruptFile) }
        bodies.keep(read.first, for: blob)
        return read.first
    }

    /// Opens an object's body to send it as it is (`sendfile`), on the I/O threads unless it lives in memory.
    /// - Parameters:
    ///   - blob: The blob name.
    ///   - size: The bytes the blob must hold.
    /// - Returns: The open file; nil when the blob is gone (overwritten or deleted after its row was read).
    /// - Throws: When the blob is shorter than `size` or cannot be opened.
    package func openObjectForSending(_ blob: String, size: Int) async throws -> ReadableFile? {
        try await ReadableFile.openingForSending(objectsPath + "/" + blob, io: io, size: size)
    }

    // MARK: Buckets

    /// Creates the template's buckets, or brings an existing bucket's configuration back to the template's.
    /// - Parameters:
    ///   - buckets: Name, region and configuration of each template bucket.
    ///   - now: The creation time for new buckets.
    /// - Throws: Database errors.
    package func bootstrap(_ buckets: [(name: String, region: String, configuration: BucketConfiguration)], now: Date) throws {
        defer { invalidateBuckets() }
        try database.write { db in
            for bucket in buckets {
                if var existing = try BucketRecord.fetchOne(db, key: bucket.name) {
                    existing.configuration = bucket.configuration
                    try existing.update(db)
                } else {
                    try BucketRecord(name: bucket.name, region: bucket.region, creationDate: now, configuration: bucket.configuration).insert(db)
                }
            }
        }
    }

    /// One bucket.
    /// - Parameter name: The bucket name.
    /// - Returns: The record, or nil.
    /// - Throws: Database errors.
    package func bucket(_ name: String) async throws -> BucketRecord? {
        let (cached, generation) = bucketCache.withLock { ($0.records[name], $0.generation) }
        if let cached { return cached }
        // One statement: SQLite's own snapshot suffices, no transaction around it.
        let record = try await quickRead { db in
            try BucketRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM bucket WHERE name = ?"), arguments: [name])
        }
        if let record {
            // Only if no bucket changed since the read began: a concurrent change must not be hidden by an older row.
            bucketCache.withLock { cache in
                if cache.generation == generation { cache.records[name] = record }
            }
        }
        return record
    }

    /// Drops the cached bucket rows (after any change to the bucket table).
    func invalidateBuckets() {
        bucketCache.withLock { cache in
            cache.generation += 1
            cache.records.removeAll()
        }
    }

    /// Whether a bucket row exists (inside a transaction).
    private static func bucketExists(_ db: Database, _ name: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM bucket WHERE name = ?"), arguments: [name]) ?? false
    }

    /// What a write needs of a key's latest row when no condition asks for more.
    private struct LatestRow {
        var versionId: String
        var sequence: Int
        var isDeleteMarker: Bool
        var blob: String
    }

    /// Those columns of a key's latest row (inside a transaction): an unconditional write decodes no more.
    private static func fetchLatestRow(_ db: Database, bucket: String, key: String) throws -> LatestRow? {
        let statement = try db.cachedStatement(
            sql: "SELECT versionId, sequence, isDeleteMarker, blob FROM object WHERE bucket = ? AND key = ? AND isLatest = 1"
        )
        guard let row = try Row.fetchOne(statement, arguments: [bucket, key]) else { return nil }
        return LatestRow(versionId: row[0], sequence: row[1], isDeleteMarker: row[2], blob: row[3])
    }

    /// The latest row of a key (inside a transaction).
    private static func fetchObject(_ db: Database, bucket: String, key: String) throws -> ObjectRecord? {
        try ObjectRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM object WHERE bucket = ? AND key = ? AND isLatest = 1"),
            arguments: [bucket, key]
        )
    }

    /// One version of a key (inside a transaction).
    private static func fetchVersion(_ db: Database, bucket: String, key: String, versionId: String) throws -> ObjectRecord? {
        try ObjectRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM object WHERE bucket = ? AND key = ? AND versionId = ?"),
            arguments: [bucket, key, versionId]
        )
    }

    /// Every bucket by name.
    /// - Returns: The records.
    /// - Throws: Database errors.
    package func buckets() async throws -> [BucketRecord] {
        try await database.read { db in try BucketRecord.order(Column("name")).fetchAll(db) }
    }

    /// Creates a bucket unless it exists.
    /// - Parameter record: The bucket.
    /// - Returns: `false` when it already existed.
    /// - Throws: Database errors.
    package func createBucket(_ record: BucketRecord) async throws -> Bool {
        defer { invalidateBuckets() }
        return try await database.write { db in
            if try BucketRecord.exists(db, key: record.name) { return false }
            try record.insert(db)
            return true
        }
    }

    /// Outcome of a bucket deletion.
    package enum DeleteBucketOutcome: Sendable {
        /// Deleted; the listed part blobs of aborted uploads should be removed.
        case deleted(partBlobs: [String])
        /// No such bucket.
        case noSuchBucket
        /// The bucket holds objects.
        case notEmpty
    }

    /// Deletes an empty bucket (its in-progress uploads go with it).
    /// - Parameter name: The bucket.
    /// - Returns: The outcome.
    /// - Throws: Database errors.
    package func deleteBucket(_ name: String) async throws -> DeleteBucketOutcome {
        defer { invalidateBuckets() }
        return try await database.write { db in
            guard try BucketRecord.exists(db, key: name) else { return .noSuchBucket }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM object WHERE bucket = ?", arguments: [name]) ?? 0
            guard count == 0 else { return .notEmpty }
            let blobs = try String.fetchAll(
                db,
                sql: "SELECT part.blob FROM part JOIN upload USING (uploadId) WHERE upload.bucket = ?",
                arguments: [name]
            )
            _ = try BucketRecord.deleteOne(db, key: name)
            return .deleted(partBlobs: blobs)
        }
    }

    /// Changes a bucket's configuration in one transaction.
    /// - Parameters:
    ///   - name: The bucket.
    ///   - change: The change.
    /// - Returns: The new configuration, or nil when the bucket does not exist.
    /// - Throws: Database errors.
    package func updateConfiguration(
        _ name: String,
        _ change: @escaping @Sendable (inout BucketConfiguration) -> Void
    ) async throws -> BucketConfiguration? {
        defer { invalidateBuckets() }
        return try await database.write { db in
            guard var record = try BucketRecord.fetchOne(db, key: name) else { return nil }
            change(&record.configuration)
            try record.update(db)
            return record.configuration
        }
    }

    /// Checks and changes a bucket's configuration in one transaction; an error thrown by `change` leaves it as it was.
    /// - Parameters:
    ///   - name: The bucket.
    ///   - change: The check and change.
    /// - Returns: The new configuration, or nil when the bucket does not exist.
    /// - Throws: What `change` throws; database errors.
    package func checkedUpdateConfiguration(
        _ name: String,
        _ change: @escaping @Sendable (inout BucketConfiguration) throws -> Void
    ) async throws -> BucketConfiguration? {
        defer { invalidateBuckets() }
        return try await database.write { db in
            guard var record = try BucketRecord.fetchOne(db, key: name) else { return nil }
            try change(&record.configuration)
            try record.update(db)
            return record.configuration
        }
    }

    /// Replaces the ACL of an object version (the latest when `versionId` is nil) in one transaction.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: The version, or nil for the latest.
    ///   - acl: The new ACL.
    /// - Returns: The row as changed, or nil when there is no such version; a delete marker is returned unchanged.
    /// - Throws: Database errors.
    package func setACL(bucket: String, key: String, versionId: String?, acl: AccessControlList) async throws -> ObjectRecord? {
        try await quickWrite { db in
            let found =
                if let versionId {
                    try Self.fetchVersion(db, bucket: bucket, key: key, versionId: versionId)
                } else {
                    try Self.fetchObject(db, bucket: bucket, key: key)
                }
            guard var row = found else { return nil }
            guard !row.isDeleteMarker else { return row }
            try db.execute(
                sql: "UPDATE object SET acl = ? WHERE bucket = ? AND key = ? AND versionId = ?",
                arguments: [try StoredJSON.text(acl), bucket, key, row.versionId]
            )
            row.acl = acl
            return row
        }
    }

    // MARK: Objects

    /// The latest row of a key: its current version, or its current delete marker.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    /// - Returns: The record, or nil when the key has no versions.
    /// - Throws: Database errors.
    package func object(bucket: String, key: String) async throws -> ObjectRecord? {
        // One statement: SQLite's own snapshot suffices, no transaction around it.
        try await quickRead { db in try Self.fetchObject(db, bucket: bucket, key: key) }
    }

    /// One version of a key (or one delete marker).
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: The version id (`null` for the null version).
    /// - Returns: The record, or nil.
    /// - Throws: Database errors.
    package func version(bucket: String, key: String, versionId: String) async throws -> ObjectRecord? {
        try await quickRead { db in try Self.fetchVersion(db, bucket: bucket, key: key, versionId: versionId) }
    }

    /// The outcome of a write that may be refused by its condition.
    package enum WriteOutcome: Sendable, Equatable {
        /// Committed; the replaced object's blob (to remove), if there was one.
        case written(replacedBlob: String?)
        /// The bucket vanished meanwhile.
        case bucketMissing
        /// The multipart upload was completed or aborted meanwhile.
        case uploadMissing
        /// The condition did not hold against the current row (nothing changed).
        case conditionFailed(WriteCondition.Failure)
    }

    /// Stores an object row as its key's new latest version, if its condition holds against the current version.
    ///
    /// A record whose version id is `null` (a bucket that was never versioned, or is suspended) replaces the key's
    /// null version wherever it is; any other version id is added beside the key's versions. The condition is
    /// evaluated in the write transaction that commits the row, so of two concurrent `If-None-Match: *` writes exactly
    /// one commits.
    /// - Parameters:
    ///   - record: The object, with its version id.
    ///   - condition: The `If-Match` / `If-None-Match` condition, if any.
    /// - Returns: The outcome; on anything but `.written` the caller removes the record's own blob.
    /// - Throws: Database errors.
    package func putObject(_ record: ObjectRecord, condition: WriteCondition? = nil) async throws -> WriteOutcome {
        try await quickWrite { db in
            guard try Self.bucketExists(db, record.bucket) else { return .bucketMissing }
            var stored = record
            return try Self.install(db, &stored, condition: condition)
        }
    }

    /// Makes a record its key's latest version inside a write transaction (see ``putObject(_:condition:)``), setting
    /// its `isLatest` and `sequence`.
    private static func install(_ db: Database, _ record: inout ObjectRecord, condition: WriteCondition?) throws -> WriteOutcome {
        let latest: LatestRow?
        if let condition {
            let current = try fetchObject(db, bucket: record.bucket, key: record.key)
            if let failure = condition.failure(current: current.flatMap { $0.isDeleteMarker ? nil : $0 }) {
                return .conditionFailed(failure)
            }
            latest = current.map { LatestRow(versionId: $0.versionId, sequence: $0.sequence, isDeleteMarker: $0.isDeleteMarker, blob: $0.blob) }
        } else {
            latest = try fetchLatestRow(db, bucket: record.bucket, key: record.key)
        }
        record.isLatest = true
        record.sequence = (latest?.sequence ?? 0) + 1
        if let latest, latest.versionId == record.versionId {
            // The common case of unversioned buckets: the null version is replaced where it stands.
            try record.replaceRow(db)
            return .written(replacedBlob: latest.isDeleteMarker ? nil : latest.blob)
        }
        var replaced: String?
        if record.versionId == "null", let old = try fetchVersion(db, bucket: record.bucket, key: record.key, versionId: "null") {
            try deleteRow(db, old)
            replaced = old.isDeleteMarker ? nil : old.blob
        }
        if let latest {
            try db.execute(
                sql: "UPDATE object SET isLatest = 0 WHERE bucket = ? AND key = ? AND versionId = ?",
                arguments: [record.bucket, record.key, latest.versionId]
            )
        }
        try record.insert(db)
        return .written(replacedBlob: replaced)
    }

    /// What a delete changed.
    package struct DeleteOutcome: Sendable {
        /// The row removed for good, if any (a version deleted by id, the null version of an unversioned bucket).
        package var removed: ObjectRecord?
        /// The delete marker created, if any.
        package var marker: ObjectRecord?
        /// Blobs no row refers to any more (to remove).
        package var freedBlobs: [String]
    }

    /// Deletes a key without a version id: in a bucket that was never versioned the null version goes; otherwise
    /// `marker` becomes the key's latest row (a `null` marker replaces the null version, as in suspended buckets).
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - marker: The delete marker to add, or nil for a bucket that was never versioned.
    /// - Returns: What changed.
    /// - Throws: Database errors.
    package func deleteObject(bucket: String, key: String, marker: ObjectRecord?) async throws -> DeleteOutcome {
        try await quickWrite { db in
            guard let marker else {
                guard let removed = try Self.fetchVersion(db, bucket: bucket, key: key, versionId: "null") else {
                    return DeleteOutcome(removed: nil, marker: nil, freedBlobs: [])
                }
                try Self.removeVersion(db, removed)
                return DeleteOutcome(removed: removed, marker: nil, freedBlobs: removed.isDeleteMarker ? [] : [removed.blob])
            }
            guard try Self.bucketExists(db, bucket) else { return DeleteOutcome(removed: nil, marker: nil, freedBlobs: []) }
            var stored = marker
            guard case .written(let replaced) = try Self.install(db, &stored, condition: nil) else {
                return DeleteOutcome(removed: nil, marker: nil, freedBlobs: [])
            }
            return DeleteOutcome(removed: nil, marker: stored, freedBlobs: replaced.map { [$0] } ?? [])
        }
    }

    /// Deletes one version (or delete marker) of a key for good; when it was the latest, the next newest becomes
    /// the latest.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: The version id.
    /// - Returns: The deleted row, or nil when there was no such version.
    /// - Throws: Database errors.
    package func deleteVersion(bucket: String, key: String, versionId: String) async throws -> ObjectRecord? {
        try await quickWrite { db in
            guard let row = try Self.fetchVersion(db, bucket: bucket, key: key, versionId: versionId) else { return nil }
            try Self.removeVersion(db, row)
            return row
        }
    }

    /// Deletes a row and, when it was the latest, promotes the key's next newest row.
    private static func removeVersion(_ db: Database, _ row: ObjectRecord) throws {
        try deleteRow(db, row)
        if row.isLatest {
            try db.execute(
                sql: """
                    UPDATE object SET isLatest = 1 WHERE bucket = ? AND key = ? AND sequence =
                    (SELECT MAX(sequence) FROM object WHERE bucket = ? AND key = ?)
                    """,
                arguments: [row.bucket, row.key, row.bucket, row.key]
            )
        }
    }

    private static func deleteRow(_ db: Database, _ row: ObjectRecord) throws {
        try db.execute(
            sql: "DELETE FROM object WHERE bucket = ? AND key = ? AND versionId = ?",
            arguments: [row.bucket, row.key, row.versionId]
        )
    }

    /// Deletes a version only if it is still the row a caller examined (same version, same body blob, same
    /// latest/noncurrent standing) and still satisfies the caller's test, all checked in the deleting transaction.
    ///
    /// Every write gives an object a new blob name, so an object overwritten after the caller read it no longer
    /// matches and survives (the lifecycle sweeper relies on this).
    /// - Parameters:
    ///   - examined: The row as the caller read it.
    ///   - stillDue: Re-evaluated on the current row (for example against tags changed meanwhile).
    /// - Returns: The deleted row, or nil when the row changed, vanished or is no longer due.
    /// - Throws: Database errors.
    package func deleteObject(
        ifUnchanged examined: ObjectRecord,
        stillDue: @escaping @Sendable (ObjectRecord) -> Bool = { _ in true }
    ) async throws -> ObjectRecord? {
        try await database.write { db in
            guard let current = try Self.fetchVersion(db, bucket: examined.bucket, key: examined.key, versionId: examined.versionId),
                current.blob == examined.blob, current.isLatest == examined.isLatest, stillDue(current)
            else { return nil }
            try Self.removeVersion(db, current)
            return current
        }
    }

    /// Puts a delete marker over a key's current version only if that version is still the row a caller examined
    /// and still due (the lifecycle expiration of a versioned bucket's current version).
    /// - Parameters:
    ///   - examined: The current version as the caller read it.
    ///   - marker: The delete marker to add.
    ///   - stillDue: Re-evaluated on the current row.
    /// - Returns: The outcome, or nil when the row changed, vanished or is no longer due.
    /// - Throws: Database errors.
    package func addDeleteMarker(
        ifUnchanged examined: ObjectRecord,
        marker: ObjectRecord,
        stillDue: @escaping @Sendable (ObjectRecord) -> Bool
    ) async throws -> DeleteOutcome? {
        try await database.write { db in
            var stored = marker
            guard let current = try Self.fetchObject(db, bucket: examined.bucket, key: examined.key),
                current.versionId == examined.versionId, current.blob == examined.blob, !current.isDeleteMarker, stillDue(current),
                case .written(let replaced) = try Self.install(db, &stored, condition: nil)
            else { return nil }
            return DeleteOutcome(removed: nil, marker: stored, freedBlobs: replaced.map { [$0] } ?? [])
        }
    }

    /// Removes a key's delete marker if it is still the key's only row (an expired object delete marker).
    /// - Parameter examined: The marker as the caller read it.
    /// - Returns: Whether it was removed.
    /// - Throws: Database errors.
    package func removeExpiredDeleteMarker(_ examined: ObjectRecord) async throws -> Bool {
        try await database.write { db in
            let count =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM object WHERE bucket = ? AND key = ?",
                    arguments: [examined.bucket, examined.key]
                ) ?? 0
            guard count == 1,
                let current = try Self.fetchVersion(db, bucket: examined.bucket, key: examined.key, versionId: examined.versionId),
                current.isDeleteMarker
            else { return false }
            try Self.deleteRow(db, current)
            return true
        }
    }

    /// The outcome of a tag change.
    package enum TaggingOutcome: Sendable {
        /// Changed; the updated row.
        case updated(ObjectRecord)
        /// No such key (or its latest row is a delete marker, when no version was named).
        case noSuchKey
        /// No such version.
        case noSuchVersion
        /// The named version is a delete marker.
        case deleteMarker(ObjectRecord)
    }

    /// Changes the tags of a key's current version or of one version.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: The version, or nil for the current one.
    ///   - tags: The new tags.
    /// - Returns: The outcome.
    /// - Throws: Database errors.
    package func setTags(bucket: String, key: String, versionId: String? = nil, tags: [S3Tag]) async throws -> TaggingOutcome {
        try await database.write { db in
            let row: ObjectRecord?
            if let versionId {
                row = try Self.fetchVersion(db, bucket: bucket, key: key, versionId: versionId)
            } else {
                row = try Self.fetchObject(db, bucket: bucket, key: key)
            }
            guard var record = row else { return versionId == nil ? .noSuchKey : .noSuchVersion }
            if record.isDeleteMarker { return versionId == nil ? .noSuchKey : .deleteMarker(record) }
            record.tags = tags
            try record.update(db)
            return .updated(record)
        }
    }

    /// Current (latest, not delete-marker) objects in key order after a key, with a prefix.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - prefix: The key prefix.
    ///   - after: Only keys greater than this.
    ///   - limit: The batch size.
    /// - Returns: The rows.
    /// - Throws: Database errors.
    package func objects(bucket: String, prefix: String, after: String?, limit: Int) async throws -> [ObjectRecord] {
        try await database.read { db in
            var sql = "SELECT * FROM object WHERE bucket = ? AND isLatest = 1"
            var arguments: StatementArguments = [bucket]
            Self.restrict(&sql, &arguments, prefix: prefix)
            if let after {
                sql += " AND key > ?"
                _ = arguments.append(contentsOf: [after])
            }
            sql += " AND isDeleteMarker = 0 ORDER BY key LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try ObjectRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
    }

    /// Every version and delete marker in key order, newest first within a key, after a position.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - prefix: The key prefix.
    ///   - after: Only rows after this position.
    ///   - limit: The batch size.
    /// - Returns: The rows.
    /// - Throws: Database errors.
    package func versions(bucket: String, prefix: String, after: VersionPosition?, limit: Int) async throws -> [ObjectRecord] {
        try await database.read { db in
            var sql = "SELECT * FROM object WHERE bucket = ?"
            var arguments: StatementArguments = [bucket]
            Self.restrict(&sql, &arguments, prefix: prefix)
            if let after {
                switch after {
                case .afterKey(let key):
                    sql += " AND key > ?"
                    _ = arguments.append(contentsOf: [key])
                case .afterVersion(let key, let sequence):
                    sql += " AND (key > ? OR (key = ? AND sequence < ?))"
                    _ = arguments.append(contentsOf: [key, key, sequence])
                }
            }
            sql += " ORDER BY key, sequence DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try ObjectRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
    }

    private static func restrict(_ sql: inout String, _ arguments: inout StatementArguments, prefix: String) {
        guard !prefix.isEmpty else { return }
        sql += " AND substr(key, 1, ?) = ? AND key >= ?"
        _ = arguments.append(contentsOf: [prefix.utf8.count, prefix, prefix])
    }

    /// Every version and delete marker of a bucket (for the lifecycle sweeper), by key, newest first within a key.
    /// - Parameter bucket: The bucket.
    /// - Returns: The rows.
    /// - Throws: Database errors.
    package func allObjects(bucket: String) async throws -> [ObjectRecord] {
        try await database.read { db in
            try ObjectRecord.fetchAll(db, sql: "SELECT * FROM object WHERE bucket = ? ORDER BY key, sequence DESC", arguments: [bucket])
        }
    }

    /// The number of buckets and of stored object versions (delete markers not counted).
    /// - Returns: The counts.
    /// - Throws: Database errors.
    package func counts() async throws -> (buckets: Int, objects: Int) {
        try await database.read { db in
            (try BucketRecord.fetchCount(db), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM object WHERE isDeleteMarker = 0") ?? 0)
        }
    }

    // MARK: Multipart

    /// Records a new upload.
    /// - Parameter record: The upload.
    /// - Throws: Database errors.
    package func createUpload(_ record: UploadRecord) async throws {
        try await database.write { db in try record.insert(db) }
    }

    /// One upload.
    /// - Parameter uploadId: The id.
    /// - Returns: The upload, or nil.
    /// - Throws: Database errors.
    package func upload(_ uploadId: String) async throws -> UploadRecord? {
        try await database.read { db in try UploadRecord.fetchOne(db, key: uploadId) }
    }

    /// Stores a part, replacing an earlier part with the same number.
    /// - Parameter record: The part.
    /// - Returns: The replaced blob, or nil; `uploadMissing` when the upload was completed or aborted meanwhile.
    /// - Throws: Database errors.
    package func putPart(_ record: PartRecord) async throws -> (replaced: String?, uploadMissing: Bool) {
        try await database.write { db in
            guard try UploadRecord.exists(db, key: record.uploadId) else { return (record.blob, true) }
            let previous = try PartRecord.fetchOne(db, key: ["uploadId": record.uploadId, "partNumber": record.partNumber])
            try record.save(db)
            return (previous?.blob, false)
        }
    }

    /// The parts of an upload by number.
    /// - Parameter uploadId: The id.
    /// - Returns: The parts.
    /// - Throws: Database errors.
    package func parts(_ uploadId: String) async throws -> [PartRecord] {
        try await database.read { db in
            try PartRecord.filter(Column("uploadId") == uploadId).order(Column("partNumber")).fetchAll(db)
        }
    }

    /// Removes an upload and its parts.
    /// - Parameter uploadId: The id.
    /// - Returns: The part blobs to remove, or nil when there was no such upload.
    /// - Throws: Database errors.
    package func removeUpload(_ uploadId: String) async throws -> [String]? {
        try await database.write { db in
            guard try UploadRecord.exists(db, key: uploadId) else { return nil }
            let blobs = try String.fetchAll(db, sql: "SELECT blob FROM part WHERE uploadId = ?", arguments: [uploadId])
            _ = try UploadRecord.deleteOne(db, key: uploadId)
            return blobs
        }
    }

    /// Completes an upload atomically: the object row replaces any previous one and the upload disappears.
    ///
    /// A write condition is evaluated against the current row in the same transaction; when it fails nothing
    /// changes (the upload stays, so the client may retry).
    /// - Parameters:
    ///   - uploadId: The upload.
    ///   - record: The assembled object.
    ///   - condition: The `If-Match` / `If-None-Match` condition, if any.
    /// - Returns: The outcome and, when written, the part blobs to remove.
    /// - Throws: Database errors.
    package func completeUpload(
        _ uploadId: String,
        object record: ObjectRecord,
        condition: WriteCondition? = nil
    ) async throws -> (outcome: WriteOutcome, parts: [String]) {
        try await database.write { db in
            guard try UploadRecord.exists(db, key: uploadId) else { return (.uploadMissing, []) }
            var stored = record
            let outcome = try Self.install(db, &stored, condition: condition)
            guard case .written = outcome else { return (outcome, []) }
            let partBlobs = try String.fetchAll(db, sql: "SELECT blob FROM part WHERE uploadId = ?", arguments: [uploadId])
            _ = try UploadRecord.deleteOne(db, key: uploadId)
            return (outcome, partBlobs)
        }
    }

    /// In-progress uploads of a bucket, by key then initiation.
    /// - Parameter bucket: The bucket.
    /// - Returns: The uploads.
    /// - Throws: Database errors.
    package func uploads(bucket: String) async throws -> [UploadRecord] {
        try await database.read { db in
            try UploadRecord.filter(Column("bucket") == bucket).order(Column("key"), Column("initiated"), Column("uploadId")).fetchAll(db)
        }
    }
}

/// S3's conditional-write headers (`If-None-Match: *`, `If-Match: <etag>`), judged against the row a write would
/// replace.
package struct WriteCondition: Sendable, Equatable {
    /// Why a condition failed.
    package enum Failure: Sendable, Equatable {
        /// 412 PreconditionFailed, naming the header.
        case preconditionFailed(String)
        /// 404 NoSuchKey: `If-Match` on a key with no object.
        case noSuchKey
        /// 409 ConditionalRequestConflict: the object `If-Match` was checked against was deleted meanwhile.
        case conflict
    }

    /// `If-None-Match: *`: the key must have no object.
    package var ifNoneMatchAny: Bool
    /// `If-Match`: the current ETag must be one of these (or `*`).
    package var ifMatch: String?
    /// Whether an object existed when the request was first checked (before its body was read): `If-Match`
    /// against a key whose object was deleted meanwhile is a conflict rather than `NoSuchKey`.
    package var objectSeenEarlier: Bool

    /// Creates a condition.
    /// - Parameters:
    ///   - ifNoneMatchAny: `If-None-Match: *` was sent.
    ///   - ifMatch: The `If-Match` value.
    ///   - objectSeenEarlier: Whether an object existed at the early check.
    package init(ifNoneMatchAny: Bool, ifMatch: String?, objectSeenEarlier: Bool = false) {
        self.ifNoneMatchAny = ifNoneMatchAny
        self.ifMatch = ifMatch
        self.objectSeenEarlier = objectSeenEarlier
    }

    /// Evaluates the condition against the current row.
    /// - Parameter current: The object the write would replace, if any.
    /// - Returns: Why it fails, or nil when the write may proceed.
    package func failure(current: ObjectRecord?) -> Failure? {
        if ifNoneMatchAny, current != nil { return .preconditionFailed("If-None-Match") }
        if let ifMatch {
            guard let current else { return objectSeenEarlier ? .conflict : .noSuchKey }
            if !S3Service.etagMatches(ifMatch, current.etag) { return .preconditionFailed("If-Match") }
        }
        return nil
    }
}
