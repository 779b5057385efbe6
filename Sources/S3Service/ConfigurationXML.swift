import AWSGateway
import EmulatorCore
import Foundation

/// Reads and writes the bucket-configuration documents of the S3 API (CORS, lifecycle, notification,
/// encryption, public access block, tagging, versioning).
package enum ConfigurationXML {
    /// S3's XML namespace.
    package static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"
    private static let corsMethods: Set<String> = ["GET", "PUT", "HEAD", "POST", "DELETE"]

    // MARK: CORS

    /// Parses `<CORSConfiguration>`.
    /// - Parameter data: The request body.
    /// - Returns: The rules.
    /// - Throws: `MalformedXML`, or `InvalidRequest` for an unsupported method.
    package static func parseCORS(_ data: Data) throws(S3Error) -> [CORSRule] {
        let root = try XMLTree.parse(data)
        guard root.name == "CORSConfiguration" else { throw .malformedXML }
        let rules = root.all("CORSRule")
        guard !rules.isEmpty, rules.count <= 100 else { throw .malformedXML }
        var result: [CORSRule] = []
        for rule in rules {
            let methods = rule.all("AllowedMethod").map { $0.text.trimmingCharacters(in: .whitespaces) }
            let origins = rule.all("AllowedOrigin").map { $0.text.trimmingCharacters(in: .whitespaces) }
            guard !methods.isEmpty, !origins.isEmpty else { throw .malformedXML }
            for method in methods where !corsMethods.contains(method) {
                throw .invalidRequest(S3Messages.unsupportedCORSMethod + method)
            }
            let headers = rule.all("AllowedHeader").map { $0.text.trimmingCharacters(in: .whitespaces) }
            for (element, values) in [("AllowedOrigin", origins), ("AllowedHeader", headers)] {
                for value in values where value.filter({ $0 == "*" }).count > 1 {
                    throw .invalidRequest(S3Messages.corsTooManyWildcards(element, value))
                }
            }
            var maxAge: Int?
            if let text = rule.value("MaxAgeSeconds") {
                guard let value = Int(text) else { throw .malformedXML }
                maxAge = value
            }
            result.append(
                CORSRule(
                    id: rule.value("ID"),
                    allowedHeaders: headers,
                    allowedMethods: methods,
                    allowedOrigins: origins,
                    exposeHeaders: rule.all("ExposeHeader").map { $0.text.trimmingCharacters(in: .whitespaces) },
                    maxAgeSeconds: maxAge
                )
            )
        }
        return result
    }

    /// Renders `<CORSConfiguration>`.
    /// - Parameter rules: The rules.
    /// - Returns: The document.
    package static func renderCORS(_ rules: [CORSRule]) -> String {
        var xml = XMLWriter()
        xml.element("CORSConfiguration", attributes: [("xmlns", namespace)]) { xml in
            for rule in rules {
                xml.element("CORSRule") { xml in
                    xml.optionalElement("ID", rule.id)
                    for header in rule.allowedHeaders { xml.element("AllowedHeader", header) }
                    for method in rule.allowedMethods { xml.element("AllowedMethod", method) }
                    for origin in rule.allowedOrigins { xml.element("AllowedOrigin", origin) }
                    for header in rule.exposeHeaders { xml.element("ExposeHeader", header) }
                    xml.optionalElement("MaxAgeSeconds", rule.maxAgeSeconds.map(String.init))
                }
            }
        }
        return xml.result
    }

    // MARK: Lifecycle

    /// Parses `<LifecycleConfiguration>`.
    /// - Parameter data: The request body.
    /// - Returns: The rules.
    /// - Throws: `MalformedXML` or `InvalidArgument`/`InvalidRequest` as S3 validates rules.
    package static func parseLifecycle(_ data: Data) throws(S3Error) -> [LifecycleRule] {
        let root = try XMLTree.parse(data)
        guard root.name == "LifecycleConfiguration" else { throw .malformedXML }
        let rules = root.all("Rule")
        guard !rules.isEmpty, rules.count <= 1000 else { throw .malformedXML }
        var result: [LifecycleRule] = []
        var ids = Set<String>()
        for node in rules {
            guard let status = node.value("Status"), status == "Enabled" || status == "Disabled" else { throw .malformedXML }
            var rule = LifecycleRule(id: node.value("ID"), status: status)
            if let id = rule.id {
                guard id.count <= 255 else {
                    throw .invalidArgument(message: "ID length should not exceed allowed limit of 255", name: "ID", value: id)
                }
                guard ids.insert(id).inserted else {
                    throw .invalidArgument(message: "Rule ID must be unique. Found same ID for more than one rule", name: "ID", value: id)
                }
            }
            if let filter = node.child("Filter") {
                rule.usesFilter = true
                if node.child("Prefix") != nil { throw .malformedXML }
                if let and = filter.child("And") {
                    // LifecycleRuleFilter is a union: And excludes every other member.
                    let beside = ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"].filter { name in
                        filter.all(name).count > (name == "And" ? 1 : 0)
                    }
                    guard beside.isEmpty else { throw .malformedXML }
                    rule.prefix = and.value("Prefix")
                    rule.tags = try and.all("Tag").map(parseTag)
                    rule.objectSizeGreaterThan = try and.value("ObjectSizeGreaterThan").map(parseInt)
                    rule.objectSizeLessThan = try and.value("ObjectSizeLessThan").map(parseInt)
                } else {
                    let present = ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan"].filter { filter.child($0) != nil }
                    guard present.count <= 1 else { throw .malformedXML }
                    rule.prefix = filter.value("Prefix")
                    rule.tags = try filter.all("Tag").map(parseTag)
                    rule.objectSizeGreaterThan = try filter.value("ObjectSizeGreaterThan").map(parseInt)
                    rule.objectSizeLessThan = try filter.value("ObjectSizeLessThan").map(parseInt)
                }
            } else if let prefix = node.value("Prefix") {
                rule.usesFilter = false
                rule.prefix = prefix
            } else {
                throw .malformedXML
            }
            if let expiration = node.child("Expiration") {
                rule.expirationDays = try expiration.value("Days").map(parseInt)
                if let text = expiration.value("Date") { rule.expirationDate = try midnightDate(text) }
                rule.expiredObjectDeleteMarker = expiration.value("ExpiredObjectDeleteMarker").map { $0 == "true" }
                let count = [rule.expirationDays != nil, rule.expirationDate != nil, rule.expiredObjectDeleteMarker != nil].filter { $0 }.count
                guard count == 1 else { throw .malformedXML }
                if let days = rule.expirationDays, days <= 0 {
                    throw .invalidArgument(message: "'Days' for Expiration action must be a positive integer", name: "Days", value: String(days))
                }
            }
            if let abort = node.child("AbortIncompleteMultipartUpload") {
                guard let days = try abort.value("DaysAfterInitiation").map(parseInt) else { throw .malformedXML }
                guard days > 0 else {
                    throw .invalidArgument(
                        message: "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
                        name: "DaysAfterInitiation",
                        value: String(days)
                    )
                }
                rule.abortIncompleteMultipartUploadDays = days
            }
            if let noncurrent = node.child("NoncurrentVersionExpiration") {
                rule.noncurrentDays = try noncurrent.value("NoncurrentDays").map(parseInt)
                if let days = rule.noncurrentDays, days <= 0 {
                    throw .invalidArgument(
                        message: "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
                        name: "NoncurrentDays",
                        value: String(days)
                    )
                }
                rule.newerNoncurrentVersions = try noncurrent.value("NewerNoncurrentVersions").map(parseInt)
            }
            for transition in node.all("Transition") {
                guard let storageClass = transition.value("StorageClass") else { throw .malformedXML }
                let days = try transition.value("Days").map(parseInt)
                let date = try transition.value("Date").map(midnightDate)
                guard (days == nil) != (date == nil) else { throw .malformedXML }
                rule.transitions = (rule.transitions ?? []) + [LifecycleTransition(days: days, date: date, storageClass: storageClass)]
            }
            for transition in node.all("NoncurrentVersionTransition") {
                guard let storageClass = transition.value("StorageClass"), let days = try transition.value("NoncurrentDays").map(parseInt) else {
                    throw .malformedXML
                }
                let newer = try transition.value("NewerNoncurrentVersions").map(parseInt)
                rule.noncurrentTransitions =
                    (rule.noncurrentTransitions ?? []) + [LifecycleTransition(days: days, storageClass: storageClass, newerNoncurrentVersions: newer)]
            }
            let hasAction =
                rule.expirationDays != nil || rule.expirationDate != nil || rule.expiredObjectDeleteMarker != nil
                || rule.abortIncompleteMultipartUploadDays != nil || rule.noncurrentDays != nil || node.child("Transition") != nil
                || node.child("NoncurrentVersionTransition") != nil
            guard hasAction else {
                throw .invalidRequest("At least one action needs to be specified in a rule")
            }
            result.append(rule)
        }
        return result
    }

    /// A lifecycle `Date`: S3 takes only midnight UTC (`2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.000Z`,
    /// `2026-01-01`) and answers anything else with `InvalidArgument` "'Date' must be at midnight GMT".
    /// - Parameter text: The element's text.
    /// - Returns: The instant.
    /// - Throws: `InvalidArgument` for other times of day, offsets away from UTC, and text that is not a date.
    static func midnightDate(_ text: String) throws(S3Error) -> Date {
        guard let date = LifecycleRule.parseDate(text), date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 0 else {
            throw .invalidArgument(message: "'Date' must be at midnight GMT", name: "Date", value: text)
        }
        return date
    }

    /// Renders `<LifecycleConfiguration>`.
    /// - Parameter rules: The rules.
    /// - Returns: The document.
    package static func renderLifecycle(_ rules: [LifecycleRule]) -> String {
        var xml = XMLWriter()
        xml.element("LifecycleConfiguration", attributes: [("xmlns", namespace)]) { xml in
            for rule in rules {
                xml.element("Rule") { xml in
                    xml.optionalElement("ID", rule.id)
                    if rule.usesFilter {
                        xml.element("Filter") { xml in
                            let parts =
                                (rule.prefix != nil ? 1 : 0) + rule.tags.count + (rule.objectSizeGreaterThan != nil ? 1 : 0)
                                + (rule.objectSizeLessThan != nil ? 1 : 0)
                            if parts > 1 {
                                xml.element("And") { xml in writeFilterParts(&xml, rule) }
                            } else {
                                writeFilterParts(&xml, rule)
                            }
                        }
                    } else {
                        xml.element("Prefix", rule.prefix ?? "")
                    }
                    xml.element("Status", rule.status)
                    for transition in rule.transitions ?? [] {
                        xml.element("Transition") { xml in
                            xml.optionalElement("Date", transition.date.map { Timestamp.iso8601Milliseconds($0) })
                            xml.optionalElement("Days", transition.days.map(String.init))
                            xml.element("StorageClass", transition.storageClass)
                        }
                    }
                    for transition in rule.noncurrentTransitions ?? [] {
                        xml.element("NoncurrentVersionTransition") { xml in
                            xml.optionalElement("NoncurrentDays", transition.days.map(String.init))
                            xml.element("StorageClass", transition.storageClass)
                            xml.optionalElement("NewerNoncurrentVersions", transition.newerNoncurrentVersions.map(String.init))
                        }
                    }
                    if rule.expirationDays != nil || rule.expirationDate != nil || rule.expiredObjectDeleteMarker != nil {
                        xml.element("Expiration") { xml in
                            xml.optionalElement("Date", rule.expirationDate.map { Timestamp.iso8601Milliseconds($0) })
                            xml.optionalElement("Days", rule.expirationDays.map(String.init))
                            xml.optionalElement("ExpiredObjectDeleteMarker", rule.expiredObjectDeleteMarker.map { $0 ? "true" : "false" })
                        }
                    }
                    if let days = rule.noncurrentDays {
                        xml.element("NoncurrentVersionExpiration") { xml in
                            xml.element("NoncurrentDays", String(days))
                            xml.optionalElement("NewerNoncurrentVersions", rule.newerNoncurrentVersions.map(String.init))
                        }
                    }
                    if let days = rule.abortIncompleteMultipartUploadDays {
                        xml.element("AbortIncompleteMultipartUpload") { xml in xml.element("DaysAfterInitiation", String(days)) }
                    }
                }
            }
        }
        return xml.result
    }

    private static func writeFilterParts(_ xml: inout XMLWriter, _ rule: LifecycleRule) {
        xml.optionalElement("Prefix", rule.prefix)
        for tag in rule.tags {
            xml.element("Tag") { xml in
                xml.element("Key", tag.key)
                xml.element("Value", tag.value)
            }
        }
        xml.optionalElement("ObjectSizeGreaterThan", rule.objectSizeGreaterThan.map(String.init))
        xml.optionalElement("ObjectSizeLessThan", rule.objectSizeLessThan.map(String.init))
    }

    // MARK: Notifications

    /// Parses `<NotificationConfiguration>`.
    /// - Parameter data: The request body.
    /// - Returns: The targets.
    /// - Throws: `MalformedXML`, or `InvalidArgument` for unknown events and filter rules.
    package static func parseNotification(_ data: Data) throws(S3Error) -> [NotificationTarget] {
        let root = try XMLTree.parse(data)
        guard root.name == "NotificationConfiguration" else { throw .malformedXML }
        var targets: [NotificationTarget] = []
        let kinds: [(String, String, NotificationTarget.Kind)] = [
            ("CloudFunctionConfiguration", "CloudFunction", .lambda), ("QueueConfiguration", "Queue", .queue),
            ("TopicConfiguration", "Topic", .topic),
        ]
        for (element, arnElement, kind) in kinds {
            for node in root.all(element) {
                guard let arn = node.value(arnElement), !arn.isEmpty else { throw .malformedXML }
                let events = node.all("Event").map { $0.text.trimmingCharacters(in: .whitespaces) }
                guard !events.isEmpty else { throw .malformedXML }
                for event in events where !validEvent(event) {
                    throw .invalidArgument(message: "The event is not supported for notifications", name: "Event", value: event)
                }
                var prefix: String?
                var suffix: String?
                for rule in node.child("Filter")?.child("S3Key")?.all("FilterRule") ?? [] {
                    let value = rule.value("Value") ?? ""
                    switch (rule.value("Name") ?? "").lowercased() {
                    case "prefix":
                        guard prefix == nil else {
                            throw .invalidArgument(
                                message: "Cannot specify more than one prefix rule in a filter.",
                                name: "FilterRule",
                                value: "prefix"
                            )
                        }
                        prefix = value
                    case "suffix":
                        guard suffix == nil else {
                            throw .invalidArgument(
                                message: "Cannot specify more than one suffix rule in a filter.",
                                name: "FilterRule",
                                value: "suffix"
                            )
                        }
                        suffix = value
                    default:
                        throw .invalidArgument(
                            message: "filter rule name must be either prefix or suffix",
                            name: "FilterRule",
                            value: rule.value("Name") ?? ""
                        )
                    }
                }
                let id = node.value("Id") ?? Self.randomConfigurationId()
                targets.append(NotificationTarget(id: id, kind: kind, arn: arn, events: events, prefix: prefix, suffix: suffix))
            }
        }
        return targets
    }

    /// Renders `<NotificationConfiguration>`.
    /// - Parameter targets: The targets.
    /// - Returns: The document.
    package static func renderNotification(_ targets: [NotificationTarget]) -> String {
        var xml = XMLWriter()
        xml.element("NotificationConfiguration", attributes: [("xmlns", namespace)]) { xml in
            let order: [(NotificationTarget.Kind, String, String)] = [
                (.topic, "TopicConfiguration", "Topic"), (.queue, "QueueConfiguration", "Queue"),
                (.lambda, "CloudFunctionConfiguration", "CloudFunction"),
            ]
            for (kind, element, arnElement) in order {
                for target in targets where target.kind == kind {
                    xml.element(element) { xml in
                        xml.element("Id", target.id)
                        if target.prefix != nil || target.suffix != nil {
                            xml.element("Filter") { xml in
                                xml.element("S3Key") { xml in
                                    if let prefix = target.prefix {
                                        xml.element("FilterRule") { xml in
                                            xml.element("Name", "Prefix")
                                            xml.element("Value", prefix)
                                        }
                                    }
                                    if let suffix = target.suffix {
                                        xml.element("FilterRule") { xml in
                                            xml.element("Name", "Suffix")
                                            xml.element("Value", suffix)
                                        }
                                    }
                                }
                            }
                        }
                        xml.element(arnElement, target.arn)
                        for event in target.events { xml.element("Event", event) }
                    }
                }
            }
        }
        return xml.result
    }

    private static let eventNames: Set<String> = [
        "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
        "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
        "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
        "s3:ObjectRestore:Delete", "s3:ReducedRedundancyLostObject", "s3:Replication:*", "s3:LifecycleExpiration:*",
        "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition",
        "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put",
    ]

    private static func validEvent(_ event: String) -> Bool { eventNames.contains(event) }

    /// A configuration id like the ones S3 generates for configurations without `Id`.
    /// - Returns: The id.
    package static func randomConfigurationId() -> String {
        Data(EmulatorRandom.uuidString("s3-configuration-ids").uppercased().utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    // MARK: Encryption

    /// Parses `<ServerSideEncryptionConfiguration>`.
    /// - Parameter data: The request body.
    /// - Returns: The default encryption.
    /// - Throws: `MalformedXML`, or `InvalidArgument` for unknown algorithms.
    package static func parseEncryption(_ data: Data) throws(S3Error) -> EncryptionConfiguration {
        let root = try XMLTree.parse(data)
        guard root.name == "ServerSideEncryptionConfiguration", let rule = root.child("Rule"),
            let defaults = rule.child("ApplyServerSideEncryptionByDefault"), let algorithm = defaults.value("SSEAlgorithm")
        else { throw .malformedXML }
        guard ["AES256", "aws:kms", "aws:kms:dsse"].contains(algorithm) else { throw .malformedXML }
        let keyId = defaults.value("KMSMasterKeyID")
        if keyId != nil && algorithm == "AES256" {
            throw .invalidArgument(
                message: "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                name: "ApplyServerSideEncryptionByDefault",
                value: "null"
            )
        }
        return EncryptionConfiguration(algorithm: algorithm, kmsMasterKeyId: keyId, bucketKeyEnabled: rule.value("BucketKeyEnabled") == "true")
    }

    /// Renders `<ServerSideEncryptionConfiguration>`.
    /// - Parameter configuration: The default encryption.
    /// - Returns: The document.
    package static func renderEncryption(_ configuration: EncryptionConfiguration) -> String {
        var xml = XMLWriter()
        xml.element("ServerSideEncryptionConfiguration", attributes: [("xmlns", namespace)]) { xml in
            xml.element("Rule") { xml in
                xml.element("ApplyServerSideEncryptionByDefault") { xml in
                    xml.element("SSEAlgorithm", configuration.algorithm)
                    xml.optionalElement("KMSMasterKeyID", configuration.kmsMasterKeyId)
                }
                xml.element("BucketKeyEnabled", configuration.bucketKeyEnabled ? "true" : "false")
            }
        }
        return xml.result
    }

    // MARK: Public access block

    /// Parses `<PublicAccessBlockConfiguration>`.
    /// - Parameter data: The request body.
    /// - Returns: The flags.
    /// - Throws: `MalformedXML`.
    package static func parsePublicAccessBlock(_ data: Data) throws(S3Error) -> PublicAccessBlock {
        let root = try XMLTree.parse(data)
        guard root.name == "PublicAccessBlockConfiguration" else { throw .malformedXML }
        func flag(_ name: String) -> Bool { root.value(name)?.lowercased() == "true" }
        return PublicAccessBlock(
            blockPublicAcls: flag("BlockPublicAcls"),
            ignorePublicAcls: flag("IgnorePublicAcls"),
            blockPublicPolicy: flag("BlockPublicPolicy"),
            restrictPublicBuckets: flag("RestrictPublicBuckets")
        )
    }

    /// Renders `<PublicAccessBlockConfiguration>`.
    /// - Parameter block: The flags.
    /// - Returns: The document.
    package static func renderPublicAccessBlock(_ block: PublicAccessBlock) -> String {
        var xml = XMLWriter()
        xml.element("PublicAccessBlockConfiguration", attributes: [("xmlns", namespace)]) { xml in
            xml.element("BlockPublicAcls", block.blockPublicAcls ? "true" : "false")
            xml.element("IgnorePublicAcls", block.ignorePublicAcls ? "true" : "false")
            xml.element("BlockPublicPolicy", block.blockPublicPolicy ? "true" : "false")
            xml.element("RestrictPublicBuckets", block.restrictPublicBuckets ? "true" : "false")
        }
        return xml.result
    }

    // MARK: Tagging

    /// Parses `<Tagging><TagSet>...`.
    /// - Parameters:
    ///   - data: The request body.
    ///   - maxTags: 50 for buckets, 10 for objects.
    /// - Returns: The tags.
    /// - Throws: `MalformedXML` or `InvalidTag`.
    package static func parseTagging(_ data: Data, maxTags: Int) throws(S3Error) -> [S3Tag] {
        let root = try XMLTree.parse(data)
        guard root.name == "Tagging", let set = root.child("TagSet") else { throw .malformedXML }
        let tags = try set.all("Tag").map(parseTag)
        try validate(tags: tags, maxTags: maxTags)
        return tags
    }

    /// Checks tag limits as S3 does.
    /// - Parameters:
    ///   - tags: The tags.
    ///   - maxTags: The most tags allowed.
    /// - Throws: `InvalidTag`.
    package static func validate(tags: [S3Tag], maxTags: Int) throws(S3Error) {
        if tags.count > maxTags {
            throw maxTags == 10 ? .badRequest("Object tags cannot be greater than 10") : .invalidTag("Bucket tag count cannot be greater than 50")
        }
        var seen = Set<String>()
        for tag in tags {
            guard seen.insert(tag.key).inserted else { throw .invalidTag("Cannot provide multiple Tags with the same key") }
            guard !tag.key.isEmpty, tag.key.count <= 128 else { throw .invalidTag("The TagKey you have provided is invalid") }
            guard tag.value.count <= 256 else { throw .invalidTag("The TagValue you have provided is invalid") }
            if tag.key.hasPrefix("aws:") { throw .invalidTag("System tags cannot be added/updated by requester") }
        }
    }

    /// Renders `<Tagging>`.
    /// - Parameter tags: The tags.
    /// - Returns: The document.
    package static func renderTagging(_ tags: [S3Tag]) -> String {
        var xml = XMLWriter()
        xml.element("Tagging", attributes: [("xmlns", namespace)]) { xml in
            xml.element("TagSet") { xml in
                for tag in tags {
                    xml.element("Tag") { xml in
                        xml.element("Key", tag.key)
                        xml.element("Value", tag.value)
                    }
                }
            }
        }
        return xml.result
    }

    /// Parses the `x-amz-tagging` header (URL-encoded `k=v&k2=v2`).
    /// - Parameter header: The header value.
    /// - Returns: The tags.
    /// - Throws: `InvalidTag` beyond the object limits; for a key starting with `aws:` the header's own text,
    ///   "Your TagKey cannot be prefixed with aws:" (the tagging bodies say "System tags cannot be added/updated by
    ///   requester").
    package static func parseTaggingHeader(_ header: String) throws(S3Error) -> [S3Tag] {
        let tags = URLComponentsDecoding.queryItems(header, plusIsSpace: true).map { S3Tag(key: $0.name, value: $0.value) }
        if tags.contains(where: { $0.key.hasPrefix("aws:") }) { throw .invalidTag("Your TagKey cannot be prefixed with aws:") }
        try validate(tags: tags, maxTags: 10)
        return tags
    }

    // MARK: Versioning

    /// Parses `<VersioningConfiguration>`.
    /// - Parameter data: The request body.
    /// - Returns: `Enabled` or `Suspended`.
    /// - Throws: `MalformedXML`.
    package static func parseVersioning(_ data: Data) throws(S3Error) -> String {
        let root = try XMLTree.parse(data)
        guard root.name == "VersioningConfiguration", let status = root.value("Status"), status == "Enabled" || status == "Suspended"
        else { throw .malformedXML }
        return status
    }

    /// Renders `<VersioningConfiguration>`.
    /// - Parameter status: The status, nil when never set.
    /// - Returns: The document.
    package static func renderVersioning(_ status: String?) -> String {
        var xml = XMLWriter()
        xml.element("VersioningConfiguration", attributes: [("xmlns", namespace)]) { xml in
            xml.optionalElement("Status", status)
        }
        return xml.result
    }

    // MARK: Helpers

    private static func parseTag(_ node: XMLTree) throws(S3Error) -> S3Tag {
        guard let key = node.child("Key")?.text else { throw .malformedXML }
        return S3Tag(key: key, value: node.child("Value")?.text ?? "")
    }

    private static func parseInt(_ text: String) throws(S3Error) -> Int {
        guard let value = Int(text) else { throw .malformedXML }
        return value
    }
}
