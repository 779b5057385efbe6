import AWSGateway
import Foundation

/// One permission an ACL grant gives
/// ([ACL overview](https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#permissions)).
package enum ACLPermission: String, Codable, Sendable, Hashable, CaseIterable {
    /// Every permission below.
    case fullControl = "FULL_CONTROL"
    /// Bucket: create, overwrite and delete objects.
    case write = "WRITE"
    /// Write the ACL.
    case writeACP = "WRITE_ACP"
    /// Bucket: list objects; object: read data and metadata.
    case read = "READ"
    /// Read the ACL.
    case readACP = "READ_ACP"
}

/// Who an ACL grant names.
package enum ACLGrantee: Codable, Sendable, Hashable {
    /// An AWS account by canonical user id.
    case canonicalUser(id: String)
    /// A predefined group by URI.
    case group(uri: String)
    /// An account by e-mail address (never resolvable here).
    case email(String)

    /// `http://acs.amazonaws.com/groups/global/AllUsers`: anyone, signed or not.
    package static let allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
    /// `http://acs.amazonaws.com/groups/global/AuthenticatedUsers`: any signed request.
    package static let authenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
    /// `http://acs.amazonaws.com/groups/s3/LogDelivery`: server access logging.
    package static let logDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery"
    /// The three group URIs S3 knows.
    package static let groups: Set<String> = [allUsers, authenticatedUsers, logDelivery]
    /// The canonical user `aws-exec-read` grants READ to (Amazon EC2).
    package static let ec2CanonicalUser = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"

    /// Whether the grantee makes a grant public (AllUsers or AuthenticatedUsers), as Block Public Access judges ACLs.
    package var isPublic: Bool {
        if case .group(let uri) = self { return uri == Self.allUsers || uri == Self.authenticatedUsers }
        return false
    }
}

/// One grant of an ACL.
package struct ACLGrant: Codable, Sendable, Hashable {
    /// Who.
    package var grantee: ACLGrantee
    /// What.
    package var permission: ACLPermission

    /// Creates a grant.
    package init(_ grantee: ACLGrantee, _ permission: ACLPermission) {
        self.grantee = grantee
        self.permission = permission
    }
}

/// An access control list: the owner and its grants, as stored with a bucket or an object version.
package struct AccessControlList: Codable, Sendable, Hashable {
    /// The owner's canonical user id.
    package var ownerId: String
    /// The grants, in the order they were given.
    package var grants: [ACLGrant]

    /// Creates an ACL.
    package init(ownerId: String, grants: [ACLGrant]) {
        self.ownerId = ownerId
        self.grants = grants
    }

    /// The default ACL: the owner has FULL_CONTROL (what an object or bucket without a stored ACL has).
    /// - Parameter ownerId: The owner's canonical user id.
    /// - Returns: The ACL.
    package static func ownerFullControl(_ ownerId: String) -> AccessControlList {
        AccessControlList(ownerId: ownerId, grants: [ACLGrant(.canonicalUser(id: ownerId), .fullControl)])
    }

    /// Whether the ACL gives nothing beyond the owner's full control (what a bucket with ACLs disabled accepts).
    package var isOwnerFullControlOnly: Bool {
        grants.allSatisfy { $0.grantee == .canonicalUser(id: ownerId) && $0.permission == .fullControl }
            && grants.contains { $0.grantee == .canonicalUser(id: ownerId) }
    }

    /// Whether some grant is to AllUsers or AuthenticatedUsers.
    package var isPublic: Bool { grants.contains { $0.grantee.isPublic } }

    /// Whether the grants give a permission to a grantee (FULL_CONTROL implies every permission).
    /// - Parameters:
    ///   - permission: The permission.
    ///   - grantees: The grantees the caller counts as.
    ///   - ignorePublic: Skip grants to AllUsers and AuthenticatedUsers (`IgnorePublicAcls`).
    /// - Returns: Whether the ACL allows it.
    package func allows(_ permission: ACLPermission, to grantees: [ACLGrantee], ignorePublic: Bool) -> Bool {
        grants.contains { grant in
            guard grant.permission == permission || grant.permission == .fullControl else { return false }
            if ignorePublic && grant.grantee.isPublic { return false }
            return grantees.contains(grant.grantee)
        }
    }
}

/// The canned ACLs of `x-amz-acl`
/// ([canned ACL](https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl)).
package enum CannedACL: String, Sendable, CaseIterable {
    /// Owner FULL_CONTROL.
    case `private` = "private"
    /// Owner FULL_CONTROL, AllUsers READ.
    case publicRead = "public-read"
    /// Owner FULL_CONTROL, AllUsers READ and WRITE.
    case publicReadWrite = "public-read-write"
    /// Owner FULL_CONTROL, AuthenticatedUsers READ.
    case authenticatedRead = "authenticated-read"
    /// Owner FULL_CONTROL, Amazon EC2 READ.
    case awsExecRead = "aws-exec-read"
    /// Object owner FULL_CONTROL, bucket owner READ.
    case bucketOwnerRead = "bucket-owner-read"
    /// Object owner and bucket owner FULL_CONTROL.
    case bucketOwnerFullControl = "bucket-owner-full-control"
    /// Owner FULL_CONTROL, LogDelivery WRITE and READ_ACP.
    case logDeliveryWrite = "log-delivery-write"

    /// The grants the canned ACL expands to. In one account the object owner and the bucket owner are the same
    /// canonical user, so `bucket-owner-read` and `bucket-owner-full-control` come to the owner's full control.
    /// - Parameter ownerId: The owner's canonical user id.
    /// - Returns: The ACL.
    package func expand(ownerId: String) -> AccessControlList {
        var grants = [ACLGrant(.canonicalUser(id: ownerId), .fullControl)]
        switch self {
        case .private, .bucketOwnerRead, .bucketOwnerFullControl: break
        case .publicRead: grants.append(ACLGrant(.group(uri: ACLGrantee.allUsers), .read))
        case .publicReadWrite:
            grants.append(ACLGrant(.group(uri: ACLGrantee.allUsers), .read))
            grants.append(ACLGrant(.group(uri: ACLGrantee.allUsers), .write))
        case .authenticatedRead: grants.append(ACLGrant(.group(uri: ACLGrantee.authenticatedUsers), .read))
        case .awsExecRead: grants.append(ACLGrant(.canonicalUser(id: ACLGrantee.ec2CanonicalUser), .read))
        case .logDeliveryWrite:
            grants.append(ACLGrant(.group(uri: ACLGrantee.logDelivery), .write))
            grants.append(ACLGrant(.group(uri: ACLGrantee.logDelivery), .readACP))
        }
        return AccessControlList(ownerId: ownerId, grants: grants)
    }
}

/// Parses and renders ACLs: the `x-amz-acl` / `x-amz-grant-*` headers and the `AccessControlPolicy` XML.
package enum ACLCodec {
    /// The grant headers and the permission each gives.
    package static let grantHeaders: [(name: String, permission: ACLPermission)] = [
        ("x-amz-grant-full-control", .fullControl), ("x-amz-grant-read", .read), ("x-amz-grant-read-acp", .readACP),
        ("x-amz-grant-write", .write), ("x-amz-grant-write-acp", .writeACP),
    ]

    /// Whether a request carries any ACL header (`x-amz-acl` or `x-amz-grant-*`).
    /// - Parameter header: Looks a header up by lower-case name.
    /// - Returns: Whether one is present.
    package static func hasACLHeaders(_ header: (String) -> String?) -> Bool {
        header("x-amz-acl") != nil || grantHeaders.contains { header($0.name) != nil }
    }

    /// The ACL the request headers ask for, or nil when they name none.
    /// - Parameters:
    ///   - header: Looks a header up by lower-case name.
    ///   - ownerId: The owner's canonical user id.
    ///   - region: The region (e-mail grantees are refused as that region refuses them).
    ///   - resourceType: `BUCKET` or `OBJECT`, for the e-mail refusal.
    ///   - method: The HTTP method, for the e-mail refusal.
    /// - Returns: The ACL, or nil.
    /// - Throws: `InvalidArgument` for an unknown canned ACL or a malformed grant, `InvalidRequest` when both
    ///   kinds of header are given, and the e-mail grantee refusal.
    package static func fromHeaders(
        _ header: (String) -> String?,
        ownerId: String,
        region: String,
        resourceType: String,
        method: String
    ) throws -> AccessControlList? {
        let canned = header("x-amz-acl")
        let grants = grantHeaders.compactMap { entry in header(entry.name).map { (entry.name, entry.permission, $0) } }
        if canned != nil && !grants.isEmpty { throw S3Error.invalidRequest(ACLMessages.cannedAndGrants) }
        if let canned {
            guard let value = CannedACL(rawValue: canned) else { throw S3Error.invalidArgument(message: "", name: "x-amz-acl", value: canned) }
            return value.expand(ownerId: ownerId)
        }
        guard !grants.isEmpty else { return nil }
        var list = AccessControlList(ownerId: ownerId, grants: [])
        for (name, permission, value) in grants {
            for grantee in try parseGrantees(value, header: name) {
                try validate(grantee, region: region, resourceType: resourceType, method: method, idArgument: "id", uriArgument: "uri")
                list.grants.append(ACLGrant(grantee, permission))
            }
        }
        return list
    }

    /// Parses the value of one `x-amz-grant-*` header: comma-separated `id="..."`, `uri="..."` or
    /// `emailAddress="..."` entries (quotes optional).
    /// - Parameters:
    ///   - value: The header value.
    ///   - header: The header name, for the error.
    /// - Returns: The grantees.
    /// - Throws: `InvalidArgument` "Argument format not recognized".
    package static func parseGrantees(_ value: String, header: String) throws(S3Error) -> [ACLGrantee] {
        let unrecognised = S3Error.invalidArgument(message: ACLMessages.argumentFormat, name: header, value: value)
        var grantees: [ACLGrantee] = []
        for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw unrecognised }
            let key = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            var text = parts[1].trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
            guard !text.isEmpty else { throw unrecognised }
            switch key {
            case "id": grantees.append(.canonicalUser(id: text))
            case "uri": grantees.append(.group(uri: text))
            case "emailaddress": grantees.append(.email(text))
            default: throw unrecognised
            }
        }
        return grantees
    }

    /// Whether a canonical user id has the form S3 issues (64 lower-case hexadecimal digits).
    package static func isCanonicalId(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The regions where S3 stopped accepting e-mail grantees on 1 October 2025 (405 Method Not Allowed); the
    /// other regions never resolved e-mail addresses.
    static let emailRefusingRegions: Set<String> = [
        "us-east-1", "us-west-1", "us-west-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-west-1", "sa-east-1",
    ]

    private static func validate(
        _ grantee: ACLGrantee,
        region: String,
        resourceType: String,
        method: String,
        idArgument: String,
        uriArgument: String
    ) throws {
        switch grantee {
        case .canonicalUser(let id):
            guard isCanonicalId(id) else { throw S3Error.invalidArgument(message: ACLMessages.invalidId, name: idArgument, value: id) }
        case .group(let uri):
            guard ACLGrantee.groups.contains(uri) else {
                throw S3Error.invalidArgument(message: ACLMessages.invalidGroupURI, name: uriArgument, value: uri)
            }
        case .email(let address):
            if emailRefusingRegions.contains(region) { throw S3Error.methodNotAllowed(method: method, resourceType: resourceType) }
            throw S3AccessError.unresolvableGrantByEmail(address)
        }
    }

    /// Parses an `AccessControlPolicy` body (PutBucketAcl, PutObjectAcl).
    /// - Parameters:
    ///   - data: The XML.
    ///   - region: The region (e-mail grantees).
    ///   - resourceType: `BUCKET` or `OBJECT`.
    /// - Returns: The ACL.
    /// - Throws: `MalformedACLError` for XML that is not an access control policy, `InvalidArgument` for a bad
    ///   grantee id or group URI.
    package static func parsePolicy(_ data: Data, region: String, resourceType: String) throws -> AccessControlList {
        let root: XMLTree
        do { root = try XMLTree.parse(data) } catch { throw S3AccessError.malformedACL }
        guard root.name == "AccessControlPolicy", let owner = root.child("Owner"), let ownerId = owner.value("ID") else {
            throw S3AccessError.malformedACL
        }
        guard isCanonicalId(ownerId) else {
            throw S3Error.invalidArgument(message: ACLMessages.invalidId, name: "CanonicalUser/ID", value: ownerId)
        }
        var list = AccessControlList(ownerId: ownerId, grants: [])
        for grant in root.child("AccessControlList")?.all("Grant") ?? [] {
            guard let granteeNode = grant.child("Grantee"), let permissionText = grant.value("Permission"),
                let permission = ACLPermission(rawValue: permissionText)
            else { throw S3AccessError.malformedACL }
            let grantee: ACLGrantee
            if let id = granteeNode.value("ID") {
                grantee = .canonicalUser(id: id)
            } else if let uri = granteeNode.value("URI") {
                grantee = .group(uri: uri)
            } else if let address = granteeNode.value("EmailAddress") {
                grantee = .email(address)
            } else {
                throw S3AccessError.malformedACL
            }
            try validate(grantee, region: region, resourceType: resourceType, method: "PUT", idArgument: "CanonicalUser/ID", uriArgument: "Group/URI")
            list.grants.append(ACLGrant(grantee, permission))
        }
        return list
    }

    /// Renders an ACL as GetBucketAcl / GetObjectAcl answer it (no `DisplayName`: S3 stopped returning it in
    /// November 2025 in the regions that had it).
    /// - Parameter acl: The ACL.
    /// - Returns: The XML document.
    package static func render(_ acl: AccessControlList) -> String {
        var xml = XMLWriter()
        xml.element("AccessControlPolicy", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Owner") { xml in xml.element("ID", acl.ownerId) }
            xml.element("AccessControlList") { xml in
                for grant in acl.grants {
                    xml.element("Grant") { xml in
                        let type: String
                        switch grant.grantee {
                        case .canonicalUser: type = "CanonicalUser"
                        case .group: type = "Group"
                        case .email: type = "AmazonCustomerByEmail"
                        }
                        xml.element(
                            "Grantee",
                            attributes: [("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), ("xsi:type", type)]
                        ) { xml in
                            switch grant.grantee {
                            case .canonicalUser(let id): xml.element("ID", id)
                            case .group(let uri): xml.element("URI", uri)
                            case .email(let address): xml.element("EmailAddress", address)
                            }
                        }
                        xml.element("Permission", grant.permission.rawValue)
                    }
                }
            }
        }
        return xml.result
    }
}
