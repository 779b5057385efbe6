import CloudFormation
import Testing

@testable import APIGatewayV2Service

/// How the CloudFormation deployer turns `AWS::ApiGatewayV2::*` properties into the control plane's request members.
@Suite struct APIGatewayV2DeployerTests {
    private func resource(_ type: String, id: String, _ pairs: [(String, TemplateValue)]) -> StackResource {
        StackResource(
            logicalId: "Logical",
            type: type,
            physicalId: id,
            properties: .map(TemplateMap(pairs)),
            attributes: [:],
            dependsOn: [],
            location: nil
        )
    }

    @Test func apiPropertiesBecomeCamelCaseMembersWithTheResolvedId() throws {
        let place = try APIGatewayV2Deployer.place(
            resource(
                "AWS::ApiGatewayV2::Api",
                id: "abcdefghij",
                [
                    ("Name", .string("sockets")), ("ProtocolType", .string("WEBSOCKET")),
                    ("RouteSelectionExpression", .string("$request.body.action")),
                    ("Tags", .map(TemplateMap([("Team", .string("core"))]))), ("NotAMember", .string("x")),
                ]
            )
        )
        #expect(place.kind == .api && place.apiId == "abcdefghij" && place.id == "abcdefghij" && place.parentId == "")
        #expect(
            place.input == [
                "name": .string("sockets"), "protocolType": .string("WEBSOCKET"),
                "routeSelectionExpression": .string("$request.body.action"), "tags": .object(["Team": .string("core")]),
            ]
        )
    }

    @Test func childrenLiveUnderTheirApiAndParentWithTypedMembers() throws {
        let integration = try APIGatewayV2Deployer.place(
            resource(
                "AWS::ApiGatewayV2::Integration",
                id: "int1234",
                [
                    ("ApiId", .string("abcdefghij")), ("IntegrationType", .string("AWS_PROXY")), ("TimeoutInMillis", .string("5000")),
                    ("RequestTemplates", .map(TemplateMap([("Content", .string("$input.body"))]))),
                ]
            )
        )
        #expect(integration.kind == .integration && integration.apiId == "abcdefghij" && integration.id == "int1234")
        #expect(integration.input["timeoutInMillis"] == .number(5000))
        #expect(integration.input["requestTemplates"] == .object(["Content": .string("$input.body")]))
        #expect(integration.input["apiId"] == nil)

        let response = try APIGatewayV2Deployer.place(
            resource(
                "AWS::ApiGatewayV2::RouteResponse",
                id: "rr1234",
                [("ApiId", .string("abcdefghij")), ("RouteId", .string("route12")), ("RouteResponseKey", .string("$default"))]
            )
        )
        #expect(response.kind == .routeResponse && response.parentId == "route12" && response.input == ["routeResponseKey": .string("$default")])

        let authorizer = try APIGatewayV2Deployer.place(
            resource(
                "AWS::ApiGatewayV2::Authorizer",
                id: "auth12",
                [
                    ("ApiId", .string("abcdefghij")), ("AuthorizerType", .string("JWT")), ("Name", .string("jwt")),
                    ("JwtConfiguration", .map(TemplateMap([("Audience", .list([.string("app")])), ("Issuer", .string("https://issuer"))]))),
                ]
            )
        )
        #expect(authorizer.input["jwtConfiguration"] == .object(["audience": .array([.string("app")]), "issuer": .string("https://issuer")]))
    }

    @Test func missingParentsAreRefusedWithAReason() {
        #expect(throws: ResourceDeploymentError("Properties validation failed for resource Logical with message: #: required key [ApiId] not found"))
        {
            try APIGatewayV2Deployer.place(resource("AWS::ApiGatewayV2::Stage", id: "prod", [("StageName", .string("prod"))]))
        }
    }

    @Test func anOpenAPIBodyIsNotAMember() throws {
        // `Body`, `BodyS3Location`, `BasePath` and `FailOnWarnings` go to the import, not to the API's members.
        let place = try APIGatewayV2Deployer.place(
            resource(
                "AWS::ApiGatewayV2::Api",
                id: "abcdefghij",
                [("Name", .string("http")), ("Body", .map(TemplateMap())), ("BasePath", .string("prepend")), ("FailOnWarnings", .bool(true))]
            )
        )
        #expect(place.input == ["name": .string("http")])
    }

    @Test func replacementPropertiesFollowTheResourceReference() {
        #expect(APIGatewayV2Deployer.replacement(of: "AWS::ApiGatewayV2::Api") == ["ProtocolType"])
        #expect(APIGatewayV2Deployer.replacement(of: "AWS::ApiGatewayV2::Stage") == ["ApiId", "StageName"])
        #expect(APIGatewayV2Deployer.replacement(of: "AWS::ApiGatewayV2::RouteResponse") == ["ApiId", "RouteId"])
        #expect(APIGatewayV2Deployer.replacement(of: "AWS::ApiGatewayV2::IntegrationResponse") == ["ApiId", "IntegrationId"])
        #expect(APIGatewayV2Deployer.replacement(of: "AWS::ApiGatewayV2::Route") == ["ApiId"])
        #expect(APIGatewayV2Deployer.kinds.count == 8)
    }
}
