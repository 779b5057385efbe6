import EmulatorCore
import Foundation
import Logging

/// The results of Lambda authorizers, kept for `authorizerResultTtlInSeconds` on the virtual clock and keyed by
/// API, stage, authorizer and identity source values, as API Gateway caches them. The cached output's policy is
/// evaluated again for every request's method ARN.
package actor AuthorizerCache {
    private struct Entry {
        var output: Data
        var expires: Date
    }

    /// At most this many results are kept; past it the cache starts over.
    static let capacity = 10_000
    private var entries: [String: Entry] = [:]

    /// Creates an empty cache.
    package init() {}

    /// The cached output for a key, unless it has expired.
    /// - Parameters:
    ///   - key: The cache key.
    ///   - now: The virtual time.
    /// - Returns: The authorizer's output, or nil.
    package func lookup(_ key: String, now: Date) -> Data? {
        guard let entry = entries[key] else { return nil }
        guard entry.expires > now else {
            entries[key] = nil
            return nil
        }
        return entry.output
    }

    /// Caches an output until `expires`.
    /// - Parameters:
    ///   - key: The cache key.
    ///   - output: The authorizer's output.
    ///   - expires: When it expires.
    package func store(_ key: String, output: Data, expires: Date) {
        if entries.count >= Self.capacity { entries.removeAll() }
        entries[key] = Entry(output: output, expires: expires)
    }
}

/// A scalar of an authorizer's `context` (API Gateway refuses objects and arrays there).
enum AuthorizerContextValue: Decodable {
    case string(String)
    case bool(Bool)
    case number(Double)
    case unsupported

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .unsupported
        }
    }

    /// The value as REST APIs pass it in `requestContext.authorizer` (as text).
    var text: String? {
        switch self {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            if number.rounded() == number, abs(number) < 9.0e15 { return String(Int64(number)) }
            return String(number)
        case .unsupported: return nil
        }
    }
}

/// The parts of a Lambda authorizer's output decoded with types.
struct AuthorizerOutput: Decodable {
    var principalId: AuthorizerContextValue?
    var context: [String: AuthorizerContextValue]?
}

/// What a REST API method's authorization decided.
enum MethodAuthorizationOutcome {
    /// Go on; `authorizer` is the `requestContext.authorizer` object (JSON) of a Lambda authorizer,
    /// `identity` the caller fields of IAM authorization.
    case allowed(authorizer: Data?, identity: [String: String])
    /// Answer this instead.
    case refused(GatewayRefusal)
}

/// An answer of API Gateway's own: status, `x-amzn-ErrorType` and the JSON body.
struct GatewayRefusal: Error, Equatable {
    var status: Int
    var errorType: String
    var body: String
    /// The gateway response type when its status and error type do not tell it (``gatewayResponseType``).
    var responseType: String? = nil

    /// `{"message":"..."}`.
    static func message(_ status: Int, _ errorType: String, _ text: String) -> GatewayRefusal {
        GatewayRefusal(status: status, errorType: errorType, body: #"{"message":"\#(text)"}"#)
    }

    static let unauthorized = message(401, "UnauthorizedException", GatewayMessages.unauthorized)
    static let authorizerConfiguration = GatewayRefusal(status: 500, errorType: "AuthorizerConfigurationException", body: #"{"message":null}"#)
    static let implicitDeny = GatewayRefusal(
        status: 403,
        errorType: "AccessDeniedException",
        body: #"{"Message":"\#(GatewayMessages.notAuthorized)"}"#
    )
    static let explicitDeny = GatewayRefusal(
        status: 403,
        errorType: "AccessDeniedException",
        body: #"{"Message":"\#(GatewayMessages.notAuthorizedExplicitDeny)"}"#
    )
}

extension APIGatewayHTTPService {
    /// Runs a REST API Lambda authorizer (TOKEN or REQUEST) for a request, as API Gateway does:
    ///
    /// - a missing identity source, or a token not matching `identityValidationExpression`: 401 without invoking;
    /// - a cached result (same identity source values, within the TTL) is reused without invoking;
    /// - an authorizer failing with the message `Unauthorized`: 401; failing otherwise, timing out, or answering
    ///   without `principalId` or a valid `policyDocument`, or with a non-scalar `context` value: 500
    ///   `AuthorizerConfigurationException`;
    /// - the policy evaluated for the method ARN: explicit `Deny` or no `Allow`: 403 `AccessDeniedException`.
    func runLambdaAuthorizer(
        _ spec: AuthorizerSpec,
        api: RestApiSpec,
        stage: RestApiSpec.Stage,
        method: RestApiSpec.Method,
        request: ProxyRequest,
        context: ProxyEventContext,
        logger: Logger
    ) async -> MethodAuthorizationOutcome {
        let methodArn = self.methodArn(api, stage: stage, request: request)
        var values: [String] = []
        let event: [String: Any]
        switch spec.kind {
        case .token:
            let source = spec.identitySources.first ?? "method.request.header.Authorization"
            guard let token = Self.identityValue(source, request: request, stage: stage, method: method), !token.isEmpty else {
                logger.info("Authorizer identity source missing", metadata: ["authorizer": .string(spec.name), "source": .string(source)])
                return .refused(.unauthorized)
            }
            if let expression = spec.validationExpression, !expression.isEmpty, !Self.fullyMatches(expression, token) {
                logger.info("Token does not match the authorizer's validation expression", metadata: ["authorizer": .string(spec.name)])
                return .refused(.unauthorized)
            }
            values = [token]
            event = ["type": "TOKEN", "authorizationToken": token, "methodArn": methodArn]
        case .request:
            for source in spec.identitySources {
                guard let value = Self.identityValue(source, request: request, stage: stage, method: method), !value.isEmpty else {
                    logger.info("Authorizer identity source missing", metadata: ["authorizer": .string(spec.name), "source": .string(source)])
                    return .refused(.unauthorized)
                }
                values.append(value)
            }
            var requestEvent = ProxyEvents.version1(
                request,
                context: context,
                resourcePath: method.resourcePath,
                resourceId: method.resourceId,
                httpAPIVersion: false
            )
            requestEvent["body"] = nil
            requestEvent["isBase64Encoded"] = nil
            requestEvent["type"] = "REQUEST"
            requestEvent["methodArn"] = methodArn
            event = requestEvent
        case .cognitoUserPools:
            return .refused(.unauthorized)
        }
        guard let function = spec.functionArn else {
            logger.warning("Authorizer without a Lambda function URI", metadata: ["authorizer": .string(spec.name)])
            return .refused(.authorizerConfiguration)
        }
        let output: Data
        var latency: Int64 = 0
        let source = AuthorizerSource(apiId: api.apiId, stage: stage.name, authorizerId: spec.authorizerId, name: spec.name)
        switch await authorizerAnswer(function, event: event, source: source, ttlSeconds: spec.resultTtlSeconds, identity: values, logger: logger) {
        case .cached(let cached):
            output = cached
        case .timedOut:
            return .refused(.authorizerConfiguration)
        case .invoked(let result, let elapsed, let cacheKey):
            if result.functionError != nil {
                let failure = try? JSONSerialization.jsonObject(with: result.payload) as? [String: Any]
                if failure?["errorMessage"] as? String == GatewayMessages.unauthorized { return .refused(.unauthorized) }
                logger.info("Authorizer failed", metadata: ["authorizer": .string(spec.name)])
                return .refused(.authorizerConfiguration)
            }
            output = result.payload
            latency = elapsed
            if let cacheKey { await cacheAuthorizerOutput(output, key: cacheKey, ttlSeconds: spec.resultTtlSeconds) }
        }
        return Self.decide(output, methodArn: methodArn, latency: latency, authorizer: spec.name, logger: logger)
    }

    /// Which authorizer of which API stage answers (the cache key's scope and the logs' name).
    struct AuthorizerSource {
        /// The API id.
        var apiId: String
        /// The stage name.
        var stage: String
        /// The authorizer id.
        var authorizerId: String
        /// The authorizer name, for logs.
        var name: String
    }

    /// What a Lambda authorizer (REST or HTTP API) answers for a request.
    enum AuthorizerAnswer {
        /// An answer cached for the same identity values, within the authorizer's TTL.
        case cached(Data)
        /// A fresh invocation, its latency in milliseconds, and the key to cache a readable answer under (nil: not
        /// cacheable).
        case invoked(LambdaInvocationResult, latency: Int64, cacheKey: String?)
        /// The function did not answer within API Gateway's authorizer timeout (logged).
        case timedOut
    }

    /// The cached answer for these identity values, else a fresh invocation. Authorizers without identity values
    /// (or with a TTL of 0) are not cached, as API Gateway needs identity sources to cache.
    func authorizerAnswer(
        _ function: String,
        event: [String: Any],
        source: AuthorizerSource,
        ttlSeconds: Int,
        identity values: [String],
        logger: Logger
    ) async -> AuthorizerAnswer {
        let cacheKey =
            ttlSeconds > 0 && !values.isEmpty ? ([source.apiId, source.stage, source.authorizerId] + values).joined(separator: "\u{1F}") : nil
        if let cacheKey, let cached = await authorizerCache.lookup(cacheKey, now: clock.now) { return .cached(cached) }
        guard
            let (result, elapsed) = await invokeAuthorizer(
                function,
                event: event,
                apiId: source.apiId,
                authorizerId: source.authorizerId,
                logger: logger
            )
        else {
            logger.info("Authorizer timed out", metadata: ["authorizer": .string(source.name)])
            return .timedOut
        }
        return .invoked(result, latency: elapsed, cacheKey: cacheKey)
    }

    /// Keeps an authorizer's answer for its TTL.
    func cacheAuthorizerOutput(_ output: Data, key: String, ttlSeconds: Int) async {
        await authorizerCache.store(key, output: output, expires: clock.now.addingTimeInterval(TimeInterval(ttlSeconds)))
    }

    /// Invokes a Lambda authorizer (REST or HTTP API) with API Gateway's authorizer timeout.
    /// - Parameters:
    ///   - function: The function ARN.
    ///   - event: The authorizer event.
    ///   - apiId: The API id (the invocation's source ARN).
    ///   - authorizerId: The authorizer id.
    ///   - logger: The request logger.
    /// - Returns: The result and the latency in milliseconds, or nil when the function did not answer in time.
    func invokeAuthorizer(
        _ function: String,
        event: [String: Any],
        apiId: String,
        authorizerId: String,
        logger: Logger
    ) async -> (LambdaInvocationResult, Int64)? {
        let current = environment.current
        let started = ContinuousClock.now
        let invocation = LambdaInvocationContext(
            sourcePrincipal: "apigateway.amazonaws.com",
            sourceArn: "arn:aws:execute-api:\(current.region):\(current.accountId):\(apiId)/authorizers/\(authorizerId)",
            maximumDuration: Self.authorizerTimeout + .seconds(1)
        )
        guard
            let result = await lambda.invoke(
                function: function,
                payload: ProxyEvents.json(event),
                context: invocation,
                timeout: Self.authorizerTimeout,
                logger: logger
            )
        else { return nil }
        let elapsed = ContinuousClock.now - started
        return (result, elapsed.components.seconds &* 1000 &+ elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The method ARN of a request to a REST API stage.
    func methodArn(_ api: RestApiSpec, stage: RestApiSpec.Stage, request: ProxyRequest) -> String {
        executeApiArn(apiId: api.apiId, stage: stage.name, request: request)
    }

    /// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH` for a request (REST method ARN, HTTP API route ARN).
    func executeApiArn(apiId: String, stage: String, request: ProxyRequest) -> String {
        let current = environment.current
        return AuthorizerPolicy.methodArn(
            region: current.region,
            accountId: current.accountId,
            apiId: apiId,
            stage: stage,
            method: request.method,
            path: request.path
        )
    }

    /// How long an authorizer may take.
    static var authorizerTimeout: Duration { .seconds(29) }

    /// Decides on an authorizer's output for a method ARN.
    static func decide(_ output: Data, methodArn: String, latency: Int64, authorizer: String, logger: Logger) -> MethodAuthorizationOutcome {
        guard
            let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any],
            let typed = try? JSONDecoder().decode(AuthorizerOutput.self, from: output),
            let principalId = typed.principalId?.text
        else {
            logger.info("Authorizer answered without a principalId", metadata: ["authorizer": .string(authorizer)])
            return .refused(.authorizerConfiguration)
        }
        let decision: AuthorizerPolicy.Decision
        do {
            decision = try AuthorizerPolicy.evaluate(object["policyDocument"], methodArn: methodArn)
        } catch {
            logger.info("Authorizer answered a malformed policy", metadata: ["authorizer": .string(authorizer), "reason": .string(error.reason)])
            return .refused(.authorizerConfiguration)
        }
        var authorizerObject: [String: Any] = [:]
        for (key, value) in typed.context ?? [:] {
            guard let text = value.text else {
                logger.info("Authorizer context values must be strings, numbers or booleans", metadata: ["key": .string(key)])
                return .refused(.authorizerConfiguration)
            }
            authorizerObject[key] = text
        }
        switch decision {
        case .explicitDeny: return .refused(.explicitDeny)
        case .implicitDeny: return .refused(.implicitDeny)
        case .allow: break
        }
        authorizerObject["principalId"] = principalId
        authorizerObject["integrationLatency"] = latency
        return .allowed(authorizer: ProxyEvents.json(authorizerObject), identity: [:])
    }

    /// The value of one identity source (`method.request.header.X`, `method.request.querystring.X`,
    /// `stageVariables.X`, `context.X`), or nil when the request does not have it.
    static func identityValue(_ source: String, request: ProxyRequest, stage: RestApiSpec.Stage, method: RestApiSpec.Method) -> String? {
        if source.hasPrefix("method.request.header.") {
            return request.header(String(source.dropFirst("method.request.header.".count)))
        }
        if source.hasPrefix("method.request.querystring.") {
            let name = String(source.dropFirst("method.request.querystring.".count))
            return request.queryItems.first { $0.name == name }?.value
        }
        if source.hasPrefix("stageVariables.") {
            return stage.variables[String(source.dropFirst("stageVariables.".count))]
        }
        if source.hasPrefix("context.") {
            switch String(source.dropFirst("context.".count)) {
            case "httpMethod": return request.method
            case "resourcePath": return method.resourcePath
            case "resourceId": return method.resourceId
            case "stage": return stage.name
            case "path": return "/\(stage.name)\(request.path)"
            case "identity.sourceIp": return request.sourceIp
            case "identity.userAgent": return request.header("User-Agent")
            default: return nil
            }
        }
        return nil
    }

    /// Whether the whole token matches a validation expression (an invalid expression matches nothing).
    static func fullyMatches(_ expression: String, _ token: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: "^(?:\(expression))$") else { return false }
        return regex.firstMatch(in: token, range: NSRange(token.startIndex..., in: token)) != nil
    }
}
