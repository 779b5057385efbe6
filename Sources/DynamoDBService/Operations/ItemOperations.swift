import Foundation
import GRDB

extension DynamoDBService {
    /// PutItem: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
    func putItem(_ call: Call) async throws -> JSONOut {
        let input = try decode(PutItemInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)], context: DynamoDBConditionKeys.write(input, schema: conditionKeySchema(name)).context)
        guard let item = input.Item else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("item")) }
        let condition = try Self.conditionOnlyWrite(
            input.ConditionExpression,
            expected: input.Expected,
            conditionalOperator: input.ConditionalOperator,
            names: input.ExpressionAttributeNames,
            values: input.ExpressionAttributeValues
        )
        let returnValues = try Self.returnValuesOldOnly(input.ReturnValues)
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        let returnOldOnFailure = try Self.onConditionFailureMode(input.ReturnValuesOnConditionCheckFailure)
        let table = try self.table(name)
        try table.key.validateItem(item)
        try ItemSize.validate(item)
        try Self.validateIndexKeys(item, table: table)
        let old = try await write { db -> Item? in
            guard try ItemStore.tableExists(db, id: table.meta.id) else {
                throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceNotFound)
            }
            // Without a condition, old-image return or index rows to maintain, the old item is not needed.
            guard condition != nil || returnValues == "ALL_OLD" || !table.indexes.isEmpty else {
                try ItemStore.replace(db, table: table, old: nil, new: item, collectionLimit: self.itemCollectionLimit)
                return nil
            }
            let old = try ItemStore.fetchItem(db, table: table, key: item)
            if let condition, !condition.evaluate(on: old) { throw Self.conditionFailed(old: old, returnOld: returnOldOnFailure) }
            try ItemStore.replace(db, table: table, old: old, new: item, collectionLimit: self.itemCollectionLimit)
            return old
        }
        var members: [(String, JSONOut)] = []
        if returnValues == "ALL_OLD", let old { members.append(("Attributes", .item(old))) }
        // Item sizes and index projections are worked out only when the capacity is asked for (the hot path skips them).
        if capacityMode != "NONE" {
            let units = Self.writeUnits(table: table, old: old, new: item)
            if let capacity = Self.consumedCapacity(mode: capacityMode, table: name, units: units.table, indexUnits: units.indexes) {
                members.append(("ConsumedCapacity", capacity))
            }
        }
        if let metrics = Self.itemCollectionMetrics(mode: input.ReturnItemCollectionMetrics, table: table, item: item) {
            members.append(("ItemCollectionMetrics", metrics))
        }
        return .object(members)
    }

    /// GetItem: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
    func getItem(_ call: Call) async throws -> JSONOut {
        let input = try decode(GetItemInput.self, call)
        let name = try tableName(input.TableName)
        let conditionKeys = DynamoDBConditionKeys.get(
            key: input.Key,
            projection: input.ProjectionExpression,
            attributesToGet: input.AttributesToGet,
            names: input.ExpressionAttributeNames,
            schema: conditionKeySchema(name)
        )
        try await authorize(call, resources: [tableArn(name)], context: conditionKeys.context)
        guard let key = input.Key else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("key")) }
        let projection = try Self.projection(
            input.ProjectionExpression,
            attributesToGet: input.AttributesToGet,
            names: input.ExpressionAttributeNames
        )
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        let table = try self.table(name)
        try table.key.validateKey(key)
        var stored = try await readStatement { db in try ItemStore.fetchRaw(db, table: table, key: key) }
        // Eventually consistent reads under the realism profile's read lag see the item as it was before recent writes.
        if input.ConsistentRead != true, let recent = table.recentWrites, let rowKey = ItemStore.tableRowKey(of: key, table: table),
            let seen = recent.stale(key: rowKey)
        {
            stored = seen.map { (data: ItemCodec.encode($0), size: ItemSize.of($0)) }
        }
        var members: [(String, JSONOut)] = []
        if let stored {
            // Stored blobs are canonical wire JSON: without a projection they are sent as they are.
            members.append(("Item", projection.map { .item($0.project(ItemCodec.decode(stored.data))) } ?? .raw(stored.data)))
        }
        let units = ItemSize.readCapacityUnits(bytes: stored?.size ?? 0, consistentRead: input.ConsistentRead ?? false)
        if let capacity = Self.consumedCapacity(mode: capacityMode, table: name, units: units) {
            members.append(("ConsumedCapacity", capacity))
        }
        return .object(members)
    }

    /// Parses a ProjectionExpression (or the legacy AttributesToGet) and checks attribute-name usage.
    static func projection(
        _ text: String?,
        attributesToGet: [String]?,
        names: [String: String]?
    ) throws(DynamoDBError) -> ProjectionExpression? {
        if attributesToGet != nil || (text == nil && names != nil) {
            try LegacyParameters.checkMixing(
                legacy: [("AttributesToGet", attributesToGet != nil)],
                expressions: [("ProjectionExpression", text != nil)],
                hasNames: names != nil,
                hasValues: nil
            )
        }
        if let attributesToGet { return try LegacyParameters.attributesToGet(attributesToGet) }
        try ExpressionAttributes.validate(names: names, values: nil)
        var tracker = ExpressionUsageTracker()
        let projection = try text.map { text throws(DynamoDBError) in try ProjectionExpression.parse(text, names: names ?? [:]) }
        if let projection { tracker.record(projection.usage) }
        try tracker.verifyAllUsed(names: names, values: nil)
        return projection
    }

    /// DeleteItem: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
    func deleteItem(_ call: Call) async throws -> JSONOut {
        let input = try decode(DeleteItemInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)], context: DynamoDBConditionKeys.write(input, schema: conditionKeySchema(name)).context)
        guard let key = input.Key else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("key")) }
        let condition = try Self.conditionOnlyWrite(
            input.ConditionExpression,
            expected: input.Expected,
            conditionalOperator: input.ConditionalOperator,
            names: input.ExpressionAttributeNames,
            values: input.ExpressionAttributeValues
        )
        let returnValues = try Self.returnValuesOldOnly(input.ReturnValues)
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        let returnOldOnFailure = try Self.onConditionFailureMode(input.ReturnValuesOnConditionCheckFailure)
        let table = try self.table(name)
        try table.key.validateKey(key)
        let old = try await write { db -> Item? in
            guard try ItemStore.tableExists(db, id: table.meta.id) else {
                throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceNotFound)
            }
            let old = try ItemStore.fetchItem(db, table: table, key: key)
            if let condition, !condition.evaluate(on: old) { throw Self.conditionFailed(old: old, returnOld: returnOldOnFailure) }
            if old != nil { try ItemStore.replace(db, table: table, old: old, new: nil) }
            return old
        }
        var members: [(String, JSONOut)] = []
        if returnValues == "ALL_OLD", let old { members.append(("Attributes", .item(old))) }
        // Item sizes and index projections are worked out only when the capacity is asked for (the hot path skips them).
        if capacityMode != "NONE" {
            let units = Self.writeUnits(table: table, old: old, new: nil)
            if let capacity = Self.consumedCapacity(mode: capacityMode, table: name, units: units.table, indexUnits: units.indexes) {
                members.append(("ConsumedCapacity", capacity))
            }
        }
        if let metrics = Self.itemCollectionMetrics(mode: input.ReturnItemCollectionMetrics, table: table, item: old ?? key) {
            members.append(("ItemCollectionMetrics", metrics))
        }
        return .object(members)
    }

    /// UpdateItem: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
    func updateItem(_ call: Call) async throws -> JSONOut {
        let input = try decode(UpdateItemInput.self, call)
        let name = try tableName(input.TableName)
        try await authorize(call, resources: [tableArn(name)], context: DynamoDBConditionKeys.write(input, schema: conditionKeySchema(name)).context)
        guard let key = input.Key else { throw DynamoDBError.validation(DynamoDBMessages.memberNull("key")) }
        let names = input.ExpressionAttributeNames
        let values = input.ExpressionAttributeValues
        try LegacyParameters.checkMixing(
            legacy: [
                ("AttributeUpdates", input.AttributeUpdates != nil), ("Expected", input.Expected != nil),
                ("ConditionalOperator", input.ConditionalOperator != nil),
            ],
            expressions: [("UpdateExpression", input.UpdateExpression != nil), ("ConditionExpression", input.ConditionExpression != nil)],
            hasNames: names != nil,
            hasValues: values != nil
        )
        try ExpressionAttributes.validate(names: names, values: values)
        var tracker = ExpressionUsageTracker()
        let update: UpdateExpression?
        if let attributeUpdates = input.AttributeUpdates {
            update = try LegacyParameters.attributeUpdates(attributeUpdates)
        } else {
            update = try input.UpdateExpression.map { text throws(DynamoDBError) in
                try UpdateExpression.parse(text, names: names ?? [:], values: values ?? [:])
            }
        }
        if let update { tracker.record(update.usage) }
        let condition = try Self.writeCondition(
            input.ConditionExpression,
            expected: input.Expected,
            conditionalOperator: input.ConditionalOperator,
            names: names,
            values: values,
            tracker: &tracker
        )
        try tracker.verifyAllUsed(names: names, values: values)
        let returnValues = try Self.enumValue(
            input.ReturnValues,
            member: "returnValues",
            allowed: ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
            default: "NONE"
        )
        let capacityMode = try Self.consumedCapacityMode(input.ReturnConsumedCapacity)
        let returnOldOnFailure = try Self.onConditionFailureMode(input.ReturnValuesOnConditionCheckFailure)
        let table = try self.table(name)
        try table.key.validateKey(key)
        if let update { try update.checkKeyAttributes(table.key) }
        let (old, new, changed) = try await write { db -> (Item?, Item, Set<String>) in
            guard try ItemStore.tableExists(db, id: table.meta.id) else {
                throw DynamoDBError(.resourceNotFoundException, DynamoDBMessages.resourceNotFound)
            }
            let old = try ItemStore.fetchItem(db, table: table, key: key)
            if let condition, !condition.evaluate(on: old) { throw Self.conditionFailed(old: old, returnOld: returnOldOnFailure) }
            let (new, changed) = try Self.applyUpdate(update, to: old, key: key, table: table)
            try ItemStore.replace(db, table: table, old: old, new: new, collectionLimit: self.itemCollectionLimit)
            return (old, new, changed)
        }
        var members: [(String, JSONOut)] = []
        let updatedPaths = update.map { ProjectionExpression(paths: $0.actions.map(\.path), usage: ExpressionUsage()) }
        switch returnValues {
        case "ALL_OLD": if let old { members.append(("Attributes", .item(old))) }
        case "ALL_NEW": members.append(("Attributes", .item(new)))
        case "UPDATED_OLD":
            // Only the document paths the update wrote, as AWS returns them (`a.b`, not all of `a`).
            let attributes = updatedPaths.map { $0.project(old ?? [:]) } ?? (old ?? [:]).filter { changed.contains($0.key) }
            if !attributes.isEmpty { members.append(("Attributes", .item(attributes))) }
        case "UPDATED_NEW":
            let attributes = updatedPaths.map { $0.project(new) } ?? new.filter { changed.contains($0.key) }
            if !attributes.isEmpty { members.append(("Attributes", .item(attributes))) }
        default: break
        }
        // Item sizes and index projections are worked out only when the capacity is asked for (the hot path skips them).
        if capacityMode != "NONE" {
            let units = Self.writeUnits(table: table, old: old, new: new)
            if let capacity = Self.consumedCapacity(mode: capacityMode, table: name, units: units.table, indexUnits: units.indexes) {
                members.append(("ConsumedCapacity", capacity))
            }
        }
        if let metrics = Self.itemCollectionMetrics(mode: input.ReturnItemCollectionMetrics, table: table, item: new) {
            members.append(("ItemCollectionMetrics", metrics))
        }
        return .object(members)
    }

    /// Applies an update expression to the current item (or just the key for a new item) and validates the result.
    static func applyUpdate(_ update: UpdateExpression?, to old: Item?, key: Item, table: TableView) throws(DynamoDBError) -> (Item, Set<String>) {
        let base = old ?? table.key.key(of: key)
        guard let update else { return (base, []) }
        let result = try update.applyTracking(to: base)
        try ItemSize.validate(result.item, forUpdate: true)
        try validateIndexKeys(result.item, table: table, forUpdate: true)
        return (result.item, result.changedAttributes)
    }
}

extension DynamoDBService {
    /// The condition of PutItem or DeleteItem (whose only expression is the condition), with every check of the
    /// expression parameters: legacy and expression parameters not mixed, attribute maps well formed and all used.
    /// - Parameters:
    ///   - text: `ConditionExpression`.
    ///   - expected: `Expected`.
    ///   - conditionalOperator: `ConditionalOperator`.
    ///   - names: `ExpressionAttributeNames`.
    ///   - values: `ExpressionAttributeValues`.
    /// - Returns: The condition, if any.
    /// - Throws: AWS's validation errors.
    static func conditionOnlyWrite(
        _ text: String?,
        expected: [String: LegacyCondition]?,
        conditionalOperator: String?,
        names: [String: String]?,
        values: [String: AttributeValue]?
    ) throws(DynamoDBError) -> ConditionExpression? {
        // Only requests that carry legacy parameters, or attribute maps without an expression, can fail the check.
        if expected != nil || conditionalOperator != nil || (text == nil && (names != nil || values != nil)) {
            try LegacyParameters.checkMixing(
                legacy: [("Expected", expected != nil), ("ConditionalOperator", conditionalOperator != nil)],
                expressions: [("ConditionExpression", text != nil)],
                hasNames: names != nil,
                hasValues: values != nil
            )
        }
        try ExpressionAttributes.validate(names: names, values: values)
        var tracker = ExpressionUsageTracker()
        let condition = try writeCondition(
            text,
            expected: expected,
            conditionalOperator: conditionalOperator,
            names: names,
            values: values,
            tracker: &tracker
        )
        try tracker.verifyAllUsed(names: names, values: values)
        return condition
    }

    /// The condition of a write: its `ConditionExpression`, or the legacy `Expected` (with `ConditionalOperator`)
    /// translated into the same model (the caller has rejected requests that send both).
    /// - Parameters:
    ///   - text: `ConditionExpression`.
    ///   - expected: `Expected`.
    ///   - conditionalOperator: `ConditionalOperator`.
    ///   - names: `ExpressionAttributeNames`.
    ///   - values: `ExpressionAttributeValues`.
    ///   - tracker: Records the placeholders the expression uses.
    /// - Returns: The condition, if any.
    /// - Throws: The expression's or the legacy map's validation errors.
    static func writeCondition(
        _ text: String?,
        expected: [String: LegacyCondition]?,
        conditionalOperator: String?,
        names: [String: String]?,
        values: [String: AttributeValue]?,
        tracker: inout ExpressionUsageTracker
    ) throws(DynamoDBError) -> ConditionExpression? {
        if let expected { return try LegacyParameters.expected(expected, conditionalOperator: conditionalOperator) }
        guard let text else { return nil }
        let condition = try ConditionExpression.parse(text, names: names ?? [:], values: values ?? [:], kind: .condition)
        tracker.record(condition.usage)
        return condition
    }
}
