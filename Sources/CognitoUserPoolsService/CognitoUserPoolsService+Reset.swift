import EmulatorCore
import Foundation
import GRDB
import Storage

/// `POST /_local/reset` for Cognito user pools: the template's pools, app clients, groups and domains as the template
/// declares them, with no users, memberships, refresh tokens or sessions; pools, clients, groups and domains created
/// through the API are deleted. A template pool keeps its signing key.
package struct UserPoolsReset: ResettableService {
    /// The service.
    package let service: CognitoUserPoolsService
    /// The template's user pool resources.
    package let template: UserPoolTemplate

    /// Creates the hook.
    /// - Parameters:
    ///   - service: The service.
    ///   - template: The template's user pool resources.
    package init(service: CognitoUserPoolsService, template: UserPoolTemplate) {
        self.service = service
        self.template = template
    }

    /// `cognito-idp`.
    package var resetName: String { "cognito-idp" }

    /// Deletes every user, membership, token and API-created pool, client, group and domain in one transaction, then
    /// rewrites the template's pools, clients, groups and domains.
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        try await service.store.db.write { db in
            try db.execute(sql: "DELETE FROM poolToken")
            try db.execute(sql: "DELETE FROM poolUser")
            try db.execute(sql: "DELETE FROM poolDomain WHERE fromTemplate = 0")
            try db.execute(sql: "DELETE FROM poolGroup WHERE fromTemplate = 0")
            try db.execute(sql: "DELETE FROM userPoolClient WHERE fromTemplate = 0")
            try db.execute(sql: "DELETE FROM userPool WHERE fromTemplate = 0")
        }
        try service.syncTemplate(template)
    }
}

/// Snapshots of Cognito user pools: `cognito-idp.sqlite` (pools with their signing keys, app clients, users, groups
/// and memberships, domains, refresh tokens), copied with SQLite's backup API.
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
