import Foundation

/// `ProvisionedThroughput` as sent.
struct ThroughputInput: Decodable, Sendable {
    var ReadCapacityUnits: Int?
    var WriteCapacityUnits: Int?
}

/// `Projection` as sent.
struct ProjectionInput: Decodable, Sendable {
    var ProjectionType: String?
    var NonKeyAttributes: [String]?
}

/// A secondary index in CreateTable.
struct IndexInput: Decodable, Sendable {
    var IndexName: String?
    var KeySchema: [KeySchemaEntry]?
    var Projection: ProjectionInput?
    var ProvisionedThroughput: ThroughputInput?
}

/// One tag.
struct TagInput: Codable, Sendable {
    var Key: String?
    var Value: String?
}

/// `StreamSpecification`.
struct StreamSpecificationInput: Decodable, Sendable {
    var StreamEnabled: Bool?
    var StreamViewType: String?
}

/// CreateTable input.
struct CreateTableInput: Decodable, Sendable {
    var TableName: String?
    var AttributeDefinitions: [AttributeDefinitionEntry]?
    var KeySchema: [KeySchemaEntry]?
    var BillingMode: String?
    var ProvisionedThroughput: ThroughputInput?
    var GlobalSecondaryIndexes: [IndexInput]?
    var LocalSecondaryIndexes: [IndexInput]?
    var Tags: [TagInput]?
    var StreamSpecification: StreamSpecificationInput?
    var DeletionProtectionEnabled: Bool?
    var TableClass: String?
}

/// Input of operations that name just a table.
struct TableNameInput: Decodable, Sendable {
    var TableName: String?
}

/// ListTables input.
struct ListTablesInput: Decodable, Sendable {
    var ExclusiveStartTableName: String?
    var Limit: Int?
}

/// One GSI update in UpdateTable.
struct GlobalSecondaryIndexUpdate: Decodable, Sendable {
    struct Create: Decodable, Sendable {
        var IndexName: String?
        var KeySchema: [KeySchemaEntry]?
        var Projection: ProjectionInput?
        var ProvisionedThroughput: ThroughputInput?
    }
    struct Delete: Decodable, Sendable {
        var IndexName: String?
    }
    struct Update: Decodable, Sendable {
        var IndexName: String?
        var ProvisionedThroughput: ThroughputInput?
    }
    var Create: Create?
    var Delete: Delete?
    var Update: Update?
}

/// UpdateTable input.
struct UpdateTableInput: Decodable, Sendable {
    var TableName: String?
    var AttributeDefinitions: [AttributeDefinitionEntry]?
    var BillingMode: String?
    var ProvisionedThroughput: ThroughputInput?
    var GlobalSecondaryIndexUpdates: [GlobalSecondaryIndexUpdate]?
    var StreamSpecification: StreamSpecificationInput?
    var DeletionProtectionEnabled: Bool?
    var TableClass: String?
}

/// UpdateTimeToLive input.
struct UpdateTimeToLiveInput: Decodable, Sendable {
    struct Specification: Decodable, Sendable {
        var Enabled: Bool?
        var AttributeName: String?
    }
    var TableName: String?
    var TimeToLiveSpecification: Specification?
}

/// TagResource / UntagResource / ListTagsOfResource input.
struct TagResourceInput: Decodable, Sendable {
    var ResourceArn: String?
    var Tags: [TagInput]?
    var TagKeys: [String]?
    var NextToken: String?
}

/// PutItem input.
struct PutItemInput: Decodable, Sendable {
    var TableName: String?
    var Item: Item?
    var ConditionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: String?
    var ReturnConsumedCapacity: String?
    var ReturnItemCollectionMetrics: String?
    var ReturnValuesOnConditionCheckFailure: String?
    var Expected: [String: LegacyCondition]?
    var ConditionalOperator: String?
}

/// GetItem input.
struct GetItemInput: Decodable, Sendable {
    var TableName: String?
    var Key: Item?
    var ConsistentRead: Bool?
    var ProjectionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ReturnConsumedCapacity: String?
    var AttributesToGet: [String]?
}

/// DeleteItem input.
struct DeleteItemInput: Decodable, Sendable {
    var TableName: String?
    var Key: Item?
    var ConditionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: String?
    var ReturnConsumedCapacity: String?
    var ReturnItemCollectionMetrics: String?
    var ReturnValuesOnConditionCheckFailure: String?
    var Expected: [String: LegacyCondition]?
    var ConditionalOperator: String?
}

/// UpdateItem input.
struct UpdateItemInput: Decodable, Sendable {
    var TableName: String?
    var Key: Item?
    var UpdateExpression: String?
    var ConditionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: String?
    var ReturnConsumedCapacity: String?
    var ReturnItemCollectionMetrics: String?
    var ReturnValuesOnConditionCheckFailure: String?
    var AttributeUpdates: [String: LegacyAttributeUpdate]?
    var Expected: [String: LegacyCondition]?
    var ConditionalOperator: String?
}

/// Query and Scan input.
struct QueryInput: Decodable, Sendable {
    var TableName: String?
    var IndexName: String?
    var KeyConditionExpression: String?
    var FilterExpression: String?
    var ProjectionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var Select: String?
    var Limit: Int?
    var ConsistentRead: Bool?
    var ScanIndexForward: Bool?
    var ExclusiveStartKey: Item?
    var ReturnConsumedCapacity: String?
    var Segment: Int?
    var TotalSegments: Int?
    var KeyConditions: [String: LegacyCondition]?
    var QueryFilter: [String: LegacyCondition]?
    var ScanFilter: [String: LegacyCondition]?
    var ConditionalOperator: String?
    var AttributesToGet: [String]?
}

/// BatchGetItem input.
struct BatchGetItemInput: Decodable, Sendable {
    struct KeysAndAttributes: Decodable, Sendable {
        var Keys: [Item]?
        var ProjectionExpression: String?
        var ExpressionAttributeNames: [String: String]?
        var ConsistentRead: Bool?
        var AttributesToGet: [String]?
    }
    var RequestItems: [String: KeysAndAttributes]?
    var ReturnConsumedCapacity: String?
}

/// BatchWriteItem input.
struct BatchWriteItemInput: Decodable, Sendable {
    struct WriteRequest: Decodable, Sendable {
        struct Put: Decodable, Sendable { var Item: Item? }
        struct Delete: Decodable, Sendable { var Key: Item? }
        var PutRequest: Put?
        var DeleteRequest: Delete?
    }
    var RequestItems: [String: [WriteRequest]]?
    var ReturnConsumedCapacity: String?
    var ReturnItemCollectionMetrics: String?
}

/// TransactWriteItems input.
struct TransactWriteItemsInput: Decodable, Sendable {
    struct Operation: Decodable, Sendable {
        var TableName: String?
        var Key: Item?
        var Item: Item?
        var UpdateExpression: String?
        var ConditionExpression: String?
        var ExpressionAttributeNames: [String: String]?
        var ExpressionAttributeValues: [String: AttributeValue]?
        var ReturnValuesOnConditionCheckFailure: String?
    }
    struct TransactItem: Decodable, Sendable {
        var ConditionCheck: Operation?
        var Put: Operation?
        var Delete: Operation?
        var Update: Operation?
    }
    var TransactItems: [TransactItem]?
    var ClientRequestToken: String?
    var ReturnConsumedCapacity: String?
    var ReturnItemCollectionMetrics: String?
}

/// TransactGetItems input.
struct TransactGetItemsInput: Decodable, Sendable {
    struct Get: Decodable, Sendable {
        var TableName: String?
        var Key: Item?
        var ProjectionExpression: String?
        var ExpressionAttributeNames: [String: String]?
    }
    struct TransactItem: Decodable, Sendable {
        var Get: Get?
    }
    var TransactItems: [TransactItem]?
    var ReturnConsumedCapacity: String?
}

/// ExecuteStatement input.
struct ExecuteStatementInput: Decodable, Sendable {
    var Statement: String?
    var Parameters: [AttributeValue]?
    var ConsistentRead: Bool?
    var NextToken: String?
    var ReturnConsumedCapacity: String?
    var Limit: Int?
    var ReturnValuesOnConditionCheckFailure: String?
}

/// BatchExecuteStatement input.
struct BatchExecuteStatementInput: Decodable, Sendable {
    /// One `BatchStatementRequest`.
    struct Request: Decodable, Sendable {
        var Statement: String?
        var Parameters: [AttributeValue]?
        var ConsistentRead: Bool?
        var ReturnValuesOnConditionCheckFailure: String?
    }
    var Statements: [Request]?
    var ReturnConsumedCapacity: String?
}

/// ExecuteTransaction input.
struct ExecuteTransactionInput: Decodable, Sendable {
    /// One `ParameterizedStatement`.
    struct Statement: Decodable, Sendable {
        var Statement: String?
        var Parameters: [AttributeValue]?
        var ReturnValuesOnConditionCheckFailure: String?
    }
    var TransactStatements: [Statement]?
    var ClientRequestToken: String?
    var ReturnConsumedCapacity: String?
}
