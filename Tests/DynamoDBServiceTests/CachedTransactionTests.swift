import GRDB
import Storage
import Testing

/// Write transactions begun and committed by cached statements behave as GRDB's `write`: committed work stays, a
/// thrown error rolls back, and the connection is usable again afterwards.
@Suite struct CachedTransactionTests {
    private struct Refused: Error {}

    @Test func commitsAndRollsBack() async throws {
        let database = try DatabaseQueue()
        try await database.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)") }
        for id in 1...3 {
            try await database.cachedWrite { db in try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [id]) }
        }
        await #expect(throws: Refused.self) {
            try await database.cachedWrite { db in
                try db.execute(sql: "INSERT INTO t VALUES (4)")
                throw Refused()
            }
        }
        // A constraint failure inside the body rolls back the rows the body wrote before it.
        #expect(throws: DatabaseError.self) {
            try database.cachedWriteHere { db in
                try db.execute(sql: "INSERT INTO t VALUES (5)")
                try db.execute(sql: "INSERT INTO t VALUES (1)")
            }
        }
        let ids = try await database.read { db in try Int.fetchAll(db, sql: "SELECT id FROM t ORDER BY id") }
        #expect(ids == [1, 2, 3])
        #expect(try database.cachedWriteHere { db in db.isInsideTransaction })
        #expect(try await database.writeWithoutTransaction { db in db.isInsideTransaction } == false)
    }
}
