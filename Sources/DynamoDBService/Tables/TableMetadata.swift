import EmulatorCore
import Foundation

/// One `KeySchema` entry as sent and stored.
struct KeySchemaEntry: Codable, Sendable, Hashable {
    var AttributeName: String
    var KeyType: String
}

/// One `AttributeDefinitions` entry as sent and stored.
struct AttributeDefinitionEntry: Codable, Sendable, Hashable {
    var AttributeName: String
    var AttributeType: String
}

/// A secondary index as stored.
struct IndexMetadata: Codable, Sendable, Hashable {
    /// `IndexName`.
    var name: String
    /// The index key schema.
    var keySchema: [KeySchemaEntry]
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    var projectionType: String
    /// `NonKeyAttributes` for `INCLUDE`.
    var nonKeyAttributes: [String]?
    /// Provisioned read capacity (global indexes of provisioned tables).
    var readCapacity: Int
    /// Provisioned write capacity.
    var writeCapacity: Int
    /// Whether this is a global index.
    var isGlobal: Bool
}

/// Everything the store knows about one table besides its items (kept as JSON in `ddb_table.meta`).
struct TableMetadata: Codable, Sendable {
    var id: Int64
    var name: String
    var tableId: String
    var arn: String
    var attributeDefinitions: [AttributeDefinitionEntry]
    var keySchema: [KeySchemaEntry]
    var billingMode: String
    var readCapacity: Int
    var writeCapacity: Int
    var indexes: [IndexMetadata]
    var ttlAttribute: String?
    var ttlEnabled: Bool
    var tags: [String: String]
    var creationTime: Double
    var billingModeChangedAt: Double?
    var streamEnabled: Bool
    var streamViewType: String?
    var streamLabel: String?
    var deletionProtection: Bool
    var tableClass: String
    var sseEnabled: Bool

    /// The ARN of an index of this table.
    func indexArn(_ index: String) -> String { "\(arn)/index/\(index)" }

    /// The scalar type of a defined attribute.
    func attributeType(_ name: String) -> ScalarAttributeType? {
        attributeDefinitions.first { $0.AttributeName == name }.flatMap { ScalarAttributeType(rawValue: $0.AttributeType) }
    }

    /// The Model key schema of a list of key entries.
    func schema(of entries: [KeySchemaEntry]) -> KeySchema? {
        guard let hash = entries.first(where: { $0.KeyType == "HASH" }), let hashType = attributeType(hash.AttributeName) else {
            return nil
        }
        var sort: KeySchema.Element?
        if let range = entries.first(where: { $0.KeyType == "RANGE" }) {
            guard let rangeType = attributeType(range.AttributeName) else { return nil }
            sort = KeySchema.Element(name: range.AttributeName, type: rangeType)
        }
        return KeySchema(partitionKey: KeySchema.Element(name: hash.AttributeName, type: hashType), sortKey: sort)
    }

    /// The table's key schema.
    var primaryKey: KeySchema {
        schema(of: keySchema) ?? KeySchema(partitionKey: .init(name: keySchema.first?.AttributeName ?? "", type: .s))
    }

    /// The index with `name`.
    func index(named name: String) -> IndexMetadata? { indexes.first { $0.name == name } }

    /// The latest stream's ARN (`LatestStreamArn`): kept after the stream is disabled, as AWS keeps it.
    var streamArn: String? {
        guard let streamLabel else { return nil }
        return "\(arn)/stream/\(streamLabel)"
    }
}

/// A table's compiled view for the item paths: schemas decoded once.
struct TableView: Sendable {
    let meta: TableMetadata
    let key: KeySchema
    let indexes: [CompiledIndex]
    /// Where writes append their stream records: nil for a table without an enabled stream (set by
    /// ``recording(clock:)`` when the view enters the service's cache).
    private(set) var stream: StreamRecorder?
    /// The table's recent writes for eventually consistent reads (the realism profile's `readLag`); nil without a lag.
    private(set) var recentWrites: RecentWrites?

    init(_ meta: TableMetadata) {
        self.meta = meta
        self.key = meta.primaryKey
        self.indexes = meta.indexes.compactMap { index in
            meta.schema(of: index.keySchema).map { CompiledIndex(meta: index, key: $0) }
        }
    }

    func index(_ name: String) -> CompiledIndex? { indexes.first { $0.meta.name == name } }

    /// This view with its stream recorder attached when the table's stream is enabled.
    func recording(clock: VirtualClock, readLag: TimeInterval = 0) -> TableView {
        var view = self
        view.recentWrites = readLag > 0 ? RecentWrites(lag: readLag, clock: clock) : nil
        if meta.streamEnabled, let arn = meta.streamArn {
            view.stream = StreamRecorder(arn: arn, viewType: meta.streamViewType ?? "NEW_AND_OLD_IMAGES", clock: clock)
        } else {
            view.stream = nil
        }
        return view
    }
}

/// One secondary index with its decoded key schema.
struct CompiledIndex: Sendable {
    let meta: IndexMetadata
    let key: KeySchema

    /// The attributes an index row keeps for an item, or nil when the item is not in the (sparse) index.
    func project(_ item: Item, tableKey: KeySchema) -> Item? {
        guard item[key.partitionKey.name] != nil else { return nil }
        if let sort = key.sortKey, item[sort.name] == nil { return nil }
        switch meta.projectionType {
        case "ALL": return item
        default:
            var keep = tableKey.attributeNames.union(key.attributeNames)
            if meta.projectionType == "INCLUDE" { keep.formUnion(meta.nonKeyAttributes ?? []) }
            return item.filter { keep.contains($0.key) }
        }
    }

    /// The attribute names an index row holds (nil = all).
    func projectedAttributes(tableKey: KeySchema) -> Set<String>? {
        if meta.projectionType == "ALL" { return nil }
        var keep = tableKey.attributeNames.union(key.attributeNames)
        if meta.projectionType == "INCLUDE" { keep.formUnion(meta.nonKeyAttributes ?? []) }
        return keep
    }
}
