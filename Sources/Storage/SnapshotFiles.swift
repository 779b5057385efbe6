import EmulatorCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Body files in snapshots (S3 object bodies, Lambda deployment packages): files that are never written in place, so
/// a hard link is a copy that costs nothing (a real copy when the folders are on different file systems).
package enum SnapshotFiles {
    /// Hard-links (or copies, across file systems) each named file from one folder into another; a file already
    /// there is kept (same name, same bytes). Names with a `/` and `..` are skipped.
    /// - Parameters:
    ///   - names: The file names.
    ///   - source: The folder they are in.
    ///   - target: The folder they go to (created 0700 when missing).
    /// - Throws: ``SnapshotFailure`` when a named file is missing from `source`; file-system errors.
    package static func place(_ names: [String], from source: URL, to target: URL) throws {
        try DataLocation.makePrivateDirectory(target)
        for name in names where !name.contains("/") && name != ".." {
            let from = source.appendingPathComponent(name).path
            let to = target.appendingPathComponent(name).path
            if link(from, to) == 0 || errno == EEXIST { continue }
            if errno == ENOENT { throw SnapshotFailure("the body file \(name) is missing from \(source.path)") }
            try FileManager.default.copyItem(atPath: from, toPath: to)
        }
    }

    /// The names of the plain files in a folder (none when it does not exist), hidden files left out.
    /// - Parameter folder: The folder.
    /// - Returns: The names.
    package static func names(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
    }
}
