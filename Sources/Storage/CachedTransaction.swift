import GRDB

extension Database {
    /// Runs `body` in an immediate transaction whose `BEGIN` and `COMMIT` are cached prepared statements.
    ///
    /// GRDB's `write` and `inTransaction` execute `BEGIN IMMEDIATE TRANSACTION` and `COMMIT TRANSACTION` as SQL text,
    /// which SQLite parses again for every transaction (`sqlite3RunParser` in the profiles of issue 11); a one-row
    /// write such as S3 PutObject or DynamoDB PutItem paid that twice per request. The semantics are GRDB's: an error
    /// thrown by `body` or by the commit rolls the transaction back and is rethrown.
    /// - Parameter body: The work inside the transaction.
    /// - Returns: Its result.
    /// - Throws: Its error, or the database's.
    package func cachedTransaction<T>(_ body: () throws -> T) throws -> T {
        try cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let result = try body()
            try cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return result
        } catch {
            if isInsideTransaction { try? rollback() }
            throw error
        }
    }
}

extension DatabaseWriter {
    /// A write transaction (``GRDB/Database/cachedTransaction(_:)``) on the writer's queue.
    /// - Parameter body: The work.
    /// - Returns: Its result.
    /// - Throws: Its error, or the database's.
    package func cachedWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writeWithoutTransaction { db in try db.cachedTransaction { try body(db) } }
    }

    /// A write transaction (``GRDB/Database/cachedTransaction(_:)``) on the calling thread, waiting for the writer.
    /// - Parameter body: The work.
    /// - Returns: Its result.
    /// - Throws: Its error, or the database's.
    package func cachedWriteHere<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction { db in try db.cachedTransaction { try body(db) } }
    }
}
