import CloudFormation
import EmulatorCore
import Foundation
import GRDB

extension DynamoDBService {
    /// Builds the stored metadata of a table declared in the template.
    static func metadata(from spec: DynamoDBTableSpec, now: Double, environment: EmulatorEnvironment) -> TableMetadata {
        let arn = spec.arn.isEmpty ? "arn:aws:dynamodb:\(environment.region):\(environment.accountId):table/\(spec.name)" : spec.arn
        func keys(_ elements: [DynamoDBTableSpec.KeyElement]) -> [KeySchemaEntry] {
            elements.map { KeySchemaEntry(AttributeName: $0.attributeName, KeyType: $0.keyType) }
        }
        func index(_ index: DynamoDBTableSpec.SecondaryIndex, global: Bool) -> IndexMetadata {
            IndexMetadata(
                name: index.name,
                keySchema: keys(index.keySchema),
                projectionType: index.projection.type,
                nonKeyAttributes: index.projection.nonKeyAttributes.isEmpty ? nil : index.projection.nonKeyAttributes,
                readCapacity: index.provisionedThroughput?.readCapacityUnits ?? 0,
                writeCapacity: index.provisionedThroughput?.writeCapacityUnits ?? 0,
                isGlobal: global
            )
        }
        return TableMetadata(
            id: 0,
            name: spec.name,
            tableId: EmulatorRandom.uuidString("dynamodb-table-ids"),
            arn: arn,
            attributeDefinitions: spec.attributeDefinitions.map { AttributeDefinitionEntry(AttributeName: $0.name, AttributeType: $0.type) },
            keySchema: keys(spec.keySchema),
            billingMode: spec.billingMode,
            readCapacity: spec.provisionedThroughput?.readCapacityUnits ?? 0,
            writeCapacity: spec.provisionedThroughput?.writeCapacityUnits ?? 0,
            indexes: spec.globalSecondaryIndexes.map { index($0, global: true) } + spec.localSecondaryIndexes.map { index($0, global: false) },
            ttlAttribute: spec.ttlAttribute,
            ttlEnabled: spec.ttlEnabled && spec.ttlAttribute != nil,
            tags: spec.tags,
            creationTime: now,
            billingModeChangedAt: spec.billingMode == "PAY_PER_REQUEST" ? now : nil,
            streamEnabled: spec.streamEnabled,
            streamViewType: spec.streamViewType,
            // The label the template's `Fn::GetAtt StreamArn` already named, so the mapping's ARN is the stream's.
            streamLabel: spec.streamEnabled
                ? (spec.streamArn?.components(separatedBy: "/stream/").last
                    ?? Timestamp.iso8601Milliseconds(Date(timeIntervalSince1970: now)).replacingOccurrences(of: "Z", with: "")) : nil,
            deletionProtection: spec.deletionProtectionEnabled,
            tableClass: spec.tableClass,
            sseEnabled: spec.sseEnabled
        )
    }

    // MARK: CreateTable

    /// CreateTable: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
    func createTable(_ call: Call) async throws -> JSONOut {
        let input = try decode(CreateTableInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)])
        guard let definitions = input.AttributeDefinitions else {
            throw DynamoDBError.validation(DynamoDBMessages.memberNull("attributeDefinitions"))
        }
        guard let keySchema = input.KeySchema else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("keySchema")) }
        let billing = try Self.enumValue(
            input.BillingMode,
            member: "billingMode",
            allowed: ["PROVISIONED", "PAY_PER_REQUEST"],
            default: "PROVISIONED"
        )
        try Self.validateKeySchema(keySchema)
        for (indexes, member) in [(input.GlobalSecondaryIndexes, "globalSecondaryIndexes"), (input.LocalSecondaryIndexes, "localSecondaryIndexes")] {
            for (position, index) in (indexes ?? []).enumerated() {
                try Self.checkKeyTypes(index.KeySchema ?? [], member: "\(member).\(position + 1).member.keySchema")
            }
        }
        var used = keySchema.map(\.AttributeName)
        let defined = definitions.map(\.AttributeName)
        for (position, definition) in definitions.enumerated() where !["S", "N", "B"].contains(definition.AttributeType) {
            throw DynamoDBError.validation(
                DynamoDBMessages.enumValue(
                    definition.AttributeType,
                    member: "attributeDefinitions.\(position + 1).member.attributeType",
                    allowed: ["B", "N", "S"]
                )
            )
        }
        let throughput = input.ProvisionedThroughput
        if billing == "PROVISIONED" && (throughput?.ReadCapacityUnits == nil || throughput?.WriteCapacityUnits == nil) {
            throw DynamoDBError.validation(DynamoDBMessages.provisionedNeedsThroughput)
        }
        if billing == "PAY_PER_REQUEST" && throughput != nil { throw DynamoDBError.validation(DynamoDBMessages.onDemandNoThroughput) }
        for (list, name) in [(input.LocalSecondaryIndexes, "LocalSecondaryIndexes"), (input.GlobalSecondaryIndexes, "GlobalSecondaryIndexes")]
        where list?.isEmpty == true {
            throw DynamoDBError.validation(DynamoDBMessages.invalidParameterPrefix + "List of \(name) is empty")
        }
        var indexes: [IndexMetadata] = []
        var indexNames = Set<String>()
        for (inputs, global) in [(input.GlobalSecondaryIndexes ?? [], true), (input.LocalSecondaryIndexes ?? [], false)] {
            for index in inputs {
                let built = try Self.indexMetadata(
                    index.IndexName,
                    index.KeySchema,
                    index.Projection,
                    index.ProvisionedThroughput,
                    global: global,
                    billing: billing
                )
                guard indexNames.insert(built.name).inserted else { throw DynamoDBError.validation(DynamoDBMessages.duplicateIndexName(built.name)) }
                if !global {
                    guard keySchema.contains(where: { $0.KeyType == "RANGE" }) else {
                        throw DynamoDBError.validation(DynamoDBMessages.lsiNeedsRangeKey)
                    }
                }
                used += built.keySchema.map(\.AttributeName)
                indexes.append(built)
            }
        }
        let missing = Set(used.filter { !defined.contains($0) }).sorted()
        if !missing.isEmpty {
            // A table without indexes that defines fewer attributes than its key schema names is a key schema error.
            if indexes.isEmpty && defined.count < keySchema.count {
                throw DynamoDBError.validation(DynamoDBMessages.keyAttributeWithoutDefinition)
            }
            throw DynamoDBError.validation(DynamoDBMessages.keysNotDefined(missing, defined.sorted()))
        }
        if Set(defined) != Set(used) || defined.count != Set(defined).count {
            if indexes.isEmpty { throw DynamoDBError.validation(DynamoDBMessages.attributeDefinitionsMismatch) }
            throw DynamoDBError.validation(DynamoDBMessages.attributeDefinitionsUnused(defined.sorted(), Set(used).sorted()))
        }
        var tags: [String: String] = [:]
        for tag in input.Tags ?? [] {
            guard let key = tag.Key else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("tags.member.key")) }
            tags[key] = tag.Value ?? ""
        }
        let now = clock.now.timeIntervalSince1970
        let streamEnabled = input.StreamSpecification?.StreamEnabled ?? false
        if let stream = input.StreamSpecification { try Self.validateStreamSpecification(stream) }
        let meta = TableMetadata(
            id: 0,
            name: name,
            tableId: EmulatorRandom.uuidString("dynamodb-table-ids"),
            arn: tableArn(name),
            attributeDefinitions: definitions,
            keySchema: keySchema,
            billingMode: billing,
            readCapacity: throughput?.ReadCapacityUnits ?? 0,
            writeCapacity: throughput?.WriteCapacityUnits ?? 0,
            indexes: indexes,
            ttlAttribute: nil,
            ttlEnabled: false,
            tags: tags,
            creationTime: now,
            billingModeChangedAt: billing == "PAY_PER_REQUEST" ? now : nil,
            streamEnabled: streamEnabled,
            streamViewType: streamEnabled ? input.StreamSpecification?.StreamViewType : nil,
            streamLabel: streamEnabled ? Timestamp.iso8601Milliseconds(clock.now).replacingOccurrences(of: "Z", with: "") : nil,
            deletionProtection: input.DeletionProtectionEnabled ?? false,
            tableClass: input.TableClass ?? "STANDARD",
            sseEnabled: false
        )
        let stored = try await write { db -> TableMetadata in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM ddb_table WHERE name = ?", arguments: [name]) ?? false {
                throw DynamoDBError(.resourceInUseException, DynamoDBMessages.tableExists(name))
            }
            return try ItemStore.insertTable(db, meta)
        }
        let view = TableView(stored)
        setCached(name, view)
        return .object([("TableDescription", try await describe(view, status: "ACTIVE"))])
    }

    /// The `KeyType` enum of each key schema element, reported at its 1-based member path as AWS's request
    /// validation does (before any other check of the request).
    /// - Parameters:
    ///   - keySchema: The elements.
    ///   - member: The member path of the list, e.g. `keySchema` or `globalSecondaryIndexes.1.member.keySchema`.
    /// - Throws: The enum validation error.
    static func checkKeyTypes(_ keySchema: [KeySchemaEntry], member: String) throws(DynamoDBError) {
        for (position, entry) in keySchema.enumerated() where !["HASH", "RANGE"].contains(entry.KeyType) {
            throw .validation(
                DynamoDBMessages.enumValue(entry.KeyType, member: "\(member).\(position + 1).member.keyType", allowed: ["HASH", "RANGE"])
            )
        }
    }

    static func validateKeySchema(_ keySchema: [KeySchemaEntry], member: String = "keySchema") throws(DynamoDBError) {
        guard !keySchema.isEmpty else {
            throw .validation(
                "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"
            )
        }
        guard keySchema.count <= 2 else { throw .validation(DynamoDBMessages.keySchemaTooLong) }
        try checkKeyTypes(keySchema, member: member)
        guard keySchema[0].KeyType == "HASH" else { throw .validation(DynamoDBMessages.invalidKeySchema) }
        if keySchema.count == 2 {
            guard keySchema[1].KeyType == "RANGE" else { throw .validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type") }
            guard keySchema[0].AttributeName != keySchema[1].AttributeName else {
                throw .validation(DynamoDBMessages.keyAttributeWithoutDefinition)
            }
        }
    }

    static func indexMetadata(
        _ name: String?,
        _ keySchema: [KeySchemaEntry]?,
        _ projection: ProjectionInput?,
        _ throughput: ThroughputInput?,
        global: Bool,
        billing: String
    ) throws(DynamoDBError) -> IndexMetadata {
        let member = global ? "globalSecondaryIndexes.member" : "localSecondaryIndexes.member"
        guard let name else { throw .validation(DynamoDBMessages.memberNull("\(member).indexName")) }
        try validateTableName(name, member: "\(member).indexName")
        guard let keySchema else { throw .validation(DynamoDBMessages.memberNull("\(member).keySchema")) }
        try validateKeySchema(keySchema)
        guard let projection else { throw .validation(DynamoDBMessages.memberNull("\(member).projection")) }
        let type = try enumValue(
            projection.ProjectionType,
            member: "\(member).projection.projectionType",
            allowed: ["ALL", "KEYS_ONLY", "INCLUDE"],
            default: "ALL"
        )
        if type != "INCLUDE" && projection.NonKeyAttributes != nil {
            throw .validation(
                DynamoDBMessages.invalidParameterPrefix + "ProjectionType is \(type), but NonKeyAttributes is specified"
            )
        }
        if global && billing == "PROVISIONED" && throughput == nil {
            throw .validation(DynamoDBMessages.invalidParameterPrefix + "ProvisionedThroughput must be specified for index: \(name)")
        }
        return IndexMetadata(
            name: name,
            keySchema: keySchema,
            projectionType: type,
            nonKeyAttributes: projection.NonKeyAttributes,
            readCapacity: throughput?.ReadCapacityUnits ?? 0,
            writeCapacity: throughput?.WriteCapacityUnits ?? 0,
            isGlobal: global
        )
    }

    // MARK: DescribeTable

    /// The `TableDescription` of a table, with live item counts.
    func describe(_ view: TableView, status: String) async throws -> JSONOut {
        let meta = view.meta
        let stats = try await read { db -> (Int, Int, [String: (Int, Int)]) in
            let table = try ItemStore.statistics(db, id: meta.id)
            var indexes: [String: (Int, Int)] = [:]
            for index in meta.indexes {
                let stats = try ItemStore.indexStatistics(db, id: meta.id, index: index.name)
                indexes[index.name] = (stats.count, stats.bytes)
            }
            return (table.count, table.bytes, indexes)
        }
        func keySchema(_ entries: [KeySchemaEntry]) -> JSONOut {
            .array(entries.map { .object([("AttributeName", .string($0.AttributeName)), ("KeyType", .string($0.KeyType))]) })
        }
        func throughput(_ read: Int, _ write: Int) -> JSONOut {
            .object([("NumberOfDecreasesToday", .int(0)), ("ReadCapacityUnits", .int(read)), ("WriteCapacityUnits", .int(write))])
        }
        func projection(_ index: IndexMetadata) -> JSONOut {
            var members: [(String, JSONOut)] = [("ProjectionType", .string(index.projectionType))]
            if let attributes = index.nonKeyAttributes { members.append(("NonKeyAttributes", .array(attributes.map { .string($0) }))) }
            return .object(members)
        }
        var members: [(String, JSONOut)] = [
            (
                "AttributeDefinitions",
                .array(
                    meta.attributeDefinitions.map {
                        .object([("AttributeName", .string($0.AttributeName)), ("AttributeType", .string($0.AttributeType))])
                    }
                )
            ),
            ("TableName", .string(meta.name)),
            ("KeySchema", keySchema(meta.keySchema)),
            ("TableStatus", .string(status)),
            ("CreationDateTime", .double(meta.creationTime)),
            ("ProvisionedThroughput", throughput(meta.readCapacity, meta.writeCapacity)),
            ("TableSizeBytes", .int(stats.1)),
            ("ItemCount", .int(stats.0)),
            ("TableArn", .string(meta.arn)),
            ("TableId", .string(meta.tableId)),
        ]
        if meta.billingMode == "PAY_PER_REQUEST" || meta.billingModeChangedAt != nil {
            var summary: [(String, JSONOut)] = [("BillingMode", .string(meta.billingMode))]
            if let changed = meta.billingModeChangedAt { summary.append(("LastUpdateToPayPerRequestDateTime", .double(changed))) }
            members.append(("BillingModeSummary", .object(summary)))
        }
        let locals = meta.indexes.filter { !$0.isGlobal }
        if !locals.isEmpty {
            members.append(
                (
                    "LocalSecondaryIndexes",
                    .array(
                        locals.map { index in
                            .object([
                                ("IndexName", .string(index.name)), ("KeySchema", keySchema(index.keySchema)), ("Projection", projection(index)),
                                ("IndexSizeBytes", .int(stats.2[index.name]?.1 ?? 0)), ("ItemCount", .int(stats.2[index.name]?.0 ?? 0)),
                                ("IndexArn", .string(meta.indexArn(index.name))),
                            ])
                        }
                    )
                )
            )
        }
        let globals = meta.indexes.filter(\.isGlobal)
        if !globals.isEmpty {
            members.append(
                (
                    "GlobalSecondaryIndexes",
                    .array(
                        globals.map { index in
                            .object([
                                ("IndexName", .string(index.name)), ("KeySchema", keySchema(index.keySchema)), ("Projection", projection(index)),
                                ("IndexStatus", .string("ACTIVE")), ("ProvisionedThroughput", throughput(index.readCapacity, index.writeCapacity)),
                                ("IndexSizeBytes", .int(stats.2[index.name]?.1 ?? 0)), ("ItemCount", .int(stats.2[index.name]?.0 ?? 0)),
                                ("IndexArn", .string(meta.indexArn(index.name))),
                            ])
                        }
                    )
                )
            )
        }
        if meta.streamEnabled {
            members.append(
                (
                    "StreamSpecification",
                    .object([("StreamEnabled", .bool(true)), ("StreamViewType", .string(meta.streamViewType ?? "NEW_AND_OLD_IMAGES"))])
                )
            )
        }
        // AWS keeps LatestStreamArn/LatestStreamLabel after the stream is disabled (StreamSpecification goes).
        if let streamArn = meta.streamArn, let label = meta.streamLabel {
            members.append(("LatestStreamLabel", .string(label)))
            members.append(("LatestStreamArn", .string(streamArn)))
        }
        if meta.tableClass != "STANDARD" {
            members.append(("TableClassSummary", .object([("TableClass", .string(meta.tableClass))])))
        }
        if meta.sseEnabled {
            members.append(("SSEDescription", .object([("Status", .string("ENABLED")), ("SSEType", .string("KMS"))])))
        }
        members.append(("DeletionProtectionEnabled", .bool(meta.deletionProtection)))
        return .object(members)
    }

    /// DescribeTable: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
    func describeTable(_ call: Call) async throws -> JSONOut {
        let input = try decode(TableNameInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)])
        guard let view = cachedTable(name) else { throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.tableNotFound(name)) }
        return .object([("Table", try await describe(view, status: "ACTIVE"))])
    }

    /// ListTables: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html
    func listTables(_ call: Call) async throws -> JSONOut {
        let input = try decode(ListTablesInput.self, call)
        try await authorize(call, resources: ["*"])
        let limit = input.Limit ?? 100
        guard (1...100).contains(limit) else {
            throw DynamoDBError.validation(
                "1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value "
                    + (limit < 1 ? "greater than or equal to 1" : "less than or equal to 100")
            )
        }
        if let start = input.ExclusiveStartTableName { try Self.validateTableName(start, member: "exclusiveStartTableName") }
        let names = allTables().map(\.meta.name).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let after = input.ExclusiveStartTableName.map { start in
            names.filter { Array($0.utf8).lexicographicallyPrecedes(Array(start.utf8)) == false && $0 != start }
        }
        let remaining = after ?? names
        let page = Array(remaining.prefix(limit))
        var members: [(String, JSONOut)] = [("TableNames", .array(page.map { .string($0) }))]
        if remaining.count > limit, let last = page.last { members.append(("LastEvaluatedTableName", .string(last))) }
        return .object(members)
    }

    /// DeleteTable: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
    func deleteTable(_ call: Call) async throws -> JSONOut {
        let input = try decode(TableNameInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)])
        guard let view = cachedTable(name) else { throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.tableNotFound(name)) }
        if view.meta.deletionProtection { throw DynamoDBError.validation(DynamoDBMessages.deletionProtected) }
        var description = try await describe(view, status: "DELETING")
        // AWS's DeleteTable description leaves out the key schema, attribute definitions and creation time.
        if case .object(let members) = description {
            description = .object(members.filter { !["KeySchema", "AttributeDefinitions", "CreationDateTime"].contains($0.0) })
        }
        let deletedAt = clock.now.timeIntervalSince1970
        try await write { db in
            try ItemStore.deleteTable(db, id: view.meta.id)
            try StreamStore.disable(db, table: view.meta.id, keep: nil, now: deletedAt)
        }
        setCached(name, nil)
        return .object([("TableDescription", description)])
    }

    /// UpdateTable: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
    func updateTable(_ call: Call) async throws -> JSONOut {
        let input = try decode(UpdateTableInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)])
        guard let view = cachedTable(name) else { throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.tableNotFound(name)) }
        var meta = view.meta
        if input.BillingMode == nil && input.ProvisionedThroughput == nil && input.GlobalSecondaryIndexUpdates == nil
            && input.StreamSpecification == nil && input.DeletionProtectionEnabled == nil && input.TableClass == nil
        {
            throw DynamoDBError.validation(DynamoDBMessages.updateTableNothing)
        }
        let billing = try Self.enumValue(
            input.BillingMode,
            member: "billingMode",
            allowed: ["PROVISIONED", "PAY_PER_REQUEST"],
            default: meta.billingMode
        )
        if billing == "PAY_PER_REQUEST" && input.ProvisionedThroughput != nil {
            throw DynamoDBError.validation(DynamoDBMessages.onDemandNoThroughput)
        }
        if billing == "PROVISIONED" && meta.billingMode == "PAY_PER_REQUEST" && input.ProvisionedThroughput == nil {
            throw DynamoDBError.validation(DynamoDBMessages.provisionedNeedsThroughput)
        }
        if billing != meta.billingMode {
            meta.billingMode = billing
            meta.billingModeChangedAt = clock.now.timeIntervalSince1970
            if billing == "PAY_PER_REQUEST" {
                meta.readCapacity = 0
                meta.writeCapacity = 0
            }
        }
        if let throughput = input.ProvisionedThroughput {
            meta.readCapacity = throughput.ReadCapacityUnits ?? meta.readCapacity
            meta.writeCapacity = throughput.WriteCapacityUnits ?? meta.writeCapacity
        }
        if let definitions = input.AttributeDefinitions {
            for definition in definitions where !meta.attributeDefinitions.contains(where: { $0.AttributeName == definition.AttributeName }) {
                meta.attributeDefinitions.append(definition)
            }
        }
        var created: [IndexMetadata] = []
        for update in input.GlobalSecondaryIndexUpdates ?? [] {
            if let create = update.Create {
                let index = try Self.indexMetadata(
                    create.IndexName,
                    create.KeySchema,
                    create.Projection,
                    create.ProvisionedThroughput,
                    global: true,
                    billing: meta.billingMode
                )
                guard meta.index(named: index.name) == nil else { throw DynamoDBError.validation(DynamoDBMessages.indexExists) }
                let undefined = index.keySchema.map(\.AttributeName).filter { meta.attributeType($0) == nil }
                if !undefined.isEmpty {
                    throw DynamoDBError.validation(DynamoDBMessages.keysNotDefined(undefined, meta.attributeDefinitions.map(\.AttributeName)))
                }
                meta.indexes.append(index)
                created.append(index)
            } else if let delete = update.Delete {
                let indexName = delete.IndexName ?? ""
                guard meta.index(named: indexName)?.isGlobal == true else {
                    throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.indexNotFoundForDelete(indexName))
                }
                meta.indexes.removeAll { $0.name == indexName }
            } else if let change = update.Update {
                let indexName = change.IndexName ?? ""
                guard let position = meta.indexes.firstIndex(where: { $0.name == indexName && $0.isGlobal }) else {
                    throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.indexNotFoundForDelete(indexName))
                }
                meta.indexes[position].readCapacity = change.ProvisionedThroughput?.ReadCapacityUnits ?? meta.indexes[position].readCapacity
                meta.indexes[position].writeCapacity = change.ProvisionedThroughput?.WriteCapacityUnits ?? meta.indexes[position].writeCapacity
            }
        }
        if let stream = input.StreamSpecification {
            try Self.validateStreamSpecification(stream)
            let enable = stream.StreamEnabled ?? false
            if enable && meta.streamEnabled { throw DynamoDBError.validation(DynamoDBStreamsMessages.streamAlreadyEnabled(name)) }
            if !enable && !meta.streamEnabled { throw DynamoDBError.validation(DynamoDBStreamsMessages.noStreamToDisable(name)) }
            meta.streamEnabled = enable
            meta.streamViewType = enable ? stream.StreamViewType : nil
            // A disabled stream stays the table's LatestStreamArn; enabling again starts a new stream.
            if enable { meta.streamLabel = Timestamp.iso8601Milliseconds(clock.now).replacingOccurrences(of: "Z", with: "") }
        }
        if let protection = input.DeletionProtectionEnabled { meta.deletionProtection = protection }
        if let tableClass = input.TableClass { meta.tableClass = tableClass }
        let removed = view.meta.indexes.map(\.name).filter { name in !meta.indexes.contains { $0.name == name } }
        let newView = TableView(meta)
        let finalMeta = meta
        let finalCreated = created
        let updatedAt = clock.now.timeIntervalSince1970
        let streamChanged = input.StreamSpecification != nil
        try await write { db in
            try ItemStore.saveTable(db, finalMeta)
            if streamChanged {
                try StreamStore.disable(db, table: finalMeta.id, keep: finalMeta.streamEnabled ? finalMeta.streamArn : nil, now: updatedAt)
            }
            for indexName in removed {
                try db.execute(sql: "DELETE FROM ddb_item WHERE tbl = ? AND idx = ?", arguments: [finalMeta.id, indexName])
            }
            for index in finalCreated {
                if let compiled = newView.index(index.name) { try ItemStore.backfill(db, table: newView, index: compiled) }
            }
        }
        setCached(name, newView)
        return .object([("TableDescription", try await describe(newView, status: "ACTIVE"))])
    }

    // MARK: TTL

    /// UpdateTimeToLive: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
    func updateTimeToLive(_ call: Call) async throws -> JSONOut {
        let input = try decode(UpdateTimeToLiveInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)])
        guard let specification = input.TimeToLiveSpecification else {
            throw DynamoDBError.validation(DynamoDBMessages.memberNull("timeToLiveSpecification"))
        }
        guard let enabled = specification.Enabled else {
            throw DynamoDBError.validation(DynamoDBMessages.memberNull("timeToLiveSpecification.enabled"))
        }
        guard let attribute = specification.AttributeName, !attribute.isEmpty else {
            throw DynamoDBError.validation(DynamoDBMessages.memberNull("timeToLiveSpecification.attributeName"))
        }
        guard let view = cachedTable(name) else { throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.tableNotFound(name)) }
        var meta = view.meta
        if enabled {
            if meta.ttlEnabled {
                if meta.ttlAttribute == attribute { throw DynamoDBError.validation(DynamoDBMessages.ttlAlreadyEnabled) }
                throw DynamoDBError.validation(DynamoDBMessages.ttlAttributeChange + (meta.ttlAttribute ?? ""))
            }
        } else if !meta.ttlEnabled {
            throw DynamoDBError.validation(DynamoDBMessages.ttlAlreadyDisabled)
        } else if meta.ttlAttribute != attribute {
            // Disabling names the attribute TTL is enabled on.
            throw DynamoDBError.validation(DynamoDBMessages.ttlAttributeChange + (meta.ttlAttribute ?? ""))
        }
        meta.ttlEnabled = enabled
        meta.ttlAttribute = attribute
        let newView = TableView(meta)
        let finalMeta = meta
        try await write { db in
            try ItemStore.saveTable(db, finalMeta)
            try ItemStore.recomputeTTL(db, table: newView)
        }
        setCached(name, newView)
        return .object([
            ("TimeToLiveSpecification", .object([("Enabled", .bool(enabled)), ("AttributeName", .string(attribute))]))
        ])
    }

    /// DescribeTimeToLive: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html
    func describeTimeToLive(_ call: Call) async throws -> JSONOut {
        let input = try decode(TableNameInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)])
        guard let view = cachedTable(name) else { throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.tableNotFound(name)) }
        var description: [(String, JSONOut)] = [("TimeToLiveStatus", .string(view.meta.ttlEnabled ? "ENABLED" : "DISABLED"))]
        if view.meta.ttlEnabled, let attribute = view.meta.ttlAttribute { description.append(("AttributeName", .string(attribute))) }
        return .object([("TimeToLiveDescription", .object(description))])
    }

    // MARK: Tags

    private func taggedTable(_ arn: String?) throws(DynamoDBError) -> TableView {
        guard let arn else { throw .validation(DynamoDBMessages.memberNull("resourceArn")) }
        guard arn.hasPrefix("arn:"), let range = arn.range(of: ":table/") else { throw .validation(DynamoDBMessages.invalidArn(arn)) }
        let name = String(arn[range.upperBound...].prefix { $0 != "/" })
        guard let view = cachedTable(name), view.meta.arn == arn || tableArn(name) == arn else {
            throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceArnNotFound(arn))
        }
        return view
    }

    /// TagResource: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
    func tagResource(_ call: Call) async throws -> JSONOut {
        let input = try decode(TagResourceInput.self, call)
        try await authorize(call, resources: [input.ResourceArn ?? "*"])
        guard let tags = input.Tags else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("tags")) }
        var meta = try taggedTable(input.ResourceArn).meta
        for tag in tags {
            guard let key = tag.Key else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("tags.member.key")) }
            meta.tags[key] = tag.Value ?? ""
        }
        try await saveMetadata(meta)
        return .object([])
    }

    /// UntagResource: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UntagResource.html
    func untagResource(_ call: Call) async throws -> JSONOut {
        let input = try decode(TagResourceInput.self, call)
        try await authorize(call, resources: [input.ResourceArn ?? "*"])
        guard let keys = input.TagKeys else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("tagKeys")) }
        var meta = try taggedTable(input.ResourceArn).meta
        for key in keys { meta.tags[key] = nil }
        try await saveMetadata(meta)
        return .object([])
    }

    /// ListTagsOfResource: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTagsOfResource.html
    func listTagsOfResource(_ call: Call) async throws -> JSONOut {
        let input = try decode(TagResourceInput.self, call)
        try await authorize(call, resources: [input.ResourceArn ?? "*"])
        let meta = try taggedTable(input.ResourceArn).meta
        let tags = meta.tags.keys.sorted().map { key in JSONOut.object([("Key", .string(key)), ("Value", .string(meta.tags[key] ?? ""))]) }
        return .object([("Tags", .array(tags))])
    }

    private func saveMetadata(_ meta: TableMetadata) async throws {
        try await write { db in try ItemStore.saveTable(db, meta) }
        setCached(meta.name, TableView(meta))
    }
}
