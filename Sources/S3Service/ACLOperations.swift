import AWSGateway
import Foundation
import HTTPTypes
import Hummingbird

extension S3Service {
    /// The ACL a PutBucketAcl / PutObjectAcl request sets: from the headers or from the `AccessControlPolicy`
    /// body, never both, and one of them is required.
    private func requestedACL(_ request: AWSRequest, resourceType: String) async throws -> AccessControlList {
        let body = try await RequestBodyReader(request: request).collect()
        let header: (String) -> String? = { request.header($0) }
        let ownerId = Self.canonicalUserId(environment.current.accountId)
        let fromHeaders = try ACLCodec.fromHeaders(header, ownerId: ownerId, region: request.region, resourceType: resourceType, method: "PUT")
        switch (fromHeaders, body.isEmpty) {
        case (let acl?, true): return acl
        case (.some, false): throw S3AccessError.unexpectedContent
        case (nil, true): throw S3AccessError.missingSecurityHeader
        case (nil, false): return try ACLCodec.parsePolicy(body, region: request.region, resourceType: resourceType)
        }
    }

    /// [GetBucketAcl](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html): with ACLs disabled
    /// (`BucketOwnerEnforced`), always the owner's full control.
    func getBucketAcl(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:GetBucketAcl", [Self.bucketArn(name)])
        let configuration = try await requireBucket(name).configuration
        let ownerId = Self.canonicalUserId(environment.current.accountId)
        let acl = ObjectOwnership.effective(configuration).aclsEnabled ? configuration.acl : nil
        return Self.xml(ACLCodec.render(acl ?? .ownerFullControl(ownerId)))
    }

    /// [PutBucketAcl](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html).
    func putBucketAcl(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutBucketAcl", [Self.bucketArn(name)], context: S3ConditionKeys.createBucket(request))
        _ = try await requireBucket(name)
        let acl = try await requestedACL(request, resourceType: "BUCKET")
        let updated = try await store.checkedUpdateConfiguration(name) { configuration in
            try S3Service.checkSettable(acl, bucket: configuration)
            configuration.acl = acl
        }
        guard updated != nil else { throw S3Error.noSuchBucket(name) }
        return Self.empty()
    }

    /// [GetObjectAcl](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAcl.html) (also `?versionId=`).
    func getObjectAcl(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        let versionId = try Self.requestedVersionId(request)
        let action = versionId == nil ? "s3:GetObjectAcl" : "s3:GetObjectVersionAcl"
        try await authorize(request, action, [Self.objectArn(bucketName, key)])
        let bucket = try await requireBucket(bucketName)
        let record = try await readableObject(bucket: bucket, key: key, versionId: versionId, method: "GET")
        let ownerId = Self.canonicalUserId(environment.current.accountId)
        let acl = ObjectOwnership.effective(bucket.configuration).aclsEnabled ? record.acl : nil
        var headers = HTTPFields()
        if Self.reportsVersions(bucket) { Self.set(&headers, "x-amz-version-id", record.versionId) }
        return Self.xml(ACLCodec.render(acl ?? .ownerFullControl(ownerId)), headers: headers)
    }

    /// [PutObjectAcl](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html) (also `?versionId=`).
    func putObjectAcl(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        let versionId = try Self.requestedVersionId(request)
        let action = versionId == nil ? "s3:PutObjectAcl" : "s3:PutObjectVersionAcl"
        try await authorize(request, action, [Self.objectArn(bucketName, key)], context: S3ConditionKeys.createBucket(request))
        let bucket = try await requireBucket(bucketName)
        let acl = try await requestedACL(request, resourceType: "OBJECT")
        try Self.checkSettable(acl, bucket: bucket.configuration)
        _ = try await readableObject(bucket: bucket, key: key, versionId: versionId, method: "PUT")
        guard let record = try await store.setACL(bucket: bucketName, key: key, versionId: versionId, acl: acl) else {
            throw versionId.map { S3Error.noSuchVersion(key: key, versionId: $0) } ?? S3Error.noSuchKey(key)
        }
        var headers = HTTPFields()
        if Self.reportsVersions(bucket) { Self.set(&headers, "x-amz-version-id", record.versionId) }
        return Self.empty(headers: headers)
    }
}
