import CloudFormation

/// What the DynamoDB service needs to create one table.
package struct DynamoDBTableSpec: Sendable, Equatable {
    /// One `AttributeDefinitions` entry.
    package struct AttributeDefinition: Sendable, Equatable {
        /// `AttributeName`.
        package var name: String
        /// `AttributeType` (`S`, `N`, `B`).
        package var type: String

        /// Creates a definition.
        /// - Parameters:
        ///   - name: `AttributeName`.
        ///   - type: `AttributeType`.
        package init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// One `KeySchema` entry.
    package struct KeyElement: Sendable, Equatable {
        /// `AttributeName`.
        package var attributeName: String
        /// `KeyType` (`HASH`, `RANGE`).
        package var keyType: String

        /// Creates a key element.
        /// - Parameters:
        ///   - attributeName: `AttributeName`.
        ///   - keyType: `KeyType`.
        package init(attributeName: String, keyType: String) {
            self.attributeName = attributeName
            self.keyType = keyType
        }
    }

    /// A `Projection`.
    package struct Projection: Sendable, Equatable {
        /// `ProjectionType` (`ALL`, `KEYS_ONLY`, `INCLUDE`).
        package var type: String
        /// `NonKeyAttributes`.
        package var nonKeyAttributes: [String]
    }

    /// `ProvisionedThroughput`.
    package struct Throughput: Sendable, Equatable {
        /// `ReadCapacityUnits`.
        package var readCapacityUnits: Int
        /// `WriteCapacityUnits`.
        package var writeCapacityUnits: Int

        /// Creates a throughput.
        /// - Parameters:
        ///   - readCapacityUnits: `ReadCapacityUnits`.
        ///   - writeCapacityUnits: `WriteCapacityUnits`.
        package init(readCapacityUnits: Int, writeCapacityUnits: Int) {
            self.readCapacityUnits = readCapacityUnits
            self.writeCapacityUnits = writeCapacityUnits
        }
    }

    /// A global or local secondary index.
    package struct SecondaryIndex: Sendable, Equatable {
        /// `IndexName`.
        package var name: String
        /// `KeySchema`.
        package var keySchema: [KeyElement]
        /// `Projection`.
        package var projection: Projection
        /// `ProvisionedThroughput` (global indexes on provisioned tables).
        package var provisionedThroughput: Throughput?
    }

    /// The logical id.
    package var logicalId: String
    /// The table name.
    package var name: String
    /// The table ARN.
    package var arn: String
    /// The attribute definitions.
    package var attributeDefinitions: [AttributeDefinition]
    /// The primary key schema.
    package var keySchema: [KeyElement]
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    package var billingMode: String
    /// The table's provisioned throughput.
    package var provisionedThroughput: Throughput?
    /// The global secondary indexes.
    package var globalSecondaryIndexes: [SecondaryIndex]
    /// The local secondary indexes.
    package var localSecondaryIndexes: [SecondaryIndex]
    /// The TTL attribute name, when configured.
    package var ttlAttribute: String?
    /// Whether TTL is enabled.
    package var ttlEnabled: Bool
    /// Whether a stream is enabled.
    package var streamEnabled: Bool
    /// The stream view type (`NEW_AND_OLD_IMAGES`...).
    package var streamViewType: String?
    /// The stream ARN when a stream is enabled.
    package var streamArn: String?
    /// `SSESpecification.SSEEnabled` (false means the AWS owned key).
    package var sseEnabled: Bool
    /// `SSESpecification.SSEType` (`KMS`), when set.
    package var sseType: String?
    /// `DeletionProtectionEnabled`.
    package var deletionProtectionEnabled: Bool
    /// `TableClass` (default `STANDARD`).
    package var tableClass: String
    /// The tags.
    package var tags: [String: String]

    /// Decodes an `AWS::DynamoDB::Table` resource.
    /// - Parameter resource: A resolved `AWS::DynamoDB::Table`.
    /// - Throws: ``TemplateError`` when a property has the wrong shape or the key schema is missing.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        name = resource.physicalId
        arn = resource.attributes["Arn"] ?? ""
        var definitions: [AttributeDefinition] = []
        for item in try reader["AttributeDefinitions"].list() ?? [] {
            definitions.append(
                AttributeDefinition(name: try item["AttributeName"].requiredString(), type: try item["AttributeType"].requiredString())
            )
        }
        attributeDefinitions = definitions
        keySchema = try Self.keySchema(reader["KeySchema"])
        if keySchema.isEmpty { throw reader["KeySchema"].failure("a non-empty list of key elements") }
        provisionedThroughput = try Self.throughput(reader["ProvisionedThroughput"])
        billingMode = try reader["BillingMode"].string() ?? "PROVISIONED"
        globalSecondaryIndexes = try Self.indexes(reader["GlobalSecondaryIndexes"])
        localSecondaryIndexes = try Self.indexes(reader["LocalSecondaryIndexes"])
        ttlAttribute = try reader["TimeToLiveSpecification"]["AttributeName"].string()
        ttlEnabled = try reader["TimeToLiveSpecification"]["Enabled"].bool() ?? false
        let stream = reader["StreamSpecification"]
        let streamFlag = try stream["StreamEnabled"].bool() ?? true
        streamEnabled = stream.exists && streamFlag
        streamViewType = try stream["StreamViewType"].string()
        streamArn = streamEnabled ? resource.attributes["StreamArn"] : nil
        sseEnabled = try reader["SSESpecification"]["SSEEnabled"].bool() ?? false
        sseType = try reader["SSESpecification"]["SSEType"].string()
        deletionProtectionEnabled = try reader["DeletionProtectionEnabled"].bool() ?? false
        tableClass = try reader["TableClass"].string() ?? "STANDARD"
        tags = try reader["Tags"].tags()
    }

    private static func keySchema(_ reader: SpecReader) throws(TemplateError) -> [KeyElement] {
        var elements: [KeyElement] = []
        for item in try reader.list() ?? [] {
            elements.append(KeyElement(attributeName: try item["AttributeName"].requiredString(), keyType: try item["KeyType"].requiredString()))
        }
        return elements
    }

    private static func throughput(_ reader: SpecReader) throws(TemplateError) -> Throughput? {
        guard reader.exists else { return nil }
        guard let read = try reader["ReadCapacityUnits"].int(), let write = try reader["WriteCapacityUnits"].int() else {
            throw reader.failure("a map with ReadCapacityUnits and WriteCapacityUnits")
        }
        return Throughput(readCapacityUnits: read, writeCapacityUnits: write)
    }

    private static func indexes(_ reader: SpecReader) throws(TemplateError) -> [SecondaryIndex] {
        var indexes: [SecondaryIndex] = []
        for item in try reader.list() ?? [] {
            indexes.append(
                SecondaryIndex(
                    name: try item["IndexName"].requiredString(),
                    keySchema: try keySchema(item["KeySchema"]),
                    projection: Projection(
                        type: try item["Projection"]["ProjectionType"].string() ?? "ALL",
                        nonKeyAttributes: try item["Projection"]["NonKeyAttributes"].stringList() ?? []
                    ),
                    provisionedThroughput: try throughput(item["ProvisionedThroughput"])
                )
            )
        }
        return indexes
    }
}
