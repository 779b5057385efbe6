import EmulatorCore
import Foundation
import GRDB

/// Where a service keeps its data: a folder on disk, or memory only (`--ephemeral`).
package enum DataLocation: Sendable, Equatable {
    /// Files under this folder, one SQLite database (WAL) per service and blob folders beside it.
    case directory(URL)
    /// Nothing touches the disk except temporary blob files, removed at shutdown.
    case ephemeral

    /// Opens (creating if needed) a service's database and runs its migrations.
    ///
    /// On disk this is one `DatabasePool` in WAL mode for the life of the process: a write that returned is in
    /// the WAL and survives the process being killed (`kill -9`). Ephemeral databases are in-memory queues.
    /// - Parameters:
    ///   - name: The file name without extension, for example `dynamodb`.
    ///   - migrator: The service's migrations, registered under string names and never edited after merge.
    /// - Returns: The database writer.
    /// - Throws: GRDB errors when the file cannot be opened or a migration fails.
    package func openDatabase(named name: String, migrator: DatabaseMigrator) throws -> any DatabaseWriter {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let writer: any DatabaseWriter
        switch self {
        case .directory(let folder):
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            configuration.prepareDatabase { db in
                // WAL + NORMAL: committed transactions survive a process crash; only an OS crash may lose the last ones.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            writer = try DatabasePool(path: folder.appendingPathComponent("\(name).sqlite").path, configuration: configuration)
        case .ephemeral:
            // A private in-memory database: emulators started side by side in one process (tests) must not share
            // tables, as a named (shared-cache) database would make them do.
            writer = try DatabaseQueue(configuration: configuration)
        }
        try migrator.migrate(writer)
        return writer
    }

    /// A folder for a service's blobs (S3 object bodies), created if needed.
    /// - Parameter name: The service's folder name, for example `s3`.
    /// - Returns: The folder URL.
    /// - Throws: File-system errors.
    package func blobDirectory(named name: String) throws -> URL {
        let folder: URL
        switch self {
        case .directory(let root): folder = root.appendingPathComponent(name, isDirectory: true)
        case .ephemeral:
            folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("synapscribe-local-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
                .appendingPathComponent(name, isDirectory: true)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
