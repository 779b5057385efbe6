import EmulatorCore
import SigV4

/// Every error the S3 service answers with, worded as S3 words it (the gateway renders `<Error>`).
package enum S3Error: AWSServiceError, Equatable {
    /// `AccessDenied` (403), with S3's text or the authorizer's denial message.
    case accessDenied(String = "Access Denied")
    /// `AccessForbidden` (403): a CORS request the bucket's rules do not allow.
    case corsForbidden(message: String, method: String, resourceType: String)
    /// `BadRequest` (400) for malformed CORS preflights.
    case badRequest(String)
    /// `NoSuchBucket` (404).
    case noSuchBucket(String)
    /// `NoSuchKey` (404).
    case noSuchKey(String)
    /// `NoSuchUpload` (404).
    case noSuchUpload(String)
    /// `BucketAlreadyOwnedByYou` (409).
    case bucketAlreadyOwnedByYou(String)
    /// `BucketNotEmpty` (409); S3 words it differently for a bucket that was ever versioned.
    case bucketNotEmpty(String, versioned: Bool = false)
    /// `InvalidBucketName` (400).
    case invalidBucketName(String)
    /// `InvalidLocationConstraint` (400).
    case invalidLocationConstraint
    /// `IllegalLocationConstraintException` (400).
    case illegalLocationConstraint(String?)
    /// `InvalidRange` (416).
    case invalidRange(requested: String, size: Int)
    /// `PreconditionFailed` (412).
    case preconditionFailed(condition: String)
    /// `EntityTooLarge` (400).
    case entityTooLarge(proposed: Int, max: Int)
    /// `EntityTooSmall` (400) for a multipart part below 5 MiB that is not the last.
    case entityTooSmall(proposed: Int, partNumber: Int, etag: String)
    /// `MalformedXML` (400).
    case malformedXML
    /// `InvalidArgument` (400) with the argument's name and value.
    case invalidArgument(message: String, name: String, value: String)
    /// `InvalidArgument` (400) `Unable to validate the following destination configurations`: notification targets
    /// (function ARNs) S3 may not invoke, numbered `ArgumentName1`/`ArgumentValue1`... as S3 lists them.
    case destinationsNotValidated([String])
    /// `InvalidRequest` (400).
    case invalidRequest(String)
    /// `InvalidPart` (400).
    case invalidPart(uploadId: String, partNumber: Int, etag: String)
    /// `InvalidPartOrder` (400).
    case invalidPartOrder(uploadId: String)
    /// `MethodNotAllowed` (405).
    case methodNotAllowed(method: String, resourceType: String)
    /// `NoSuchCORSConfiguration` (404).
    case noSuchCORSConfiguration(String)
    /// `NoSuchLifecycleConfiguration` (404).
    case noSuchLifecycleConfiguration(String)
    /// `ServerSideEncryptionConfigurationNotFoundError` (404).
    case encryptionConfigurationNotFound(String)
    /// `NoSuchPublicAccessBlockConfiguration` (404).
    case noSuchPublicAccessBlockConfiguration(String)
    /// `NoSuchTagSet` (404).
    case noSuchTagSet(String)
    /// `InvalidTag` (400).
    case invalidTag(String)
    /// `InvalidDigest` (400): a `Content-MD5` that is not base64 of 16 bytes.
    case invalidDigest
    /// `BadDigest` (400): `Content-MD5` does not match the body.
    case badDigestMD5
    /// `BadDigest` (400): a flexible checksum does not match the body.
    case badDigestChecksum(algorithm: String)
    /// `InvalidRequest` (400): a checksum header value that is not valid base64 of the right length.
    case invalidChecksumValue(algorithm: String)
    /// `MissingContentLength` (411).
    case missingContentLength
    /// `IncompleteBody` (400).
    case incompleteBody
    /// `NotImplemented` (501).
    case notImplemented
    /// `InvalidPolicyDocument` (400) for presigned POST policies that do not parse.
    case invalidPolicyDocument(String)
    /// `SignatureDoesNotMatch` (403) for presigned POST forms.
    case postSignatureMismatch(accessKeyId: String, stringToSign: String, signatureProvided: String)
    /// `InvalidAccessKeyId` (403).
    case invalidAccessKeyId(String)
    /// `MalformedPOSTRequest` (400).
    case malformedPOSTRequest
    /// `InvalidArgument` (400) for a POST form without a file.
    case postMissingFile
    /// A signature failure found in the body or a POST form (content SHA-256, aws-chunked framing, chunk
    /// signatures, unknown or purged keys), worded as S3 words it (``SigV4Error/wireError(_:)``, `.s3Xml`).
    case signature(SigV4Error)
    /// `EntityTooSmall` (400) for a POST upload below the policy's `content-length-range`.
    case postEntityTooSmall(proposed: Int, min: Int)
    /// `InvalidStorageClass` (400).
    case invalidStorageClass
    /// `InvalidToken` (400): a POST form's session token that does not belong to its key.
    case invalidToken
    /// `ExpiredToken` (400): a POST form's temporary credentials have expired.
    case expiredToken
    /// `MaxPostPreDataLengthExceeded` (400): the POST fields before the file are too large.
    case maxPostPreDataLengthExceeded(limit: Int)
    /// `NoSuchVersion` (404).
    case noSuchVersion(key: String, versionId: String)
    /// `ConditionalRequestConflict` (409): a conditional write raced another write of the key.
    case conditionalRequestConflict
    /// `InvalidPartNumber` (416): GetObject/HeadObject `partNumber` beyond the object's parts.
    case invalidPartNumber

    /// The S3 error code.
    package var code: String {
        switch self {
        case .accessDenied: "AccessDenied"
        case .corsForbidden: "AccessForbidden"
        case .badRequest: "BadRequest"
        case .noSuchBucket: "NoSuchBucket"
        case .noSuchKey: "NoSuchKey"
        case .noSuchUpload: "NoSuchUpload"
        case .bucketAlreadyOwnedByYou: "BucketAlreadyOwnedByYou"
        case .bucketNotEmpty: "BucketNotEmpty"
        case .invalidBucketName: "InvalidBucketName"
        case .invalidLocationConstraint: "InvalidLocationConstraint"
        case .illegalLocationConstraint: "IllegalLocationConstraintException"
        case .invalidRange: "InvalidRange"
        case .preconditionFailed: "PreconditionFailed"
        case .entityTooLarge: "EntityTooLarge"
        case .entityTooSmall: "EntityTooSmall"
        case .malformedXML: "MalformedXML"
        case .invalidArgument, .postMissingFile, .destinationsNotValidated: "InvalidArgument"
        case .invalidRequest, .invalidChecksumValue: "InvalidRequest"
        case .invalidPart: "InvalidPart"
        case .invalidPartOrder: "InvalidPartOrder"
        case .methodNotAllowed: "MethodNotAllowed"
        case .noSuchCORSConfiguration: "NoSuchCORSConfiguration"
        case .noSuchLifecycleConfiguration: "NoSuchLifecycleConfiguration"
        case .encryptionConfigurationNotFound: "ServerSideEncryptionConfigurationNotFoundError"
        case .noSuchPublicAccessBlockConfiguration: "NoSuchPublicAccessBlockConfiguration"
        case .noSuchTagSet: "NoSuchTagSet"
        case .invalidTag: "InvalidTag"
        case .invalidDigest: "InvalidDigest"
        case .badDigestMD5, .badDigestChecksum: "BadDigest"
        case .missingContentLength: "MissingContentLength"
        case .incompleteBody: "IncompleteBody"
        case .notImplemented: "NotImplemented"
        case .invalidPolicyDocument: "InvalidPolicyDocument"
        case .postSignatureMismatch: "SignatureDoesNotMatch"
        case .invalidAccessKeyId: "InvalidAccessKeyId"
        case .malformedPOSTRequest: "MalformedPOSTRequest"
        case .signature(let error): error.wireError(.s3Xml).code
        case .postEntityTooSmall: "EntityTooSmall"
        case .invalidStorageClass: "InvalidStorageClass"
        case .invalidToken: "InvalidToken"
        case .expiredToken: "ExpiredToken"
        case .maxPostPreDataLengthExceeded: "MaxPostPreDataLengthExceeded"
        case .noSuchVersion: "NoSuchVersion"
        case .conditionalRequestConflict: "ConditionalRequestConflict"
        case .invalidPartNumber: "InvalidPartNumber"
        }
    }

    /// The message, as S3 words it.
    package var message: String {
        typealias Text = S3Messages
        switch self {
        case .accessDenied(let message): return message
        case .corsForbidden(let message, _, _): return message
        case .badRequest(let message): return message
        case .noSuchBucket: return Text.noSuchBucket
        case .noSuchKey: return Text.noSuchKey
        case .noSuchUpload: return Text.noSuchUpload
        case .bucketAlreadyOwnedByYou: return Text.bucketAlreadyOwnedByYou
        case .bucketNotEmpty(_, let versioned): return versioned ? Text.bucketNotEmptyVersions : Text.bucketNotEmpty
        case .invalidBucketName: return Text.invalidBucketName
        case .invalidLocationConstraint: return Text.invalidLocationConstraint
        case .illegalLocationConstraint(let constraint): return Text.illegalLocationConstraint(constraint)
        case .invalidRange: return Text.invalidRange
        case .preconditionFailed: return Text.preconditionFailed
        case .entityTooLarge: return Text.entityTooLarge
        case .entityTooSmall: return Text.entityTooSmall
        case .malformedXML: return Text.malformedXML
        case .invalidArgument(let message, _, _): return message
        case .destinationsNotValidated: return "Unable to validate the following destination configurations"
        case .invalidRequest(let message): return message
        case .invalidPart: return Text.invalidPart
        case .invalidPartOrder: return Text.invalidPartOrder
        case .methodNotAllowed: return Text.methodNotAllowed
        case .noSuchCORSConfiguration: return Text.noSuchCORSConfiguration
        case .noSuchLifecycleConfiguration: return Text.noSuchLifecycleConfiguration
        case .encryptionConfigurationNotFound: return Text.encryptionNotFound
        case .noSuchPublicAccessBlockConfiguration: return Text.noSuchPublicAccessBlock
        case .noSuchTagSet: return Text.noSuchTagSet
        case .invalidTag(let message): return message
        case .invalidDigest: return Text.invalidDigest
        case .badDigestMD5: return Text.badDigestMD5
        case .badDigestChecksum(let algorithm): return Text.badDigestChecksum(algorithm)
        case .invalidChecksumValue(let algorithm): return Text.invalidChecksumValue(algorithm)
        case .missingContentLength: return Text.missingContentLength
        case .incompleteBody: return Text.incompleteBody
        case .notImplemented: return Text.notImplemented
        case .invalidPolicyDocument(let message): return message
        case .postSignatureMismatch: return Text.postSignatureMismatch
        case .invalidAccessKeyId: return Text.invalidAccessKeyId
        case .malformedPOSTRequest: return Text.malformedPOSTRequest
        case .postMissingFile: return Text.postMissingFile
        case .signature(let error): return error.wireError(.s3Xml).message
        case .postEntityTooSmall: return Text.entityTooSmall
        case .invalidStorageClass: return Text.invalidStorageClass
        case .invalidToken: return Text.invalidToken
        case .expiredToken: return Text.expiredToken
        case .maxPostPreDataLengthExceeded: return Text.maxPostPreDataLengthExceeded
        case .noSuchVersion: return Text.noSuchVersion
        case .conditionalRequestConflict: return Text.conditionalRequestConflict
        case .invalidPartNumber: return Text.invalidPartNumber
        }
    }

    /// The HTTP status.
    package var httpStatus: Int {
        switch self {
        case .accessDenied, .corsForbidden, .postSignatureMismatch, .invalidAccessKeyId: 403
        case .noSuchBucket, .noSuchKey, .noSuchUpload, .noSuchCORSConfiguration, .noSuchLifecycleConfiguration,
            .encryptionConfigurationNotFound, .noSuchPublicAccessBlockConfiguration, .noSuchTagSet, .noSuchVersion:
            404
        case .bucketAlreadyOwnedByYou, .bucketNotEmpty, .conditionalRequestConflict: 409
        case .invalidRange, .invalidPartNumber: 416
        case .preconditionFailed: 412
        case .methodNotAllowed: 405
        case .missingContentLength: 411
        case .notImplemented: 501
        case .signature(let error): error.wireError(.s3Xml).httpStatus
        default: 400
        }
    }

    /// The elements S3 adds beside `Code` and `Message`.
    package var extraFields: [(String, String)] {
        switch self {
        case .noSuchBucket(let bucket), .bucketAlreadyOwnedByYou(let bucket), .bucketNotEmpty(let bucket, _),
            .invalidBucketName(let bucket), .noSuchCORSConfiguration(let bucket), .noSuchLifecycleConfiguration(let bucket),
            .encryptionConfigurationNotFound(let bucket), .noSuchPublicAccessBlockConfiguration(let bucket),
            .noSuchTagSet(let bucket):
            return [("BucketName", bucket)]
        case .noSuchKey(let key): return [("Key", key)]
        case .noSuchUpload(let uploadId): return [("UploadId", uploadId)]
        case .illegalLocationConstraint(let constraint): return constraint.map { [("LocationConstraint", $0)] } ?? []
        case .invalidRange(let requested, let size): return [("RangeRequested", requested), ("ActualObjectSize", String(size))]
        case .preconditionFailed(let condition): return [("Condition", condition)]
        case .entityTooLarge(let proposed, let max): return [("ProposedSize", String(proposed)), ("MaxSizeAllowed", String(max))]
        case .entityTooSmall(let proposed, let partNumber, let etag):
            return [("ProposedSize", String(proposed)), ("MinSizeAllowed", "5242880"), ("PartNumber", String(partNumber)), ("ETag", etag)]
        case .invalidArgument(_, let name, let value): return [("ArgumentName", name), ("ArgumentValue", value)]
        case .destinationsNotValidated(let arns):
            return arns.enumerated().flatMap { index, arn in
                [("ArgumentName\(index + 1)", "\(arn), null"), ("ArgumentValue\(index + 1)", "Not authorized to invoke function [\(arn)]")]
            }
        case .postMissingFile: return [("ArgumentName", "file"), ("ArgumentValue", "")]
        case .invalidPart(let uploadId, let partNumber, let etag):
            return [("UploadId", uploadId), ("PartNumber", String(partNumber)), ("ETag", etag)]
        case .invalidPartOrder(let uploadId): return [("UploadId", uploadId)]
        case .methodNotAllowed(let method, let resourceType): return [("Method", method), ("ResourceType", resourceType)]
        case .corsForbidden(_, let method, let resourceType): return [("Method", method), ("ResourceType", resourceType)]
        case .postSignatureMismatch(let accessKeyId, let stringToSign, let signature):
            return [("AWSAccessKeyId", accessKeyId), ("StringToSign", stringToSign), ("SignatureProvided", signature)]
        case .invalidAccessKeyId(let key): return [("AWSAccessKeyId", key)]
        case .signature(let error): return error.wireError(.s3Xml).extraElements
        case .postEntityTooSmall(let proposed, let min): return [("ProposedSize", String(proposed)), ("MinSizeAllowed", String(min))]
        case .maxPostPreDataLengthExceeded(let limit): return [("MaxPostPreDataLengthBytes", String(limit))]
        case .noSuchVersion(let key, let versionId): return [("Key", key), ("VersionId", versionId)]
        default: return []
        }
    }

    /// Compares code, message and status.
    package static func == (lhs: S3Error, rhs: S3Error) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.httpStatus == rhs.httpStatus
    }
}

/// S3's exact message texts, in one place.
package enum S3Messages {
    static let noSuchBucket = "The specified bucket does not exist"
    static let noSuchKey = "The specified key does not exist."
    static let noSuchUpload =
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    static let bucketAlreadyOwnedByYou = "Your previous request to create the named bucket succeeded and you already own it."
    static let bucketNotEmpty = "The bucket you tried to delete is not empty"
    static let bucketNotEmptyVersions = "The bucket you tried to delete is not empty. You must delete all versions in the bucket."
    static let invalidVersionId = "Invalid version id specified"
    static let maxBucketsRange = "Argument maxBuckets must be an integer between 1 and 10000"
    static let emptyVersionId = "Version id cannot be the empty string"
    static let versionIdMarkerWithoutKeyMarker = "A version-id marker cannot be specified without a key marker."
    static let copySourceDeleteMarker = "The source of a copy request may not specifically refer to a delete marker by version id."
    static let invalidBucketName = "The specified bucket is not valid."
    static let invalidLocationConstraint = "The specified location-constraint is not valid"
    static func illegalLocationConstraint(_ constraint: String?) -> String {
        guard let constraint else {
            return "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."
        }
        return "The \(constraint) location constraint is incompatible for the region specific endpoint this request was sent to."
    }
    static let invalidRange = "The requested range is not satisfiable"
    static let preconditionFailed = "At least one of the pre-conditions you specified did not hold"
    static let conditionalRequestConflict =
        "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part."
    /// S3's wording as sent on the wire (sic: "preceeding ... was").
    static let maxPostPreDataLengthExceeded = "Your POST request fields preceeding the upload file was too large."
    static let entityTooLarge = "Your proposed upload exceeds the maximum allowed size"
    static let entityTooSmall = "Your proposed upload is smaller than the minimum allowed size"
    static let malformedXML = "The XML you provided was not well-formed or did not validate against our published schema"
    static let invalidPart =
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
    static let invalidPartOrder = "The list of parts was not in ascending order. Parts must be ordered by part number."
    static let methodNotAllowed = "The specified method is not allowed against this resource."
    static let noSuchCORSConfiguration = "The CORS configuration does not exist"
    static let noSuchLifecycleConfiguration = "The lifecycle configuration does not exist"
    static let encryptionNotFound = "The server side encryption configuration was not found"
    static let noSuchPublicAccessBlock = "The public access block configuration was not found"
    static let noSuchTagSet = "The TagSet does not exist"
    static let invalidStorageClass = "The storage class you specified is not valid"
    static let invalidToken = "The provided token is malformed or otherwise invalid."
    static let expiredToken = "The provided token has expired."
    static let noSuchVersion = "The specified version does not exist."
    static let invalidDigest = "The Content-MD5 you specified was invalid."
    static let badDigestMD5 = "The Content-MD5 you specified did not match what we received."
    static func badDigestChecksum(_ algorithm: String) -> String {
        "The \(algorithm) you specified did not match the calculated checksum."
    }
    static func invalidChecksumValue(_ algorithm: String) -> String {
        "Value for x-amz-checksum-\(algorithm.lowercased()) header is invalid."
    }
    static let missingContentLength = "You must provide the Content-Length HTTP header."
    static let incompleteBody = "You did not provide the number of bytes specified by the Content-Length HTTP header"
    static let notImplemented = "A header you provided implies functionality that is not implemented"
    static let postSignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your key and signing method."
    static let invalidAccessKeyId = "The AWS Access Key Id you provided does not exist in our records."
    static let malformedPOSTRequest = "The body of your POST request is not well-formed multipart/form-data."
    static let postMissingFile = "POST requires exactly one file upload per request."
    static let corsNotEnabled = "CORSResponse: CORS is not enabled for this bucket."
    static let corsNotAllowed =
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
    static let copyToItself =
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
    /// UploadPart checksummed with another algorithm than CreateMultipartUpload's (UploadPart's documented
    /// `InvalidRequest` text, lower-case algorithm names).
    static func checksumTypeMismatch(expected: ChecksumAlgorithm, actual: ChecksumAlgorithm) -> String {
        "Checksum Type mismatch occurred, expected checksum Type: \(expected.rawValue.lowercased()), actual checksum Type: \(actual.rawValue.lowercased())"
    }
    static let partNumberInvalid = "Part number must be an integer between 1 and 10000, inclusive"
    static let invalidPartNumber = "The requested partnumber is not satisfiable"
    static let rangeWithPartNumber = "Cannot specify both Range header and partNumber query parameter"
    static let policyExpired = "Invalid according to Policy: Policy expired."
    static let unsupportedCORSMethod = "Found unsupported HTTP method in CORS config. Unsupported method is "
    /// `AllowedOrigin "*a*.com" can not have more than one wildcard.` (and the same for `AllowedHeader`).
    static func corsTooManyWildcards(_ element: String, _ value: String) -> String {
        "\(element) \"\(value)\" can not have more than one wildcard."
    }
}
