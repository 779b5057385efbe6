import Foundation
import GRDB
import Logging
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

/// Data folders from before ACLs were kept: objects read as the owner's full control, buckets as
/// `BucketOwnerEnforced`, and new ACLs are stored.
@Suite struct AclMigrationTests {
    @Test func aDataFolderFromBeforeACLsKeepsWorking() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("acl-migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            let queue = try DatabaseQueue(path: folder.appendingPathComponent("s3.sqlite").path)
            try S3Store.migrator.migrate(queue, upTo: "s3-v2-versions")
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO bucket (name, region, creationDate, configuration) VALUES ('old', 'us-east-1', '2026-01-01 00:00:00.000', ?)",
                    arguments: [#"{"notifications":[],"encryption":{"algorithm":"AES256","bucketKeyEnabled":false}}"#]
                )
                try db.execute(
                    sql: """
                        INSERT INTO object (bucket, key, blob, size, etag, headers, tags, lastModified, versionId, isLatest,
                            isDeleteMarker, sequence)
                        VALUES ('old', 'kept.txt', 'blob-old', 4, '"e"', ?, '[]', '2026-01-01 00:00:00.000', 'null', 1, 0, 1)
                        """,
                    arguments: [try StoredJSON.text(ObjectHeaders())]
                )
            }
        }
        let store = try S3Store(location: .directory(folder), logger: Logger(label: "test"))
        let row = try #require(try await store.object(bucket: "old", key: "kept.txt"))
        #expect(row.acl == nil)
        let bucket = try #require(try await store.bucket("old"))
        #expect(ObjectOwnership.effective(bucket.configuration) == .bucketOwnerEnforced)
        #expect(ObjectOwnership.controls(bucket.configuration) == .bucketOwnerEnforced)
        let acl = CannedACL.logDeliveryWrite.expand(ownerId: AclTests.owner)
        #expect(try await store.setACL(bucket: "old", key: "kept.txt", versionId: nil, acl: acl)?.acl == acl)
        #expect(try await store.object(bucket: "old", key: "kept.txt")?.acl == acl)
    }
}
