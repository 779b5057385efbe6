import Foundation

/// What API Gateway knows about one connection, carried into every event it sends for it.
package struct ConnectionFacts: Sendable {
    /// The connection id.
    package var connectionId: String
    /// The API id.
    package var apiId: String
    /// The stage name.
    package var stage: String
    /// The management API host (`127.0.0.1:TLSPORT`), the event's `domainName`.
    package var domainName: String
    /// When `$connect` started (AWS's `connectedAt`).
    package var connectedAt: Date
    /// The client's address.
    package var sourceIp: String
    /// The client's `User-Agent`, if it sent one.
    package var userAgent: String?
    /// The REQUEST authorizer's output (`principalId`, `integrationLatency` and its context) as a JSON object.
    package var authorizer: Data?

    /// Creates the facts.
    /// - Parameters:
    ///   - connectionId: The connection id.
    ///   - apiId: The API id.
    ///   - stage: The stage.
    ///   - domainName: The event's `domainName`.
    ///   - connectedAt: When the connection was made.
    ///   - sourceIp: The client address.
    ///   - userAgent: The client's user agent.
    ///   - authorizer: The authorizer output, JSON.
    package init(
        connectionId: String,
        apiId: String,
        stage: String,
        domainName: String,
        connectedAt: Date,
        sourceIp: String,
        userAgent: String?,
        authorizer: Data? = nil
    ) {
        self.connectionId = connectionId
        self.apiId = apiId
        self.stage = stage
        self.domainName = domainName
        self.connectedAt = connectedAt
        self.sourceIp = sourceIp
        self.userAgent = userAgent
        self.authorizer = authorizer
    }
}

/// The upgrade request's headers and query, in order, as the client sent them.
package struct HandshakeRequest: Sendable {
    /// Header fields (`Host` first).
    package var headers: [(name: String, value: String)]
    /// Query parameters, decoded.
    package var query: [(name: String, value: String)]

    /// Creates the request view.
    /// - Parameters:
    ///   - headers: The header fields.
    ///   - query: The query parameters.
    package init(headers: [(name: String, value: String)], query: [(name: String, value: String)]) {
        self.headers = headers
        self.query = query
    }

    /// The last value of a header, by case-insensitive name.
    /// - Parameter name: The header name.
    /// - Returns: The value.
    package func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Builds the Lambda proxy events API Gateway sends for WebSocket routes, field by field as AWS sends them
/// (compared with recorded events in `Fixtures/synapscribe/events/ws-*.json`).
package enum WebSocketEvents {
    /// The `$connect` event: headers, multi-value headers, query parameters and the request context.
    /// - Parameters:
    ///   - facts: The connection.
    ///   - handshake: The upgrade request.
    ///   - now: The request time.
    ///   - requestId: The request id (also the extended request id).
    /// - Returns: The event object.
    package static func connect(facts: ConnectionFacts, handshake: HandshakeRequest, now: Date, requestId: String) -> [String: Any] {
        var event: [String: Any] = [:]
        let (headers, multiHeaders) = Self.fold(handshake.headers)
        event["headers"] = headers
        event["multiValueHeaders"] = multiHeaders
        if !handshake.query.isEmpty {
            let (query, multiQuery) = Self.fold(handshake.query)
            event["queryStringParameters"] = query
            event["multiValueQueryStringParameters"] = multiQuery
        }
        var context = requestContext(facts: facts, routeKey: "$connect", eventType: "CONNECT", now: now, requestId: requestId)
        context["identity"] = identity(facts, withUserAgent: true)
        event["requestContext"] = context
        event["isBase64Encoded"] = false
        return event
    }

    /// A `MESSAGE` event for a data frame routed to `routeKey`.
    /// - Parameters:
    ///   - facts: The connection.
    ///   - routeKey: The selected route.
    ///   - body: The message (text, or base64 of a binary message).
    ///   - isBase64Encoded: Whether `body` is base64.
    ///   - now: The request time.
    ///   - requestId: The request id.
    ///   - messageId: The message id.
    /// - Returns: The event object.
    package static func message(
        facts: ConnectionFacts,
        routeKey: String,
        body: String,
        isBase64Encoded: Bool,
        now: Date,
        requestId: String,
        messageId: String
    ) -> [String: Any] {
        var context = requestContext(facts: facts, routeKey: routeKey, eventType: "MESSAGE", now: now, requestId: requestId)
        context["messageId"] = messageId
        context["identity"] = identity(facts, withUserAgent: false)
        return ["requestContext": context, "body": body, "isBase64Encoded": isBase64Encoded]
    }

    /// The `$disconnect` event, with `disconnectStatusCode` and `disconnectReason`.
    /// - Parameters:
    ///   - facts: The connection.
    ///   - statusCode: The close code.
    ///   - reason: The close reason.
    ///   - now: The request time.
    ///   - requestId: The request id.
    /// - Returns: The event object.
    package static func disconnect(facts: ConnectionFacts, statusCode: Int, reason: String, now: Date, requestId: String) -> [String: Any] {
        let headers: [(name: String, value: String)] = [
            ("Host", facts.domainName), ("x-api-key", ""), ("X-Forwarded-For", ""), ("x-restapi", ""),
        ]
        let (single, multi) = fold(headers)
        var context = requestContext(facts: facts, routeKey: "$disconnect", eventType: "DISCONNECT", now: now, requestId: requestId)
        context["disconnectStatusCode"] = statusCode
        context["disconnectReason"] = reason
        context["identity"] = identity(facts, withUserAgent: true)
        return ["headers": single, "multiValueHeaders": multi, "requestContext": context, "isBase64Encoded": false]
    }

    /// The REQUEST authorizer's event for a `$connect` request.
    /// - Parameters:
    ///   - facts: The connection.
    ///   - handshake: The upgrade request.
    ///   - region: The region.
    ///   - accountId: The account.
    ///   - now: The request time.
    ///   - requestId: The request id.
    /// - Returns: The event object.
    package static func authorizerRequest(
        facts: ConnectionFacts,
        handshake: HandshakeRequest,
        region: String,
        accountId: String,
        now: Date,
        requestId: String
    ) -> [String: Any] {
        var event = connect(facts: facts, handshake: handshake, now: now, requestId: requestId)
        event.removeValue(forKey: "isBase64Encoded")
        event["type"] = "REQUEST"
        event["methodArn"] = "arn:aws:execute-api:\(region):\(accountId):\(facts.apiId)/\(facts.stage)/$connect"
        event["stageVariables"] = [String: String]()
        if var context = event["requestContext"] as? [String: Any] {
            context.removeValue(forKey: "authorizer")
            event["requestContext"] = context
        }
        return event
    }

    /// Serializes an event.
    /// - Parameter event: The event object.
    /// - Returns: JSON bytes.
    package static func json(_ event: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    private static func requestContext(facts: ConnectionFacts, routeKey: String, eventType: String, now: Date, requestId: String) -> [String: Any] {
        var context: [String: Any] = [
            "routeKey": routeKey,
            "eventType": eventType,
            "extendedRequestId": requestId,
            "requestTime": WebSocketIdentifiers.requestTime(now),
            "messageDirection": "IN",
            "stage": facts.stage,
            "connectedAt": WebSocketIdentifiers.epochMilliseconds(facts.connectedAt),
            "requestTimeEpoch": WebSocketIdentifiers.epochMilliseconds(now),
            "requestId": requestId,
            "domainName": facts.domainName,
            "connectionId": facts.connectionId,
            "apiId": facts.apiId,
        ]
        if let data = facts.authorizer, let authorizer = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            context["authorizer"] = authorizer
        }
        return context
    }

    private static func identity(_ facts: ConnectionFacts, withUserAgent: Bool) -> [String: Any] {
        var identity: [String: Any] = ["sourceIp": facts.sourceIp]
        if withUserAgent, let userAgent = facts.userAgent { identity["userAgent"] = userAgent }
        return identity
    }

    /// Single-value (last value wins) and multi-value maps of name/value pairs.
    private static func fold(_ pairs: [(name: String, value: String)]) -> ([String: String], [String: [String]]) {
        var single: [String: String] = [:]
        var multi: [String: [String]] = [:]
        for (name, value) in pairs {
            single[name] = value
            multi[name, default: []].append(value)
        }
        return (single, multi)
    }
}
