import Foundation
import GRDB
import Storage
import Testing

@testable import DynamoDBService

/// `--durability`: how the data folder's SQLite databases commit.
@Suite struct DataLocationDurabilityTests {
    /// The `PRAGMA synchronous` level of a database opened on a fresh folder (1 = NORMAL, 2 = FULL).
    func synchronousLevel(_ make: (URL) -> DataLocation) throws -> Int? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("durability-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try make(folder).openDatabase(named: "dynamodb", migrator: ItemStore.migrator)
        return try database.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    }

    @Test func theDefaultSurvivesAProcessKillWithoutSyncingEachCommit() throws {
        #expect(try synchronousLevel { .directory($0) } == 1)
        #expect(try synchronousLevel { .directory($0, durability: .process) } == 1)
        #expect(DataLocation.directory(URL(fileURLWithPath: "/tmp/x")).durability == .process)
        #expect(!DataLocation.directory(URL(fileURLWithPath: "/tmp/x")).syncsToStableStorage)
    }

    @Test func fsyncSyncsEveryCommit() throws {
        #expect(try synchronousLevel { .directory($0, durability: .fsync) } == 2)
        #expect(DataLocation.directory(URL(fileURLWithPath: "/tmp/x"), durability: .fsync).syncsToStableStorage)
        #expect(!DataLocation.ephemeral.syncsToStableStorage)
    }
}
