import AWSGateway
import Foundation
import IAM
import Identity

/// How S3 authorizes a request beside the caller's identity-based policies
/// ([how Amazon S3 authorizes a request](https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html)):
/// the bucket policy (a resource-based policy, through the IAM evaluator) and, when the bucket's Object Ownership
/// enables them, the bucket and object ACLs. Within the one account an explicit deny anywhere wins, else an allow
/// from the identity, the bucket policy or an ACL grant allows. Anonymous callers have no identity: only the
/// policy and public ACL grants admit them, within what the bucket's public access block leaves.
///
/// Requests to buckets with neither a policy nor enabled ACLs take the identity-only path, with no extra work.
enum ACLAuthorization {
    /// Where an action's ACL permission is looked up.
    enum Scope {
        /// The bucket ACL.
        case bucket(ACLPermission)
        /// The object (version) ACL.
        case object(ACLPermission)
    }

    /// Which version of the object an action reads (for its ACL and whether it exists).
    enum ObjectVersion: Equatable {
        /// The version the request's `?versionId=` names, else the latest.
        case requested
        /// The version a header names (the copy source's `?versionId=` of `x-amz-copy-source`), nil for the latest.
        case named(String?)
    }

    /// The ACL permission that grants an action
    /// ([ACL permissions and access policy permissions](https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#acl-access-policy-permission-mapping)).
    /// - Parameter action: The IAM action.
    /// - Returns: The scope and permission, or nil when no ACL grants the action.
    static func scope(of action: String) -> Scope? {
        switch action {
        case "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads": .bucket(.read)
        case "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion": .bucket(.write)
        case "s3:GetBucketAcl": .bucket(.readACP)
        case "s3:PutBucketAcl": .bucket(.writeACP)
        case "s3:GetObject", "s3:GetObjectVersion": .object(.read)
        case "s3:GetObjectAcl", "s3:GetObjectVersionAcl": .object(.readACP)
        case "s3:PutObjectAcl", "s3:PutObjectVersionAcl": .object(.writeACP)
        default: nil
        }
    }

    /// The bucket and key an S3 resource ARN names.
    /// - Parameter arn: `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`.
    /// - Returns: The bucket and the key (nil for the bucket itself), or nil for other ARNs.
    static func target(of arn: String) -> (bucket: String, key: String?)? {
        let prefix = "arn:aws:s3:::"
        guard arn.hasPrefix(prefix) else { return nil }
        let rest = arn.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return rest.isEmpty ? nil : (String(rest), nil) }
        return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
    }
}

extension S3Service {
    /// Authorizes an S3 action: the identity-based policies (through the authorization hook), the bucket policy
    /// and the ACLs, as ``ACLAuthorization`` describes.
    /// - Parameters:
    ///   - request: The request.
    ///   - action: The IAM action.
    ///   - resources: The resource ARNs (the first names the bucket whose policy and ACL apply).
    ///   - context: The S3 condition keys of the request.
    ///   - signer: The caller when it is not the request's (a browser POST upload is signed by its form).
    ///   - version: The object version the action reads: the request's `?versionId=` unless the action is on a copy
    ///     source, whose version `x-amz-copy-source` names.
    /// - Throws: `AccessDenied` (and `NoSuchBucket` for anonymous requests to a bucket that does not exist).
    func authorizeAccess(
        _ request: AWSRequest,
        _ action: String,
        _ resources: [String],
        context: () -> [String: [String]],
        signer: Caller? = nil,
        version: ACLAuthorization.ObjectVersion = .requested
    ) async throws {
        let caller = signer ?? request.caller
        guard let target = resources.first.flatMap(ACLAuthorization.target(of:)), let bucket = try await store.bucket(target.bucket) else {
            if caller.isAnonymous {
                if let name = resources.first.flatMap(ACLAuthorization.target(of:))?.bucket { throw S3Error.noSuchBucket(name) }
                throw S3Error.accessDenied()
            }
            try await authorizer.require(caller, action: action, resources: resources, context: context(), denied: S3Error.accessDenied)
            return
        }
        let configuration = bucket.configuration
        let ownership = ObjectOwnership.effective(configuration)
        let policy = configuration.policy.flatMap(BucketPolicy.document)
        // Signed callers whose decisions ignore condition keys (the administrator) are allowed by identity anyway:
        // ACLs cannot add to that, only a policy's deny can take away.
        let aclsMatter = ownership.aclsEnabled && (caller.isAnonymous || authorizer.usesConditionKeys(for: caller))
        guard caller.isAnonymous || policy != nil || aclsMatter else {
            try await authorizer.require(caller, action: action, resources: resources, context: context(), denied: S3Error.accessDenied)
            return
        }
        let keys = context()
        let block = configuration.publicAccessBlock
        var verdict = ResourcePolicyVerdict.none
        // The account root can always read, change and delete the bucket policy, whatever the policy says.
        let rootManagesPolicy =
            ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"].contains(action)
            && caller.principalArn == "arn:aws:iam::\(environment.current.accountId):root"
        if let policy, !rootManagesPolicy {
            var policyContext = AuthorizationRequest.globalContext(
                principalArn: caller.principalArn ?? "anonymous",
                sourceIp: "127.0.0.1",
                secureTransport: request.head.scheme == "https",
                now: clock.now
            )
            if caller.isAnonymous {
                policyContext["aws:PrincipalArn"] = nil
                policyContext["aws:PrincipalAccount"] = nil
            }
            for (key, values) in keys { policyContext[key] = values.count == 1 ? .single(values[0]) : .multiple(values) }
            let resource = resources[0]
            let restrict = block?.restrictPublicBuckets == true && BucketPolicy.isPublic(policy)
            let principal = caller.isAnonymous ? nil : caller.principalArn
            switch BucketPolicy.verdict(
                policy,
                principalArn: principal,
                action: action,
                resource: resource,
                context: policyContext,
                restrictPublic: restrict
            ) {
            case .explicitDeny:
                let message =
                    caller.isAnonymous
                    ? "Access Denied"
                    : BucketPolicy.explicitDenyMessage(principalArn: caller.principalArn ?? "", action: action, resource: resource)
                verdict = .explicitDeny(message: message)
            case .allow: verdict = .allow
            case .implicitDeny: break
            }
        }
        if verdict == .none, aclsMatter, let scope = ACLAuthorization.scope(of: action) {
            let grantees: [ACLGrantee] =
                caller.isAnonymous
                ? [.group(uri: ACLGrantee.allUsers)] : [.group(uri: ACLGrantee.allUsers), .group(uri: ACLGrantee.authenticatedUsers)]
            let ignorePublic = block?.ignorePublicAcls == true
            let ownerId = Self.canonicalUserId(environment.current.accountId)
            switch scope {
            case .bucket(let permission):
                let acl = configuration.acl ?? .ownerFullControl(ownerId)
                if acl.allows(permission, to: grantees, ignorePublic: ignorePublic) { verdict = .allow }
            case .object(let permission):
                if let key = target.key, let record = try await aclTarget(request, bucket: target.bucket, key: key, version: version) {
                    let acl = record.acl ?? .ownerFullControl(ownerId)
                    if acl.allows(permission, to: grantees, ignorePublic: ignorePublic) { verdict = .allow }
                }
            }
        }
        if caller.isAnonymous {
            // A missing object is reported (404) only to callers that may list the bucket, as S3 does; others get 403.
            if case .explicitDeny = verdict { throw S3Error.accessDenied() }
            if action == "s3:GetObject" || action == "s3:GetObjectVersion", let key = target.key,
                try await aclTarget(request, bucket: target.bucket, key: key, version: version) == nil
            {
                try await authorizeAccess(request, "s3:ListBucket", [Self.bucketArn(target.bucket)], context: { [:] }, signer: caller)
                return
            }
            guard verdict == .allow else { throw S3Error.accessDenied() }
            return
        }
        try await authorizer.require(
            caller,
            action: action,
            resources: resources,
            context: keys,
            resourceVerdict: verdict,
            denied: S3Error.accessDenied
        )
    }

    /// The object version an action reads (the request's `?versionId=` or the copy source's, else the latest), for
    /// its ACL; nil when there is none or it is a delete marker.
    private func aclTarget(
        _ request: AWSRequest,
        bucket: String,
        key: String,
        version: ACLAuthorization.ObjectVersion
    ) async throws
        -> ObjectRecord?
    {
        let versionId =
            switch version {
            case .requested: request.queryItems.first { $0.name == "versionId" }?.value
            case .named(let named): named
            }
        let row =
            if let versionId, S3VersionID.isWellFormed(versionId) {
                try await store.version(bucket: bucket, key: key, versionId: versionId)
            } else {
                try await store.object(bucket: bucket, key: key)
            }
        guard let row, !row.isDeleteMarker else { return nil }
        return row
    }

    // MARK: ACLs on writes

    /// The ACL a write asks for with `x-amz-acl` / `x-amz-grant-*` (CreateBucket, PutObject, CopyObject,
    /// CreateMultipartUpload; the `acl` field of a POST upload), checked against the bucket's Object Ownership and
    /// public access block; nil when the request names none (no work beyond six header look-ups).
    /// - Parameters:
    ///   - header: Looks a header (or form field) up by lower-case name.
    ///   - bucket: The bucket written to.
    ///   - region: The region.
    ///   - method: The HTTP method.
    /// - Returns: The ACL to store, or nil.
    /// - Throws: The header errors of ``ACLCodec/fromHeaders(_:ownerId:region:resourceType:method:)``,
    ///   `AccessControlListNotSupported` when ACLs are disabled, `AccessDenied` when public ACLs are blocked.
    func requestedObjectACL(_ header: (String) -> String?, bucket: BucketRecord, region: String, method: String) throws -> AccessControlList? {
        guard ACLCodec.hasACLHeaders(header) else { return nil }
        let ownerId = Self.canonicalUserId(environment.current.accountId)
        guard let acl = try ACLCodec.fromHeaders(header, ownerId: ownerId, region: region, resourceType: "OBJECT", method: method) else {
            return nil
        }
        try Self.checkSettable(acl, bucket: bucket.configuration)
        return acl.isOwnerFullControlOnly ? nil : acl
    }

    /// Refuses an ACL the bucket does not take: any ACL beyond the owner's full control when ACLs are disabled,
    /// a public ACL when `BlockPublicAcls` is on.
    static func checkSettable(_ acl: AccessControlList, bucket configuration: BucketConfiguration) throws {
        if !ObjectOwnership.effective(configuration).aclsEnabled && !acl.isOwnerFullControlOnly { throw S3AccessError.aclNotSupported }
        if acl.isPublic && configuration.publicAccessBlock?.blockPublicAcls == true { throw S3Error.accessDenied() }
    }

    /// The Object Ownership and ACL a CreateBucket request asks for.
    /// - Parameter request: The request.
    /// - Returns: The ownership (default `BucketOwnerEnforced`) and the ACL (nil: the owner's full control).
    /// - Throws: `InvalidArgument` for an unknown `x-amz-object-ownership`, the ACL header errors,
    ///   `InvalidBucketAclWithObjectOwnership` for a granting ACL with `BucketOwnerEnforced`,
    ///   `InvalidBucketAclWithBlockPublicAccessError` for a public ACL (new buckets block public access).
    func requestedBucketAccess(_ request: AWSRequest) throws -> (ownership: ObjectOwnership, acl: AccessControlList?) {
        var ownership = ObjectOwnership.bucketOwnerEnforced
        if let value = request.header("x-amz-object-ownership") {
            guard let parsed = ObjectOwnership(rawValue: value) else {
                throw S3Error.invalidArgument(message: ACLMessages.invalidOwnershipHeader(value), name: "x-amz-object-ownership", value: value)
            }
            ownership = parsed
        }
        let header: (String) -> String? = { request.header($0) }
        guard ACLCodec.hasACLHeaders(header) else { return (ownership, nil) }
        let ownerId = Self.canonicalUserId(environment.current.accountId)
        guard
            let acl = try ACLCodec.fromHeaders(header, ownerId: ownerId, region: request.region, resourceType: "BUCKET", method: "PUT"),
            !acl.isOwnerFullControlOnly
        else { return (ownership, nil) }
        if !ownership.aclsEnabled { throw S3AccessError.invalidBucketAclWithObjectOwnership }
        if acl.isPublic { throw S3AccessError.invalidBucketAclWithBlockPublicAccess }
        return (ownership, acl)
    }
}
