import Testing

@testable import APIGatewayHTTP

/// The JSON Schema draft 4 subset request validation enforces, and the validation of a method request
/// (`BAD_REQUEST_PARAMETERS`, `BAD_REQUEST_BODY`).
@Suite struct JSONSchemaValidatorTests {
    private func valid(_ schema: String, _ body: String) throws -> Bool {
        let validator = try #require(JSONSchemaValidator(schema: schema))
        let value = try #require(SchemaJSON.parse(body))
        return validator.isValid(value)
    }

    @Test func typesAndIntegers() throws {
        #expect(try valid(#"{"type":"object"}"#, "{}"))
        #expect(try !valid(#"{"type":"object"}"#, "[]"))
        #expect(try valid(#"{"type":"integer"}"#, "3"))
        #expect(try !valid(#"{"type":"integer"}"#, "3.5"))
        #expect(try valid(#"{"type":["string","null"]}"#, "null"))
        #expect(try !valid(#"{"type":"boolean"}"#, "1"))
        #expect(try valid(#"{"type":"boolean"}"#, "true"))
        #expect(try !valid(#"{"type":"number"}"#, #""1""#))
    }

    @Test func requiredPropertiesAndAdditionalProperties() throws {
        let schema = #"""
            {"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":2,"maxLength":4},
             "age":{"type":"integer","minimum":0,"maximum":150}},"additionalProperties":false}
            """#
        #expect(try valid(schema, #"{"name":"ann","age":3}"#))
        #expect(try !valid(schema, #"{"age":3}"#))
        #expect(try !valid(schema, #"{"name":"a"}"#))
        #expect(try !valid(schema, #"{"name":"annie"}"#))
        #expect(try !valid(schema, #"{"name":"ann","age":-1}"#))
        #expect(try !valid(schema, #"{"name":"ann","age":151}"#))
        #expect(try !valid(schema, #"{"name":"ann","extra":1}"#))
        #expect(try valid(#"{"additionalProperties":{"type":"string"}}"#, #"{"a":"b"}"#))
        #expect(try !valid(#"{"additionalProperties":{"type":"string"}}"#, #"{"a":1}"#))
    }

    @Test func exclusiveBoundsMultipleOfEnumAndPattern() throws {
        #expect(try !valid(#"{"minimum":1,"exclusiveMinimum":true}"#, "1"))
        #expect(try valid(#"{"maximum":1,"exclusiveMaximum":false}"#, "1"))
        #expect(try valid(#"{"multipleOf":0.5}"#, "2.5"))
        #expect(try !valid(#"{"multipleOf":2}"#, "3"))
        #expect(try valid(#"{"enum":["a",1,null]}"#, "null"))
        #expect(try !valid(#"{"enum":["a",1]}"#, #""b""#))
        #expect(try valid(#"{"pattern":"^[a-z]+$"}"#, #""abc""#))
        #expect(try !valid(#"{"pattern":"^[a-z]+$"}"#, #""ab1""#))
        // Unanchored, as ECMA 262 `test`.
        #expect(try valid(#"{"pattern":"b"}"#, #""abc""#))
        // Keywords of another type do not apply.
        #expect(try valid(#"{"minLength":5}"#, "3"))
    }

    @Test func arraysAndCombinators() throws {
        let list = #"{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2,"uniqueItems":true}"#
        #expect(try valid(list, #"["a","b"]"#))
        #expect(try !valid(list, "[]"))
        #expect(try !valid(list, #"["a","b","c"]"#))
        #expect(try !valid(list, #"["a","a"]"#))
        #expect(try !valid(list, "[1]"))
        #expect(try valid(#"{"items":[{"type":"string"}],"additionalItems":false}"#, #"["a"]"#))
        #expect(try !valid(#"{"items":[{"type":"string"}],"additionalItems":false}"#, #"["a",1]"#))
        #expect(try valid(#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#, "1"))
        #expect(try !valid(#"{"oneOf":[{"type":"number"},{"type":"integer"}]}"#, "1"))
        #expect(try !valid(#"{"not":{"type":"null"}}"#, "null"))
        #expect(try !valid(#"{"allOf":[{"type":"number"},{"minimum":2}]}"#, "1"))
    }

    @Test func localReferencesResolveAndOthersPass() throws {
        let schema = ##"{"definitions":{"pet":{"required":["id"]}},"properties":{"pet":{"$ref":"#/definitions/pet"}}}"##
        #expect(try valid(schema, #"{"pet":{"id":1}}"#))
        #expect(try !valid(schema, #"{"pet":{}}"#))
        #expect(try valid(#"{"$ref":"https://apigateway.amazonaws.com/restapis/a/models/Pet"}"#, "1"))
        // A cycle stops.
        #expect(try valid(##"{"$ref":"#"}"##, "1"))
    }

    @Test func referencesToOtherModelsResolveWithTheirOwnRoot() throws {
        let pet = #"{"properties":{"owner":{"$ref":"https://apigateway.amazonaws.com/restapis/a1/models/Owner"}}}"#
        let owner = ##"{"definitions":{"n":{"type":"string"}},"required":["name"],"properties":{"name":{"$ref":"#/definitions/n"}}}"##
        let validator = try #require(JSONSchemaValidator(schema: pet, models: ["Owner": owner]))
        #expect(validator.isValid(try #require(SchemaJSON.parse(#"{"owner":{"name":"ann"}}"#))))
        #expect(!validator.isValid(try #require(SchemaJSON.parse(#"{"owner":{}}"#))))
        #expect(!validator.isValid(try #require(SchemaJSON.parse(#"{"owner":{"name":1}}"#))))
        // A model the API does not have is not enforced.
        let alone = try #require(JSONSchemaValidator(schema: pet))
        #expect(alone.isValid(try #require(SchemaJSON.parse(#"{"owner":{}}"#))))
    }

    @Test func schemaMustBeAnObject() {
        #expect(JSONSchemaValidator(schema: "[]") == nil)
        #expect(JSONSchemaValidator(schema: "not json") == nil)
        #expect(JSONSchemaValidator(schema: "{}") != nil)
    }

    @Test func problemsNameWhere() throws {
        let validator = try #require(JSONSchemaValidator(schema: #"{"properties":{"a":{"type":"string"}}}"#))
        #expect(validator.problems(in: .object(["a": .number(1)])).first?.hasPrefix("/a: ") == true)
    }

    private func request(query: String = "", headers: [(String, String)] = [], contentType: String? = nil, body: String = "") -> ProxyRequest {
        var all = headers
        if let contentType { all.append(("Content-Type", contentType)) }
        return ProxyRequest(
            method: "POST",
            rawPath: "/pets",
            rawQuery: query,
            headers: all.map { (name: $0.0, value: $0.1) },
            body: Array(body.utf8),
            sourceIp: "127.0.0.1",
            stage: "prod",
            domainName: "localhost"
        )
    }

    @Test func requestValidation() {
        let validation = RestApiSpec.RequestValidation(
            validateParameters: true,
            validateBody: true,
            requiredParameters: ["method.request.header.x-token", "method.request.path.id", "method.request.querystring.q"],
            schemas: ["application/json": #"{"type":"object","required":["name"]}"#]
        )
        let missing = APIGatewayHTTPService.validate(validation, request: request())
        #expect(missing?.status == 400)
        #expect(missing?.errorType == "BadRequestException")
        #expect(missing?.body == #"{"message":"Missing required request parameters: [x-token, q]"}"#)
        #expect(missing?.gatewayResponseType == "BAD_REQUEST_PARAMETERS")
        let withParameters = request(query: "q=", headers: [("X-Token", "t")], body: "{}")
        let invalid = APIGatewayHTTPService.validate(validation, request: withParameters)
        #expect(invalid?.body == #"{"message":"Invalid request body"}"#)
        #expect(invalid?.gatewayResponseType == "BAD_REQUEST_BODY")
        let good = request(query: "q=1", headers: [("x-token", "t")], contentType: "application/json; charset=utf-8", body: #"{"name":"x"}"#)
        #expect(APIGatewayHTTPService.validate(validation, request: good) == nil)
        // No model for the content type (and no `$default`): the body is not checked.
        let other = request(query: "q=1", headers: [("x-token", "t")], contentType: "text/plain", body: "hello")
        #expect(APIGatewayHTTPService.validate(validation, request: other) == nil)
        // Not JSON.
        let broken = request(query: "q=1", headers: [("x-token", "t")], body: "{")
        #expect(APIGatewayHTTPService.validate(validation, request: broken)?.gatewayResponseType == "BAD_REQUEST_BODY")
    }

    @Test func emptyBodyIsAnEmptyObject() {
        let validation = RestApiSpec.RequestValidation(
            validateParameters: false,
            validateBody: true,
            requiredParameters: ["method.request.querystring.q"],
            schemas: ["$default": #"{"type":"object"}"#]
        )
        #expect(APIGatewayHTTPService.validate(validation, request: request()) == nil)
    }
}
