import Foundation
import GRDB
import Testing

@testable import DynamoDBService

@Suite("Client request tokens")
struct ClientTokenStoreTests {
    func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try ItemStore.migrator.migrate(queue)
        return queue
    }

    @Test func aRecordedTokenReplaysItsResponseForTheSameParameters() throws {
        let queue = try database()
        let parameters = Data("{\"a\":1}".utf8)
        try queue.write { db in
            #expect(try ClientTokenStore.replay(db, token: "t", parameters: parameters, now: 1000) == nil)
            try ClientTokenStore.record(db, token: "t", parameters: parameters, response: Data("{}".utf8), now: 1000)
            #expect(try ClientTokenStore.replay(db, token: "t", parameters: parameters, now: 1599) == Data("{}".utf8))
        }
    }

    @Test func otherParametersWithinTheWindowAreAMismatch() throws {
        let queue = try database()
        try queue.write { db in
            try ClientTokenStore.record(db, token: "t", parameters: Data("{\"a\":1}".utf8), response: Data("{}".utf8), now: 1000)
            #expect(throws: DynamoDBError(.idempotentParameterMismatchException, DynamoDBMessages.idempotentMismatch)) {
                _ = try ClientTokenStore.replay(db, token: "t", parameters: Data("{\"a\":2}".utf8), now: 1300)
            }
        }
    }

    @Test func tokensExpireAfterTenMinutesOfVirtualTime() throws {
        let queue = try database()
        try queue.write { db in
            try ClientTokenStore.record(db, token: "t", parameters: Data("{\"a\":1}".utf8), response: Data("{}".utf8), now: 1000)
            #expect(try ClientTokenStore.replay(db, token: "t", parameters: Data("{\"a\":2}".utf8), now: 1600) == nil)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ddb_client_token") == 0)
        }
    }

    @Test func canonicalParametersIgnoreKeyOrder() {
        let first = DynamoDBService.canonicalParameters(Data("{\"b\":\"x\",\"a\":{\"d\":1,\"c\":2}}".utf8))
        let second = DynamoDBService.canonicalParameters(Data("{\"a\":{\"c\":2,\"d\":1},\"b\":\"x\"}".utf8))
        #expect(first == second)
    }
}
