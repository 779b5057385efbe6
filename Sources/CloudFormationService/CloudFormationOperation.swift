import AWSGateway

/// The read-only CloudFormation operations this emulator serves, named by the query `Action`.
/// See https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Operations.html
package enum CloudFormationOperation: String, ServiceOperation, CaseIterable {
    /// `DescribeStacks`.
    case describeStacks = "DescribeStacks"
    /// `ListStacks`.
    case listStacks = "ListStacks"
    /// `ListStackResources`.
    case listStackResources = "ListStackResources"
    /// `DescribeStackResources`.
    case describeStackResources = "DescribeStackResources"
    /// `DescribeStackResource`.
    case describeStackResource = "DescribeStackResource"
    /// `GetTemplate`.
    case getTemplate = "GetTemplate"

    /// The IAM action, `cloudformation:<Action>`.
    package var iamAction: String { "cloudformation:" + rawValue }
}
