import Foundation
import GRDB
import Storage
import Testing

/// The fast date conversion of stored rows gives exactly GRDB's text and GRDB's decoded value.
@Suite struct StoredDateTests {
    /// Dates around the edges the arithmetic must get right, plus a seeded spread over 1970-9999.
    private static var samples: [Date] {
        var dates: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 0.0005), Date(timeIntervalSince1970: 0.999),
            Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 951_868_799.999),  // 2000-02-29
            Date(timeIntervalSince1970: 4_107_542_399.9999), Date(timeIntervalSince1970: 1_733_350_000.123),
            Date(timeIntervalSince1970: 1_733_350_000.1235), Date(timeIntervalSince1970: 253_402_300_799.999),
            Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 253_402_300_800), Date.distantPast, Date.distantFuture,
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let milliseconds = Double(state >> 11 % 253_402_300_800_000)
            let jitter = Double((state >> 3) % 1000) / 1_000_000
            dates.append(Date(timeIntervalSince1970: milliseconds / 1000 + jitter))
        }
        return dates
    }

    @Test func textIsGRDBs() {
        for date in Self.samples {
            #expect(StoredDate.text(date) == String.fromDatabaseValue(date.databaseValue), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func decodedDateIsGRDBs() {
        for date in Self.samples {
            let text = String.fromDatabaseValue(date.databaseValue) ?? ""
            guard let fast = StoredDate.date(fromText: text) else {
                #expect(date.timeIntervalSince1970 < 0 || date.timeIntervalSince1970 >= 253_402_300_800, "\(text)")
                continue
            }
            #expect(fast == Date.fromDatabaseValue(text.databaseValue), "\(text)")
        }
    }

    @Test func otherShapesAreLeftToGRDB() {
        for text in [
            "2026-12-04", "2026-12-04 10:00:00", "2026-13-04 10:00:00.000", "2026-02-30 10:00:00.000", "1969-12-31 23:59:59.999",
            "2026-12-04T10:00:00.000", "２０２６-12-04 10:00:00.000", "2026-12-04 24:00:00.000",
        ] {
            #expect(StoredDate.date(fromText: text) == nil, "\(text)")
        }
    }
}
