import EmulatorCore
import Foundation
import GRDB
import Storage

/// Snapshots of S3: `s3.sqlite` (every bucket, object row, version, upload and part, by SQLite's backup API) and the
/// body files in `s3-objects/` and `s3-parts/`, as hard links (bodies are never written in place, so a link is a
/// copy that costs nothing) or copies when the snapshot folder is on another file system.
package struct S3Snapshot: SnapshottableService {
    /// The service.
    package let service: S3Service

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: S3Service) {
        self.service = service
    }

    /// `s3`.
    package var snapshotName: String { "s3" }

    /// Copies the database, then links every body file it refers to.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database or file-system errors.
    package func saveSnapshot(into folder: URL) async throws {
        let store = service.store
        let file = folder.appendingPathComponent("s3.sqlite")
        try DatabaseSnapshot.save(store.database, to: file)
        let (objects, parts) = try Self.blobNames(inSnapshot: file)
        try SnapshotFiles.place(objects, from: store.objectURL(""), to: folder.appendingPathComponent("s3-objects", isDirectory: true))
        try SnapshotFiles.place(parts, from: store.partURL(""), to: folder.appendingPathComponent("s3-parts", isDirectory: true))
    }

    /// Links the snapshot's body files back into place, replaces the database, drops the bucket cache and removes the
    /// body files only the replaced state referred to.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure``, database or file-system errors.
    package func restoreSnapshot(from folder: URL) async throws {
        let store = service.store
        let file = folder.appendingPathComponent("s3.sqlite")
        let (objects, parts) = try Self.blobNames(inSnapshot: file)
        try SnapshotFiles.place(objects, from: folder.appendingPathComponent("s3-objects", isDirectory: true), to: store.objectURL(""))
        try SnapshotFiles.place(parts, from: folder.appendingPathComponent("s3-parts", isDirectory: true), to: store.partURL(""))
        let (oldObjects, oldParts) = try await store.database.read { db in
            (try String.fetchAll(db, sql: "SELECT blob FROM object"), try String.fetchAll(db, sql: "SELECT blob FROM part"))
        }
        try DatabaseSnapshot.restore(store.database, from: file)
        store.invalidateBuckets()
        store.bodies.dropAll()
        let keptObjects = Set(objects)
        let keptParts = Set(parts)
        await store.discardBlobs(objects: oldObjects.filter { !keptObjects.contains($0) }, parts: oldParts.filter { !keptParts.contains($0) })
    }

    /// The body file names a snapshot's database refers to.
    private static func blobNames(inSnapshot file: URL) throws -> (objects: [String], parts: [String]) {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw SnapshotFailure("the snapshot has no \(file.lastPathComponent); save it again")
        }
        let queue = try DatabaseQueue(path: file.path)
        defer { try? queue.close() }
        return try queue.read { db in
            (
                try String.fetchAll(db, sql: "SELECT DISTINCT blob FROM object WHERE blob != ''"),
                try String.fetchAll(db, sql: "SELECT DISTINCT blob FROM part WHERE blob != ''")
            )
        }
    }
}
