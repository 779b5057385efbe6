import Foundation
import Testing

@testable import S3Service

@Suite struct ObjectRulesTests {
    let modified = Date(timeIntervalSince1970: 1_764_000_000.25)
    let etag = "\"abc\""

    @Test(arguments: [
        ("bytes=0-4", RangeOutcome.bytes(0...4)),
        ("bytes=5-", .bytes(5...9)),
        ("bytes=-3", .bytes(7...9)),
        ("bytes=8-100", .bytes(8...9)),
        ("bytes=10-12", .unsatisfiable),
        ("bytes=4-2", .whole),
        ("bytes=0-1,3-4", .whole),
        ("items=0-1", .whole),
    ])
    func ranges(header: String, expected: RangeOutcome) {
        #expect(S3Service.parseRange(header, size: 10) == expected)
    }

    @Test func emptyObjectRangeIsUnsatisfiable() {
        #expect(S3Service.parseRange("bytes=0-", size: 0) == .unsatisfiable)
        #expect(S3Service.parseRange(nil, size: 0) == .whole)
    }

    @Test func conditionalHeadersFollowS3Precedence() {
        func outcome(match: String? = nil, noneMatch: String? = nil, since: String? = nil, unmodified: String? = nil) -> ConditionOutcome {
            S3Service.evaluateConditions(
                etag: etag,
                lastModified: modified,
                ifMatch: match,
                ifNoneMatch: noneMatch,
                ifModifiedSince: since,
                ifUnmodifiedSince: unmodified
            )
        }
        let before = "Mon, 24 Nov 2025 15:00:00 GMT"
        let exact = "Mon, 24 Nov 2025 16:00:00 GMT"
        #expect(outcome(match: "\"abc\"") == .proceed)
        #expect(outcome(match: "\"nope\"") == .preconditionFailed("If-Match"))
        #expect(outcome(match: "*") == .proceed)
        #expect(outcome(noneMatch: "\"abc\"") == .notModified)
        #expect(outcome(since: exact) == .notModified)
        #expect(outcome(since: before) == .proceed)
        #expect(outcome(unmodified: before) == .preconditionFailed("If-Unmodified-Since"))
        // If-Match true wins over If-Unmodified-Since false; If-None-Match false wins over If-Modified-Since.
        #expect(outcome(match: "\"abc\"", unmodified: before) == .proceed)
        #expect(outcome(noneMatch: "\"other\"", since: exact) == .proceed)
    }

    @Test(arguments: [
        ("abc", true), ("my-bucket.example", true), ("ab", false), ("Upper", false), ("under_score", false), ("-start", false),
        ("203.0.113.1", false), ("a..b", false), ("xn--bucket", false), (String(repeating: "a", count: 64), false),
    ])
    func bucketNames(name: String, valid: Bool) {
        #expect(S3Service.isValidBucketName(name) == valid)
    }

    @Test func checksumVectors() {
        let input = Array("123456789".utf8)
        #expect(ChecksumHasher.digest(.crc32, of: input) == "y/Q5Jg==")  // 0xCBF43926
        #expect(ChecksumHasher.digest(.crc32c, of: input) == "4waSgw==")  // 0xE3069283
        #expect(ChecksumHasher.digest(.sha1, of: input) == "98O8HYCOBHMq32eZZczDTKeuNEE=")
        #expect(ChecksumHasher.digest(.sha256, of: input) == "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=")
        let long = (0..<1000).map { UInt8($0 % 251) }
        var incremental = ChecksumHasher(.crc32c)
        long[..<333].withUnsafeBytes { incremental.update($0) }
        long[333...].withUnsafeBytes { incremental.update($0) }
        #expect(incremental.finalize() == ChecksumHasher.digest(.crc32c, of: long))
    }

    @Test func multipartETagDigestBytes() {
        #expect(S3Service.hexBytes("00ff10") == [0, 255, 16])
        #expect(S3Service.hexBytes("zz") == [])
    }

    @Test func postFormParsing() throws {
        let body =
            "--XYZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/${filename}\r\n"
            + "--XYZ\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\neyJ9\r\n"
            + "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\nworld\r\n"
            + "--XYZ--\r\n"
        let data = Data(body.utf8)
        let form = try PostForm.parse(data, boundary: "XYZ")
        #expect(form.field("KEY") == "uploads/${filename}")
        #expect(form.fileName == "a.txt")
        #expect(form.fileContentType == "text/plain")
        let range = try #require(form.fileRange)
        #expect(String(decoding: data[range], as: UTF8.self) == "hello\r\nworld")
        #expect(throws: S3Error.malformedPOSTRequest) { try PostForm.parse(Data("garbage".utf8), boundary: "XYZ") }
    }

    @Test func postPolicyConditions() throws {
        let policy: [String: Any] = [
            "expiration": "2030-01-01T00:00:00Z",
            "conditions": [["starts-with", "$key", "uploads/"], ["content-length-range", 1, 10], ["eq", "$x-amz-meta-a", "1"]],
        ]
        let encoded = try JSONSerialization.data(withJSONObject: policy).base64EncodedString()
        var form = PostForm()
        form.fields = [("key", "uploads/a"), ("x-amz-meta-a", "1"), ("policy", encoded)]
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        try PostPolicy.check(policyBase64: encoded, form: form, bucket: "b", key: "uploads/a", fileSize: 5, now: now)
        #expect(throws: S3Error.self) {
            try PostPolicy.check(policyBase64: encoded, form: form, bucket: "b", key: "other/a", fileSize: 5, now: now)
        }
        #expect(throws: S3Error.entityTooLarge(proposed: 11, max: 10)) {
            try PostPolicy.check(policyBase64: encoded, form: form, bucket: "b", key: "uploads/a", fileSize: 11, now: now)
        }
        form.fields.append(("x-amz-meta-extra", "no"))
        #expect(throws: S3Error.accessDenied("Invalid according to Policy: Extra input fields: x-amz-meta-extra")) {
            try PostPolicy.check(policyBase64: encoded, form: form, bucket: "b", key: "uploads/a", fileSize: 5, now: now)
        }
        #expect(throws: S3Error.accessDenied("Invalid according to Policy: Policy expired.")) {
            try PostPolicy.check(
                policyBase64: encoded,
                form: form,
                bucket: "b",
                key: "uploads/a",
                fileSize: 5,
                now: Date(timeIntervalSince1970: 1_900_000_000)
            )
        }
    }
}
