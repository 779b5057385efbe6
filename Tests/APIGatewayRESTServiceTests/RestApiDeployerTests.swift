import APIGatewayHTTP
import APIGatewayV2Service
import CloudFormation
import EmulatorCore
import Identity
import Logging
import Testing

@testable import APIGatewayRESTService

/// How the CloudFormation deployer turns `AWS::ApiGateway::*` resources into control-plane items with the resolved
/// ids, serves them, updates and deletes them.
@Suite struct RestApiDeployerTests {
    private static func resource(
        _ type: String,
        id: String,
        _ pairs: [(String, TemplateValue)],
        attributes: [String: String] = [:]
    ) -> StackResource {
        StackResource(
            logicalId: "Logical",
            type: type,
            physicalId: id,
            properties: .map(TemplateMap(pairs)),
            attributes: attributes,
            dependsOn: [],
            location: nil
        )
    }

    private static func service() throws -> (APIGatewayRESTService, ServedRestApis) {
        let served = ServedRestApis()
        let environment = LiveEnvironment(
            EmulatorEnvironment(region: "us-east-1", accountId: "000000000000", stackName: "t", host: "127.0.0.1", port: 4566, tlsPort: 4567)
        )
        let service = try APIGatewayRESTService(
            location: .ephemeral,
            served: served,
            clock: VirtualClock(),
            environment: environment,
            authorizer: AllowAllAuthorizer(),
            logger: Logger(label: "test")
        )
        return (service, served)
    }

    private static let api = resource(
        RestApiProvider.restApiType,
        id: "api0000001",
        [
            ("Name", .string("pets")), ("BinaryMediaTypes", .list([.string("image/png")])),
            ("EndpointConfiguration", ["Types": .list([.string("REGIONAL")])]), ("ApiKeySourceType", .string("HEADER")),
            ("Tags", .list([["Key": .string("team"), "Value": .string("core")]])),
        ],
        attributes: ["RootResourceId": "root000001"]
    )
    private static let path = resource(
        RestApiProvider.resourceType,
        id: "res001",
        [("RestApiId", .string("api0000001")), ("ParentId", .string("root000001")), ("PathPart", .string("pets"))]
    )
    private static let method = resource(
        RestApiProvider.methodType,
        id: "t-Method-ABC",
        [
            ("RestApiId", .string("api0000001")), ("ResourceId", .string("res001")), ("HttpMethod", .string("get")),
            ("RequestParameters", ["method.request.header.X-Id": .string("true")]),
            ("MethodResponses", .list([["StatusCode": .number("200")]])),
            (
                "Integration",
                [
                    "Type": .string("MOCK"), "TimeoutInMillis": .string("3000"),
                    "RequestTemplates": ["application/json": .string("{\"statusCode\": 200}")],
                    "IntegrationResponses": .list([["StatusCode": .string("200"), "ResponseTemplates": ["application/json": .string("{}")]]]),
                ]
            ),
        ]
    )
    private static let deployment = resource(
        RestApiProvider.deploymentType,
        id: "dep001",
        [
            ("RestApiId", .string("api0000001")), ("StageName", .string("dev")),
            ("StageDescription", ["Description": .string("first"), "Variables": ["Color": .string("red")], "TracingEnabled": .bool(true)]),
        ]
    )

    @Test func propertiesBecomeTheControlPlanesMembers() throws {
        let api = try RestApiDeployer.Place(Self.api)
        #expect(api.kind == .restApi && api.id == "api0000001" && api.apiId == "api0000001" && api.rootId == "root000001")
        #expect(
            api.input == [
                "name": .string("pets"), "binaryMediaTypes": .array([.string("image/png")]),
                "endpointConfiguration": .object(["types": .array([.string("REGIONAL")])]), "apiKeySource": .string("HEADER"),
                "tags": .object(["team": .string("core")]),
            ]
        )
        let method = try RestApiDeployer.Place(Self.method)
        #expect(method.kind == .method && method.parentId == "res001" && method.httpMethod == "GET")
        #expect(method.input == ["authorizationType": .string("NONE"), "requestParameters": .object(["method.request.header.X-Id": .bool(true)])])
        #expect(method.methodResponses.map(\.code) == ["200"])
        #expect(method.integration?["type"] == .string("MOCK"))
        #expect(method.integration?["timeoutInMillis"] == .number(3000))
        #expect(method.integration?["requestTemplates"] == .object(["application/json": .string("{\"statusCode\": 200}")]))
        #expect(method.integrationResponses.map(\.code) == ["200"])
        let deployment = try RestApiDeployer.Place(Self.deployment)
        #expect(deployment.input["stageDescription"] == .string("first"))
        #expect(deployment.input["variables"] == .object(["Color": .string("red")]))
        #expect(deployment.stageSettings["tracingEnabled"] == .bool(true))
        let missing = "Properties validation failed for resource Logical with message: #: required key [RestApiId] not found"
        #expect(throws: ResourceDeploymentError(missing)) {
            try RestApiDeployer.Place(Self.resource(RestApiProvider.resourceType, id: "r", [("PathPart", .string("x"))]))
        }
    }

    @Test func modelsValidatorsAndGatewayResponsesBecomeTheirMembers() throws {
        let model = try RestApiDeployer.Place(
            Self.resource(
                RestApiProvider.modelType,
                id: "Pet",
                [
                    ("RestApiId", .string("api0000001")), ("ContentType", .string("application/json")),
                    ("Schema", ["type": .string("object"), "required": .list([.string("name")])]),
                ]
            )
        )
        #expect(model.kind == .model && model.id == "Pet" && model.apiId == "api0000001")
        #expect(model.input["name"] == .string("Pet"))
        #expect(model.input["schema"] == .string(#"{"type":"object","required":["name"]}"#))
        let validator = try RestApiDeployer.Place(
            Self.resource(
                RestApiProvider.requestValidatorType,
                id: "val001",
                [("RestApiId", .string("api0000001")), ("Name", .string("all")), ("ValidateRequestBody", .string("true"))]
            )
        )
        #expect(validator.kind == .requestValidator && validator.id == "val001")
        #expect(validator.input == ["name": .string("all"), "validateRequestBody": .bool(true)])
        let response = try RestApiDeployer.Place(
            Self.resource(
                RestApiProvider.gatewayResponseType,
                id: "gr0001",
                [
                    ("RestApiId", .string("api0000001")), ("ResponseType", .string("DEFAULT_4XX")), ("StatusCode", .number("418")),
                    ("ResponseParameters", ["gatewayresponse.header.X-A": .string("'b'")]),
                ]
            )
        )
        // A gateway response is stored under its response type.
        #expect(response.kind == .gatewayResponse && response.id == "DEFAULT_4XX")
        #expect(response.input == ["statusCode": .string("418"), "responseParameters": .object(["gatewayresponse.header.X-A": .string("'b'")])])
    }

    @Test func deployedItemsAreListedServedUpdatedAndDeleted() async throws {
        let (service, served) = try Self.service()
        let deployer = RestApiDeployer(service: service, readObject: { _, _, _ in nil })
        let stack = Stack.empty(configuration: StackConfiguration(stackName: "t"))
        for resource in [Self.api, Self.path, Self.method, Self.deployment] { try await deployer.create(resource, in: stack) }

        #expect(service.store.list(.restApi).map(\.id) == ["api0000001"])
        #expect(Set(service.store.list(.resource, scope: "api0000001").map(\.id)) == ["root000001", "res001"])
        let stage = try #require(service.store.get(.stage, scope: "api0000001", id: "dev"))
        #expect(stage.document["deploymentId"] == .string("dep001"))
        #expect(stage.document["variables"] == .object(["Color": .string("red")]))
        #expect(stage.document["tracingEnabled"] == .bool(true))
        let spec = try #require(served.spec("api0000001", stage: "dev"))
        #expect(spec.spec.methods.map { "\($0.httpMethod) \($0.resourcePath)" } == ["GET /pets"])
        #expect(spec.spec.binaryMediaTypes == ["image/png"])

        // An update re-paths the resource in place (same id).
        let renamed = Self.resource(
            RestApiProvider.resourceType,
            id: "res001",
            [("RestApiId", .string("api0000001")), ("ParentId", .string("root000001")), ("PathPart", .string("animals"))]
        )
        try await deployer.update(Self.path, to: renamed, in: stack)
        #expect(service.store.get(.resource, scope: "api0000001", id: "res001")?.document["path"] == .string("/animals"))

        // Deleting the deployment takes the stage it created; deleting the API takes everything; twice is no error.
        try await deployer.delete(Self.deployment, in: stack)
        #expect(service.store.get(.stage, scope: "api0000001", id: "dev") == nil)
        #expect(served.spec("api0000001", stage: "dev") == nil)
        try await deployer.delete(Self.method, in: stack)
        try await deployer.delete(Self.api, in: stack)
        try await deployer.delete(Self.api, in: stack)
        #expect(service.store.list(.restApi).isEmpty)
        #expect(service.store.list(.resource, scope: "api0000001").isEmpty)
    }

    @Test func theStartupTemplatesApisAreDeployedServedAndBroughtBackByReset() throws {
        let (service, served) = try Self.service()
        // A deployment without DependsOn on its methods still snapshots every method of the template.
        let failures = service.deployTemplate([Self.api, Self.deployment, Self.path, Self.method], stackName: "t")
        #expect(failures.isEmpty)
        #expect(served.spec("api0000001", stage: "dev")?.spec.methods.map(\.resourcePath) == ["/pets"])

        // Changes through the API, and an API-created API, are undone by a reset.
        try service.delete(RestOperation(action: .delete, kind: .stage, apiId: "api0000001", id: "dev"))
        _ = try service.write(RestOperation(action: .create, kind: .restApi), body: ["name": .string("other")])
        #expect(service.store.list(.restApi).count == 2)
        let changed = try service.store.resetToBaseline()
        #expect(changed.contains("api0000001") && changed.count == 2)
        #expect(service.store.list(.restApi).map(\.id) == ["api0000001"])
        #expect(service.store.get(.stage, scope: "api0000001", id: "dev")?.document["deploymentId"] == .string("dep001"))
    }

    @Test func controlPlaneRefusalsFailTheResourceWithApiGatewaysMessage() async throws {
        let (service, _) = try Self.service()
        let deployer = RestApiDeployer(service: service, readObject: { _, _, _ in nil })
        let stack = Stack.empty(configuration: StackConfiguration(stackName: "t"))
        try await deployer.create(Self.api, in: stack)
        let empty = Self.resource(RestApiProvider.deploymentType, id: "dep002", [("RestApiId", .string("api0000001"))])
        await #expect(throws: ResourceDeploymentError("The REST API doesn't contain any methods")) {
            try await deployer.create(empty, in: stack)
        }
        let missing = Self.resource(
            RestApiProvider.stageType,
            id: "prod",
            [("RestApiId", .string("api0000001")), ("StageName", .string("prod")), ("DeploymentId", .string("nope00"))]
        )
        await #expect(throws: ResourceDeploymentError("Invalid Deployment identifier specified")) {
            try await deployer.create(missing, in: stack)
        }
        let body = Self.resource(
            RestApiProvider.restApiType,
            id: "api0000002",
            [("BodyS3Location", ["Bucket": .string("b"), "Key": .string("k.yaml")])],
            attributes: ["RootResourceId": "root000002"]
        )
        await #expect(throws: ResourceDeploymentError("Unable to read the OpenAPI document at s3://b/k.yaml: the object does not exist")) {
            try await deployer.create(body, in: stack)
        }
    }
}
