import AWSGateway
import Foundation
import Logging

/// A request an `HTTP_PROXY` integration sends, built from the client's request and changed by parameter mappings.
struct OutgoingRequest {
    /// The method.
    var method: String
    /// The URL without its query.
    var url: String
    /// The query items (raw, percent-encoded as the client sent them or as a mapping wrote them).
    var query: [(name: String, value: String)]
    /// The headers.
    var headers: [(name: String, value: String)]

    /// The full URL.
    var fullURL: String {
        guard !query.isEmpty else { return url }
        return url + "?" + query.map { $0.value.isEmpty && $0.name.isEmpty ? "" : "\($0.name)=\($0.value)" }.joined(separator: "&")
    }
}

/// An answer on its way back to the client (an integration's, before response parameter mappings).
struct IntegrationAnswer {
    /// The status code.
    var status: Int
    /// The headers.
    var headers: [(name: String, value: String)]
    /// The body.
    var body: [UInt8]
}

extension APIGatewayHTTPService {
    /// Runs an HTTP API `HTTP_PROXY` integration ("Create HTTP proxy integrations for HTTP APIs"): the integration
    /// URI with `{param}` path variables and `${stageVariables.x}` substituted, the client's query string appended,
    /// headers forwarded (hop-by-hop ones dropped), `RequestParameters` applied, sent with the integration method
    /// (`ANY`: the client's). Only loopback `http://` targets are contacted; any other answers 500
    /// `{"message":"Internal Server Error"}` without being contacted, as does an unreachable target; no answer
    /// within the timeout (30 s at most) answers 503 `{"message":"Service Unavailable"}`.
    /// - Returns: The target's answer, or API Gateway's.
    func forwardHTTP(
        _ integration: IntegrationSpec,
        route: HttpApiSpec.Route,
        stage: HttpApiSpec.Stage,
        pathParameters: [String: String],
        request: ProxyRequest,
        context: ProxyEventContext,
        logger: Logger
    ) async -> Result<IntegrationAnswer, GatewayRefusal> {
        let failed = GatewayRefusal(status: 500, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.httpInternalServerError))
        var outgoing = Self.outgoing(integration, pathParameters: pathParameters, stageVariables: stage.variables, request: request)
        outgoing.headers.append(("Forwarded", "by=\(request.domainName);for=\(request.sourceIp);host=\(request.domainName);proto=http"))
        let values = MappingValues(request: request, context: context, stage: stage, pathParameters: pathParameters)
        for mapping in integration.requestParameters {
            Self.apply(mapping, to: &outgoing, values: values)
        }
        let timedOut = GatewayRefusal(status: 503, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.serviceUnavailable))
        return await send(
            outgoing,
            body: request.body,
            timeout: Self.timeout(integration.timeoutInMillis, maximum: 30_000),
            timedOut: timedOut,
            failed: failed,
            logger: logger
        )
    }

    /// Runs a REST API `HTTP_PROXY` integration: the URI with `{param}` (and `{proxy}` of a greedy `{proxy+}`)
    /// substituted from the path parameters (`integration.request.path.*` mappings first) and stage variables, the query
    /// string appended, headers forwarded, mapped request parameters added, the answer passed through. Non-loopback
    /// targets are never contacted (500 `Internal server error`); no answer in time: 504 `Endpoint request timed out`.
    /// - Returns: The answer, or API Gateway's.
    func forwardREST(
        _ integration: IntegrationSpec,
        stage: RestApiSpec.Stage,
        pathParameters: [String: String],
        mapped: RestParameterMapping.Request,
        request: ProxyRequest,
        logger: Logger
    ) async -> Result<IntegrationAnswer, GatewayRefusal> {
        let path = pathParameters.merging(mapped.path) { _, mappedValue in mappedValue }
        var outgoing = Self.outgoing(integration, pathParameters: path, stageVariables: stage.variables, request: request)
        outgoing.headers.append(("X-Forwarded-For", request.sourceIp))
        Self.merge(mapped, into: &outgoing)
        return await sendREST(outgoing, body: request.body, timeoutInMillis: integration.timeoutInMillis, logger: logger)
    }

    /// Sends a REST API integration request (`HTTP`, `HTTP_PROXY`) with REST APIs' refusals: a target that is not on
    /// loopback or cannot be reached 500 `Internal server error`, no answer in time (29 s at most) 504
    /// `Endpoint request timed out`.
    func sendREST(
        _ outgoing: OutgoingRequest,
        body: [UInt8],
        timeoutInMillis: Int?,
        logger: Logger
    ) async -> Result<IntegrationAnswer, GatewayRefusal> {
        await send(
            outgoing,
            body: body,
            timeout: Self.timeout(timeoutInMillis, maximum: 29_000),
            timedOut: GatewayRefusal.message(504, "IntegrationTimeout", GatewayMessages.endpointRequestTimedOut),
            failed: GatewayRefusal.message(500, "InternalServerErrorException", GatewayMessages.restInternalServerError),
            logger: logger
        )
    }

    /// The request an HTTP integration sends before parameter mappings: the URI with path and stage variables
    /// substituted, the client's query string appended, its headers but `Host`, the integration method.
    static func outgoing(
        _ integration: IntegrationSpec,
        pathParameters: [String: String],
        stageVariables: [String: String],
        request: ProxyRequest
    ) -> OutgoingRequest {
        let uri = substitute(integration.mapping.uri ?? "", pathParameters: pathParameters, stageVariables: stageVariables)
        let (base, uriQuery) = Gateway.split(uri)
        return OutgoingRequest(
            method: integrationMethod(integration.mapping.httpMethod, request: request.method),
            url: base,
            query: rawQueryItems(uriQuery) + rawQueryItems(request.rawQuery),
            headers: request.headers.filter { $0.name.caseInsensitiveCompare("Host") != .orderedSame }
        )
    }

    /// Sends an integration request to its loopback target (any other target is never contacted: `failed`).
    /// - Returns: The target's answer; `timedOut` when it did not answer in time, `failed` when it could not be reached.
    private func send(
        _ outgoing: OutgoingRequest,
        body: [UInt8],
        timeout: Duration,
        timedOut: GatewayRefusal,
        failed: GatewayRefusal,
        logger: Logger
    ) async -> Result<IntegrationAnswer, GatewayRefusal> {
        guard let target = LoopbackForwarder.target(outgoing.fullURL) else {
            logger.warning("HTTP integration target is not a loopback http:// URL: not contacted", metadata: ["uri": .string(outgoing.fullURL)])
            return .failure(failed)
        }
        do {
            let answer = try await LoopbackForwarder.send(target, method: outgoing.method, headers: outgoing.headers, body: body, timeout: timeout)
            return .success(IntegrationAnswer(status: answer.status, headers: answer.headers, body: answer.body))
        } catch LoopbackForwarder.Failure.timedOut {
            return .failure(timedOut)
        } catch {
            logger.info("HTTP integration target did not answer", metadata: ["uri": .string(outgoing.fullURL)])
            return .failure(failed)
        }
    }

    /// The integration method: the configured one, or the client's for `ANY` or none.
    static func integrationMethod(_ configured: String?, request: String) -> String {
        guard let configured, !configured.isEmpty, configured.uppercased() != "ANY" else { return request }
        return configured.uppercased()
    }

    /// A URI with `{name}` / `{name+}` replaced by path parameters (percent-encoded, slashes of a greedy one kept)
    /// and `${stageVariables.name}` by stage variables.
    static func substitute(_ uri: String, pathParameters: [String: String], stageVariables: [String: String]) -> String {
        var result = uri
        for (name, value) in stageVariables {
            result = result.replacingOccurrences(of: "${stageVariables.\(name)}", with: value)
        }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#")
        for (name, value) in pathParameters {
            let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
            result = result.replacingOccurrences(of: "{\(name)+}", with: encoded).replacingOccurrences(of: "{\(name)}", with: encoded)
        }
        return result
    }

    /// A raw query string's items, still percent-encoded.
    static func rawQueryItems(_ query: String) -> [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// Applies one request parameter mapping.
    static func apply(_ mapping: IntegrationSpec.ParameterMapping, to outgoing: inout OutgoingRequest, values: MappingValues) {
        let parts = mapping.key.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let action = parts[0].lowercased()
        let target = parts[1]
        let value = values.evaluate(mapping.value)
        if target.lowercased() == "path" {
            guard action == "overwrite", let url = URL(string: outgoing.url), let scheme = url.scheme, let host = url.host else { return }
            let port = url.port.map { ":\($0)" } ?? ""
            let path = value.hasPrefix("/") ? value : "/" + value
            outgoing.url = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)\(port)\(path)"
            return
        }
        if target.lowercased().hasPrefix("header.") {
            applyHeader(action, name: String(target.dropFirst("header.".count)), value: value, to: &outgoing.headers)
            return
        }
        if target.lowercased().hasPrefix("querystring.") {
            let name = String(target.dropFirst("querystring.".count))
            let encoded = value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? value
            switch action {
            case "append":
                outgoing.query.append((name, encoded))
            case "overwrite":
                outgoing.query.removeAll { $0.name == name }
                outgoing.query.append((name, encoded))
            case "remove":
                outgoing.query.removeAll { $0.name == name }
            default:
                return
            }
        }
    }

    /// Applies the `ResponseParameters` for the answer's status code (`overwrite:statuscode`, `append:header.x`,
    /// `overwrite:header.x`, `remove:header.x`; values may name `$response.header.x` and `$response.body.x`).
    static func applyResponseParameters(
        _ parameters: [String: [IntegrationSpec.ParameterMapping]],
        to answer: inout IntegrationAnswer,
        values: MappingValues
    ) {
        guard let mappings = parameters[String(answer.status)] else { return }
        var values = values
        values.response = answer
        for mapping in mappings {
            let parts = mapping.key.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let action = parts[0].lowercased()
            let target = parts[1]
            let value = values.evaluate(mapping.value)
            if target.lowercased() == "statuscode" {
                if action == "overwrite", let code = Int(value.trimmingCharacters(in: .whitespaces)), (200...599).contains(code) {
                    answer.status = code
                }
                continue
            }
            guard target.lowercased().hasPrefix("header.") else { continue }
            applyHeader(action, name: String(target.dropFirst("header.".count)), value: value, to: &answer.headers)
        }
    }

    /// Applies `append`, `overwrite` or `remove` to a header (other actions change nothing).
    static func applyHeader(_ action: String, name: String, value: String, to headers: inout [(name: String, value: String)]) {
        switch action {
        case "append":
            headers.append((name, value))
        case "overwrite":
            headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
            headers.append((name, value))
        case "remove":
            headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        default:
            break
        }
    }
}

/// What parameter mapping values may reference ("Transform API requests and responses for HTTP APIs"):
/// `$request.header.NAME`, `$request.querystring.NAME`, `$request.path.NAME`, `$request.path`,
/// `$request.body.NAME` (a top-level member), `$context.VARIABLE`, `$stageVariables.NAME`, and in response mappings
/// `$response.header.NAME` and `$response.body.NAME`. Anything else is static text.
struct MappingValues {
    /// The client's request.
    var request: ProxyRequest
    /// API Gateway's facts.
    var context: ProxyEventContext
    /// The stage.
    var stage: HttpApiSpec.Stage
    /// The route's path parameters.
    var pathParameters: [String: String]
    /// The integration's answer (response mappings).
    var response: IntegrationAnswer?

    /// A value with its references replaced (unknown references become empty).
    func evaluate(_ text: String) -> String {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            guard text[index] == "$" else {
                result.append(text[index])
                index = text.index(after: index)
                continue
            }
            var end = text.index(after: index)
            while end < text.endIndex, text[end].isLetter || text[end].isNumber || "._-".contains(text[end]) { end = text.index(after: end) }
            var reference = String(text[text.index(after: index)..<end])
            // A trailing dot ends a sentence, not a name.
            while reference.hasSuffix(".") {
                reference.removeLast()
                end = text.index(before: end)
            }
            if reference.isEmpty {
                result.append("$")
            } else {
                result += resolve(reference) ?? ""
            }
            index = end
        }
        return result
    }

    private func resolve(_ reference: String) -> String? {
        func after(_ prefix: String) -> String? { reference.hasPrefix(prefix) ? String(reference.dropFirst(prefix.count)) : nil }
        if let name = after("request.header.") {
            let values = request.headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
        if let name = after("request.querystring.") {
            let values = request.queryItems.filter { $0.name == name }.map(\.value)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
        if let name = after("request.path.") { return pathParameters[name] }
        if reference == "request.path" { return request.path }
        if let name = after("request.body.") { return Self.member(name, of: request.body) }
        if let name = after("stageVariables.") { return stage.variables[name] }
        if let name = after("response.header.") {
            return response?.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        if let name = after("response.body.") { return response.flatMap { Self.member(name, of: $0.body) } }
        if let name = after("context.") {
            switch name {
            case "requestId": return context.extendedRequestId
            case "apiId": return context.apiId
            case "accountId": return context.accountId
            case "stage": return stage.name
            case "httpMethod": return request.method
            case "path": return request.path
            case "domainName": return request.domainName
            case "identity.sourceIp": return request.sourceIp
            case "identity.userAgent": return request.header("User-Agent")
            case "requestTimeEpoch": return String(ProxyEvents.epochMilliseconds(context.now))
            default: return nil
            }
        }
        return nil
    }

    /// A top-level member of a JSON body, as text.
    private static func member(_ name: String, of body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let value = object[name] else { return nil }
        switch value {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default:
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
