import EmulatorCore
import Foundation
import SigV4

/// Snapshots of the temporary credentials the emulator issued (STS `AssumeRole*`, `GetSessionToken`, Cognito
/// `GetCredentialsForIdentity`, Lambda execution roles): `credentials.json`, each with its secret, session token,
/// expiry, principal, role and session context.
///
/// A restore adds the snapshot's credentials back (valid again until their own expiry, on the restored clock) and
/// keeps those issued since: AWS never revokes session credentials before they expire, and warm Lambda environments
/// of functions the restore leaves alone keep signing with theirs. What any of them may do is decided by the
/// restored IAM state (a role the snapshot does not hold denies everything).
package struct IssuedCredentialSnapshot: SnapshottableService {
    /// The emulator's credential store.
    package let store: CredentialStore

    /// Creates the hook.
    /// - Parameter store: The credential store.
    package init(store: CredentialStore) {
        self.store = store
    }

    /// `issued-credentials`.
    package var snapshotName: String { "issued-credentials" }

    /// Writes the issued credentials as JSON (0600).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Encoding or file-system errors.
    package func saveSnapshot(into folder: URL) async throws {
        let file = folder.appendingPathComponent("credentials.json")
        try DataLocation.makePrivateFile(file.path)
        try JSONEncoder().encode(store.issuedTemporaries).write(to: file)
    }

    /// Adds the saved credentials back (recorded in the data folder's `credentials.sqlite` too).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or decoding errors.
    package func restoreSnapshot(from folder: URL) async throws {
        let file = folder.appendingPathComponent("credentials.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SnapshotFailure("the snapshot has no credentials.json; save it again")
        }
        for credential in try JSONDecoder().decode([TemporaryCredential].self, from: data)
        where store.temporary(for: credential.accessKeyId) != credential {
            store.addTemporary(credential)
        }
    }
}
