import APIGatewayV2Service
import HTTPTypes
import Testing

@testable import APIGatewayRESTService

/// The `apigateway` (v1) operation resolution, patch operations and validators.
@Suite struct RestControlPlaneTests {
    @Test func pathsNameTheirOperations() {
        let cases: [(HTTPRequest.Method, String, String)] = [
            (.post, "/restapis", "CreateRestApi"),
            (.get, "/restapis", "GetRestApis"),
            (.patch, "/restapis/abc", "UpdateRestApi"),
            (.get, "/restapis/abc/resources", "GetResources"),
            (.post, "/restapis/abc/resources/root1", "CreateResource"),
            (.delete, "/restapis/abc/resources/r1", "DeleteResource"),
            (.put, "/restapis/abc/resources/r1/methods/ANY", "PutMethod"),
            (.put, "/restapis/abc/resources/r1/methods/GET/responses/200", "PutMethodResponse"),
            (.get, "/restapis/abc/resources/r1/methods/GET/integration", "GetIntegration"),
            (.patch, "/restapis/abc/resources/r1/methods/GET/integration/responses/200", "UpdateIntegrationResponse"),
            (.post, "/restapis/abc/deployments", "CreateDeployment"),
            (.get, "/restapis/abc/stages/dev", "GetStage"),
            (.delete, "/restapis/abc/authorizers/a1", "DeleteAuthorizer"),
            (.post, "/apikeys", "CreateApiKey"),
            (.post, "/usageplans/p1/keys", "CreateUsagePlanKey"),
            (.get, "/usageplans/p1/keys", "GetUsagePlanKeys"),
        ]
        for (method, path, name) in cases {
            #expect(RestOperation.resolve(method: method, rawPath: path)?.name == name, "\(path)")
        }
        let create = RestOperation.resolve(method: .post, rawPath: "/restapis/abc/resources/root1")
        #expect(create?.parentId == "root1")
        #expect(create?.apiId == "abc")
        let response = RestOperation.resolve(method: .put, rawPath: "/restapis/abc/resources/r1/methods/GET/integration/responses/200")
        #expect(response?.kind == .integrationResponse)
        #expect(response?.httpMethod == "GET")
        #expect(response?.id == "200")
        for path in ["/v2/apis", "/restapis/abc/unknown", "/restapis/abc/resources/r1/methods", "/"] {
            #expect(RestOperation.resolve(method: .get, rawPath: path) == nil, "\(path)")
        }
        #expect(RestOperation.resolve(method: .post, rawPath: "/restapis/abc/resources") == nil)
        #expect(RestOperation.resolve(method: .patch, rawPath: "/usageplans/p1/keys/k1") == nil)
    }

    @Test func patchOperationsReplaceAddAndRemove() throws {
        let stage: [String: V2JSON] = ["stageName": .string("dev"), "description": .string("old"), "variables": .object(["a": .string("1")])]
        let patched = try RestPatch.apply(
            [
                ("replace", "/description", "new"), ("add", "/variables/b", "2"), ("remove", "/variables/a", nil),
                ("replace", "/tracingEnabled", "true"),
            ],
            to: stage,
            kind: .stage
        )
        #expect(patched["description"] == .string("new"))
        #expect(patched["variables"] == .object(["b": .string("2")]))
        #expect(patched["tracingEnabled"] == .bool(true))

        let api = try RestPatch.apply([("add", "/binaryMediaTypes/image~1png", nil)], to: ["name": .string("x")], kind: .restApi)
        #expect(api["binaryMediaTypes"] == .array([.string("image/png")]))
        let removed = try RestPatch.apply([("remove", "/binaryMediaTypes/image~1png", nil)], to: api, kind: .restApi)
        #expect(removed["binaryMediaTypes"] == nil)

        let plan = try RestPatch.apply([("add", "/apiStages", "abc:dev"), ("replace", "/quota/limit", "100")], to: [:], kind: .usagePlan)
        #expect(plan["apiStages"] == .array([.object(["apiId": .string("abc"), "stage": .string("dev")])]))
        #expect(plan["quota"] == .object(["limit": .number(100)]))
    }

    @Test func patchOperationsRefuseUnknownPathsAndBadValues() {
        #expect(
            throws: RestError.badRequest("Invalid patch path  '/nope' specified for op 'replace'. Please choose supported operations")
        ) {
            _ = try RestPatch.apply([("replace", "/nope", "x")], to: [:], kind: .restApi)
        }
        #expect(
            throws: RestError.badRequest("Invalid patch path  '/variables' specified for op 'add'. Please choose supported operations")
        ) {
            _ = try RestPatch.apply([("add", "/variables", "x")], to: [:], kind: .stage)
        }
        #expect(throws: RestError.badRequest("Invalid patch value  'maybe' specified for op 'replace'. Must be a boolean")) {
            _ = try RestPatch.apply([("replace", "/enabled", "maybe")], to: [:], kind: .apiKey)
        }
        #expect(throws: RestError.self) {
            _ = try RestPatch.operations(["patchOperations": .array([.object(["op": .string("explode"), "path": .string("/name")])])])
        }
    }

    @Test func pathPartsAndSiblings() throws {
        for part in ["pets", "{proxy+}", "{id}", "v1.2_x-y"] { try RestValidation.pathPart(part) }
        for part in ["", "a b", "{proxy+}x", "{}", "pets/1", "{a+b}"] {
            #expect(throws: RestError.self, "\(part)") { try RestValidation.pathPart(part) }
        }
        let root = RestItem(kind: .resource, scope: "api", id: "root", document: ["id": .string("root"), "path": .string("/")])
        let pets = RestItem(
            kind: .resource,
            scope: "api",
            id: "pets",
            document: ["id": .string("pets"), "parentId": .string("root"), "pathPart": .string("pets")]
        )
        let proxy = RestItem(
            kind: .resource,
            scope: "api",
            id: "proxy",
            document: ["id": .string("proxy"), "parentId": .string("root"), "pathPart": .string("{proxy+}")]
        )
        #expect(throws: RestError.conflict("Another resource with the same parent already has this name: pets")) {
            try RestValidation.checkSiblings(parent: root, pathPart: "pets", exceptId: "new", resources: [root, pets])
        }
        #expect(throws: RestError.badRequest("A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed")) {
            try RestValidation.checkSiblings(parent: root, pathPart: "{id}", exceptId: "new", resources: [root, pets, proxy])
        }
        #expect(throws: RestError.badRequest("Cannot create a child of a resource with a greedy path variable: {proxy+}")) {
            try RestValidation.checkSiblings(parent: proxy, pathPart: "more", exceptId: "new", resources: [root, proxy])
        }
        try RestValidation.checkSiblings(parent: root, pathPart: "owners", exceptId: "new", resources: [root, pets, proxy])
    }

    @Test func integrationsNeedAKnownTypeAndAMethodAndUriUnlessMock() throws {
        try RestValidation.integration(["type": .string("MOCK")])
        try RestValidation.integration(["type": .string("AWS_PROXY"), "httpMethod": .string("POST"), "uri": .string("arn:x")])
        #expect(throws: RestError.badRequest("Enumeration value for HttpMethod must be non-empty")) {
            try RestValidation.integration(["type": .string("AWS_PROXY"), "uri": .string("arn:x")])
        }
        #expect(throws: RestError.self) { try RestValidation.integration(["type": .string("LAMBDA")]) }
        #expect(throws: RestError.badRequest("Timeout should be between 50 ms and 29000 ms")) {
            try RestValidation.integration(["type": .string("MOCK"), "timeoutInMillis": .number(30000)])
        }
    }
}
