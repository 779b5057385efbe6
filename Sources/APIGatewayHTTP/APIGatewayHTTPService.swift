import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VelocityTemplates

/// API Gateway REST APIs (v1) and HTTP APIs (v2): the data plane behind
/// `http://HOST:PORT/_aws/execute-api/{apiId}/{stage}/...` and `http://{apiId}.execute-api.localhost:PORT/{stage}/...`.
///
/// Routes are matched as API Gateway matches them (``RouteMatcher``), Lambda proxy integrations run through
/// ``LambdaInvoking`` with AWS's event shapes (``ProxyEvents``), answers are validated as AWS validates them
/// (``ProxyResponse``), and API Gateway's own errors carry its texts (``GatewayMessages``). `MOCK` integrations answer
/// their default integration response (SAM's CORS preflights). The target must not import other services.
package struct APIGatewayHTTPService: Sendable {
    /// The path prefix of local execute-api URLs.
    package static let pathPrefix = "/_aws/execute-api/"
    /// The host suffix of local execute-api hosts (`{apiId}.execute-api.localhost`).
    package static let hostSuffix = ".execute-api.localhost"
    /// API Gateway's payload limit (10 MB).
    package static let maxPayloadBytes = 10 * 1024 * 1024

    /// Which API and stage a request addresses.
    package struct Target: Sendable {
        let api: ServedApi
        /// The API's route matcher.
        let matcher: RouteMatcher
        /// The path after the API id (and before the stage), starting with `/`.
        let rawPath: String
    }

    /// The served HTTP APIs: the template's, and those registered by control planes (``ServedApiRegistering``).
    let apis: ServedApiTable
    /// Every REST API (the template's, stack-deployed and API-created ones all live in the `apigateway` control
    /// plane), one deployment snapshot per stage (registered by that service).
    package let servedRestApis = ServedRestApis()
    let lambda: any LambdaInvoking
    let authorizerCache = AuthorizerCache()
    let usageCounter = UsageCounter()
    let jwks: JWKSFetcher
    /// The emulated Cognito user pools (JWKS of Cognito issuers, resolved without the network).
    let userPools: (any UserPoolIssuers)?
    /// Verifies SigV4 signatures of `AWS_IAM` methods (nil: such methods refuse every request).
    let authenticator: Authenticator?
    /// Decides `execute-api:Invoke` for `AWS_IAM` methods.
    let requestAuthorizer: any RequestAuthorizing
    let clock: VirtualClock
    let environment: LiveEnvironment
    let logger: Logger
    /// Calls DynamoDB, S3... for `AWS` integrations.
    let services: any AWSServiceInvoking

    /// Creates the service.
    /// - Parameters:
    ///   - restApis: The template's REST APIs, for the start-up warnings (they are served, like API-created ones, from
    ///     the REST control plane's store through ``servedRestApis``).
    ///   - httpApis: The template's HTTP APIs, for the start-up warnings (the v2 control plane registers them from its
    ///     documents, like API-created ones).
    ///   - lambda: Invokes proxy integrations.
    ///   - clock: The virtual clock (request times).
    ///   - environment: Region, account and port.
    ///   - logger: The base logger.
    ///   - authenticator: Verifies SigV4 signatures for `AWS_IAM` methods.
    ///   - authorizer: Decides `execute-api:Invoke` for `AWS_IAM` methods.
    ///   - services: Calls the emulated services for `AWS` integrations.
    ///   - userPools: The emulated Cognito user pools (Cognito authorizers, JWT authorizers with a Cognito issuer).
    package init(
        restApis: [RestApiSpec],
        httpApis: [HttpApiSpec],
        lambda: any LambdaInvoking,
        clock: VirtualClock,
        environment: LiveEnvironment,
        logger: Logger,
        authenticator: Authenticator? = nil,
        authorizer: any RequestAuthorizing = AllowAllAuthorizer(),
        services: any AWSServiceInvoking = UnavailableServiceInvoker(),
        userPools: (any UserPoolIssuers)? = nil
    ) {
        self.services = services
        self.userPools = userPools
        self.jwks = JWKSFetcher(userPools: userPools)
        self.authenticator = authenticator
        self.requestAuthorizer = authorizer
        // Every API is registered by its control plane: REST APIs through ``servedRestApis``, HTTP APIs (the template's
        // too) by the API Gateway v2 control plane from its documents.
        self.apis = ServedApiTable()
        self.lambda = lambda
        self.clock = clock
        self.environment = environment
        var logger = logger
        logger[metadataKey: "service"] = "apigateway"
        self.logger = logger
        // Authorizations that cannot be checked here (unknown security schemes): such methods refuse every request with 401.
        let refused = restApis.flatMap { api in
            api.methods.compactMap { method -> String? in
                guard case .unsupported(let what) = method.authorization else { return nil }
                return "\(api.logicalId) \(method.httpMethod) \(method.resourcePath) (\(what))"
            }
        }
        if !refused.isEmpty {
            logger.warning(
                "These REST API methods need an authorization the emulator cannot check: they answer 401 Unauthorized",
                metadata: ["methods": .array(refused.map { .string($0) })]
            )
        }
        // API keys without a `Value` get one generated; there is no control plane to read it from, so say it here.
        var generatedKeys: Set<String> = []
        for api in restApis {
            for grant in api.apiKeys where grant.generated && generatedKeys.insert(grant.keyId).inserted {
                logger.notice("Generated API key value", metadata: ["keyId": .string(grant.keyId), "value": .string(grant.value)])
            }
        }
        for warning in Self.integrationWarnings(restApis: restApis, httpApis: httpApis) { logger.warning("Integration: \(warning)") }
    }

    /// The ids of the served APIs.
    package var apiIds: Set<String> { apis.ids }

    /// Which of the served APIs a request addresses, by `Host` (`{apiId}.execute-api.localhost`) or by path
    /// (`/_aws/execute-api/{apiId}/...`); nil for requests to anything else.
    /// - Parameter head: The request head.
    /// - Returns: The target.
    package func target(of head: HTTPRequest) -> Target? {
        let (rawPath, _) = Gateway.split(head.path ?? "/")
        if let authority = head.authority {
            let host = (authority.split(separator: ":").first.map(String.init) ?? authority).lowercased()
            if host.hasSuffix(Self.hostSuffix) {
                let apiId = String(host.dropLast(Self.hostSuffix.count))
                if let target = target(apiId: apiId, rawPath: rawPath) { return target }
            }
        }
        guard rawPath.hasPrefix(Self.pathPrefix) else { return nil }
        let rest = rawPath.dropFirst(Self.pathPrefix.count)
        let apiId = String(rest.prefix { $0 != "/" })
        let remainder = String(rest.dropFirst(apiId.count))
        return target(apiId: apiId, rawPath: remainder.isEmpty ? "/" : remainder)
    }

    /// The target for an API id: a served HTTP API, or an `apigateway` control-plane REST API (its stage's snapshot is
    /// picked in ``respondREST(_:matcher:request:requestId:extendedRequestId:logger:)``).
    private func target(apiId: String, rawPath: String) -> Target? {
        if let entry = apis[apiId] { return Target(api: entry.api, matcher: entry.matcher, rawPath: rawPath) }
        guard let served = servedRestApis.anyStage(apiId) else { return nil }
        return Target(api: .rest(served.spec), matcher: served.matcher, rawPath: rawPath)
    }

    /// Answers one request to an API.
    /// - Parameters:
    ///   - request: The request.
    ///   - target: Its API (from ``target(of:)``).
    /// - Returns: The response.
    package func respond(to request: Request, target: Target) async -> Response {
        var request = request
        let isREST: Bool
        if case .rest = target.api { isREST = true } else { isREST = false }
        let requestId = EmulatorRandom.uuidString("execute-api-request-ids")
        let extendedRequestId = Self.extendedRequestId()
        var requestLogger = logger
        requestLogger[metadataKey: "request-id"] = .string(requestId)

        if let declared = request.head.headerFields[.contentLength].flatMap({ Int64($0) }), declared > Int64(Self.maxPayloadBytes) {
            return error(413, isREST ? GatewayMessages.requestTooLong : GatewayMessages.requestEntityTooLarge, requestId: requestId)
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxPayloadBytes)
        } catch is NIOTooManyBytesError {
            return error(413, isREST ? GatewayMessages.requestTooLong : GatewayMessages.requestEntityTooLarge, requestId: requestId)
        } catch {
            requestLogger.debug("request body failed", metadata: ["error": .string(String(describing: error))])
            return self.error(400, "Bad Request", requestId: requestId)
        }
        var headers: [(name: String, value: String)] = []
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        headers += request.head.headerFields.map { (name: $0.name.rawName, value: $0.value) }
        let (_, rawQuery) = Gateway.split(request.head.path ?? "/")
        let domainName = request.head.authority ?? "\(environment.current.hostForURL):\(environment.current.port)"
        var proxy = ProxyRequest(
            method: request.method.rawValue,
            rawPath: target.rawPath,
            rawQuery: rawQuery,
            headers: headers,
            body: Array(body.readableBytesView),
            sourceIp: "127.0.0.1",
            stage: "",
            domainName: domainName
        )
        proxy.requestPath = Gateway.split(request.head.path ?? "/").0
        switch target.api {
        case .rest(let api):
            return await respondREST(
                api,
                matcher: target.matcher,
                request: &proxy,
                requestId: requestId,
                extendedRequestId: extendedRequestId,
                logger: requestLogger
            )
        case .http(let api):
            return await respondHTTP(
                api,
                matcher: target.matcher,
                request: &proxy,
                requestId: requestId,
                extendedRequestId: extendedRequestId,
                logger: requestLogger
            )
        }
    }

    // MARK: REST APIs

    private func respondREST(
        _ targetApi: RestApiSpec,
        matcher targetMatcher: RouteMatcher,
        request: inout ProxyRequest,
        requestId: String,
        extendedRequestId: String,
        logger: Logger
    ) async -> Response {
        let segments = request.rawPath.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        let stageName = segments.first.map { URLComponentsDecoding.decode(String($0)) } ?? ""
        // A REST API (they all live in the `apigateway` control plane) serves its stage's deployment snapshot.
        let served = servedRestApis.spec(targetApi.apiId, stage: stageName)
        let api = served?.spec ?? targetApi
        let matcher = served?.matcher ?? targetMatcher
        guard let stage = api.stages.first(where: { $0.name == stageName }) else {
            return error(403, GatewayMessages.forbidden, requestId: requestId, errorType: "ForbiddenException")
        }
        request.stage = stage.name
        request.rawPath = segments.count > 1 ? "/" + segments[1] : "/"
        guard let match = matcher.match(method: request.method, path: request.rawPath) else {
            let refusal = GatewayRefusal.message(403, GatewayMessages.missingAuthenticationTokenType, GatewayMessages.missingAuthenticationToken)
            return restError(refusal, api: api, stage: stage, request: request, requestId: requestId)
        }
        let method = api.methods[match.index]
        var extra: [(String, String)] = [("x-amz-apigw-id", extendedRequestId)]
        extra.append(("X-Amzn-Trace-Id", Self.traceId(clock.now)))
        guard let integration = method.integration else {
            logger.warning("REST API method has no integration", metadata: ["resource": .string(method.resourcePath)])
            return error(500, GatewayMessages.restInternalServerError, requestId: requestId)
        }
        let mappedContext = MappedRequest(
            stageVariables: stage.variables,
            pathParameters: match.pathParameters,
            resourcePath: method.resourcePath,
            resourceId: method.resourceId,
            extra: extra
        )
        switch integration.type {
        case "MOCK" where !integration.mapping.isMapped:
            let context = eventContext(api.apiId, requestId, extendedRequestId, stage.variables, match.pathParameters, false)
            if case .refused(let refusal) = await authorize(method, api: api, stage: stage, request: request, context: context, logger: logger) {
                return restError(refusal, api: api, stage: stage, request: request, requestId: requestId)
            }
            let mock = integration.mock ?? IntegrationSpec.MockResponse(status: 200, headers: [], body: nil)
            var headers = mock.headers.map { ($0.name, $0.value) }
            headers.append(("Content-Type", "application/json"))
            return response(status: mock.status, headers: headers + extra, body: Array((mock.body ?? "").utf8), requestId: requestId)
        case "MOCK", "AWS", "HTTP":
            return await respondAuthorizedMapped(
                integration,
                method: method,
                api: api,
                stage: stage,
                request: request,
                requestId: requestId,
                extendedRequestId: extendedRequestId,
                mapped: mappedContext,
                logger: logger
            )
        case "AWS_PROXY":
            break
        case "HTTP_PROXY":
            let context = eventContext(api.apiId, requestId, extendedRequestId, stage.variables, match.pathParameters, false)
            if case .refused(let refusal) = await authorize(method, api: api, stage: stage, request: request, context: context, logger: logger) {
                return restError(refusal, api: api, stage: stage, request: request, requestId: requestId)
            }
            let event = ProxyEvents.version1(
                request,
                context: context,
                resourcePath: method.resourcePath,
                resourceId: method.resourceId,
                httpAPIVersion: false
            )
            let parameters = RestParameterMapping(
                request: request,
                pathParameters: match.pathParameters,
                stageVariables: stage.variables,
                context: VelocityMap(jsonObject: event["requestContext"] as? [String: Any] ?? [:])
            )
            let mapped = parameters.integrationRequest(integration.requestParameters)
            switch await forwardREST(
                integration,
                stage: stage,
                pathParameters: match.pathParameters,
                mapped: mapped,
                request: request,
                logger: logger
            ) {
            case .failure(let refusal):
                return restError(refusal, api: api, stage: stage, request: request, requestId: requestId)
            case .success(let answer):
                return response(
                    status: answer.status,
                    headers: answer.headers.map { ($0.name, $0.value) } + extra,
                    body: answer.body,
                    requestId: requestId
                )
            }
        default:
            logger.warning(
                "REST API integration type is not emulated",
                metadata: ["type": .string(integration.type), "resource": .string(method.resourcePath)]
            )
            return error(500, GatewayMessages.restInternalServerError, requestId: requestId)
        }
        guard let function = integration.functionArn else {
            logger.warning("AWS_PROXY integration without a Lambda function URI", metadata: ["resource": .string(method.resourcePath)])
            return error(500, GatewayMessages.restInternalServerError, requestId: requestId)
        }
        let binary = Self.matchesMediaType(request.header("Content-Type"), api.binaryMediaTypes)
        var context = eventContext(api.apiId, requestId, extendedRequestId, stage.variables, match.pathParameters, binary)
        switch await authorize(method, api: api, stage: stage, request: request, context: context, logger: logger) {
        case .refused(let refusal):
            return restError(refusal, api: api, stage: stage, request: request, requestId: requestId)
        case .allowed(let authorizer, let identity):
            context.authorizer = authorizer
            context.identity = identity
        }
        let event = ProxyEvents.version1(
            request,
            context: context,
            resourcePath: method.resourcePath,
            resourceId: method.resourceId,
            httpAPIVersion: false
        )
        let timeout = Self.timeout(integration.timeoutInMillis, maximum: 29_000)
        guard
            let result = await invoke(
                function,
                payload: ProxyEvents.json(event),
                source: executeApiSourceArn(apiId: api.apiId, stage: stage.name, method: request.method, path: method.resourcePath),
                asRole: integration.mapping.credentials != nil,
                timeout: timeout,
                logger: logger
            )
        else {
            return error(504, GatewayMessages.endpointRequestTimedOut, requestId: requestId)
        }
        if result.isAccessDenied {
            logger.warning(
                "Execution failed due to configuration error: Invalid permissions on Lambda function",
                metadata: ["function": .string(function)]
            )
            return error(500, GatewayMessages.restInternalServerError, requestId: requestId)
        }
        guard result.functionError == nil, let answer = ProxyResponse.version1(result.payload) else {
            logger.info(
                result.functionError == nil ? "Malformed Lambda proxy response" : "Lambda function failed",
                metadata: ["function": .string(function)]
            )
            return error(502, GatewayMessages.restInternalServerError, requestId: requestId)
        }
        var bytes = Array(answer.body.utf8)
        if answer.isBase64Encoded {
            let accepted = (request.header("Accept") ?? "").split(separator: ",").contains {
                Self.matchesMediaType(String($0), api.binaryMediaTypes)
            }
            let contentType = answer.headers.first { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame }?.value
            if accepted || Self.matchesMediaType(contentType, api.binaryMediaTypes) {
                guard let decoded = Data(base64Encoded: answer.body) else {
                    return error(502, GatewayMessages.restInternalServerError, requestId: requestId)
                }
                bytes = Array(decoded)
            }
        }
        var headers = answer.headers
        if !headers.contains(where: { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            headers.append(("Content-Type", "application/json"))
        }
        return response(status: answer.status, headers: headers + extra, body: bytes, requestId: requestId)
    }

    // MARK: HTTP APIs

    private func respondHTTP(
        _ api: HttpApiSpec,
        matcher: RouteMatcher,
        request: inout ProxyRequest,
        requestId: String,
        extendedRequestId: String,
        logger: Logger
    ) async -> Response {
        let segments = request.rawPath.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        let first = segments.first.map { URLComponentsDecoding.decode(String($0)) } ?? ""
        let stage: HttpApiSpec.Stage
        if let named = api.stages.first(where: { $0.name == first && $0.name != "$default" }) {
            stage = named
            request.rawPath = segments.count > 1 ? "/" + segments[1] : "/"
        } else if let fallback = api.stages.first(where: { $0.name == "$default" }) {
            stage = fallback
        } else {
            return error(404, GatewayMessages.notFound, requestId: requestId)
        }
        request.stage = stage.name
        let extra: [(String, String)] = [("apigw-requestid", extendedRequestId)]
        let origin = request.header("Origin")
        if let cors = api.cors, request.method == "OPTIONS", origin != nil, request.header("Access-Control-Request-Method") != nil {
            var headers = Self.corsHeaders(cors, origin: origin, preflight: true)
            headers += extra
            return response(status: 204, headers: headers, body: [], requestId: requestId)
        }
        let match =
            matcher.match(method: request.method, path: request.rawPath)
            ?? api.routes.firstIndex { $0.routeKey == "$default" }.map { RouteMatcher.Match(index: $0, pathParameters: [:]) }
        guard let match else { return error(404, GatewayMessages.notFound, requestId: requestId) }
        let route = api.routes[match.index]
        if let integration = route.integration, integration.type == "AWS_PROXY", let subtype = integration.subtype {
            // As AWS answers when a service integration fails; the service is not emulated, so it always does.
            logger.warning(
                "HTTP API AWS service integration is not emulated (EventBridge, SQS, AppConfig, Kinesis and Step Functions are not): answered 500",
                metadata: ["route": .string(route.routeKey), "integrationSubtype": .string(subtype)]
            )
            let failed = GatewayRefusal(status: 500, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.httpInternalServerError))
            return httpRefusal(failed, extra: extra, requestId: requestId)
        }
        guard let integration = route.integration,
            (integration.type == "AWS_PROXY" && integration.functionArn != nil) || integration.type == "HTTP_PROXY"
        else {
            logger.warning(
                "HTTP API route has no Lambda proxy or HTTP_PROXY integration (others are not emulated yet)",
                metadata: ["route": .string(route.routeKey)]
            )
            return error(500, GatewayMessages.httpInternalServerError, requestId: requestId)
        }
        let binary = !Self.isTextual(request.header("Content-Type"))
        var context = eventContext(api.apiId, requestId, extendedRequestId, stage.variables, match.pathParameters, binary)
        let version2 = integration.payloadFormatVersion == "2.0"
        switch route.authorization {
        case .none:
            break
        case .unsupported(let what):
            logger.info("Route authorization is not emulated: refused", metadata: ["authorization": .string(what)])
            return error(401, GatewayMessages.unauthorized, requestId: requestId)
        case .lambda(let authorizerId):
            let outcome = await authorizeLambda(
                api,
                authorizerId: authorizerId,
                route: route,
                stage: stage,
                request: request,
                context: context,
                version2: version2,
                logger: logger
            )
            switch outcome {
            case .failure(let refusal):
                return httpRefusal(refusal, extra: extra, requestId: requestId)
            case .success(let authorizer):
                context.authorizer = authorizer
            }
        case .awsIAM:
            switch await authorizeHTTPIAM(api, stage: stage, request: request, logger: logger) {
            case .failure(let refusal):
                return httpRefusal(refusal, extra: extra, requestId: requestId)
            case .success(let caller):
                if version2 {
                    context.authorizer = ProxyEvents.json(["iam": caller.iamObject])
                } else {
                    context.identity = caller.identityFields
                }
            }
        case .jwt(let authorizerId, let scopes):
            switch await authorizeJWT(api, authorizerId: authorizerId, scopes: scopes, request: request, version2: version2, logger: logger) {
            case .failure(let refusal):
                return httpRefusal(refusal, extra: extra, requestId: requestId)
            case .success(let authorizer):
                context.authorizer = authorizer
            }
        }
        var answer: IntegrationAnswer
        if integration.type == "HTTP_PROXY" {
            let forwarded = await forwardHTTP(
                integration,
                route: route,
                stage: stage,
                pathParameters: match.pathParameters,
                request: request,
                context: context,
                logger: logger
            )
            switch forwarded {
            case .failure(let refusal):
                return httpRefusal(refusal, extra: extra, requestId: requestId)
            case .success(let forwardedAnswer):
                answer = forwardedAnswer
            }
        } else {
            switch await invokeHTTPProxy(integration, api: api, route: route, stage: stage, request: request, context: context, logger: logger) {
            case .failure(let refusal):
                return httpRefusal(refusal, extra: extra, requestId: requestId)
            case .success(let lambdaAnswer):
                answer = lambdaAnswer
            }
        }
        if !integration.responseParameters.isEmpty {
            let values = MappingValues(request: request, context: context, stage: stage, pathParameters: match.pathParameters)
            Self.applyResponseParameters(integration.responseParameters, to: &answer, values: values)
        }
        var headers = answer.headers
        if let cors = api.cors, origin != nil {
            let corsHeaders = Self.corsHeaders(cors, origin: origin, preflight: false)
            headers.removeAll { header in corsHeaders.contains { $0.0.caseInsensitiveCompare(header.name) == .orderedSame } }
            headers += corsHeaders.map { (name: $0.0, value: $0.1) }
        }
        return response(status: answer.status, headers: headers.map { ($0.name, $0.value) } + extra, body: answer.body, requestId: requestId)
    }

    /// Invokes an HTTP API route's Lambda proxy integration and reads its answer (payload 1.0 or 2.0): no answer in
    /// time 503 `Service Unavailable`, a failing function or malformed answer 500 `Internal Server Error`.
    private func invokeHTTPProxy(
        _ integration: IntegrationSpec,
        api: HttpApiSpec,
        route: HttpApiSpec.Route,
        stage: HttpApiSpec.Stage,
        request: ProxyRequest,
        context: ProxyEventContext,
        logger: Logger
    ) async -> Result<IntegrationAnswer, GatewayRefusal> {
        let failed = GatewayRefusal(status: 500, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.httpInternalServerError))
        guard let function = integration.functionArn else { return .failure(failed) }
        let version2 = integration.payloadFormatVersion == "2.0"
        let event =
            version2
            ? ProxyEvents.version2(request, context: context, routeKey: route.routeKey)
            : ProxyEvents.version1(request, context: context, resourcePath: route.path ?? "$default", resourceId: route.routeId, httpAPIVersion: true)
        let timeout = Self.timeout(integration.timeoutInMillis, maximum: 30_000)
        guard
            let result = await invoke(
                function,
                payload: ProxyEvents.json(event),
                source: executeApiSourceArn(apiId: api.apiId, stage: stage.name, method: request.method, path: route.path ?? "$default"),
                asRole: integration.mapping.credentials != nil,
                timeout: timeout,
                logger: logger
            )
        else {
            return .failure(GatewayRefusal(status: 503, errorType: "", body: ProxyEvents.messageBody(GatewayMessages.serviceUnavailable)))
        }
        let parsed = result.functionError == nil ? (version2 ? ProxyResponse.version2(result.payload) : ProxyResponse.version1(result.payload)) : nil
        guard let answer = parsed else {
            logger.info(
                result.functionError == nil ? "Malformed Lambda proxy response" : "Lambda function failed",
                metadata: ["function": .string(function)]
            )
            return .failure(failed)
        }
        var bytes = Array(answer.body.utf8)
        if answer.isBase64Encoded {
            guard let decoded = Data(base64Encoded: answer.body) else { return .failure(failed) }
            bytes = Array(decoded)
        }
        var headers = answer.headers
        if !headers.contains(where: { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            headers.append(("Content-Type", "application/json"))
        }
        return .success(IntegrationAnswer(status: answer.status, headers: headers, body: bytes))
    }

    /// The CORS headers an HTTP API adds for an allowed origin (none for others).
    static func corsHeaders(_ cors: HttpApiSpec.Cors, origin: String?, preflight: Bool) -> [(String, String)] {
        guard let origin else { return [] }
        let allowsAll = cors.allowOrigins.contains("*")
        guard allowsAll || cors.allowOrigins.contains(where: { $0.caseInsensitiveCompare(origin) == .orderedSame }) else { return [] }
        var headers: [(String, String)] = [
            ("Access-Control-Allow-Origin", allowsAll && !cors.allowCredentials ? "*" : origin)
        ]
        if cors.allowCredentials { headers.append(("Access-Control-Allow-Credentials", "true")) }
        if preflight {
            if !cors.allowMethods.isEmpty { headers.append(("Access-Control-Allow-Methods", cors.allowMethods.joined(separator: ","))) }
            if !cors.allowHeaders.isEmpty { headers.append(("Access-Control-Allow-Headers", cors.allowHeaders.joined(separator: ","))) }
            if let maxAge = cors.maxAge { headers.append(("Access-Control-Max-Age", String(maxAge))) }
        } else if !cors.exposeHeaders.isEmpty {
            headers.append(("Access-Control-Expose-Headers", cors.exposeHeaders.joined(separator: ",")))
        }
        return headers
    }

    // MARK: Invocation

    func eventContext(
        _ apiId: String,
        _ requestId: String,
        _ extendedRequestId: String,
        _ variables: [String: String],
        _ pathParameters: [String: String],
        _ base64: Bool
    ) -> ProxyEventContext {
        ProxyEventContext(
            accountId: environment.current.accountId,
            apiId: apiId,
            requestId: requestId,
            extendedRequestId: extendedRequestId,
            now: clock.now,
            stageVariables: variables,
            pathParameters: pathParameters,
            base64Body: base64
        )
    }

    /// The `AWS:SourceArn` API Gateway invokes an integration's function with:
    /// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/RESOURCE` with the resource path as defined
    /// (`pets/{petId}`, so SAM's `pets/*` and the console's `pets/{petId}` both match), an HTTP API's `$default`
    /// route as `API/STAGE/$default`.
    func executeApiSourceArn(apiId: String, stage: String, method: String, path: String) -> String {
        let current = environment.current
        if path == "$default" { return "arn:aws:execute-api:\(current.region):\(current.accountId):\(apiId)/\(stage)/$default" }
        return AuthorizerPolicy.methodArn(
            region: current.region,
            accountId: current.accountId,
            apiId: apiId,
            stage: stage,
            method: method,
            path: path
        )
    }

    /// Invokes the function with the integration timeout; nil when it did not answer in time.
    /// - Parameters:
    ///   - function: The function ARN.
    ///   - payload: The event as sent.
    ///   - source: The execute-api ARN the function's resource-based policy must allow.
    ///   - asRole: Whether the integration has a credentials role (API Gateway then calls as that role, and the
    ///     function's resource-based policy is not consulted).
    ///   - timeout: The integration timeout.
    ///   - logger: The request logger.
    /// - Returns: The result (Invoke's 403 when the policy refuses), or nil when the function did not answer in time.
    func invoke(
        _ function: String,
        payload: Data,
        source: String,
        asRole: Bool,
        timeout: Duration,
        logger: Logger
    ) async -> LambdaInvocationResult? {
        let context = LambdaInvocationContext(
            sourcePrincipal: asRole ? nil : "apigateway.amazonaws.com",
            sourceArn: source,
            // The function may run a little past the integration timeout (as on AWS, where it runs to its own
            // timeout): API Gateway's clock decides, so the gateway answers 504/503, never the function's timeout error.
            maximumDuration: timeout + .seconds(1)
        )
        return await lambda.invoke(function: function, payload: payload, context: context, timeout: timeout, logger: logger)
    }

    // MARK: Helpers

    /// The integration timeout: `timeoutInMillis` clamped to 50 ms ... `maximum`, else `maximum`.
    static func timeout(_ milliseconds: Int?, maximum: Int) -> Duration {
        .milliseconds(min(max(milliseconds ?? maximum, 50), maximum))
    }

    /// Whether a content type matches one of the configured media types (`image/png`, `image/*`, `*/*`).
    static func matchesMediaType(_ contentType: String?, _ types: [String]) -> Bool {
        guard let contentType, !types.isEmpty else { return false }
        let media = (contentType.split(separator: ";").first.map(String.init) ?? contentType).trimmingCharacters(in: .whitespaces).lowercased()
        guard let slash = media.firstIndex(of: "/") else { return false }
        let kind = media[..<slash]
        return types.contains { configured in
            let type = configured.lowercased()
            if type == "*/*" || type == media { return true }
            return type.hasSuffix("/*") && type.dropLast(2) == kind
        }
    }

    /// Whether an HTTP API passes a body of this content type as text (others are base64-encoded).
    static func isTextual(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = (contentType.split(separator: ";").first.map(String.init) ?? contentType).trimmingCharacters(in: .whitespaces).lowercased()
        return media.hasPrefix("text/") || media.hasSuffix("/json") || media.hasSuffix("+json") || media.hasSuffix("/xml")
            || media.hasSuffix("+xml") || media == "application/javascript" || media == "application/ecmascript"
    }

    /// Authorizes a REST API method: its Lambda or Cognito authorizer (or IAM), then its API key; then checks the
    /// request as its request validator says.
    func authorize(
        _ method: RestApiSpec.Method,
        api: RestApiSpec,
        stage: RestApiSpec.Stage,
        request: ProxyRequest,
        context: ProxyEventContext,
        logger: Logger
    ) async -> MethodAuthorizationOutcome {
        var outcome = MethodAuthorizationOutcome.allowed(authorizer: nil, identity: [:])
        switch method.authorization {
        case .none:
            break
        case .custom(let authorizerId):
            guard let spec = api.authorizers.first(where: { $0.authorizerId == authorizerId }) else {
                return .refused(.authorizerConfiguration)
            }
            outcome = await runLambdaAuthorizer(spec, api: api, stage: stage, method: method, request: request, context: context, logger: logger)
        case .cognito(let authorizerId, let scopes):
            guard let spec = api.authorizers.first(where: { $0.authorizerId == authorizerId }) else {
                return .refused(.authorizerConfiguration)
            }
            outcome = await runCognitoAuthorizer(spec, scopes: scopes, stage: stage, method: method, request: request, logger: logger)
        case .awsIAM:
            outcome = await authorizeIAM(api, stage: stage, request: request, logger: logger)
        case .unsupported(let what):
            logger.info("Method authorization is not emulated: refused", metadata: ["authorization": .string(what)])
            return .refused(.unauthorized)
        }
        if method.apiKeyRequired, case .allowed(let authorizer, var identity) = outcome {
            switch await checkApiKey(api, stage: stage, request: request) {
            case .failure(let refusal):
                return .refused(refusal)
            case .success(let keyIdentity):
                identity.merge(keyIdentity) { _, new in new }
                outcome = .allowed(authorizer: authorizer, identity: identity)
            }
        }
        // The request validator runs once the caller is authorized, before the integration.
        if case .allowed = outcome, let validation = method.validation, let refusal = Self.validate(validation, request: request) {
            return .refused(refusal)
        }
        return outcome
    }

    /// An HTTP API's own answer: `{"message":...}` with the request's extra headers and no `x-amzn-ErrorType`.
    private func httpRefusal(_ refusal: GatewayRefusal, extra: [(String, String)], requestId: String) -> Response {
        response(
            status: refusal.status,
            headers: [("Content-Type", "application/json")] + extra,
            body: Array(refusal.body.utf8),
            requestId: requestId
        )
    }

    func error(_ refusal: GatewayRefusal, requestId: String) -> Response {
        response(
            status: refusal.status,
            headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", refusal.errorType)],
            body: Array(refusal.body.utf8),
            requestId: requestId
        )
    }

    /// API Gateway's 403 `Forbidden` for an execute-api URL naming no served API (a deleted one, or an id that never
    /// existed).
    /// - Returns: The response.
    package func unknownApiResponse() -> Response {
        error(403, GatewayMessages.forbidden, requestId: EmulatorRandom.uuidString("execute-api-request-ids"), errorType: "ForbiddenException")
    }

    func error(_ status: Int, _ message: String, requestId: String, errorType: String? = nil) -> Response {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let errorType { headers.append(("x-amzn-ErrorType", errorType)) }
        return response(status: status, headers: headers, body: Array(#"{"message":"\#(message)"}"#.utf8), requestId: requestId)
    }

    func response(status: Int, headers: [(String, String)], body: [UInt8], requestId: String) -> Response {
        var fields = HTTPFields()
        // Headers that frame the connection are API Gateway's: a function's values are remapped, as AWS does.
        let remapped: Set<String> = ["content-length", "transfer-encoding", "connection", "date", "server"]
        for (name, value) in headers {
            let fieldName = remapped.contains(name.lowercased()) ? "x-amzn-Remapped-\(name)" : name
            guard let field = HTTPField.Name(fieldName) else { continue }
            fields.append(HTTPField(name: field, value: value))
        }
        if let name = HTTPField.Name("x-amzn-RequestId"), fields[name] == nil {
            fields.append(HTTPField(name: name, value: requestId))
        }
        return Response(
            status: HTTPResponse.Status(code: (100...599).contains(status) ? status : 502),
            headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    /// An `$context.extendedRequestId`-shaped id (16 base64 characters).
    static func extendedRequestId() -> String {
        var generator = EmulatorRandom.idGenerator("execute-api-extended-ids")
        let bytes = (0..<11).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return String(Data(bytes).base64EncodedString().prefix(15)) + "="
    }

    /// An X-Ray trace id (`Root=1-{epoch hex}-{24 hex}`).
    static func traceId(_ now: Date) -> String {
        let seconds = UInt32(clamping: Int64(max(0, min(now.timeIntervalSince1970, 4_000_000_000))))
        var generator = EmulatorRandom.idGenerator("trace-ids")
        let random = String((0..<24).map { _ in Array("0123456789abcdef")[Int.random(in: 0..<16, using: &generator)] })
        return "Root=1-\(String(seconds, radix: 16))-\(random)"
    }
}
