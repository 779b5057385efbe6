import AWSGateway
import HTTPTypes

/// The S3 operations this emulator serves, resolved once from the method, the bucket/key target, the query's
/// sub-resources and the headers that select an operation (`x-amz-copy-source`, a `multipart/form-data` POST).
///
/// Sub-resources S3 has but this emulator does not serve resolve to `NotImplemented` (501), and a method a resource
/// does not take to `MethodNotAllowed` (405), exactly as S3 answers them.
/// See https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
package enum S3Operation: String, ServiceOperation, CaseIterable {
    /// `ListBuckets`.
    case listBuckets = "ListBuckets"
    /// `CreateBucket`.
    case createBucket = "CreateBucket"
    /// `DeleteBucket`.
    case deleteBucket = "DeleteBucket"
    /// `HeadBucket`.
    case headBucket = "HeadBucket"
    /// `GetBucketLocation`.
    case getBucketLocation = "GetBucketLocation"
    /// `ListObjects`.
    case listObjects = "ListObjects"
    /// `ListObjectsV2`.
    case listObjectsV2 = "ListObjectsV2"
    /// `ListObjectVersions`.
    case listObjectVersions = "ListObjectVersions"
    /// `ListMultipartUploads`.
    case listMultipartUploads = "ListMultipartUploads"
    /// `GetBucketCors`.
    case getBucketCors = "GetBucketCors"
    /// `PutBucketCors`.
    case putBucketCors = "PutBucketCors"
    /// `DeleteBucketCors`.
    case deleteBucketCors = "DeleteBucketCors"
    /// `GetBucketLifecycleConfiguration`.
    case getBucketLifecycle = "GetBucketLifecycleConfiguration"
    /// `PutBucketLifecycleConfiguration`.
    case putBucketLifecycle = "PutBucketLifecycleConfiguration"
    /// `DeleteBucketLifecycle`.
    case deleteBucketLifecycle = "DeleteBucketLifecycle"
    /// `GetBucketNotificationConfiguration`.
    case getBucketNotification = "GetBucketNotificationConfiguration"
    /// `PutBucketNotificationConfiguration`.
    case putBucketNotification = "PutBucketNotificationConfiguration"
    /// `GetBucketEncryption`.
    case getBucketEncryption = "GetBucketEncryption"
    /// `PutBucketEncryption`.
    case putBucketEncryption = "PutBucketEncryption"
    /// `DeleteBucketEncryption`.
    case deleteBucketEncryption = "DeleteBucketEncryption"
    /// `GetPublicAccessBlock`.
    case getPublicAccessBlock = "GetPublicAccessBlock"
    /// `PutPublicAccessBlock`.
    case putPublicAccessBlock = "PutPublicAccessBlock"
    /// `DeletePublicAccessBlock`.
    case deletePublicAccessBlock = "DeletePublicAccessBlock"
    /// `GetBucketTagging`.
    case getBucketTagging = "GetBucketTagging"
    /// `PutBucketTagging`.
    case putBucketTagging = "PutBucketTagging"
    /// `DeleteBucketTagging`.
    case deleteBucketTagging = "DeleteBucketTagging"
    /// `GetBucketVersioning`.
    case getBucketVersioning = "GetBucketVersioning"
    /// `PutBucketVersioning`.
    case putBucketVersioning = "PutBucketVersioning"
    /// `DeleteObjects`.
    case deleteObjects = "DeleteObjects"
    /// Browser-based upload: `POST` to the bucket with a `multipart/form-data` form.
    case postObject = "PostObject"
    /// `GetObject`.
    case getObject = "GetObject"
    /// `HeadObject`.
    case headObject = "HeadObject"
    /// `PutObject`.
    case putObject = "PutObject"
    /// `CopyObject`.
    case copyObject = "CopyObject"
    /// `DeleteObject`.
    case deleteObject = "DeleteObject"
    /// `GetObjectTagging`.
    case getObjectTagging = "GetObjectTagging"
    /// `PutObjectTagging`.
    case putObjectTagging = "PutObjectTagging"
    /// `DeleteObjectTagging`.
    case deleteObjectTagging = "DeleteObjectTagging"
    /// `CreateMultipartUpload`.
    case createMultipartUpload = "CreateMultipartUpload"
    /// `UploadPart`.
    case uploadPart = "UploadPart"
    /// `UploadPartCopy`.
    case uploadPartCopy = "UploadPartCopy"
    /// `CompleteMultipartUpload`.
    case completeMultipartUpload = "CompleteMultipartUpload"
    /// `AbortMultipartUpload`.
    case abortMultipartUpload = "AbortMultipartUpload"
    /// `ListParts`.
    case listParts = "ListParts"
    /// `GetBucketAcl`.
    case getBucketAcl = "GetBucketAcl"
    /// `PutBucketAcl`.
    case putBucketAcl = "PutBucketAcl"
    /// `GetObjectAcl`.
    case getObjectAcl = "GetObjectAcl"
    /// `PutObjectAcl`.
    case putObjectAcl = "PutObjectAcl"
    /// `GetBucketOwnershipControls`.
    case getBucketOwnershipControls = "GetBucketOwnershipControls"
    /// `PutBucketOwnershipControls`.
    case putBucketOwnershipControls = "PutBucketOwnershipControls"
    /// `DeleteBucketOwnershipControls`.
    case deleteBucketOwnershipControls = "DeleteBucketOwnershipControls"
    /// `GetBucketPolicy`.
    case getBucketPolicy = "GetBucketPolicy"
    /// `PutBucketPolicy`.
    case putBucketPolicy = "PutBucketPolicy"
    /// `DeleteBucketPolicy`.
    case deleteBucketPolicy = "DeleteBucketPolicy"
    /// `GetBucketPolicyStatus`.
    case getBucketPolicyStatus = "GetBucketPolicyStatus"

    /// The IAM action the operation is authorized as; several operations share one
    /// ([actions, resources and condition keys for S3](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)).
    package var iamAction: String {
        switch self {
        case .listBuckets: "s3:ListAllMyBuckets"
        case .createBucket: "s3:CreateBucket"
        case .deleteBucket: "s3:DeleteBucket"
        case .headBucket, .listObjects, .listObjectsV2: "s3:ListBucket"
        case .getBucketLocation: "s3:GetBucketLocation"
        case .listObjectVersions: "s3:ListBucketVersions"
        case .listMultipartUploads: "s3:ListBucketMultipartUploads"
        case .getBucketCors: "s3:GetBucketCORS"
        case .putBucketCors, .deleteBucketCors: "s3:PutBucketCORS"
        case .getBucketLifecycle: "s3:GetLifecycleConfiguration"
        case .putBucketLifecycle, .deleteBucketLifecycle: "s3:PutLifecycleConfiguration"
        case .getBucketNotification: "s3:GetBucketNotification"
        case .putBucketNotification: "s3:PutBucketNotification"
        case .getBucketEncryption: "s3:GetEncryptionConfiguration"
        case .putBucketEncryption, .deleteBucketEncryption: "s3:PutEncryptionConfiguration"
        case .getPublicAccessBlock: "s3:GetBucketPublicAccessBlock"
        case .putPublicAccessBlock, .deletePublicAccessBlock: "s3:PutBucketPublicAccessBlock"
        case .getBucketTagging: "s3:GetBucketTagging"
        case .putBucketTagging, .deleteBucketTagging: "s3:PutBucketTagging"
        case .getBucketVersioning: "s3:GetBucketVersioning"
        case .putBucketVersioning: "s3:PutBucketVersioning"
        case .deleteObjects, .deleteObject: "s3:DeleteObject"
        case .getObject, .headObject: "s3:GetObject"
        case .postObject, .putObject, .copyObject, .createMultipartUpload, .uploadPart, .uploadPartCopy, .completeMultipartUpload:
            "s3:PutObject"
        case .getObjectTagging: "s3:GetObjectTagging"
        case .putObjectTagging: "s3:PutObjectTagging"
        case .deleteObjectTagging: "s3:DeleteObjectTagging"
        case .abortMultipartUpload: "s3:AbortMultipartUpload"
        case .listParts: "s3:ListMultipartUploadParts"
        case .getBucketAcl: "s3:GetBucketAcl"
        case .putBucketAcl: "s3:PutBucketAcl"
        case .getObjectAcl: "s3:GetObjectAcl"
        case .putObjectAcl: "s3:PutObjectAcl"
        case .getBucketOwnershipControls: "s3:GetBucketOwnershipControls"
        case .putBucketOwnershipControls, .deleteBucketOwnershipControls: "s3:PutBucketOwnershipControls"
        case .getBucketPolicy: "s3:GetBucketPolicy"
        case .putBucketPolicy: "s3:PutBucketPolicy"
        case .deleteBucketPolicy: "s3:DeleteBucketPolicy"
        case .getBucketPolicyStatus: "s3:GetBucketPolicyStatus"
        }
    }

    /// Resolves the operation of a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - target: The bucket and key.
    ///   - query: The decoded query parameters.
    ///   - headers: The request's header fields.
    /// - Returns: The operation, or S3's `NotImplemented` / `MethodNotAllowed` error.
    package static func resolve(
        method: HTTPRequest.Method,
        target: S3Target,
        query: [(name: String, value: String)],
        headers: HTTPFields
    ) -> Result<S3Operation, S3Error> {
        let has: (String) -> Bool = { name in query.contains { $0.name == name } }
        guard target.bucket != nil else {
            guard method == .get else { return .failure(.methodNotAllowed(method: method.rawValue, resourceType: "SERVICE")) }
            return .success(.listBuckets)
        }
        guard target.key != nil else { return bucketOperation(method: method, has: has, query: query, headers: headers) }
        return objectOperation(method: method, has: has, headers: headers)
    }

    private static func bucketOperation(
        method: HTTPRequest.Method,
        has: (String) -> Bool,
        query: [(name: String, value: String)],
        headers: HTTPFields
    ) -> Result<S3Operation, S3Error> {
        switch method {
        case .get:
            let bySubresource: [(String, S3Operation)] = [
                ("cors", .getBucketCors), ("lifecycle", .getBucketLifecycle), ("notification", .getBucketNotification),
                ("encryption", .getBucketEncryption), ("publicAccessBlock", .getPublicAccessBlock), ("tagging", .getBucketTagging),
                ("versioning", .getBucketVersioning), ("location", .getBucketLocation), ("uploads", .listMultipartUploads),
                ("versions", .listObjectVersions), ("acl", .getBucketAcl), ("ownershipControls", .getBucketOwnershipControls),
                ("policyStatus", .getBucketPolicyStatus), ("policy", .getBucketPolicy),
            ]
            if let match = bySubresource.first(where: { has($0.0) }) { return .success(match.1) }
            if unsupportedBucketSubresources.contains(where: has) { return .failure(.notImplemented) }
            let v2 = query.first { $0.name == "list-type" }?.value == "2"
            return .success(v2 ? .listObjectsV2 : .listObjects)
        case .put:
            let bySubresource: [(String, S3Operation)] = [
                ("cors", .putBucketCors), ("lifecycle", .putBucketLifecycle), ("notification", .putBucketNotification),
                ("encryption", .putBucketEncryption), ("publicAccessBlock", .putPublicAccessBlock), ("tagging", .putBucketTagging),
                ("versioning", .putBucketVersioning), ("acl", .putBucketAcl), ("ownershipControls", .putBucketOwnershipControls),
                ("policy", .putBucketPolicy),
            ]
            if let match = bySubresource.first(where: { has($0.0) }) { return .success(match.1) }
            if unsupportedBucketSubresources.contains(where: has) { return .failure(.notImplemented) }
            return .success(.createBucket)
        case .delete:
            let bySubresource: [(String, S3Operation)] = [
                ("cors", .deleteBucketCors), ("lifecycle", .deleteBucketLifecycle), ("encryption", .deleteBucketEncryption),
                ("publicAccessBlock", .deletePublicAccessBlock), ("tagging", .deleteBucketTagging),
                ("ownershipControls", .deleteBucketOwnershipControls), ("policy", .deleteBucketPolicy),
            ]
            if let match = bySubresource.first(where: { has($0.0) }) { return .success(match.1) }
            if unsupportedBucketSubresources.contains(where: has) { return .failure(.notImplemented) }
            return .success(.deleteBucket)
        case .head:
            return .success(.headBucket)
        case .post:
            if has("delete") { return .success(.deleteObjects) }
            if isForm(headers) { return .success(.postObject) }
            return .failure(.methodNotAllowed(method: "POST", resourceType: "BUCKET"))
        default:
            return .failure(.methodNotAllowed(method: method.rawValue, resourceType: "BUCKET"))
        }
    }

    private static func objectOperation(method: HTTPRequest.Method, has: (String) -> Bool, headers: HTTPFields) -> Result<S3Operation, S3Error> {
        let copies = headers[copySource] != nil
        switch method {
        case .get:
            if has("tagging") { return .success(.getObjectTagging) }
            if has("acl") { return .success(.getObjectAcl) }
            if has("uploadId") { return .success(.listParts) }
            if unsupportedObjectSubresources.contains(where: has) { return .failure(.notImplemented) }
            return .success(.getObject)
        case .head:
            return .success(.headObject)
        case .put:
            if has("tagging") { return .success(.putObjectTagging) }
            if has("acl") { return .success(.putObjectAcl) }
            if has("uploadId") || has("partNumber") { return .success(copies ? .uploadPartCopy : .uploadPart) }
            if unsupportedObjectSubresources.contains(where: has) { return .failure(.notImplemented) }
            return .success(copies ? .copyObject : .putObject)
        case .delete:
            if has("tagging") { return .success(.deleteObjectTagging) }
            if has("uploadId") { return .success(.abortMultipartUpload) }
            return .success(.deleteObject)
        case .post:
            if has("uploads") { return .success(.createMultipartUpload) }
            if has("uploadId") { return .success(.completeMultipartUpload) }
            return .failure(.methodNotAllowed(method: "POST", resourceType: "OBJECT"))
        default:
            return .failure(.methodNotAllowed(method: method.rawValue, resourceType: "OBJECT"))
        }
    }

    /// Whether the request is a browser form upload (`multipart/form-data`).
    /// - Parameter headers: The header fields.
    /// - Returns: True for a form.
    static func isForm(_ headers: HTTPFields) -> Bool {
        headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") ?? false
    }

    private static let copySource = HTTPField.Name.constant("x-amz-copy-source")

    private static let unsupportedBucketSubresources = [
        "website", "logging", "replication", "accelerate", "requestPayment", "object-lock", "analytics", "metrics", "inventory",
        "intelligent-tiering", "select",
    ]
    private static let unsupportedObjectSubresources = ["retention", "legal-hold", "restore", "torrent", "attributes", "select"]
}
