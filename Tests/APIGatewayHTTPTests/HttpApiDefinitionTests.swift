import CloudFormation
import Testing

@testable import APIGatewayHTTP

/// Reading an HTTP API's OpenAPI definition (the one reader of templates' `Body` and `ImportApi`).
@Suite struct HttpApiDefinitionTests {
    private static let document = """
        openapi: 3.0.1
        info: {title: pets, description: the pets, version: '2.1'}
        servers:
          - url: https://api.example.com/v1/pets
        x-amazon-apigateway-cors: {allowOrigins: ['*'], maxAge: 60}
        components:
          securitySchemes:
            jwt:
              type: oauth2
              x-amazon-apigateway-authorizer:
                type: jwt
                identitySource: $request.header.Authorization
                jwtConfiguration: {issuer: 'http://127.0.0.1:9/issuer', audience: [app]}
            custom:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authorizer:
                type: request
                authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations
                authorizerPayloadFormatVersion: '2.0'
                enableSimpleResponses: true
            sigv4:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: awsSigv4
        paths:
          /items:
            get:
              operationId: listItems
              security: [{jwt: [items.read]}]
              x-amazon-apigateway-integration: {type: aws_proxy, uri: 'arn:aws:lambda:us-east-1:000000000000:function:items', payloadFormatVersion: '2.0'}
            post:
              security: [{custom: []}]
              x-amazon-apigateway-integration: {type: http_proxy, uri: 'http://127.0.0.1:9/items', httpMethod: POST}
          /items/{id}:
            delete:
              security: [{sigv4: []}]
            put:
              security: [{unknown: []}]
          /$default:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: 'arn:aws:lambda:us-east-1:000000000000:function:items'}
        """

    private func read(_ mode: HttpApiDefinition.BasePathMode = .ignore) throws -> HttpApiDefinition {
        try HttpApiDefinition(SpecReader(document: try TemplateLoader.parseValue(Self.document), path: "body"), apiId: "abc123defg", basePath: mode)
    }

    @Test func routesIntegrationsAndAuthorizationAreRead() throws {
        let definition = try read()
        #expect(definition.title == "pets" && definition.description == "the pets" && definition.version == "2.1")
        #expect(definition.cors?.allowOrigins == ["*"] && definition.cors?.maxAge == 60)
        #expect(definition.routes.map(\.routeKey) == ["GET /items", "POST /items", "DELETE /items/{id}", "PUT /items/{id}", "$default"])
        let byKey = Dictionary(uniqueKeysWithValues: definition.routes.map { ($0.routeKey, $0) })
        let jwt = try #require(definition.authorizers.first { $0.type == "JWT" })
        let lambda = try #require(definition.authorizers.first { $0.type == "REQUEST" })
        #expect(definition.authorizers.count == 2)
        #expect(jwt.identitySources == ["$request.header.Authorization"] && jwt.audiences == ["app"])
        #expect(lambda.authorizerUri?.hasSuffix("function:auth/invocations") == true && lambda.enableSimpleResponses)
        #expect(byKey["GET /items"]?.authorization == .jwt(authorizerId: jwt.authorizerId, scopes: ["items.read"]))
        #expect(byKey["GET /items"]?.operationName == "listItems")
        #expect(byKey["POST /items"]?.authorization == .lambda(authorizerId: lambda.authorizerId))
        #expect(byKey["POST /items"]?.integration?.mapping.httpMethod == "POST")
        #expect(byKey["DELETE /items/{id}"]?.authorization == .awsIAM)
        #expect(byKey["DELETE /items/{id}"]?.integration == nil)
        #expect(byKey["$default"]?.integration?.type == "AWS_PROXY")
        // An unknown scheme is a warning (the route is not authorized by it).
        #expect(byKey["PUT /items/{id}"]?.authorization == .unsupported("security scheme unknown"))
        #expect(definition.warnings.count == 1)
        // Ids derive from the API id: the same definition gets the same ids.
        #expect(try read().routes.map(\.routeId) == definition.routes.map(\.routeId))
        #expect(Set(definition.routes.map(\.routeId)).count == 5 && definition.routes.allSatisfy { $0.routeId.count == 7 })
    }

    @Test func basePathIsIgnoredPrependedOrSplit() throws {
        #expect(try read(.ignore).routes.first?.routeKey == "GET /items")
        #expect(try read(.prepend).routes.first?.routeKey == "GET /v1/pets/items")
        #expect(try read(.split).routes.first?.routeKey == "GET /pets/items")
        // `$default` has no path to prefix.
        #expect(try read(.prepend).routes.last?.routeKey == "$default")
    }

    @Test func wronglyShapedMembersNameThePath() throws {
        let reader = SpecReader(document: try TemplateLoader.parseValue("openapi: 3.0.1\npaths: [1]\n"), path: "body")
        #expect(throws: TemplateError.self) { try HttpApiDefinition(reader, apiId: "a") }
    }
}
