import Foundation

/// S3's CORS evaluation: the first rule whose origin, method and (for preflights) every requested header
/// match wins.
package enum CORS {
    /// The headers a matching rule adds to a response.
    package struct Grant: Sendable, Equatable {
        /// `Access-Control-Allow-Origin`.
        package var allowOrigin: String
        /// `Access-Control-Allow-Methods`.
        package var allowMethods: String
        /// `Access-Control-Allow-Headers` (preflights only).
        package var allowHeaders: String?
        /// `Access-Control-Expose-Headers`.
        package var exposeHeaders: String?
        /// `Access-Control-Max-Age`.
        package var maxAge: String?
        /// `Access-Control-Allow-Credentials: true` (sent unless the rule allows every origin).
        package var allowCredentials: Bool

        /// The header fields, in S3's order.
        package var headers: [(String, String)] {
            var result = [("Access-Control-Allow-Origin", allowOrigin), ("Access-Control-Allow-Methods", allowMethods)]
            if let allowHeaders { result.append(("Access-Control-Allow-Headers", allowHeaders)) }
            if let exposeHeaders { result.append(("Access-Control-Expose-Headers", exposeHeaders)) }
            if let maxAge { result.append(("Access-Control-Max-Age", maxAge)) }
            if allowCredentials { result.append(("Access-Control-Allow-Credentials", "true")) }
            result.append(("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"))
            return result
        }
    }

    /// Matches a value against a pattern with at most one `*` wildcard (S3 allows one per origin or header).
    /// - Parameters:
    ///   - pattern: The rule's pattern.
    ///   - value: The request's value.
    ///   - caseInsensitive: Whether to ignore case (headers).
    /// - Returns: Whether it matches.
    package static func wildcardMatch(_ pattern: String, _ value: String, caseInsensitive: Bool = false) -> Bool {
        let pattern = caseInsensitive ? pattern.lowercased() : pattern
        let value = caseInsensitive ? value.lowercased() : value
        guard let star = pattern.firstIndex(of: "*") else { return pattern == value }
        let head = String(pattern[..<star])
        let tail = String(pattern[pattern.index(after: star)...])
        return value.count >= head.count + tail.count && value.hasPrefix(head) && value.hasSuffix(tail)
    }

    /// Evaluates a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`).
    /// - Parameters:
    ///   - rules: The bucket's rules.
    ///   - origin: The `Origin` header.
    ///   - method: The `Access-Control-Request-Method` header.
    ///   - requestHeaders: The `Access-Control-Request-Headers` names.
    /// - Returns: The grant of the first matching rule, or nil.
    package static func preflight(rules: [CORSRule], origin: String, method: String, requestHeaders: [String]) -> Grant? {
        for rule in rules {
            guard rule.allowedOrigins.contains(where: { wildcardMatch($0, origin) }) else { continue }
            guard rule.allowedMethods.contains(method) else { continue }
            let headersAllowed = requestHeaders.allSatisfy { header in
                rule.allowedHeaders.contains { wildcardMatch($0, header, caseInsensitive: true) }
            }
            guard headersAllowed else { continue }
            return grant(rule: rule, origin: origin, requestHeaders: requestHeaders, preflight: true)
        }
        return nil
    }

    /// Evaluates an actual request that carries `Origin`.
    /// - Parameters:
    ///   - rules: The bucket's rules.
    ///   - origin: The `Origin` header.
    ///   - method: The request method.
    /// - Returns: The grant of the first rule matching origin and method, or nil.
    package static func actual(rules: [CORSRule], origin: String, method: String) -> Grant? {
        for rule in rules {
            guard rule.allowedOrigins.contains(where: { wildcardMatch($0, origin) }) else { continue }
            guard rule.allowedMethods.contains(method) else { continue }
            return grant(rule: rule, origin: origin, requestHeaders: [], preflight: false)
        }
        return nil
    }

    private static func grant(rule: CORSRule, origin: String, requestHeaders: [String], preflight: Bool) -> Grant {
        let anyOrigin = rule.allowedOrigins.contains("*")
        return Grant(
            allowOrigin: anyOrigin ? "*" : origin,
            allowMethods: rule.allowedMethods.joined(separator: ", "),
            allowHeaders: preflight && !requestHeaders.isEmpty ? requestHeaders.joined(separator: ", ") : nil,
            exposeHeaders: rule.exposeHeaders.isEmpty ? nil : rule.exposeHeaders.joined(separator: ", "),
            maxAge: rule.maxAgeSeconds.map(String.init),
            allowCredentials: !anyOrigin
        )
    }

    /// Splits `Access-Control-Request-Headers` into lower-cased names.
    /// - Parameter value: The header value.
    /// - Returns: The names.
    package static func requestedHeaders(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }
}
