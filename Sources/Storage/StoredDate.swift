import Foundation
import GRDB

/// Dates in SQLite columns exactly as GRDB stores them (text `yyyy-MM-dd HH:mm:ss.SSS`, UTC), written and read with
/// integer arithmetic instead of Foundation's `DateFormatter` and `Calendar`: GRDB's conversion costs about 7 µs per
/// date written, a visible share of an S3 PutObject (issue 11's seventh follow-up).
///
/// Only dates from 1970 through 9999 take the fast path (the proleptic Gregorian arithmetic here and ICU's calendar
/// agree there); any other date, and any stored text of another shape, goes through GRDB's own conversion, so the
/// stored text and the decoded value are the same either way (unit-tested against GRDB's conversion).
package enum StoredDate {
    /// Milliseconds since 1970 of the last millisecond of 9999.
    private static let lastFastMillisecond: Int64 = 253_402_300_799_999

    /// The text GRDB stores for a date.
    /// - Parameter date: The date.
    /// - Returns: `yyyy-MM-dd HH:mm:ss.SSS` in UTC.
    package static func text(_ date: Date) -> String {
        // As Foundation formats dates: milliseconds since 1970 as a Double, rounded to the nearest millisecond.
        let udate = ((date.timeIntervalSinceReferenceDate + 978_307_200.0) * 1000.0).rounded()
        guard udate >= 0, udate <= Double(lastFastMillisecond) else {
            return String.fromDatabaseValue(date.databaseValue) ?? ""
        }
        let milliseconds = Int64(udate)
        let days = milliseconds / 86_400_000
        let inDay = milliseconds % 86_400_000
        let (year, month, day) = civil(fromDays: days)
        var bytes = [UInt8](repeating: 0, count: 23)
        func put(_ value: Int64, _ digits: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[index] = UInt8(truncatingIfNeeded: 48 + value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        bytes[4] = 45  // -
        put(month, 2, at: 5)
        bytes[7] = 45
        put(day, 2, at: 8)
        bytes[10] = 32  // space
        put(inDay / 3_600_000, 2, at: 11)
        bytes[13] = 58  // :
        put(inDay / 60_000 % 60, 2, at: 14)
        bytes[16] = 58
        put(inDay / 1000 % 60, 2, at: 17)
        bytes[19] = 46  // .
        put(inDay % 1000, 3, at: 20)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The database value GRDB stores for a date (see ``text(_:)``).
    /// - Parameter date: The date.
    /// - Returns: The text value.
    package static func databaseValue(_ date: Date) -> DatabaseValue {
        text(date).databaseValue
    }

    /// Decodes a date column as GRDB does.
    /// - Parameters:
    ///   - row: The row.
    ///   - column: The column.
    /// - Returns: The date.
    /// - Throws: GRDB's decoding error when the value is not a date.
    package static func decode(_ row: Row, forColumn column: String) throws -> Date {
        if let text: String = row[column], let date = date(fromText: text) { return date }
        return try row.decode(Date.self, forColumn: column)
    }

    /// The date of a stored text in exactly the shape ``text(_:)`` writes, from 1970 on.
    /// - Parameter text: The stored text.
    /// - Returns: The date, or nil for any other shape (callers then use GRDB's decoding).
    package static func date(fromText text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 23, bytes[4] == 45, bytes[7] == 45, bytes[10] == 32, bytes[13] == 58, bytes[16] == 58,
                bytes[19] == 46
            else { return nil }
            func number(_ offset: Int, _ digits: Int) -> Int64? {
                var value: Int64 = 0
                for index in offset..<(offset + digits) {
                    let digit = Int64(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3),
                year >= 1970, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24,
                minute < 60, second < 60
            else { return nil }
            let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
            return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + Double(millisecond) / 1000.0)
        }
    }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`, days ≥ 0).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`, years ≥ 1970).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = year / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
