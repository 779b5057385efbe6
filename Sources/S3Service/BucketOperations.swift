import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird

extension S3Service {
    // MARK: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation

    /// [ListBuckets](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
    /// Pages by `max-buckets` (1 to 10,000; 10,000 when only `prefix`, `bucket-region` or `continuation-token` is
    /// sent) with an opaque `continuation-token`, filtered by `prefix` and `bucket-region`.
    func listBuckets(_ request: AWSRequest) async throws -> Response {
        try await authorize(request, "s3:ListAllMyBuckets", ["*"])
        let prefix = request.query("prefix")
        let region = request.query("bucket-region")
        let token = request.query("continuation-token")
        var limit: Int?
        if let text = request.query("max-buckets") {
            let value = try Self.listingCount(text, name: "max-buckets", argument: "maxBuckets")
            guard (1...10_000).contains(value) else {
                throw S3Error.invalidArgument(message: S3Messages.maxBucketsRange, name: "max-buckets", value: text)
            }
            limit = value
        } else if prefix != nil || region != nil || token != nil {
            limit = 10_000
        }
        var after: String?
        if let token {
            guard let data = Data(base64Encoded: token), let name = String(data: data, encoding: .utf8) else {
                throw S3Error.invalidArgument(message: "The continuation token provided is incorrect", name: "continuation-token", value: token)
            }
            after = name
        }
        var buckets = try await store.buckets().filter { bucket in
            if let prefix, !bucket.name.hasPrefix(prefix) { return false }
            if let region, bucket.region != region { return false }
            if let after, bucket.name <= after { return false }
            return true
        }
        var next: String?
        if let limit, buckets.count > limit {
            buckets = Array(buckets.prefix(limit))
            next = buckets.last.map { Data($0.name.utf8).base64EncodedString() }
        }
        var xml = XMLWriter()
        xml.element("ListAllMyBucketsResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            writeOwner(&xml)
            if let next { xml.element("ContinuationToken", next) }
            if let prefix { xml.element("Prefix", prefix) }
            xml.element("Buckets") { xml in
                for bucket in buckets {
                    xml.element("Bucket") { xml in
                        xml.element("Name", bucket.name)
                        xml.element("CreationDate", Timestamp.iso8601Milliseconds(bucket.creationDate))
                        xml.element("BucketRegion", bucket.region)
                    }
                }
            }
        }
        return Self.xml(xml.result)
    }

    /// Whether a name follows S3's general-purpose bucket naming rules.
    /// - Parameter name: The bucket name.
    /// - Returns: `true` when valid.
    package static func isValidBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count) else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard name.allSatisfy({ allowed.contains($0) }) else { return false }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return false
        }
        if name.contains("..") || name.contains(".-") || name.contains("-.") { return false }
        let parts = name.split(separator: ".")
        if parts.count == 4 && parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return false }
        if name.hasPrefix("xn--") || name.hasPrefix("sthree-") || name.hasSuffix("-s3alias") || name.hasSuffix("--ol-s3") { return false }
        return true
    }

    /// [CreateBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html).
    func createBucket(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:CreateBucket", [Self.bucketArn(name)], context: S3ConditionKeys.createBucket(request))
        let body = try await RequestBodyReader(request: request).collect()
        guard Self.isValidBucketName(name) else { throw S3Error.invalidBucketName(name) }
        var constraint: String?
        if !body.isEmpty {
            let root = try XMLTree.parse(body)
            guard root.name == "CreateBucketConfiguration" else { throw S3Error.malformedXML }
            constraint = root.value("LocationConstraint").flatMap { $0.isEmpty ? nil : $0 }
        }
        let requestRegion = request.region
        if requestRegion == "us-east-1" {
            if constraint == "us-east-1" { throw S3Error.invalidLocationConstraint }
            if let constraint, !Self.knownRegion(constraint) { throw S3Error.invalidLocationConstraint }
        } else {
            guard let constraint else { throw S3Error.illegalLocationConstraint(nil) }
            if constraint != requestRegion { throw S3Error.illegalLocationConstraint(constraint) }
        }
        let region = constraint ?? "us-east-1"
        let access = try requestedBucketAccess(request)
        var configuration = BucketConfiguration.newBucket
        configuration.objectOwnership = access.ownership.rawValue
        configuration.acl = access.acl
        let record = BucketRecord(name: name, region: region, creationDate: clock.now, configuration: configuration)
        if try await !store.createBucket(record) {
            // Re-creating a bucket one already owns in N. Virginia answers 200 there (legacy behaviour); anything
            // else, also a us-east-1 request for a bucket in another region, is 409 BucketAlreadyOwnedByYou.
            let existingRegion = try await store.bucket(name)?.region
            guard requestRegion == "us-east-1", existingRegion == "us-east-1" else { throw S3Error.bucketAlreadyOwnedByYou(name) }
        }
        var headers = HTTPFields()
        headers[.location] = "/\(name)"
        return Self.empty(.ok, headers: headers)
    }

    private static func knownRegion(_ region: String) -> Bool {
        let parts = region.split(separator: "-")
        return parts.count >= 3 && parts.last.map { $0.allSatisfy(\.isNumber) } == true || region == "EU"
    }

    /// [DeleteBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html).
    func deleteBucket(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:DeleteBucket", [Self.bucketArn(name)])
        switch try await store.deleteBucket(name) {
        case .noSuchBucket: throw S3Error.noSuchBucket(name)
        case .notEmpty:
            let versioned = try await store.bucket(name)?.configuration.versioning != nil
            throw S3Error.bucketNotEmpty(name, versioned: versioned)
        case .deleted(let partBlobs):
            store.removeBlobs(parts: partBlobs)
            return Self.empty(.noContent)
        }
    }

    /// [HeadBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
    func headBucket(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:ListBucket", [Self.bucketArn(name)])
        let bucket = try await requireBucket(name)
        var headers = HTTPFields()
        Self.set(&headers, "x-amz-bucket-region", bucket.region)
        Self.set(&headers, "x-amz-access-point-alias", "false")
        // S3 labels HeadBucket's empty answer as XML (moto's test_header_content_type, verified against S3).
        headers[.contentType] = "application/xml"
        return Self.empty(.ok, headers: headers)
    }

    /// [GetBucketLocation](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
    func getBucketLocation(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:GetBucketLocation", [Self.bucketArn(name)])
        let bucket = try await requireBucket(name)
        var xml = XMLWriter()
        xml.element("LocationConstraint", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            if bucket.region != "us-east-1" { xml.raw(XMLWriter.escape(bucket.region)) }
        }
        return Self.xml(xml.result)
    }

    // MARK: Configuration sub-resources

    private func readConfiguration(_ name: String, action: String, _ request: AWSRequest) async throws -> BucketConfiguration {
        try await authorize(request, action, [Self.bucketArn(name)])
        return try await requireBucket(name).configuration
    }

    private func update(_ name: String, _ change: @escaping @Sendable (inout BucketConfiguration) -> Void) async throws {
        guard try await store.updateConfiguration(name, change) != nil else { throw S3Error.noSuchBucket(name) }
    }

    private func configurationBody(_ request: AWSRequest, _ name: String, action: String) async throws -> Data {
        try await authorize(request, action, [Self.bucketArn(name)])
        let body = try await RequestBodyReader(request: request).collect()
        _ = try await requireBucket(name)
        return body
    }

    /// [GetBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html).
    func getBucketCors(_ request: AWSRequest, _ name: String) async throws -> Response {
        guard let rules = try await readConfiguration(name, action: "s3:GetBucketCORS", request).cors else {
            throw S3Error.noSuchCORSConfiguration(name)
        }
        return Self.xml(ConfigurationXML.renderCORS(rules))
    }

    /// [PutBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html).
    func putBucketCors(_ request: AWSRequest, _ name: String) async throws -> Response {
        let rules = try ConfigurationXML.parseCORS(try await configurationBody(request, name, action: "s3:PutBucketCORS"))
        try await update(name) { $0.cors = rules }
        return Self.empty()
    }

    /// [DeleteBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketCors.html).
    func deleteBucketCors(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutBucketCORS", [Self.bucketArn(name)])
        try await update(name) { $0.cors = nil }
        return Self.empty(.noContent)
    }

    /// [GetBucketLifecycleConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html).
    func getBucketLifecycle(_ request: AWSRequest, _ name: String) async throws -> Response {
        guard let rules = try await readConfiguration(name, action: "s3:GetLifecycleConfiguration", request).lifecycle else {
            throw S3Error.noSuchLifecycleConfiguration(name)
        }
        var headers = HTTPFields()
        Self.set(&headers, "x-amz-transition-default-minimum-object-size", "all_storage_classes_128K")
        return Self.xml(ConfigurationXML.renderLifecycle(rules), headers: headers)
    }

    /// [PutBucketLifecycleConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html).
    func putBucketLifecycle(_ request: AWSRequest, _ name: String) async throws -> Response {
        var rules = try ConfigurationXML.parseLifecycle(try await configurationBody(request, name, action: "s3:PutLifecycleConfiguration"))
        // S3 names a rule sent without an ID (48 characters of base64), and answers with that name ever after.
        for index in rules.indices where rules[index].id == nil {
            rules[index].id = Data(EmulatorRandom.uuidString("s3-configuration-ids").utf8).base64EncodedString()
        }
        let named = rules
        try await update(name) { $0.lifecycle = named }
        var headers = HTTPFields()
        Self.set(&headers, "x-amz-transition-default-minimum-object-size", "all_storage_classes_128K")
        return Self.empty(.ok, headers: headers)
    }

    /// [DeleteBucketLifecycle](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketLifecycle.html).
    func deleteBucketLifecycle(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutLifecycleConfiguration", [Self.bucketArn(name)])
        try await update(name) { $0.lifecycle = nil }
        return Self.empty(.noContent)
    }

    /// [GetBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html).
    func getBucketNotification(_ request: AWSRequest, _ name: String) async throws -> Response {
        let configuration = try await readConfiguration(name, action: "s3:GetBucketNotification", request)
        return Self.xml(ConfigurationXML.renderNotification(configuration.notifications))
    }

    /// [PutBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html).
    func putBucketNotification(_ request: AWSRequest, _ name: String) async throws -> Response {
        let targets = try ConfigurationXML.parseNotification(try await configurationBody(request, name, action: "s3:PutBucketNotification"))
        let refused = notifier.unauthorizedTargets(
            targets.filter { $0.kind == .lambda }.map(\.arn),
            bucket: name,
            accountId: environment.current.accountId
        )
        guard refused.isEmpty else { throw S3Error.destinationsNotValidated(refused) }
        try await update(name) { $0.notifications = targets }
        for target in targets { if let warning = target.undeliveredWarning(bucket: name) { logger.warning("\(warning)") } }
        return Self.empty()
    }

    /// [GetBucketEncryption](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html).
    func getBucketEncryption(_ request: AWSRequest, _ name: String) async throws -> Response {
        guard let encryption = try await readConfiguration(name, action: "s3:GetEncryptionConfiguration", request).encryption else {
            throw S3Error.encryptionConfigurationNotFound(name)
        }
        return Self.xml(ConfigurationXML.renderEncryption(encryption))
    }

    /// [PutBucketEncryption](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html).
    func putBucketEncryption(_ request: AWSRequest, _ name: String) async throws -> Response {
        let encryption = try ConfigurationXML.parseEncryption(try await configurationBody(request, name, action: "s3:PutEncryptionConfiguration"))
        try await update(name) { $0.encryption = encryption }
        return Self.empty()
    }

    /// [DeleteBucketEncryption](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html):
    /// the bucket goes back to SSE-S3, as every bucket is encrypted.
    func deleteBucketEncryption(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutEncryptionConfiguration", [Self.bucketArn(name)])
        try await update(name) { $0.encryption = .sseS3 }
        return Self.empty(.noContent)
    }

    /// [GetPublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html).
    func getPublicAccessBlock(_ request: AWSRequest, _ name: String) async throws -> Response {
        guard let block = try await readConfiguration(name, action: "s3:GetBucketPublicAccessBlock", request).publicAccessBlock else {
            throw S3Error.noSuchPublicAccessBlockConfiguration(name)
        }
        return Self.xml(ConfigurationXML.renderPublicAccessBlock(block))
    }

    /// [PutPublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html).
    func putPublicAccessBlock(_ request: AWSRequest, _ name: String) async throws -> Response {
        let block = try ConfigurationXML.parsePublicAccessBlock(try await configurationBody(request, name, action: "s3:PutBucketPublicAccessBlock"))
        try await update(name) { $0.publicAccessBlock = block }
        return Self.empty()
    }

    /// [DeletePublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html).
    func deletePublicAccessBlock(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutBucketPublicAccessBlock", [Self.bucketArn(name)])
        try await update(name) { $0.publicAccessBlock = nil }
        return Self.empty(.noContent)
    }

    /// [GetBucketTagging](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html).
    func getBucketTagging(_ request: AWSRequest, _ name: String) async throws -> Response {
        // An empty tag set (PutBucketTagging with no tags) is no tag set, as on S3.
        guard let tags = try await readConfiguration(name, action: "s3:GetBucketTagging", request).tags, !tags.isEmpty else {
            throw S3Error.noSuchTagSet(name)
        }
        return Self.xml(ConfigurationXML.renderTagging(tags))
    }

    /// [PutBucketTagging](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html).
    func putBucketTagging(_ request: AWSRequest, _ name: String) async throws -> Response {
        let tags = try ConfigurationXML.parseTagging(try await configurationBody(request, name, action: "s3:PutBucketTagging"), maxTags: 50)
        try await update(name) { $0.tags = tags }
        return Self.empty(.noContent)
    }

    /// [DeleteBucketTagging](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketTagging.html).
    func deleteBucketTagging(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutBucketTagging", [Self.bucketArn(name)])
        try await update(name) { $0.tags = nil }
        return Self.empty(.noContent)
    }

    /// [GetBucketVersioning](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html).
    func getBucketVersioning(_ request: AWSRequest, _ name: String) async throws -> Response {
        let configuration = try await readConfiguration(name, action: "s3:GetBucketVersioning", request)
        return Self.xml(ConfigurationXML.renderVersioning(configuration.versioning))
    }

    /// [PutBucketVersioning](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html).
    func putBucketVersioning(_ request: AWSRequest, _ name: String) async throws -> Response {
        let status = try ConfigurationXML.parseVersioning(try await configurationBody(request, name, action: "s3:PutBucketVersioning"))
        try await update(name) { $0.versioning = status }
        return Self.empty()
    }
}
