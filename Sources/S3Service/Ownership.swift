import AWSGateway
import Foundation
import Hummingbird

/// S3 Object Ownership
/// ([controlling ownership of objects](https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)).
package enum ObjectOwnership: String, Sendable, CaseIterable {
    /// ACLs are disabled; the bucket owner owns every object (the default for new buckets since April 2023).
    case bucketOwnerEnforced = "BucketOwnerEnforced"
    /// ACLs are enabled; objects written with `bucket-owner-full-control` belong to the bucket owner.
    case bucketOwnerPreferred = "BucketOwnerPreferred"
    /// ACLs are enabled; the writer owns the object.
    case objectWriter = "ObjectWriter"

    /// What ``BucketConfiguration/objectOwnership`` holds after DeleteBucketOwnershipControls: no controls.
    static let deleted = ""

    /// The ownership a bucket configuration acts under: deleted ownership controls act as `ObjectWriter`; a bucket
    /// stored before Object Ownership was kept acts as `BucketOwnerEnforced`, as every bucket created since April 2023.
    /// - Parameter configuration: The bucket's configuration.
    /// - Returns: The ownership.
    package static func effective(_ configuration: BucketConfiguration) -> ObjectOwnership {
        guard let value = configuration.objectOwnership else { return .bucketOwnerEnforced }
        return ObjectOwnership(rawValue: value) ?? .objectWriter
    }

    /// The ownership controls GetBucketOwnershipControls reports, nil after DeleteBucketOwnershipControls.
    /// - Parameter configuration: The bucket's configuration.
    /// - Returns: The ownership, or nil.
    package static func controls(_ configuration: BucketConfiguration) -> ObjectOwnership? {
        configuration.objectOwnership == deleted ? nil : effective(configuration)
    }

    /// Whether ACLs take part in access decisions and may be set.
    package var aclsEnabled: Bool { self != .bucketOwnerEnforced }
}

/// The `OwnershipControls` XML of Get/PutBucketOwnershipControls.
package enum OwnershipXML {
    /// Parses a PutBucketOwnershipControls body.
    /// - Parameter data: The XML.
    /// - Returns: The ownership its one rule names.
    /// - Throws: `MalformedXML` for anything but one rule with a known `ObjectOwnership`.
    package static func parse(_ data: Data) throws(S3Error) -> ObjectOwnership {
        let root = try XMLTree.parse(data)
        let rules = root.all("Rule")
        guard root.name == "OwnershipControls", rules.count == 1, let value = rules[0].value("ObjectOwnership"),
            let ownership = ObjectOwnership(rawValue: value)
        else { throw .malformedXML }
        return ownership
    }

    /// Renders GetBucketOwnershipControls.
    /// - Parameter ownership: The ownership.
    /// - Returns: The XML document.
    package static func render(_ ownership: ObjectOwnership) -> String {
        var xml = XMLWriter()
        xml.element("OwnershipControls", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Rule") { xml in xml.element("ObjectOwnership", ownership.rawValue) }
        }
        return xml.result
    }
}

extension S3Service {
    /// [GetBucketOwnershipControls](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketOwnershipControls.html).
    func getBucketOwnershipControls(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:GetBucketOwnershipControls", [Self.bucketArn(name)])
        let bucket = try await requireBucket(name)
        guard let ownership = ObjectOwnership.controls(bucket.configuration) else {
            throw S3AccessError.ownershipControlsNotFound(bucket: name)
        }
        return Self.xml(OwnershipXML.render(ownership))
    }

    /// [PutBucketOwnershipControls](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html):
    /// `BucketOwnerEnforced` is refused while the bucket ACL grants anyone but the owner.
    func putBucketOwnershipControls(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutBucketOwnershipControls", [Self.bucketArn(name)])
        let body = try await RequestBodyReader(request: request).collect()
        _ = try await requireBucket(name)
        let ownership = try OwnershipXML.parse(body)
        let updated = try await store.checkedUpdateConfiguration(name) { configuration in
            if ownership == .bucketOwnerEnforced, let acl = configuration.acl, !acl.isOwnerFullControlOnly {
                throw S3AccessError.invalidBucketAclWithObjectOwnership
            }
            configuration.objectOwnership = ownership.rawValue
            if ownership == .bucketOwnerEnforced { configuration.acl = nil }
        }
        guard updated != nil else { throw S3Error.noSuchBucket(name) }
        return Self.empty()
    }

    /// [DeleteBucketOwnershipControls](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketOwnershipControls.html):
    /// the bucket then acts as `ObjectWriter` (ACLs enabled).
    func deleteBucketOwnershipControls(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutBucketOwnershipControls", [Self.bucketArn(name)])
        let updated = try await store.updateConfiguration(name) { $0.objectOwnership = ObjectOwnership.deleted }
        guard updated != nil else { throw S3Error.noSuchBucket(name) }
        return Self.empty(.noContent)
    }
}

extension BucketConfiguration {
    /// The configuration a template's `AWS::S3::Bucket` declares, with its access settings: `OwnershipControls`
    /// (default `BucketOwnerEnforced`), `AccessControl` (a canned ACL; ignored while ACLs are disabled, as
    /// CloudFormation would fail to apply it) and the policy of an `AWS::S3::BucketPolicy` naming it.
    /// - Parameters:
    ///   - spec: The bucket spec.
    ///   - ownerId: The account's canonical user id.
    /// - Returns: The configuration.
    package static func from(spec: S3BucketSpec, ownerId: String) -> BucketConfiguration {
        var configuration = from(spec: spec)
        if let ownership = spec.objectOwnership.flatMap(ObjectOwnership.init(rawValue:)) {
            configuration.objectOwnership = ownership.rawValue
        }
        let cannedNames: [String: CannedACL] = [
            "Private": .private, "PublicRead": .publicRead, "PublicReadWrite": .publicReadWrite, "AuthenticatedRead": .authenticatedRead,
            "LogDeliveryWrite": .logDeliveryWrite, "BucketOwnerRead": .bucketOwnerRead, "BucketOwnerFullControl": .bucketOwnerFullControl,
            "AwsExecRead": .awsExecRead,
        ]
        if let canned = spec.accessControl.flatMap({ cannedNames[$0] }), ObjectOwnership.effective(configuration).aclsEnabled {
            let acl = canned.expand(ownerId: ownerId)
            configuration.acl = acl.isOwnerFullControlOnly ? nil : acl
        }
        configuration.policy = spec.policy
        return configuration
    }
}
