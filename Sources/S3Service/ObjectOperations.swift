import AWSGateway
import Crypto
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SigV4

/// The outcome of S3's conditional-request headers.
package enum ConditionOutcome: Sendable, Equatable {
    /// Serve the request.
    case proceed
    /// 304 Not Modified.
    case notModified
    /// 412 with the failing condition's name.
    case preconditionFailed(String)
}

/// A parsed `Range` header.
package enum RangeOutcome: Sendable, Equatable {
    /// No (usable) range: the whole object.
    case whole
    /// These bytes.
    case bytes(ClosedRange<Int>)
    /// 416.
    case unsatisfiable
}

extension S3Service {
    static let storageClasses: Set<String> = [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS",
        "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
    ]

    // MARK: Pure helpers (unit-tested)

    /// Evaluates `If-Match`, `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since` as S3 does (RFC 7232 order).
    /// - Parameters:
    ///   - etag: The object's ETag (quoted).
    ///   - lastModified: The object's Last-Modified.
    ///   - ifMatch: `If-Match`.
    ///   - ifNoneMatch: `If-None-Match`.
    ///   - ifModifiedSince: `If-Modified-Since`.
    ///   - ifUnmodifiedSince: `If-Unmodified-Since`.
    ///   - names: The header names to report in `Condition` (copy-source variants for CopyObject).
    /// - Returns: The outcome.
    package static func evaluateConditions(
        etag: String,
        lastModified: Date,
        ifMatch: String?,
        ifNoneMatch: String?,
        ifModifiedSince: String?,
        ifUnmodifiedSince: String?,
        names: [String] = ["If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"]
    ) -> ConditionOutcome {
        let modified = floor(lastModified.timeIntervalSince1970)
        if let ifMatch {
            if !etagMatches(ifMatch, etag) { return .preconditionFailed(names[0]) }
        } else if let text = ifUnmodifiedSince, let date = SigV4Encoding.parseHTTPDate(text), modified > date.timeIntervalSince1970 {
            return .preconditionFailed(names[3])
        }
        if let ifNoneMatch {
            if etagMatches(ifNoneMatch, etag) { return .notModified }
        } else if let text = ifModifiedSince, let date = SigV4Encoding.parseHTTPDate(text), modified <= date.timeIntervalSince1970 {
            return .notModified
        }
        return .proceed
    }

    /// Whether an `If-Match`-style list names an ETag (`*` matches anything).
    static func etagMatches(_ list: String, _ etag: String) -> Bool {
        let bare = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        for item in list.split(separator: ",") {
            var candidate = SigV4Encoding.trimmingWhitespace(item)
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            if candidate.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == bare { return true }
        }
        return false
    }

    /// Parses a single `bytes=` range against an object size.
    /// - Parameters:
    ///   - header: The `Range` header.
    ///   - size: The object size.
    /// - Returns: The outcome (S3 ignores syntactically invalid or multi-range headers).
    package static func parseRange(_ header: String?, size: Int) -> RangeOutcome {
        guard let header = header.map({ SigV4Encoding.trimmingWhitespace($0) }), header.hasPrefix("bytes=") else { return .whole }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = SigV4Encoding.trimmingWhitespace(spec[..<dash])
        let last = SigV4Encoding.trimmingWhitespace(spec[spec.index(after: dash)...])
        if first.isEmpty {
            guard let suffix = rangeNumber(last) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .bytes(max(0, size - suffix)...(size - 1))
        }
        guard let start = rangeNumber(first) else { return .whole }
        if last.isEmpty {
            guard start < size else { return .unsatisfiable }
            return .bytes(start...(size - 1))
        }
        guard let end = rangeNumber(last), end >= start else { return .whole }
        guard start < size else { return .unsatisfiable }
        return .bytes(start...min(end, size - 1))
    }

    /// A byte position of a `Range` header: ASCII digits only (no sign); a number beyond `Int` reads as `Int.max`,
    /// which is past the end of any object.
    private static func rangeNumber(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text) ?? .max
    }

    /// The `partNumber` of a GetObject or HeadObject.
    /// - Parameter request: The request.
    /// - Returns: The part number, or nil when the request names none.
    /// - Throws: `InvalidArgument` outside 1...10000; `InvalidRequest` beside a `Range` header.
    static func requestedPartNumber(_ request: AWSRequest) throws(S3Error) -> Int? {
        guard let text = request.query("partNumber") else { return nil }
        guard let number = Int(text), (1...10_000).contains(number) else {
            throw .invalidArgument(message: S3Messages.partNumberInvalid, name: "partNumber", value: text)
        }
        if request.header("range") != nil { throw .invalidRequest(S3Messages.rangeWithPartNumber) }
        return number
    }

    /// The bytes of one part of an object: the parts of a multipart object as they were completed; an object
    /// uploaded in one piece is its own part 1.
    /// - Parameters:
    ///   - number: The part number (1-based).
    ///   - record: The object.
    /// - Returns: The byte offsets (empty for an empty part), or nil when the object has no such part.
    package static func partRange(_ number: Int, of record: ObjectRecord) -> Range<Int>? {
        let sizes = record.partSizes ?? [record.size]
        guard number >= 1, number <= sizes.count else { return nil }
        // Stored sizes add up to the object's size; clamp anyway so a damaged row cannot reach past the end.
        let start = min(sizes[..<(number - 1)].reduce(0) { $0 + max(0, $1) }, record.size)
        let end = min(start + max(0, sizes[number - 1]), record.size)
        return start..<end
    }

    // MARK: Request → stored headers

    func objectHeaders(from request: AWSRequest, bucket: BucketRecord) throws -> ObjectHeaders {
        var headers = ObjectHeaders()
        headers.contentType = request.header("content-type")
        if let encoding = request.header("content-encoding") {
            let kept = encoding.split(separator: ",").map { SigV4Encoding.trimmingWhitespace($0) }.filter { $0 != "aws-chunked" && !$0.isEmpty }
            headers.contentEncoding = kept.isEmpty ? nil : kept.joined(separator: ", ")
        }
        headers.contentDisposition = request.header("content-disposition")
        headers.contentLanguage = request.header("content-language")
        headers.cacheControl = request.header("cache-control")
        headers.expires = request.header("expires")
        headers.websiteRedirectLocation = request.header("x-amz-website-redirect-location")
        for field in request.head.headerFields {
            let name = field.name.canonicalName
            if name.hasPrefix("x-amz-meta-") {
                let key = String(name.dropFirst("x-amz-meta-".count))
                let value = MetadataEncoding.decode(field.value)
                headers.metadata[key] = headers.metadata[key].map { $0 + "," + value } ?? value
            }
        }
        if let storageClass = request.header("x-amz-storage-class") {
            guard Self.storageClasses.contains(storageClass) else {
                throw S3Error.invalidStorageClass
            }
            headers.storageClass = storageClass
        }
        try applyEncryption(&headers, request: request, bucket: bucket)
        return headers
    }

    func applyEncryption(_ headers: inout ObjectHeaders, request: AWSRequest, bucket: BucketRecord) throws {
        if let sse = request.header("x-amz-server-side-encryption") {
            guard ["AES256", "aws:kms", "aws:kms:dsse"].contains(sse) else {
                throw S3Error.invalidArgument(
                    message: "The encryption method specified is not supported",
                    name: "x-amz-server-side-encryption",
                    value: sse
                )
            }
            headers.serverSideEncryption = sse
            headers.kmsKeyId = request.header("x-amz-server-side-encryption-aws-kms-key-id")
        } else if let encryption = bucket.configuration.encryption {
            headers.serverSideEncryption = encryption.algorithm
            headers.kmsKeyId = encryption.kmsMasterKeyId
        }
        // The request's header, else the bucket-level setting.
        headers.bucketKeyEnabled =
            request.header("x-amz-server-side-encryption-bucket-key-enabled").map { $0.lowercased() == "true" }
            ?? bucket.configuration.encryption?.bucketKeyEnabled
        if headers.serverSideEncryption?.hasPrefix("aws:kms") == true {
            if headers.kmsKeyId == nil { headers.kmsKeyId = "arn:aws:kms:\(bucket.region):\(environment.current.accountId):alias/aws/s3" }
            if headers.bucketKeyEnabled != true { headers.bucketKeyEnabled = nil }
        } else {
            // An S3 Bucket Key applies to SSE-KMS only.
            headers.bucketKeyEnabled = nil
        }
    }

    /// The encryption headers of an object or upload: `x-amz-server-side-encryption`, the KMS key id and
    /// `x-amz-server-side-encryption-bucket-key-enabled` (PutObject, GetObject, the multipart operations).
    static func encryptionHeaders(_ fields: inout HTTPFields, _ headers: ObjectHeaders) {
        guard let sse = headers.serverSideEncryption else { return }
        set(&fields, "x-amz-server-side-encryption", sse)
        if let kms = headers.kmsKeyId { set(&fields, "x-amz-server-side-encryption-aws-kms-key-id", kms) }
        if headers.bucketKeyEnabled == true { set(&fields, "x-amz-server-side-encryption-bucket-key-enabled", "true") }
    }

    /// Headers every write response carries: encryption, version, expiration.
    func writeHeaders(_ headers: inout HTTPFields, record: ObjectRecord, bucket: BucketRecord) {
        Self.encryptionHeaders(&headers, record.headers)
        if Self.reportsVersions(bucket) { Self.set(&headers, "x-amz-version-id", record.versionId) }
        if let rules = bucket.configuration.lifecycle,
            let expiration = LifecycleEvaluator.announcedExpiration(
                rules: rules,
                key: record.key,
                size: record.size,
                tags: record.tags,
                lastModified: record.lastModified
            )
        {
            Self.set(&headers, "x-amz-expiration", LifecycleEvaluator.header(expiration))
        }
    }

    // MARK: PutObject

    /// [PutObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
    func putObject(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:PutObject", [Self.objectArn(bucketName, key)], context: S3ConditionKeys.objectWrite(request))
        let bucket = try await requireBucket(bucketName)
        try Self.checkContentLength(request, max: Self.maxObjectSize)
        let acl = try requestedObjectACL({ request.header($0) }, bucket: bucket, region: request.region, method: "PUT")
        var headers = try objectHeaders(from: request, bucket: bucket)
        if headers.contentType == nil { headers.contentType = "binary/octet-stream" }
        let tags = try request.header("x-amz-tagging").map(ConfigurationXML.parseTaggingHeader) ?? []
        let condition = try await checkWriteConditions(request, bucket: bucketName, key: key)

        let (file, blob) = store.bodyFile()
        let received = try await RequestBodyReader(request: request).read(into: file, maxSize: Self.maxObjectSize)
        try await store.finish(file)
        let record = try await commitObject(
            blob: blob,
            received: received,
            bucket: bucket,
            key: key,
            headers: headers,
            tags: tags,
            condition: condition,
            acl: acl
        )

        var fields = HTTPFields()
        fields[.eTag] = record.etag
        if let checksum = received.checksum {
            Self.set(&fields, checksum.algorithm.headerName, checksum.value)
            Self.set(&fields, "x-amz-checksum-type", "FULL_OBJECT")
        }
        writeHeaders(&fields, record: record, bucket: bucket)
        fields[.amzId2] = RequestID.s3HostID()
        await notify(
            request,
            bucket: bucket,
            eventName: "ObjectCreated:Put",
            key: key,
            size: record.size,
            etag: record.etag,
            versionId: Self.reportsVersions(bucket) ? record.versionId : nil,
            responseHeaders: fields
        )
        return Self.empty(.ok, headers: fields)
    }

    /// Writes the record of a body already moved into `objects/`, and removes the blob it replaces (or its own,
    /// when the bucket vanished or the condition failed).
    /// - Parameters:
    ///   - blob: The body's blob name.
    ///   - received: Size, MD5 and checksum of the body.
    ///   - bucket: The bucket.
    ///   - key: The object key.
    ///   - headers: Content headers and user metadata.
    ///   - tags: Object tags.
    ///   - condition: The write condition, judged in the transaction that commits the row.
    ///   - acl: The ACL the write asked for (nil: the owner's full control).
    /// - Returns: The stored record.
    /// - Throws: Storage errors; `PreconditionFailed` / `ConditionalRequestConflict` when the condition fails.
    func commitObject(
        blob: String,
        received: ReceivedBody,
        bucket: BucketRecord,
        key: String,
        headers: ObjectHeaders,
        tags: [S3Tag],
        condition: WriteCondition? = nil,
        acl: AccessControlList? = nil
    ) async throws -> ObjectRecord {
        var record = ObjectRecord(
            bucket: bucket.name,
            key: key,
            blob: blob,
            size: received.size,
            etag: "\"\(received.md5Hex)\"",
            headers: headers,
            checksumAlgorithm: received.checksum?.algorithm,
            checksumValue: received.checksum?.value,
            checksumType: received.checksum == nil ? nil : "FULL_OBJECT",
            tags: tags,
            lastModified: clock.now,
            versionId: newVersionId(for: bucket),
            partsCount: nil
        )
        record.acl = acl
        try await save(record, condition: condition)
        return record
    }

    /// Commits an object row whose blob is in place, if its condition holds; a refused write removes its own blob
    /// (never the current object's).
    func save(_ record: ObjectRecord, condition: WriteCondition? = nil) async throws {
        switch try await store.putObject(record, condition: condition) {
        case .written(let replaced):
            if let replaced { await store.discardBlobs(objects: [replaced]) }
        case .bucketMissing, .uploadMissing:
            await store.discardBlobs(objects: [record.blob])
            throw S3Error.noSuchBucket(record.bucket)
        case .conditionFailed(let failure):
            await store.discardBlobs(objects: [record.blob])
            throw Self.writeConditionError(failure, key: record.key)
        }
    }

    /// The S3 error for a failed write condition.
    static func writeConditionError(_ failure: WriteCondition.Failure, key: String) -> S3Error {
        switch failure {
        case .preconditionFailed(let header): .preconditionFailed(condition: header)
        case .noSuchKey: .noSuchKey(key)
        case .conflict:
            .conditionalRequestConflict
        }
    }

    static func checkContentLength(_ request: AWSRequest, max: Int) throws {
        let length = request.header("x-amz-decoded-content-length").flatMap { Int($0) } ?? request.header("content-length").flatMap { Int($0) }
        guard let length else {
            if request.header("transfer-encoding") != nil { throw S3Error.missingContentLength }
            return
        }
        if length > max { throw S3Error.entityTooLarge(proposed: length, max: max) }
    }

    /// Conditional writes (`If-None-Match: *`, `If-Match`): refuses early, before the body is read, when the
    /// condition already fails, and returns the condition for the commit to judge again in its transaction (a
    /// concurrent write may commit in between: the first to commit wins, as on S3).
    /// - Parameters:
    ///   - request: The request.
    ///   - bucket: The bucket.
    ///   - key: The key.
    /// - Returns: The condition, or nil when the request has none.
    /// - Throws: `PreconditionFailed`, `NoSuchKey`, `NotImplemented` for `If-None-Match` other than `*`.
    func checkWriteConditions(_ request: AWSRequest, bucket: String, key: String) async throws -> WriteCondition? {
        let ifNoneMatch = request.header("if-none-match")
        let ifMatch = request.header("if-match")
        guard ifNoneMatch != nil || ifMatch != nil else { return nil }
        if let ifNoneMatch, SigV4Encoding.trimmingWhitespace(ifNoneMatch) != "*" {
            throw S3Error.notImplemented
        }
        let existing = try await store.object(bucket: bucket, key: key).flatMap { $0.isDeleteMarker ? nil : $0 }
        let condition = WriteCondition(ifNoneMatchAny: ifNoneMatch != nil, ifMatch: ifMatch, objectSeenEarlier: existing != nil)
        if let failure = condition.failure(current: existing) { throw Self.writeConditionError(failure, key: key) }
        return condition
    }

    // MARK: GetObject / HeadObject

    /// [GetObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html) and
    /// [HeadObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
    func getObject(_ request: AWSRequest, _ bucketName: String, _ key: String, head: Bool) async throws -> Response {
        let versionId = try Self.requestedVersionId(request)
        let partNumber = try Self.requestedPartNumber(request)
        let tagKeys = try await existingTagKeys(request, bucket: bucketName, key: key, versionId: versionId)
        let action = versionId == nil ? "s3:GetObject" : "s3:GetObjectVersion"
        try await authorize(request, action, [Self.objectArn(bucketName, key)], context: tagKeys)
        let bucket = try await requireBucket(bucketName)
        for _ in 0..<3 {
            let record = try await readableObject(bucket: bucket, key: key, versionId: versionId, method: head ? "HEAD" : "GET")
            var fields = HTTPFields()
            fields[.eTag] = record.etag
            fields[.lastModified] = Timestamp.httpDate(record.lastModified)
            switch Self.evaluateConditions(
                etag: record.etag,
                lastModified: record.lastModified,
                ifMatch: request.header("if-match"),
                ifNoneMatch: request.header("if-none-match"),
                ifModifiedSince: request.header("if-modified-since"),
                ifUnmodifiedSince: request.header("if-unmodified-since")
            ) {
            case .proceed: break
            case .notModified:
                if Self.reportsVersions(bucket) { Self.set(&fields, "x-amz-version-id", record.versionId) }
                return Response(status: .notModified, headers: fields, body: ResponseBody())
            case .preconditionFailed(let condition): throw S3Error.preconditionFailed(condition: condition)
            }

            var status: HTTPResponse.Status = .ok
            var start = 0
            var length = record.size
            if let partNumber {
                guard let part = Self.partRange(partNumber, of: record) else { throw S3Error.invalidPartNumber }
                status = .partialContent
                start = part.lowerBound
                length = part.count
                if let last = part.last { fields[.contentRange] = "bytes \(part.lowerBound)-\(last)/\(record.size)" }
            } else {
                switch Self.parseRange(request.header("range"), size: record.size) {
                case .whole: break
                case .unsatisfiable:
                    throw S3Error.invalidRange(requested: request.header("range") ?? "", size: record.size)
                case .bytes(let bytes):
                    status = .partialContent
                    start = bytes.lowerBound
                    length = bytes.count
                    fields[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(record.size)"
                }
            }
            fillObjectHeaders(&fields, record: record, bucket: bucket, request: request, wholeObject: status == .ok)
            fields[.contentLength] = String(length)
            if head || length == 0 {
                return Response(status: status, headers: fields, body: ResponseBody())
            }
            // A body the cache keeps goes out from memory (read and kept on a miss): on Linux writing a buffer costs the
            // kernel less than sendfile, and a hit makes no file system call.
            if BodyCache.keeps(size: record.size) {
                guard let whole = try await store.wholeObjectBody(record.blob, size: record.size) else { continue }
                let slice = whole.getSlice(at: whole.readerIndex + start, length: length) ?? whole
                return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: slice))
            }
            // A plaintext connection sends a larger body straight from the blob (sendfile): no copy into the process.
            if length > BlobIO.sendsFromFileAbove, let bodies = FileBodies.current {
                guard let file = try await store.openObjectForSending(record.blob, size: start + length) else { continue }
                let marker = bodies.marker(descriptor: file.fileDescriptor, offset: start, count: length, keepingAlive: file)
                let body = ResponseBody(contentLength: length) { writer in
                    try await writer.write(marker)
                    try await writer.finish(nil)
                }
                return Response(status: status, headers: fields, body: body)
            }
            // Open and read the first block in one job on the store's I/O threads; a body that fits is sent whole.
            // Up to 1 MiB in the first job (one hop for most objects), the rest in 256 KiB blocks.
            let block = 256 * 1024
            let firstCount = min(4 * block, length)
            guard let opened = try await store.openObject(record.blob, readingAt: start, count: firstCount, keepOpen: length > firstCount)
            else {
                continue  // overwritten or deleted between the row read and the open: read the row again
            }
            let first = opened.first
            guard let file = opened.file, first.readableBytes == firstCount else {
                return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: first))
            }
            let bodyStart = start
            let end = start + length
            let body = ResponseBody(contentLength: length) { writer in
                var offset = bodyStart + first.readableBytes
                try await writer.write(first)
                while offset < end {
                    let chunk = try await file.readChunk(at: offset, count: min(block, end - offset))
                    if chunk.readableBytes == 0 { break }
                    offset += chunk.readableBytes
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            }
            return Response(status: status, headers: fields, body: body)
        }
        throw S3Error.noSuchKey(key)
    }

    func fillObjectHeaders(_ fields: inout HTTPFields, record: ObjectRecord, bucket: BucketRecord, request: AWSRequest, wholeObject: Bool) {
        let headers = record.headers
        fields[.acceptRanges] = "bytes"
        fields[.contentType] = request.query("response-content-type") ?? headers.contentType ?? "binary/octet-stream"
        if let value = request.query("response-content-language") ?? headers.contentLanguage { fields[.contentLanguage] = value }
        if let value = request.query("response-expires") ?? headers.expires { fields[.expires] = value }
        if let value = request.query("response-cache-control") ?? headers.cacheControl { fields[.cacheControl] = value }
        if let value = request.query("response-content-disposition") ?? headers.contentDisposition { fields[.contentDisposition] = value }
        if let value = request.query("response-content-encoding") ?? headers.contentEncoding { fields[.contentEncoding] = value }
        if let value = headers.websiteRedirectLocation { Self.set(&fields, "x-amz-website-redirect-location", value) }
        for (name, value) in headers.metadata.sorted(by: { $0.key < $1.key }) {
            Self.set(&fields, "x-amz-meta-" + name, MetadataEncoding.encode(value))
        }
        if headers.storageClass != "STANDARD" { Self.set(&fields, "x-amz-storage-class", headers.storageClass) }
        if !record.tags.isEmpty { Self.set(&fields, "x-amz-tagging-count", String(record.tags.count)) }
        if let parts = record.partsCount, request.query("partNumber") != nil { Self.set(&fields, "x-amz-mp-parts-count", String(parts)) }
        if request.header("x-amz-checksum-mode")?.uppercased() == "ENABLED", wholeObject, let algorithm = record.checksumAlgorithm,
            let value = record.checksumValue
        {
            Self.set(&fields, algorithm.headerName, value)
            Self.set(&fields, "x-amz-checksum-type", record.checksumType ?? "FULL_OBJECT")
        }
        writeHeaders(&fields, record: record, bucket: bucket)
    }

    // MARK: DeleteObject / DeleteObjects

    /// [DeleteObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html): the null version of a
    /// bucket that was never versioned goes; in a versioned bucket a delete marker is added, or the version named by
    /// `versionId` is deleted for good.
    func deleteObject(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        let versionId = try Self.requestedVersionId(request)
        let action = versionId == nil ? "s3:DeleteObject" : "s3:DeleteObjectVersion"
        try await authorize(request, action, [Self.objectArn(bucketName, key)])
        let bucket = try await requireBucket(bucketName)
        let result = try await removeObject(bucket: bucket, key: key, versionId: versionId, ifMatch: request.header("if-match"))
        var fields = HTTPFields()
        fields[.amzId2] = RequestID.s3HostID()
        if result.deleteMarker { Self.set(&fields, "x-amz-delete-marker", "true") }
        if let versionId = result.versionId { Self.set(&fields, "x-amz-version-id", versionId) }
        if let eventName = result.eventName {
            let eventVersion = result.versionId ?? (Self.reportsVersions(bucket) ? S3VersionID.null : nil)
            await notify(request, bucket: bucket, eventName: eventName, key: key, versionId: eventVersion, responseHeaders: fields)
        }
        return Self.empty(.noContent, headers: fields)
    }

    /// [DeleteObjects](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html), with `<VersionId>` per
    /// object as DeleteObject's `versionId`.
    func deleteObjects(_ request: AWSRequest, _ bucketName: String) async throws -> Response {
        let body = try await RequestBodyReader(request: request).collect()
        let bucket = try await requireBucket(bucketName)
        let root = try XMLTree.parse(body)
        guard root.name == "Delete" else { throw S3Error.malformedXML }
        let objects = root.all("Object")
        guard !objects.isEmpty, objects.count <= 1000 else { throw S3Error.malformedXML }
        let quiet = root.value("Quiet")?.lowercased() == "true"
        var deleted: [(key: String, versionId: String?, result: DeleteResult)] = []
        var errors: [(key: String, versionId: String?, code: String, message: String)] = []
        for node in objects {
            guard let key = node.child("Key")?.text else { throw S3Error.malformedXML }
            let versionId = node.child("VersionId")?.text
            if let versionId, !S3VersionID.isWellFormed(versionId) {
                errors.append((key, versionId, "NoSuchVersion", S3Messages.noSuchVersion))
                continue
            }
            do {
                let action = versionId == nil ? "s3:DeleteObject" : "s3:DeleteObjectVersion"
                try await authorizeAccess(request, action, [Self.objectArn(bucketName, key)], context: { [:] })
            } catch let denied as S3Error {
                errors.append((key, versionId, denied.code, denied.message))
                continue
            }
            let result: DeleteResult
            let etag = node.child("ETag")?.text
            do {
                result = try await removeObject(bucket: bucket, key: key, versionId: versionId, ifMatch: etag)
            } catch let failed as S3Error where etag != nil {
                errors.append((key, versionId, failed.code, failed.message))
                continue
            }
            if let eventName = result.eventName {
                let eventVersion = result.versionId ?? (Self.reportsVersions(bucket) ? S3VersionID.null : nil)
                await notify(request, bucket: bucket, eventName: eventName, key: key, versionId: eventVersion)
            }
            deleted.append((key, versionId, result))
        }
        var xml = XMLWriter()
        xml.element("DeleteResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            if !quiet {
                for entry in deleted {
                    xml.element("Deleted") { xml in
                        xml.element("Key", entry.key)
                        if let versionId = entry.versionId { xml.element("VersionId", versionId) }
                        if entry.result.deleteMarker {
                            xml.element("DeleteMarker", "true")
                            if let markerId = entry.result.versionId { xml.element("DeleteMarkerVersionId", markerId) }
                        }
                    }
                }
            }
            for error in errors {
                xml.element("Error") { xml in
                    xml.element("Key", error.key)
                    if let versionId = error.versionId { xml.element("VersionId", versionId) }
                    xml.element("Code", error.code)
                    xml.element("Message", error.message)
                }
            }
        }
        return Self.xml(xml.result)
    }

    // MARK: CopyObject

    /// Parses `x-amz-copy-source` (`bucket/key`, `/bucket/key`, URL-encoded, optional `?versionId=`).
    static func copySource(_ request: AWSRequest) throws -> (bucket: String, key: String, versionId: String?) {
        var raw = request.header("x-amz-copy-source") ?? ""
        var versionId: String?
        if let mark = raw.range(of: "?versionId=") {
            versionId = try checkedVersionId(URLComponentsDecoding.decode(String(raw[mark.upperBound...])), name: "x-amz-copy-source")
            raw = String(raw[..<mark.lowerBound])
        }
        let decoded = URLComponentsDecoding.decode(raw)
        let trimmed = decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded
        guard let slash = trimmed.firstIndex(of: "/"), slash != trimmed.startIndex, trimmed.index(after: slash) != trimmed.endIndex else {
            throw S3Error.invalidArgument(
                message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                name: "x-amz-copy-source",
                value: raw
            )
        }
        return (String(trimmed[..<slash]), String(trimmed[trimmed.index(after: slash)...]), versionId)
    }

    /// Loads the copy source (the version `?versionId=` names, else the current one) and checks the
    /// `x-amz-copy-source-if-*` conditions.
    /// - Returns: The source and whether its bucket reports versions (`x-amz-copy-source-version-id`).
    func copySourceObject(_ request: AWSRequest) async throws -> (record: ObjectRecord, reportsVersion: Bool) {
        let source = try Self.copySource(request)
        let tagKeys = try await existingTagKeys(request, bucket: source.bucket, key: source.key, versionId: source.versionId)
        let action = source.versionId == nil ? "s3:GetObject" : "s3:GetObjectVersion"
        try await authorize(request, action, [Self.objectArn(source.bucket, source.key)], context: tagKeys, version: .named(source.versionId))
        let sourceBucket = try await requireBucket(source.bucket)
        let record: ObjectRecord
        if let versionId = source.versionId {
            guard let found = try await store.version(bucket: source.bucket, key: source.key, versionId: versionId) else {
                throw S3Error.noSuchVersion(key: source.key, versionId: versionId)
            }
            if found.isDeleteMarker { throw S3Error.invalidRequest(S3Messages.copySourceDeleteMarker) }
            record = found
        } else {
            guard let found = try await store.object(bucket: source.bucket, key: source.key), !found.isDeleteMarker else {
                throw S3Error.noSuchKey(source.key)
            }
            record = found
        }
        let outcome = Self.evaluateConditions(
            etag: record.etag,
            lastModified: record.lastModified,
            ifMatch: request.header("x-amz-copy-source-if-match"),
            ifNoneMatch: request.header("x-amz-copy-source-if-none-match"),
            ifModifiedSince: request.header("x-amz-copy-source-if-modified-since"),
            ifUnmodifiedSince: request.header("x-amz-copy-source-if-unmodified-since"),
            names: [
                "x-amz-copy-source-If-Match", "x-amz-copy-source-If-None-Match", "x-amz-copy-source-If-Modified-Since",
                "x-amz-copy-source-If-Unmodified-Since",
            ]
        )
        switch outcome {
        case .proceed: return (record, Self.reportsVersions(sourceBucket))
        case .notModified:
            let name =
                request.header("x-amz-copy-source-if-none-match") != nil ? "x-amz-copy-source-If-None-Match" : "x-amz-copy-source-If-Modified-Since"
            throw S3Error.preconditionFailed(condition: name)
        case .preconditionFailed(let condition): throw S3Error.preconditionFailed(condition: condition)
        }
    }

    /// Copies a byte range of a blob into a new temporary file, fsynced, with MD5 and an optional checksum.
    func copyBlob(_ source: URL, range: ClosedRange<Int>?, size: Int, algorithm: ChecksumAlgorithm?) async throws -> (URL, ReceivedBody) {
        let input = try ReadableFile(url: source)
        let temporary = store.temporaryURL()
        let output = WritableFile(url: temporary, io: store.io)
        var md5 = MD5Hasher()
        var checksum = algorithm.map { ChecksumHasher($0) }
        var offset = range?.lowerBound ?? 0
        let end = range.map { $0.upperBound + 1 } ?? size
        do {
            while offset < end {
                let chunk = try input.read(at: offset, count: min(1024 * 1024, end - offset))
                if chunk.readableBytes == 0 { break }
                offset += chunk.readableBytes
                try chunk.withUnsafeReadableBytes { bytes in
                    md5.update(bytes)
                    checksum?.update(bytes)
                    try output.append(bytes)
                }
                try await output.flushIfFull()
            }
            try await output.syncAndClose()
        } catch {
            await output.discard()
            throw error
        }
        let copied = offset - (range?.lowerBound ?? 0)
        let received = ReceivedBody(size: copied, md5: md5.finalize(), checksum: checksum.map { ($0.algorithm, $0.finalize()) })
        return (temporary, received)
    }

    /// [CopyObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
    func copyObject(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:PutObject", [Self.objectArn(bucketName, key)], context: S3ConditionKeys.objectWrite(request))
        let bucket = try await requireBucket(bucketName)
        let acl = try requestedObjectACL({ request.header($0) }, bucket: bucket, region: request.region, method: "PUT")
        let (source, sourceReportsVersion) = try await copySourceObject(request)
        let directive = request.header("x-amz-metadata-directive")?.uppercased() ?? "COPY"
        guard directive == "COPY" || directive == "REPLACE" else {
            throw S3Error.invalidArgument(message: "Unknown metadata directive.", name: "x-amz-metadata-directive", value: directive)
        }
        let taggingDirective = request.header("x-amz-tagging-directive")?.uppercased() ?? "COPY"
        guard taggingDirective == "COPY" || taggingDirective == "REPLACE" else {
            throw S3Error.invalidArgument(message: "Unknown tagging directive.", name: "x-amz-tagging-directive", value: taggingDirective)
        }
        var headers: ObjectHeaders
        if directive == "REPLACE" {
            headers = try objectHeaders(from: request, bucket: bucket)
            if headers.contentType == nil { headers.contentType = "binary/octet-stream" }
        } else {
            headers = source.headers
            if let storageClass = request.header("x-amz-storage-class") {
                guard Self.storageClasses.contains(storageClass) else {
                    throw S3Error.invalidStorageClass
                }
                headers.storageClass = storageClass
            } else {
                headers.storageClass = "STANDARD"
            }
            headers.serverSideEncryption = nil
            headers.kmsKeyId = nil
            headers.bucketKeyEnabled = nil
            try applyEncryption(&headers, request: request, bucket: bucket)
        }
        // A copy that names the source version (`?versionId=`, also of the current version) makes a new version or
        // restores an older one: only a copy of the unnamed current object onto itself is refused.
        let namesVersion = try Self.copySource(request).versionId != nil
        let sameObject = source.bucket == bucketName && source.key == key && source.isLatest && !namesVersion
        if sameObject && directive == "COPY" && request.header("x-amz-storage-class") == nil
            && request.header("x-amz-server-side-encryption") == nil && request.header("x-amz-website-redirect-location") == nil
        {
            throw S3Error.invalidRequest(S3Messages.copyToItself)
        }
        let tags = taggingDirective == "REPLACE" ? try request.header("x-amz-tagging").map(ConfigurationXML.parseTaggingHeader) ?? [] : source.tags
        let algorithm =
            try request.header("x-amz-checksum-algorithm").map { name throws -> ChecksumAlgorithm in
                guard let algorithm = ChecksumAlgorithm(rawValue: name.uppercased()) else {
                    throw S3Error.invalidRequest("Invalid checksum algorithm")
                }
                return algorithm
            } ?? source.checksumAlgorithm
        let condition = try await checkWriteConditions(request, bucket: bucketName, key: key)
        let (temporary, copied) = try await copyBlob(store.objectURL(source.blob), range: nil, size: source.size, algorithm: algorithm)
        let blob = try await store.place(temporary)
        var record = ObjectRecord(
            bucket: bucketName,
            key: key,
            blob: blob,
            size: copied.size,
            etag: "\"\(copied.md5Hex)\"",
            headers: headers,
            checksumAlgorithm: copied.checksum?.algorithm,
            checksumValue: copied.checksum?.value,
            checksumType: copied.checksum == nil ? nil : "FULL_OBJECT",
            tags: tags,
            lastModified: clock.now,
            versionId: newVersionId(for: bucket),
            partsCount: nil
        )
        record.acl = acl
        try await save(record, condition: condition)
        var fields = HTTPFields()
        writeHeaders(&fields, record: record, bucket: bucket)
        if sourceReportsVersion { Self.set(&fields, "x-amz-copy-source-version-id", source.versionId) }
        fields[.amzId2] = RequestID.s3HostID()
        var xml = XMLWriter()
        xml.element("CopyObjectResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("LastModified", Timestamp.iso8601Milliseconds(record.lastModified))
            xml.element("ETag", record.etag)
            if let checksum = copied.checksum {
                xml.element("ChecksumType", "FULL_OBJECT")
                xml.element(checksum.algorithm.elementName, checksum.value)
            }
        }
        await notify(
            request,
            bucket: bucket,
            eventName: "ObjectCreated:Copy",
            key: key,
            size: record.size,
            etag: record.etag,
            versionId: Self.reportsVersions(bucket) ? record.versionId : nil,
            responseHeaders: fields
        )
        return Self.xml(xml.result, headers: fields)
    }

    // MARK: Object tagging

    /// [GetObjectTagging](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html).
    func getObjectTagging(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        let versionId = try Self.requestedVersionId(request)
        let tagKeys = try await existingTagKeys(request, bucket: bucketName, key: key, versionId: versionId)
        let action = versionId == nil ? "s3:GetObjectTagging" : "s3:GetObjectVersionTagging"
        try await authorize(request, action, [Self.objectArn(bucketName, key)], context: tagKeys)
        let bucket = try await requireBucket(bucketName)
        let record = try await readableObject(bucket: bucket, key: key, versionId: versionId, method: "GET")
        var fields = HTTPFields()
        if Self.reportsVersions(bucket) { Self.set(&fields, "x-amz-version-id", record.versionId) }
        return Self.xml(ConfigurationXML.renderTagging(record.tags), headers: fields)
    }

    /// [PutObjectTagging](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html).
    func putObjectTagging(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        let versionId = try Self.requestedVersionId(request)
        let tagKeys = try await existingTagKeys(request, bucket: bucketName, key: key, versionId: versionId)
        let action = versionId == nil ? "s3:PutObjectTagging" : "s3:PutObjectVersionTagging"
        try await authorize(request, action, [Self.objectArn(bucketName, key)], context: tagKeys)
        let body = try await RequestBodyReader(request: request).collect()
        let bucket = try await requireBucket(bucketName)
        let tags = try ConfigurationXML.parseTagging(body, maxTags: 10)
        return try await changeTags(bucket: bucket, key: key, versionId: versionId, tags: tags, method: "PUT", status: .ok)
    }

    /// [DeleteObjectTagging](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjectTagging.html).
    func deleteObjectTagging(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        let versionId = try Self.requestedVersionId(request)
        let tagKeys = try await existingTagKeys(request, bucket: bucketName, key: key, versionId: versionId)
        let action = versionId == nil ? "s3:DeleteObjectTagging" : "s3:DeleteObjectVersionTagging"
        try await authorize(request, action, [Self.objectArn(bucketName, key)], context: tagKeys)
        let bucket = try await requireBucket(bucketName)
        return try await changeTags(bucket: bucket, key: key, versionId: versionId, tags: [], method: "DELETE", status: .noContent)
    }

    /// Sets the tags of the current version or of the version named, answering as S3 does for delete markers.
    private func changeTags(
        bucket: BucketRecord,
        key: String,
        versionId: String?,
        tags: [S3Tag],
        method: String,
        status: HTTPResponse.Status
    ) async throws -> Response {
        switch try await store.setTags(bucket: bucket.name, key: key, versionId: versionId, tags: tags) {
        case .updated(let record):
            var fields = HTTPFields()
            if Self.reportsVersions(bucket) { Self.set(&fields, "x-amz-version-id", record.versionId) }
            return Self.empty(status, headers: fields)
        case .noSuchKey, .noSuchVersion, .deleteMarker:
            // The same answers a read gives: NoSuchKey (behind a current delete marker), NoSuchVersion, or
            // MethodNotAllowed for a delete marker named by version.
            _ = try await readableObject(bucket: bucket, key: key, versionId: versionId, method: method)
            throw S3Error.noSuchKey(key)
        }
    }
}

/// A tiny MD5 wrapper so byte pointers can be fed without importing Crypto everywhere.
struct MD5Hasher {
    private var hasher = Crypto.Insecure.MD5()

    mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    func finalize() -> [UInt8] { Array(hasher.finalize()) }
}
