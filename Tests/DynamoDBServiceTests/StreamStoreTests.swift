import EmulatorCore
import Foundation
import GRDB
import Testing

@testable import DynamoDBService

@Suite("DynamoDB Streams store")
struct StreamStoreTests {
    static let label = "2026-12-03T10:00:00.000"

    func table(viewType: String = "NEW_AND_OLD_IMAGES") -> TableMetadata {
        TableMetadata(
            id: 1,
            name: "t",
            tableId: "x",
            arn: "arn:aws:dynamodb:us-east-1:000000000000:table/t",
            attributeDefinitions: [AttributeDefinitionEntry(AttributeName: "pk", AttributeType: "S")],
            keySchema: [KeySchemaEntry(AttributeName: "pk", KeyType: "HASH")],
            billingMode: "PAY_PER_REQUEST",
            readCapacity: 0,
            writeCapacity: 0,
            indexes: [],
            ttlAttribute: nil,
            ttlEnabled: false,
            tags: [:],
            creationTime: 0,
            streamEnabled: true,
            streamViewType: viewType,
            streamLabel: Self.label,
            deletionProtection: false,
            tableClass: "STANDARD",
            sseEnabled: false
        )
    }

    /// A store with table `t` (stream enabled) and its recording view.
    func store(viewType: String = "NEW_AND_OLD_IMAGES", clock: VirtualClock) throws -> (DatabaseQueue, TableView) {
        let queue = try DatabaseQueue()
        try ItemStore.migrator.migrate(queue)
        let meta = try queue.write { db in try ItemStore.insertTable(db, table(viewType: viewType)) }
        return (queue, TableView(meta).recording(clock: clock))
    }

    @Test func sequenceNumbersAreTwentyOneDigitsAndRoundTrip() {
        #expect(StreamStore.wire(1) == "100000000000000000001")
        #expect(StreamStore.wire(123_456_789) == "100000000000123456789")
        #expect(StreamStore.wire(Int64.max).count == 21)
        #expect(StreamStore.parse(StreamStore.wire(42)) == 42)
        #expect(StreamStore.wire(9) < StreamStore.wire(10))
        for bad in ["", "1", "10000000000000000000x", "200000000000000000001", "1000000000000000000001", "-00000000000000000001"] {
            #expect(StreamStore.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func writesRecordInsertModifyRemoveAndSkipWritesThatChangeNothing() throws {
        let clock = VirtualClock()
        let (queue, view) = try store(clock: clock)
        let first = item(#"{"pk": {"S": "a"}, "v": {"N": "1"}}"#)
        let second = item(#"{"pk": {"S": "a"}, "v": {"N": "2"}}"#)
        try queue.write { db in
            try ItemStore.replace(db, table: view, old: nil, new: first)
            try ItemStore.replace(db, table: view, old: first, new: first)
            try ItemStore.replace(db, table: view, old: first, new: second)
            try ItemStore.replace(db, table: view, old: second, new: nil, origin: .timeToLive)
        }
        let rows = try queue.read { db -> [StreamRecordRow] in
            let stream = try #require(try StreamStore.stream(db, arn: view.meta.streamArn ?? ""))
            return try StreamStore.records(db, stream: stream, after: 0, limit: 10)
        }
        #expect(rows.map(\.eventName) == ["INSERT", "MODIFY", "REMOVE"])
        #expect(rows.map(\.byService) == [false, false, true])
        #expect(rows.map(\.sequence) == rows.map(\.sequence).sorted())
        #expect(rows[1].oldImage.map(ItemCodec.decode) == first && rows[1].newImage.map(ItemCodec.decode) == second)
    }

    @Test(arguments: ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
    func viewTypesKeepTheirImages(viewType: String) throws {
        let (queue, view) = try store(viewType: viewType, clock: VirtualClock())
        let old = item(#"{"pk": {"S": "a"}, "v": {"N": "1"}}"#)
        let new = item(#"{"pk": {"S": "a"}, "v": {"N": "2"}}"#)
        try queue.write { db in try ItemStore.replace(db, table: view, old: old, new: new) }
        let rows = try queue.read { db -> [StreamRecordRow] in
            guard let stream = try StreamStore.stream(db, arn: view.meta.streamArn ?? "") else { return [] }
            return try StreamStore.records(db, stream: stream, after: 0, limit: 1)
        }
        let row = try #require(rows.first)
        #expect(ItemCodec.decode(row.keys) == item(#"{"pk": {"S": "a"}}"#))
        #expect((row.newImage != nil) == viewType.hasPrefix("NEW"))
        #expect((row.oldImage != nil) == (viewType == "OLD_IMAGE" || viewType == "NEW_AND_OLD_IMAGES"))
    }

    @Test func tableWithoutStreamRecordsNothing() throws {
        let queue = try DatabaseQueue()
        try ItemStore.migrator.migrate(queue)
        var meta = table()
        meta.streamEnabled = false
        meta.streamLabel = nil
        let stored = try queue.write { db in try ItemStore.insertTable(db, meta) }
        let view = TableView(stored).recording(clock: VirtualClock())
        #expect(view.stream == nil)
        try queue.write { db in try ItemStore.replace(db, table: view, old: nil, new: item(#"{"pk": {"S": "a"}}"#)) }
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ddb_stream_record") } == 0)
    }

    @Test func trimmingRemembersTheLastTrimmedSequenceAndForgetsOldDisabledStreams() throws {
        let clock = VirtualClock()
        let (queue, view) = try store(clock: clock)
        try queue.write { db in try ItemStore.replace(db, table: view, old: nil, new: item(#"{"pk": {"S": "a"}}"#)) }
        let arn = view.meta.streamArn ?? ""
        let now = clock.now.timeIntervalSince1970
        try queue.write { db in try StreamStore.trim(db, now: now + 86_401) }
        let trimmed = try queue.read { db in try StreamStore.stream(db, arn: arn) }
        #expect(trimmed?.trimmedSequence == 1)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ddb_stream_record") } == 0)
        try queue.write { db in
            try StreamStore.disable(db, table: view.meta.id, keep: nil, now: now)
            try StreamStore.trim(db, now: now + 3600)
        }
        #expect(try queue.read { db in try StreamStore.stream(db, arn: arn) }?.disabled == now)
        try queue.write { db in try StreamStore.trim(db, now: now + 86_401) }
        #expect(try queue.read { db in try StreamStore.stream(db, arn: arn) } == nil)
    }
}
