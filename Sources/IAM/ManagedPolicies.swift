import Foundation
import Identity

/// A catalog of common AWS managed policies, with the statements of their current default versions.
package enum ManagedPolicies {
    /// One catalog entry.
    package struct Entry: Sendable, Hashable {
        /// The policy name, for example `AWSLambdaBasicExecutionRole`.
        package var name: String
        /// The policy path, `/` or `/service-role/`.
        package var path: String
        /// The policy document JSON as AWS publishes it.
        package var json: String

        /// The policy ARN, for example `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`.
        package var arn: String { ARN.managedPolicy(name: name, path: path).description }
    }

    /// Every policy in the catalog.
    package static let entries: [Entry] = [
        Entry(name: "AdministratorAccess", path: "/", json: administratorAccess),
        Entry(name: "AWSLambdaBasicExecutionRole", path: "/service-role/", json: lambdaBasicExecutionRole),
        Entry(name: "AWSLambdaExecute", path: "/", json: lambdaExecute),
        Entry(name: "AWSLambdaDynamoDBExecutionRole", path: "/service-role/", json: lambdaDynamoDBExecutionRole),
        Entry(name: "AWSLambdaRole", path: "/service-role/", json: lambdaRole),
        Entry(name: "AmazonS3ReadOnlyAccess", path: "/", json: s3ReadOnlyAccess),
        Entry(name: "AmazonS3FullAccess", path: "/", json: s3FullAccess),
        Entry(name: "AmazonDynamoDBFullAccess", path: "/", json: dynamoDBFullAccess),
        Entry(name: "AmazonDynamoDBReadOnlyAccess", path: "/", json: dynamoDBReadOnlyAccess),
        Entry(name: "AmazonAPIGatewayInvokeFullAccess", path: "/", json: apiGatewayInvokeFullAccess),
    ]

    /// Looks up a managed policy by ARN (any partition), returning the parsed document named by its ARN.
    /// - Parameter arn: For example `arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess`.
    /// - Returns: The document, or nil for a policy not in the catalog (the caller should warn and treat it as granting nothing).
    package static func policy(arn: String) -> PolicyDocument? {
        guard let parsed = ARN(parsing: arn), parsed.service == "iam", parsed.account == "aws" else { return nil }
        let canonical = ARN.managedPolicy(name: "", path: "/").resource
        guard parsed.resource.hasPrefix(canonical) else { return nil }
        guard let entry = entries.first(where: { ARN.managedPolicy(name: $0.name, path: $0.path).resource == parsed.resource }) else { return nil }
        return try? PolicyDocument(jsonString: entry.json, name: arn)
    }

    /// Looks up a managed policy by name alone (ignoring its path).
    /// - Parameter name: For example `AWSLambdaBasicExecutionRole`.
    /// - Returns: The document, or nil for a name not in the catalog.
    package static func policy(named name: String) -> PolicyDocument? {
        guard let entry = entries.first(where: { $0.name == name }) else { return nil }
        return try? PolicyDocument(jsonString: entry.json, name: entry.arn)
    }

    // MARK: Documents (default versions as published in the AWS Managed Policy Reference)

    static let administratorAccess = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        """

    static let lambdaBasicExecutionRole = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]}
        """

    static let lambdaExecute = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": ["logs:*"], "Resource": "arn:aws:logs:*:*:*"},
          {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::*"}]}
        """

    static let lambdaDynamoDBExecutionRole = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
          "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
          "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]}
        """

    static let lambdaRole = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": ["*"]}]}
        """

    static let s3ReadOnlyAccess = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
          "s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], "Resource": "*"}]}
        """

    static let s3FullAccess = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]}
        """

    static let dynamoDBFullAccess = """
        {"Version": "2012-10-17", "Statement": [
          {"Action": ["dynamodb:*", "dax:*",
            "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
            "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
            "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:PutScalingPolicy",
            "application-autoscaling:RegisterScalableTarget",
            "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
            "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
            "cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData",
            "datapipeline:ActivatePipeline", "datapipeline:CreatePipeline", "datapipeline:DeletePipeline",
            "datapipeline:DescribeObjects", "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition",
            "datapipeline:ListPipelines", "datapipeline:PutPipelineDefinition", "datapipeline:QueryObjects",
            "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
            "iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
            "sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions", "sns:ListSubscriptionsByTopic", "sns:ListTopics",
            "sns:Subscribe", "sns:Unsubscribe", "sns:SetTopicAttributes",
            "lambda:CreateFunction", "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:CreateEventSourceMapping",
            "lambda:DeleteEventSourceMapping", "lambda:GetFunctionConfiguration", "lambda:DeleteFunction",
            "resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup",
            "resource-groups:GetGroupQuery", "resource-groups:DeleteGroup", "resource-groups:CreateGroup",
            "tag:GetResources", "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary"],
           "Effect": "Allow", "Resource": "*"},
          {"Action": "cloudwatch:GetInsightRuleReport", "Effect": "Allow",
           "Resource": "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*"},
          {"Action": ["iam:PassRole"], "Effect": "Allow", "Resource": "*",
           "Condition": {"StringLike": {"iam:PassedToService": [
             "application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn", "dax.amazonaws.com"]}}},
          {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"], "Resource": "*",
           "Condition": {"StringEquals": {"iam:AWSServiceName": [
             "replication.dynamodb.amazonaws.com", "dax.amazonaws.com", "dynamodb.application-autoscaling.amazonaws.com",
             "contributorinsights.dynamodb.amazonaws.com", "kinesisreplication.dynamodb.amazonaws.com"]}}}]}
        """

    static let dynamoDBReadOnlyAccess = """
        {"Version": "2012-10-17", "Statement": [
          {"Sid": "GeneralReadOnlyAccess", "Action": [
            "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
            "application-autoscaling:DescribeScalingPolicies",
            "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric",
            "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
            "datapipeline:DescribeObjects", "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition",
            "datapipeline:ListPipelines", "datapipeline:QueryObjects",
            "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetItem", "dynamodb:GetResourcePolicy",
            "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
            "dax:Describe*", "dax:List*", "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan",
            "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
            "iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
            "sns:ListSubscriptionsByTopic", "sns:ListTopics",
            "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:GetFunctionConfiguration",
            "resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup",
            "resource-groups:GetGroupQuery", "tag:GetResources",
            "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary"],
           "Effect": "Allow", "Resource": "*"},
          {"Sid": "CCIAccess", "Action": "cloudwatch:GetInsightRuleReport", "Effect": "Allow",
           "Resource": "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*"}]}
        """

    static let apiGatewayInvokeFullAccess = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Action": ["execute-api:Invoke", "execute-api:ManageConnections"], "Resource": "arn:aws:execute-api:*:*:*"}]}
        """
}
