import CloudFormation

/// What the S3 service needs to create one bucket.
package struct S3BucketSpec: Sendable, Equatable {
    /// `PublicAccessBlockConfiguration`'s four flags (absent flags are false).
    package struct PublicAccessBlock: Sendable, Equatable {
        /// `BlockPublicAcls`.
        package var blockPublicAcls: Bool
        /// `IgnorePublicAcls`.
        package var ignorePublicAcls: Bool
        /// `BlockPublicPolicy`.
        package var blockPublicPolicy: Bool
        /// `RestrictPublicBuckets`.
        package var restrictPublicBuckets: Bool

        /// Creates the four flags.
        /// - Parameters:
        ///   - blockPublicAcls: `BlockPublicAcls`.
        ///   - ignorePublicAcls: `IgnorePublicAcls`.
        ///   - blockPublicPolicy: `BlockPublicPolicy`.
        ///   - restrictPublicBuckets: `RestrictPublicBuckets`.
        package init(blockPublicAcls: Bool, ignorePublicAcls: Bool, blockPublicPolicy: Bool, restrictPublicBuckets: Bool) {
            self.blockPublicAcls = blockPublicAcls
            self.ignorePublicAcls = ignorePublicAcls
            self.blockPublicPolicy = blockPublicPolicy
            self.restrictPublicBuckets = restrictPublicBuckets
        }
    }

    /// One CORS rule.
    package struct CorsRule: Sendable, Equatable {
        /// `Id`.
        package var id: String?
        /// `AllowedMethods`.
        package var allowedMethods: [String]
        /// `AllowedOrigins`.
        package var allowedOrigins: [String]
        /// `AllowedHeaders`.
        package var allowedHeaders: [String]
        /// `ExposedHeaders`.
        package var exposedHeaders: [String]
        /// `MaxAge` in seconds.
        package var maxAge: Int?
    }

    /// One lifecycle rule.
    package struct LifecycleRule: Sendable, Equatable {
        /// `Id`.
        package var id: String?
        /// `Status` (`Enabled` or `Disabled`).
        package var status: String
        /// `Prefix`.
        package var prefix: String?
        /// `TagFilters` as key/value pairs in template order.
        package var tagFilters: [(key: String, value: String)]
        /// `ExpirationInDays`.
        package var expirationInDays: Int?
        /// `ExpirationDate` (ISO 8601 text).
        package var expirationDate: String?
        /// `ExpiredObjectDeleteMarker`.
        package var expiredObjectDeleteMarker: Bool?
        /// `AbortIncompleteMultipartUpload.DaysAfterInitiation`.
        package var abortIncompleteMultipartUploadDays: Int?
        /// `NoncurrentVersionExpiration.NoncurrentDays` (or the older `NoncurrentVersionExpirationInDays`).
        package var noncurrentVersionExpirationDays: Int?
        /// `NoncurrentVersionExpiration.NewerNoncurrentVersions`.
        package var newerNoncurrentVersions: Int?
        /// `ObjectSizeGreaterThan`.
        package var objectSizeGreaterThan: Int?
        /// `ObjectSizeLessThan`.
        package var objectSizeLessThan: Int?

        /// Compares every field, tag filters pairwise.
        package static func == (lhs: LifecycleRule, rhs: LifecycleRule) -> Bool {
            lhs.id == rhs.id && lhs.status == rhs.status && lhs.prefix == rhs.prefix
                && lhs.tagFilters.map(\.key) == rhs.tagFilters.map(\.key) && lhs.tagFilters.map(\.value) == rhs.tagFilters.map(\.value)
                && lhs.expirationInDays == rhs.expirationInDays && lhs.expirationDate == rhs.expirationDate
                && lhs.expiredObjectDeleteMarker == rhs.expiredObjectDeleteMarker
                && lhs.abortIncompleteMultipartUploadDays == rhs.abortIncompleteMultipartUploadDays
                && lhs.noncurrentVersionExpirationDays == rhs.noncurrentVersionExpirationDays
                && lhs.newerNoncurrentVersions == rhs.newerNoncurrentVersions && lhs.objectSizeGreaterThan == rhs.objectSizeGreaterThan
                && lhs.objectSizeLessThan == rhs.objectSizeLessThan
        }
    }

    /// One `NotificationConfiguration.LambdaConfigurations` entry.
    package struct LambdaNotification: Sendable, Equatable {
        /// The S3 event names (`s3:ObjectCreated:*`).
        package var events: [String]
        /// The `prefix` key filter rule.
        package var prefix: String?
        /// The `suffix` key filter rule.
        package var suffix: String?
        /// The target function ARN.
        package var functionArn: String

        /// Creates a notification.
        /// - Parameters:
        ///   - events: The S3 event names.
        ///   - prefix: The `prefix` key filter rule.
        ///   - suffix: The `suffix` key filter rule.
        ///   - functionArn: The target function ARN.
        package init(events: [String], prefix: String?, suffix: String?, functionArn: String) {
            self.events = events
            self.prefix = prefix
            self.suffix = suffix
            self.functionArn = functionArn
        }
    }

    /// One `NotificationConfiguration.QueueConfigurations` or `TopicConfigurations` entry: stored and returned by
    /// GetBucketNotificationConfiguration, but not delivered while SQS and SNS are not emulated.
    package struct DestinationNotification: Sendable, Equatable {
        /// `.queue` or `.topic`.
        package var kind: NotificationTarget.Kind
        /// The `Queue` or `Topic` ARN.
        package var arn: String
        /// The S3 event name (`s3:ObjectCreated:*`).
        package var events: [String]
        /// The `prefix` key filter rule.
        package var prefix: String?
        /// The `suffix` key filter rule.
        package var suffix: String?
        /// Where the entry is written, as `Properties.NotificationConfiguration.QueueConfigurations[0]`.
        package var property: String
        /// The entry's source location, when known.
        package var location: SourceLocation?

        /// Compares everything but the source location.
        package static func == (lhs: DestinationNotification, rhs: DestinationNotification) -> Bool {
            lhs.kind == rhs.kind && lhs.arn == rhs.arn && lhs.events == rhs.events && lhs.prefix == rhs.prefix && lhs.suffix == rhs.suffix
                && lhs.property == rhs.property
        }
    }

    /// The logical id.
    package var logicalId: String
    /// The bucket name.
    package var name: String
    /// The bucket ARN.
    package var arn: String
    /// The default encryption algorithm (`AES256`, `aws:kms`), when configured.
    package var encryption: String?
    /// The KMS key for `aws:kms` encryption.
    package var kmsMasterKeyId: String?
    /// Whether an S3 Bucket Key is enabled.
    package var bucketKeyEnabled: Bool?
    /// The public access block, when configured.
    package var publicAccessBlock: PublicAccessBlock?
    /// The versioning status (`Enabled`, `Suspended`), when configured.
    package var versioningStatus: String?
    /// The CORS rules.
    package var corsRules: [CorsRule]
    /// The lifecycle rules.
    package var lifecycleRules: [LifecycleRule]
    /// The Lambda notifications.
    package var lambdaNotifications: [LambdaNotification]
    /// The SQS and SNS notifications (kept, not delivered).
    package var destinationNotifications: [DestinationNotification]
    /// The tags.
    package var tags: [String: String]
    /// `OwnershipControls.Rules[0].ObjectOwnership`, when configured.
    package var objectOwnership: String?
    /// `AccessControl`: the canned ACL in CloudFormation's spelling (`PublicRead`, `LogDeliveryWrite`...).
    package var accessControl: String?
    /// The `PolicyDocument` of the `AWS::S3::BucketPolicy` naming this bucket, as JSON text.
    package var policy: String?

    /// Decodes an `AWS::S3::Bucket` resource.
    /// - Parameter resource: A resolved `AWS::S3::Bucket`.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        name = resource.physicalId
        arn = resource.attributes["Arn"] ?? "arn:aws:s3:::\(resource.physicalId)"
        let sseRules = try reader["BucketEncryption"]["ServerSideEncryptionConfiguration"].list() ?? []
        encryption = try sseRules.first?["ServerSideEncryptionByDefault"]["SSEAlgorithm"].string()
        kmsMasterKeyId = try sseRules.first?["ServerSideEncryptionByDefault"]["KMSMasterKeyID"].string()
        bucketKeyEnabled = try sseRules.first?["BucketKeyEnabled"].bool()
        let block = reader["PublicAccessBlockConfiguration"]
        if block.exists {
            publicAccessBlock = PublicAccessBlock(
                blockPublicAcls: try block["BlockPublicAcls"].bool() ?? false,
                ignorePublicAcls: try block["IgnorePublicAcls"].bool() ?? false,
                blockPublicPolicy: try block["BlockPublicPolicy"].bool() ?? false,
                restrictPublicBuckets: try block["RestrictPublicBuckets"].bool() ?? false
            )
        }
        versioningStatus = try reader["VersioningConfiguration"]["Status"].string()
        var cors: [CorsRule] = []
        for rule in try reader["CorsConfiguration"]["CorsRules"].list() ?? [] {
            cors.append(
                CorsRule(
                    id: try rule["Id"].string(),
                    allowedMethods: try rule["AllowedMethods"].stringList() ?? [],
                    allowedOrigins: try rule["AllowedOrigins"].stringList() ?? [],
                    allowedHeaders: try rule["AllowedHeaders"].stringList() ?? [],
                    exposedHeaders: try rule["ExposedHeaders"].stringList() ?? [],
                    maxAge: try rule["MaxAge"].int()
                )
            )
        }
        corsRules = cors
        var lifecycle: [LifecycleRule] = []
        for rule in try reader["LifecycleConfiguration"]["Rules"].list() ?? [] {
            var tagFilters: [(key: String, value: String)] = []
            for filter in try rule["TagFilters"].list() ?? [] {
                tagFilters.append((try filter["Key"].requiredString(), try filter["Value"].string() ?? ""))
            }
            var noncurrentDays = try rule["NoncurrentVersionExpiration"]["NoncurrentDays"].int()
            if noncurrentDays == nil {
                noncurrentDays = try rule["NoncurrentVersionExpirationInDays"].int()
            }
            lifecycle.append(
                LifecycleRule(
                    id: try rule["Id"].string(),
                    status: try rule["Status"].requiredString(),
                    prefix: try rule["Prefix"].string(),
                    tagFilters: tagFilters,
                    expirationInDays: try rule["ExpirationInDays"].int(),
                    expirationDate: try rule["ExpirationDate"].string(),
                    expiredObjectDeleteMarker: try rule["ExpiredObjectDeleteMarker"].bool(),
                    abortIncompleteMultipartUploadDays: try rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"].int(),
                    noncurrentVersionExpirationDays: noncurrentDays,
                    newerNoncurrentVersions: try rule["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"].int(),
                    objectSizeGreaterThan: try rule["ObjectSizeGreaterThan"].int(),
                    objectSizeLessThan: try rule["ObjectSizeLessThan"].int()
                )
            )
        }
        lifecycleRules = lifecycle
        var notifications: [LambdaNotification] = []
        for entry in try reader["NotificationConfiguration"]["LambdaConfigurations"].list() ?? [] {
            let (prefix, suffix) = try Self.keyFilter(entry)
            notifications.append(
                LambdaNotification(
                    events: try entry["Event"].stringList() ?? [],
                    prefix: prefix,
                    suffix: suffix,
                    functionArn: try entry["Function"].requiredString()
                )
            )
        }
        lambdaNotifications = notifications
        var destinations: [DestinationNotification] = []
        for (list, arnProperty, kind) in [
            ("QueueConfigurations", "Queue", NotificationTarget.Kind.queue), ("TopicConfigurations", "Topic", NotificationTarget.Kind.topic),
        ] {
            for entry in try reader["NotificationConfiguration"][list].list() ?? [] {
                let (prefix, suffix) = try Self.keyFilter(entry)
                destinations.append(
                    DestinationNotification(
                        kind: kind,
                        arn: try entry[arnProperty].requiredString(),
                        events: try entry["Event"].stringList() ?? [],
                        prefix: prefix,
                        suffix: suffix,
                        property: entry.path,
                        location: entry.location
                    )
                )
            }
        }
        destinationNotifications = destinations
        tags = try reader["Tags"].tags()
        objectOwnership = try reader["OwnershipControls"]["Rules"].list()?.first?["ObjectOwnership"].string()
        accessControl = try reader["AccessControl"].string()
    }

    /// The `Filter.S3Key.Rules` of a notification entry.
    private static func keyFilter(_ entry: SpecReader) throws(TemplateError) -> (prefix: String?, suffix: String?) {
        var prefix: String?
        var suffix: String?
        for rule in try entry["Filter"]["S3Key"]["Rules"].list() ?? [] {
            let value = try rule["Value"].string() ?? ""
            switch try rule["Name"].requiredString().lowercased() {
            case "prefix": prefix = value
            case "suffix": suffix = value
            default: throw rule["Name"].failure("'prefix' or 'suffix'")
            }
        }
        return (prefix, suffix)
    }
}
