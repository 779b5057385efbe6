import CloudFormation
import Foundation
import Logging
import Testing

@testable import APIGatewayHTTP

/// HTTP API Lambda authorizer decisions, authorizer/route parsing, and HTTP integration parameter mappings.
@Suite struct HttpLambdaAuthorizerTests {
    private let routeArn = "arn:aws:execute-api:us-east-1:000000000000:abc123defg/$default/GET/pets"
    private let logger = Logger(label: "test")

    private func spec(simple: Bool, version: String = "2.0") -> HttpAuthorizerSpec {
        var spec = HttpAuthorizerSpec(authorizerId: "a1", name: "Auth", type: "REQUEST", identitySources: [], issuer: nil, audiences: [])
        spec.setLambda(
            uri: "arn:aws:lambda:us-east-1:000000000000:function:auth",
            payloadFormatVersion: version,
            simpleResponses: simple,
            ttlSeconds: 99_999
        )
        return spec
    }

    private func decide(_ json: String, _ spec: HttpAuthorizerSpec) -> Result<APIGatewayHTTPService.LambdaGrant, GatewayRefusal> {
        APIGatewayHTTPService.decideHTTP(Data(json.utf8), spec: spec, routeArn: routeArn, logger: logger)
    }

    @Test func settingsAreReadAndTheTtlIsCapped() {
        let built = spec(simple: true)
        #expect(built.functionArn == "arn:aws:lambda:us-east-1:000000000000:function:auth")
        #expect(built.resultTtlSeconds == 3600)
        #expect(built.enableSimpleResponses)
    }

    @Test func simpleResponsesAllowRefuseOrFail() throws {
        let simple = spec(simple: true)
        let granted = try decide(#"{"isAuthorized": true, "context": {"user": "u1", "n": 3}}"#, simple).get()
        #expect(granted.context["user"] as? String == "u1")
        #expect(decide(#"{"isAuthorized": false}"#, simple).failure == .httpForbidden)
        // A string or number is not a boolean: API Gateway cannot read the answer.
        #expect(decide(#"{"isAuthorized": "true"}"#, simple).failure == .httpAuthorizerFailure)
        #expect(decide(#"{"isAuthorized": 1}"#, simple).failure == .httpAuthorizerFailure)
        #expect(decide(#"[]"#, simple).failure == .httpAuthorizerFailure)
    }

    @Test func policyResponsesAreEvaluatedForTheRouteArn() throws {
        let policy = spec(simple: false, version: "1.0")
        func answer(_ effect: String, _ resource: String) -> String {
            #"{"principalId": "p", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "\#(effect)", "Resource": "\#(resource)"}]}, "context": {"k": "v"}}"#
        }
        let granted = try decide(answer("Allow", routeArn), policy).get()
        #expect(granted.principalId == "p")
        #expect(decide(answer("Deny", routeArn), policy).failure == .httpForbidden)
        #expect(decide(answer("Allow", "arn:aws:execute-api:*:*:other/*"), policy).failure == .httpForbidden)
        #expect(decide(#"{"policyDocument": {}}"#, policy).failure == .httpAuthorizerFailure)
        #expect(decide(#"{"principalId": "p", "policyDocument": "nope"}"#, policy).failure == .httpAuthorizerFailure)
        // Without simple responses, a 2.0 authorizer's isAuthorized is not enough.
        #expect(decide(#"{"isAuthorized": true}"#, spec(simple: false)).failure == .httpAuthorizerFailure)
    }
}

@Suite struct HttpApiAuthorizationParsingTests {
    @Test func samLambdaAndIamAuthorizersBecomeRouteAuthorizations() throws {
        let stack = try planStack(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Api:
                Type: AWS::Serverless::HttpApi
                Properties:
                  Auth:
                    EnableIamAuthorizer: true
                    Authorizers:
                      Lam:
                        FunctionArn: arn:aws:lambda:us-east-1:000000000000:function:auth
                        AuthorizerPayloadFormatVersion: "2.0"
                        EnableSimpleResponses: true
                        Identity: {Headers: [Authorization], QueryStrings: [t], ReauthorizeEvery: 60}
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.handler
                  Runtime: python3.12
                  Events:
                    A: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /a, Method: get, Auth: {Authorizer: Lam}}}
                    B: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /b, Method: get, Auth: {Authorizer: AWS_IAM}}}
            """
        )
        let api = try #require(try stack.httpApis.first)
        let lambda = try #require(api.authorizers.first { $0.type == "REQUEST" })
        #expect(lambda.identitySources == ["$request.header.Authorization", "$request.querystring.t"])
        #expect(lambda.resultTtlSeconds == 60)
        #expect(lambda.enableSimpleResponses)
        #expect(lambda.functionArn == "arn:aws:lambda:us-east-1:000000000000:function:auth")
        #expect(api.routes.first { $0.routeKey == "GET /a" }?.authorization == .lambda(authorizerId: lambda.authorizerId))
        #expect(api.routes.first { $0.routeKey == "GET /b" }?.authorization == .awsIAM)
        #expect(APIGatewayHTTPService.integrationProblems(restApis: [], httpApis: [api]).isEmpty)
    }
}

@Suite struct HttpApiValidationTests {
    @Test func validateListsEachRouteThatFailsAtRunTimeWithWhatToDo() throws {
        let stack = try planStack(
            """
            Resources:
              Api:
                Type: AWS::ApiGatewayV2::Api
                Properties: {Name: checked, ProtocolType: HTTP}
              Remote:
                Type: AWS::ApiGatewayV2::Integration
                Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationMethod: GET, IntegrationUri: "https://example.com/x", PayloadFormatVersion: "1.0"}
              Local:
                Type: AWS::ApiGatewayV2::Integration
                Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationMethod: GET, IntegrationUri: "http://127.0.0.1:8080/{proxy}", PayloadFormatVersion: "1.0"}
              RemoteRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties: {ApiId: !Ref Api, RouteKey: GET /remote, Target: !Sub "integrations/${Remote}"}
              LocalRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties: {ApiId: !Ref Api, RouteKey: "GET /local/{proxy+}", Target: !Sub "integrations/${Local}"}
              Unknown:
                Type: AWS::ApiGatewayV2::Route
                Properties: {ApiId: !Ref Api, RouteKey: GET /who, AuthorizationType: CUSTOM, AuthorizerId: nope, Target: !Sub "integrations/${Local}"}
            """
        )
        let listed = RestApiProvider().notActedOn(in: stack).filter { $0.logicalId == "Api" }
        #expect(listed.map(\.property).sorted() == ["route GET /remote:", "route GET /who:"])
        let remote = try #require(listed.first { $0.property == "route GET /remote:" })
        #expect(remote.reason.contains("https://example.com/x is not a loopback http:// URL"))
        #expect(remote.reason.contains("point IntegrationUri at http://127.0.0.1:PORT/"))
        let unknown = try #require(listed.first { $0.property == "route GET /who:" })
        #expect(unknown.reason.contains("answers 401 Unauthorized"))
    }
}

@Suite struct HttpParameterMappingTests {
    private func values(headers: [(String, String)] = [], query: String = "", body: String = "") -> MappingValues {
        var request = ProxyRequest(
            method: "GET",
            rawPath: "/items/42",
            rawQuery: query,
            headers: headers.map { (name: $0.0, value: $0.1) },
            body: Array(body.utf8),
            sourceIp: "127.0.0.1",
            stage: "$default",
            domainName: "localhost"
        )
        request.requestPath = "/items/42"
        let context = ProxyEventContext(
            accountId: "000000000000",
            apiId: "abc",
            requestId: "r",
            extendedRequestId: "ext",
            now: Date(timeIntervalSince1970: 0),
            stageVariables: [:],
            pathParameters: ["id": "42"],
            base64Body: false
        )
        return MappingValues(
            request: request,
            context: context,
            stage: HttpApiSpec.Stage(name: "$default", variables: ["env": "dev"]),
            pathParameters: ["id": "42"]
        )
    }

    @Test func valuesMixStaticTextAndReferences() {
        let mapping = values(headers: [("X-In", "a"), ("x-in", "b")], query: "q=1&q=2", body: #"{"user": {"id": 7}, "n": 3}"#)
        #expect(mapping.evaluate("from-$request.header.x-in") == "from-a,b")
        #expect(mapping.evaluate("$request.querystring.q") == "1,2")
        #expect(mapping.evaluate("/v2/$request.path.id/$stageVariables.env") == "/v2/42/dev")
        #expect(mapping.evaluate("$request.body.n") == "3")
        #expect(mapping.evaluate("$context.requestId $context.apiId") == "ext abc")
        #expect(mapping.evaluate("cost: 5$") == "cost: 5$")
        #expect(mapping.evaluate("$unknown.thing") == "")
    }

    @Test func requestMappingsChangeHeadersQueryAndPath() {
        var outgoing = OutgoingRequest(
            method: "GET",
            url: "http://127.0.0.1:8080/original",
            query: [("mode", "client")],
            headers: [(name: "x-drop", value: "1"), (name: "x-keep", value: "2")]
        )
        let mapping = values(headers: [("x-in", "hi")])
        for (key, value) in [
            ("append:header.x-added", "$request.header.x-in"), ("remove:header.x-drop", "''"), ("overwrite:querystring.mode", "a b"),
            ("overwrite:path", "/new/$request.path.id"),
        ] {
            APIGatewayHTTPService.apply(IntegrationSpec.ParameterMapping(key: key, value: value), to: &outgoing, values: mapping)
        }
        #expect(outgoing.fullURL == "http://127.0.0.1:8080/new/42?mode=a%20b")
        #expect(outgoing.headers.map(\.name) == ["x-keep", "x-added"])
        #expect(outgoing.headers.last?.value == "hi")
    }

    @Test func responseMappingsOverwriteStatusAndHeaders() {
        var answer = IntegrationAnswer(status: 201, headers: [(name: "x-backend", value: "yes"), (name: "x-secret", value: "s")], body: [])
        let parameters = [
            "201": [
                IntegrationSpec.ParameterMapping(key: "overwrite:statuscode", value: "202"),
                IntegrationSpec.ParameterMapping(key: "append:header.x-seen", value: "$response.header.x-backend"),
                IntegrationSpec.ParameterMapping(key: "remove:header.x-secret", value: "''"),
            ]
        ]
        APIGatewayHTTPService.applyResponseParameters(parameters, to: &answer, values: values())
        #expect(answer.status == 202)
        #expect(answer.headers.map(\.name) == ["x-backend", "x-seen"])
        #expect(answer.headers.last?.value == "yes")
        // Other status codes are left alone; an out-of-range status is ignored.
        var other = IntegrationAnswer(status: 200, headers: [], body: [])
        APIGatewayHTTPService.applyResponseParameters(parameters, to: &other, values: values())
        #expect(other.status == 200)
        var bad = IntegrationAnswer(status: 201, headers: [], body: [])
        APIGatewayHTTPService.applyResponseParameters(
            ["201": [IntegrationSpec.ParameterMapping(key: "overwrite:statuscode", value: "99999999999999999999")]],
            to: &bad,
            values: values()
        )
        #expect(bad.status == 201)
    }

    @Test func onlyLoopbackTargetsAreContacted() {
        #expect(LoopbackForwarder.target("http://127.0.0.1:9000/a/b?x=1")?.pathAndQuery == "/a/b?x=1")
        #expect(LoopbackForwarder.target("http://localhost/a")?.address == "127.0.0.1")
        for remote in [
            "http://192.0.2.10/never", "https://127.0.0.1/a", "http://10.0.0.1/", "http://127.0.0.1.example.com/", "ftp://127.0.0.1/",
            "http://127.0.0.1:99999/", "not a url",
        ] {
            #expect(LoopbackForwarder.target(remote) == nil, "\(remote)")
        }
        #expect(
            APIGatewayHTTPService.substitute(
                "http://127.0.0.1/${stageVariables.v}/{proxy}",
                pathParameters: ["proxy": "a b/c"],
                stageVariables: ["v": "x"]
            )
                == "http://127.0.0.1/x/a%20b/c"
        )
    }
}

extension Result {
    /// The failure, if any.
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
