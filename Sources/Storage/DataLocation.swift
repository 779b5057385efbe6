import EmulatorCore
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How hard the emulator works to keep what it acknowledged (`--durability`).
package enum Durability: String, Sendable, CaseIterable {
    /// Nothing acknowledged is lost when the process is killed (`kill -9`, a crash): S3 bodies are written and
    /// renamed into place and SQLite commits to its write-ahead log, with no `fsync` per write. An operating-system
    /// crash or power loss may lose the last writes.
    case process
    /// As ``process``, and every acknowledged write is on stable storage: S3 bodies and their folders are
    /// `fsync`ed before the metadata commit, and SQLite runs with `synchronous = FULL`.
    case fsync
}

/// Where a service keeps its data: a folder on disk, or memory only (`--ephemeral`).
package enum DataLocation: Sendable, Equatable {
    /// Files under this folder, one SQLite database (WAL) per service and blob folders beside it; folders are
    /// created 0700 and files 0600, and a running emulator holds the folder's ``DataFolderLock``. `durability`
    /// says whether acknowledged writes must survive only the process being killed or also a power loss.
    case directory(URL, durability: Durability = .process)
    /// Nothing touches the disk: databases in memory, blob files in a memory file system when there is one
    /// (see ``ephemeralBase``), removed at shutdown.
    case ephemeral

    /// The durability of acknowledged writes (``Durability/process`` for ephemeral data, which no restart sees).
    package var durability: Durability {
        switch self {
        case .directory(_, let durability): durability
        case .ephemeral: .process
        }
    }

    /// Whether acknowledged writes must reach stable storage (`fsync`) before they are acknowledged.
    package var syncsToStableStorage: Bool {
        if case .directory(_, .fsync) = self { return true }
        return false
    }

    /// Opens (creating if needed) a service's database and runs its migrations.
    ///
    /// On disk this is one `DatabasePool` in WAL mode for the life of the process: a write that returned is in
    /// the WAL and survives the process being killed (`kill -9`); with ``Durability/fsync`` SQLite also syncs the
    /// WAL at every commit (`synchronous = FULL`), so it survives a power loss. Ephemeral databases are in-memory
    /// queues.
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
        case .directory(let folder, let durability):
            try Self.makePrivateDirectory(folder)
            let path = folder.appendingPathComponent("\(name).sqlite").path
            // SQLite gives the -wal and -shm files the mode of the database file: create it 0600 first.
            try Self.makePrivateFile(path)
            for suffix in ["-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
                try Self.makePrivateFile(path + suffix)
            }
            let synchronous = durability == .fsync ? "FULL" : "NORMAL"
            configuration.prepareDatabase { db in
                // WAL + NORMAL: committed transactions survive a process crash; only an OS crash may lose the last ones.
                // WAL + FULL (--durability fsync): the WAL is synced at every commit, so they survive a power loss too.
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            }
            writer = try DatabasePool(path: path, configuration: configuration)
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
        case .directory(let root, _): folder = root.appendingPathComponent(name, isDirectory: true)
        case .ephemeral:
            folder = Self.ephemeralBase
                .appendingPathComponent("synapscribe-local-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
                .appendingPathComponent(name, isDirectory: true)
        }
        try Self.makePrivateDirectory(folder)
        return folder
    }

    /// Whether blob files live in memory (`--ephemeral` on a tmpfs, see ``ephemeralBase``): writing or reading a
    /// small one then never waits for a disk.
    package var blobsInMemory: Bool {
        guard case .ephemeral = self else { return false }
        return Self.ephemeralBase.path != FileManager.default.temporaryDirectory.path
    }

    /// Where `--ephemeral` blobs live: memory (`/dev/shm`) when it is a tmpfs with at least 1 GiB free and `TMPDIR`
    /// does not name another place, else the temporary folder.
    ///
    /// In memory, as `--ephemeral` promises and as moto and ministack keep objects; on disk every small PutObject
    /// paid an inode allocation (on an ext4 without a journal, a scan past every recently deleted inode: a quarter
    /// of the request's CPU under load). Folders left in memory by an emulator that was killed are removed first.
    static let ephemeralBase: URL = {
        let temporary = FileManager.default.temporaryDirectory
        #if os(Linux)
        let memory = "/dev/shm"
        guard ProcessInfo.processInfo.environment["TMPDIR", default: ""].isEmpty, isTmpfs(memory), access(memory, W_OK) == 0
        else { return temporary }
        var info = statvfs()
        guard statvfs(memory, &info) == 0 else { return temporary }
        let free = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        guard !free.overflow, free.partialValue >= 1 << 30 else { return temporary }
        removeAbandonedFolders(in: memory)
        return URL(fileURLWithPath: memory, isDirectory: true)
        #else
        return temporary
        #endif
    }()

    /// Whether a folder is the mount point of a tmpfs (from `/proc/self/mounts`).
    private static func isTmpfs(_ path: String) -> Bool {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return false }
        return mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == path && fields[2] == "tmpfs"
        }
    }

    /// Removes `synapscribe-local-<pid>` folders of processes that no longer run (left by a killed emulator).
    /// - Parameter base: The folder holding them.
    package static func removeAbandonedFolders(in base: String) {
        let prefix = "synapscribe-local-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0, kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: base + "/" + name)
        }
    }

    /// Creates a folder (and missing parents) readable only by the owner (0700), or restricts an existing one.
    /// - Parameter folder: The folder.
    /// - Throws: File-system errors.
    package static func makePrivateDirectory(_ folder: URL) throws {
        try FileManager.default.createDirectory(
            at: folder,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        guard chmod(folder.path, 0o700) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    /// Creates an empty file readable only by the owner (0600) unless it exists, and restricts an existing one.
    /// - Parameter path: The file path.
    /// - Throws: File-system errors.
    package static func makePrivateFile(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }
}
