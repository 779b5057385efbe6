import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing

@testable import APIGatewayWebSocket

/// A real `LambdaInvoking` that records every event and answers with a scripted result per function name.
actor RecordingInvoker: LambdaInvoking {
    private(set) var calls: [(function: String, payload: Data)] = []
    private let script: @Sendable (String, Data) async -> LambdaInvocationResult

    init(script: @escaping @Sendable (String, Data) async -> LambdaInvocationResult) {
        self.script = script
    }

    func invoke(
        function: String,
        payload: Data,
        invocationType: LambdaInvocationType,
        context: LambdaInvocationContext
    ) async throws
        -> LambdaInvocationResult
    {
        calls.append((function, payload))
        return await script(function, payload)
    }

    nonisolated func isInvokeAllowed(function: String, principal: String, sourceArn: String?, sourceAccount: String?) -> Bool { true }

    var functions: [String] { calls.map(\.function) }
    func payload(_ index: Int) -> Data { calls[index].payload }
}

/// An event as the handler would parse it.
func parse(_ payload: Data) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: payload) as? [String: Any]) ?? [:]
}

@Suite struct HandshakeTests {
    static func uri(_ name: String) -> String {
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:\(name)/invocations"
    }

    static func template(withAuthorizer: Bool) -> String {
        """
        Resources:
          Api:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: t, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
          ConnectIntegration:
            Type: AWS::ApiGatewayV2::Integration
            Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: "\(uri("connect"))"}
          ConnectRoute:
            Type: AWS::ApiGatewayV2::Route
            Properties:
              ApiId: !Ref Api
              RouteKey: $connect
              Target: !Sub integrations/${ConnectIntegration}
              AuthorizationType: \(withAuthorizer ? "CUSTOM" : "NONE")
        \(withAuthorizer ? "      AuthorizerId: !Ref Auth" : "")
          Auth:
            Type: AWS::ApiGatewayV2::Authorizer
            Properties:
              ApiId: !Ref Api
              Name: auth
              AuthorizerType: REQUEST
              AuthorizerUri: "\(uri("auth"))"
              IdentitySource: [route.request.querystring.token]
          Stage:
            Type: AWS::ApiGatewayV2::Stage
            Properties: {ApiId: !Ref Api, StageName: dev}
        """
    }

    static func service(withAuthorizer: Bool, invoker: RecordingInvoker) throws -> (WebSocketAPIService, String) {
        let stack = try TemplateLoader.parse(template(withAuthorizer: withAuthorizer))
            .resolve(StackConfiguration(stackName: "ws-test"))
        let apis = try stack.webSocketApis
        let api = try #require(apis.first)
        let environment = LiveEnvironment(
            EmulatorEnvironment(region: "us-east-1", accountId: "000000000000", stackName: "ws-test", host: "127.0.0.1", port: 4566, tlsPort: 4567)
        )
        let service = WebSocketAPIService(
            apis: apis,
            lambda: invoker,
            clock: VirtualClock(),
            environment: environment,
            authorizer: AllowAllAuthorizer(),
            logger: Logger(label: "test")
        )
        return (service, api.apiId)
    }

    static func head(_ path: String) -> HTTPRequest {
        var request = HTTPRequest(method: .get, scheme: nil, authority: "127.0.0.1:4566", path: path)
        request.headerFields[.userAgent] = "Python/3.12 websockets/13"
        request.headerFields[.upgrade] = "websocket"
        return request
    }

    /// The status line a refused handshake wrote on the channel.
    static func refusal(_ channel: NIOAsyncTestingChannel) async throws -> (Int, String) {
        let head = try await channel.readOutbound(as: HTTPServerResponsePart.self)
        guard case .head(let response) = head else {
            Issue.record("expected a response head, got \(String(describing: head))")
            return (0, "")
        }
        var body = ""
        if case .body(.byteBuffer(let buffer)) = try await channel.readOutbound(as: HTTPServerResponsePart.self) {
            body = String(buffer: buffer)
        }
        return (Int(response.status.code), body)
    }

    @Test func connectAcceptedRunsIntegrationBeforeUpgrade() async throws {
        let live = Mutex<Bool?>(nil)
        let box = ServiceBox()
        let invoker = RecordingInvoker { _, payload in
            let event = parse(payload)
            // While $connect runs the connection exists but is not live: PostToConnection answers 410.
            let id = ((event["requestContext"] as? [String: Any])?["connectionId"] as? String) ?? ""
            let entry = await box.service?.registry.entry(id)
            live.withLock { $0 = entry?.isLive }
            return LambdaInvocationResult(statusCode: 200, payload: Data(#"{"statusCode":200}"#.utf8))
        }
        let (service, apiId) = try Self.service(withAuthorizer: false, invoker: invoker)
        await box.set(service)
        let channel = NIOAsyncTestingChannel()
        let result = try await service.shouldUpgrade(
            Self.head("/_aws/execute-api/\(apiId)/dev?lectureId=l1"),
            channel: channel,
            logger: Logger(label: "t")
        )
        guard case .upgrade = result else {
            Issue.record("expected the upgrade to be accepted")
            return
        }
        #expect(live.withLock { $0 } == false)
        #expect(await invoker.functions == ["arn:aws:lambda:us-east-1:000000000000:function:connect"])
        let event = parse(await invoker.payload(0))
        let context = try #require(event["requestContext"] as? [String: Any])
        #expect(context["eventType"] as? String == "CONNECT")
        #expect(context["routeKey"] as? String == "$connect")
        #expect(context["stage"] as? String == "dev")
        #expect(context["apiId"] as? String == apiId)
        #expect(context["domainName"] as? String == "127.0.0.1:4567")
        #expect((event["queryStringParameters"] as? [String: String]) == ["lectureId": "l1"])
        #expect((event["headers"] as? [String: String])?["Host"] == "127.0.0.1:4566")
        #expect((context["identity"] as? [String: String])?["userAgent"] == "Python/3.12 websockets/13")
        #expect(await service.health().resources == ["apis": 1, "connections": 0])
    }

    @Test(arguments: [
        (#"{"statusCode":401}"#, nil as String?, 401), (#"{"statusCode":500}"#, nil, 500), ("{}", "Unhandled", 502),
        // A status that is no HTTP status is a malformed proxy response (NIO traps on a negative one).
        (#"{"statusCode":-1}"#, nil, 502), (#"{"statusCode":1000}"#, nil, 502), (#"{"statusCode":1e30}"#, nil, 502),
    ])
    func connectRefusedWithIntegrationStatus(payload: String, functionError: String?, expected: Int) async throws {
        let invoker = RecordingInvoker { _, _ in LambdaInvocationResult(statusCode: 200, payload: Data(payload.utf8), functionError: functionError) }
        let (service, apiId) = try Self.service(withAuthorizer: false, invoker: invoker)
        let channel = NIOAsyncTestingChannel()
        await #expect(throws: ChannelError.inputClosed) {
            try await service.shouldUpgrade(Self.head("/_aws/execute-api/\(apiId)/dev"), channel: channel, logger: Logger(label: "t"))
        }
        let (status, _) = try await Self.refusal(channel)
        #expect(status == expected)
    }

    @Test func clientGoneDuringConnectLeavesNoConnection() async throws {
        let box = ServiceBox()
        let channel = NIOAsyncTestingChannel()
        let invoker = RecordingInvoker { _, _ in
            // The client hangs up while $connect runs.
            try? await channel.close()
            return LambdaInvocationResult(statusCode: 200, payload: Data(#"{"statusCode":200}"#.utf8))
        }
        let (service, apiId) = try Self.service(withAuthorizer: false, invoker: invoker)
        await box.set(service)
        await #expect(throws: ChannelError.inputClosed) {
            try await service.shouldUpgrade(Self.head("/_aws/execute-api/\(apiId)/dev"), channel: channel, logger: Logger(label: "t"))
        }
        #expect(await service.registry.ids.isEmpty)
        let health = await service.health()
        #expect(health.resources["connections"] == 0)
        #expect(health.details["connecting"] == 0)
        #expect(await invoker.functions.count == 1)  // $connect ran; no $disconnect follows
    }

    @Test func unknownApiOrStageIsForbidden() async throws {
        let invoker = RecordingInvoker { _, _ in LambdaInvocationResult(statusCode: 200, payload: Data()) }
        let (service, apiId) = try Self.service(withAuthorizer: false, invoker: invoker)
        for path in ["/_aws/execute-api/nope/dev", "/_aws/execute-api/\(apiId)/prod"] {
            let channel = NIOAsyncTestingChannel()
            _ = try? await service.shouldUpgrade(Self.head(path), channel: channel, logger: Logger(label: "t"))
            let (status, body) = try await Self.refusal(channel)
            #expect(status == 403)
            #expect(body == #"{"message":"Forbidden"}"#)
        }
        #expect(await invoker.functions.isEmpty)
    }

    @Test func authorizerMissingIdentitySourceIs401WithoutInvoking() async throws {
        let invoker = RecordingInvoker { _, _ in LambdaInvocationResult(statusCode: 200, payload: Data()) }
        let (service, apiId) = try Self.service(withAuthorizer: true, invoker: invoker)
        let channel = NIOAsyncTestingChannel()
        _ = try? await service.shouldUpgrade(Self.head("/_aws/execute-api/\(apiId)/dev"), channel: channel, logger: Logger(label: "t"))
        let (status, body) = try await Self.refusal(channel)
        #expect(status == 401)
        #expect(body == #"{"message":"Unauthorized"}"#)
        #expect(await invoker.functions.isEmpty)
    }

    @Test func authorizerDenyIs403AndAllowPassesContext() async throws {
        let invoker = RecordingInvoker { function, payload in
            let event = parse(payload)
            if function.hasSuffix(":auth") {
                let token = (event["queryStringParameters"] as? [String: String])?["token"]
                let effect = token == "good" ? "Allow" : "Deny"
                let policy =
                    #"{"principalId":"me","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"\#(effect)","Resource":"*"}]},"context":{"tier":"gold"}}"#
                return LambdaInvocationResult(statusCode: 200, payload: Data(policy.utf8))
            }
            return LambdaInvocationResult(statusCode: 200, payload: Data())
        }
        let (service, apiId) = try Self.service(withAuthorizer: true, invoker: invoker)
        let denied = NIOAsyncTestingChannel()
        _ = try? await service.shouldUpgrade(Self.head("/_aws/execute-api/\(apiId)/dev?token=bad"), channel: denied, logger: Logger(label: "t"))
        #expect(try await Self.refusal(denied).0 == 403)

        let allowed = NIOAsyncTestingChannel()
        let result = try await service.shouldUpgrade(
            Self.head("/_aws/execute-api/\(apiId)/dev?token=good"),
            channel: allowed,
            logger: Logger(label: "t")
        )
        guard case .upgrade = result else {
            Issue.record("expected the upgrade to be accepted")
            return
        }
        let authorizerEvent = parse(await invoker.payload(1))
        #expect(authorizerEvent["type"] as? String == "REQUEST")
        #expect((authorizerEvent["methodArn"] as? String)?.hasSuffix(":\(apiId)/dev/$connect") == true)
        let connect = parse(await invoker.payload(2))
        let authorizer = try #require((connect["requestContext"] as? [String: Any])?["authorizer"] as? [String: Any])
        #expect(authorizer["principalId"] as? String == "me")
        #expect(authorizer["tier"] as? String == "gold")
    }
}

/// Lets a scripted invoker reach the service it is injected into.
actor ServiceBox {
    var service: WebSocketAPIService?
    func set(_ service: WebSocketAPIService) { self.service = service }
}
