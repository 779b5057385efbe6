import EmulatorCore
import Foundation
import GRDB
import Storage

/// Snapshots of Cognito Identity: `cognito.sqlite` (identity pools, identities, developer and user pool logins), copied with
/// SQLite's backup API.
package struct CognitoSnapshot: SnapshottableService {
    /// The service.
    package let service: CognitoService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: CognitoService) {
        self.service = service
    }

    /// `cognito-identity`.
    package var snapshotName: String { "cognito-identity" }

    /// Copies the database.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database errors.
    package func saveSnapshot(into folder: URL) async throws {
        try DatabaseSnapshot.save(service.store.db, to: folder.appendingPathComponent("cognito.sqlite"))
    }

    /// Replaces the database.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or database errors.
    package func restoreSnapshot(from folder: URL) async throws {
        try DatabaseSnapshot.restore(service.store.db, from: folder.appendingPathComponent("cognito.sqlite"))
    }
}
