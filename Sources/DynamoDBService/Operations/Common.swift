import AWSGateway
import EmulatorCore
import Foundation
import GRDB
import Storage

extension DynamoDBService {
    /// Decodes an operation's input, mapping JSON failures to AWS's SerializationException.
    func decode<T: Decodable>(_ type: T.Type, _ call: Call) throws(DynamoDBError) -> T {
        // Common shapes without JSONDecoder (see FastDecodableInput); anything else, errors included, below.
        if let fast = T.self as? any FastDecodableInput.Type, let input = fast.fastDecode(call.body) as? T { return input }
        do {
            return try AttributeValue.wireDecoder.decode(T.self, from: call.body)
        } catch {
            throw DynamoDBError.fromDecoding(error)
        }
    }

    /// Validates a required table name, which may also be given as the table's ARN (as AWS accepts in `TableName`).
    func tableName(_ name: String?, member: String = "tableName") throws(DynamoDBError) -> String {
        guard let name else { throw .validation(DynamoDBMessages.memberNull(member)) }
        return try resolveTableName(name, member: member)
    }

    /// The table a `TableName` or `RequestItems` key names: the name itself, or the name inside a table ARN.
    /// - Parameters:
    ///   - name: The name or ARN as sent.
    ///   - member: The member path for validation messages.
    /// - Returns: The table name.
    /// - Throws: The name validation errors; ResourceNotFoundException for an ARN of another account or region.
    func resolveTableName(_ name: String, member: String) throws(DynamoDBError) -> String {
        guard name.hasPrefix("arn:") else {
            try Self.validateTableName(name, member: member)
            return name
        }
        let parts = name.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard name.utf8.count <= 1024, parts.count == 6, parts[2] == "dynamodb", parts[5].hasPrefix("table/") else {
            throw .validation(DynamoDBMessages.tableNameInvalid(name, member: member))
        }
        let table = String(parts[5].dropFirst("table/".count))
        try Self.validateTableName(table, member: member)
        guard tableArn(table) == name else { throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceNotFound) }
        return table
    }

    static func validateTableName(_ name: String, member: String = "tableName") throws(DynamoDBError) {
        let valid =
            (3...255).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "_.-".unicodeScalars.contains($0)
            }
        if !valid { throw .validation(DynamoDBMessages.tableNameInvalid(name, member: member)) }
    }

    /// The table for an item operation (`Requested resource not found` when absent).
    func table(_ name: String) throws(DynamoDBError) -> TableView {
        guard let view = cachedTable(name) else { throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceNotFound) }
        return view
    }

    /// Requires the action through the authorization hook, with the condition keys the request supplies
    /// (see ``DynamoDBConditionKeys``); a denial becomes AccessDeniedException.
    func authorize(
        _ call: Call,
        action: String? = nil,
        resources: [String],
        context: @autoclosure () -> [String: [String]] = [:]
    ) async throws(DynamoDBError) {
        try await authorizer.require(
            call.caller,
            action: action.map { "dynamodb:" + $0 } ?? call.operation.iamAction,
            resources: resources,
            context: context()
        ) {
            DynamoDBError(.accessDeniedException, $0)
        }
    }

    /// Runs a write transaction (begun and committed by cached statements), passing our own errors through unchanged.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.cachedWrite(body)
    }

    /// Runs a read, passing our own errors through unchanged.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.read(body)
    }

    /// Runs a read made of one SQL statement (GetItem, a Query or Scan page) without wrapping it in a transaction:
    /// SQLite gives every statement a consistent snapshot of its own, and the `BEGIN`/`COMMIT` and read-only pragmas
    /// around it would cost more than the statement itself.
    func readStatement<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.unsafeRead(body)
    }

    // MARK: Parameters

    /// Checks an enum parameter.
    static func enumValue(_ value: String?, member: String, allowed: [String], default fallback: String) throws(DynamoDBError) -> String {
        guard let value else { return fallback }
        guard allowed.contains(value) else { throw .validation(DynamoDBMessages.enumValue(value, member: member, allowed: allowed)) }
        return value
    }

    /// `ReturnValues` of PutItem/DeleteItem (NONE or ALL_OLD).
    static func returnValuesOldOnly(_ value: String?) throws(DynamoDBError) -> String {
        let all = ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
        let parsed = try enumValue(value, member: "returnValues", allowed: all, default: "NONE")
        guard parsed == "NONE" || parsed == "ALL_OLD" else { throw .validation(DynamoDBMessages.returnValuesOnlyAllOld) }
        return parsed
    }

    /// `ReturnConsumedCapacity`.
    static func consumedCapacityMode(_ value: String?) throws(DynamoDBError) -> String {
        try enumValue(value, member: "returnConsumedCapacity", allowed: ["INDEXES", "TOTAL", "NONE"], default: "NONE")
    }

    /// `ReturnValuesOnConditionCheckFailure`.
    static func onConditionFailureMode(_ value: String?) throws(DynamoDBError) -> Bool {
        try enumValue(value, member: "returnValuesOnConditionCheckFailure", allowed: ["ALL_OLD", "NONE"], default: "NONE") == "ALL_OLD"
    }

    // MARK: Items

    /// Checks the secondary-index key attributes an item carries (types and empty values).
    /// - Parameters:
    ///   - item: The item as it would be stored.
    ///   - table: The table and its indexes.
    ///   - forUpdate: Whether an update expression produced the item (AWS words the empty-value error for that case).
    /// - Throws: Type mismatch and empty value errors of index keys.
    static func validateIndexKeys(_ item: Item, table: TableView, forUpdate: Bool = false) throws(DynamoDBError) {
        for index in table.indexes {
            for element in index.key.elements {
                guard let value = item[element.name] else { continue }
                guard ScalarAttributeType(of: value) == element.type else {
                    throw .validation(
                        DynamoDBMessages.indexKeyTypeMismatch(
                            element.name,
                            expected: element.type.rawValue,
                            actual: value.typeDescriptor,
                            index: index.meta.name
                        )
                    )
                }
                let empty: Bool
                switch value {
                case .s(let text): empty = text.isEmpty
                case .b(let data): empty = data.isEmpty
                default: empty = false
                }
                if empty {
                    throw .validation(
                        forUpdate ? DynamoDBMessages.emptyIndexKeyByUpdate : DynamoDBMessages.emptyIndexKey(element.name, index: index.meta.name)
                    )
                }
            }
        }
    }

    /// The ConditionalCheckFailedException, with the old item when asked for.
    static func conditionFailed(old: Item?, returnOld: Bool) -> DynamoDBFailure {
        var members: [(String, JSONOut)] = []
        if returnOld, let old { members.append(("Item", .item(old))) }
        return DynamoDBFailure(error: .conditionalCheckFailed, members: members)
    }

    // MARK: Capacity

    /// Which units a transactional operation reports beside `CapacityUnits` (DynamoDB splits the figures into
    /// `ReadCapacityUnits`/`WriteCapacityUnits` only for TransactGetItems, TransactWriteItems and ExecuteTransaction;
    /// every other operation reports `CapacityUnits` alone).
    enum CapacitySplit {
        /// `ReadCapacityUnits`.
        case read
        /// `WriteCapacityUnits`.
        case write

        var member: String {
            switch self {
            case .read: "ReadCapacityUnits"
            case .write: "WriteCapacityUnits"
            }
        }
    }

    /// The `ConsumedCapacity` object of one table.
    /// - Parameters:
    ///   - mode: `ReturnConsumedCapacity` (`NONE`, `TOTAL` or `INDEXES`).
    ///   - table: The table name as the request gave it.
    ///   - units: The units spent on the table itself.
    ///   - indexUnits: The units spent on each secondary index.
    ///   - split: For transactional operations, the read or write figure reported beside each `CapacityUnits`.
    /// - Returns: The object, or nil for `NONE`.
    static func consumedCapacity(
        mode: String,
        table: String,
        units: Double,
        indexUnits: [(name: String, global: Bool, units: Double)] = [],
        split: CapacitySplit? = nil
    ) -> JSONOut? {
        guard mode != "NONE" else { return nil }
        func figures(_ value: Double) -> [(String, JSONOut)] {
            var members: [(String, JSONOut)] = [("CapacityUnits", .double(value))]
            if let split { members.append((split.member, .double(value))) }
            return members
        }
        // Shapes as in the API reference examples: `CapacityUnits` for the total, the table and each index.
        let total = units + indexUnits.reduce(0) { $0 + $1.units }
        var members: [(String, JSONOut)] = [("TableName", .string(table))] + figures(total)
        if mode == "INDEXES" {
            members.append(("Table", .object(figures(units))))
            let globals = indexUnits.filter(\.global)
            let locals = indexUnits.filter { !$0.global }
            if !globals.isEmpty {
                members.append(("GlobalSecondaryIndexes", .object(globals.map { ($0.name, .object(figures($0.units))) })))
            }
            if !locals.isEmpty {
                members.append(("LocalSecondaryIndexes", .object(locals.map { ($0.name, .object(figures($0.units))) })))
            }
        }
        return .object(members)
    }

    /// Per-table capacity summed over several items, in the order the tables first appear in the request, as the
    /// batch and transaction operations report it (one `ConsumedCapacity` entry per table).
    struct CapacityTally {
        private var tables: [String: (units: Double, indexes: [String: (global: Bool, units: Double)])] = [:]
        private var order: [String] = []

        /// Adds the units of one item.
        mutating func add(table: String, units: Double, indexes: [(name: String, global: Bool, units: Double)] = []) {
            if tables[table] == nil { order.append(table) }
            var entry = tables[table] ?? (0, [:])
            entry.units += units
            for index in indexes { entry.indexes[index.name, default: (index.global, 0)].units += index.units }
            tables[table] = entry
        }

        /// The `ConsumedCapacity` list.
        func output(mode: String, split: CapacitySplit? = nil) -> JSONOut {
            .array(
                order.compactMap { name -> JSONOut? in
                    guard let entry = tables[name] else { return nil }
                    let indexes = entry.indexes.keys.sorted().compactMap { key in
                        entry.indexes[key].map { (name: key, global: $0.global, units: $0.units) }
                    }
                    return DynamoDBService.consumedCapacity(mode: mode, table: name, units: entry.units, indexUnits: indexes, split: split)
                }
            )
        }
    }

    /// Write units spent on a table and its indexes when `old` becomes `new`: the table on the larger image (1 KB
    /// units, doubled in a transaction), each index whose entry appears, changes or goes on its entry's size (twice when
    /// the index key changes: a delete and a put), never doubled by a transaction.
    static func writeUnits(
        table: TableView,
        old: Item?,
        new: Item?,
        transactional: Bool = false
    ) -> (
        table: Double, indexes: [(name: String, global: Bool, units: Double)]
    ) {
        let size = max(old.map(ItemSize.of) ?? 0, new.map(ItemSize.of) ?? 0)
        let tableUnits = ItemSize.writeCapacityUnits(bytes: size, transactional: transactional)
        var indexes: [(String, Bool, Double)] = []
        for index in table.indexes {
            let before = old.flatMap { index.project($0, tableKey: table.key) }
            let after = new.flatMap { index.project($0, tableKey: table.key) }
            // An index entry that is absent before and after, or that the write leaves as it was, costs nothing.
            guard before != nil || after != nil, before != after else { continue }
            let beforeSize = before.map(ItemSize.of) ?? 0
            let afterSize = after.map(ItemSize.of) ?? 0
            var units = ItemSize.writeCapacityUnits(bytes: max(beforeSize, afterSize))
            if let before, let after, index.key.elements.contains(where: { before[$0.name] != after[$0.name] }) {
                units = ItemSize.writeCapacityUnits(bytes: beforeSize) + ItemSize.writeCapacityUnits(bytes: afterSize)
            }
            indexes.append((index.meta.name, index.meta.isGlobal, units))
        }
        return (tableUnits, indexes)
    }

    /// `ItemCollectionMetrics` for tables with local secondary indexes.
    static func itemCollectionMetrics(mode: String?, table: TableView, item: Item?) -> JSONOut? {
        guard mode == "SIZE", table.indexes.contains(where: { !$0.meta.isGlobal }), let item,
            let partition = item[table.key.partitionKey.name]
        else { return nil }
        return .object([
            ("ItemCollectionKey", .item([table.key.partitionKey.name: partition])),
            ("SizeEstimateRangeGB", .array([.double(0), .double(1)])),
        ])
    }
}
