import EmulatorCore
import Foundation
import Testing

@Suite struct HTTPDateTests {
    /// What `Timestamp.httpDate` rendered before it stopped using a formatter per call.
    static func reference(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Timestamp.formattable(date))
    }

    @Test func knownDate() {
        #expect(Timestamp.httpDate(Date(timeIntervalSince1970: 1_255_369_800)) == "Mon, 12 Oct 2009 17:50:00 GMT")
    }

    @Test(arguments: [
        0.0, -0.5, 0.999, 59.5, 86_399.999, 951_782_400, 4_107_542_400, -12_212_553_600, -12_212_553_601, -62_135_596_800,
        253_402_300_799.999, 1e15, -1e15, .nan, 1_700_000_000.123, -1_000_000_000.25,
    ])
    func matchesTheFormatter(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(Timestamp.httpDate(date) == Self.reference(date))
    }

    @Test func matchesTheFormatterOnASpreadOfInstants() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -12_300_000_000...253_402_300_799, using: &generator))
            #expect(Timestamp.httpDate(date) == Self.reference(date))
        }
    }
}
