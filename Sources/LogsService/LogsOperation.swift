import AWSGateway

/// The CloudWatch Logs operations this emulator serves, named by the `X-Amz-Target` suffix (`Logs_20140328.`).
/// See https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html
package enum LogsOperation: String, ServiceOperation, CaseIterable {
    /// `CreateLogGroup`.
    case createLogGroup = "CreateLogGroup"
    /// `DeleteLogGroup`.
    case deleteLogGroup = "DeleteLogGroup"
    /// `DescribeLogGroups`.
    case describeLogGroups = "DescribeLogGroups"
    /// `CreateLogStream`.
    case createLogStream = "CreateLogStream"
    /// `DescribeLogStreams`.
    case describeLogStreams = "DescribeLogStreams"
    /// `PutLogEvents`.
    case putLogEvents = "PutLogEvents"
    /// `GetLogEvents`.
    case getLogEvents = "GetLogEvents"
    /// `FilterLogEvents` (what `aws logs tail` and `sam logs` poll).
    case filterLogEvents = "FilterLogEvents"
    /// `PutRetentionPolicy`.
    case putRetentionPolicy = "PutRetentionPolicy"
    /// `DeleteRetentionPolicy`.
    case deleteRetentionPolicy = "DeleteRetentionPolicy"
    /// `TagResource`.
    case tagResource = "TagResource"
    /// `UntagResource`.
    case untagResource = "UntagResource"
    /// `ListTagsForResource`.
    case listTagsForResource = "ListTagsForResource"
    /// `ListTagsLogGroup` (deprecated in favour of `ListTagsForResource`, still what `aws logs list-tags-log-group` calls).
    case listTagsLogGroup = "ListTagsLogGroup"

    /// The IAM action, `logs:<Operation>`.
    package var iamAction: String { "logs:" + rawValue }
}
