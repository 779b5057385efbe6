import Foundation

extension KeySchema {
    /// Maximum partition key size in bytes (S and B).
    package static let maximumPartitionKeyBytes = 2048
    /// Maximum sort key size in bytes (S and B).
    package static let maximumSortKeyBytes = 1024

    /// The key attributes in schema order (partition first).
    package var elements: [Element] {
        [partitionKey] + (sortKey.map { [$0] } ?? [])
    }

    /// The key attribute names.
    package var attributeNames: Set<String> {
        Set(elements.map(\.name))
    }

    /// Validates the key attributes of a whole item (PutItem, BatchWriteItem put, TransactWriteItems put).
    /// - Parameter item: The item.
    /// - Throws: "Missing the key …", "Type mismatch for key …", empty key value and key size errors, in AWS's order.
    package func validateItem(_ item: Item) throws(DynamoDBError) {
        for (index, element) in elements.enumerated() {
            guard let value = item[element.name] else { throw .validation(DynamoDBMessages.missingKey(element.name)) }
            guard ScalarAttributeType(of: value) == element.type else {
                throw .validation(
                    DynamoDBMessages.keyTypeMismatch(element.name, expected: element.type.rawValue, actual: value.typeDescriptor)
                )
            }
            try Self.checkKeyValue(value, name: element.name, isPartition: index == 0)
        }
    }

    /// Validates a `Key` parameter (GetItem, DeleteItem, UpdateItem, BatchGetItem, ConditionCheck).
    /// - Parameter key: The key attributes sent.
    /// - Throws: "The provided key element does not match the schema", empty key value and key size errors.
    package func validateKey(_ key: Item) throws(DynamoDBError) {
        guard key.count == elements.count else { throw .validation(DynamoDBMessages.keyDoesNotMatchSchema) }
        for (index, element) in elements.enumerated() {
            guard let value = key[element.name], ScalarAttributeType(of: value) == element.type else {
                throw .validation(DynamoDBMessages.keyDoesNotMatchSchema)
            }
            try Self.checkKeyValue(value, name: element.name, isPartition: index == 0)
        }
    }

    private static func checkKeyValue(_ value: AttributeValue, name: String, isPartition: Bool) throws(DynamoDBError) {
        let length: Int
        switch value {
        case .s(let text):
            if text.isEmpty { throw .validation(DynamoDBMessages.emptyKeyAttribute(name, binary: false)) }
            length = text.utf8.count
        case .b(let data):
            if data.isEmpty { throw .validation(DynamoDBMessages.emptyKeyAttribute(name, binary: true)) }
            length = data.count
        default:
            return
        }
        if isPartition && length > maximumPartitionKeyBytes { throw .validation(DynamoDBMessages.hashKeyTooLarge) }
        if !isPartition && length > maximumSortKeyBytes { throw .validation(DynamoDBMessages.rangeKeyTooLarge) }
    }

    /// The key attributes of an item (call after `validateItem`/`validateKey`).
    /// - Parameter item: The item or key.
    /// - Returns: Only the key attributes.
    package func key(of item: Item) -> Item {
        item.filter { attributeNames.contains($0.key) }
    }

    /// The stable identity bytes of an item's primary key, or nil when a key attribute is missing.
    /// - Parameter item: The item or key.
    /// - Returns: `KeyEncoding.identity` of the key values.
    package func identity(of item: Item) -> Data? {
        guard let partition = item[partitionKey.name] else { return nil }
        if let sortKey {
            guard let sort = item[sortKey.name] else { return nil }
            return KeyEncoding.identity(partition: partition, sort: sort)
        }
        return KeyEncoding.identity(partition: partition, sort: nil)
    }
}

extension UpdateExpression {
    /// Rejects updates that write a key attribute, as UpdateItem does.
    /// - Parameter schema: The table's key schema.
    /// - Throws: "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key".
    package func checkKeyAttributes(_ schema: KeySchema) throws(DynamoDBError) {
        for element in schema.elements where actions.contains(where: { $0.path.topLevelName == element.name }) {
            throw .validation(DynamoDBMessages.cannotUpdateKey(element.name))
        }
    }
}
