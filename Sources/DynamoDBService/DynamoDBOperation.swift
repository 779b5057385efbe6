import AWSGateway

/// The DynamoDB operations this emulator serves, named by their `X-Amz-Target` suffix
/// (`DynamoDB_20120810.<Operation>`), each with the IAM action it is authorized as.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
package enum DynamoDBOperation: String, ServiceOperation, CaseIterable {
    /// `CreateTable`.
    case createTable = "CreateTable"
    /// `DescribeTable`.
    case describeTable = "DescribeTable"
    /// `ListTables`.
    case listTables = "ListTables"
    /// `DeleteTable`.
    case deleteTable = "DeleteTable"
    /// `UpdateTable`.
    case updateTable = "UpdateTable"
    /// `UpdateTimeToLive`.
    case updateTimeToLive = "UpdateTimeToLive"
    /// `DescribeTimeToLive`.
    case describeTimeToLive = "DescribeTimeToLive"
    /// `TagResource`.
    case tagResource = "TagResource"
    /// `UntagResource`.
    case untagResource = "UntagResource"
    /// `ListTagsOfResource`.
    case listTagsOfResource = "ListTagsOfResource"
    /// `PutItem`.
    case putItem = "PutItem"
    /// `GetItem`.
    case getItem = "GetItem"
    /// `UpdateItem`.
    case updateItem = "UpdateItem"
    /// `DeleteItem`.
    case deleteItem = "DeleteItem"
    /// `Query`.
    case query = "Query"
    /// `Scan`.
    case scan = "Scan"
    /// `BatchGetItem`.
    case batchGetItem = "BatchGetItem"
    /// `BatchWriteItem`.
    case batchWriteItem = "BatchWriteItem"
    /// `TransactWriteItems`.
    case transactWriteItems = "TransactWriteItems"
    /// `TransactGetItems`.
    case transactGetItems = "TransactGetItems"
    /// `ExecuteStatement` (PartiQL).
    case executeStatement = "ExecuteStatement"
    /// `BatchExecuteStatement` (PartiQL).
    case batchExecuteStatement = "BatchExecuteStatement"
    /// `ExecuteTransaction` (PartiQL).
    case executeTransaction = "ExecuteTransaction"
    /// `DescribeEndpoints`.
    case describeEndpoints = "DescribeEndpoints"
    /// `DescribeLimits`.
    case describeLimits = "DescribeLimits"

    /// The IAM action, `dynamodb:<Operation>` (every DynamoDB operation is its own action).
    package var iamAction: String { "dynamodb:" + rawValue }
}
