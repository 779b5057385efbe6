import EmulatorCore
import Foundation
import Logging

/// HTTP APIs' fixed refusals ("Control access to HTTP APIs with AWS Lambda authorizers", "... with IAM
/// authorization"): `{"message":...}` without `x-amzn-ErrorType`.
extension GatewayRefusal {
    /// 401: a missing identity source.
    static let httpUnauthorized = GatewayRefusal(status: 401, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.unauthorized))
    /// 403: the authorizer (or IAM) did not allow the route.
    static let httpForbidden = GatewayRefusal(status: 403, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.forbidden))
    /// 500: the authorizer failed, timed out or answered something API Gateway cannot read.
    static let httpAuthorizerFailure = GatewayRefusal(
        status: 500,
        errorType: "",
        body: ProxyEvents.messageBody(GatewayMessages.httpInternalServerError)
    )
}

extension APIGatewayHTTPService {
    /// Authorizes an HTTP API route with its Lambda (`REQUEST`) authorizer, as API Gateway does:
    ///
    /// - every identity source must be present, else 401 `{"message":"Unauthorized"}` without invoking;
    /// - a cached result (same identity source values, within `AuthorizerResultTtlInSeconds`) is reused;
    /// - the event is the payload format `1.0` (REST's REQUEST event with `version`, `identitySource`,
    ///   `authorizationToken`, `methodArn`) or `2.0` (`type`, `routeArn`, `identitySource` list, the request) event;
    /// - with `EnableSimpleResponses` (2.0) the function answers `{"isAuthorized": bool, "context": {...}}`, otherwise
    ///   `{"principalId", "policyDocument", "context"}` evaluated for the route ARN;
    /// - not authorized or denied: 403 `{"message":"Forbidden"}`; a failing or timed-out function or an unreadable
    ///   answer: 500 `{"message":"Internal Server Error"}`.
    /// - Returns: The integration's `requestContext.authorizer` as JSON (`{"lambda": context}` for an integration
    ///   payload 2.0; the context's values, `principalId` and `integrationLatency` for 1.0), or the refusal.
    func authorizeLambda(
        _ api: HttpApiSpec,
        authorizerId: String,
        route: HttpApiSpec.Route,
        stage: HttpApiSpec.Stage,
        request: ProxyRequest,
        context: ProxyEventContext,
        version2: Bool,
        logger: Logger
    ) async -> Result<Data, GatewayRefusal> {
        guard let spec = api.authorizers.first(where: { $0.authorizerId == authorizerId }), let function = spec.functionArn else {
            logger.warning("HTTP API Lambda authorizer without a Lambda function URI", metadata: ["authorizer": .string(authorizerId)])
            return .failure(.httpAuthorizerFailure)
        }
        var values: [String] = []
        for source in spec.identitySources {
            guard let value = Self.httpIdentityValue(source, request: request, stage: stage, route: route), !value.isEmpty else {
                logger.info("Authorizer identity source missing", metadata: ["authorizer": .string(spec.name), "source": .string(source)])
                return .failure(.httpUnauthorized)
            }
            values.append(value)
        }
        let routeArn = self.routeArn(api, stage: stage, request: request)
        var event: [String: Any]
        if spec.payloadFormatVersion == "1.0" {
            event = ProxyEvents.version1(
                request,
                context: context,
                resourcePath: route.path ?? "$default",
                resourceId: route.routeId,
                httpAPIVersion: true
            )
            event["identitySource"] = values.joined(separator: ",")
            event["authorizationToken"] = values.joined(separator: ",")
            event["methodArn"] = routeArn
        } else {
            event = ProxyEvents.version2(request, context: context, routeKey: route.routeKey)
            event["identitySource"] = values
            event["routeArn"] = routeArn
        }
        event["type"] = "REQUEST"
        event["body"] = nil
        event["isBase64Encoded"] = nil

        let output: Data
        var latency: Int64 = 0
        var storeKey: String?
        let source = AuthorizerSource(apiId: api.apiId, stage: stage.name, authorizerId: spec.authorizerId, name: spec.name)
        switch await authorizerAnswer(function, event: event, source: source, ttlSeconds: spec.resultTtlSeconds, identity: values, logger: logger) {
        case .cached(let cached):
            output = cached
        case .timedOut:
            return .failure(.httpAuthorizerFailure)
        case .invoked(let result, let elapsed, let cacheKey):
            guard result.functionError == nil else {
                logger.info("Authorizer failed", metadata: ["authorizer": .string(spec.name)])
                return .failure(.httpAuthorizerFailure)
            }
            output = result.payload
            latency = elapsed
            storeKey = cacheKey
        }
        let decision = Self.decideHTTP(output, spec: spec, routeArn: routeArn, logger: logger)
        // Answers API Gateway could read (allow or deny) are cached; a malformed one is asked again next time.
        let readable: Bool
        switch decision {
        case .success: readable = true
        case .failure(let refusal): readable = refusal == .httpForbidden
        }
        if let storeKey, readable { await cacheAuthorizerOutput(output, key: storeKey, ttlSeconds: spec.resultTtlSeconds) }
        switch decision {
        case .failure(let refusal):
            return .failure(refusal)
        case .success(let granted):
            var authorizer: [String: Any]
            if version2 {
                authorizer = ["lambda": granted.context]
            } else {
                authorizer = granted.context
                if let principalId = granted.principalId { authorizer["principalId"] = principalId }
                authorizer["integrationLatency"] = latency
            }
            return .success(ProxyEvents.json(authorizer))
        }
    }

    /// The typed part of a simple response.
    struct SimpleAuthorizerResponse: Decodable {
        /// Whether the request is authorized.
        var isAuthorized: Bool
    }

    /// What an HTTP API Lambda authorizer granted.
    struct LambdaGrant {
        /// `principalId` (IAM policy answers).
        var principalId: String?
        /// `context`.
        var context: [String: Any]
    }

    /// Decides on an HTTP API Lambda authorizer's output for a route ARN.
    /// - Parameters:
    ///   - output: The function's answer.
    ///   - spec: The authorizer.
    ///   - routeArn: The route ARN.
    ///   - logger: The request logger.
    /// - Returns: The grant, or 403 / 500.
    static func decideHTTP(_ output: Data, spec: HttpAuthorizerSpec, routeArn: String, logger: Logger) -> Result<LambdaGrant, GatewayRefusal> {
        guard let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            logger.info("Authorizer answered something other than a JSON object", metadata: ["authorizer": .string(spec.name)])
            return .failure(.httpAuthorizerFailure)
        }
        var context: [String: Any] = [:]
        if let value = object["context"], !(value is NSNull) {
            guard let map = value as? [String: Any] else {
                logger.info("Authorizer context is not an object", metadata: ["authorizer": .string(spec.name)])
                return .failure(.httpAuthorizerFailure)
            }
            context = map
        }
        if spec.enableSimpleResponses && spec.payloadFormatVersion == "2.0" {
            // JSONSerialization reads `true` and `1` alike: the typed decoder accepts only a JSON boolean.
            guard let flag = (try? JSONDecoder().decode(SimpleAuthorizerResponse.self, from: output))?.isAuthorized else {
                logger.info("Simple-response authorizer answered without a boolean isAuthorized", metadata: ["authorizer": .string(spec.name)])
                return .failure(.httpAuthorizerFailure)
            }
            return flag ? .success(LambdaGrant(principalId: nil, context: context)) : .failure(.httpForbidden)
        }
        let principalId: String?
        switch object["principalId"] {
        case let text as String: principalId = text
        case let number as NSNumber: principalId = number.stringValue
        default: principalId = nil
        }
        guard let principalId else {
            logger.info("Authorizer answered without a principalId", metadata: ["authorizer": .string(spec.name)])
            return .failure(.httpAuthorizerFailure)
        }
        do {
            switch try AuthorizerPolicy.evaluate(object["policyDocument"], methodArn: routeArn) {
            case .allow: return .success(LambdaGrant(principalId: principalId, context: context))
            case .explicitDeny, .implicitDeny: return .failure(.httpForbidden)
            }
        } catch {
            logger.info("Authorizer answered a malformed policy", metadata: ["authorizer": .string(spec.name), "reason": .string(error.reason)])
            return .failure(.httpAuthorizerFailure)
        }
    }

    /// Authorizes an `AWS_IAM` HTTP API route: unsigned or not allowed 403 `{"message":"Forbidden"}`, a signature
    /// that does not verify 403 with the signature error's message.
    /// - Returns: The caller, or the refusal.
    func authorizeHTTPIAM(
        _ api: HttpApiSpec,
        stage: HttpApiSpec.Stage,
        request: ProxyRequest,
        logger: Logger
    ) async -> Result<
        IAMCallerIdentity, GatewayRefusal
    > {
        switch await verifyIAM(request, resourceArn: routeArn(api, stage: stage, request: request), logger: logger) {
        case .success(let identity): return .success(identity)
        case .failure(.unsigned), .failure(.denied): return .failure(.httpForbidden)
        case .failure(.unverifiable): return .failure(.httpAuthorizerFailure)
        case .failure(.wrongService):
            return .failure(GatewayRefusal(status: 403, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.wrongSigningService)))
        case .failure(.signature(_, let message)):
            return .failure(GatewayRefusal(status: 403, errorType: "", body: ProxyEvents.messageBody(message)))
        }
    }

    /// The route ARN of a request to an HTTP API stage (`arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH`).
    func routeArn(_ api: HttpApiSpec, stage: HttpApiSpec.Stage, request: ProxyRequest) -> String {
        executeApiArn(apiId: api.apiId, stage: stage.name, request: request)
    }

    /// The value of one HTTP API identity source (`$request.header.X`, `$request.querystring.X`, `$context.X`,
    /// `$stageVariables.X`), or nil when the request does not have it.
    static func httpIdentityValue(_ source: String, request: ProxyRequest, stage: HttpApiSpec.Stage, route: HttpApiSpec.Route) -> String? {
        let trimmed = source.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("$request.header.") {
            // Repeated headers are joined with commas, as the 2.0 event's `headers` join them.
            let name = String(trimmed.dropFirst("$request.header.".count))
            let values = request.headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
        if trimmed.hasPrefix("$request.querystring.") {
            let name = String(trimmed.dropFirst("$request.querystring.".count))
            let values = request.queryItems.filter { $0.name == name }.map(\.value)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
        if trimmed.hasPrefix("$stageVariables.") {
            return stage.variables[String(trimmed.dropFirst("$stageVariables.".count))]
        }
        if trimmed.hasPrefix("$context.") {
            switch String(trimmed.dropFirst("$context.".count)) {
            case "httpMethod": return request.method
            case "routeKey": return route.routeKey
            case "stage": return stage.name
            case "path": return request.path
            case "identity.sourceIp": return request.sourceIp
            case "identity.userAgent": return request.header("User-Agent")
            default: return nil
            }
        }
        return nil
    }
}
