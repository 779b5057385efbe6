import CloudFormation
import Foundation
import Testing

@testable import APIGatewayHTTP
@testable import APIGatewayV2Service

/// The start-up template's HTTP APIs are served from their v2 documents: what the documents serve is what the
/// template declares (routes, integrations with their parameter mappings, authorizers, authorization, stages, CORS).
@Suite struct HttpApiDocumentParityTests {
    private static let template = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: parity-fn
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "def handler(e, c): return 1"
              Events:
                Get:
                  Type: HttpApi
                  Properties: {ApiId: !Ref Sam, Path: '/pets/{id}', Method: GET, PayloadFormatVersion: '1.0'}
          Sam:
            Type: AWS::Serverless::HttpApi
            Properties:
              StageName: live
              StageVariables: {color: blue}
              CorsConfiguration: {AllowOrigins: ['https://a.example'], MaxAge: 30}
              DefinitionBody:
                openapi: 3.0.1
                info: {title: sam-api, version: '1'}
                components:
                  securitySchemes:
                    gate:
                      type: apiKey
                      name: Authorization
                      in: header
                      x-amazon-apigateway-authorizer:
                        type: request
                        identitySource: $request.header.Authorization
                        authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
                        enableSimpleResponses: true
                        authorizerResultTtlInSeconds: 60
                paths:
                  /gated:
                    post:
                      security: [{gate: []}]
                      x-amazon-apigateway-integration: {type: aws_proxy, uri: !GetAtt Fn.Arn, payloadFormatVersion: '2.0'}
                  /open:
                    get:
                      security: [{nowhere: []}]
          Explicit:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: explicit, ProtocolType: HTTP}
          Proxy:
            Type: AWS::ApiGatewayV2::Integration
            Properties:
              ApiId: !Ref Explicit
              IntegrationType: HTTP_PROXY
              IntegrationMethod: GET
              IntegrationUri: http://127.0.0.1:9/backend
              PayloadFormatVersion: '1.0'
              TimeoutInMillis: 5000
              RequestParameters:
                "append:header.x-from": $request.header.y
              ResponseParameters:
                "200":
                  "overwrite:statuscode": "204"
          Jwt:
            Type: AWS::ApiGatewayV2::Authorizer
            Properties:
              ApiId: !Ref Explicit
              Name: jwt
              AuthorizerType: JWT
              IdentitySource: [$request.header.Authorization]
              JwtConfiguration: {Issuer: 'http://127.0.0.1:9/issuer', Audience: [app]}
          Secured:
            Type: AWS::ApiGatewayV2::Route
            Properties:
              ApiId: !Ref Explicit
              RouteKey: ANY /things/{proxy+}
              Target: !Sub integrations/${Proxy}
              AuthorizationType: JWT
              AuthorizerId: !Ref Jwt
              AuthorizationScopes: [things.read]
          Broken:
            Type: AWS::ApiGatewayV2::Route
            Properties: {ApiId: !Ref Explicit, RouteKey: GET /broken, Target: !Sub 'integrations/${Proxy}', AuthorizationType: CUSTOM}
          Stage:
            Type: AWS::ApiGatewayV2::Stage
            Properties: {ApiId: !Ref Explicit, StageName: $default, AutoDeploy: true}
          Quick:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: quick, ProtocolType: HTTP, Target: !GetAtt Fn.Arn}
        """

    /// What the data plane acts on, without the ids and defaults the documents add (integration ids, the 30000 ms
    /// default timeout, stages' `AutoDeploy`).
    private func served(_ spec: HttpApiSpec) -> [String] {
        var lines = ["name \(spec.name)", "cors \(String(describing: spec.cors))"]
        for route in spec.routes {
            var integration = route.integration
            if integration?.timeoutInMillis == 30000 { integration?.timeoutInMillis = nil }
            let place = "\(route.routeId) \(route.routeKey) \(route.method) \(route.path ?? "-")"
            lines.append("route \(place) \(route.authorization) \(String(describing: integration))")
        }
        for authorizer in spec.authorizers.filter({ $0.type == "JWT" || $0.type == "REQUEST" }).sorted(by: { $0.authorizerId < $1.authorizerId }) {
            lines.append("authorizer \(authorizer)")
        }
        for stage in spec.stages { lines.append("stage \(stage.name) \(stage.variables)") }
        return lines
    }

    @Test func documentsServeWhatTheTemplateDeclares() throws {
        let apis = try planStack(Self.template).httpApis
        #expect(apis.count == 3)
        for api in apis {
            let resources = V2TemplateView.resources(ofHttp: [api], region: "us-east-1", createdDate: Date(timeIntervalSince1970: 0))
            let document = try #require(resources.first { $0.kind == .api })
            #expect(resources.allSatisfy { $0.fromTemplate })
            let fromDocuments = V2TemplateView.httpSpec(api: document, children: resources)
            #expect(served(fromDocuments) == served(api), "\(api.logicalId)")
        }
        // The unsupported authorizations still answer 401 (and read NONE on the wire).
        let sam = try #require(apis.first { $0.name == "sam-api" })
        #expect(sam.routes.contains { $0.routeKey == "GET /open" && $0.authorization == .unsupported("security scheme nowhere") })
        let explicit = try #require(apis.first { $0.name == "explicit" })
        let documents = V2TemplateView.resources(ofHttp: [explicit], region: "us-east-1", createdDate: Date())
        let broken = try #require(documents.first { $0.string("routeKey") == "GET /broken" })
        #expect(broken.wireDocument["authorizationType"] == .string("NONE") && broken.wireDocument["_authorizationProblem"] == nil)
    }
}
