/// The SAM policy templates the emulator expands, copied from `samtranslator/policy_templates_data/policy_templates.json`.
package struct SAMPolicyTemplate: Sendable {
    /// One generated IAM statement.
    package struct Statement: Sendable {
        /// The IAM actions.
        package var actions: [String]
        /// `Fn::Sub` patterns for the resources; parameter `Name` appears as `${name}`.
        package var resources: [String]
        /// Whether SAM writes `Resource` as a list (otherwise a single value).
        package var resourceIsList: Bool
    }

    /// The template's parameter names (`TableName`, `BucketName`, ...).
    package var parameters: [String]
    /// The statements the template expands to.
    package var statements: [Statement]

    /// The templates by name.
    package static let all: [String: SAMPolicyTemplate] = {
        let table = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}"
        let bucket = "arn:${AWS::Partition}:s3:::${bucketName}"
        let queue = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}"
        func one(_ parameters: [String], _ actions: [String], _ resources: [String], list: Bool = false) -> SAMPolicyTemplate {
            SAMPolicyTemplate(parameters: parameters, statements: [Statement(actions: actions, resources: resources, resourceIsList: list)])
        }
        return [
            "DynamoDBCrudPolicy": one(
                ["TableName"],
                [
                    "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem",
                    "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem",
                ],
                [table, table + "/index/*"],
                list: true
            ),
            "DynamoDBReadPolicy": one(
                ["TableName"],
                ["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"],
                [table, table + "/index/*"],
                list: true
            ),
            "DynamoDBWritePolicy": one(
                ["TableName"],
                ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
                [table, table + "/index/*"],
                list: true
            ),
            "DynamoDBStreamReadPolicy": SAMPolicyTemplate(
                parameters: ["TableName", "StreamName"],
                statements: [
                    Statement(
                        actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                        resources: [table + "/stream/${streamName}"],
                        resourceIsList: false
                    ),
                    Statement(actions: ["dynamodb:ListStreams"], resources: [table + "/stream/*"], resourceIsList: false),
                ]
            ),
            "S3ReadPolicy": one(
                ["BucketName"],
                ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"],
                [bucket, bucket + "/*"],
                list: true
            ),
            "S3WritePolicy": one(
                ["BucketName"],
                ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"],
                [bucket, bucket + "/*"],
                list: true
            ),
            "S3CrudPolicy": one(
                ["BucketName"],
                [
                    "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
                    "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject",
                ],
                [bucket, bucket + "/*"],
                list: true
            ),
            "S3FullAccessPolicy": SAMPolicyTemplate(
                parameters: ["BucketName"],
                statements: [
                    Statement(
                        actions: [
                            "s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:DeleteObject",
                            "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectTagging", "s3:GetObjectVersionTagging",
                            "s3:PutObjectTagging", "s3:PutObjectVersionTagging",
                        ],
                        resources: [bucket + "/*"],
                        resourceIsList: true
                    ),
                    Statement(
                        actions: ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"],
                        resources: [bucket],
                        resourceIsList: true
                    ),
                ]
            ),
            "SQSSendMessagePolicy": one(["QueueName"], ["sqs:SendMessage*"], [queue]),
            "SQSPollerPolicy": one(
                ["QueueName"],
                [
                    "sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage", "sqs:DeleteMessageBatch",
                    "sqs:GetQueueAttributes", "sqs:ReceiveMessage",
                ],
                [queue]
            ),
            "SNSPublishMessagePolicy": one(
                ["TopicName"],
                ["sns:Publish"],
                ["arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${topicName}"]
            ),
            "LambdaInvokePolicy": one(
                ["FunctionName"],
                ["lambda:InvokeFunction"],
                ["arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}*"]
            ),
            "AWSSecretsManagerGetSecretValuePolicy": one(["SecretArn"], ["secretsmanager:GetSecretValue"], ["${secretArn}"]),
            "SSMParameterReadPolicy": SAMPolicyTemplate(
                parameters: ["ParameterName"],
                statements: [
                    Statement(actions: ["ssm:DescribeParameters"], resources: ["*"], resourceIsList: false),
                    Statement(
                        actions: ["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"],
                        resources: ["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${parameterName}"],
                        resourceIsList: false
                    ),
                ]
            ),
            "KMSDecryptPolicy": one(["KeyId"], ["kms:Decrypt"], ["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${keyId}"]),
            "KMSEncryptPolicy": one(["KeyId"], ["kms:Encrypt"], ["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${keyId}"]),
            "CloudWatchPutMetricPolicy": one([], ["cloudwatch:PutMetricData"], ["*"]),
            "StepFunctionsExecutionPolicy": one(
                ["StateMachineName"],
                ["states:StartExecution"],
                ["arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${stateMachineName}"]
            ),
            "EventBridgePutEventsPolicy": one(
                ["EventBusName"],
                ["events:PutEvents"],
                ["arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${eventBusName}"]
            ),
        ]
    }()

    /// The statements with each resource as SAM writes it: `{"Fn::Sub": [pattern, {param: value}]}` or a plain `*`.
    /// - Parameter arguments: The template's parameter values as written in `Policies`.
    /// - Returns: The IAM statements, still containing intrinsic functions.
    package func expand(arguments: TemplateMap) -> [TemplateValue] {
        statements.map { statement in
            let resources: [TemplateValue] = statement.resources.map { pattern in
                if pattern == "*" { return .string("*") }
                var variables = TemplateMap()
                for parameter in parameters {
                    let variable = parameter.prefix(1).lowercased() + parameter.dropFirst()
                    if pattern.contains("${\(variable)}"), let value = arguments[parameter] {
                        variables.set(variable, value)
                    }
                }
                if variables.isEmpty { return ["Fn::Sub": .string(pattern)] }
                return ["Fn::Sub": [.string(pattern), .map(variables)]]
            }
            let resource: TemplateValue = statement.resourceIsList ? .list(resources) : resources.first ?? .string("*")
            return [
                "Effect": "Allow",
                "Action": .list(statement.actions.map(TemplateValue.string)),
                "Resource": resource,
            ]
        }
    }
}
