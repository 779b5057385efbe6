import Foundation
import Testing

@testable import S3Service

/// ACLs as data: canned ACL expansion, the grant headers, the `AccessControlPolicy` XML both ways.
@Suite struct AclTests {
    static let owner = String(repeating: "ab", count: 32)
    static let other = String(repeating: "0f", count: 32)

    func headers(_ fields: [String: String]) -> (String) -> String? { { fields[$0] } }

    func s3Error(_ body: () throws -> Void) -> S3Error? {
        do {
            try body()
            return nil
        } catch {
            return error as? S3Error
        }
    }

    @Test func cannedACLsExpandAsS3Documents() throws {
        let allUsers = ACLGrantee.group(uri: ACLGrantee.allUsers)
        let expected: [CannedACL: [ACLGrant]] = [
            .private: [],
            .publicRead: [ACLGrant(allUsers, .read)],
            .publicReadWrite: [ACLGrant(allUsers, .read), ACLGrant(allUsers, .write)],
            .authenticatedRead: [ACLGrant(.group(uri: ACLGrantee.authenticatedUsers), .read)],
            .awsExecRead: [ACLGrant(.canonicalUser(id: ACLGrantee.ec2CanonicalUser), .read)],
            .bucketOwnerRead: [],
            .bucketOwnerFullControl: [],
            .logDeliveryWrite: [ACLGrant(.group(uri: ACLGrantee.logDelivery), .write), ACLGrant(.group(uri: ACLGrantee.logDelivery), .readACP)],
        ]
        for canned in CannedACL.allCases {
            let acl = canned.expand(ownerId: Self.owner)
            #expect(acl.grants == [ACLGrant(.canonicalUser(id: Self.owner), .fullControl)] + (expected[canned] ?? []), "\(canned)")
            #expect(acl.isOwnerFullControlOnly == (expected[canned] ?? []).isEmpty, "\(canned)")
        }
        #expect(CannedACL.publicRead.expand(ownerId: Self.owner).isPublic)
        #expect(!CannedACL.logDeliveryWrite.expand(ownerId: Self.owner).isPublic)
    }

    @Test func grantHeadersParseEveryGranteeForm() throws {
        let acl = try ACLCodec.fromHeaders(
            headers([
                "x-amz-grant-read": "uri=\"\(ACLGrantee.allUsers)\", id=\"\(Self.other)\"",
                "x-amz-grant-write-acp": "id=\(Self.owner)",
            ]),
            ownerId: Self.owner,
            region: "us-east-1",
            resourceType: "OBJECT",
            method: "PUT"
        )
        #expect(
            acl?.grants == [
                ACLGrant(.group(uri: ACLGrantee.allUsers), .read), ACLGrant(.canonicalUser(id: Self.other), .read),
                ACLGrant(.canonicalUser(id: Self.owner), .writeACP),
            ]
        )
        #expect(try ACLCodec.fromHeaders(headers([:]), ownerId: Self.owner, region: "us-east-1", resourceType: "OBJECT", method: "PUT") == nil)
    }

    @Test func headerErrorsAreWordedAsS3WordsThem() throws {
        func failure(_ fields: [String: String], region: String = "us-east-1") -> S3Error? {
            s3Error { _ = try ACLCodec.fromHeaders(headers(fields), ownerId: Self.owner, region: region, resourceType: "OBJECT", method: "PUT") }
        }
        #expect(failure(["x-amz-acl": "privatee"]) == .invalidArgument(message: "", name: "x-amz-acl", value: "privatee"))
        #expect(
            failure(["x-amz-acl": "private", "x-amz-grant-read": "id=\(Self.owner)"])
                == .invalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
        )
        #expect(
            failure(["x-amz-grant-full-control": "fdjklasaj"])
                == .invalidArgument(message: "Argument format not recognized", name: "x-amz-grant-full-control", value: "fdjklasaj")
        )
        #expect(failure(["x-amz-grant-read": "id=0123"]) == .invalidArgument(message: "Invalid id", name: "id", value: "0123"))
        #expect(failure(["x-amz-grant-read": "emailAddress=a@example.com"]) == .methodNotAllowed(method: "PUT", resourceType: "OBJECT"))
        do {
            _ = try ACLCodec.fromHeaders(
                headers(["x-amz-grant-read": "emailAddress=a@example.com"]),
                ownerId: Self.owner,
                region: "eu-central-1",
                resourceType: "OBJECT",
                method: "PUT"
            )
            Issue.record("an e-mail grantee was accepted")
        } catch let error as S3AccessError {
            #expect(error.code == "UnresolvableGrantByEmailAddress")
            #expect(error.message == "The e-mail address you provided does not match any account on record.")
        }
    }

    @Test func accessControlPolicyRoundTrips() throws {
        let acl = AccessControlList(
            ownerId: Self.owner,
            grants: [
                ACLGrant(.canonicalUser(id: Self.owner), .fullControl), ACLGrant(.group(uri: ACLGrantee.allUsers), .read),
                ACLGrant(.group(uri: ACLGrantee.logDelivery), .write),
            ]
        )
        let xml = ACLCodec.render(acl)
        #expect(xml.contains("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">"))
        #expect(xml.contains("<Owner><ID>\(Self.owner)</ID></Owner>"))
        #expect(!xml.contains("DisplayName"))
        #expect(try ACLCodec.parsePolicy(Data(xml.utf8), region: "us-east-1", resourceType: "BUCKET") == acl)
    }

    @Test func malformedPoliciesAreMalformedACLError() throws {
        let bodies = [
            "<NotAPolicy/>",
            "not xml",
            "<AccessControlPolicy><AccessControlList/></AccessControlPolicy>",
            "<AccessControlPolicy><Owner><ID>\(Self.owner)</ID></Owner><AccessControlList><Grant><Grantee><ID>\(Self.owner)</ID></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>",
        ]
        for body in bodies {
            #expect(throws: S3AccessError.malformedACL, "\(body)") {
                try ACLCodec.parsePolicy(Data(body.utf8), region: "us-east-1", resourceType: "BUCKET")
            }
        }
        let badId =
            "<AccessControlPolicy><Owner><ID>\(Self.owner)</ID></Owner><AccessControlList><Grant><Grantee><ID>nope</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"
        #expect(throws: S3Error.invalidArgument(message: "Invalid id", name: "CanonicalUser/ID", value: "nope")) {
            try ACLCodec.parsePolicy(Data(badId.utf8), region: "us-east-1", resourceType: "BUCKET")
        }
    }

    @Test func grantsAllowByPermissionAndHonourIgnorePublicAcls() {
        let acl = CannedACL.publicRead.expand(ownerId: Self.owner)
        let anonymous = [ACLGrantee.group(uri: ACLGrantee.allUsers)]
        #expect(acl.allows(.read, to: anonymous, ignorePublic: false))
        #expect(!acl.allows(.read, to: anonymous, ignorePublic: true))
        #expect(!acl.allows(.write, to: anonymous, ignorePublic: false))
        #expect(acl.allows(.writeACP, to: [.canonicalUser(id: Self.owner)], ignorePublic: true))
    }

    @Test func anObjectWithoutAStoredACLReadsAsOwnerFullControl() {
        #expect(AccessControlList.ownerFullControl(Self.owner).isOwnerFullControlOnly)
        #expect(ACLAuthorization.target(of: "arn:aws:s3:::b/k/x")?.bucket == "b")
        #expect(ACLAuthorization.target(of: "arn:aws:s3:::b/k/x")?.key == "k/x")
        #expect(ACLAuthorization.target(of: "arn:aws:s3:::b")?.key == .some(nil))
        #expect(ACLAuthorization.target(of: "arn:aws:dynamodb:us-east-1:000000000000:table/t") == nil)
    }
}
