import Foundation
import GRDB
import SigV4

/// Issued temporary credentials in the data folder's `credentials.sqlite`, so that they survive a restart until
/// they expire, as on AWS (nothing is written with `--ephemeral`: the emulator never opens it then).
///
/// Each row keeps what authorizing the credentials needs after a restart: the secret and session token, the
/// expiry, the principal (`assumed-role/ROLE/SESSION`), the role ARN and the session's context keys (Cognito's
/// identity id and pool as `cognito-identity.amazonaws.com:sub`/`aud`). The folder's issuer key, which seals
/// every session token (see ``CredentialStore``), is kept beside them.
package final class IssuedCredentialDatabase: IssuedCredentialPersistence {
    private let db: any DatabaseWriter
    private let onError: @Sendable (String) -> Void

    /// The migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-issued-credentials") { db in
            try db.execute(
                sql: """
                    CREATE TABLE issuedCredential (
                        accessKeyId TEXT PRIMARY KEY NOT NULL,
                        secretAccessKey TEXT NOT NULL,
                        sessionToken TEXT NOT NULL,
                        expiration REAL NOT NULL,
                        principal TEXT NOT NULL,
                        roleArn TEXT,
                        sessionContext TEXT NOT NULL
                    );
                    CREATE INDEX issuedCredentialByExpiration ON issuedCredential(expiration);
                    CREATE TABLE issuerKey (
                        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                        key BLOB NOT NULL
                    );
                    """
            )
        }
        return migrator
    }

    /// Opens (creating if needed) the credential table of a data folder.
    /// - Parameters:
    ///   - location: The data folder.
    ///   - onError: Told about writes that failed (the credentials then work until the process stops).
    /// - Throws: GRDB errors when the file cannot be opened or migrated.
    package init(location: DataLocation, onError: @escaping @Sendable (String) -> Void) throws {
        db = try location.openDatabase(named: "credentials", migrator: Self.migrator)
        self.onError = onError
    }

    /// The folder's issuer key, created (32 random bytes) on first use.
    /// - Returns: The key bytes.
    /// - Throws: GRDB errors.
    package func issuerKey() throws -> [UInt8] {
        try db.write { db in
            if let data = try Data.fetchOne(db, sql: "SELECT key FROM issuerKey WHERE id = 1"), data.count >= 32 {
                return Array(data)
            }
            var generator = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            try db.execute(sql: "INSERT OR REPLACE INTO issuerKey (id, key) VALUES (1, ?)", arguments: [Data(key)])
            return key
        }
    }

    /// The credentials still valid at `now`; rows expired at `now` are deleted.
    /// - Parameter now: The current virtual time.
    /// - Returns: The credentials to restore.
    /// - Throws: GRDB errors.
    package func restore(now: Date) throws -> [TemporaryCredential] {
        try db.write { db in
            try db.execute(sql: "DELETE FROM issuedCredential WHERE expiration <= ?", arguments: [now.timeIntervalSince1970])
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM issuedCredential")
            return rows.compactMap(Self.credential(from:))
        }
    }

    /// The number of rows (tests and health).
    /// - Returns: The row count.
    /// - Throws: GRDB errors.
    package func count() throws -> Int {
        try db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issuedCredential") ?? 0 }
    }

    /// Records newly issued credentials.
    /// - Parameter credential: The credentials.
    package func save(_ credential: TemporaryCredential) {
        do {
            let context = String(decoding: try JSONEncoder().encode(credential.sessionContext), as: UTF8.self)
            try db.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO issuedCredential
                            (accessKeyId, secretAccessKey, sessionToken, expiration, principal, roleArn, sessionContext)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        credential.accessKeyId, credential.secretAccessKey, credential.sessionToken,
                        credential.expiration.timeIntervalSince1970, credential.principal, credential.roleArn, context,
                    ]
                )
            }
        } catch {
            onError("could not record issued credentials \(credential.accessKeyId): \(error)")
        }
    }

    /// Deletes credentials.
    /// - Parameter accessKeyIds: Their access key ids.
    package func delete(accessKeyIds: [String]) {
        do {
            try db.write { db in
                for accessKeyId in accessKeyIds {
                    try db.execute(sql: "DELETE FROM issuedCredential WHERE accessKeyId = ?", arguments: [accessKeyId])
                }
            }
        } catch {
            onError("could not delete \(accessKeyIds.count) purged credentials: \(error)")
        }
    }

    /// The credentials in a row, or nil for a row that does not decode (it is then simply not restored).
    private static func credential(from row: Row) -> TemporaryCredential? {
        func text(_ column: String) -> String? { String.fromDatabaseValue(row[column] as DatabaseValue) }
        guard let accessKeyId = text("accessKeyId"), let secret = text("secretAccessKey"), let token = text("sessionToken"),
            let expiration = Double.fromDatabaseValue(row["expiration"] as DatabaseValue), let principal = text("principal"),
            let contextText = text("sessionContext"),
            let context = try? JSONDecoder().decode([String: [String]].self, from: Data(contextText.utf8))
        else { return nil }
        return TemporaryCredential(
            accessKeyId: accessKeyId,
            secretAccessKey: secret,
            sessionToken: token,
            expiration: Date(timeIntervalSince1970: expiration),
            principal: principal,
            roleArn: text("roleArn"),
            sessionContext: context
        )
    }
}
