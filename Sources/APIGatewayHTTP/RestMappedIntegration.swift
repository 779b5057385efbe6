import AWSGateway
import EmulatorCore
import Foundation
import Hummingbird
import Logging
import VelocityTemplates

/// What a non-proxy integration answered, before the integration response maps it.
struct EndpointResponse {
    /// The integration's status code.
    var status: Int
    /// Its headers.
    var headers: [(name: String, value: String)]
    /// Its body.
    var body: [UInt8]
    /// What selection patterns are matched against: the status code, or a Lambda function's `errorMessage`.
    var selector: String
    /// Whether the body is a Lambda function error.
    var lambdaError: Bool
}

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

/// REST API non-proxy integrations (`MOCK` with mapping templates, `AWS` service actions and Lambda functions, `HTTP`
/// to loopback targets): request parameter mapping, the request template chosen by content type under the
/// passthrough behaviour, the integration, the integration response chosen by selection pattern, its response
/// parameters and its response template.
///
/// See "Mapping templates for REST APIs" (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html)
/// and "Integration passthrough behaviors"
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
extension APIGatewayHTTPService {
    /// Authorizes the method, then runs its non-proxy integration.
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
            return restError(refusal, api: api, stage: stage, request: request, requestId: requestId)
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
        let requestContext = VelocityMap(jsonObject: event["requestContext"] as? [String: Any] ?? [:])
        let body = String(decoding: request.body, as: UTF8.self)
        var templateContext = VelocityContext(
            body: body,
            pathParameters: mapped.pathParameters.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            queryParameters: request.queryItems,
            headers: request.headers,
            context: requestContext,
            stageVariables: VelocityMap(mapped.stageVariables.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })
        )
        let parameters = RestParameterMapping(
            request: request,
            pathParameters: mapped.pathParameters,
            stageVariables: mapped.stageVariables,
            context: requestContext
        )
        let mappedParameters = parameters.integrationRequest(integration.requestParameters)

        // 1. The request template, chosen by the request's content type.
        let contentType = Self.mediaType(request.header("Content-Type")) ?? "application/json"
        var payload = body
        // What the integration request's `Content-Type` says: the template's type, or the client's as it was sent.
        var payloadType = request.header("Content-Type") ?? contentType
        if let template = mapping.requestTemplates.first(where: { $0.key.lowercased() == contentType }) {
            payloadType = template.key
            do {
                payload = try VelocityTemplate(template.value).render(templateContext)
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
        var outcome = EndpointResponse(status: 200, headers: [], body: [], selector: "200", lambdaError: false)
        switch integration.type {
        case "MOCK":
            let code = ResponseSelection.mockStatusCode(payload)
            outcome.status = code ?? 200
            outcome.selector = String(outcome.status)
        case "HTTP":
            let outgoing = Self.outgoingHTTP(
                integration,
                mappedParameters,
                pathParameters: mapped.pathParameters,
                stageVariables: mapped.stageVariables,
                request: request,
                apiId: context.apiId,
                contentType: payload.isEmpty ? nil : payloadType,
                traceId: mapped.extra.first { $0.0 == "X-Amzn-Trace-Id" }?.1
            )
            switch await sendREST(outgoing, body: Array(payload.utf8), timeoutInMillis: integration.timeoutInMillis, logger: logger) {
            case .failure(let refusal):
                return error(refusal, requestId: requestId)
            case .success(let answer):
                outcome = EndpointResponse(
                    status: answer.status,
                    headers: answer.headers,
                    body: answer.body,
                    selector: String(answer.status),
                    lambdaError: false
                )
            }
        case "AWS" where integration.functionArn != nil:
            guard let function = integration.functionArn else { return failure }
            let source = executeApiSourceArn(apiId: context.apiId, stage: request.stage, method: request.method, path: mapped.resourcePath)
            switch await invokeNonProxy(function, payload: payload, source: source, integration: integration, request: request, logger: logger) {
            case .failure(let refusal):
                return error(refusal, requestId: requestId)
            case .success(let answer):
                outcome = answer
            }
        default:
            let uri = mapping.uri.map { Self.substitute($0, pathParameters: mappedParameters.path, stageVariables: mapped.stageVariables) }
            guard
                let call = AWSServiceCall(integrationUri: uri, method: mapping.httpMethod, body: payload, credentialsArn: mapping.credentials)
            else {
                logger.warning("AWS integration URI not emulated", metadata: ["uri": .string(mapping.uri ?? "")])
                return failure
            }
            let result = await services.call(call)
            guard result.status != 0 else { return failure }
            outcome = EndpointResponse(
                status: result.status,
                headers: result.headers,
                body: Array(result.body),
                selector: String(result.status),
                lambdaError: false
            )
        }

        // 3. The integration response: the first whose selection pattern matches, else the default one.
        guard let chosen = ResponseSelection.select(mapping.responses.map { (pattern: $0.selectionPattern, entry: $0) }, selector: outcome.selector)
        else {
            logger.warning(
                "Execution failed due to configuration error: No match for output mapping and no default output mapping configured",
                metadata: ["selector": .string(outcome.selector)]
            )
            return failure
        }
        let responseBody = String(decoding: outcome.body, as: UTF8.self)
        templateContext.body = responseBody
        var headers = parameters.methodResponseHeaders(
            chosen.headerMappings,
            headers: outcome.headers,
            body: responseBody,
            lambdaError: outcome.lambdaError
        )
        var bytes = outcome.body
        var responseType = "application/json"
        if let template = Self.responseTemplate(chosen.templates, accept: request.header("Accept")) {
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
        if !headers.contains(where: { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            headers.append(("Content-Type", responseType))
        }
        return response(status: chosen.statusCode, headers: headers.map { ($0.name, $0.value) } + mapped.extra, body: bytes, requestId: requestId)
    }

    /// Invokes a Lambda non-proxy integration (`AWS` with a `.../functions/{arn}/invocations` URI) with the request
    /// template's output (`{}` for an empty body) as the event: the function's result answers with an empty selector
    /// (only the default response, or a pattern matching the empty string, applies); a function error's
    /// `errorMessage` is the selector ("Handle Lambda errors in API Gateway",
    /// https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html). No
    /// answer in time: 504 `Endpoint request timed out`; an invocation that fails: 500 `Internal server error`.
    private func invokeNonProxy(
        _ function: String,
        payload: String,
        source: String,
        integration: IntegrationSpec,
        request: ProxyRequest,
        logger: Logger
    ) async -> Result<EndpointResponse, GatewayRefusal> {
        let event = payload.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "{}" : payload
        let timeout = Self.timeout(integration.timeoutInMillis, maximum: 29_000)
        guard
            let result = await invoke(
                function,
                payload: Data(event.utf8),
                source: source,
                asRole: integration.mapping.credentials != nil,
                timeout: timeout,
                logger: logger
            )
        else {
            return .failure(.message(504, "IntegrationTimeout", GatewayMessages.endpointRequestTimedOut))
        }
        let failed = GatewayRefusal.message(500, "InternalServerErrorException", GatewayMessages.restInternalServerError)
        guard result.functionError != nil else {
            guard (200..<300).contains(result.statusCode) else { return .failure(failed) }
            return .success(EndpointResponse(status: 200, headers: [], body: Array(result.payload), selector: "", lambdaError: false))
        }
        // An invocation that never ran (no such function, refused) has no error object.
        guard !result.payload.isEmpty else { return .failure(failed) }
        var message = ""
        if case .map(let object) = VelocityJSON.parse(String(decoding: result.payload, as: UTF8.self)), let value = object["errorMessage"] {
            message = value.rendered
        }
        logger.info("Lambda function error selects the integration response", metadata: ["function": .string(function)])
        return .success(EndpointResponse(status: 200, headers: [], body: Array(result.payload), selector: message, lambdaError: true))
    }

    /// The request of an `HTTP` (non-proxy) integration: the URI with `integration.request.path.*` values (or, unmapped,
    /// the method's path parameters of the same name) and stage variables substituted, only the mapped query string
    /// parameters and headers, plus API Gateway's own headers (`x-amzn-apigateway-api-id`, `User-Agent`,
    /// `X-Amzn-Trace-Id`, `Accept`, and `Content-Type` of the payload).
    static func outgoingHTTP(
        _ integration: IntegrationSpec,
        _ mapped: RestParameterMapping.Request,
        pathParameters: [String: String],
        stageVariables: [String: String],
        request: ProxyRequest,
        apiId: String,
        contentType: String?,
        traceId: String?
    ) -> OutgoingRequest {
        let path = pathParameters.merging(mapped.path) { _, mappedValue in mappedValue }
        let uri = substitute(integration.mapping.uri ?? "", pathParameters: path, stageVariables: stageVariables)
        let (base, uriQuery) = Gateway.split(uri)
        var headers: [(name: String, value: String)] = [
            ("x-amzn-apigateway-api-id", apiId), ("User-Agent", "AmazonAPIGateway_\(apiId)"), ("Accept", "application/json"),
        ]
        if let traceId { headers.append(("X-Amzn-Trace-Id", traceId)) }
        if let contentType { headers.append(("Content-Type", contentType)) }
        var outgoing = OutgoingRequest(
            method: integrationMethod(integration.mapping.httpMethod, request: request.method),
            url: base,
            query: rawQueryItems(uriQuery),
            headers: headers
        )
        merge(mapped, into: &outgoing)
        return outgoing
    }

    /// Adds mapped query string parameters and headers to an integration request (replacing those of the same name).
    static func merge(_ mapped: RestParameterMapping.Request, into outgoing: inout OutgoingRequest) {
        for (name, value) in mapped.headers {
            applyHeader("overwrite", name: name, value: value, to: &outgoing.headers)
        }
        let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))
        for (name, value) in mapped.query {
            let encodedName = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
            outgoing.query.removeAll { $0.name == encodedName }
            outgoing.query.append((encodedName, value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value))
        }
    }

    /// The response template for the client's `Accept` (an exact content type), else `application/json`, else the first
    /// by content type; nil when there is none (the integration's body passes through).
    static func responseTemplate(_ templates: [String: String], accept: String?) -> (key: String, value: String)? {
        let accepted = (accept ?? "").split(separator: ",").compactMap { mediaType(String($0)) }
        for type in accepted {
            if let found = templates.first(where: { $0.key.lowercased() == type }) { return found }
        }
        return templates.first { $0.key.lowercased() == "application/json" } ?? templates.min { $0.key < $1.key }
    }

    /// The media type of a `Content-Type` value, lower-cased, without parameters.
    static func mediaType(_ value: String?) -> String? {
        guard let value, let first = value.split(separator: ";").first else { return nil }
        let type = first.trimmingCharacters(in: .whitespaces).lowercased()
        return type.isEmpty ? nil : type
    }
}
