import AWSGateway
import Crypto
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SigV4

/// The fields and file of a `multipart/form-data` POST upload.
package struct PostForm: Sendable {
    /// Form fields in order (names as sent).
    package var fields: [(name: String, value: String)] = []
    /// The byte range of the file content in the raw body.
    package var fileRange: Range<Int>?
    /// The file name the client sent.
    package var fileName: String?
    /// The file part's `Content-Type`.
    package var fileContentType: String?

    /// A field by case-insensitive name.
    /// - Parameter name: The field name.
    /// - Returns: The value.
    package func field(_ name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Parses a multipart body.
    /// - Parameters:
    ///   - data: The raw body (memory-mapped for large uploads).
    ///   - boundary: The boundary from `Content-Type`.
    /// - Returns: The form.
    /// - Throws: `MalformedPOSTRequest`.
    package static func parse(_ data: Data, boundary: String) throws(S3Error) -> PostForm {
        var form = PostForm()
        let delimiter = Data("--\(boundary)".utf8)
        let crlf = Data("\r\n".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        guard let first = data.range(of: delimiter) else { throw .malformedPOSTRequest }
        var cursor = first.upperBound
        let nextDelimiter = Data("\r\n--\(boundary)".utf8)
        while cursor < data.endIndex {
            // After a delimiter: "--" ends the body, else CRLF then the part headers.
            if data[cursor..<min(cursor + 2, data.endIndex)] == Data("--".utf8) { break }
            guard data[cursor..<min(cursor + 2, data.endIndex)] == crlf else { throw .malformedPOSTRequest }
            let headersStart = cursor + 2
            guard let headersRange = data.range(of: headerEnd, in: headersStart..<data.endIndex) else { throw .malformedPOSTRequest }
            let headerText = String(decoding: data[headersStart..<headersRange.lowerBound], as: UTF8.self)
            let contentStart = headersRange.upperBound
            guard let end = data.range(of: nextDelimiter, in: contentStart..<data.endIndex) else { throw .malformedPOSTRequest }
            var name: String?
            var fileName: String?
            var contentType: String?
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = parameter("name", in: line)
                    fileName = parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { throw .malformedPOSTRequest }
            if name.lowercased() == "file" {
                if form.fileRange == nil {
                    form.fileRange = (contentStart - data.startIndex)..<(end.lowerBound - data.startIndex)
                    form.fileName = fileName ?? ""
                    form.fileContentType = contentType
                }
                // S3 ignores everything after the file field.
                break
            }
            form.fields.append((name, String(decoding: data[contentStart..<end.lowerBound], as: UTF8.self)))
            cursor = end.upperBound
        }
        return form
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(name + "=") else { continue }
            var value = String(trimmed.dropFirst(name.count + 1))
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}

/// Checks a POST policy document's expiration and conditions against the form.
package enum PostPolicy {
    private static let exemptFields: Set<String> = ["policy", "signature", "x-amz-signature", "awsaccesskeyid", "file"]

    /// Verifies the policy.
    /// - Parameters:
    ///   - policyBase64: The `policy` field.
    ///   - form: The form fields.
    ///   - bucket: The bucket.
    ///   - key: The resolved key.
    ///   - fileSize: The file size; nil while the file has not been read (its `content-length-range` is then
    ///     checked by a second call once it has).
    ///   - now: The virtual time.
    /// - Throws: `AccessDenied` with S3's "Invalid according to Policy" texts, `EntityTooLarge`/`EntityTooSmall`, `InvalidPolicyDocument`.
    package static func check(policyBase64: String, form: PostForm, bucket: String, key: String, fileSize: Int?, now: Date) throws(S3Error) {
        guard let data = Data(base64Encoded: policyBase64),
            let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { throw .invalidPolicyDocument("Invalid Policy: Invalid JSON.") }
        guard let expirationText = document["expiration"] as? String, let expiration = LifecycleRule.parseDate(expirationText) else {
            throw .invalidPolicyDocument("Invalid Policy: Policy missing expiration.")
        }
        guard now < expiration else { throw .accessDenied(S3Messages.policyExpired) }
        guard let conditions = document["conditions"] as? [Any] else {
            throw .invalidPolicyDocument("Invalid Policy: Policy missing conditions.")
        }
        func value(_ field: String) -> String? {
            let name = field.hasPrefix("$") ? String(field.dropFirst()).lowercased() : field.lowercased()
            if name == "bucket" { return bucket }
            if name == "key" { return key }
            return form.field(name)
        }
        var covered: Set<String> = ["bucket"]
        for condition in conditions {
            if let object = condition as? [String: Any] {
                for (field, expected) in object {
                    let text = String(describing: expected)
                    covered.insert(field.lowercased())
                    if value(field) != text {
                        throw .accessDenied("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$\(field)\", \"\(text)\"]")
                    }
                }
            } else if let array = condition as? [Any], let operation = (array.first as? String)?.lowercased() {
                if operation == "content-length-range", array.count == 3 {
                    if let fileSize { try checkLength(fileSize, range: array) }
                    continue
                }
                guard array.count == 3, let field = array[1] as? String, let expected = array[2] as? String else {
                    throw .invalidPolicyDocument(
                        "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
                    )
                }
                let name = field.hasPrefix("$") ? String(field.dropFirst()).lowercased() : field.lowercased()
                covered.insert(name)
                let actual = value(field) ?? ""
                let ok: Bool
                switch operation {
                case "eq": ok = actual == expected
                case "starts-with":
                    if name == "content-type" {
                        ok = actual.split(separator: ",").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix(expected) }
                    } else {
                        ok = actual.hasPrefix(expected)
                    }
                default:
                    throw .invalidPolicyDocument("Invalid Policy: Invalid Condition: unknown operation \(operation).")
                }
                if !ok {
                    throw .accessDenied("Invalid according to Policy: Policy Condition failed: [\"\(operation)\", \"\(field)\", \"\(expected)\"]")
                }
            }
        }
        let extra = form.fields.map { $0.name }.filter { name in
            let lower = name.lowercased()
            return !exemptFields.contains(lower) && !lower.hasPrefix("x-ignore-") && !covered.contains(lower)
        }
        if !extra.isEmpty {
            throw .accessDenied("Invalid according to Policy: Extra input fields: \(extra.joined(separator: ", "))")
        }
    }

    /// Checks the file size against the policy's `content-length-range` conditions, once the file has been read
    /// (the rest of the policy was checked before).
    /// - Parameters:
    ///   - policyBase64: The `policy` field.
    ///   - fileSize: The file size.
    /// - Throws: `EntityTooLarge` / `EntityTooSmall`.
    package static func checkContentLength(policyBase64: String, fileSize: Int) throws(S3Error) {
        guard let data = Data(base64Encoded: policyBase64),
            let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let conditions = document["conditions"] as? [Any]
        else { return }
        for case let array as [Any] in conditions where array.count == 3 && (array.first as? String)?.lowercased() == "content-length-range" {
            try checkLength(fileSize, range: array)
        }
    }

    /// A `content-length-range` bound as a byte count, clamped to `Int`'s range: a policy may write any JSON
    /// number or numeric string (`NSNumber.intValue` would wrap `1e30` to a negative count).
    /// - Parameter value: The JSON value.
    /// - Returns: The bound, or `nil` when it is not a number.
    static func lengthBound(_ value: Any) -> Int? {
        let number: Double
        if let value = value as? NSNumber {
            number = value.doubleValue
        } else if let text = value as? String, let parsed = Double(text.trimmingCharacters(in: .whitespaces)) {
            if let exact = Int(text.trimmingCharacters(in: .whitespaces)) { return exact }
            number = parsed
        } else {
            return nil
        }
        guard !number.isNaN else { return nil }
        if number >= 9.2e18 { return Int.max }
        if number <= -9.2e18 { return Int.min }
        return Int(number)
    }

    private static func checkLength(_ fileSize: Int, range array: [Any]) throws(S3Error) {
        let minimum = lengthBound(array[1]) ?? 0
        let maximum = lengthBound(array[2]) ?? Int.max
        if fileSize > maximum { throw .entityTooLarge(proposed: fileSize, max: maximum) }
        if fileSize < minimum {
            throw .postEntityTooSmall(proposed: fileSize, min: minimum)
        }
    }
}

extension S3Service {
    /// [PostObject](https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html): browser form uploads
    /// signed with a policy (SigV4 `x-amz-*` fields or SigV2 `AWSAccessKeyId`/`signature`).
    func postObject(_ request: AWSRequest, _ bucketName: String) async throws -> Response {
        let bucket = try await requireBucket(bucketName)
        guard let contentType = request.header("content-type"),
            let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count)
        else { throw S3Error.malformedPOSTRequest }
        let cleanBoundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\""))

        // The fields before the file are read into memory (at most `PostFormReader.maxPreDataBytes`) and the
        // signature, the policy and the caller's rights are checked before a byte of the file reaches the disk.
        var reader = PostFormReader(body: request.body, boundary: cleanBoundary)
        let form = try await reader.readFields()
        guard form.fileRange != nil else { throw S3Error.postMissingFile }
        guard var key = form.field("key") else {
            throw S3Error.invalidArgument(
                message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
                name: "key",
                value: ""
            )
        }
        key = key.replacingOccurrences(of: "${filename}", with: form.fileName ?? "")

        let caller = try authenticatePost(form, bucket: bucketName, key: key, fileSize: nil)
        let context = S3ConditionKeys.objectWrite(serverSideEncryption: form.field("x-amz-server-side-encryption"), acl: form.field("acl"))
        try await authorizeAccess(request, "s3:PutObject", [Self.objectArn(bucketName, key)], context: { context }, signer: caller)

        let acl = try requestedObjectACL(
            { name in name == "x-amz-acl" ? form.field("acl") : form.field(name) },
            bucket: bucket,
            region: request.region,
            method: "POST"
        )
        var headers = ObjectHeaders()
        headers.contentType = form.field("content-type") ?? form.fileContentType ?? "binary/octet-stream"
        headers.cacheControl = form.field("cache-control")
        headers.contentDisposition = form.field("content-disposition")
        headers.contentEncoding = form.field("content-encoding")
        headers.expires = form.field("expires")
        for field in form.fields where field.name.lowercased().hasPrefix("x-amz-meta-") {
            headers.metadata[String(field.name.lowercased().dropFirst("x-amz-meta-".count))] = field.value
        }
        if let storageClass = form.field("x-amz-storage-class") {
            guard Self.storageClasses.contains(storageClass) else {
                throw S3Error.invalidStorageClass
            }
            headers.storageClass = storageClass
        }
        headers.serverSideEncryption = form.field("x-amz-server-side-encryption") ?? bucket.configuration.encryption?.algorithm
        var tags: [S3Tag] = []
        if let tagging = form.field("tagging") {
            tags = try ConfigurationXML.parseTagging(Data(tagging.utf8), maxTags: 10)
        }
        let declared = ChecksumAlgorithm.allCases.first { form.field($0.headerName) != nil }

        let temporary = store.temporaryURL()
        let copied: ReceivedBody
        do {
            copied = try await reader.readFile(into: temporary, io: store.io, algorithm: declared, maxSize: Self.maxObjectSize)
            if let policy = form.field("policy") { try PostPolicy.checkContentLength(policyBase64: policy, fileSize: copied.size) }
            if let declared, let value = form.field(declared.headerName), copied.checksum?.value != value {
                throw S3Error.badDigestChecksum(algorithm: declared.rawValue)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let blob = try await store.place(temporary)
        let record = try await commitObject(blob: blob, received: copied, bucket: bucket, key: key, headers: headers, tags: tags, acl: acl)

        var fields = HTTPFields()
        fields[.eTag] = record.etag
        let location = "\(environment.current.edgeURL)/\(bucketName)/\(S3EventNotifier.encodeKey(key))"
        fields[.location] = location
        writeHeaders(&fields, record: record, bucket: bucket)
        fields[.amzId2] = RequestID.s3HostID()
        await notify(
            request,
            bucket: bucket,
            eventName: "ObjectCreated:Post",
            key: key,
            size: record.size,
            etag: record.etag,
            versionId: Self.reportsVersions(bucket) ? record.versionId : nil,
            responseHeaders: fields
        )
        if let redirect = form.field("success_action_redirect") ?? form.field("redirect"), !redirect.isEmpty {
            let separator = redirect.contains("?") ? "&" : "?"
            let query =
                "bucket=\(S3EventNotifier.encodeKey(bucketName))&key=\(S3EventNotifier.encodeKey(key))&etag=\(S3EventNotifier.encodeKey(record.etag))"
            fields[.location] = redirect + separator + query
            return Self.empty(.seeOther, headers: fields)
        }
        switch form.field("success_action_status") {
        case "200":
            return Self.empty(.ok, headers: fields)
        case "201":
            var xml = XMLWriter()
            xml.element("PostResponse") { xml in
                xml.element("Location", location)
                xml.element("Bucket", bucketName)
                xml.element("Key", key)
                xml.element("ETag", record.etag)
            }
            return Self.xml(xml.result, status: .created, headers: fields)
        default:
            return Self.empty(.noContent, headers: fields)
        }
    }

    /// Verifies the form's signature over the policy and returns the signer as the caller.
    private func authenticatePost(_ form: PostForm, bucket: String, key: String, fileSize: Int?) throws -> Caller {
        let now = clock.now
        var caller = Caller.anonymous
        guard let policy = form.field("policy") else {
            // An unsigned form is an anonymous upload, judged by the bucket policy and ACL; signing fields need a policy.
            let signed = ["x-amz-signature", "x-amz-credential", "signature", "awsaccesskeyid"].contains { form.field($0) != nil }
            if signed { throw S3Error.accessDenied() }
            return caller
        }
        if let algorithm = form.field("x-amz-algorithm") {
            guard algorithm == "AWS4-HMAC-SHA256" else {
                throw S3Error.invalidArgument(message: "POST algorithm not supported", name: "x-amz-algorithm", value: algorithm)
            }
            guard let credential = form.field("x-amz-credential"), let signature = form.field("x-amz-signature") else {
                throw S3Error.invalidArgument(
                    message: "Bucket POST must contain a field named 'x-amz-signature'.  If it is specified, please check the order of the fields.",
                    name: "x-amz-signature",
                    value: ""
                )
            }
            let parts = credential.split(separator: "/").map(String.init)
            guard parts.count == 5, parts[3] == "s3", parts[4] == "aws4_request" else {
                throw S3Error.invalidArgument(message: "Invalid credential in POST form", name: "x-amz-credential", value: credential)
            }
            caller.accessKeyId = parts[0]
            if let known = credentials.lookup(accessKeyId: parts[0]) {
                try checkTemporary(known, token: form.field("x-amz-security-token"), now: now)
                let key = SigV4Signing.signingKey(secret: known.secretAccessKey, date: parts[1], region: parts[2], service: "s3")
                let expected = SigV4Signing.signature(key: key, stringToSign: policy)
                guard SigV4Encoding.constantTimeEquals(expected, signature.lowercased()) else {
                    throw S3Error.postSignatureMismatch(accessKeyId: parts[0], stringToSign: policy, signatureProvided: signature)
                }
                caller.signatureVerified = true
            } else {
                if let refusal = credentials.unknownKeyError(accessKeyId: parts[0], sessionToken: form.field("x-amz-security-token")) {
                    throw S3Error.signature(refusal)
                }
                try refuseUnknownKey(parts[0])
            }
        } else if let accessKeyId = form.field("AWSAccessKeyId") {
            guard let signature = form.field("signature") else {
                throw S3Error.invalidArgument(
                    message: "Bucket POST must contain a field named 'Signature'.  If it is specified, please check the order of the fields.",
                    name: "Signature",
                    value: ""
                )
            }
            caller.accessKeyId = accessKeyId
            if let known = credentials.lookup(accessKeyId: accessKeyId) {
                try checkTemporary(known, token: form.field("x-amz-security-token"), now: now)
                let expected = SigV4Signing.sigV2Signature(secret: known.secretAccessKey, stringToSign: policy)
                guard SigV4Encoding.constantTimeEquals(expected, signature) else {
                    throw S3Error.postSignatureMismatch(accessKeyId: accessKeyId, stringToSign: policy, signatureProvided: signature)
                }
                caller.signatureVerified = true
            } else {
                if let refusal = credentials.unknownKeyError(accessKeyId: accessKeyId, sessionToken: form.field("x-amz-security-token")) {
                    throw S3Error.signature(refusal)
                }
                try refuseUnknownKey(accessKeyId)
            }
        } else {
            throw S3Error.accessDenied()
        }
        try PostPolicy.check(policyBase64: policy, form: form, bucket: bucket, key: key, fileSize: fileSize, now: now)
        if let accessKeyId = caller.accessKeyId {
            caller.principalArn = credentials.principal(for: accessKeyId) ?? "arn:aws:iam::\(environment.current.accountId):root"
        }
        caller.signing = form.field("x-amz-algorithm") != nil ? .sigV4Query : .sigV2Query
        return caller
    }

    /// An access key the emulator does not know: refused with `InvalidAccessKeyId` under `--strict-credentials`,
    /// else accepted unverified like every other request signed with an unknown key.
    private func refuseUnknownKey(_ accessKeyId: String) throws {
        if strictCredentials { throw S3Error.invalidAccessKeyId(accessKeyId) }
    }

    private func checkTemporary(_ credential: SigningCredential, token: String?, now: Date) throws {
        guard let expected = credential.sessionToken else { return }
        guard token == expected else {
            throw S3Error.invalidToken
        }
        if let expiration = credential.expiration, expiration <= now {
            throw S3Error.expiredToken
        }
    }
}

/// Reads a `multipart/form-data` POST body as it arrives: the fields before the file are collected in memory (at
/// most ``maxPreDataBytes``, as S3 limits them), then the file content is streamed to a file once the caller has
/// checked the fields. Fields after the file are ignored, as S3 ignores them.
struct PostFormReader {
    /// S3's limit on the bytes preceding the file content (`MaxPostPreDataLengthExceeded`).
    static let maxPreDataBytes = 20_480

    private var iterator: RequestBody.AsyncIterator
    private var buffer: [UInt8] = []
    private var finished = false
    private let delimiter: [UInt8]
    private let nextDelimiter: [UInt8]

    /// Creates a reader.
    /// - Parameters:
    ///   - body: The request body.
    ///   - boundary: The boundary from `Content-Type`.
    init(body: RequestBody, boundary: String) {
        iterator = body.makeAsyncIterator()
        delimiter = Array("--\(boundary)".utf8)
        nextDelimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Reads more of the body into the buffer.
    /// - Returns: false at the end of the body.
    private mutating func fill() async throws -> Bool {
        guard !finished, let chunk = try await iterator.next() else {
            finished = true
            return false
        }
        buffer.append(contentsOf: chunk.readableBytesView)
        return true
    }

    /// The first index of `pattern` in the buffer at or after `start`.
    private func find(_ pattern: [UInt8], from start: Int) -> Int? {
        guard let first = pattern.first, buffer.count >= pattern.count else { return nil }
        var index = start
        let last = buffer.count - pattern.count
        while index <= last {
            if buffer[index] == first {
                var matched = true
                for offset in 1..<pattern.count where buffer[index + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// Finds `pattern` at or after `start`, reading more while the bytes before the file stay within the limit.
    private mutating func require(_ pattern: [UInt8], from start: Int) async throws -> Int {
        var searchFrom = start
        while true {
            if let index = find(pattern, from: searchFrom) { return index }
            if buffer.count > Self.maxPreDataBytes { throw Self.preDataTooLarge }
            searchFrom = max(start, buffer.count - pattern.count + 1)
            guard try await fill() else { throw S3Error.malformedPOSTRequest }
        }
    }

    private static var preDataTooLarge: S3Error {
        .maxPostPreDataLengthExceeded(limit: maxPreDataBytes)
    }

    /// Reads the fields up to the file part's headers; the file content is left unread.
    /// - Returns: The fields, with `fileRange` set (to an empty range) when a file part follows.
    /// - Throws: `MalformedPOSTRequest`, `MaxPostPreDataLengthExceeded`.
    mutating func readFields() async throws -> PostForm {
        var form = PostForm()
        let crlf: [UInt8] = [13, 10]
        var cursor = try await require(delimiter, from: 0) + delimiter.count
        while true {
            while buffer.count < cursor + 2 {
                guard try await fill() else { throw S3Error.malformedPOSTRequest }
            }
            if buffer[cursor] == UInt8(ascii: "-") && buffer[cursor + 1] == UInt8(ascii: "-") { return form }
            guard Array(buffer[cursor..<cursor + 2]) == crlf else { throw S3Error.malformedPOSTRequest }
            let headersStart = cursor + 2
            let headersEnd = try await require([13, 10, 13, 10], from: headersStart)
            let headerText = String(decoding: buffer[headersStart..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            var name: String?
            var fileName: String?
            var contentType: String?
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = PostForm.parameter("name", in: line)
                    fileName = PostForm.parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { throw S3Error.malformedPOSTRequest }
            if name.lowercased() == "file" {
                if contentStart > Self.maxPreDataBytes { throw Self.preDataTooLarge }
                form.fileRange = 0..<0
                form.fileName = fileName ?? ""
                form.fileContentType = contentType
                buffer.removeFirst(contentStart)
                return form
            }
            let end = try await require(nextDelimiter, from: contentStart)
            form.fields.append((name, String(decoding: buffer[contentStart..<end], as: UTF8.self)))
            cursor = end + nextDelimiter.count
        }
    }

    /// Streams the file content (after ``readFields()``) into a new file, fsynced, with its MD5 and checksum.
    /// - Parameters:
    ///   - url: The file to create.
    ///   - io: The store's I/O threads, which write the file (nil: the calling thread).
    ///   - algorithm: A checksum to compute, if the form declares one.
    ///   - maxSize: The largest file accepted.
    /// - Returns: Size, MD5 and checksum of the content.
    /// - Throws: `MalformedPOSTRequest` when the closing boundary is missing, `EntityTooLarge`, file-system errors.
    mutating func readFile(into url: URL, io: BlobIO? = nil, algorithm: ChecksumAlgorithm?, maxSize: Int) async throws -> ReceivedBody {
        let output = WritableFile(url: url, io: io)
        var md5 = MD5Hasher()
        var checksum = algorithm.map { ChecksumHasher($0) }
        var size = 0
        func emit(_ count: Int) throws {
            guard count > 0 else { return }
            size += count
            if size > maxSize { throw S3Error.entityTooLarge(proposed: size, max: maxSize) }
            try buffer.withUnsafeBytes { bytes in
                let slice = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                md5.update(slice)
                checksum?.update(slice)
                try output.append(slice)
            }
            buffer.removeFirst(count)
        }
        do {
            while true {
                if let end = find(nextDelimiter, from: 0) {
                    try emit(end)
                    break
                }
                // Keep a tail that may be the start of the delimiter.
                try emit(buffer.count - (nextDelimiter.count - 1))
                try await output.flushIfFull()
                guard try await fill() else { throw S3Error.malformedPOSTRequest }
            }
            try await output.syncAndClose()
        } catch {
            await output.discard()
            throw error
        }
        return ReceivedBody(size: size, md5: md5.finalize(), checksum: checksum.map { ($0.algorithm, $0.finalize()) })
    }
}
