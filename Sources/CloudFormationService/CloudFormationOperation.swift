import AWSGateway

/// The CloudFormation operations this emulator serves, named by the query `Action`.
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
    /// `CreateStack`.
    case createStack = "CreateStack"
    /// `UpdateStack`.
    case updateStack = "UpdateStack"
    /// `DeleteStack`.
    case deleteStack = "DeleteStack"
    /// `DescribeStackEvents`.
    case describeStackEvents = "DescribeStackEvents"
    /// `CreateChangeSet`.
    case createChangeSet = "CreateChangeSet"
    /// `DescribeChangeSet`.
    case describeChangeSet = "DescribeChangeSet"
    /// `ExecuteChangeSet`.
    case executeChangeSet = "ExecuteChangeSet"
    /// `DeleteChangeSet`.
    case deleteChangeSet = "DeleteChangeSet"
    /// `ListChangeSets`.
    case listChangeSets = "ListChangeSets"
    /// `ValidateTemplate`.
    case validateTemplate = "ValidateTemplate"
    /// `GetTemplateSummary`.
    case getTemplateSummary = "GetTemplateSummary"
    /// `ListExports`.
    case listExports = "ListExports"
    /// `ListImports`.
    case listImports = "ListImports"

    /// The IAM action, `cloudformation:<Action>`.
    package var iamAction: String { "cloudformation:" + rawValue }
}
