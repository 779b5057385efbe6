import Foundation
import Testing

@testable import APIGatewayWebSocket

/// Compares our events field by field with the AWS events recorded in `Fixtures/synapscribe/events/`.
@Suite struct EventShapeTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func recorded(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: repoRoot.appendingPathComponent("Fixtures/synapscribe/events/\(name).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Our event, serialized and parsed back (what a handler receives).
    static func roundTrip(_ event: [String: Any]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: WebSocketEvents.json(event)) as? [String: Any])
    }

    static let facts = ConnectionFacts(
        connectionId: "L0SM9cOFvHcCIhw=",
        apiId: "abc123defg",
        stage: "Prod",
        domainName: "abc123defg.execute-api.us-east-1.amazonaws.com",
        connectedAt: Date(timeIntervalSince1970: 1_764_756_930.123),
        sourceIp: "203.0.113.10",
        userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    )

    /// Same keys, same JSON types, recursively; values compared where `equalValues` says so.
    static func expectSameShape(_ ours: Any, _ theirs: Any, path: String, ignoreValuesAt: Set<String> = []) {
        switch (ours, theirs) {
        case (let ours as [String: Any], let theirs as [String: Any]):
            #expect(Set(ours.keys) == Set(theirs.keys), "keys differ at \(path)")
            for (key, value) in theirs {
                guard let mine = ours[key] else { continue }
                expectSameShape(mine, value, path: "\(path).\(key)", ignoreValuesAt: ignoreValuesAt)
            }
        case (let ours as [Any], let theirs as [Any]):
            #expect(ours.count == theirs.count, "array length differs at \(path)")
        case (let ours as String, let theirs as String):
            if !ignoreValuesAt.contains(path) { #expect(ours == theirs, "value differs at \(path)") }
        case (let ours as NSNumber, let theirs as NSNumber):
            if !ignoreValuesAt.contains(path) { #expect(ours == theirs, "value differs at \(path)") }
        default:
            Issue.record("type differs at \(path): \(type(of: ours)) vs \(type(of: theirs))")
        }
    }

    @Test func connectEventMatchesRecordedAWSEvent() throws {
        let theirs = try Self.recorded("ws-connect")
        let headers = try #require(theirs["headers"] as? [String: String])
        let order = [
            "Host", "Sec-WebSocket-Extensions", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "User-Agent", "X-Amzn-Trace-Id",
            "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto",
        ]
        let handshake = HandshakeRequest(
            headers: order.compactMap { name in headers[name].map { (name: name, value: $0) } },
            query: [(name: "lectureId", value: "test-lecture")]
        )
        let now = Date(timeIntervalSince1970: 1_764_756_930.123)
        let ours = try Self.roundTrip(
            WebSocketEvents.connect(facts: Self.facts, handshake: handshake, now: now, requestId: "UqPG7FgqoAMEVxQ=")
        )
        Self.expectSameShape(ours, theirs, path: "$")
    }

    @Test func messageEventMatchesRecordedAWSEvent() throws {
        let theirs = try Self.recorded("ws-query")
        let body = try #require(theirs["body"] as? String)
        let ours = try Self.roundTrip(
            WebSocketEvents.message(
                facts: Self.facts,
                routeKey: "query",
                body: body,
                isBase64Encoded: false,
                now: Date(timeIntervalSince1970: 1_764_756_935),
                requestId: "UqPHqGUUoAMEbfA=",
                messageId: "UqPHqeW1oAMCEVQ="
            )
        )
        Self.expectSameShape(ours, theirs, path: "$")
    }

    @Test func disconnectEventMatchesRecordedAWSEvent() throws {
        let theirs = try Self.recorded("ws-disconnect")
        let ours = try Self.roundTrip(
            WebSocketEvents.disconnect(
                facts: Self.facts,
                statusCode: 1005,
                reason: WebSocketMessages.clientNoStatus,
                now: Date(timeIntervalSince1970: 1_764_756_992.025),
                requestId: "UqPRJHuZoAMEbpw="
            )
        )
        Self.expectSameShape(ours, theirs, path: "$")
    }

    @Test func binaryMessagesAreBase64() throws {
        let ours = try Self.roundTrip(
            WebSocketEvents.message(
                facts: Self.facts,
                routeKey: "$default",
                body: Data([0, 1, 2]).base64EncodedString(),
                isBase64Encoded: true,
                now: Date(),
                requestId: "a",
                messageId: "b"
            )
        )
        #expect(ours["isBase64Encoded"] as? Bool == true)
        #expect(ours["body"] as? String == "AAEC")
    }

    @Test func connectWithoutQueryHasNoQueryMaps() throws {
        let event = WebSocketEvents.connect(
            facts: Self.facts,
            handshake: HandshakeRequest(headers: [("Host", "h")], query: []),
            now: Date(),
            requestId: "r"
        )
        #expect(event["queryStringParameters"] == nil)
        #expect(event["multiValueQueryStringParameters"] == nil)
    }

    @Test func authorizerOutputIsInEveryEvent() throws {
        var facts = Self.facts
        facts.authorizer = WebSocketEvents.json(["principalId": "user-1", "tier": "gold", "integrationLatency": 3])
        let ours = try Self.roundTrip(
            WebSocketEvents.message(facts: facts, routeKey: "q", body: "{}", isBase64Encoded: false, now: Date(), requestId: "r", messageId: "m")
        )
        let context = try #require(ours["requestContext"] as? [String: Any])
        let authorizer = try #require(context["authorizer"] as? [String: Any])
        #expect(authorizer["principalId"] as? String == "user-1")
        #expect(authorizer["tier"] as? String == "gold")
    }
}
