import EmulatorCore
import Foundation
import Testing

@testable import APIGatewayWebSocket

/// Template and integration response selection of non-proxy WebSocket integrations, as "Setting up data
/// transformations for WebSocket APIs" documents them
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-transformations.html).
@Suite("WebSocket integration mapping")
struct IntegrationMappingTests {
    @Test("the template selection expression picks a template key, $default when it selects nothing")
    func templateKeys() {
        #expect(WebSocketAPIService.templateKey(nil, body: "{}") == "$default")
        #expect(WebSocketAPIService.templateKey("\\$default", body: "{}") == "$default")
        #expect(WebSocketAPIService.templateKey("${request.body.kind}", body: #"{"kind": "note"}"#) == "note")
        #expect(WebSocketAPIService.templateKey("$request.body.kind", body: #"{"kind": "memo"}"#) == "memo")
        #expect(WebSocketAPIService.templateKey("${request.body.kind}", body: #"{"other": 1}"#) == "$default")
        #expect(WebSocketAPIService.templateKey("${request.body.kind}", body: "not json") == "$default")
    }

    @Test("integration response keys: the first /regex/ matching the whole selector, else $default")
    func responseSelection() {
        let responses = [
            IntegrationMapping.Response(key: "/2\\d\\d/", templates: ["$default": "ok"], templateSelectionExpression: nil),
            IntegrationMapping.Response(key: "$default", templates: ["$default": "other"], templateSelectionExpression: nil),
            IntegrationMapping.Response(key: "/4\\d\\d/", templates: ["$default": "client"], templateSelectionExpression: nil),
        ]
        #expect(WebSocketAPIService.selectResponse(responses, selector: "200")?.templates["$default"] == "ok")
        #expect(WebSocketAPIService.selectResponse(responses, selector: "404")?.templates["$default"] == "client")
        #expect(WebSocketAPIService.selectResponse(responses, selector: "500")?.templates["$default"] == "other")
        #expect(WebSocketAPIService.selectResponse(responses, selector: "2000")?.templates["$default"] == "other")
        #expect(WebSocketAPIService.selectResponse([responses[0]], selector: "500") == nil)
        let broken = [IntegrationMapping.Response(key: "/([/", templates: [:], templateSelectionExpression: nil)]
        #expect(WebSocketAPIService.selectResponse(broken, selector: "200") == nil)
    }

    @Test("AWS integration URIs: action and path forms; anything else is not a service call")
    func serviceURIs() {
        let action = AWSServiceCall(
            integrationUri: "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
            method: nil,
            body: "{}",
            credentialsArn: "r"
        )
        #expect(action?.service == "dynamodb")
        #expect(action?.action == "PutItem")
        #expect(action?.method == "POST")
        #expect(action?.path == "/")
        let path = AWSServiceCall(
            integrationUri: "arn:aws:apigateway:us-east-1:s3:path/bucket/key.txt",
            method: "PUT",
            body: "x",
            credentialsArn: nil
        )
        #expect(path?.service == "s3")
        #expect(path?.action == nil)
        #expect(path?.path == "/bucket/key.txt")
        #expect(AWSServiceCall(integrationUri: "arn:aws:apigateway:us-east-1:dynamodb:action/", method: nil, body: "", credentialsArn: nil) == nil)
        #expect(AWSServiceCall(integrationUri: "http://127.0.0.1:9/x", method: nil, body: "", credentialsArn: nil) == nil)
        #expect(AWSServiceCall(integrationUri: nil, method: nil, body: "", credentialsArn: nil) == nil)
    }
}
