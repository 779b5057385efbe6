import Foundation

/// A service whose data can be saved into a snapshot folder and brought back from one (`POST /_local/snapshots`,
/// `POST /_local/snapshots/{name}/restore`).
///
/// Each service writes its own files into the folder it is given (SQLite copies made with SQLite's backup API, body
/// files as hard links) and, on restore, replaces its live data with them in as few steps as it can, then drops
/// whatever it caches. The admin API holds new requests off while a restore runs (``RequestGate``).
package protocol SnapshottableService: Sendable {
    /// The name reported by the snapshot endpoints (`s3`, `dynamodb`...); also the prefix of its files.
    var snapshotName: String { get }

    /// Writes the service's data into `folder` (which exists and is empty of this service's files).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Storage errors (the snapshot is then removed whole).
    func saveSnapshot(into folder: URL) async throws

    /// Replaces the service's data with what ``saveSnapshot(into:)`` wrote into `folder`.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Storage errors, or ``SnapshotFailure`` when the folder lacks the service's files.
    func restoreSnapshot(from folder: URL) async throws

    /// Runs before a restore holds requests off: what needs requests to flow (a WebSocket `$disconnect` handler
    /// that writes through the edge port) happens here. Most services have nothing to do.
    func prepareRestore() async
}

extension SnapshottableService {
    /// Nothing to do before a restore.
    package func prepareRestore() async {}
}

/// Why a snapshot could not be used.
package struct SnapshotFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words, with the next step.
    package var description: String

    /// Creates the failure.
    /// - Parameter description: What went wrong.
    package init(_ description: String) {
        self.description = description
    }
}
