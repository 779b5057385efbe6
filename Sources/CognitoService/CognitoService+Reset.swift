import EmulatorCore
import Foundation
import GRDB

/// `POST /_local/reset` for Cognito Identity: the template's identity pools as the template declares them, with no
/// identities (nor developer or user pool logins); pools created through the API are deleted.
package struct CognitoReset: ResettableService {
    /// The service.
    package let service: CognitoService
    /// The template's pools.
    package let pools: [IdentityPoolSpec]

    /// Creates the hook.
    /// - Parameters:
    ///   - service: The service.
    ///   - pools: The template's pools.
    package init(service: CognitoService, pools: [IdentityPoolSpec]) {
        self.service = service
        self.pools = pools
    }

    /// `cognito-identity`.
    package var resetName: String { "cognito-identity" }

    /// Deletes every identity, developer login and API-created pool in one transaction, then rewrites the template's
    /// pools (roles and settings changed through the API are undone).
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        try await service.store.db.write { db in
            try db.execute(sql: "DELETE FROM developerLogin")
            try db.execute(sql: "DELETE FROM providerLogin")
            try db.execute(sql: "DELETE FROM identity")
            try db.execute(sql: "DELETE FROM identityPool WHERE fromTemplate = 0")
        }
        try service.store.syncTemplatePools(pools.map(CognitoService.record(from:)), now: service.sessions.clock.now)
    }
}
