import APIGatewayWebSocket
import Foundation

/// Converts between the WebSocket data plane's ``WebSocketApiSpec`` and the control plane's documents: template
/// APIs become documents (so `GetApis`, `GetRoutes`... list them), and documents become the spec the data plane
/// serves.
package enum V2TemplateView {
    /// The documents of the template's WebSocket APIs and their children.
    /// - Parameters:
    ///   - apis: The template's WebSocket APIs.
    ///   - createdDate: Their creation date (the emulator's start).
    /// - Returns: The resources, marked as the template's.
    package static func resources(of apis: [WebSocketApiSpec], createdDate: Date) -> [V2Resource] {
        let created = V2JSON.string(APIGatewayV2Service.dateText(createdDate))
        var resources: [V2Resource] = []
        func add(_ kind: V2ResourceKind, _ apiId: String, parent: String = "", _ id: String, _ document: [String: V2JSON?]) {
            resources.append(
                V2Resource(kind: kind, apiId: apiId, parentId: parent, id: id, document: document.compactMapValues { $0 }, fromTemplate: true)
            )
        }
        for api in apis {
            let apiId = api.apiId
            add(
                .api,
                apiId,
                apiId,
                [
                    "apiId": .string(apiId), "name": .string(api.name), "protocolType": .string(api.protocolType),
                    "routeSelectionExpression": .string(api.routeSelectionExpression),
                    "apiKeySelectionExpression": .string(api.apiKeySelectionExpression ?? "$request.header.x-api-key"),
                    "description": api.description.map { .string($0) }, "apiEndpoint": .string(api.apiEndpoint), "createdDate": created,
                    "disableExecuteApiEndpoint": .bool(false), "ipAddressType": .string("ipv4"), "tags": .object([:]),
                ]
            )
            for integration in api.integrations {
                add(
                    .integration,
                    apiId,
                    integration.integrationId,
                    [
                        "integrationId": .string(integration.integrationId), "integrationType": .string(integration.type),
                        "integrationUri": integration.uri.map { .string($0) }, "integrationMethod": integration.method.map { .string($0) },
                        "connectionType": .string("INTERNET"), "timeoutInMillis": .number(Double(integration.timeoutInMillis ?? 29000)),
                    ]
                )
            }
            for authorizer in api.authorizers {
                add(
                    .authorizer,
                    apiId,
                    authorizer.authorizerId,
                    [
                        "authorizerId": .string(authorizer.authorizerId), "name": .string(authorizer.name),
                        "authorizerType": .string(authorizer.type), "authorizerUri": authorizer.uri.map { .string($0) },
                        "identitySource": .array(authorizer.identitySource.map { .string($0) }),
                        "authorizerCredentialsArn": authorizer.credentialsArn.map { .string($0) },
                    ]
                )
            }
            for route in api.routes {
                add(
                    .route,
                    apiId,
                    route.routeId,
                    [
                        "routeId": .string(route.routeId), "routeKey": .string(route.routeKey), "target": route.target.map { .string($0) },
                        "authorizationType": .string(route.authorizationType), "authorizerId": route.authorizerId.map { .string($0) },
                        "apiKeyRequired": .bool(route.apiKeyRequired),
                        "routeResponseSelectionExpression": route.routeResponseSelectionExpression.map { .string($0) },
                    ]
                )
            }
            for response in api.routeResponses {
                add(
                    .routeResponse,
                    apiId,
                    parent: response.routeId,
                    response.routeResponseId,
                    ["routeResponseId": .string(response.routeResponseId), "routeResponseKey": .string(response.routeResponseKey)]
                )
            }
            for deployment in api.deployments {
                add(
                    .deployment,
                    apiId,
                    deployment.deploymentId,
                    [
                        "deploymentId": .string(deployment.deploymentId), "createdDate": created, "deploymentStatus": .string("DEPLOYED"),
                        "autoDeployed": .bool(false),
                    ]
                )
            }
            for stage in api.stages {
                add(
                    .stage,
                    apiId,
                    stage.name,
                    [
                        "stageName": .string(stage.name), "deploymentId": stage.deploymentId.map { .string($0) },
                        "autoDeploy": .bool(stage.autoDeploy), "stageVariables": .object(stage.stageVariables.mapValues { .string($0) }),
                        "createdDate": created, "lastUpdatedDate": created, "routeSettings": .object([:]), "tags": .object([:]),
                        "defaultRouteSettings": .object([
                            "dataTraceEnabled": .bool(false), "detailedMetricsEnabled": .bool(false), "loggingLevel": .string("OFF"),
                        ]),
                    ]
                )
            }
        }
        return resources
    }

    /// The spec the WebSocket data plane serves for an API's current documents.
    /// - Parameters:
    ///   - api: The API.
    ///   - children: Every resource of the API.
    /// - Returns: The spec.
    package static func spec(api: V2Resource, children: [V2Resource]) -> WebSocketApiSpec {
        var spec = WebSocketApiSpec(
            apiId: api.apiId,
            name: api.string("name") ?? api.apiId,
            routeSelectionExpression: api.string("routeSelectionExpression") ?? "$request.body.action",
            apiKeySelectionExpression: api.string("apiKeySelectionExpression"),
            description: api.string("description"),
            apiEndpoint: api.string("apiEndpoint") ?? ""
        )
        for child in children {
            let document = child.document
            switch child.kind {
            case .route:
                spec.addRoute(
                    routeId: child.id,
                    routeKey: child.string("routeKey") ?? "",
                    target: child.string("target"),
                    authorizationType: child.string("authorizationType") ?? "NONE",
                    authorizerId: child.string("authorizerId"),
                    apiKeyRequired: document["apiKeyRequired"]?.boolValue ?? false,
                    routeResponseSelectionExpression: child.string("routeResponseSelectionExpression")
                )
            case .integration:
                spec.addIntegration(
                    integrationId: child.id,
                    type: child.string("integrationType") ?? "",
                    uri: child.string("integrationUri"),
                    method: child.string("integrationMethod"),
                    timeoutInMillis: document["timeoutInMillis"]?.intValue
                )
            case .stage:
                spec.addStage(
                    name: child.id,
                    deploymentId: child.string("deploymentId"),
                    autoDeploy: document["autoDeploy"]?.boolValue ?? false,
                    stageVariables: document["stageVariables"]?.stringMap ?? [:]
                )
            case .routeResponse:
                spec.addRouteResponse(routeResponseId: child.id, routeId: child.parentId, routeResponseKey: child.string("routeResponseKey") ?? "")
            case .authorizer:
                spec.addAuthorizer(
                    authorizerId: child.id,
                    name: child.string("name") ?? child.id,
                    type: child.string("authorizerType") ?? "REQUEST",
                    uri: child.string("authorizerUri"),
                    identitySource: document["identitySource"]?.stringList ?? [],
                    credentialsArn: child.string("authorizerCredentialsArn")
                )
            case .deployment:
                spec.addDeployment(deploymentId: child.id, stageName: child.string("stageName"))
            case .api, .integrationResponse:
                break
            }
        }
        return spec
    }
}
