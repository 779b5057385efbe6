import Foundation

/// The timestamp formats AWS wire protocols use.
package enum Timestamp {
    /// ISO 8601 in UTC with milliseconds, as S3 and CloudFormation send: `2026-01-01T00:00:00.000Z`.
    /// - Parameter date: The instant.
    /// - Returns: The formatted text.
    package static func iso8601Milliseconds(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// ISO 8601 in UTC without fractions: `2026-01-01T00:00:00Z`.
    /// - Parameter date: The instant.
    /// - Returns: The formatted text.
    package static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
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

    /// RFC 7231 HTTP date, as S3 sends in `Last-Modified`: `Wed, 12 Oct 2009 17:50:00 GMT`.
    /// - Parameter date: The instant.
    /// - Returns: The formatted text.
    package static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
