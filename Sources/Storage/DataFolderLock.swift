import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a data folder could not be locked.
package struct DataFolderLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data folder.
    package var folder: String
    /// The process holding the lock, when it wrote its pid.
    package var holderPID: Int32?
    /// A system error that prevented locking (nil when another process holds the lock).
    package var systemError: String?

    /// One line naming the folder and the other process.
    package var description: String {
        if let systemError {
            return "cannot lock the data folder \(folder): \(systemError)"
        }
        let holder = holderPID.map { "another synapscribe-local process (pid \($0))" } ?? "another synapscribe-local process"
        return "the data folder \(folder) is in use by \(holder); stop it, or start with another --data-dir or with --ephemeral"
    }
}

/// An exclusive lock on a data folder for the life of the process (`flock` on `<folder>/synapscribe-local.lock`).
///
/// Two emulators on one folder would remove each other's temporary files and interleave writes to the same
/// databases, so the second one refuses to start. The kernel drops the lock when the descriptor is closed,
/// including when the process is killed (`kill -9`), so a stale lock file never blocks a restart. The file holds
/// the pid of the process that holds the lock, for the error message.
package final class DataFolderLock: Sendable {
    /// The lock file's name inside the data folder.
    package static let fileName = "synapscribe-local.lock"

    private let descriptor: Mutex<Int32>

    /// Creates (0700) the folder if needed and takes the lock without waiting.
    /// - Parameter folder: The data folder.
    /// - Throws: ``DataFolderLockError`` when another process holds the lock or the file cannot be opened.
    package init(folder: URL) throws(DataFolderLockError) {
        let path = folder.appendingPathComponent(Self.fileName).path
        do {
            try DataLocation.makePrivateDirectory(folder)
        } catch {
            throw DataFolderLockError(folder: folder.path, holderPID: nil, systemError: String(describing: error))
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DataFolderLockError(folder: folder.path, holderPID: nil, systemError: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw DataFolderLockError(folder: folder.path, holderPID: holder, systemError: nil)
            }
            throw DataFolderLockError(folder: folder.path, holderPID: nil, systemError: String(cString: strerror(code)))
        }
        _ = fchmod(fd, 0o600)
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = Mutex(fd)
    }

    /// Releases the lock (idempotent; also done when the object goes away).
    package func release() {
        let fd = descriptor.withLock { value -> Int32 in
            defer { value = -1 }
            return value
        }
        if fd >= 0 { close(fd) }
    }

    deinit { release() }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
