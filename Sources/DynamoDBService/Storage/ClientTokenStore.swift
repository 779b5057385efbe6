import Foundation
import GRDB

/// TransactWriteItems `ClientRequestToken`s in SQLite, so that idempotency is decided in the write transaction
/// and survives a restart with the data folder.
///
/// A token is valid for 10 minutes of virtual time after the call that first used it succeeded: a call with the
/// same token and the same parameters gets the first call's response without applying anything, and one with
/// other parameters gets `IdempotentParameterMismatchException`.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
enum ClientTokenStore {
    /// How long a token stays valid (10 minutes).
    static let window: TimeInterval = 600

    /// The migration creating the token table (registered after `dynamodb-v1`).
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("dynamodb-v2-client-tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ddb_client_token (
                        token TEXT PRIMARY KEY NOT NULL,
                        parameters BLOB NOT NULL,
                        created REAL NOT NULL,
                        response BLOB NOT NULL
                    );
                    CREATE INDEX ddb_client_token_created ON ddb_client_token (created);
                    """
            )
        }
    }

    /// Forgets expired tokens and looks one up.
    /// - Parameters:
    ///   - db: The database, inside the write transaction of the call.
    ///   - token: The client request token.
    ///   - parameters: The call's canonical parameters.
    ///   - now: Virtual time (epoch seconds).
    /// - Returns: The recorded response for a repeated call, or nil when the token is new (or expired).
    /// - Throws: `IdempotentParameterMismatchException` for the same token with other parameters; database errors.
    static func replay(_ db: Database, token: String, parameters: Data, now: TimeInterval) throws -> Data? {
        try db.execute(sql: "DELETE FROM ddb_client_token WHERE created <= ?", arguments: [now - window])
        guard let row = try Row.fetchOne(db, sql: "SELECT parameters, response FROM ddb_client_token WHERE token = ?", arguments: [token])
        else { return nil }
        let recorded: Data = row["parameters"]
        guard recorded == parameters else {
            throw DynamoDBError(.idempotentParameterMismatchException, DynamoDBMessages.idempotentMismatch)
        }
        return row["response"]
    }

    /// Records a successful call's token.
    /// - Parameters:
    ///   - db: The database, inside the write transaction of the call.
    ///   - token: The client request token.
    ///   - parameters: The call's canonical parameters.
    ///   - response: The response body to repeat.
    ///   - now: Virtual time (epoch seconds).
    /// - Throws: Database errors.
    static func record(_ db: Database, token: String, parameters: Data, response: Data, now: TimeInterval) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO ddb_client_token (token, parameters, created, response) VALUES (?, ?, ?, ?)",
            arguments: [token, parameters, now, response]
        )
    }
}
