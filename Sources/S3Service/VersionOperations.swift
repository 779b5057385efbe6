import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird

/// An S3 error that S3 sends with response headers beside its `<Error>` body (`x-amz-delete-marker`,
/// `x-amz-version-id`, `Allow`); ``S3Service/handle(_:)`` renders it.
struct S3ErrorWithHeaders: Error {
    /// The error.
    var error: S3Error
    /// The headers S3 adds.
    var headers: HTTPFields
}

/// What a delete did, for its response headers, its `<Deleted>` entry and its event.
struct DeleteResult {
    /// `x-amz-delete-marker: true` / `<DeleteMarker>true</DeleteMarker>`.
    var deleteMarker = false
    /// `x-amz-version-id` of a single delete: the version named, or the marker created.
    var versionId: String?
    /// The event to send, if anything was removed or created.
    var eventName: String?
}

extension S3Service {
    // MARK: Version ids

    /// The version id a new write to a bucket gets: a fresh id when versioning is enabled, else `null`.
    func newVersionId(for bucket: BucketRecord) -> String {
        bucket.configuration.versioning == "Enabled" ? S3VersionID.make() : S3VersionID.null
    }

    /// The `versionId` query parameter, checked as S3 checks it.
    /// - Parameter request: The request.
    /// - Returns: The id, or nil when the request names none.
    /// - Throws: `InvalidArgument` for an empty or malformed id.
    static func requestedVersionId(_ request: AWSRequest) throws(S3Error) -> String? {
        guard let text = request.query("versionId") else { return nil }
        return try checkedVersionId(text, name: "versionId")
    }

    /// A version id from a request, checked as S3 checks it.
    /// - Parameters:
    ///   - text: The id as sent.
    ///   - name: The argument's name in the error.
    /// - Returns: The id.
    /// - Throws: `InvalidArgument` for an empty or malformed id.
    static func checkedVersionId(_ text: String, name: String) throws(S3Error) -> String {
        guard !text.isEmpty else {
            throw .invalidArgument(message: S3Messages.emptyVersionId, name: name, value: text)
        }
        guard S3VersionID.isWellFormed(text) else {
            throw .invalidArgument(message: S3Messages.invalidVersionId, name: name, value: text)
        }
        return text
    }

    /// Whether responses about a bucket's objects carry `x-amz-version-id`: once versioning was ever configured.
    static func reportsVersions(_ bucket: BucketRecord) -> Bool { bucket.configuration.versioning != nil }

    /// The object a read names: the key's current version, or the version asked for.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: The version asked for, if any.
    ///   - method: The request method, as S3 names it in `MethodNotAllowed`.
    /// - Returns: The record (never a delete marker).
    /// - Throws: `NoSuchKey` (with `x-amz-delete-marker` when the current row is a marker), `NoSuchVersion`, or
    ///   `MethodNotAllowed` for a version that is a delete marker.
    func readableObject(bucket: BucketRecord, key: String, versionId: String?, method: String) async throws -> ObjectRecord {
        guard let versionId else {
            guard let record = try await store.object(bucket: bucket.name, key: key) else { throw S3Error.noSuchKey(key) }
            if record.isDeleteMarker {
                var headers = HTTPFields()
                Self.set(&headers, "x-amz-delete-marker", "true")
                Self.set(&headers, "x-amz-version-id", record.versionId)
                throw S3ErrorWithHeaders(error: .noSuchKey(key), headers: headers)
            }
            return record
        }
        guard let record = try await store.version(bucket: bucket.name, key: key, versionId: versionId) else {
            throw S3Error.noSuchVersion(key: key, versionId: versionId)
        }
        if record.isDeleteMarker {
            var headers = HTTPFields()
            Self.set(&headers, "x-amz-delete-marker", "true")
            Self.set(&headers, "x-amz-version-id", record.versionId)
            headers[.lastModified] = Timestamp.httpDate(record.lastModified)
            Self.set(&headers, "Allow", "DELETE")
            throw S3ErrorWithHeaders(error: .methodNotAllowed(method: method, resourceType: "DeleteMarker"), headers: headers)
        }
        return record
    }

    /// Renders an error that carries response headers.
    func render(_ failure: S3ErrorWithHeaders, _ request: AWSRequest) -> Response {
        var response = ErrorRenderer.response(
            for: failure.error,
            protocol: .restXml,
            requestId: request.requestId,
            isHead: request.method == .head
        )
        for field in failure.headers { response.headers[field.name] = field.value }
        return response
    }

    // MARK: Deleting

    /// Deletes a key (a delete marker in versioned buckets) or one version of it, as DeleteObject and DeleteObjects do.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: The version to delete for good, if named (already checked).
    /// - Returns: What happened.
    /// - Throws: Storage errors.
    func removeObject(bucket: BucketRecord, key: String, versionId: String?) async throws -> DeleteResult {
        var result = DeleteResult()
        if let versionId {
            result.versionId = versionId
            if let removed = try await store.deleteVersion(bucket: bucket.name, key: key, versionId: versionId) {
                await store.discardBlobs(objects: [removed.blob])
                result.deleteMarker = removed.isDeleteMarker
                result.eventName = "ObjectRemoved:Delete"
            }
            return result
        }
        guard bucket.configuration.versioning != nil else {
            let outcome = try await store.deleteObject(bucket: bucket.name, key: key, marker: nil)
            await store.discardBlobs(objects: outcome.freedBlobs)
            if outcome.removed != nil { result.eventName = "ObjectRemoved:Delete" }
            return result
        }
        let outcome = try await store.deleteObject(bucket: bucket.name, key: key, marker: newDeleteMarker(bucket: bucket, key: key))
        await store.discardBlobs(objects: outcome.freedBlobs)
        guard let created = outcome.marker else { throw S3Error.noSuchBucket(bucket.name) }
        return Self.markerResult(created)
    }

    /// A new delete marker for a key (`null` unless versioning is enabled).
    private func newDeleteMarker(bucket: BucketRecord, key: String) -> ObjectRecord {
        ObjectRecord(
            bucket: bucket.name,
            key: key,
            blob: "",
            size: 0,
            etag: "",
            headers: ObjectHeaders(),
            tags: [],
            lastModified: clock.now,
            versionId: newVersionId(for: bucket),
            partsCount: nil,
            isDeleteMarker: true
        )
    }

    /// What a delete that created a marker reports.
    private static func markerResult(_ created: ObjectRecord) -> DeleteResult {
        DeleteResult(deleteMarker: true, versionId: created.versionId, eventName: "ObjectRemoved:DeleteMarkerCreated")
    }

    /// Deletes as ``removeObject(bucket:key:versionId:)`` does, with S3's conditional delete
    /// ([How to perform conditional deletes](https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html)):
    /// `If-Match` (an ETag or `*`) is judged against the key's current version. Without a version id the check and
    /// the delete are one transaction: an object replaced or deleted in between answers 409
    /// `ConditionalRequestConflict` and nothing changes.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - versionId: The version to delete for good, if named (already checked).
    ///   - ifMatch: The `If-Match` value (DeleteObject's header, DeleteObjects' `<ETag>`), nil for none.
    /// - Returns: What happened.
    /// - Throws: `NoSuchKey` when the key has no current object, `PreconditionFailed` (If-Match) when the ETag
    ///   differs, `ConditionalRequestConflict`, storage errors.
    func removeObject(bucket: BucketRecord, key: String, versionId: String?, ifMatch: String?) async throws -> DeleteResult {
        guard let ifMatch else { return try await removeObject(bucket: bucket, key: key, versionId: versionId) }
        guard let current = try await store.object(bucket: bucket.name, key: key), !current.isDeleteMarker else {
            throw S3Error.noSuchKey(key)
        }
        guard Self.etagMatches(ifMatch, current.etag) else { throw S3Error.preconditionFailed(condition: "If-Match") }
        if versionId != nil { return try await removeObject(bucket: bucket, key: key, versionId: versionId) }
        guard bucket.configuration.versioning != nil else {
            guard let removed = try await store.deleteObject(ifUnchanged: current) else { throw S3Error.conditionalRequestConflict }
            await store.discardBlobs(objects: [removed.blob])
            return DeleteResult(eventName: "ObjectRemoved:Delete")
        }
        let marker = newDeleteMarker(bucket: bucket, key: key)
        guard let outcome = try await store.addDeleteMarker(ifUnchanged: current, marker: marker, stillDue: { _ in true }),
            let created = outcome.marker
        else { throw S3Error.conditionalRequestConflict }
        await store.discardBlobs(objects: outcome.freedBlobs)
        return Self.markerResult(created)
    }

    // MARK: ListObjectVersions

    /// [ListObjectVersions](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html): every
    /// version and delete marker, also in buckets that were never versioned (where each object is its `null`
    /// version).
    func listObjectVersions(_ request: AWSRequest, _ bucketName: String) async throws -> Response {
        let (prefix, delimiter, maxKeys, encodingType) = try await listingParameters(request, bucketName, action: "s3:ListBucketVersions")

        let keyMarker = request.query("key-marker").flatMap { $0.isEmpty ? nil : $0 }
        let versionIdMarker = request.query("version-id-marker").flatMap { $0.isEmpty ? nil : $0 }
        var start: VersionPosition? = keyMarker.map { .afterKey($0) }
        if let versionIdMarker {
            guard let keyMarker else {
                throw S3Error.invalidArgument(message: S3Messages.versionIdMarkerWithoutKeyMarker, name: "version-id-marker", value: versionIdMarker)
            }
            let invalid = S3Error.invalidArgument(message: S3Messages.invalidVersionId, name: "version-id-marker", value: versionIdMarker)
            guard S3VersionID.isWellFormed(versionIdMarker),
                let marked = try await store.version(bucket: bucketName, key: keyMarker, versionId: versionIdMarker)
            else { throw invalid }
            start = .afterVersion(key: keyMarker, sequence: marked.sequence)
        }
        let store = self.store
        let page = try await VersionListing.page(prefix: prefix, delimiter: delimiter, start: start, keyMarker: keyMarker, maxKeys: maxKeys) {
            position,
            limit in
            try await store.versions(bucket: bucketName, prefix: prefix, after: position, limit: limit)
        }

        let encode: (String) -> String = { encodingType == "url" ? S3EventNotifier.encodeKey($0) : $0 }
        var xml = XMLWriter()
        xml.element("ListVersionsResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Name", bucketName)
            xml.element("Prefix", encode(prefix))
            xml.element("KeyMarker", encode(keyMarker ?? ""))
            xml.element("VersionIdMarker", versionIdMarker ?? "")
            if let next = page.nextKeyMarker { xml.element("NextKeyMarker", encode(next)) }
            if let next = page.nextVersionIdMarker { xml.element("NextVersionIdMarker", next) }
            xml.element("MaxKeys", String(maxKeys))
            if let delimiter { xml.element("Delimiter", encode(delimiter)) }
            if let encodingType { xml.element("EncodingType", encodingType) }
            xml.element("IsTruncated", page.isTruncated ? "true" : "false")
            for entry in page.entries {
                xml.element(entry.isDeleteMarker ? "DeleteMarker" : "Version") { xml in
                    xml.element("Key", encode(entry.key))
                    xml.element("VersionId", entry.versionId)
                    xml.element("IsLatest", entry.isLatest ? "true" : "false")
                    xml.element("LastModified", Timestamp.iso8601Milliseconds(entry.lastModified))
                    if !entry.isDeleteMarker {
                        xml.element("ETag", entry.etag)
                        if let algorithm = entry.checksumAlgorithm {
                            xml.element("ChecksumAlgorithm", algorithm.rawValue)
                            xml.element("ChecksumType", entry.checksumType ?? "FULL_OBJECT")
                        }
                        xml.element("Size", String(entry.size))
                        xml.element("StorageClass", entry.headers.storageClass)
                    }
                    writeOwner(&xml)
                }
            }
            for commonPrefix in page.commonPrefixes {
                xml.element("CommonPrefixes") { xml in xml.element("Prefix", encode(commonPrefix)) }
            }
        }
        return Self.xml(xml.result)
    }
}
