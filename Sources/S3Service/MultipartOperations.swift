import AWSGateway
import Crypto
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SigV4
import Synchronization

/// The answers of recently completed multipart uploads: S3 answers a CompleteMultipartUpload re-sent after it
/// succeeded (a client retrying after a lost response) with the same result, not `NoSuchUpload`, while the object
/// it made is still the key's current one. Kept in memory for the last 1,000 completions.
package final class CompletedUploads: Sendable {
    /// One completion's facts and answer.
    struct Entry: Sendable {
        var bucket: String
        var key: String
        /// The completed parts: number and ETag without quotes.
        var parts: [CompletedPart]
        var versionId: String
        var etag: String
        var body: String
        var headers: HTTPFields
    }

    /// A part as CompleteMultipartUpload names it.
    struct CompletedPart: Sendable, Equatable {
        var number: Int
        var etag: String
    }

    private static let capacity = 1_000
    private let state = Mutex<(entries: [String: Entry], order: [String])>(([:], []))

    /// Creates an empty record.
    package init() {}

    func remember(_ uploadId: String, _ entry: Entry) {
        state.withLock { state in
            if state.entries.updateValue(entry, forKey: uploadId) == nil { state.order.append(uploadId) }
            if state.order.count > Self.capacity {
                state.entries[state.order.removeFirst()] = nil
            }
        }
    }

    func entry(_ uploadId: String) -> Entry? {
        state.withLock { $0.entries[uploadId] }
    }
}

extension S3Service {
    private func requireUpload(_ request: AWSRequest, bucket: String, key: String) async throws -> UploadRecord {
        let uploadId = request.query("uploadId") ?? ""
        guard let upload = try await store.upload(uploadId), upload.bucket == bucket, upload.key == key else {
            throw S3Error.noSuchUpload(uploadId)
        }
        return upload
    }

    private static func partNumber(_ request: AWSRequest) throws -> Int {
        let text = request.query("partNumber") ?? ""
        guard let number = Int(text), (1...10_000).contains(number) else {
            throw S3Error.invalidArgument(message: S3Messages.partNumberInvalid, name: "partNumber", value: text)
        }
        return number
    }

    /// [CreateMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html).
    func createMultipartUpload(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:PutObject", [Self.objectArn(bucketName, key)], context: S3ConditionKeys.objectWrite(request))
        let bucket = try await requireBucket(bucketName)
        let acl = try requestedObjectACL({ request.header($0) }, bucket: bucket, region: request.region, method: "POST")
        var headers = try objectHeaders(from: request, bucket: bucket)
        if headers.contentType == nil { headers.contentType = "binary/octet-stream" }
        let tags = try request.header("x-amz-tagging").map(ConfigurationXML.parseTaggingHeader) ?? []
        var algorithm: ChecksumAlgorithm?
        if let name = request.header("x-amz-checksum-algorithm") {
            guard let value = ChecksumAlgorithm(rawValue: name.uppercased()) else {
                throw S3Error.invalidRequest(
                    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, SHA1, SHA256]"
                )
            }
            algorithm = value
        }
        var generator = EmulatorRandom.idGenerator("s3-upload-ids")
        let uploadId = Data((0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let record = UploadRecord(
            uploadId: uploadId,
            bucket: bucketName,
            key: key,
            initiated: clock.now,
            headers: headers,
            checksumAlgorithm: algorithm,
            tags: tags,
            acl: acl
        )
        try await store.createUpload(record)
        var fields = HTTPFields()
        Self.encryptionHeaders(&fields, headers)
        if let algorithm {
            Self.set(&fields, "x-amz-checksum-algorithm", algorithm.rawValue)
            Self.set(&fields, "x-amz-checksum-type", "COMPOSITE")
        }
        if let rules = bucket.configuration.lifecycle {
            for rule in rules where rule.abortIncompleteMultipartUploadDays != nil && LifecycleEvaluator.applies(rule, key: key, size: 0, tags: []) {
                if let days = rule.abortIncompleteMultipartUploadDays {
                    let date = LifecycleEvaluator.expiry(of: record.initiated, days: days)
                    Self.set(&fields, "x-amz-abort-date", Timestamp.httpDate(date))
                    Self.set(&fields, "x-amz-abort-rule-id", rule.id ?? "")
                    break
                }
            }
        }
        var xml = XMLWriter()
        xml.element("InitiateMultipartUploadResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Bucket", bucketName)
            xml.element("Key", key)
            xml.element("UploadId", uploadId)
        }
        return Self.xml(xml.result, headers: fields)
    }

    /// [UploadPart](https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html).
    func uploadPart(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:PutObject", [Self.objectArn(bucketName, key)])
        _ = try await requireBucket(bucketName)
        let number = try Self.partNumber(request)
        let upload = try await requireUpload(request, bucket: bucketName, key: key)
        try Self.checkContentLength(request, max: Self.maxObjectSize)
        let reader = RequestBodyReader(request: request)
        // A part checksummed with another algorithm than the upload's cannot join its composite checksum.
        if let expected = upload.checksumAlgorithm, let declared = try reader.declaredChecksumAlgorithm(), declared != expected {
            throw S3Error.invalidRequest(S3Messages.checksumTypeMismatch(expected: expected, actual: declared))
        }
        let (file, blob) = store.bodyFile(part: true)
        let received = try await reader.read(
            into: file,
            checksumAlgorithm: upload.checksumAlgorithm,
            maxSize: Self.maxObjectSize
        )
        try await store.finish(file, part: true)
        let part = PartRecord(
            uploadId: upload.uploadId,
            partNumber: number,
            blob: blob,
            size: received.size,
            etag: "\"\(received.md5Hex)\"",
            checksumValue: received.checksum?.value,
            lastModified: clock.now
        )
        let outcome = try await store.putPart(part)
        if let replaced = outcome.replaced { store.removeBlobs(parts: [replaced]) }
        if outcome.uploadMissing { throw S3Error.noSuchUpload(upload.uploadId) }
        var fields = HTTPFields()
        fields[.eTag] = part.etag
        Self.encryptionHeaders(&fields, upload.headers)
        if let checksum = received.checksum { Self.set(&fields, checksum.algorithm.headerName, checksum.value) }
        return Self.empty(.ok, headers: fields)
    }

    /// [UploadPartCopy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html).
    func uploadPartCopy(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:PutObject", [Self.objectArn(bucketName, key)])
        _ = try await requireBucket(bucketName)
        let number = try Self.partNumber(request)
        let upload = try await requireUpload(request, bucket: bucketName, key: key)
        let (source, sourceReportsVersion) = try await copySourceObject(request)
        let range = try request.header("x-amz-copy-source-range").map { header throws(S3Error) in
            try Self.copySourceRange(header, size: source.size)
        }
        let (temporary, copied) = try await copyBlob(
            store.objectURL(source.blob),
            range: range,
            size: source.size,
            algorithm: upload.checksumAlgorithm
        )
        let blob = try await store.place(temporary, part: true)
        let part = PartRecord(
            uploadId: upload.uploadId,
            partNumber: number,
            blob: blob,
            size: copied.size,
            etag: "\"\(copied.md5Hex)\"",
            checksumValue: copied.checksum?.value,
            lastModified: clock.now
        )
        let outcome = try await store.putPart(part)
        if let replaced = outcome.replaced { store.removeBlobs(parts: [replaced]) }
        if outcome.uploadMissing { throw S3Error.noSuchUpload(upload.uploadId) }
        var fields = HTTPFields()
        if sourceReportsVersion { Self.set(&fields, "x-amz-copy-source-version-id", source.versionId) }
        Self.encryptionHeaders(&fields, upload.headers)
        var xml = XMLWriter()
        xml.element("CopyPartResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("LastModified", Timestamp.iso8601Milliseconds(part.lastModified))
            xml.element("ETag", part.etag)
            if let checksum = copied.checksum { xml.element(checksum.algorithm.elementName, checksum.value) }
        }
        return Self.xml(xml.result, headers: fields)
    }

    /// The parts a CompleteMultipartUpload body names, read leniently (for matching a re-sent completion).
    private static func namedParts(_ root: XMLTree) -> [CompletedUploads.CompletedPart] {
        root.all("Part").map { node in
            CompletedUploads.CompletedPart(
                number: node.value("PartNumber").flatMap { Int($0) } ?? 0,
                etag: (node.value("ETag") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            )
        }
    }

    /// The answer to a CompleteMultipartUpload re-sent after it succeeded: the same result, while the object it made
    /// is the key's current version and the same parts are named; nil otherwise.
    private func replayedCompletion(_ uploadId: String, bucket: String, key: String, root: XMLTree) async throws -> Response? {
        guard let entry = completedUploads.entry(uploadId), entry.bucket == bucket, entry.key == key,
            entry.parts == Self.namedParts(root),
            let current = try await store.object(bucket: bucket, key: key),
            current.versionId == entry.versionId, current.etag == entry.etag
        else { return nil }
        return Self.xml(entry.body, headers: entry.headers)
    }

    /// Parses UploadPartCopy's `x-amz-copy-source-range` as S3 does: exactly `bytes=first-last` (zero-based,
    /// inclusive); a range reaching past the source is refused with the source's size.
    /// - Parameters:
    ///   - header: The header value.
    ///   - size: The source object's size.
    /// - Returns: The bytes to copy.
    /// - Throws: `InvalidArgument` "The x-amz-copy-source-range value must be of the form bytes=first-last..." for
    ///   any other form (suffix and open ranges, several ranges, first after last), and "Range specified is not valid
    ///   for source object of size: N" when first or last is not inside the source.
    package static func copySourceRange(_ header: String, size: Int) throws(S3Error) -> ClosedRange<Int> {
        let form = S3Error.invalidArgument(
            message:
                "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
            name: "x-amz-copy-source-range",
            value: header
        )
        guard header.hasPrefix("bytes=") else { throw form }
        let bounds = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        let digits = { (text: Substring) in !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        guard bounds.count == 2, digits(bounds[0]), digits(bounds[1]) else { throw form }
        // A number beyond Int is past the end of any source.
        let first = Int(bounds[0]) ?? .max
        let last = Int(bounds[1]) ?? .max
        guard first <= last else { throw form }
        guard last < size else {
            throw S3Error.invalidArgument(
                message: "Range specified is not valid for source object of size: \(size)",
                name: "x-amz-copy-source-range",
                value: header
            )
        }
        return first...last
    }

    /// [CompleteMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
    func completeMultipartUpload(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:PutObject", [Self.objectArn(bucketName, key)])
        let body = try await RequestBodyReader(request: request).collect()
        let bucket = try await requireBucket(bucketName)
        let upload: UploadRecord
        do {
            upload = try await requireUpload(request, bucket: bucketName, key: key)
        } catch S3Error.noSuchUpload(let uploadId) {
            if let root = try? XMLTree.parse(body), root.name == "CompleteMultipartUpload",
                let replay = try await replayedCompletion(uploadId, bucket: bucketName, key: key, root: root)
            {
                return replay
            }
            throw S3Error.noSuchUpload(uploadId)
        }
        let condition = try await checkWriteConditions(request, bucket: bucketName, key: key)
        let root = try XMLTree.parse(body)
        guard root.name == "CompleteMultipartUpload" else { throw S3Error.malformedXML }
        let requested = root.all("Part")
        guard !requested.isEmpty else { throw S3Error.malformedXML }
        let stored = Dictionary(uniqueKeysWithValues: try await store.parts(upload.uploadId).map { ($0.partNumber, $0) })
        var chosen: [PartRecord] = []
        var previous = 0
        for node in requested {
            guard let numberText = node.value("PartNumber"), let number = Int(numberText), let etag = node.value("ETag") else {
                throw S3Error.malformedXML
            }
            guard number > previous else { throw S3Error.invalidPartOrder(uploadId: upload.uploadId) }
            previous = number
            guard let part = stored[number], Self.etagMatches(etag, part.etag) else {
                throw S3Error.invalidPart(uploadId: upload.uploadId, partNumber: number, etag: etag)
            }
            if let algorithm = upload.checksumAlgorithm, let declared = node.value(algorithm.elementName), declared != part.checksumValue {
                throw S3Error.invalidPart(uploadId: upload.uploadId, partNumber: number, etag: etag)
            }
            chosen.append(part)
        }
        for (index, part) in chosen.enumerated() where index < chosen.count - 1 && part.size < Self.minPartSize {
            throw S3Error.entityTooSmall(proposed: part.size, partNumber: part.partNumber, etag: part.etag)
        }

        // Concatenate the parts into one new object file, fsynced before the metadata commit.
        let temporary = store.temporaryURL()
        let output = WritableFile(url: temporary, io: store.io)
        var md5s: [UInt8] = []
        var checksumConcatenation: [UInt8] = []
        var size = 0
        do {
            for part in chosen {
                let input = try ReadableFile(url: store.partURL(part.blob))
                var offset = 0
                while offset < part.size {
                    let chunk = try input.read(at: offset, count: min(1024 * 1024, part.size - offset))
                    if chunk.readableBytes == 0 { break }
                    offset += chunk.readableBytes
                    try chunk.withUnsafeReadableBytes { try output.append($0) }
                    try await output.flushIfFull()
                }
                size += offset
                md5s += Self.hexBytes(part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
                if let value = part.checksumValue, let digest = Data(base64Encoded: value) { checksumConcatenation += digest }
            }
            try await output.syncAndClose()
        } catch {
            await output.discard()
            throw error
        }
        let etag = "\"\(SigV4Encoding.hex(Insecure.MD5.hash(data: md5s)))-\(chosen.count)\""
        var checksumValue: String?
        if let algorithm = upload.checksumAlgorithm, checksumConcatenation.count == algorithm.digestLength * chosen.count {
            checksumValue = ChecksumHasher.digest(algorithm, of: checksumConcatenation) + "-\(chosen.count)"
        }
        let blob = try await store.place(temporary)
        var record = ObjectRecord(
            bucket: bucketName,
            key: key,
            blob: blob,
            size: size,
            etag: etag,
            headers: upload.headers,
            checksumAlgorithm: checksumValue == nil ? nil : upload.checksumAlgorithm,
            checksumValue: checksumValue,
            checksumType: checksumValue == nil ? nil : "COMPOSITE",
            tags: upload.tags,
            lastModified: clock.now,
            versionId: newVersionId(for: bucket),
            partsCount: chosen.count,
            partSizes: chosen.map(\.size)
        )
        record.acl = upload.acl
        // The condition is judged again in the transaction that commits the row: of two concurrent conditional
        // completions (or a completion and a PUT) the first to commit wins.
        let completed = try await store.completeUpload(upload.uploadId, object: record, condition: condition)
        switch completed.outcome {
        case .written(let replaced):
            store.removeBlobs(objects: replaced.map { [$0] } ?? [], parts: completed.parts)
        case .uploadMissing, .bucketMissing:
            store.removeBlobs(objects: [blob])
            throw S3Error.noSuchUpload(upload.uploadId)
        case .conditionFailed(let failure):
            store.removeBlobs(objects: [blob])
            throw Self.writeConditionError(failure, key: key)
        }

        var fields = HTTPFields()
        writeHeaders(&fields, record: record, bucket: bucket)
        fields[.amzId2] = RequestID.s3HostID()
        let current = environment.current
        var xml = XMLWriter()
        xml.element("CompleteMultipartUploadResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Location", "\(current.edgeURL)/\(bucketName)/\(S3EventNotifier.encodeKey(key))")
            xml.element("Bucket", bucketName)
            xml.element("Key", key)
            xml.element("ETag", etag)
            if let algorithm = record.checksumAlgorithm, let value = checksumValue {
                xml.element(algorithm.elementName, value)
                xml.element("ChecksumType", "COMPOSITE")
            }
        }
        completedUploads.remember(
            upload.uploadId,
            CompletedUploads.Entry(
                bucket: bucketName,
                key: key,
                parts: Self.namedParts(root),
                versionId: record.versionId,
                etag: etag,
                body: xml.result,
                headers: fields
            )
        )
        await notify(
            request,
            bucket: bucket,
            eventName: "ObjectCreated:CompleteMultipartUpload",
            key: key,
            size: size,
            etag: etag,
            versionId: Self.reportsVersions(bucket) ? record.versionId : nil,
            responseHeaders: fields
        )
        return Self.xml(xml.result, headers: fields)
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { return [] }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// [AbortMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html).
    func abortMultipartUpload(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:AbortMultipartUpload", [Self.objectArn(bucketName, key)])
        _ = try await requireBucket(bucketName)
        let upload = try await requireUpload(request, bucket: bucketName, key: key)
        guard let blobs = try await store.removeUpload(upload.uploadId) else { throw S3Error.noSuchUpload(upload.uploadId) }
        store.removeBlobs(parts: blobs)
        return Self.empty(.noContent)
    }

    /// [ListParts](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html).
    func listParts(_ request: AWSRequest, _ bucketName: String, _ key: String) async throws -> Response {
        try await authorize(request, "s3:ListMultipartUploadParts", [Self.objectArn(bucketName, key)])
        _ = try await requireBucket(bucketName)
        let upload = try await requireUpload(request, bucket: bucketName, key: key)
        var maxParts = 1000
        if let text = request.query("max-parts") {
            maxParts = min(try Self.listingCount(text, name: "max-parts", argument: "max-parts"), 1000)
        }
        var marker = 0
        if let text = request.query("part-number-marker") {
            marker = try Self.listingCount(text, name: "part-number-marker", argument: "part-number-marker")
        }
        let all = try await store.parts(upload.uploadId).filter { $0.partNumber > marker }
        let page = Array(all.prefix(maxParts))
        let truncated = all.count > page.count
        var xml = XMLWriter()
        xml.element("ListPartsResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Bucket", bucketName)
            xml.element("Key", key)
            xml.element("UploadId", upload.uploadId)
            xml.element("PartNumberMarker", String(marker))
            xml.element("NextPartNumberMarker", String(page.last?.partNumber ?? 0))
            xml.element("MaxParts", String(maxParts))
            xml.element("IsTruncated", truncated ? "true" : "false")
            for part in page {
                xml.element("Part") { xml in
                    xml.element("PartNumber", String(part.partNumber))
                    xml.element("LastModified", Timestamp.iso8601Milliseconds(part.lastModified))
                    xml.element("ETag", part.etag)
                    xml.element("Size", String(part.size))
                    if let algorithm = upload.checksumAlgorithm, let value = part.checksumValue { xml.element(algorithm.elementName, value) }
                }
            }
            writeOwner(&xml, element: "Initiator")
            writeOwner(&xml)
            xml.element("StorageClass", upload.headers.storageClass)
            if let algorithm = upload.checksumAlgorithm {
                xml.element("ChecksumAlgorithm", algorithm.rawValue)
                xml.element("ChecksumType", "COMPOSITE")
            }
        }
        return Self.xml(xml.result)
    }

    /// [ListMultipartUploads](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html).
    func listMultipartUploads(_ request: AWSRequest, _ bucketName: String) async throws -> Response {
        try await authorize(request, "s3:ListBucketMultipartUploads", [Self.bucketArn(bucketName)])
        _ = try await requireBucket(bucketName)
        let prefix = request.query("prefix") ?? ""
        let delimiter = request.query("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        var maxUploads = 1000
        if let text = request.query("max-uploads") {
            maxUploads = min(try Self.listingCount(text, name: "max-uploads", argument: "max-uploads"), 1000)
        }
        let keyMarker = request.query("key-marker") ?? ""
        let uploadIdMarker = request.query("upload-id-marker") ?? ""
        let encodingType = request.query("encoding-type")
        if let encodingType, encodingType != "url" {
            throw S3Error.invalidArgument(message: "Invalid Encoding Method specified in Request", name: "encoding-type", value: encodingType)
        }
        let encode: (String) -> String = { encodingType == nil ? $0 : S3EventNotifier.encodeKey($0) }
        var uploads: [UploadRecord] = []
        var prefixes: [String] = []
        var truncated = false
        for upload in try await store.uploads(bucket: bucketName) where upload.key.hasPrefix(prefix) {
            if !keyMarker.isEmpty {
                if upload.key < keyMarker { continue }
                if upload.key == keyMarker && (uploadIdMarker.isEmpty || upload.uploadId <= uploadIdMarker) { continue }
            }
            if let delimiter, let range = upload.key.dropFirst(prefix.count).range(of: delimiter) {
                let common = prefix + String(upload.key.dropFirst(prefix.count)[..<range.upperBound])
                if prefixes.last == common { continue }
                if uploads.count + prefixes.count == maxUploads {
                    truncated = true
                    break
                }
                prefixes.append(common)
                continue
            }
            if uploads.count + prefixes.count == maxUploads {
                truncated = true
                break
            }
            uploads.append(upload)
        }
        var xml = XMLWriter()
        xml.element("ListMultipartUploadsResult", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("Bucket", bucketName)
            xml.element("KeyMarker", encode(keyMarker))
            xml.element("UploadIdMarker", uploadIdMarker)
            xml.element("NextKeyMarker", encode(uploads.last?.key ?? ""))
            xml.element("NextUploadIdMarker", uploads.last?.uploadId ?? "")
            if let delimiter { xml.element("Delimiter", encode(delimiter)) }
            xml.element("Prefix", encode(prefix))
            xml.element("MaxUploads", String(maxUploads))
            if let encodingType { xml.element("EncodingType", encodingType) }
            xml.element("IsTruncated", truncated ? "true" : "false")
            for upload in uploads {
                xml.element("Upload") { xml in
                    xml.element("Key", encode(upload.key))
                    xml.element("UploadId", upload.uploadId)
                    writeOwner(&xml, element: "Initiator")
                    writeOwner(&xml)
                    xml.element("StorageClass", upload.headers.storageClass)
                    xml.element("Initiated", Timestamp.iso8601Milliseconds(upload.initiated))
                    if let algorithm = upload.checksumAlgorithm {
                        xml.element("ChecksumAlgorithm", algorithm.rawValue)
                        // Uploads complete with a composite checksum (CreateMultipartUpload's x-amz-checksum-type).
                        xml.element("ChecksumType", "COMPOSITE")
                    }
                }
            }
            for common in prefixes {
                xml.element("CommonPrefixes") { xml in xml.element("Prefix", encode(common)) }
            }
        }
        return Self.xml(xml.result)
    }
}
