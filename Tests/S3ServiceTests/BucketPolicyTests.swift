import Foundation
import IAM
import Testing

@testable import S3Service

/// Bucket policies: PutBucketPolicy's validation texts, the "public" rule of Block Public Access, and the verdict
/// for one request.
@Suite struct BucketPolicyTests {
    static func policy(_ statement: String) -> String {
        #"{"Version":"2012-10-17","Statement":[\#(statement)]}"#
    }

    static let publicRead = policy(#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)

    func reason(_ text: String) -> String? {
        do {
            _ = try BucketPolicy.validate(text, bucket: "b")
            return nil
        } catch {
            return error.message
        }
    }

    @Test func validationFailuresAreMalformedPolicyWithS3sReason() {
        #expect(reason("nope") == "Policies must be valid JSON and the first byte must be '{'")
        #expect(reason("{\"Statement\": [") == "This policy contains invalid Json")
        #expect(reason(#"{"Version":"2012-10-17"}"#) == "Missing required field Statement")
        #expect(
            reason(Self.policy(#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)) == "Missing required field Principal"
        )
        #expect(
            reason(Self.policy(#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}"#))
                == "Policy has invalid resource"
        )
        #expect(
            reason(Self.policy(#"{"Effect":"Allow","Principal":{"AWS":"nobody"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#))
                == "Invalid principal in policy"
        )
        #expect(
            reason(Self.policy(#"{"Effect":"Allow","Principal":"*","Action":"dynamodb:GetItem","Resource":"arn:aws:s3:::b/*"}"#))
                == "Policy has invalid action"
        )
        #expect(
            reason(Self.policy(#"{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b"}"#))
                == "Action does not apply to any resource(s) in statement"
        )
        #expect(
            reason(Self.policy(#"{"Effect":"Allow","Principal":"*","Action":["s3:PutObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b"}"#)) == nil
        )
        #expect(reason(Self.policy(#"{"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"arn:aws:s3:::b"}"#)) == nil)
        #expect(reason(Self.publicRead) == nil)
        #expect(reason(String(repeating: " ", count: 20 * 1024) + Self.publicRead) == "Policies must not exceed 20480 bytes")
    }

    @Test func publicMeansAWildcardPrincipalNotPinnedToFixedValues() throws {
        func isPublic(_ text: String) throws -> Bool { BucketPolicy.isPublic(try BucketPolicy.validate(text, bucket: "b")) }
        #expect(try isPublic(Self.publicRead))
        #expect(try isPublic(Self.policy(#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::b"}"#)))
        #expect(
            try !isPublic(
                Self.policy(#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#)
            )
        )
        #expect(try !isPublic(Self.policy(#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#)))
        let pinned = #"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":"#
        #expect(try !isPublic(Self.policy(pinned + #"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}"#)))
        #expect(try isPublic(Self.policy(pinned + #"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}"#)))
        #expect(try !isPublic(Self.policy(pinned + #"{"StringEquals":{"aws:SourceAccount":"000000000000"}}}"#)))
        #expect(try isPublic(Self.policy(pinned + #"{"StringLike":{"aws:SourceAccount":"0000*"}}}"#)))
        #expect(try isPublic(Self.policy(pinned + #"{"Bool":{"aws:SecureTransport":"true"}}}"#)))
    }

    @Test func verdictsFollowStatementsAndRestrictPublicBuckets() throws {
        let document = try BucketPolicy.validate(
            Self.policy(
                #"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},"#
                    + #"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#
            ),
            bucket: "b"
        )
        let plain: [String: ContextValue] = ["aws:SecureTransport": "false"]
        let tls: [String: ContextValue] = ["aws:SecureTransport": "true"]
        func verdict(_ principal: String?, _ context: [String: ContextValue], restrict: Bool = false) -> Decision {
            BucketPolicy.verdict(
                document,
                principalArn: principal,
                action: "s3:GetObject",
                resource: "arn:aws:s3:::b/k",
                context: context,
                restrictPublic: restrict
            )
        }
        #expect(verdict(nil, tls).isAllowed)
        #expect(!verdict(nil, tls, restrict: true).isAllowed)
        #expect(verdict("arn:aws:iam::000000000000:root", tls, restrict: true).isAllowed)
        if case .explicitDeny = verdict(nil, plain) {} else { Issue.record("the SecureTransport deny did not apply") }
    }
}
