import Foundation
import VelocityTemplates

/// REST API parameter mapping ("Parameter mapping for REST APIs in API Gateway",
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping.html, and its source
/// reference https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html).
///
/// Integration requests (proxy and non-proxy) map `integration.request.header.NAME`, `integration.request.querystring.NAME`
/// and `integration.request.path.NAME` from `method.request.path|querystring|multivaluequerystring|header|multivalueheader.NAME`,
/// `method.request.body`, `method.request.body.JSONPATH`, `stageVariables.NAME`, `context.NAME` or a static `'value'`.
/// Integration responses (non-proxy only) map `method.response.header.NAME` from `integration.response.header.NAME`,
/// `integration.response.multivalueheader.NAME`, `integration.response.body`, `integration.response.body.JSONPATH`,
/// `stageVariables.NAME`, `context.NAME` or a static `'value'`. A source with no value maps nothing.
struct RestParameterMapping {
    /// The integration request's mapped parameters.
    struct Request {
        /// `integration.request.header.NAME` values.
        var headers: [(name: String, value: String)] = []
        /// `integration.request.querystring.NAME` values.
        var query: [(name: String, value: String)] = []
        /// `integration.request.path.NAME` values.
        var path: [String: String] = [:]
    }

    /// The method request: path parameters, query, headers, body.
    var request: ProxyRequest
    /// The matched path parameters.
    var pathParameters: [String: String]
    /// The stage variables.
    var stageVariables: [String: String]
    /// `$context` (the event's `requestContext`).
    var context: VelocityMap

    /// Evaluates `integration.request.*` mappings (others are ignored).
    /// - Parameter mappings: The integration's `RequestParameters` (target to source).
    /// - Returns: The mapped header, query and path values.
    func integrationRequest(_ mappings: [IntegrationSpec.ParameterMapping]) -> Request {
        var result = Request()
        for mapping in mappings {
            let target = mapping.key
            guard let value = requestSource(mapping.value) else { continue }
            if let name = Self.suffix(target, "integration.request.header.") {
                result.headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
                result.headers.append((name, value))
            } else if let name = Self.suffix(target, "integration.request.querystring.") {
                result.query.removeAll { $0.name == name }
                result.query.append((name, value))
            } else if let name = Self.suffix(target, "integration.request.path.") {
                result.path[name] = value
            }
        }
        return result
    }

    /// Evaluates `method.response.header.*` mappings against an integration's answer.
    /// - Parameters:
    ///   - mappings: The integration response's `ResponseParameters` (header name to source).
    ///   - headers: The integration's response headers.
    ///   - body: The integration's response body.
    ///   - lambdaError: Whether the body is a Lambda function error, whose `errorMessage` holding JSON text is read as
    ///     JSON for body-to-header mappings ("Handle custom Lambda errors in API Gateway").
    /// - Returns: The method response headers.
    func methodResponseHeaders(
        _ mappings: [IntegrationSpec.HeaderValue],
        headers: [(name: String, value: String)],
        body: String,
        lambdaError: Bool
    ) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for mapping in mappings {
            let source = mapping.value
            var value: String?
            if let name = Self.suffix(source, "integration.response.header.") {
                value = headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
            } else if let name = Self.suffix(source, "integration.response.multivalueheader.") {
                let values = headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
                value = values.isEmpty ? nil : values.joined(separator: ",")
            } else if source == "integration.response.body" {
                value = body
            } else if let path = Self.suffix(source, "integration.response.body.") {
                value = Self.jsonMember(path, of: body, lambdaError: lambdaError)
            } else {
                value = commonSource(source)
            }
            if let value { result.append((mapping.name, value)) }
        }
        return result
    }

    /// The value of a request mapping source, or nil when it has none.
    private func requestSource(_ source: String) -> String? {
        if let name = Self.suffix(source, "method.request.path.") { return pathParameters[name] }
        if let name = Self.suffix(source, "method.request.querystring.") {
            return request.queryItems.last { $0.name == name }?.value
        }
        if let name = Self.suffix(source, "method.request.multivaluequerystring.") {
            let values = request.queryItems.filter { $0.name == name }.map(\.value)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
        if let name = Self.suffix(source, "method.request.header.") {
            return request.headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        if let name = Self.suffix(source, "method.request.multivalueheader.") {
            let values = request.headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
        let body = String(decoding: request.body, as: UTF8.self)
        if source == "method.request.body" { return body }
        if let path = Self.suffix(source, "method.request.body.") { return Self.jsonMember(path, of: body, lambdaError: false) }
        return commonSource(source)
    }

    /// A static `'value'`, `stageVariables.NAME` or `context.NAME` (nested names with dots).
    private func commonSource(_ source: String) -> String? {
        if source.count >= 2, source.hasPrefix("'"), source.hasSuffix("'") { return String(source.dropFirst().dropLast()) }
        if let name = Self.suffix(source, "stageVariables.") { return stageVariables[name] }
        if let name = Self.suffix(source, "context.") {
            guard let value = try? VelocityJSON.select("$." + name, in: .map(context)) else { return nil }
            return Self.text(value)
        }
        return nil
    }

    /// A member of a JSON body by a JSONPath without its `$.` (`a.b[0]`), as text: strings as they are, other values as
    /// JSON.
    static func jsonMember(_ path: String, of body: String, lambdaError: Bool) -> String? {
        guard var root = VelocityJSON.parse(body) else { return nil }
        if lambdaError, case .map(let object) = root, case .string(let message) = object["errorMessage"],
            let parsed = VelocityJSON.parse(message), case .map = parsed
        {
            root = .map(VelocityMap(object.entries.map { $0.key == "errorMessage" ? (key: $0.key, value: parsed) : $0 }))
        }
        let expression = path.hasPrefix("[") ? "$" + path : "$." + path
        guard let value = try? VelocityJSON.select(expression, in: root) else { return nil }
        return text(value)
    }

    /// A value as mapped text: strings as they are, `null` as nothing, others as JSON.
    private static func text(_ value: VelocityValue) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        default: return value.json
        }
    }

    private static func suffix(_ text: String, _ prefix: String) -> String? {
        guard text.hasPrefix(prefix), text.count > prefix.count else { return nil }
        return String(text.dropFirst(prefix.count))
    }
}
