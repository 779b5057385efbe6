import EmulatorCore
import Foundation

/// Snapshots of CloudWatch Logs: `logs.json`, every log group with its retention, streams and events (the Lambda
/// functions' output included), which live in memory.
package struct LogsSnapshot: SnapshottableService {
    /// The service.
    package let service: LogsService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: LogsService) {
        self.service = service
    }

    /// `logs`.
    package var snapshotName: String { "logs" }

    /// Writes the store as JSON (0600).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Encoding or file-system errors.
    package func saveSnapshot(into folder: URL) async throws {
        let file = folder.appendingPathComponent("logs.json")
        guard FileManager.default.createFile(atPath: file.path, contents: try service.store.snapshotData(), attributes: [.posixPermissions: 0o600])
        else { throw SnapshotFailure("could not write \(file.path)") }
    }

    /// Replaces the store with the saved one.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or decoding errors.
    package func restoreSnapshot(from folder: URL) async throws {
        let file = folder.appendingPathComponent("logs.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SnapshotFailure("the snapshot has no logs.json; save it again")
        }
        try service.store.restore(from: data)
    }
}
