import CloudFormation
import EmulatorCore
import Foundation

/// One S3 tag.
package struct S3Tag: Codable, Sendable, Equatable {
    /// The key.
    package var key: String
    /// The value.
    package var value: String

    /// Creates a tag.
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value.
    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One CORS rule of a bucket.
package struct CORSRule: Codable, Sendable, Equatable {
    /// `ID`.
    package var id: String?
    /// `AllowedHeader` patterns (may contain one `*`).
    package var allowedHeaders: [String]
    /// `AllowedMethod` values.
    package var allowedMethods: [String]
    /// `AllowedOrigin` patterns (may contain one `*`).
    package var allowedOrigins: [String]
    /// `ExposeHeader` values.
    package var exposeHeaders: [String]
    /// `MaxAgeSeconds`.
    package var maxAgeSeconds: Int?

    /// Creates a rule.
    package init(
        id: String? = nil,
        allowedHeaders: [String] = [],
        allowedMethods: [String],
        allowedOrigins: [String],
        exposeHeaders: [String] = [],
        maxAgeSeconds: Int? = nil
    ) {
        self.id = id
        self.allowedHeaders = allowedHeaders
        self.allowedMethods = allowedMethods
        self.allowedOrigins = allowedOrigins
        self.exposeHeaders = exposeHeaders
        self.maxAgeSeconds = maxAgeSeconds
    }
}

/// One lifecycle rule (the parts the emulator acts on, plus what it echoes back).
package struct LifecycleRule: Codable, Sendable, Equatable {
    /// `ID`.
    package var id: String?
    /// `Enabled` or `Disabled`.
    package var status: String
    /// Whether the rule used `<Filter>` (true) or the legacy top-level `<Prefix>` (false).
    package var usesFilter: Bool
    /// The prefix filter.
    package var prefix: String?
    /// Tag filters (all must match).
    package var tags: [S3Tag]
    /// `ObjectSizeGreaterThan`.
    package var objectSizeGreaterThan: Int?
    /// `ObjectSizeLessThan`.
    package var objectSizeLessThan: Int?
    /// `Expiration.Days`.
    package var expirationDays: Int?
    /// `Expiration.Date` (ISO 8601, midnight UTC).
    package var expirationDate: Date?
    /// `Expiration.ExpiredObjectDeleteMarker`.
    package var expiredObjectDeleteMarker: Bool?
    /// `AbortIncompleteMultipartUpload.DaysAfterInitiation`.
    package var abortIncompleteMultipartUploadDays: Int?
    /// `NoncurrentVersionExpiration.NoncurrentDays`: noncurrent versions go this many days after they became
    /// noncurrent.
    package var noncurrentDays: Int?
    /// `NoncurrentVersionExpiration.NewerNoncurrentVersions`: how many newer noncurrent versions are kept.
    package var newerNoncurrentVersions: Int?
    /// `Transition` actions: stored and returned; objects keep their storage class (storage classes are labels here).
    package var transitions: [LifecycleTransition]?
    /// `NoncurrentVersionTransition` actions: stored and returned, as ``transitions``.
    package var noncurrentTransitions: [LifecycleTransition]?

    /// Creates a rule.
    package init(
        id: String? = nil,
        status: String = "Enabled",
        usesFilter: Bool = true,
        prefix: String? = nil,
        tags: [S3Tag] = [],
        objectSizeGreaterThan: Int? = nil,
        objectSizeLessThan: Int? = nil,
        expirationDays: Int? = nil,
        expirationDate: Date? = nil,
        expiredObjectDeleteMarker: Bool? = nil,
        abortIncompleteMultipartUploadDays: Int? = nil,
        noncurrentDays: Int? = nil,
        newerNoncurrentVersions: Int? = nil
    ) {
        self.id = id
        self.status = status
        self.usesFilter = usesFilter
        self.prefix = prefix
        self.tags = tags
        self.objectSizeGreaterThan = objectSizeGreaterThan
        self.objectSizeLessThan = objectSizeLessThan
        self.expirationDays = expirationDays
        self.expirationDate = expirationDate
        self.expiredObjectDeleteMarker = expiredObjectDeleteMarker
        self.abortIncompleteMultipartUploadDays = abortIncompleteMultipartUploadDays
        self.noncurrentDays = noncurrentDays
        self.newerNoncurrentVersions = newerNoncurrentVersions
    }
}

/// One `Transition` (`Days` or `Date`) or `NoncurrentVersionTransition` (`NoncurrentDays`) of a lifecycle rule.
package struct LifecycleTransition: Codable, Sendable, Equatable {
    /// `Days`, or `NoncurrentDays` for a noncurrent transition.
    package var days: Int?
    /// `Date` (midnight UTC).
    package var date: Date?
    /// `StorageClass`.
    package var storageClass: String
    /// `NewerNoncurrentVersions` (noncurrent transitions).
    package var newerNoncurrentVersions: Int?

    /// Creates a transition.
    package init(days: Int? = nil, date: Date? = nil, storageClass: String, newerNoncurrentVersions: Int? = nil) {
        self.days = days
        self.date = date
        self.storageClass = storageClass
        self.newerNoncurrentVersions = newerNoncurrentVersions
    }
}

/// One notification target (Lambda, SQS queue or SNS topic) of a bucket.
package struct NotificationTarget: Codable, Sendable, Equatable {
    /// Which kind of destination.
    package enum Kind: String, Codable, Sendable {
        /// `CloudFunctionConfiguration` (Lambda).
        case lambda
        /// `QueueConfiguration` (SQS): stored and echoed, not delivered.
        case queue
        /// `TopicConfiguration` (SNS): stored and echoed, not delivered.
        case topic
    }

    /// The configuration id (`configurationId` in events).
    package var id: String
    /// The kind of destination.
    package var kind: Kind
    /// The destination ARN.
    package var arn: String
    /// Event patterns such as `s3:ObjectCreated:*`.
    package var events: [String]
    /// `prefix` filter rule value.
    package var prefix: String?
    /// `suffix` filter rule value.
    package var suffix: String?

    /// Creates a target.
    package init(id: String, kind: Kind, arn: String, events: [String], prefix: String? = nil, suffix: String? = nil) {
        self.id = id
        self.kind = kind
        self.arn = arn
        self.events = events
        self.prefix = prefix
        self.suffix = suffix
    }

    /// Whether an event (`ObjectCreated:Put`) on a key is selected by this target.
    /// - Parameters:
    ///   - eventName: The event name without the `s3:` prefix.
    ///   - key: The object key.
    /// - Returns: `true` when an event pattern and both filters match.
    package func matches(eventName: String, key: String) -> Bool {
        let full = "s3:" + eventName
        let category = full.split(separator: ":").prefix(2).joined(separator: ":") + ":*"
        guard events.contains(where: { $0 == full || $0 == category }) else { return false }
        if let prefix, !key.hasPrefix(prefix) { return false }
        if let suffix, !key.hasSuffix(suffix) { return false }
        return true
    }
}

/// The default encryption of a bucket.
package struct EncryptionConfiguration: Codable, Sendable, Equatable {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    package var algorithm: String
    /// The KMS key for `aws:kms`.
    package var kmsMasterKeyId: String?
    /// `BucketKeyEnabled`.
    package var bucketKeyEnabled: Bool

    /// SSE-S3, which every bucket has unless configured otherwise.
    package static let sseS3 = EncryptionConfiguration(algorithm: "AES256", kmsMasterKeyId: nil, bucketKeyEnabled: false)
}

/// The public access block of a bucket.
package struct PublicAccessBlock: Codable, Sendable, Equatable {
    /// `BlockPublicAcls`.
    package var blockPublicAcls: Bool
    /// `IgnorePublicAcls`.
    package var ignorePublicAcls: Bool
    /// `BlockPublicPolicy`.
    package var blockPublicPolicy: Bool
    /// `RestrictPublicBuckets`.
    package var restrictPublicBuckets: Bool

    /// All four flags set, the default of new buckets since April 2023.
    package static let all = PublicAccessBlock(blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true)
}

/// Everything configurable about a bucket, stored as one JSON document.
package struct BucketConfiguration: Codable, Sendable, Equatable {
    /// CORS rules (nil: no CORS configuration).
    package var cors: [CORSRule]?
    /// Lifecycle rules (nil: no lifecycle configuration).
    package var lifecycle: [LifecycleRule]?
    /// Notification targets.
    package var notifications: [NotificationTarget]
    /// Default encryption (nil only after an explicit delete, which AWS turns back into SSE-S3).
    package var encryption: EncryptionConfiguration?
    /// Public access block (nil: none).
    package var publicAccessBlock: PublicAccessBlock?
    /// `Enabled`, `Suspended`, or nil when never set.
    package var versioning: String?
    /// Bucket tags (nil: no tag set).
    package var tags: [S3Tag]?
    /// Object Ownership (`BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`); empty after
    /// DeleteBucketOwnershipControls (acts as `ObjectWriter`); nil for a bucket stored before it was kept (acts as
    /// `BucketOwnerEnforced`, see ``ObjectOwnership/effective(_:)``).
    package var objectOwnership: String? = nil
    /// The bucket ACL (nil: the owner's full control).
    package var acl: AccessControlList? = nil
    /// The bucket policy's text as put (nil: none).
    package var policy: String? = nil

    /// A new bucket's configuration: SSE-S3 and all public access blocked, as AWS creates buckets today.
    package static let newBucket = BucketConfiguration(
        cors: nil,
        lifecycle: nil,
        notifications: [],
        encryption: .sseS3,
        publicAccessBlock: .all,
        versioning: nil,
        tags: nil,
        objectOwnership: ObjectOwnership.bucketOwnerEnforced.rawValue
    )

    /// The configuration a template's `AWS::S3::Bucket` declares.
    /// - Parameter spec: The bucket spec.
    /// - Returns: The configuration.
    package static func from(spec: S3BucketSpec) -> BucketConfiguration {
        var configuration = BucketConfiguration.newBucket
        if let algorithm = spec.encryption {
            configuration.encryption = EncryptionConfiguration(
                algorithm: algorithm,
                kmsMasterKeyId: spec.kmsMasterKeyId,
                bucketKeyEnabled: spec.bucketKeyEnabled ?? false
            )
        }
        if let block = spec.publicAccessBlock {
            configuration.publicAccessBlock = PublicAccessBlock(
                blockPublicAcls: block.blockPublicAcls,
                ignorePublicAcls: block.ignorePublicAcls,
                blockPublicPolicy: block.blockPublicPolicy,
                restrictPublicBuckets: block.restrictPublicBuckets
            )
        }
        configuration.versioning = spec.versioningStatus
        if !spec.corsRules.isEmpty {
            configuration.cors = spec.corsRules.map {
                CORSRule(
                    id: $0.id,
                    allowedHeaders: $0.allowedHeaders,
                    allowedMethods: $0.allowedMethods,
                    allowedOrigins: $0.allowedOrigins,
                    exposeHeaders: $0.exposedHeaders,
                    maxAgeSeconds: $0.maxAge
                )
            }
        }
        if !spec.lifecycleRules.isEmpty {
            configuration.lifecycle = spec.lifecycleRules.map { rule in
                LifecycleRule(
                    id: rule.id,
                    status: rule.status,
                    usesFilter: true,
                    prefix: rule.prefix,
                    tags: rule.tagFilters.map { S3Tag(key: $0.key, value: $0.value) },
                    objectSizeGreaterThan: rule.objectSizeGreaterThan,
                    objectSizeLessThan: rule.objectSizeLessThan,
                    expirationDays: rule.expirationInDays,
                    expirationDate: rule.expirationDate.flatMap(LifecycleRule.parseDate),
                    expiredObjectDeleteMarker: rule.expiredObjectDeleteMarker,
                    abortIncompleteMultipartUploadDays: rule.abortIncompleteMultipartUploadDays,
                    noncurrentDays: rule.noncurrentVersionExpirationDays
                )
            }
        }
        configuration.notifications = spec.lambdaNotifications.enumerated().map { index, entry in
            NotificationTarget(
                id: "\(spec.logicalId)-lambda-\(index + 1)",
                kind: .lambda,
                arn: entry.functionArn,
                events: entry.events,
                prefix: entry.prefix,
                suffix: entry.suffix
            )
        }
        var counts: [NotificationTarget.Kind: Int] = [:]
        for entry in spec.destinationNotifications {
            counts[entry.kind, default: 0] += 1
            configuration.notifications.append(
                NotificationTarget(
                    id: "\(spec.logicalId)-\(entry.kind.rawValue)-\(counts[entry.kind, default: 1])",
                    kind: entry.kind,
                    arn: entry.arn,
                    events: entry.events,
                    prefix: entry.prefix,
                    suffix: entry.suffix
                )
            )
        }
        if !spec.tags.isEmpty {
            configuration.tags = spec.tags.keys.sorted().map { S3Tag(key: $0, value: spec.tags[$0] ?? "") }
        }
        return configuration
    }
}

extension LifecycleRule {
    /// Parses a lifecycle `Date` (`2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.000Z`, `2026-01-01T00:00:00` read as
    /// UTC, or `2026-01-01`).
    /// - Parameter text: The text.
    /// - Returns: The instant, or nil.
    package static func parseDate(_ text: String) -> Date? {
        if let date = Timestamp.parseISO8601(text) ?? Timestamp.parseISO8601(text + "Z") { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
