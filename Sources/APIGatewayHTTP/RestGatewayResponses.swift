import EmulatorCore
import Foundation
import Hummingbird
import VelocityTemplates

/// REST API request validation and gateway responses, as API Gateway applies them:
/// - a method with a request validator checks its required request parameters (`validateRequestParameters`), then its
///   body against the model of the request's content type (`validateRequestBody`; `application/json` when the request
///   names none, else the `$default` model, else no check), after authorization and before the integration
///   ("Request validation for REST APIs in API Gateway",
///   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html);
/// - API Gateway's own error answers take the API's gateway response of their type, else its `DEFAULT_4XX` or
///   `DEFAULT_5XX` one: status code, `gatewayresponse.header.NAME` parameters and a response template rendered with
///   `$context.error.message`, `$context.error.messageString` and `$context.error.responseType`
///   ("Gateway responses for REST APIs in API Gateway",
///   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).
extension APIGatewayHTTPService {
    /// Checks a request against its method's request validator.
    /// - Parameters:
    ///   - validation: What the validator checks.
    ///   - request: The method request.
    /// - Returns: The `BAD_REQUEST_PARAMETERS` or `BAD_REQUEST_BODY` refusal, or nil when the request passes.
    static func validate(_ validation: RestApiSpec.RequestValidation, request: ProxyRequest) -> GatewayRefusal? {
        if validation.validateParameters {
            let query = request.queryItems
            var missing: [String] = []
            for parameter in validation.requiredParameters {
                let parts = parameter.split(separator: ".", maxSplits: 3).map(String.init)
                guard parts.count == 4, parts[0] == "method", parts[1] == "request" else { continue }
                let name = parts[3]
                let present: Bool
                switch parts[2] {
                case "querystring", "multivaluequerystring": present = query.contains { $0.name == name }
                case "header", "multivalueheader": present = request.header(name) != nil
                default: present = true  // Path parameters are there whenever the route matched.
                }
                if !present { missing.append(name) }
            }
            if !missing.isEmpty {
                var refusal = GatewayRefusal.message(
                    400,
                    "BadRequestException",
                    GatewayMessages.missingRequiredParameters + "[\(missing.joined(separator: ", "))]"
                )
                refusal.responseType = "BAD_REQUEST_PARAMETERS"
                return refusal
            }
        }
        guard validation.validateBody else { return nil }
        let contentType = mediaType(request.header("Content-Type")) ?? "application/json"
        guard let schema = validation.schemas[contentType] ?? validation.schemas["$default"],
            let validator = JSONSchemaValidator(schema: schema, models: validation.models)
        else { return nil }
        let text = String(decoding: request.body, as: UTF8.self)
        // An empty body is validated as an empty object (a GET with the `Empty` model passes).
        let body = text.allSatisfy(\.isWhitespace) ? SchemaJSON.object([:]) : SchemaJSON.parse(text)
        guard let body, validator.isValid(body) else {
            var refusal = GatewayRefusal.message(400, "BadRequestException", GatewayMessages.invalidRequestBody)
            refusal.responseType = "BAD_REQUEST_BODY"
            return refusal
        }
        return nil
    }

    /// API Gateway's own error answer for a REST API, shaped by the API's gateway responses.
    /// - Parameters:
    ///   - refusal: The default answer.
    ///   - api: The API (its gateway responses).
    ///   - stage: The stage (stage variables), nil before one is known.
    ///   - request: The method request (header and query parameters).
    ///   - requestId: The request id.
    /// - Returns: The response.
    func restError(_ refusal: GatewayRefusal, api: RestApiSpec, stage: RestApiSpec.Stage?, request: ProxyRequest, requestId: String) -> Response {
        let type = refusal.gatewayResponseType
        let family = refusal.status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"
        guard let custom = api.gatewayResponses[type] ?? api.gatewayResponses[family] else { return error(refusal, requestId: requestId) }
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if !refusal.errorType.isEmpty { headers.append(("x-amzn-ErrorType", refusal.errorType)) }
        let message: String? =
            switch VelocityJSON.parse(refusal.body) {
            case .map(let object):
                switch object["message"] ?? object["Message"] {
                case .string(let text): text
                default: nil
                }
            default: nil
            }
        let error: [String: Any] = [
            "message": message ?? NSNull(), "messageString": message.map(Self.quoted) ?? "null", "responseType": type,
            "validationErrorString": message ?? "",
        ]
        let requestContext: [String: Any] = [
            "requestId": requestId, "extendedRequestId": requestId, "apiId": api.apiId, "stage": stage?.name ?? "",
            "httpMethod": request.method, "path": request.requestPath, "error": error,
        ]
        let context = VelocityMap(jsonObject: requestContext)
        // `gatewayresponse.header.NAME` sources are the integration request's (`'value'`, `method.request.*`,
        // `stageVariables.*`, `context.*`).
        let mapping = RestParameterMapping(request: request, pathParameters: [:], stageVariables: stage?.variables ?? [:], context: context)
        let mappings = custom.parameters.sorted { $0.key < $1.key }.compactMap { target, source -> IntegrationSpec.ParameterMapping? in
            guard target.hasPrefix("gatewayresponse.header.") else { return nil }
            return IntegrationSpec.ParameterMapping(
                key: "integration.request.header." + target.dropFirst("gatewayresponse.header.".count),
                value: source
            )
        }
        for header in mapping.integrationRequest(mappings).headers {
            headers.removeAll { $0.0.caseInsensitiveCompare(header.name) == .orderedSame }
            headers.append((header.name, header.value))
        }
        var body = Array(refusal.body.utf8)
        if let template = Self.responseTemplate(custom.templates, accept: request.header("Accept")) {
            let templateContext = VelocityContext(
                body: String(decoding: request.body, as: UTF8.self),
                queryParameters: request.queryItems,
                headers: request.headers,
                context: context,
                stageVariables: VelocityMap((stage?.variables ?? [:]).sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })
            )
            if let rendered = try? VelocityTemplate(template.value).render(templateContext) {
                body = Array(rendered.utf8)
                headers[0] = ("Content-Type", template.key)
            }
        }
        return response(status: custom.statusCode ?? refusal.status, headers: headers, body: body, requestId: requestId)
    }
}

extension APIGatewayHTTPService {
    /// Text as a quoted JSON string (`$context.error.messageString`).
    static func quoted(_ text: String) -> String {
        var data = Data()
        JSONString.write(text, to: &data)
        return String(decoding: data, as: UTF8.self)
    }
}

extension GatewayRefusal {
    /// The gateway response type of the refusal: the one it names, else the one its status and error type say.
    var gatewayResponseType: String {
        if let responseType { return responseType }
        switch (status, errorType) {
        case (401, _): return "UNAUTHORIZED"
        case (403, "AccessDeniedException"): return "ACCESS_DENIED"
        case (403, "InvalidSignatureException"): return "INVALID_SIGNATURE"
        case (403, "ExpiredTokenException"): return "EXPIRED_TOKEN"
        case (403, GatewayMessages.missingAuthenticationTokenType): return "MISSING_AUTHENTICATION_TOKEN"
        case (403, "ForbiddenException"): return "INVALID_API_KEY"
        case (413, _): return "REQUEST_TOO_LARGE"
        case (415, _): return "UNSUPPORTED_MEDIA_TYPE"
        case (429, "LimitExceededException"): return "QUOTA_EXCEEDED"
        case (429, _): return "THROTTLED"
        case (500, "AuthorizerConfigurationException"): return "AUTHORIZER_CONFIGURATION_ERROR"
        case (504, _): return "INTEGRATION_TIMEOUT"
        case (500...599, _): return "DEFAULT_5XX"
        default: return "DEFAULT_4XX"
        }
    }
}
