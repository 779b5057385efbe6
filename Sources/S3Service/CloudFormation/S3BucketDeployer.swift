import CloudFormation
import Foundation

/// Deploys `AWS::S3::Bucket` and `AWS::S3::BucketPolicy` at runtime through the S3 store, with the same
/// configuration mapping as the start-up template's buckets.
package struct S3BucketDeployer: ResourceDeployer {
    private let service: S3Service

    /// Creates the deployer of one S3 service.
    /// - Parameter service: The S3 service whose store holds the buckets.
    package init(service: S3Service) { self.service = service }

    /// Buckets and bucket policies.
    package var deployableTypes: Set<String> { [S3BucketProvider.bucketType, S3BucketProvider.bucketPolicyType] }

    /// `BucketName` replaces a bucket; `Bucket` replaces a bucket policy.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        type == S3BucketProvider.bucketType ? ["BucketName"] : ["Bucket"]
    }

    /// Creates the bucket (refusing a name that exists, as CloudFormation does) or puts the bucket policy.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's reason (also when a notification names a function
    ///   S3 may not invoke, as PutBucketNotificationConfiguration refuses it).
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        if resource.type == S3BucketProvider.bucketPolicyType {
            try await putPolicy(resource)
            return
        }
        let spec = try S3BucketSpec(resource)
        if let refusal = service.notificationRefusal(spec) { throw ResourceDeploymentError(refusal) }
        let ownerId = S3Service.canonicalUserId(service.environment.current.accountId)
        let record = BucketRecord(
            name: spec.name,
            region: service.environment.current.region,
            creationDate: service.clock.now,
            configuration: BucketConfiguration.from(spec: spec, ownerId: ownerId)
        )
        guard try await service.store.createBucket(record) else {
            throw ResourceDeploymentError("\(spec.name) already exists")
        }
    }

    /// Brings the bucket's configuration to the new properties (its objects stay), or replaces the bucket policy.
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the bucket is gone.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        if new.type == S3BucketProvider.bucketPolicyType {
            try await putPolicy(new)
            return
        }
        let spec = try S3BucketSpec(new)
        if let refusal = service.notificationRefusal(spec) { throw ResourceDeploymentError(refusal) }
        let ownerId = S3Service.canonicalUserId(service.environment.current.accountId)
        let configuration = BucketConfiguration.from(spec: spec, ownerId: ownerId)
        let updated = try await service.store.updateConfiguration(spec.name) { current in
            // A bucket policy belongs to its own resource: keep it.
            let policy = current.policy
            current = configuration
            current.policy = policy
        }
        guard updated != nil else { throw ResourceDeploymentError("The specified bucket does not exist") }
    }

    /// Deletes the bucket (an empty one only, as CloudFormation does) or removes the bucket policy.
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` when the bucket still holds objects.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        if resource.type == S3BucketProvider.bucketPolicyType {
            let bucket = resource.properties["Bucket"]?.scalarText ?? ""
            _ = try await service.store.updateConfiguration(bucket) { $0.policy = nil }
            return
        }
        switch try await service.store.deleteBucket(resource.physicalId) {
        case .noSuchBucket: return
        case .notEmpty:
            throw ResourceDeploymentError(
                "The bucket you tried to delete is not empty (Service: S3, Status Code: 409, Error Code: BucketNotEmpty)"
            )
        case .deleted(let partBlobs): service.store.removeBlobs(parts: partBlobs)
        }
    }

    private func putPolicy(_ resource: StackResource) async throws {
        let bucket = resource.properties["Bucket"]?.scalarText ?? ""
        guard let document = resource.properties["PolicyDocument"], document.mapValue != nil else {
            throw ResourceDeploymentError("Property validation failure: [Value of property {/PolicyDocument} does not match type {Map}]")
        }
        let text = document.jsonString
        guard try await service.store.updateConfiguration(bucket, { $0.policy = text }) != nil else {
            throw ResourceDeploymentError("The specified bucket does not exist")
        }
    }
}

extension S3Service {
    /// The text of an object, for a CloudFormation `TemplateURL` or `BodyS3Location` naming this emulator's S3.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: A version of the object (nil: the current one).
    /// - Returns: The text, or nil when the object (or version) does not exist or is not UTF-8.
    package func objectText(bucket: String, key: String, versionId: String? = nil) async -> String? {
        let found: ObjectRecord??
        if let versionId {
            found = try? await store.version(bucket: bucket, key: key, versionId: versionId)
        } else {
            found = try? await store.object(bucket: bucket, key: key)
        }
        guard let record = found ?? nil, !record.isDeleteMarker else { return nil }
        guard let data = try? Data(contentsOf: store.objectURL(record.blob)) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
