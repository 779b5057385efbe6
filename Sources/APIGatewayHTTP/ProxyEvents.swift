import AWSGateway
import Foundation

/// One request as the proxy events describe it, taken apart once.
package struct ProxyRequest: Sendable {
    /// The method.
    package var method: String
    /// The path after the stage, still percent-encoded, starting with `/`.
    package var rawPath: String
    /// The raw query string without `?`.
    package var rawQuery: String
    /// The headers in arrival order, `Host` included.
    package var headers: [(name: String, value: String)]
    /// The body.
    package var body: [UInt8]
    /// The client's address.
    package var sourceIp: String
    /// The stage name.
    package var stage: String
    /// The `Host` the request was addressed to (`$context.domainName`).
    package var domainName: String
    /// The request path as the client sent it (what a SigV4 signature covers), without the query.
    package var requestPath: String = "/"

    /// Creates a request.
    package init(
        method: String,
        rawPath: String,
        rawQuery: String,
        headers: [(name: String, value: String)],
        body: [UInt8],
        sourceIp: String,
        stage: String,
        domainName: String
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
        self.sourceIp = sourceIp
        self.stage = stage
        self.domainName = domainName
    }

    /// The first value of a header (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The query parameters in order, percent-decoded (`+` is a space).
    package var queryItems: [(name: String, value: String)] { URLComponentsDecoding.queryItems(rawQuery, plusIsSpace: true) }

    /// The decoded path (`$context.path` without the stage).
    package var path: String { URLComponentsDecoding.decode(rawPath) }
}

/// What API Gateway adds to an event about itself.
package struct ProxyEventContext: Sendable {
    /// The account id.
    package var accountId: String
    /// The API id.
    package var apiId: String
    /// `$context.requestId`.
    package var requestId: String
    /// `$context.extendedRequestId`.
    package var extendedRequestId: String
    /// When the request arrived (virtual clock).
    package var now: Date
    /// The stage variables (nil when the stage has none).
    package var stageVariables: [String: String]
    /// The route's path parameters.
    package var pathParameters: [String: String]
    /// Whether the body is passed base64-encoded.
    package var base64Body: Bool
    /// `requestContext.authorizer` (JSON object) when a Lambda authorizer allowed the request.
    package var authorizer: Data?
    /// Caller fields of `requestContext.identity` set by IAM authorization (`accessKey`, `user`, `userArn`...).
    package var identity: [String: String] = [:]

    /// Creates the facts.
    package init(
        accountId: String,
        apiId: String,
        requestId: String,
        extendedRequestId: String,
        now: Date,
        stageVariables: [String: String],
        pathParameters: [String: String],
        base64Body: Bool
    ) {
        self.accountId = accountId
        self.apiId = apiId
        self.requestId = requestId
        self.extendedRequestId = extendedRequestId
        self.now = now
        self.stageVariables = stageVariables
        self.pathParameters = pathParameters
        self.base64Body = base64Body
        self.authorizer = nil
    }
}

/// Builds the Lambda proxy events API Gateway sends, as the developer guide documents them:
/// "Input format of a Lambda function for proxy integration" (REST, payload 1.0) and "Create AWS Lambda proxy
/// integrations for HTTP APIs" (payload 2.0 and 1.0).
package enum ProxyEvents {
    /// The REST API (and HTTP API payload 1.0) event.
    /// - Parameters:
    ///   - request: The request.
    ///   - context: API Gateway's facts.
    ///   - resourcePath: The matched resource path (`/{proxy+}`), or `$default`.
    ///   - resourceId: `$context.resourceId` (REST) or the route id.
    ///   - httpAPIVersion: true for an HTTP API's payload 1.0 (adds `"version": "1.0"`).
    /// - Returns: The event object.
    package static func version1(
        _ request: ProxyRequest,
        context: ProxyEventContext,
        resourcePath: String,
        resourceId: String,
        httpAPIVersion: Bool
    ) -> [String: Any] {
        var headers: [String: String] = [:]
        var multiValueHeaders: [String: [String]] = [:]
        var headerOrder: [String] = []
        for (name, value) in forwardedHeaders(request) {
            if let existing = headerOrder.first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
                headers[existing] = value
                multiValueHeaders[existing, default: []].append(value)
            } else {
                headerOrder.append(name)
                headers[name] = value
                multiValueHeaders[name] = [value]
            }
        }
        var query: [String: String] = [:]
        var multiValueQuery: [String: [String]] = [:]
        for (name, value) in request.queryItems {
            query[name] = value
            multiValueQuery[name, default: []].append(value)
        }
        var identity: [String: Any] = [
            "cognitoIdentityPoolId": NSNull(), "accountId": NSNull(), "cognitoIdentityId": NSNull(), "caller": NSNull(),
            "sourceIp": request.sourceIp, "principalOrgId": NSNull(), "accessKey": NSNull(), "cognitoAuthenticationType": NSNull(),
            "cognitoAuthenticationProvider": NSNull(), "userArn": NSNull(), "userAgent": request.header("User-Agent") ?? "",
            "user": NSNull(),
        ]
        for (key, value) in context.identity { identity[key] = value }
        let stagePath = request.stage == "$default" ? request.path : "/\(request.stage)\(request.path)"
        var requestContext: [String: Any] = [
            "resourceId": resourceId,
            "resourcePath": resourcePath,
            "httpMethod": request.method,
            "extendedRequestId": context.extendedRequestId,
            "requestTime": clfTime(context.now),
            "path": stagePath,
            "accountId": context.accountId,
            "protocol": "HTTP/1.1",
            "stage": request.stage,
            "domainPrefix": domainPrefix(request.domainName),
            "requestTimeEpoch": epochMilliseconds(context.now),
            "requestId": context.requestId,
            "identity": identity,
            "domainName": request.domainName,
            "apiId": context.apiId,
        ]
        if !httpAPIVersion { requestContext["deploymentId"] = deploymentId(context.apiId, request.stage) }
        if let authorizer = context.authorizer, let object = try? JSONSerialization.jsonObject(with: authorizer) {
            requestContext["authorizer"] = object
        }
        var event: [String: Any] = [
            "resource": resourcePath,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": multiValueHeaders,
            "queryStringParameters": query.isEmpty ? NSNull() : query,
            "multiValueQueryStringParameters": multiValueQuery.isEmpty ? NSNull() : multiValueQuery,
            "pathParameters": context.pathParameters.isEmpty ? NSNull() : context.pathParameters,
            "stageVariables": context.stageVariables.isEmpty ? NSNull() : context.stageVariables,
            "requestContext": requestContext,
            "body": body(request, base64: context.base64Body) ?? NSNull(),
            "isBase64Encoded": context.base64Body && !request.body.isEmpty,
        ]
        if httpAPIVersion { event["version"] = "1.0" }
        return event
    }

    /// The HTTP API payload 2.0 event.
    /// - Parameters:
    ///   - request: The request.
    ///   - context: API Gateway's facts.
    ///   - routeKey: The matched route key (`GET /pets/{id}`, `$default`).
    /// - Returns: The event object.
    package static func version2(_ request: ProxyRequest, context: ProxyEventContext, routeKey: String) -> [String: Any] {
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for (name, value) in forwardedHeaders(request) {
            let lower = name.lowercased()
            if lower == "cookie" {
                cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                continue
            }
            headers[lower] = headers[lower].map { "\($0),\(value)" } ?? value
        }
        var query: [String: String] = [:]
        for (name, value) in request.queryItems {
            query[name] = query[name].map { "\($0),\(value)" } ?? value
        }
        var requestContext: [String: Any] = [
            "accountId": context.accountId,
            "apiId": context.apiId,
            "domainName": request.domainName,
            "domainPrefix": domainPrefix(request.domainName),
            "http": [
                "method": request.method,
                "path": request.stage == "$default" ? request.path : "/\(request.stage)\(request.path)",
                "protocol": "HTTP/1.1",
                "sourceIp": request.sourceIp,
                "userAgent": request.header("User-Agent") ?? "",
            ],
            "requestId": context.extendedRequestId,
            "routeKey": routeKey,
            "stage": request.stage,
            "time": clfTime(context.now),
            "timeEpoch": epochMilliseconds(context.now),
        ]
        if let authorizer = context.authorizer, let object = try? JSONSerialization.jsonObject(with: authorizer) {
            requestContext["authorizer"] = object
        }
        var event: [String: Any] = [
            "version": "2.0",
            "routeKey": routeKey,
            "rawPath": request.stage == "$default" ? request.rawPath : "/\(request.stage)\(request.rawPath)",
            "rawQueryString": request.rawQuery,
            "headers": headers,
            "requestContext": requestContext,
            "isBase64Encoded": context.base64Body && !request.body.isEmpty,
        ]
        if !cookies.isEmpty { event["cookies"] = cookies }
        if !query.isEmpty { event["queryStringParameters"] = query }
        if !context.pathParameters.isEmpty { event["pathParameters"] = context.pathParameters }
        if !context.stageVariables.isEmpty { event["stageVariables"] = context.stageVariables }
        if let body = body(request, base64: context.base64Body) { event["body"] = body }
        return event
    }

    /// `{"message":"..."}` (or another key) with the text JSON-escaped.
    /// - Parameters:
    ///   - text: The message.
    ///   - key: The key (`message`, or `Message` for API Gateway's access-denied answers).
    /// - Returns: The JSON text.
    package static func messageBody(_ text: String, key: String = "message") -> String {
        String(decoding: json([key: text]), as: UTF8.self)
    }

    /// The event as JSON.
    /// - Parameter object: The event.
    /// - Returns: The JSON bytes.
    package static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// `dd/MMM/yyyy:HH:mm:ss +0000`, as `$context.requestTime` is written.
    /// - Parameter date: The time.
    /// - Returns: The text.
    package static func clfTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = months[min(max((parts.month ?? 1) - 1, 0), 11)]
        func two(_ value: Int?) -> String {
            let number = value ?? 0
            return number < 10 ? "0\(number)" : String(number)
        }
        return "\(two(parts.day))/\(month)/\(parts.year ?? 1970):\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    /// Milliseconds since 1970, clamped (the virtual clock stays within ±100 years of real time).
    /// - Parameter date: The time.
    /// - Returns: The epoch milliseconds.
    package static func epochMilliseconds(_ date: Date) -> Int64 {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard milliseconds.isFinite else { return 0 }
        return Int64(min(max(milliseconds, -9.0e15), 9.0e15))
    }

    /// The headers passed to the function: the request's, plus the `X-Forwarded-*` headers API Gateway adds.
    private static func forwardedHeaders(_ request: ProxyRequest) -> [(name: String, value: String)] {
        var headers = request.headers
        let port = request.domainName.split(separator: ":").last.map(String.init).flatMap(Int.init) ?? 80
        for (name, value) in [("X-Forwarded-For", request.sourceIp), ("X-Forwarded-Port", String(port)), ("X-Forwarded-Proto", "http")]
        where request.header(name) == nil {
            headers.append((name, value))
        }
        return headers
    }

    private static func body(_ request: ProxyRequest, base64: Bool) -> String? {
        guard !request.body.isEmpty else { return nil }
        return base64 ? Data(request.body).base64EncodedString() : String(decoding: request.body, as: UTF8.self)
    }

    private static func domainPrefix(_ domainName: String) -> String {
        let host = domainName.split(separator: ":").first.map(String.init) ?? domainName
        return host.split(separator: ".").first.map(String.init) ?? host
    }

    private static func deploymentId(_ apiId: String, _ stage: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(apiId)/\(stage)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var id = ""
        for _ in 0..<6 {
            id.append(alphabet[Int(hash % UInt64(alphabet.count))])
            hash /= UInt64(alphabet.count)
        }
        return id
    }
}
