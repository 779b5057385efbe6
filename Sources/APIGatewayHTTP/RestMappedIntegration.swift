import EmulatorCore
import Foundation
import Hummingbird
import Logging
import VelocityTemplates

/// What a REST method's non-proxy integration needs from the matched request besides the request itself.
struct MappedRequest {
    /// The stage's variables.
    var stageVariables: [String: String]
    /// The path parameters.
    var pathParameters: [String: String]
    /// The resource path (`/pets/{id}`).
    var resourcePath: String
    /// The resource id.
    var resourceId: String
    /// Headers every answer of the API carries (`x-amz-apigw-id`, trace id).
    var extra: [(String, String)]
}

/// REST API non-proxy integrations (`MOCK` with mapping templates, `AWS` service actions): the request template
/// chosen by content type under the passthrough behaviour, the integration, the integration response chosen by
/// selection pattern, and its response template.
///
/// See "Mapping templates for REST APIs" (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html)
/// and "Integration passthrough behaviors"
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
extension APIGatewayHTTPService {
    /// Authorizes the method, then runs its `AWS` integration.
    func respondAuthorizedMapped(
        _ integration: IntegrationSpec,
        method: RestApiSpec.Method,
        api: RestApiSpec,
        stage: RestApiSpec.Stage,
        request: ProxyRequest,
        requestId: String,
        extendedRequestId: String,
        mapped: MappedRequest,
        logger: Logger
    ) async -> Response {
        var context = eventContext(api.apiId, requestId, extendedRequestId, stage.variables, mapped.pathParameters, false)
        switch await authorize(method, api: api, stage: stage, request: request, context: context, logger: logger) {
        case .refused(let refusal):
            return response(
                status: refusal.status,
                headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", refusal.errorType)],
                body: Array(refusal.body.utf8),
                requestId: requestId
            )
        case .allowed(let authorizer, let identity):
            context.authorizer = authorizer
            context.identity = identity
        }
        return await respondMapped(integration, request: request, context: context, mapped: mapped, requestId: requestId, logger: logger)
    }

    /// Runs a non-proxy integration and answers with its mapped response.
    func respondMapped(
        _ integration: IntegrationSpec,
        request: ProxyRequest,
        context: ProxyEventContext,
        mapped: MappedRequest,
        requestId: String,
        logger: Logger
    ) async -> Response {
        let mapping = integration.mapping
        let failure = error(500, GatewayMessages.restInternalServerError, requestId: requestId)
        let event = ProxyEvents.version1(
            request,
            context: context,
            resourcePath: mapped.resourcePath,
            resourceId: mapped.resourceId,
            httpAPIVersion: false
        )
        let body = String(decoding: request.body, as: UTF8.self)
        var templateContext = VelocityContext(
            body: body,
            pathParameters: mapped.pathParameters.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            queryParameters: request.queryItems,
            headers: request.headers,
            context: VelocityMap(jsonObject: event["requestContext"] as? [String: Any] ?? [:]),
            stageVariables: VelocityMap(mapped.stageVariables.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })
        )

        // 1. The request template, chosen by the request's content type.
        let contentType = Self.mediaType(request.header("Content-Type")) ?? "application/json"
        var payload = body
        if let template = mapping.requestTemplates.first(where: { $0.key.lowercased() == contentType })?.value {
            do {
                payload = try VelocityTemplate(template).render(templateContext)
            } catch {
                logger.warning(
                    "Execution failed due to configuration error: request template",
                    metadata: ["error": .string(String(describing: error))]
                )
                return failure
            }
        } else {
            let behavior = (mapping.passthroughBehavior ?? "WHEN_NO_MATCH").uppercased()
            if behavior == "NEVER" || (behavior == "WHEN_NO_TEMPLATES" && !mapping.requestTemplates.isEmpty) {
                return error(415, GatewayMessages.unsupportedMediaType, requestId: requestId)
            }
        }

        // 2. The integration.
        var status = 200
        var responseBody = ""
        let selector: String
        switch integration.type {
        case "MOCK":
            let code = ResponseSelection.mockStatusCode(payload)
            status = code ?? 200
            selector = String(status)
        default:
            guard
                let call = AWSServiceCall(integrationUri: mapping.uri, method: mapping.httpMethod, body: payload, credentialsArn: mapping.credentials)
            else {
                logger.warning("AWS integration URI not emulated", metadata: ["uri": .string(mapping.uri ?? "")])
                return failure
            }
            let result = await services.call(call)
            guard result.status != 0 else { return failure }
            status = result.status
            responseBody = String(decoding: result.body, as: UTF8.self)
            selector = String(status)
        }

        // 3. The integration response: the first whose selection pattern matches, else the default one.
        guard let chosen = ResponseSelection.select(mapping.responses.map { (pattern: $0.selectionPattern, entry: $0) }, selector: selector) else {
            logger.warning("Execution failed due to configuration error: No match for output mapping and no default output mapping configured")
            return failure
        }
        templateContext.body = responseBody
        var headers = chosen.headers.map { ($0.name, $0.value) }
        var bytes = Array(responseBody.utf8)
        var responseType = "application/json"
        let template = chosen.templates.first { $0.key.lowercased() == "application/json" } ?? chosen.templates.min { $0.key < $1.key }
        if let template {
            responseType = template.key
            do {
                bytes = Array(try VelocityTemplate(template.value).render(templateContext).utf8)
            } catch {
                logger.warning(
                    "Execution failed due to configuration error: response template",
                    metadata: ["error": .string(String(describing: error))]
                )
                return failure
            }
        }
        if !headers.contains(where: { $0.0.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            headers.append(("Content-Type", responseType))
        }
        return response(status: chosen.statusCode, headers: headers + mapped.extra, body: bytes, requestId: requestId)
    }

    /// The media type of a `Content-Type` value, lower-cased, without parameters.
    static func mediaType(_ value: String?) -> String? {
        guard let value, let first = value.split(separator: ";").first else { return nil }
        let type = first.trimmingCharacters(in: .whitespaces).lowercased()
        return type.isEmpty ? nil : type
    }
}
