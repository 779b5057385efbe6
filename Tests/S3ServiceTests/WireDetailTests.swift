import Foundation
import Testing

@testable import S3Service

/// S3's wire details as pure functions: RFC 2047 metadata, copy-source ranges, lifecycle dates, CORS wildcards and
/// the listing encoding.
@Suite struct WireDetailTests {
    @Test(arguments: [
        ("plain ascii", "plain ascii"),
        ("=?UTF-8?B?5Lit5paH?=", "中文"),
        ("=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"),
        ("=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?V29ybGQ=?=", "HelloWorld"),
        ("x =?ISO-8859-1?Q?=E9t=E9?= y", "x été y"),
        ("=?UTF-8?B?not base64!?=", "=?UTF-8?B?not base64!?="),
        ("=?KOI8-R?B?5Lit?=", "=?KOI8-R?B?5Lit?="),
        ("a=?b", "a=?b"),
    ])
    func metadataValuesDecodeRFC2047(sent: String, stored: String) {
        #expect(MetadataEncoding.decode(sent) == stored)
    }

    @Test func metadataValuesEncodeOnlyOutsideASCII() {
        #expect(MetadataEncoding.encode("ascii only") == "ascii only")
        #expect(MetadataEncoding.encode("中文") == "=?UTF-8?B?5Lit5paH?=")
        let text = "Grüße, 中文 and more"
        #expect(MetadataEncoding.decode(MetadataEncoding.encode(text)) == text)
    }

    @Test(arguments: [("bytes=0-4", 0...4), ("bytes=2-2", 2...2), ("bytes=0-9", 0...9)])
    func copySourceRangesInside(header: String, expected: ClosedRange<Int>) throws {
        #expect(try S3Service.copySourceRange(header, size: 10) == expected)
    }

    @Test(arguments: ["0-4", "bytes=0", "bytes=0-", "bytes=-4", "bytes=4-2", "bytes=0-1,2-3", "bytes=a-b", "bytes=+1-2", "bytes= 0-4"])
    func copySourceRangesOfAnotherForm(header: String) {
        let message =
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
        #expect(throws: S3Error.invalidArgument(message: message, name: "x-amz-copy-source-range", value: header)) {
            try S3Service.copySourceRange(header, size: 10)
        }
    }

    @Test(arguments: ["bytes=0-10", "bytes=10-12", "bytes=0-99999999999999999999999"])
    func copySourceRangesPastTheSource(header: String) {
        #expect(
            throws: S3Error.invalidArgument(
                message: "Range specified is not valid for source object of size: 10",
                name: "x-amz-copy-source-range",
                value: header
            )
        ) {
            try S3Service.copySourceRange(header, size: 10)
        }
    }

    @Test(arguments: ["2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z", "2030-01-01T00:00:00", "2030-01-01"])
    func lifecycleDatesAtMidnight(text: String) throws {
        #expect(try ConfigurationXML.midnightDate(text) == Date(timeIntervalSince1970: 1_893_456_000))
    }

    @Test(arguments: ["2030-01-01T10:00:00Z", "2030-01-01T00:00:00.001Z", "2030-01-01T00:00:00+01:00", "yesterday"])
    func lifecycleDatesElsewhereInTheDay(text: String) {
        #expect(throws: S3Error.invalidArgument(message: "'Date' must be at midnight GMT", name: "Date", value: text)) {
            try ConfigurationXML.midnightDate(text)
        }
    }

    @Test func corsPatternsTakeOneWildcard() throws {
        func document(origin: String, header: String) -> Data {
            Data(
                ("<CORSConfiguration><CORSRule><AllowedHeader>\(header)</AllowedHeader><AllowedMethod>GET</AllowedMethod>"
                    + "<AllowedOrigin>\(origin)</AllowedOrigin></CORSRule></CORSConfiguration>").utf8
            )
        }
        #expect(throws: S3Error.invalidRequest("AllowedOrigin \"*example*.com\" can not have more than one wildcard.")) {
            try ConfigurationXML.parseCORS(document(origin: "*example*.com", header: "*"))
        }
        #expect(throws: S3Error.invalidRequest("AllowedHeader \"x-*-*\" can not have more than one wildcard.")) {
            try ConfigurationXML.parseCORS(document(origin: "*", header: "x-*-*"))
        }
        #expect(try ConfigurationXML.parseCORS(document(origin: "http://*.example.com", header: "x-amz-*")).count == 1)
    }

    @Test func listingsEncodeKeysAsS3Measured() {
        let expected = [
            "a b.txt": "a+b.txt", "a+b.txt": "a%2Bb.txt", "100%.csv": "100%25.csv", "(test)": "%28test%29",
            "한글/x.txt": "%ED%95%9C%EA%B8%80/x.txt",
        ]
        for (key, encoded) in expected { #expect(S3EventNotifier.encodeKey(key) == encoded, "\(key)") }
    }

    @Test func undeliveredTargetsNameTheirService() {
        let queue = NotificationTarget(id: "q", kind: .queue, arn: "arn:aws:sqs:us-east-1:1:q", events: ["s3:ObjectCreated:*"])
        #expect(
            queue.undeliveredWarning(bucket: "b")
                == "S3 bucket b: notification q names arn:aws:sqs:us-east-1:1:q: stored and returned by GetBucketNotificationConfiguration, but no event is delivered (SQS is not emulated)"
        )
        #expect(NotificationTarget.undeliveredReason(kind: .topic, arn: "t")?.hasSuffix("(SNS is not emulated)") == true)
        #expect(NotificationTarget(id: "l", kind: .lambda, arn: "f", events: []).undeliveredWarning(bucket: "b") == nil)
    }
}
