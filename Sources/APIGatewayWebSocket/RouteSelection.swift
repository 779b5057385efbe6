import Foundation

/// Evaluates a WebSocket API's route selection expression against an incoming message.
///
/// Supported forms: `$request.body.PATH` (the whole expression) and templates with `${request.body.PATH}`
/// parts (`${request.body.type}-${request.body.action}`). `PATH` is a dotted JSON path. A message that is not
/// a JSON object, or lacks a referenced member, selects nothing (the caller falls back to `$default`).
package struct RouteSelectionExpression: Sendable, Equatable {
    private enum Part: Sendable, Equatable {
        case literal(String)
        case bodyPath([String])
    }

    private let parts: [Part]

    /// Parses an expression.
    /// - Parameter expression: The `RouteSelectionExpression` text.
    package init(_ expression: String) {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("$request.body.") {
            parts = [.bodyPath(Self.path(String(trimmed.dropFirst("$request.body.".count))))]
            return
        }
        var parts: [Part] = []
        var rest = Substring(trimmed)
        while let open = rest.range(of: "${") {
            if !rest[..<open.lowerBound].isEmpty { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let inner = rest[open.upperBound..<close]
            if inner.hasPrefix("request.body.") {
                parts.append(.bodyPath(Self.path(String(inner.dropFirst("request.body.".count)))))
            } else {
                parts.append(.literal("${\(inner)}"))
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    private static func path(_ text: String) -> [String] {
        text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// The route key the expression selects for a message body.
    /// - Parameter body: The message as received (text frames; binary frames select nothing).
    /// - Returns: The selected key, or `nil` when the body is not JSON or lacks a referenced member.
    package func evaluate(_ body: String) -> String? {
        let json = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text):
                result += text
            case .bodyPath(let path):
                guard let value = Self.lookup(json, path: path) else { return nil }
                result += value
            }
        }
        return result
    }

    private static func lookup(_ json: Any?, path: [String]) -> String? {
        var current = json
        for key in path {
            guard let object = current as? [String: Any], let next = object[key] else { return nil }
            current = next
        }
        switch current {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}
