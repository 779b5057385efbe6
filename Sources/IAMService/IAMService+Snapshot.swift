import EmulatorCore
import Foundation
import IAM
import Storage

/// Snapshots of IAM: `iam.json`, the whole directory (users, roles, policies, access keys) as the data folder keeps
/// it; a restore replaces the live directory (and its saved copy) with it.
package struct IAMSnapshot: SnapshottableService {
    /// The live directory.
    package let directory: IAMDirectory

    /// Creates the hook.
    /// - Parameter directory: The live directory.
    package init(directory: IAMDirectory) {
        self.directory = directory
    }

    /// `iam`.
    package var snapshotName: String { "iam" }

    /// Writes the state as JSON (0600).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Encoding or file-system errors.
    package func saveSnapshot(into folder: URL) async throws {
        let file = folder.appendingPathComponent("iam.json")
        try DataLocation.makePrivateFile(file.path)
        try JSONEncoder().encode(directory.state).write(to: file)
    }

    /// Replaces the state with the saved one.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure``, decoding errors or ``IAMError`` when the state cannot be persisted.
    package func restoreSnapshot(from folder: URL) async throws {
        let file = folder.appendingPathComponent("iam.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SnapshotFailure("the snapshot has no iam.json; save it again")
        }
        let saved = try JSONDecoder().decode(IAMState.self, from: data)
        try directory.mutate { state throws(IAMError) in state = saved }
    }
}
