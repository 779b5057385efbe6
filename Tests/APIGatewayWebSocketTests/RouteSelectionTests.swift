import Foundation
import Testing

@testable import APIGatewayWebSocket

@Suite struct RouteSelectionTests {
    @Test(arguments: [
        ("$request.body.action", #"{"action":"query","x":1}"#, "query"),
        ("$request.body.action", #"{"action":7}"#, "7"),
        ("$request.body.message.type", #"{"message":{"type":"chat"}}"#, "chat"),
        ("${request.body.kind}-${request.body.action}", #"{"kind":"a","action":"b"}"#, "a-b"),
        ("$request.body.action", #"{"action":"$default"}"#, "$default"),
    ])
    func selects(expression: String, body: String, expected: String) {
        #expect(RouteSelectionExpression(expression).evaluate(body) == expected)
    }

    @Test(arguments: [
        "not json",
        #"{"other":"x"}"#,
        #"["action"]"#,
        #"{"action":{"nested":true}}"#,
        #"{"action":null}"#,
        "",
    ])
    func selectsNothing(body: String) {
        #expect(RouteSelectionExpression("$request.body.action").evaluate(body) == nil)
    }

    @Test func missingMemberInTemplateSelectsNothing() {
        #expect(RouteSelectionExpression("${request.body.kind}-${request.body.action}").evaluate(#"{"kind":"a"}"#) == nil)
    }
}

@Suite struct IdentifierTests {
    @Test func connectionIdsLookLikeAWS() {
        for _ in 0..<200 {
            let id = WebSocketIdentifiers.connectionId()
            #expect(id.count == 16)
            #expect(id.hasSuffix("="))
            #expect(!id.contains("+") && !id.contains("/"))
        }
        #expect(WebSocketIdentifiers.connectionId() != WebSocketIdentifiers.connectionId())
    }

    @Test func requestTimeFormat() {
        // 1764756930.123 = 2025-12-03T10:15:30.123Z, the recorded event's connectedAt.
        let date = Date(timeIntervalSince1970: 1_764_756_930.123)
        #expect(WebSocketIdentifiers.requestTime(date) == "03/Dec/2025:10:15:30 +0000")
        #expect(WebSocketIdentifiers.epochMilliseconds(date) == 1_764_756_930_123)
    }
}

@Suite struct ProxyResponseTests {
    @Test func statusAndBody() {
        guard case .response(let status, let body) = WebSocketAPIService.proxyResponse(Data(#"{"statusCode":401,"body":"no"}"#.utf8)) else {
            Issue.record("expected a response")
            return
        }
        #expect(status == 401)
        #expect(body == "no")
    }

    @Test func emptyAndNullAreSuccess() {
        for payload in ["", "null", #"{"body":"x"}"#] {
            guard case .response(let status, _) = WebSocketAPIService.proxyResponse(Data(payload.utf8)) else {
                Issue.record("expected a response for \(payload)")
                continue
            }
            #expect(status == 200)
        }
    }

    @Test func badStatusIsFailure() {
        guard case .failed = WebSocketAPIService.proxyResponse(Data(#"{"statusCode":"abc"}"#.utf8)) else {
            Issue.record("expected failure")
            return
        }
    }

    @Test func policies() {
        let allow: [String: Any] = ["Statement": [["Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"]]]
        let deny: [String: Any] = ["Statement": [["Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"]]]
        let mixed: [String: Any] = ["Statement": [["Action": ["execute-api:Invoke"], "Effect": "Allow"], ["Action": "*", "Effect": "Deny"]]]
        #expect(WebSocketAPIService.policyAllows(allow))
        #expect(!WebSocketAPIService.policyAllows(deny))
        #expect(!WebSocketAPIService.policyAllows(mixed))
        #expect(!WebSocketAPIService.policyAllows(nil))
    }
}

@Suite struct WebSocketArithmeticTests {
    @Test func epochMillisecondsClampOnAnAbsurdClock() {
        #expect(WebSocketIdentifiers.epochMilliseconds(Date(timeIntervalSince1970: 1e19)) == Int64.max)
        #expect(WebSocketIdentifiers.epochMilliseconds(Date(timeIntervalSince1970: -1e19)) == Int64.min)
        #expect(WebSocketIdentifiers.epochMilliseconds(.distantFuture) > 0)
        #expect(WebSocketIdentifiers.clampedInt64(.nan) == 0)
        #expect(!WebSocketIdentifiers.requestTime(Date(timeIntervalSince1970: 1e19)).isEmpty)
    }

    @Test(arguments: [#"{"statusCode":-1}"#, #"{"statusCode":1000}"#, #"{"statusCode":1e30}"#, #"{"statusCode":99.5}"#, #"{"statusCode":"-7"}"#])
    func statusCodesOutsideHTTPAreFailures(payload: String) {
        guard case .failed = WebSocketAPIService.proxyResponse(Data(payload.utf8)) else {
            Issue.record("expected failure for \(payload)")
            return
        }
    }

    @Test func statusCodesAsNumbersAndStrings() {
        for payload in [#"{"statusCode":404}"#, #"{"statusCode":"404"}"#, #"{"statusCode":404.0}"#] {
            guard case .response(let status, _) = WebSocketAPIService.proxyResponse(Data(payload.utf8)) else {
                Issue.record("expected a response for \(payload)")
                continue
            }
            #expect(status == 404)
        }
    }

    @Test func integrationTimeoutsStayInAPIGatewaysRange() {
        #expect(WebSocketLimits.integrationTimeout(milliseconds: -5) == .milliseconds(50))
        #expect(WebSocketLimits.integrationTimeout(milliseconds: Int.max) == .seconds(29))
        #expect(WebSocketLimits.integrationTimeout(milliseconds: 1_000) == .seconds(1))
    }
}
