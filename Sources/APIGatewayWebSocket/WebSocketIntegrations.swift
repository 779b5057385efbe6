import EmulatorCore
import Foundation
import Logging
import VelocityTemplates

/// Non-proxy integrations of WebSocket routes: `MOCK`, `AWS` service actions (DynamoDB, S3 through
/// ``AWSServiceInvoking``; Lambda invoked without the proxy event), with VTL request templates chosen by the
/// integration's template selection expression and integration responses chosen by their keys.
///
/// See "Setting up data transformations for WebSocket APIs in API Gateway"
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-transformations.html).
extension WebSocketAPIService {
    /// Runs a non-proxy integration for a route event.
    /// - Parameters:
    ///   - integration: The integration.
    ///   - event: The proxy event the route would send a Lambda proxy integration (its fields feed `$input`/`$context`).
    ///   - api: The API.
    ///   - logger: The connection logger.
    /// - Returns: The integration's status and the integration response's transformed body.
    func invokeMapped(
        _ integration: WebSocketApiSpec.Integration,
        event: [String: Any],
        api: WebSocketApiSpec,
        logger: Logger
    ) async -> InvocationOutcome {
        let mapping = integration.mapping
        let requestContext = event["requestContext"] as? [String: Any] ?? [:]
        let body = event["body"] as? String ?? ""
        let stageName = requestContext["stage"] as? String
        var stageVariables = VelocityMap()
        for (name, value) in (api.stages.first { $0.name == stageName }?.stageVariables ?? [:]).sorted(by: { $0.key < $1.key }) {
            stageVariables[name] = .string(value)
        }
        let headers = (event["headers"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        let query = (event["queryStringParameters"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        let context = VelocityContext(
            body: body,
            queryParameters: query,
            headers: headers,
            context: VelocityMap(jsonObject: requestContext),
            stageVariables: stageVariables
        )

        // 1. The request template (or the body passed through).
        let key = Self.templateKey(mapping.templateSelectionExpression, body: body)
        var payload = body
        if let template = mapping.requestTemplates[key] ?? mapping.requestTemplates["$default"] {
            do {
                payload = try VelocityTemplate(template).render(context)
            } catch {
                logger.warning(
                    "Execution failed due to configuration error: request template",
                    metadata: ["integration": .string(integration.integrationId), "error": .string(String(describing: error))]
                )
                return .failed
            }
        } else if !mapping.requestTemplates.isEmpty, mapping.passthroughBehavior?.uppercased() == "NEVER" {
            return .failed
        }

        // 2. The integration.
        let status: Int
        let responseBody: String
        var selector: String
        switch integration.type.uppercased() {
        case "MOCK":
            let code = ResponseSelection.mockStatusCode(payload)
            status = code.map { (100...599).contains($0) ? $0 : 500 } ?? 200
            responseBody = ""
            selector = String(status)
        case "AWS":
            if let function = integration.functionArn {
                let timeout = integration.timeoutInMillis.map(WebSocketLimits.integrationTimeout(milliseconds:)) ?? WebSocketLimits.integrationTimeout
                let source = mapping.credentialsArn == nil ? routeSourceArn(api, event: event) : nil
                guard let result = await invokeFunction(function, payload: Data(payload.utf8), source: source, timeout: timeout, logger: logger)
                else {
                    return .timedOut
                }
                status = 200
                responseBody = String(decoding: result.payload, as: UTF8.self)
                selector = ""
                if result.functionError != nil {
                    let error = try? JSONSerialization.jsonObject(with: result.payload) as? [String: Any]
                    selector = error?["errorMessage"] as? String ?? "Unhandled"
                }
            } else if let call = AWSServiceCall(
                integrationUri: integration.uri,
                method: integration.method,
                body: payload,
                credentialsArn: mapping.credentialsArn
            ) {
                let result = await services.call(call)
                guard result.status != 0 else { return .failed }
                status = result.status
                responseBody = String(decoding: result.body, as: UTF8.self)
                selector = String(status)
            } else {
                logger.warning("AWS integration URI not understood", metadata: ["uri": .string(integration.uri ?? "")])
                return .failed
            }
        default:
            logger.warning(
                "Integration type not emulated",
                metadata: ["integration": .string(integration.integrationId), "type": .string(integration.type)]
            )
            return .failed
        }

        // 3. The integration response and its template.
        guard let response = Self.selectResponse(mapping.responses, selector: selector) else {
            if integration.functionArn != nil, !selector.isEmpty { return .failed }
            return .response(status: status, body: responseBody.isEmpty ? nil : responseBody)
        }
        let responseKey = Self.templateKey(response.templateSelectionExpression, body: responseBody)
        guard let template = response.templates[responseKey] ?? response.templates["$default"] else {
            return .response(status: status, body: responseBody.isEmpty ? nil : responseBody)
        }
        var responseContext = context
        responseContext.body = responseBody
        do {
            return .response(status: status, body: try VelocityTemplate(template).render(responseContext))
        } catch {
            logger.warning(
                "Execution failed due to configuration error: response template",
                metadata: ["integration": .string(integration.integrationId), "error": .string(String(describing: error))]
            )
            return .failed
        }
    }

    /// The template key a selection expression picks: `$default` for none or `\$default`, else the expression's
    /// value over the body (`${request.body.action}`), `$default` when it selects nothing.
    static func templateKey(_ expression: String?, body: String) -> String {
        guard let expression, !expression.contains("$default") else { return "$default" }
        return RouteSelectionExpression(expression).evaluate(body) ?? "$default"
    }

    /// The integration response whose `/regex/` key matches the selector, else the `$default` one.
    static func selectResponse(_ responses: [IntegrationMapping.Response], selector: String) -> IntegrationMapping.Response? {
        let entries = responses.map { response -> (pattern: String?, entry: IntegrationMapping.Response) in
            guard response.key != "$default" else { return (pattern: nil, entry: response) }
            var pattern = response.key
            if pattern.count >= 2, pattern.hasPrefix("/"), pattern.hasSuffix("/") { pattern = String(pattern.dropFirst().dropLast()) }
            return (pattern: pattern, entry: response)
        }
        return ResponseSelection.select(entries, selector: selector)
    }
}
