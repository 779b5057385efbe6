import EmulatorCore
import Foundation

/// Identifiers in API Gateway's WebSocket formats.
package enum WebSocketIdentifiers {
    /// A connection id as AWS issues them: 16 characters, the base64 of 11 bytes (`L0SM9cOFvHcCIhw=`).
    ///
    /// Ids with `+` or `/` are drawn again, so that an id is safe in a URL path segment without escaping
    /// anything but the `=` botocore encodes.
    /// - Returns: A fresh id.
    package static func connectionId() -> String {
        var generator = EmulatorRandom.idGenerator("connection-ids")  // seeded under --seed
        while true {
            let bytes = (0..<11).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let id = Data(bytes).base64EncodedString()
            if !id.contains("+") && !id.contains("/") { return id }
        }
    }

    /// A request, extended request or message id (same shape as connection ids: `UqPG7FgqoAMEVxQ=`).
    /// - Returns: A fresh id.
    package static func requestId() -> String { connectionId() }

    /// `requestTime` as API Gateway writes it: `03/Dec/2025:10:15:30 +0000`.
    /// - Parameter date: The instant.
    /// - Returns: The text.
    package static func requestTime(_ date: Date) -> String {
        let calendar = Calendar(identifier: .gregorian)
        let parts = calendar.dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = months[max(0, min(11, (parts.month ?? 1) - 1))]
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(two(parts.day))/\(month)/\(parts.year ?? 1970):\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    /// Milliseconds since the epoch, clamped to `Int64` (the virtual clock can be moved anywhere).
    /// - Parameter date: The instant.
    /// - Returns: The epoch milliseconds.
    package static func epochMilliseconds(_ date: Date) -> Int64 {
        clampedInt64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// A `Double` as `Int64`, clamped to its range; NaN is 0.
    /// - Parameter value: The value.
    /// - Returns: The integer (truncated toward zero).
    package static func clampedInt64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= Double(Int64.max) { return .max }
        if value <= Double(Int64.min) { return .min }
        return Int64(value)
    }
}
