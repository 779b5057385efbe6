import AWSGateway

/// The S3 condition keys a request supplies to IAM, as the Service Authorization Reference lists them for each action
/// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
/// - `s3:prefix`, `s3:delimiter`, `s3:max-keys` for `s3:ListBucket` (ListObjects, ListObjectsV2; built in
///   ``S3Service/listObjects(_:_:v2:)``);
/// - `s3:x-amz-server-side-encryption` and `s3:x-amz-acl` for `s3:PutObject` (PutObject, CopyObject,
///   CreateMultipartUpload, POST uploads) when the request carries them, `s3:x-amz-acl` for `s3:CreateBucket`;
/// - `s3:ExistingObjectTag/<key>` for `s3:GetObject` (GetObject, HeadObject and the source of CopyObject),
///   `s3:GetObjectTagging`, `s3:PutObjectTagging` and `s3:DeleteObjectTagging`: the tags the current object has
///   before the request (AWS does not supply it for PutObject or DeleteObject).
enum S3ConditionKeys {
    /// `s3:x-amz-server-side-encryption`.
    static let serverSideEncryption = "s3:x-amz-server-side-encryption"
    /// `s3:x-amz-acl`.
    static let cannedACL = "s3:x-amz-acl"
    /// The prefix of `s3:ExistingObjectTag/<key>`.
    static let existingObjectTagPrefix = "s3:ExistingObjectTag/"

    /// The keys of an object write (`s3:PutObject`): the encryption and canned ACL headers, when present.
    /// - Parameter request: The request.
    /// - Returns: The condition keys.
    static func objectWrite(_ request: AWSRequest) -> [String: [String]] {
        objectWrite(serverSideEncryption: request.header("x-amz-server-side-encryption"), acl: request.header("x-amz-acl"))
    }

    /// The keys of an object write from their values (headers, or the fields of a POST upload).
    /// - Parameters:
    ///   - serverSideEncryption: The `x-amz-server-side-encryption` value, if given.
    ///   - acl: The canned ACL (`x-amz-acl`), if given.
    /// - Returns: The condition keys.
    static func objectWrite(serverSideEncryption: String?, acl: String?) -> [String: [String]] {
        var context: [String: [String]] = [:]
        if let serverSideEncryption { context[Self.serverSideEncryption] = [serverSideEncryption] }
        if let acl { context[Self.cannedACL] = [acl] }
        return context
    }

    /// The keys of CreateBucket: the canned ACL header, when present.
    /// - Parameter request: The request.
    /// - Returns: The condition keys.
    static func createBucket(_ request: AWSRequest) -> [String: [String]] {
        objectWrite(serverSideEncryption: nil, acl: request.header("x-amz-acl"))
    }

    /// `s3:ExistingObjectTag/<key>` for each tag an object has.
    /// - Parameter tags: The object's tags.
    /// - Returns: The condition keys.
    static func existingTags(_ tags: [S3Tag]) -> [String: [String]] {
        var context: [String: [String]] = [:]
        for tag in tags { context[existingObjectTagPrefix + tag.key] = [tag.value] }
        return context
    }
}

extension S3Service {
    /// `s3:ExistingObjectTag/<key>` for an object, read only when the caller's authorization can depend on
    /// condition keys (temporary credentials under their role's policies); a missing object or bucket supplies
    /// none, and the operation reports it after authorization as before.
    /// - Parameters:
    ///   - request: The request.
    ///   - bucket: The bucket name.
    ///   - key: The object key.
    ///   - versionId: The version the request names (its tags, not the current version's), if any.
    /// - Returns: The condition keys.
    /// - Throws: A storage failure reading the object.
    func existingTagKeys(_ request: AWSRequest, bucket: String, key: String, versionId: String? = nil) async throws -> [String: [String]] {
        guard authorizer.usesConditionKeys(for: request.caller) else { return [:] }
        let row =
            if let versionId {
                try await store.version(bucket: bucket, key: key, versionId: versionId)
            } else {
                try await store.object(bucket: bucket, key: key)
            }
        guard let record = row else { return [:] }
        return S3ConditionKeys.existingTags(record.tags)
    }
}
