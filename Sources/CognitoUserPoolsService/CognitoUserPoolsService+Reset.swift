import EmulatorCore
import Foundation
import GRDB
import Storage

/// `POST /_local/reset` for Cognito user pools: the template's pools and app clients as the template declares them,
/// with no users, refresh tokens or sessions; pools and clients created through the API are deleted. A template
/// pool keeps its signing key.
package struct UserPoolsReset: ResettableService {
    /// The service.
    package let service: CognitoUserPoolsService
    /// The template's pools.
    package let pools: [UserPoolSpec]
    /// The template's app clients.
    package let clients: [UserPoolClientSpec]

    /// Creates the hook.
    /// - Parameters:
    ///   - service: The service.
    ///   - pools: The template's pools.
    ///   - clients: The template's app clients.
    package init(service: CognitoUserPoolsService, pools: [UserPoolSpec], clients: [UserPoolClientSpec]) {
        self.service = service
        self.pools = pools
        self.clients = clients
    }

    /// `cognito-idp`.
    package var resetName: String { "cognito-idp" }

    /// Deletes every user, token and API-created pool and client in one transaction, then rewrites the template's
    /// pools and clients.
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        try await service.store.db.write { db in
            try db.execute(sql: "DELETE FROM poolToken")
            try db.execute(sql: "DELETE FROM poolUser")
            try db.execute(sql: "DELETE FROM userPoolClient WHERE fromTemplate = 0")
            try db.execute(sql: "DELETE FROM userPool WHERE fromTemplate = 0")
        }
        try service.syncTemplate(pools: pools, clients: clients)
    }
}

/// Snapshots of Cognito user pools: `cognito-idp.sqlite` (pools with their signing keys, app clients, users,
/// refresh tokens), copied with SQLite's backup API.
package struct UserPoolsSnapshot: SnapshottableService {
    /// The service.
    package let service: CognitoUserPoolsService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: CognitoUserPoolsService) {
        self.service = service
    }

    /// `cognito-idp`.
    package var snapshotName: String { "cognito-idp" }

    /// Copies the database.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database errors.
    package func saveSnapshot(into folder: URL) async throws {
        try DatabaseSnapshot.save(service.store.db, to: folder.appendingPathComponent("cognito-idp.sqlite"))
    }

    /// Replaces the database.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or database errors.
    package func restoreSnapshot(from folder: URL) async throws {
        try DatabaseSnapshot.restore(service.store.db, from: folder.appendingPathComponent("cognito-idp.sqlite"))
    }
}
