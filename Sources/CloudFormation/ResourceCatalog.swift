/// What the emulator knows about each resource type: naming rules, `Ref`/`Fn::GetAtt` values and used properties.
package enum ResourceCatalog {
    /// The resource types the emulator creates; everything else is skipped (but still resolvable).
    package static let emulatedTypes: Set<String> = Set(supportedProperties.keys)

    /// The properties each emulated type's spec reads; other properties are reported as unsupported.
    package static let supportedProperties: [String: Set<String>] = [
        "AWS::S3::Bucket": [
            "BucketName", "BucketEncryption", "PublicAccessBlockConfiguration", "VersioningConfiguration", "CorsConfiguration",
            "LifecycleConfiguration", "NotificationConfiguration", "Tags",
        ],
        "AWS::DynamoDB::Table": [
            "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes", "TimeToLiveSpecification", "StreamSpecification", "Tags", "SSESpecification", "DeletionProtectionEnabled",
            "TableClass",
        ],
        "AWS::Lambda::Function": [
            "FunctionName", "Code", "Handler", "Runtime", "Timeout", "MemorySize", "Environment", "Role",
            "ReservedConcurrentExecutions", "Architectures", "Description", "Tags", "PackageType",
        ],
        "AWS::Lambda::Permission": ["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount"],
        "AWS::IAM::Role": [
            "RoleName", "AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "Path", "Tags", "Description", "MaxSessionDuration",
        ],
        "AWS::IAM::Policy": ["PolicyName", "PolicyDocument", "Roles", "Users", "Groups"],
        "AWS::IAM::ManagedPolicy": ["ManagedPolicyName", "PolicyDocument", "Roles", "Users", "Groups", "Path", "Description"],
        "AWS::ApiGatewayV2::Api": ["Name", "ProtocolType", "RouteSelectionExpression", "ApiKeySelectionExpression", "Description", "Tags"],
        "AWS::ApiGatewayV2::Stage": ["ApiId", "StageName", "DeploymentId", "AutoDeploy", "Description", "StageVariables"],
        "AWS::ApiGatewayV2::Route": [
            "ApiId", "RouteKey", "Target", "AuthorizationType", "AuthorizerId", "ApiKeyRequired", "OperationName",
            "RouteResponseSelectionExpression",
        ],
        "AWS::ApiGatewayV2::Integration": [
            "ApiId", "IntegrationType", "IntegrationUri", "IntegrationMethod", "CredentialsArn", "Description", "TimeoutInMillis",
            "ContentHandlingStrategy", "PayloadFormatVersion",
        ],
        "AWS::ApiGatewayV2::Deployment": ["ApiId", "StageName", "Description"],
        "AWS::ApiGatewayV2::RouteResponse": ["ApiId", "RouteId", "RouteResponseKey"],
        "AWS::ApiGatewayV2::Authorizer": ["ApiId", "Name", "AuthorizerType", "AuthorizerUri", "IdentitySource", "AuthorizerCredentialsArn"],
        "AWS::Cognito::IdentityPool": [
            "IdentityPoolName", "AllowUnauthenticatedIdentities", "CognitoIdentityProviders", "SupportedLoginProviders",
            "DeveloperProviderName", "AllowClassicFlow",
        ],
        "AWS::Cognito::IdentityPoolRoleAttachment": ["IdentityPoolId", "Roles"],
    ]

    private struct NameRule {
        var property: String
        var maxLength: Int
        var lowercase = false
    }

    private static let nameRules: [String: NameRule] = [
        "AWS::S3::Bucket": NameRule(property: "BucketName", maxLength: 63, lowercase: true),
        "AWS::DynamoDB::Table": NameRule(property: "TableName", maxLength: 255),
        "AWS::Lambda::Function": NameRule(property: "FunctionName", maxLength: 64),
        "AWS::IAM::Role": NameRule(property: "RoleName", maxLength: 64),
        "AWS::IAM::ManagedPolicy": NameRule(property: "ManagedPolicyName", maxLength: 128),
        "AWS::Logs::LogGroup": NameRule(property: "LogGroupName", maxLength: 512),
        "AWS::SQS::Queue": NameRule(property: "QueueName", maxLength: 80),
        "AWS::SNS::Topic": NameRule(property: "TopicName", maxLength: 256),
        "AWS::Cognito::IdentityPool": NameRule(property: "IdentityPoolName", maxLength: 128),
        "AWS::ApiGatewayV2::Api": NameRule(property: "Name", maxLength: 128),
    ]

    /// The `Ref` value and `Fn::GetAtt` attributes of a resource, computed as AWS would.
    /// - Parameters:
    ///   - type: The resource type.
    ///   - logicalId: The logical id.
    ///   - properties: The resolved properties (explicit names win over generated ones).
    ///   - configuration: The stack configuration (name, region, account, partition).
    /// - Returns: The physical id (`Ref`) and the attribute values.
    package static func identity(
        type: String,
        logicalId: String,
        properties: TemplateValue,
        configuration: StackConfiguration
    ) -> (physicalId: String, attributes: [String: String]) {
        let stack = configuration.stackName
        let region = configuration.region
        let account = configuration.accountId
        let partition = configuration.partition
        let suffix = configuration.urlSuffix
        func name() -> String {
            guard let rule = nameRules[type] else {
                return PhysicalNames.generatedName(stack: stack, logicalId: logicalId, maxLength: 128)
            }
            if let explicit = properties[rule.property]?.scalarText, !explicit.isEmpty { return explicit }
            return PhysicalNames.generatedName(stack: stack, logicalId: logicalId, maxLength: rule.maxLength, lowercase: rule.lowercase)
        }
        func shortId(_ length: Int) -> String { PhysicalNames.lowercaseId(stack: stack, logicalId: logicalId, length: length) }

        switch type {
        case "AWS::S3::Bucket":
            let bucket = name()
            return (
                bucket,
                [
                    "Arn": "arn:\(partition):s3:::\(bucket)",
                    "DomainName": "\(bucket).s3.\(suffix)",
                    "RegionalDomainName": "\(bucket).s3.\(region).\(suffix)",
                    "DualStackDomainName": "\(bucket).s3.dualstack.\(region).\(suffix)",
                    "WebsiteURL": "http://\(bucket).s3-website-\(region).\(suffix)",
                ]
            )
        case "AWS::DynamoDB::Table":
            let table = name()
            let arn = "arn:\(partition):dynamodb:\(region):\(account):table/\(table)"
            var attributes = ["Arn": arn]
            if properties["StreamSpecification"] != nil {
                attributes["StreamArn"] = "\(arn)/stream/\(streamLabel(stack: stack, logicalId: logicalId))"
            }
            return (table, attributes)
        case "AWS::Lambda::Function":
            let function = name()
            return (function, ["Arn": "arn:\(partition):lambda:\(region):\(account):function:\(function)"])
        case "AWS::IAM::Role":
            let role = name()
            let path = properties["Path"]?.scalarText ?? "/"
            return (
                role,
                [
                    "Arn": "arn:\(partition):iam::\(account):role\(path)\(role)",
                    "RoleId": "AROA" + PhysicalNames.uppercaseId(stack, logicalId, "role", length: 17),
                ]
            )
        case "AWS::IAM::ManagedPolicy":
            let policy = name()
            let path = properties["Path"]?.scalarText ?? "/"
            let arn = "arn:\(partition):iam::\(account):policy\(path)\(policy)"
            return (arn, ["PolicyArn": arn, "PolicyId": "ANPA" + PhysicalNames.uppercaseId(stack, logicalId, "policy", length: 17)])
        case "AWS::IAM::Policy":
            let id = PhysicalNames.generatedName(stack: String(stack.prefix(5)), logicalId: String(logicalId.prefix(5)), maxLength: 128)
            return (id, ["Id": id])
        case "AWS::ApiGatewayV2::Api":
            let id = shortId(10)
            let scheme = properties["ProtocolType"]?.scalarText == "WEBSOCKET" ? "wss" : "https"
            return (id, ["ApiId": id, "ApiEndpoint": "\(scheme)://\(id).execute-api.\(region).\(suffix)"])
        case "AWS::ApiGatewayV2::Stage":
            return (properties["StageName"]?.scalarText ?? name(), [:])
        case "AWS::ApiGatewayV2::Route":
            let id = shortId(7)
            return (id, ["RouteId": id])
        case "AWS::ApiGatewayV2::Integration":
            let id = shortId(7)
            return (id, ["IntegrationId": id])
        case "AWS::ApiGatewayV2::Deployment":
            let id = shortId(6)
            return (id, ["DeploymentId": id])
        case "AWS::ApiGatewayV2::RouteResponse":
            let id = shortId(6)
            return (id, ["RouteResponseId": id])
        case "AWS::ApiGatewayV2::Authorizer":
            let id = shortId(6)
            return (id, ["AuthorizerId": id])
        case "AWS::Cognito::IdentityPool":
            let id = "\(region):\(PhysicalNames.uuid(stack, logicalId, account, region))"
            let poolName = properties["IdentityPoolName"]?.scalarText ?? logicalId + "_" + PhysicalNames.suffix(stack: stack, logicalId: logicalId)
            return (id, ["Name": poolName, "Id": id])
        case "AWS::Logs::LogGroup":
            let group = name()
            return (group, ["Arn": "arn:\(partition):logs:\(region):\(account):log-group:\(group):*"])
        case "AWS::SQS::Queue":
            var queue = name()
            if properties["FifoQueue"]?.boolValue == true, !queue.hasSuffix(".fifo") {
                queue += ".fifo"
            }
            let url = "https://sqs.\(region).\(suffix)/\(account)/\(queue)"
            return (url, ["Arn": "arn:\(partition):sqs:\(region):\(account):\(queue)", "QueueName": queue, "QueueUrl": url])
        case "AWS::SNS::Topic":
            let topic = name()
            let arn = "arn:\(partition):sns:\(region):\(account):\(topic)"
            return (arn, ["TopicArn": arn, "TopicName": topic])
        default:
            let id = name()
            return (id, [:])
        }
    }

    /// Whether a `Fn::GetAtt` of `attribute` on `type` must be rejected (only checked for emulated types).
    package static func isKnownAttribute(_ attribute: String, type: String, attributes: [String: String]) -> Bool {
        if attributes[attribute] != nil { return true }
        return !emulatedTypes.contains(type)
    }

    /// A plausible attribute value for types the emulator does not model, so the rest of the stack resolves.
    package static func plausibleAttribute(
        _ attribute: String,
        type: String,
        physicalId: String,
        configuration: StackConfiguration
    ) -> String {
        guard attribute.hasSuffix("Arn") || attribute == "Arn" else { return physicalId }
        if physicalId.hasPrefix("arn:") { return physicalId }
        let components = type.split(separator: "::").map(String.init)
        let service = components.count > 1 ? components[1].lowercased() : "unknown"
        let resource = components.last?.lowercased() ?? "resource"
        return "arn:\(configuration.partition):\(service):\(configuration.region):\(configuration.accountId):\(resource)/\(physicalId)"
    }

    private static func streamLabel(stack: String, logicalId: String) -> String {
        let seed = PhysicalNames.seed(stack, logicalId, "stream")
        let day = Int(seed % 28) + 1
        let month = Int((seed >> 8) % 12) + 1
        let hour = Int((seed >> 16) % 24)
        let minute = Int((seed >> 24) % 60)
        let second = Int((seed >> 32) % 60)
        let millis = Int((seed >> 40) % 1000)
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "2024-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second)).\(pad(millis, 3))"
    }
}
