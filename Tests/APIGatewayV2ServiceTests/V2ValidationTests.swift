import Foundation
import Testing

@testable import APIGatewayV2Service

/// The API Gateway v2 validators and the `/v2/...` operation resolution.
@Suite struct V2ValidationTests {
    @Test func websocketRouteKeysAcceptPredefinedAndCustomNames() throws {
        for key in ["$connect", "$disconnect", "$default", "sendMessage", "join room"] {
            try V2Validation.routeKey(key, protocolType: "WEBSOCKET")
        }
        #expect(throws: APIGatewayV2Error.badRequest("Invalid route key specified: $join")) {
            try V2Validation.routeKey("$join", protocolType: "WEBSOCKET")
        }
        #expect(throws: APIGatewayV2Error.badRequest("Invalid route key specified: ")) {
            try V2Validation.routeKey("", protocolType: "WEBSOCKET")
        }
    }

    @Test func httpRouteKeysNeedAMethodAndAPath() throws {
        for key in ["$default", "GET /items", "ANY /{proxy+}", "POST /items/{id}/tags"] {
            try V2Validation.routeKey(key, protocolType: "HTTP")
        }
        for key in ["GET items", "FETCH /items", "/items", "GET /{proxy+}/more", "$connect", "GET  /x"] {
            #expect(throws: APIGatewayV2Error.badRequest("Invalid route key specified: \(key)")) {
                try V2Validation.routeKey(key, protocolType: "HTTP")
            }
        }
    }

    @Test func routeSelectionExpressions() throws {
        try V2Validation.routeSelectionExpression("$request.body.action", protocolType: "WEBSOCKET")
        try V2Validation.routeSelectionExpression("${request.body.message.type}", protocolType: "WEBSOCKET")
        try V2Validation.routeSelectionExpression("$request.method $request.path", protocolType: "HTTP")
        #expect(throws: APIGatewayV2Error.self) { try V2Validation.routeSelectionExpression("action", protocolType: "WEBSOCKET") }
        #expect(throws: APIGatewayV2Error.self) { try V2Validation.routeSelectionExpression("$request.body.", protocolType: "WEBSOCKET") }
        #expect(throws: APIGatewayV2Error.self) { try V2Validation.routeSelectionExpression("$request.body.action", protocolType: "HTTP") }
    }

    @Test func protocolTypeMessageIsAWSs() {
        #expect(throws: APIGatewayV2Error.badRequest("Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")) {
            try V2Validation.protocolType("REST")
        }
    }

    @Test func integrationTypesDependOnTheProtocol() throws {
        try V2Validation.integration(["integrationType": .string("MOCK")], protocolType: "WEBSOCKET")
        try V2Validation.integration(
            ["integrationType": .string("AWS_PROXY"), "integrationUri": .string("arn:aws:lambda:us-east-1:000000000000:function:f")],
            protocolType: "HTTP"
        )
        #expect(throws: APIGatewayV2Error.self) { try V2Validation.integration(["integrationType": .string("MOCK")], protocolType: "HTTP") }
        #expect(throws: APIGatewayV2Error.self) { try V2Validation.integration(["integrationType": .string("AWS_PROXY")], protocolType: "WEBSOCKET") }
        #expect(throws: APIGatewayV2Error.self) {
            try V2Validation.integration(
                ["integrationType": .string("MOCK"), "timeoutInMillis": .number(30_000)],
                protocolType: "WEBSOCKET"
            )
        }
    }

    @Test func customAuthorizationNeedsAnExistingAuthorizerAndTheConnectRoute() throws {
        let custom: [String: V2JSON] = ["routeKey": .string("$connect"), "authorizationType": .string("CUSTOM"), "authorizerId": .string("abc123")]
        try V2Validation.routeAuthorization(custom, protocolType: "WEBSOCKET") { $0 == "abc123" }
        #expect(
            throws: APIGatewayV2Error.badRequest(
                "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
            )
        ) {
            try V2Validation.routeAuthorization(custom, protocolType: "WEBSOCKET") { _ in false }
        }
        var other = custom
        other["routeKey"] = .string("sendMessage")
        #expect(throws: APIGatewayV2Error.badRequest("Currently, authorization is restricted to the $connect route only")) {
            try V2Validation.routeAuthorization(other, protocolType: "WEBSOCKET") { _ in true }
        }
    }

    @Test func inputChecksTypesAndRequiredMembers() throws {
        let accepted = try V2Validation.input(
            ["name": .string("a"), "protocolType": .string("WEBSOCKET"), "unknown": .number(1), "description": .null],
            kind: .api,
            creating: true
        )
        #expect(accepted == ["name": .string("a"), "protocolType": .string("WEBSOCKET")])
        #expect(throws: APIGatewayV2Error.self) { try V2Validation.input(["name": .number(5)], kind: .api, creating: false) }
        #expect(throws: APIGatewayV2Error.self) { try V2Validation.input(["name": .string("a")], kind: .api, creating: true) }
    }

    @Test func generatedIdsAreLowercaseAlphanumerics() {
        for kind in V2ResourceKind.allCases where kind.idLength > 0 {
            let id = V2Identifiers.make(length: kind.idLength)
            #expect(id.count == kind.idLength)
            #expect(id.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber })
        }
    }

    @Test func operationsResolveFromMethodAndPath() throws {
        let createApi = try #require(APIGatewayV2Operation.resolve(method: .post, rawPath: "/v2/apis"))
        #expect(createApi.name == "CreateApi")
        #expect(createApi.iamAction == "apigateway:POST")
        let getRoutes = try #require(APIGatewayV2Operation.resolve(method: .get, rawPath: "/v2/apis/abc/routes"))
        #expect(getRoutes.name == "GetRoutes")
        #expect(getRoutes.apiId == "abc")
        let response = try #require(APIGatewayV2Operation.resolve(method: .patch, rawPath: "/v2/apis/abc/routes/r1/routeresponses/rr1"))
        #expect(response.name == "UpdateRouteResponse")
        #expect(response.parentId == "r1")
        #expect(response.id == "rr1")
        #expect(response.iamResource(region: "us-east-1") == "arn:aws:apigateway:us-east-1::/apis/abc/routes/r1/routeresponses/rr1")
        let stage = try #require(APIGatewayV2Operation.resolve(method: .delete, rawPath: "/v2/apis/abc/stages/%24default"))
        #expect(stage.name == "DeleteStage")
        #expect(stage.id == "$default")
        let tags = try #require(
            APIGatewayV2Operation.resolve(method: .get, rawPath: "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc")
        )
        #expect(tags.name == "GetTags")
        #expect(tags.resourceArn == "arn:aws:apigateway:us-east-1::/apis/abc")
        #expect(APIGatewayV2Operation.resolve(method: .get, rawPath: "/restapis") == nil)
        let reimport = try #require(APIGatewayV2Operation.resolve(method: .put, rawPath: "/v2/apis/abc"))
        #expect(reimport.name == "ReimportApi" && reimport.apiId == "abc" && reimport.iamAction == "apigateway:PUT")
        #expect(APIGatewayV2Operation.resolve(method: .put, rawPath: "/v2/apis")?.name == "ImportApi")
        #expect(APIGatewayV2Operation.resolve(method: .put, rawPath: "/v2/apis/abc/routes/r1") == nil)
        #expect(APIGatewayV2Operation.resolve(method: .get, rawPath: "/v2/apis/abc/routeresponses") == nil)
        #expect(APIGatewayV2Operation.resolve(method: .get, rawPath: "/v2/apis/abc/routes/r1/integrationresponses") == nil)
    }
}

/// ExportApi's YAML writer.
@Suite struct V2ExportYAMLTests {
    @Test func blockStyleWithQuotedScalars() {
        let document = V2JSON.object([
            "openapi": .string("3.0.1"),
            "paths": .object(["/a/{id}": .object(["get": .object(["responses": .object([:])])])]),
            "servers": .array([.object(["url": .string("https://x/{basePath}"), "n": .number(2)])]),
            "tags": .array([.string("t"), .bool(true)]),
        ])
        #expect(
            APIGatewayV2Service.yaml(document, indent: 0) == """
                "openapi": "3.0.1"
                "paths":
                  "/a/{id}":
                    "get":
                      "responses": {}
                "servers":
                  - "n": 2
                    "url": "https://x/{basePath}"
                "tags":
                  - "t"
                  - true

                """
        )
    }
}
