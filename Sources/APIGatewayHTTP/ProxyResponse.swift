import Foundation

/// A Lambda proxy integration's answer, validated as API Gateway validates it.
package struct ProxyResponse: Sendable, Equatable {
    /// The status code (100 to 599).
    package var status: Int
    /// The headers in order (`headers` merged with `multiValueHeaders`; cookies as `Set-Cookie`).
    package var headers: [(name: String, value: String)]
    /// The body text as the function returned it.
    package var body: String
    /// Whether ``body`` is base64.
    package var isBase64Encoded: Bool

    /// Compares every field.
    package static func == (lhs: ProxyResponse, rhs: ProxyResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.isBase64Encoded == rhs.isBase64Encoded
            && lhs.headers.map { [$0.name, $0.value] } == rhs.headers.map { [$0.name, $0.value] }
    }

    private static let version1Keys: Set<String> = ["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]

    /// Reads a payload format 1.0 response (REST APIs, HTTP APIs with 1.0): a JSON object with an integer
    /// `statusCode`, string `body`, scalar `headers`, list-valued `multiValueHeaders` and boolean `isBase64Encoded`,
    /// and nothing else. Anything else is the "Malformed Lambda proxy response" API Gateway answers with an error.
    /// - Parameter payload: The function's result.
    /// - Returns: The response, or nil when malformed.
    package static func version1(_ payload: Data) -> ProxyResponse? {
        guard let object = (try? JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed])) as? [String: Any],
            object.keys.allSatisfy(version1Keys.contains),
            let status = statusCode(object["statusCode"])
        else { return nil }
        guard var headers = singleValueHeaders(object["headers"]) else { return nil }
        if let multiple = object["multiValueHeaders"], !(multiple is NSNull) {
            guard let map = multiple as? [String: Any] else { return nil }
            for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                guard let list = value as? [Any] else { return nil }
                // A name in both keeps the multi-value list only.
                headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
                for item in list {
                    guard let text = scalarText(item) else { return nil }
                    headers.append((name, text))
                }
            }
        }
        guard let body = bodyText(object["body"]), let base64 = flag(object["isBase64Encoded"]) else { return nil }
        return ProxyResponse(status: status, headers: headers, body: body, isBase64Encoded: base64)
    }

    /// Reads a payload format 2.0 response: with a `statusCode`, the full format (`cookies` become `Set-Cookie`);
    /// without one, any valid JSON is the body of a 200 `application/json` answer (a JSON string is its text).
    /// - Parameter payload: The function's result.
    /// - Returns: The response, or nil when malformed.
    package static func version2(_ payload: Data) -> ProxyResponse? {
        guard let value = try? JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed]) else { return nil }
        guard let object = value as? [String: Any], object["statusCode"] != nil else {
            let body = (value as? String) ?? String(decoding: payload, as: UTF8.self)
            return ProxyResponse(status: 200, headers: [("Content-Type", "application/json")], body: body, isBase64Encoded: false)
        }
        guard let status = statusCode(object["statusCode"]) else { return nil }
        guard var headers = singleValueHeaders(object["headers"]) else { return nil }
        if let cookies = object["cookies"], !(cookies is NSNull) {
            guard let list = cookies as? [Any] else { return nil }
            for cookie in list {
                guard let text = scalarText(cookie) else { return nil }
                headers.append(("Set-Cookie", text))
            }
        }
        guard let body = bodyText(object["body"]), let base64 = flag(object["isBase64Encoded"]) else { return nil }
        return ProxyResponse(status: status, headers: headers, body: body, isBase64Encoded: base64)
    }

    /// A `headers` object of scalar values as pairs sorted by name; `[]` when absent, nil when malformed.
    private static func singleValueHeaders(_ value: Any?) -> [(name: String, value: String)]? {
        guard let value, !(value is NSNull) else { return [] }
        guard let map = value as? [String: Any] else { return nil }
        var headers: [(name: String, value: String)] = []
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            guard let text = scalarText(value) else { return nil }
            headers.append((name, text))
        }
        return headers
    }

    /// An HTTP status from JSON: an integral number (or numeric string) from 200 to 599. An informational (1xx)
    /// status cannot end an HTTP exchange (the client would wait for the real answer), so it is malformed.
    private static func statusCode(_ value: Any?) -> Int? {
        let number: Double?
        switch value {
        case let text as String: number = Double(text.trimmingCharacters(in: .whitespaces))
        case let value as NSNumber where !isBoolean(value): number = value.doubleValue
        default: number = nil
        }
        guard let number, number.isFinite, number.rounded() == number, number >= 200, number <= 599 else { return nil }
        return Int(number)
    }

    private static func scalarText(_ value: Any) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber:
            if isBoolean(number) { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default: return nil
        }
    }

    /// JSON `true`/`false` arrive as NSNumbers of Objective-C type `c` (char), numbers as other types.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    private static func bodyText(_ value: Any?) -> String? {
        switch value {
        case nil, is NSNull: return ""
        case let text as String: return text
        default: return nil
        }
    }

    private static func flag(_ value: Any?) -> Bool? {
        switch value {
        case nil, is NSNull: return false
        case let number as NSNumber where isBoolean(number): return number.boolValue
        case let text as String where text == "true" || text == "false": return text == "true"
        default: return nil
        }
    }
}
