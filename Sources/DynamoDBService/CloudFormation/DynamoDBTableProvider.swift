import CloudFormation

/// The CloudFormation provider of `AWS::DynamoDB::Table`.
///
/// Supported properties: `TableName`, `AttributeDefinitions`, `KeySchema`, `BillingMode`,
/// `ProvisionedThroughput`, `GlobalSecondaryIndexes`, `LocalSecondaryIndexes`, `TimeToLiveSpecification`,
/// `StreamSpecification`, `Tags`, `SSESpecification`, `DeletionProtectionEnabled` and `TableClass`. Every other
/// property (`PointInTimeRecoverySpecification`, `KinesisStreamSpecification`...) is reported as ignored.
package struct DynamoDBTableProvider: ResourceProvider {
    /// The table resource type.
    package static let tableType = "AWS::DynamoDB::Table"

    /// Creates the provider.
    package init() {}

    /// The properties ``DynamoDBTableSpec`` reads.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.tableType: [
                "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexes",
                "LocalSecondaryIndexes", "TimeToLiveSpecification", "StreamSpecification", "Tags", "SSESpecification",
                "DeletionProtectionEnabled", "TableClass",
            ]
        ]
    }

    /// Table names come from `TableName`, else are generated within DynamoDB's 255 characters.
    package var nameRules: [String: PhysicalNameRule] {
        [Self.tableType: PhysicalNameRule(property: "TableName", maxLength: 255)]
    }

    /// `Ref` is the table name; attributes are `Arn` and, with a `StreamSpecification`, `StreamArn`.
    /// - Parameter resource: The table being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        let configuration = resource.configuration
        let table = resource.physicalName
        let arn = "arn:\(configuration.partition):dynamodb:\(configuration.region):\(configuration.accountId):table/\(table)"
        var attributes = ["Arn": arn]
        if resource.properties["StreamSpecification"] != nil {
            attributes["StreamArn"] = "\(arn)/stream/\(Self.streamLabel(stack: configuration.stackName, logicalId: resource.logicalId))"
        }
        return ResourceIdentity(physicalId: table, attributes: attributes)
    }

    /// Decodes every table.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first table with a wrongly shaped property or no key schema.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.tables
    }

    /// A deterministic stream label shaped like AWS's (`2024-05-17T09:41:07.123`).
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

extension Stack {
    /// The DynamoDB tables in dependency order.
    package var tables: [DynamoDBTableSpec] {
        get throws(TemplateError) {
            try specs(ofType: DynamoDBTableProvider.tableType, DynamoDBTableSpec.init)
        }
    }
}
