import CloudFormation

/// The CloudFormation provider of `AWS::S3::Bucket`.
///
/// Supported properties: `BucketName`, `BucketEncryption`, `PublicAccessBlockConfiguration`,
/// `VersioningConfiguration`, `CorsConfiguration`, `LifecycleConfiguration`, `NotificationConfiguration`
/// (Lambda configurations delivered; queue and topic configurations stored, returned and listed by `validate`, not
/// delivered), `OwnershipControls`, `AccessControl` and `Tags`; `AWS::S3::BucketPolicy` with `Bucket` and
/// `PolicyDocument`. Every other property (`WebsiteConfiguration`, `ReplicationConfiguration`...) is reported as
/// ignored by the emulator.
package struct S3BucketProvider: ResourceProvider {
    /// The bucket resource type.
    package static let bucketType = "AWS::S3::Bucket"
    /// The bucket policy resource type.
    package static let bucketPolicyType = "AWS::S3::BucketPolicy"

    /// Creates the provider.
    package init() {}

    /// The properties ``S3BucketSpec`` reads.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.bucketType: [
                "BucketName", "BucketEncryption", "PublicAccessBlockConfiguration", "VersioningConfiguration", "CorsConfiguration",
                "LifecycleConfiguration", "NotificationConfiguration", "Tags", "OwnershipControls", "AccessControl",
            ],
            Self.bucketPolicyType: ["Bucket", "PolicyDocument"],
        ]
    }

    /// Bucket names come from `BucketName`, else are generated lowercase within S3's 63 characters.
    package var nameRules: [String: PhysicalNameRule] {
        [Self.bucketType: PhysicalNameRule(property: "BucketName", maxLength: 63, lowercase: true)]
    }

    /// `Ref` is the bucket name; attributes are `Arn`, `DomainName`, `RegionalDomainName`,
    /// `DualStackDomainName` and `WebsiteURL`.
    /// - Parameter resource: The bucket being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        if resource.type == Self.bucketPolicyType { return ResourceIdentity(physicalId: resource.physicalName, attributes: [:]) }
        let bucket = resource.physicalName
        let region = resource.configuration.region
        let suffix = resource.configuration.urlSuffix
        return ResourceIdentity(
            physicalId: bucket,
            attributes: [
                "Arn": "arn:\(resource.configuration.partition):s3:::\(bucket)",
                "DomainName": "\(bucket).s3.\(suffix)",
                "RegionalDomainName": "\(bucket).s3.\(region).\(suffix)",
                "DualStackDomainName": "\(bucket).s3.dualstack.\(region).\(suffix)",
                "WebsiteURL": "http://\(bucket).s3-website-\(region).\(suffix)",
            ]
        )
    }

    /// Decodes every bucket.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first bucket with a wrongly shaped property.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.buckets
    }

    /// The `QueueConfigurations` and `TopicConfigurations` of bucket notifications: stored and returned, never
    /// delivered while SQS and SNS are not emulated.
    /// - Parameter stack: The resolved stack.
    /// - Returns: One entry per SQS or SNS notification, naming its target.
    package func notActedOn(in stack: Stack) -> [UnsupportedProperty] {
        let buckets = (try? stack.buckets) ?? []
        return buckets.flatMap { bucket in
            bucket.destinationNotifications.map { entry in
                UnsupportedProperty(
                    logicalId: bucket.logicalId,
                    resourceType: Self.bucketType,
                    property: entry.property,
                    reason: NotificationTarget.undeliveredReason(kind: entry.kind, arn: entry.arn) ?? "",
                    location: entry.location
                )
            }
        }
    }
}

extension Stack {
    /// The S3 buckets in dependency order, each with the policy of the `AWS::S3::BucketPolicy` naming it.
    package var buckets: [S3BucketSpec] {
        get throws(TemplateError) {
            var buckets = try specs(ofType: S3BucketProvider.bucketType, S3BucketSpec.init)
            for resource in resources(ofType: S3BucketProvider.bucketPolicyType) {
                let reader = SpecReader(resource)
                let bucket = try reader["Bucket"].requiredString()
                guard let document = reader["PolicyDocument"].value else { throw reader["PolicyDocument"].failure("a policy document") }
                for index in buckets.indices where buckets[index].name == bucket { buckets[index].policy = document.jsonString }
            }
            return buckets
        }
    }
}
