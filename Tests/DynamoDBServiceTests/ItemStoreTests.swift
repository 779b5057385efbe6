import EmulatorCore
import Foundation
import GRDB
import Storage
import Testing

@testable import DynamoDBService

@Suite("Item store")
struct ItemStoreTests {
    static func table(id: Int64 = 1, indexes: [IndexMetadata] = []) -> TableView {
        TableView(
            TableMetadata(
                id: id,
                name: "t",
                tableId: "x",
                arn: "arn:aws:dynamodb:us-east-1:000000000000:table/t",
                attributeDefinitions: [
                    AttributeDefinitionEntry(AttributeName: "pk", AttributeType: "S"),
                    AttributeDefinitionEntry(AttributeName: "sk", AttributeType: "N"),
                    AttributeDefinitionEntry(AttributeName: "g", AttributeType: "S"),
                ],
                keySchema: [KeySchemaEntry(AttributeName: "pk", KeyType: "HASH"), KeySchemaEntry(AttributeName: "sk", KeyType: "RANGE")],
                billingMode: "PAY_PER_REQUEST",
                readCapacity: 0,
                writeCapacity: 0,
                indexes: indexes,
                ttlAttribute: "exp",
                ttlEnabled: true,
                tags: [:],
                creationTime: 0,
                streamEnabled: false,
                deletionProtection: false,
                tableClass: "STANDARD",
                sseEnabled: false
            )
        )
    }

    static let keysOnlyIndex = IndexMetadata(
        name: "by-g",
        keySchema: [KeySchemaEntry(AttributeName: "g", KeyType: "HASH")],
        projectionType: "KEYS_ONLY",
        nonKeyAttributes: nil,
        readCapacity: 0,
        writeCapacity: 0,
        isGlobal: true
    )

    static func database() throws -> any DatabaseWriter {
        try DataLocation.ephemeral.openDatabase(named: "dynamodb-test-\(UUID().uuidString)", migrator: ItemStore.migrator)
    }

    @Test("put, read back, replace and delete keep index rows in step")
    func replaceMaintainsIndexRows() throws {
        let db = try Self.database()
        var meta = Self.table().meta
        meta.indexes = [Self.keysOnlyIndex]
        let stored = try db.write { try ItemStore.insertTable($0, meta) }
        let table = TableView(stored)
        let first = item(#"{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"},"other":{"S":"o"},"exp":{"N":"100"}}"#)
        try db.write { try ItemStore.replace($0, table: table, old: nil, new: first) }
        let read = try db.read { try ItemStore.fetchItem($0, table: table, key: item(#"{"pk":{"S":"a"},"sk":{"N":"1.0"}}"#)) }
        #expect(read == first)
        let indexRow = try db.read { try Data.fetchOne($0, sql: "SELECT item FROM ddb_item WHERE idx = 'by-g'") }
        #expect(indexRow.map(ItemCodec.decode) == item(#"{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"}}"#))
        let ttl = try db.read { try Double.fetchOne($0, sql: "SELECT ttl FROM ddb_item WHERE idx = ''") }
        #expect(ttl == 100)
        let second = item(#"{"pk":{"S":"a"},"sk":{"N":"1"},"other":{"S":"p"}}"#)
        try db.write { try ItemStore.replace($0, table: table, old: first, new: second) }
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ddb_item") } == 1)
        try db.write { try ItemStore.replace($0, table: table, old: second, new: nil) }
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ddb_item") } == 0)
    }

    @Test("sort keys are stored so that BLOB order is DynamoDB's numeric order")
    func numericSortOrder() throws {
        let db = try Self.database()
        let table = TableView(try db.write { try ItemStore.insertTable($0, Self.table().meta) })
        let numbers = ["-100", "-1.5", "-1", "0", "0.001", "1", "1.5", "2", "10", "1e20"]
        try db.write { db in
            for text in numbers.shuffled() {
                try ItemStore.replace(db, table: table, old: nil, new: item(#"{"pk":{"S":"p"},"sk":{"N":"\#(text)"}}"#))
            }
        }
        let ordered = try db.read { db in
            try Data.fetchAll(db, sql: "SELECT item FROM ddb_item WHERE tbl = ? AND idx = '' ORDER BY sk", arguments: [table.meta.id])
        }
        let values = ordered.map { ItemCodec.decode($0)["sk"] }
        #expect(values == numbers.map { .n(number($0)) })
    }

    @Test("Query and Scan statements are index range scans, never full table scans")
    func queryPlansUseThePrimaryKey() throws {
        let db = try Self.database()
        let plans = try db.read { db -> [String] in
            let statements = [
                "SELECT item, size FROM ddb_item WHERE tbl = 1 AND idx = '' AND h = 3 AND pk = x'01' AND sk >= x'02' AND (sk, ident) > (x'02', x'') ORDER BY sk ASC, ident ASC",
                "SELECT item, size FROM ddb_item WHERE tbl = 1 AND idx = '' AND h = 3 AND pk = x'01' ORDER BY sk DESC, ident DESC",
                "SELECT item, size FROM ddb_item WHERE tbl = 1 AND idx = '' AND h >= 0 AND h < 100 AND (h, pk, sk, ident) > (5, x'01', x'', x'') ORDER BY h, pk, sk, ident",
            ]
            return try statements.map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        for plan in plans {
            #expect(plan.contains("SEARCH ddb_item USING PRIMARY KEY"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        }
    }

    @Test("row keys of the same partition share hash and partition bytes")
    func rowKeys() throws {
        let table = Self.table()
        let one = try #require(ItemStore.tableRowKey(of: item(#"{"pk":{"S":"p"},"sk":{"N":"1"}}"#), table: table))
        let two = try #require(ItemStore.tableRowKey(of: item(#"{"pk":{"S":"p"},"sk":{"N":"2"}}"#), table: table))
        #expect(one.hash == two.hash && one.partition == two.partition && one.sort != two.sort)
        #expect((0..<ItemStore.hashSpace).contains(one.hash))
        #expect(ItemStore.tableRowKey(of: item(#"{"pk":{"S":"p"}}"#), table: table) == nil)
    }

    @Test("projections of index rows")
    func indexProjection() {
        let table = Self.table()
        let index = CompiledIndex(meta: Self.keysOnlyIndex, key: KeySchema(partitionKey: .init(name: "g", type: .s)))
        #expect(index.project(item(#"{"pk":{"S":"a"},"sk":{"N":"1"}}"#), tableKey: table.key) == nil)
        #expect(
            index.project(item(#"{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"},"o":{"S":"y"}}"#), tableKey: table.key)
                == item(#"{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"}}"#)
        )
    }
}

@Suite("Wire output")
struct WireOutputTests {
    @Test("CRC32 golden vector")
    func crc32() {
        #expect(CRC32.checksum(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Data()) == 0)
    }

    @Test("JSON output escapes strings and round-trips items")
    func jsonOutput() throws {
        let out = JSONOut.object([
            ("s", .string("a\"b\\c\n\u{01}é")), ("i", .int(-3)), ("d", .double(0.5)), ("w", .double(2)), ("b", .bool(true)),
            ("a", .array([.int(1)])), ("item", .item(item(#"{"x":{"NS":["1","2.50"]},"y":{"B":"AAE="}}"#))),
        ])
        let text = String(decoding: out.data, as: UTF8.self)
        #expect(text.hasPrefix(#"{"s":"a\"b\\c\n\u0001é","i":-3,"d":0.5,"w":2.0,"b":true,"a":[1],"item":"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: out.data) as? [String: Any])
        #expect(parsed["s"] as? String == "a\"b\\c\n\u{01}é")
        let stored = item(#"{"m":{"M":{"l":{"L":[{"NULL":true},{"BOOL":false},{"SS":["a"]}]}}},"n":{"N":"-0.0001"}}"#)
        #expect(ItemCodec.decode(ItemCodec.encode(stored)) == stored)
    }
}
