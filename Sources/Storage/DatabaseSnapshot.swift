import EmulatorCore
import Foundation
import GRDB

/// Copies a live SQLite database into a snapshot file and back, with SQLite's online backup API: each copy is one
/// consistent picture of the database, taken (or put in place) in one step while the writer is held.
package enum DatabaseSnapshot {
    /// Writes a copy of a live database into `file` (0600), replacing one left there.
    /// - Parameters:
    ///   - source: The live database (a pool on disk, a queue in memory with `--ephemeral`).
    ///   - file: The snapshot file.
    /// - Throws: GRDB or file-system errors.
    package static func save(_ source: any DatabaseWriter, to file: URL) throws {
        try? FileManager.default.removeItem(at: file)
        try DataLocation.makePrivateFile(file.path)
        let destination = try DatabaseQueue(path: file.path)
        try source.backup(to: destination)
        // A plain file (no -wal/-shm beside it): the snapshot folder is read back, listed and deleted as files.
        try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try destination.close()
    }

    /// Replaces a live database's whole content with a snapshot file's, in one step.
    /// - Parameters:
    ///   - destination: The live database.
    ///   - file: The snapshot file written by ``save(_:to:)``.
    /// - Throws: ``SnapshotFailure`` when the file is missing; GRDB errors.
    package static func restore(_ destination: any DatabaseWriter, from file: URL) throws {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw SnapshotFailure("the snapshot has no \(file.lastPathComponent); save it again")
        }
        let source = try DatabaseQueue(path: file.path)
        try source.backup(to: destination)
        try source.close()
    }
}
