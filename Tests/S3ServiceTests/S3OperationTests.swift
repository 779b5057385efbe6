import AWSGateway
import HTTPTypes
import S3Service
import Testing

@Suite("S3 operations resolved once from method, target, query and headers")
struct S3OperationTests {
    static let bucket = S3Target(bucket: "b", key: nil)
    static let object = S3Target(bucket: "b", key: "k")

    private func resolve(
        _ method: HTTPRequest.Method,
        _ target: S3Target,
        _ query: String = "",
        headers: [(String, String)] = []
    ) -> Result<S3Operation, S3Error> {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return S3Operation.resolve(method: method, target: target, query: URLComponentsDecoding.queryItems(query), headers: fields)
    }

    @Test(
        "each request shape names its operation",
        arguments: [
            (HTTPRequest.Method.get, S3Target(bucket: nil, key: nil), "", S3Operation.listBuckets),
            (.get, S3OperationTests.bucket, "", .listObjects),
            (.get, S3OperationTests.bucket, "list-type=2&prefix=a", .listObjectsV2),
            (.get, S3OperationTests.bucket, "location", .getBucketLocation),
            (.get, S3OperationTests.bucket, "uploads", .listMultipartUploads),
            (.get, S3OperationTests.bucket, "cors", .getBucketCors),
            (.put, S3OperationTests.bucket, "", .createBucket),
            (.put, S3OperationTests.bucket, "versioning", .putBucketVersioning),
            (.delete, S3OperationTests.bucket, "tagging", .deleteBucketTagging),
            (.delete, S3OperationTests.bucket, "", .deleteBucket),
            (.head, S3OperationTests.bucket, "", .headBucket),
            (.post, S3OperationTests.bucket, "delete", .deleteObjects),
            (.get, S3OperationTests.object, "", .getObject),
            (.head, S3OperationTests.object, "", .headObject),
            (.put, S3OperationTests.object, "", .putObject),
            (.get, S3OperationTests.object, "uploadId=u", .listParts),
            (.put, S3OperationTests.object, "partNumber=1&uploadId=u", .uploadPart),
            (.post, S3OperationTests.object, "uploads", .createMultipartUpload),
            (.post, S3OperationTests.object, "uploadId=u", .completeMultipartUpload),
            (.delete, S3OperationTests.object, "uploadId=u", .abortMultipartUpload),
            (.delete, S3OperationTests.object, "", .deleteObject),
            (.put, S3OperationTests.object, "tagging", .putObjectTagging),
        ]
    )
    func resolves(method: HTTPRequest.Method, target: S3Target, query: String, expected: S3Operation) throws {
        #expect(try resolve(method, target, query).get() == expected)
    }

    @Test("headers select copies and browser uploads")
    func headersSelect() throws {
        #expect(try resolve(.put, Self.object, headers: [("x-amz-copy-source", "/b/src")]).get() == .copyObject)
        #expect(try resolve(.put, Self.object, "partNumber=2&uploadId=u", headers: [("x-amz-copy-source", "/b/src")]).get() == .uploadPartCopy)
        #expect(try resolve(.post, Self.bucket, headers: [("Content-Type", "multipart/form-data; boundary=x")]).get() == .postObject)
    }

    @Test("unsupported sub-resources answer NotImplemented and wrong methods MethodNotAllowed, as S3 does")
    func refusals() {
        #expect(resolve(.get, Self.bucket, "website") == .failure(.notImplemented))
        #expect(resolve(.put, Self.object, "retention") == .failure(.notImplemented))
        #expect(resolve(.post, Self.bucket) == .failure(.methodNotAllowed(method: "POST", resourceType: "BUCKET")))
        #expect(resolve(.put, S3Target(bucket: nil, key: nil)) == .failure(.methodNotAllowed(method: "PUT", resourceType: "SERVICE")))
        #expect(resolve(.patch, Self.object) == .failure(.methodNotAllowed(method: "PATCH", resourceType: "OBJECT")))
    }

    @Test("access-control sub-resources select their operations")
    func accessControl() throws {
        #expect(try resolve(.get, Self.bucket, "acl").get() == .getBucketAcl)
        #expect(try resolve(.put, Self.object, "acl").get() == .putObjectAcl)
        #expect(try resolve(.get, Self.object, "acl&versionId=v").get() == .getObjectAcl)
        #expect(try resolve(.get, Self.bucket, "policyStatus").get() == .getBucketPolicyStatus)
        #expect(try resolve(.get, Self.bucket, "policy").get() == .getBucketPolicy)
        #expect(try resolve(.delete, Self.bucket, "policy").get() == .deleteBucketPolicy)
        #expect(try resolve(.delete, Self.bucket, "ownershipControls").get() == .deleteBucketOwnershipControls)
        #expect(S3Operation.deleteBucketOwnershipControls.iamAction == "s3:PutBucketOwnershipControls")
    }

    @Test("IAM actions follow AWS's S3 action table")
    func iamActions() {
        #expect(S3Operation.headBucket.iamAction == "s3:ListBucket")
        #expect(S3Operation.listObjectsV2.iamAction == "s3:ListBucket")
        #expect(S3Operation.uploadPart.iamAction == "s3:PutObject")
        #expect(S3Operation.deleteBucketCors.iamAction == "s3:PutBucketCORS")
        #expect(S3Operation.listParts.iamAction == "s3:ListMultipartUploadParts")
        #expect(S3Operation.allCases.allSatisfy { $0.iamAction.hasPrefix("s3:") && $0.name == $0.rawValue })
    }

    @Test("the target is worked out from virtual host and path, decoded")
    func targets() {
        #expect(
            S3Target(host: "my-bucket.s3.localhost:4566", rawPath: "/a%20b/c")
                == S3Target(bucket: "my-bucket", key: "a b/c", virtualHostBucket: "my-bucket")
        )
        #expect(S3Target(host: "127.0.0.1:4566", rawPath: "/my-bucket/a%2Bb") == S3Target(bucket: "my-bucket", key: "a+b"))
        #expect(S3Target(host: "127.0.0.1:4566", rawPath: "/my-bucket") == S3Target(bucket: "my-bucket", key: nil))
        #expect(S3Target(host: "127.0.0.1:4566", rawPath: "/my-bucket/") == S3Target(bucket: "my-bucket", key: nil))
        #expect(S3Target(host: "127.0.0.1:4566", rawPath: "/") == S3Target(bucket: nil, key: nil))
    }
}
