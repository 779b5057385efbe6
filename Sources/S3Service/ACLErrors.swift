import EmulatorCore

/// The S3 errors of access control (ACLs, Object Ownership, bucket policies) that ``S3Error`` has no case for,
/// worded as S3 sends them.
package enum S3AccessError: AWSServiceError, Equatable {
    /// `MalformedACLError` (400): an `AccessControlPolicy` body that is not one.
    case malformedACL
    /// `AccessControlListNotSupported` (400): an ACL on a bucket whose Object Ownership is `BucketOwnerEnforced`.
    case aclNotSupported
    /// `InvalidBucketAclWithObjectOwnership` (400): a bucket ACL granting others with `BucketOwnerEnforced`.
    case invalidBucketAclWithObjectOwnership
    /// `InvalidBucketAclWithBlockPublicAccessError` (400): a public ACL on CreateBucket while public ACLs are blocked.
    case invalidBucketAclWithBlockPublicAccess
    /// `MissingSecurityHeader` (400): PutBucketAcl/PutObjectAcl with neither headers nor body.
    case missingSecurityHeader
    /// `UnexpectedContent` (400): PutBucketAcl/PutObjectAcl with both headers and a body.
    case unexpectedContent
    /// `OwnershipControlsNotFoundError` (404).
    case ownershipControlsNotFound(bucket: String)
    /// `NoSuchBucketPolicy` (404).
    case noSuchBucketPolicy(bucket: String)
    /// `MalformedPolicy` (400) with S3's reason.
    case malformedPolicy(String)
    /// `UnresolvableGrantByEmailAddress` (400): an e-mail grantee no account has.
    case unresolvableGrantByEmail(String)

    /// The error code.
    package var code: String {
        switch self {
        case .malformedACL: "MalformedACLError"
        case .aclNotSupported: "AccessControlListNotSupported"
        case .invalidBucketAclWithObjectOwnership: "InvalidBucketAclWithObjectOwnership"
        case .invalidBucketAclWithBlockPublicAccess: "InvalidBucketAclWithBlockPublicAccessError"
        case .missingSecurityHeader: "MissingSecurityHeader"
        case .unexpectedContent: "UnexpectedContent"
        case .ownershipControlsNotFound: "OwnershipControlsNotFoundError"
        case .noSuchBucketPolicy: "NoSuchBucketPolicy"
        case .malformedPolicy: "MalformedPolicy"
        case .unresolvableGrantByEmail: "UnresolvableGrantByEmailAddress"
        }
    }

    /// The message.
    package var message: String {
        switch self {
        case .malformedACL: ACLMessages.malformedACL
        case .aclNotSupported: ACLMessages.aclNotSupported
        case .invalidBucketAclWithObjectOwnership: ACLMessages.invalidBucketAclWithObjectOwnership
        case .invalidBucketAclWithBlockPublicAccess: ACLMessages.invalidBucketAclWithBlockPublicAccess
        case .missingSecurityHeader: ACLMessages.missingSecurityHeader
        case .unexpectedContent: ACLMessages.unexpectedContent
        case .ownershipControlsNotFound: ACLMessages.ownershipControlsNotFound
        case .noSuchBucketPolicy: ACLMessages.noSuchBucketPolicy
        case .malformedPolicy(let reason): reason
        case .unresolvableGrantByEmail: ACLMessages.unresolvableEmail
        }
    }

    /// The HTTP status.
    package var httpStatus: Int {
        switch self {
        case .ownershipControlsNotFound, .noSuchBucketPolicy: 404
        default: 400
        }
    }

    /// `BucketName` for the not-found errors, `MissingHeaderName` for a missing ACL.
    package var extraFields: [(String, String)] {
        switch self {
        case .ownershipControlsNotFound(let bucket), .noSuchBucketPolicy(let bucket): [("BucketName", bucket)]
        case .missingSecurityHeader: [("MissingHeaderName", "x-amz-acl")]
        case .unresolvableGrantByEmail(let address): [("EmailAddress", address)]
        default: []
        }
    }
}

/// The exact texts of access-control errors, in one place.
package enum ACLMessages {
    static let malformedACL = "The XML you provided was not well-formed or did not validate against our published schema"
    static let aclNotSupported = "The bucket does not allow ACLs"
    static let invalidBucketAclWithObjectOwnership = "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
    static let invalidBucketAclWithBlockPublicAccess = "Bucket cannot have public ACLs set with BlockPublicAccess enabled"
    static let missingSecurityHeader = "Your request was missing a required header"
    static let unexpectedContent = "This request does not support content"
    static let ownershipControlsNotFound = "The bucket ownership controls were not found"
    static let noSuchBucketPolicy = "The bucket policy does not exist"
    static let cannedAndGrants = "Specifying both Canned ACLs and Header Grants is not allowed"
    static let argumentFormat = "Argument format not recognized"
    static let invalidId = "Invalid id"
    static let invalidGroupURI = "Invalid group uri"
    static let unresolvableEmail = "The e-mail address you provided does not match any account on record."
    /// `Invalid x-amz-object-ownership header: <value>` (CreateBucket with an unknown ownership).
    static func invalidOwnershipHeader(_ value: String) -> String { "Invalid x-amz-object-ownership header: \(value)" }
    static let policyNotJSON = "Policies must be valid JSON and the first byte must be '{'"
    static let policyInvalidJSON = "This policy contains invalid Json"
    static let policyInvalidResource = "Policy has invalid resource"
    static let policyInvalidAction = "Policy has invalid action"
    static let policyInvalidPrincipal = "Invalid principal in policy"
    static let policyMissingPrincipal = "Missing required field Principal"
    static let policyMissingStatement = "Missing required field Statement"
    static let policyMissingEffect = "Missing required field Effect"
    static let policyMissingAction = "Missing required field Action"
    static let policyMissingResource = "Missing required field Resource"
    static let policyInvalidEffect = "Invalid effect: "
    static let policyActionDoesNotApply = "Action does not apply to any resource(s) in statement"
    static let policyInvalidConditionKey = "Policy has an invalid condition key"
    static let policyTooLarge = "Policies must not exceed 20480 bytes"
    static func publicPolicyBlocked(principalArn: String, bucket: String) -> String {
        "User: \(principalArn) is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::\(bucket)\" "
            + "because public policies are blocked by the BlockPublicPolicy block public access setting."
    }
}
