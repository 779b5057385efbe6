import Foundation
import Logging
import Testing

@testable import S3Service

/// S3 header and query values far outside what clients send: S3's answer, never a trap.
@Suite struct S3HostileInputTests {
    @Test(
        "Range numbers: digits only, a number beyond Int is past the end",
        arguments: [
            ("bytes=0-99999999999999999999", RangeOutcome.bytes(0...9)),
            ("bytes=99999999999999999999-", .unsatisfiable),
            ("bytes=99999999999999999999-99999999999999999999", .unsatisfiable),
            ("bytes=-99999999999999999999", .bytes(0...9)),
            ("bytes=-9223372036854775807", .bytes(0...9)),
            ("bytes=+1-5", .whole),
            ("bytes=1-+5", .whole),
            ("bytes=--5", .whole),
            ("bytes=- 5", .bytes(5...9)),
            ("bytes=0x1-5", .whole),
        ]
    )
    func hostileRanges(header: String, expected: RangeOutcome) {
        #expect(S3Service.parseRange(header, size: 10) == expected)
    }

    @Test("If-Modified-Since / If-Unmodified-Since that are not dates are ignored, as S3 does")
    func hostileConditionalDates() {
        for text in ["Thu, 01 Jan 999999999999 00:00:00 GMT", "Thu, 99999999999999999999 Jan 2024 00:00:00 GMT", "garbage"] {
            let outcome = S3Service.evaluateConditions(
                etag: "\"abc\"",
                lastModified: Date(timeIntervalSince1970: 1_764_000_000),
                ifMatch: nil,
                ifNoneMatch: nil,
                ifModifiedSince: text,
                ifUnmodifiedSince: text
            )
            #expect(outcome == .proceed)
        }
    }

    @Test(
        "listing counts: 32-bit and not negative, with S3's two messages",
        arguments: [
            ("max-keys", "maxKeys", "-1", "Argument maxKeys must be an integer between 0 and 2147483647"),
            ("max-keys", "maxKeys", "2147483648", "Provided max-keys not an integer or within integer range"),
            ("max-keys", "maxKeys", "99999999999999999999", "Provided max-keys not an integer or within integer range"),
            ("max-parts", "max-parts", "-42", "Argument max-parts must be an integer between 0 and 2147483647"),
            ("max-parts", "max-parts", "2147483689", "Provided max-parts not an integer or within integer range"),
            ("part-number-marker", "part-number-marker", "-42", "Argument part-number-marker must be an integer between 0 and 2147483647"),
            ("part-number-marker", "part-number-marker", "abc", "Provided part-number-marker not an integer or within integer range"),
            ("max-uploads", "max-uploads", "-1", "Argument max-uploads must be an integer between 0 and 2147483647"),
        ]
    )
    func listingCounts(name: String, argument: String, text: String, message: String) {
        do {
            _ = try S3Service.listingCount(text, name: name, argument: argument)
            Issue.record("expected InvalidArgument for \(name)=\(text)")
        } catch {
            #expect(error.code == "InvalidArgument")
            #expect(error.message == message)
        }
        #expect((try? S3Service.listingCount("2147483647", name: name, argument: argument)) == 2_147_483_647)
        #expect((try? S3Service.listingCount("0", name: name, argument: argument)) == 0)
    }

    /// Each `%` of the text becomes the byte 0xE1, which is not valid UTF-8 on its own.
    private static func withInvalidByte(_ text: String) -> Data {
        Data(text.utf8.map { $0 == UInt8(ascii: "%") ? 0xE1 : $0 })
    }

    @Test(
        "XML bodies that are not UTF-8 are MalformedXML (Foundation's parser would trap on them)",
        arguments: ["<a%>x</a%>", "<a %=\"1\">x</a>", "<p%:a xmlns:p%=\"u\">x</p%:a>", "<a><!-- % --></a>", "<a><![CDATA[%]]></a>", "<a>%</a>"]
    )
    func nonUTF8XML(text: String) {
        #expect(throws: S3Error.malformedXML) { try XMLTree.parse(Self.withInvalidByte(text)) }
    }

    @Test(
        "processing instructions are MalformedXML (Foundation's parser dereferences null on `<?x?>`)",
        arguments: ["<a><?x?></a>", "<?x?><a/>", "<a/><?x?>", "<?xml?><a/>", "<?XML?><a/>", "<!DOCTYPE a [<?x?>]><a/>", "<a><?x data?></a>"]
    )
    func processingInstructions(text: String) {
        #expect(throws: S3Error.malformedXML) { try XMLTree.parse(Data(text.utf8)) }
    }

    @Test("control characters are MalformedXML before they reach the parser", arguments: [0x00, 0x02, 0x1B, 0x1F] as [UInt8])
    func controlCharacters(byte: UInt8) {
        #expect(throws: S3Error.malformedXML) { try XMLTree.parse(Data(Array("<a><b>".utf8) + [byte] + Array("</b></a>".utf8))) }
    }

    @Test("the XML declaration, with or without a byte order mark, still parses")
    func declarationParses() throws {
        let plain = #"<?xml version="1.0" encoding="UTF-8"?><Delete><Object><Key>a</Key></Object></Delete>"#
        #expect(try XMLTree.parse(Data(plain.utf8)).name == "Delete")
        #expect(try XMLTree.parse(Data([0xEF, 0xBB, 0xBF] + Array(plain.utf8))).name == "Delete")
        #expect(try XMLTree.parse(Data("<?xml\tversion=\"1.0\"?><a>x</a>".utf8)).text == "x")
    }

    @Test("event sequencers for any instant", arguments: [1e19, 1e300, -1e300, Double.nan, Double.infinity])
    func sequencerNeverTraps(seconds: Double) {
        let notifier = S3EventNotifier(invoker: nil, logger: Logger(label: "test"))
        let sequencer = notifier.nextSequencer(now: Date(timeIntervalSince1970: seconds))
        #expect(sequencer.count >= 18)
    }
}
