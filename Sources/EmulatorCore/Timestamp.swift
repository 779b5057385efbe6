import Foundation

/// The timestamp formats AWS wire protocols use.
///
/// The formatters render any `Date`: an instant outside years 0001 through 9999 (a lifecycle rule of a billion days,
/// a NaN) is shown as the nearest end of that range instead of reaching the calendar code with an absurd value.
package enum Timestamp {
    /// `date` forced into years 0001 through 9999; NaN becomes 1970-01-01.
    /// - Parameter date: Any instant.
    /// - Returns: The instant the formatters render.
    package static func formattable(_ date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        guard !seconds.isNaN else { return Date(timeIntervalSince1970: 0) }
        // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
        return Date(timeIntervalSince1970: min(max(seconds, -62_135_596_800), 253_402_300_799.999))
    }

    /// ISO 8601 in UTC with milliseconds, as S3 and CloudFormation send: `2026-01-01T00:00:00.000Z`.
    /// - Parameter date: The instant.
    /// - Returns: The formatted text.
    package static func iso8601Milliseconds(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: formattable(date))
    }

    /// ISO 8601 in UTC without fractions: `2026-01-01T00:00:00Z`.
    /// - Parameter date: The instant.
    /// - Returns: The formatted text.
    package static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: formattable(date))
    }

    /// Parses ISO 8601 with or without fractional seconds.
    /// - Parameter text: The text.
    /// - Returns: The instant, or `nil`.
    package static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Whole seconds since 1970, rounded down and clamped to `Int64` (NaN becomes 0): safe for any `Date`.
    /// - Parameter date: The instant.
    /// - Returns: The seconds.
    package static func epochSeconds(_ date: Date) -> Int64 {
        clampedInt64(date.timeIntervalSince1970)
    }

    /// Whole milliseconds since 1970, rounded down and clamped to `Int64` (NaN becomes 0): safe for any `Date`.
    /// - Parameter date: The instant.
    /// - Returns: The milliseconds.
    package static func epochMilliseconds(_ date: Date) -> Int64 {
        clampedInt64(date.timeIntervalSince1970 * 1000)
    }

    /// `value` rounded down and clamped to `Int64`; NaN becomes 0.
    /// - Parameter value: Any double.
    /// - Returns: The integer.
    package static func clampedInt64(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        // 2^63 is exactly representable; every double below it converts without trapping.
        if value >= 0x1p63 { return .max }
        if value < -0x1p63 { return .min }
        return Int64(value.rounded(.down))
    }

    /// RFC 7231 HTTP date, as S3 sends in `Last-Modified`: `Wed, 12 Oct 2009 17:50:00 GMT`.
    ///
    /// Rendered directly (proleptic Gregorian calendar, the formatter's rounding) for years from 1583 on: a
    /// `DateFormatter` per call cost a fifth of a GetObject. Earlier instants (the Julian calendar of the formatter)
    /// keep the formatter.
    /// - Parameter date: The instant.
    /// - Returns: The formatted text.
    package static func httpDate(_ date: Date) -> String {
        let seconds = formattable(date).timeIntervalSince1970
        // The instant rounded to the nearest millisecond, then down to the second, as the formatter renders it.
        let milliseconds = Int64((seconds * 1000).rounded())
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = remainder < 0 ? quotient - 1 : quotient
        if seconds >= gregorianFrom, let text = renderHTTPDate(whole) { return text }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: formattable(date))
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's civil-from-days algorithm).
    /// - Parameter days: Days since 1970-01-01 (negative before), within ±10^12 or so.
    /// - Returns: Year, month (1-12) and day of the month (1-31).
    package static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 1583-01-01T00:00:00Z: from here on the formatter's calendar is the proleptic Gregorian one.
    private static let gregorianFrom: Double = -12_212_553_600

    private static let weekdayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Wed, 12 Oct 2009 17:50:00 GMT` for whole seconds since 1970 (nil outside years 1583 through 9999).
    private static func renderHTTPDate(_ total: Int64) -> String? {
        let (days, remainder) = total.quotientAndRemainder(dividingBy: 86_400)
        let day = Int(remainder < 0 ? days - 1 : days)
        let secondOfDay = Int(remainder < 0 ? remainder + 86_400 : remainder)
        let (year, month, dayOfMonth) = civilDate(daysSince1970: day)
        guard (1583...9999).contains(year) else { return nil }
        let weekday = ((day % 7) + 7) % 7
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdayNames[weekday]), \(two(dayOfMonth)) \(monthNames[month - 1]) \(year) "
            + "\(two(secondOfDay / 3_600)):\(two(secondOfDay % 3_600 / 60)):\(two(secondOfDay % 60)) GMT"
    }
}
