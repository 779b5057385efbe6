import AWSGateway
import EmulatorCore
import Foundation
import Hummingbird

/// One page of a listing.
package struct ListingPage: Sendable {
    /// The objects.
    package var contents: [ObjectRecord] = []
    /// The common prefixes.
    package var commonPrefixes: [String] = []
    /// Whether more remain.
    package var isTruncated = false
    /// The last key or common prefix returned.
    package var last: String?
}

extension S3Service {
    /// Parses a listing count such as `max-keys`, `max-parts`, `max-uploads` or `part-number-marker` as S3 does:
    /// a 32-bit integer, not negative.
    /// - Parameters:
    ///   - text: The query parameter value.
    ///   - name: The parameter name, as in `Provided max-keys not an integer or within integer range`.
    ///   - argument: The name S3 uses for a negative value, as in `Argument maxKeys must be an integer between 0 and 2147483647`.
    /// - Returns: The value, between 0 and `Int32.max`.
    /// - Throws: `S3Error.invalidArgument` with S3's message.
    package static func listingCount(_ text: String, name: String, argument: String) throws(S3Error) -> Int {
        guard let value = Int32(text) else {
            throw .invalidArgument(message: "Provided \(name) not an integer or within integer range", name: name, value: text)
        }
        guard value >= 0 else {
            throw .invalidArgument(message: "Argument \(argument) must be an integer between 0 and 2147483647", name: name, value: text)
        }
        return Int(value)
    }

    /// Lists keys with a prefix after a marker, rolling keys up into common prefixes at the delimiter.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - prefix: The key prefix.
    ///   - delimiter: The delimiter, if any.
    ///   - marker: Only keys (and prefixes) greater than this.
    ///   - maxKeys: The most entries (keys plus prefixes).
    /// - Returns: The page.
    /// - Throws: Database errors.
    func listPage(bucket: String, prefix: String, delimiter: String?, marker: String?, maxKeys: Int) async throws -> ListingPage {
        var page = ListingPage()
        guard maxKeys > 0 else { return page }
        var after = marker
        var count = 0
        let delimiter = delimiter.flatMap { $0.isEmpty ? nil : $0 }
        outer: while true {
            let batch = try await store.objects(bucket: bucket, prefix: prefix, after: after, limit: 1000)
            if batch.isEmpty { break }
            for object in batch {
                after = object.key
                if let delimiter {
                    if let commonPrefix = VersionListing.rollUp(object.key, prefix: prefix, delimiter: delimiter) {
                        if let marker, commonPrefix <= marker { continue }
                        if count == maxKeys {
                            page.isTruncated = true
                            break outer
                        }
                        page.commonPrefixes.append(commonPrefix)
                        page.last = commonPrefix
                        count += 1
                        after = commonPrefix + "\u{10FFFF}"
                        continue outer
                    }
                }
                if count == maxKeys {
                    page.isTruncated = true
                    break outer
                }
                page.contents.append(object)
                page.last = object.key
                count += 1
            }
            if batch.count < 1000 { break }
        }
        return page
    }

    /// The parameters ListObjects, ListObjectsV2 and ListObjectVersions share, checked as S3 checks them, then the
    /// authorization (with the `s3:prefix`, `s3:delimiter` and `s3:max-keys` condition keys) and the bucket.
    /// - Returns: The prefix, the delimiter (an empty one is none: S3 neither rolls keys up at it nor echoes it),
    ///   `max-keys` (at most 1000) and `encoding-type`.
    func listingParameters(
        _ request: AWSRequest,
        _ bucketName: String,
        action: String
    ) async throws -> (prefix: String, delimiter: String?, maxKeys: Int, encodingType: String?) {
        let prefix = request.query("prefix") ?? ""
        let delimiter = request.query("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        var maxKeys = 1000
        if let text = request.query("max-keys") {
            maxKeys = min(try Self.listingCount(text, name: "max-keys", argument: "maxKeys"), 1000)
        }
        let encodingType = request.query("encoding-type")
        if let encodingType, encodingType != "url" {
            throw S3Error.invalidArgument(message: "Invalid Encoding Method specified in Request", name: "encoding-type", value: encodingType)
        }
        var context: [String: [String]] = ["s3:prefix": [prefix], "s3:max-keys": [String(maxKeys)]]
        if let delimiter { context["s3:delimiter"] = [delimiter] }
        try await authorize(request, action, [Self.bucketArn(bucketName)], context: context)
        _ = try await requireBucket(bucketName)
        return (prefix, delimiter, maxKeys, encodingType)
    }

    /// [ListObjects](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html) and
    /// [ListObjectsV2](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
    func listObjects(_ request: AWSRequest, _ bucketName: String, v2: Bool) async throws -> Response {
        let (prefix, delimiter, maxKeys, encodingType) = try await listingParameters(request, bucketName, action: "s3:ListBucket")

        let encode: (String) -> String = { encodingType == "url" ? S3EventNotifier.encodeKey($0) : $0 }
        let continuationToken = request.query("continuation-token")
        let startAfter = request.query("start-after")
        var marker: String?
        if v2 {
            if let continuationToken {
                guard let data = Data(base64Encoded: continuationToken), !data.isEmpty, let decoded = String(data: data, encoding: .utf8) else {
                    throw S3Error.invalidArgument(
                        message: "The continuation token provided is incorrect",
                        name: "continuation-token",
                        value: continuationToken
                    )
                }
                marker = decoded
            } else {
                marker = startAfter
            }
        } else {
            marker = request.query("marker")
        }
        let page = try await listPage(bucket: bucketName, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys)
        let fetchOwner = !v2 || request.query("fetch-owner") == "true"

        var xml = XMLWriter()
        xml.element("ListBucketResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Name", bucketName)
            xml.element("Prefix", encode(prefix))
            if v2 {
                if let continuationToken { xml.element("ContinuationToken", continuationToken) }
                if page.isTruncated, let last = page.last { xml.element("NextContinuationToken", Data(last.utf8).base64EncodedString()) }
                xml.element("KeyCount", String(page.contents.count + page.commonPrefixes.count))
            } else {
                xml.element("Marker", encode(marker ?? ""))
                if page.isTruncated, delimiter != nil, let last = page.last { xml.element("NextMarker", encode(last)) }
            }
            xml.element("MaxKeys", String(maxKeys))
            if let delimiter { xml.element("Delimiter", encode(delimiter)) }
            if let encodingType { xml.element("EncodingType", encodingType) }
            xml.element("IsTruncated", page.isTruncated ? "true" : "false")
            // With a continuation token StartAfter is ignored, and S3 does not echo it.
            if v2, continuationToken == nil, let startAfter { xml.element("StartAfter", encode(startAfter)) }
            for object in page.contents {
                xml.element("Contents") { xml in
                    xml.element("Key", encode(object.key))
                    xml.element("LastModified", Timestamp.iso8601Milliseconds(object.lastModified))
                    xml.element("ETag", object.etag)
                    if let algorithm = object.checksumAlgorithm {
                        xml.element("ChecksumAlgorithm", algorithm.rawValue)
                        xml.element("ChecksumType", object.checksumType ?? "FULL_OBJECT")
                    }
                    xml.element("Size", String(object.size))
                    if fetchOwner { writeOwner(&xml) }
                    xml.element("StorageClass", object.headers.storageClass)
                }
            }
            for commonPrefix in page.commonPrefixes {
                xml.element("CommonPrefixes") { xml in xml.element("Prefix", encode(commonPrefix)) }
            }
        }
        return Self.xml(xml.result)
    }
}
