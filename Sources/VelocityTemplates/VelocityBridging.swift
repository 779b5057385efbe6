import Foundation

extension VelocityMap {
    /// A map of a Foundation JSON-style object (`[String: Any]` from an event), keys sorted, nested objects as maps.
    /// - Parameter object: The object.
    package init(jsonObject object: [String: Any]) {
        self.init(object.sorted { $0.key < $1.key }.map { (key: $0.key, value: VelocityValue(any: $0.value)) })
    }
}

extension VelocityValue {
    /// The value of a Foundation JSON-style value (anything else is `null`).
    /// - Parameter value: The value.
    package init(any value: Any) {
        switch value {
        case let text as String: self = .string(text)
        case let flag as Bool: self = .bool(flag)
        case let number as Int: self = .int(number)
        case let number as Int64: self = .int(Int(truncatingIfNeeded: number))
        case let number as Double: self = .double(number)
        case let object as [String: Any]: self = .map(VelocityMap(jsonObject: object))
        case let list as [Any]: self = .list(list.map(VelocityValue.init(any:)))
        default: self = .null
        }
    }
}

/// Integration response selection as API Gateway does it: the first entry whose selection pattern (a regular
/// expression matching the whole status code or Lambda error message) matches, else the default entry.
package enum ResponseSelection {
    /// Picks an entry.
    /// - Parameters:
    ///   - entries: Selection patterns (nil for the default entry) with their entries, in order.
    ///   - selector: The status code, or a Lambda function's error message.
    /// - Returns: The chosen entry, or nil when none matches and there is no default.
    package static func select<T>(_ entries: [(pattern: String?, entry: T)], selector: String) -> T? {
        for (pattern, entry) in entries {
            guard let pattern, let regex = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$", options: [.dotMatchesLineSeparators]) else {
                continue
            }
            if regex.firstMatch(in: selector, range: NSRange(selector.startIndex..., in: selector)) != nil { return entry }
        }
        return entries.first { $0.pattern == nil }?.entry
    }

    /// The status code a `MOCK` integration's request template asks for: its JSON output's `statusCode` (a whole
    /// number or a numeric string).
    /// - Parameter rendered: The request template's output.
    /// - Returns: The status code, or nil when the output is not such JSON.
    package static func mockStatusCode(_ rendered: String) -> Int? {
        guard case .map(let object) = VelocityJSON.parse(rendered.trimmingWhitespace) else { return nil }
        switch object["statusCode"] {
        case .int(let code): return code
        case .double(let code) where code.rounded() == code && abs(code) < 1000: return Int(code)
        case .string(let text): return Int(text)
        default: return nil
        }
    }
}
