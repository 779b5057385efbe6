import Foundation
import SigV4
import Testing

/// Dates, expiries and skews far outside anything a client sends: each becomes AWS's error, never a trap.
@Suite struct HostileInputTests {
    private let now = Fixture.localDate

    private func request(query: String = "", headers: [(name: String, value: String)]) -> SigV4Request {
        SigV4Request(method: "GET", path: "/b/k", query: query, headers: [(name: "Host", value: "127.0.0.1")] + headers)
    }

    private func verifyS3(_ request: SigV4Request, maxClockSkew: TimeInterval = 900) -> SigV4Error? {
        Fixture.error { () throws(SigV4Error) in
            try SigV4Verifier(maxClockSkew: maxClockSkew)
                .verify(request, bodySHA256Hex: nil, style: .s3, now: now, lookup: Fixture.lookup([Fixture.local]), unknownKeys: .acceptUnverified)
        }
    }

    @Test(
        "HTTP dates with out-of-range or non-digit fields are not dates",
        arguments: [
            "Thu, 01 Jan 999999999999 00:00:00 GMT", "Thu, 01 Jan 99999999999999999999 00:00:00 GMT",
            "Thu, 99999999999999999999 Jan 2024 00:00:00 GMT", "Thu, 01 Jan 2024 99999999999999999999:00:00 GMT",
            "Thu, 01 Jan 2024 00:00:-9223372036854775808 GMT", "Thu, +1 Jan 2024 00:00:00 GMT", "Thu, 01 Jan -2024 00:00:00 GMT",
            "Thu, 01 Jan 12345 00:00:00 GMT", "Thu, 01 Jan 202 00:00:00 GMT", "Thu, 01 Jan 2024 00::00 GMT", "Thu, 01 Jan 2024 +0:00:00 GMT",
        ]
    )
    func hostileHTTPDates(text: String) {
        #expect(SigV4Encoding.parseHTTPDate(text) == nil)
    }

    @Test("ordinary HTTP dates still parse, including the extreme four-digit years")
    func ordinaryHTTPDates() {
        #expect(SigV4Encoding.parseHTTPDate("Mon, 01 Jan 2024 00:00:00 GMT") == Fixture.localDate)
        #expect(SigV4Encoding.parseHTTPDate("01 Jan 2024 00:00:00 GMT") == Fixture.localDate)
        #expect(SigV4Encoding.parseHTTPDate("Monday, 01-Jan-24 00:00:00 GMT") == nil)  // RFC 850 dashes are not supported
        #expect(SigV4Encoding.parseHTTPDate("Mon, 1 Jan 24 0:0:0 GMT") == Fixture.localDate)
        #expect(SigV4Encoding.parseHTTPDate("Fri, 31 Dec 9999 23:59:59 GMT") == Date(timeIntervalSince1970: 253_402_300_799))
        #expect(SigV4Encoding.parseHTTPDate("Sat, 01 Jan 0000 00:00:00 GMT") == Date(timeIntervalSince1970: -62_167_219_200))
    }

    @Test(
        "formatting any Date clamps to years 0000-9999",
        arguments: [1e300, -1e300, .infinity, -.infinity, .nan, 9.3e18, -9.3e18, 253_402_300_800, -62_167_219_201]
    )
    func formattingNeverTraps(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let iso = SigV4Encoding.isoDate(date)
        let amz = SigV4Encoding.amzDate(date)
        #expect(iso.count == 20)
        #expect(amz.count == 16)
        if seconds > 0 { #expect(iso == "9999-12-31T23:59:59Z") }
        if seconds < 0 { #expect(amz == "00000101T000000Z") }
    }

    @Test("SigV2 Date header with year 999999999999: AccessDenied, valid Date required")
    func sigV2HugeDate() {
        let error = verifyS3(
            request(headers: [(name: "Authorization", value: "AWS test:x"), (name: "Date", value: "Thu, 01 Jan 999999999999 00:00:00 GMT")])
        )
        #expect(error == .missingDate)
        let wire = error?.wireError(.s3Xml)
        #expect(wire?.code == "AccessDenied")
        #expect(wire?.httpStatus == 403)
        #expect(wire?.message == "AWS authentication requires a valid Date or x-amz-date header")
    }

    @Test("SigV4 header with an overflowing Date: the date component is missing")
    func sigV4HugeDate() {
        let error = verifyS3(
            request(headers: [
                (
                    name: "Authorization",
                    value: "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab"
                ),
                (name: "X-Amz-Date", value: "Thu, 01 Jan 999999999999 00:00:00 GMT"),
            ])
        )
        #expect(error?.wireError(.s3Xml).message == "AWS authentication requires a valid Date or x-amz-date header")
    }

    @Test(
        "SigV2 Expires outside whole seconds in years 0000-9999: AccessDenied, Invalid date",
        arguments: ["-9223372036854775808", "9223372036854775807", "99999999999999999999", "abc", "", "1.5", "253402300800", "-62167219201"]
    )
    func sigV2HostileExpires(expires: String) {
        let error = verifyS3(request(query: "AWSAccessKeyId=test&Signature=x&Expires=\(expires)", headers: []))
        #expect(error == .sigV2InvalidExpires(value: expires))
        let wire = error?.wireError(.s3Xml)
        #expect(wire?.code == "AccessDenied")
        #expect(wire?.httpStatus == 403)
        #expect(wire?.message == "Invalid date (should be seconds since epoch): \(expires)")
    }

    @Test("SigV2 Expires at the far ends of the range: Request has expired / accepted")
    func sigV2ExtremeExpires() {
        let past = verifyS3(request(query: "AWSAccessKeyId=test&Signature=x&Expires=-62167219200", headers: []))
        #expect(past?.wireError(.s3Xml).message == "Request has expired")
        #expect(past?.wireError(.s3Xml).extraElements.first?.1 == "0000-01-01T00:00:00Z")
        // Not expired: the unknown key is accepted unverified.
        #expect(verifyS3(request(query: "AWSAccessKeyId=test&Signature=x&Expires=253402300799", headers: [])) == nil)
    }

    @Test("presigned X-Amz-Expires beyond Int64: not a number", arguments: ["9223372036854775808", "-9223372036854775809"])
    func presignHugeExpires(expires: String) {
        var presigned = SigV4Signing.presign(
            SigV4Request(method: "GET", path: "/b/k", headers: [(name: "Host", value: "127.0.0.1")]),
            credential: Fixture.local,
            region: "us-east-1",
            service: "s3",
            date: Fixture.localDate,
            expires: 60,
            style: .s3
        )
        presigned.query = presigned.query.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=\(expires)")
        let error = verifyS3(presigned)
        #expect(error == .presignExpiresNotANumber)
    }

    @Test("a skew error renders whatever the configured maximum skew", arguments: [1e300, .infinity, 1e18])
    func skewMessagesNeverTrap(maxSkew: Double) {
        let error = SigV4Error.requestTimeTooSkewed(
            requestTime: "Thu, 01 Jan 0001 00:00:00 GMT",
            requestDate: Date(timeIntervalSince1970: -62_135_596_800),
            serverTime: now,
            maxSkew: maxSkew
        )
        #expect(error.wireError(.s3Xml).code == "RequestTimeTooSkewed")
        #expect(error.wireError(.json).message.hasPrefix("Signature expired: Thu, 01 Jan 0001 00:00:00 GMT is now earlier than "))
        #expect(error.wireError(.queryXml).code == "SignatureDoesNotMatch")
    }
}
