import APIGatewayHTTP
import Foundation

extension V2TemplateView {
    /// The spec the execute-api data plane serves for an API-created HTTP API: its routes with their integrations
    /// (`AWS_PROXY` Lambda, `HTTP_PROXY`), authorizers (JWT, Lambda), stages and CORS, as the documents given (the
    /// deployed snapshot, ``APIGatewayV2Service/servedResources(of:)``).
    /// - Parameters:
    ///   - api: The API.
    ///   - children: Every resource of the API.
    /// - Returns: The spec.
    package static func httpSpec(api: V2Resource, children: [V2Resource]) -> HttpApiSpec {
        var cors: HttpApiSpec.Cors?
        if let configuration = api.document["corsConfiguration"]?.objectValue {
            cors = HttpApiSpec.Cors(
                allowOrigins: configuration["allowOrigins"]?.stringList ?? [],
                allowMethods: configuration["allowMethods"]?.stringList ?? [],
                allowHeaders: configuration["allowHeaders"]?.stringList ?? [],
                exposeHeaders: configuration["exposeHeaders"]?.stringList ?? [],
                maxAge: configuration["maxAge"]?.intValue,
                allowCredentials: configuration["allowCredentials"]?.boolValue ?? false
            )
        }
        var spec = HttpApiSpec(apiId: api.apiId, name: api.string("name") ?? api.apiId, cors: cors)
        var integrations: [String: IntegrationSpec] = [:]
        for child in children where child.kind == .integration {
            let document = child.document
            let type = (child.string("integrationType") ?? "").uppercased()
            var responseParameters: [String: [String: String]] = [:]
            for (status, value) in document["responseParameters"]?.objectValue ?? [:] { responseParameters[status] = value.stringMap ?? [:] }
            var integration = IntegrationSpec(
                httpApiType: type,
                uri: child.string("integrationUri"),
                method: child.string("integrationMethod"),
                payloadFormatVersion: child.string("payloadFormatVersion") ?? (type == "AWS_PROXY" ? "2.0" : "1.0"),
                timeoutInMillis: document["timeoutInMillis"]?.intValue,
                requestParameters: document["requestParameters"]?.stringMap ?? [:],
                responseParameters: responseParameters
            )
            integration.subtype = child.string("integrationSubtype")
            integration.mapping.credentials = child.string("credentialsArn")
            integrations[child.id] = integration
        }
        for child in children {
            let document = child.document
            switch child.kind {
            case .authorizer:
                var authorizer = HttpAuthorizerSpec(
                    authorizerId: child.id,
                    name: child.string("name") ?? child.id,
                    type: (child.string("authorizerType") ?? "REQUEST").uppercased(),
                    identitySources: document["identitySource"]?.stringList ?? [],
                    issuer: document["jwtConfiguration"]?.objectValue?["issuer"]?.stringValue,
                    audiences: document["jwtConfiguration"]?.objectValue?["audience"]?.stringList ?? []
                )
                authorizer.setLambda(
                    uri: child.string("authorizerUri"),
                    payloadFormatVersion: child.string("authorizerPayloadFormatVersion"),
                    simpleResponses: document["enableSimpleResponses"]?.boolValue ?? false,
                    ttlSeconds: document["authorizerResultTtlInSeconds"]?.intValue ?? 0
                )
                spec.addAuthorizer(authorizer)
            case .stage:
                spec.addStage(name: child.id, variables: document["stageVariables"]?.stringMap ?? [:])
            default:
                break
            }
        }
        for child in children where child.kind == .route {
            let target = child.string("target")
            let integrationId = target.flatMap { $0.hasPrefix("integrations/") ? String($0.dropFirst("integrations/".count)) : nil }
            spec.addRoute(
                routeId: child.id,
                routeKey: child.string("routeKey") ?? "$default",
                integration: integrationId.flatMap { integrations[$0] },
                authorizationType: child.string("authorizationType") ?? "NONE",
                authorizerId: child.string("authorizerId"),
                scopes: child.document["authorizationScopes"]?.stringList ?? [],
                unsupported: child.string(APIGatewayV2Service.authorizationProblemMember)
            )
        }
        return spec
    }
}

extension V2TemplateView {
    /// The documents of the start-up template's HTTP APIs (``HttpApiSpec``: its `Body`, quick create, and
    /// `AWS::ApiGatewayV2::Route`/`Integration`/`Authorizer`/`Stage` resources), so `GetApis`, `GetRoutes`... list them
    /// and ``httpSpec(api:children:)`` serves them as it serves API-created ones: one model for both.
    /// - Parameters:
    ///   - apis: The template's HTTP APIs.
    ///   - region: The region (`apiEndpoint`).
    ///   - createdDate: Their creation date (the emulator's start).
    /// - Returns: The resources, marked as the template's.
    package static func resources(ofHttp apis: [HttpApiSpec], region: String, createdDate: Date) -> [V2Resource] {
        let created = V2JSON.string(APIGatewayV2Service.dateText(createdDate))
        var resources: [V2Resource] = []
        for api in apis {
            let apiId = api.apiId
            var document: [String: V2JSON] = [
                "apiId": .string(apiId), "name": .string(api.name), "protocolType": .string("HTTP"),
                "routeSelectionExpression": .string("$request.method $request.path"),
                "apiKeySelectionExpression": .string("$request.header.x-api-key"),
                "apiEndpoint": .string("https://\(apiId).execute-api.\(region).amazonaws.com"), "createdDate": created,
                "disableExecuteApiEndpoint": .bool(false), "ipAddressType": .string("ipv4"), "tags": .object([:]),
            ]
            if let cors = api.cors { document["corsConfiguration"] = APIGatewayV2Service.corsDocument(cors) }
            resources.append(V2Resource(kind: .api, apiId: apiId, id: apiId, document: document, fromTemplate: true))
            for authorizer in api.authorizers where authorizer.type == "JWT" || authorizer.type == "REQUEST" {
                var members = APIGatewayV2Service.authorizerDocument(authorizer)
                members["authorizerId"] = .string(authorizer.authorizerId)
                resources.append(V2Resource(kind: .authorizer, apiId: apiId, id: authorizer.authorizerId, document: members, fromTemplate: true))
            }
            var integrations: Set<String> = []
            for route in api.routes {
                var members: [String: V2JSON] = [
                    "routeId": .string(route.routeId), "routeKey": .string(route.routeKey), "apiKeyRequired": .bool(false),
                    "apiGatewayManaged": .bool(false),
                ]
                members.merge(APIGatewayV2Service.authorizationMembers(route.authorization)) { _, new in new }
                if let integration = route.integration, let integrationId = route.integrationId {
                    members["target"] = .string("integrations/\(integrationId)")
                    if integrations.insert(integrationId).inserted {
                        var integrationMembers: [String: V2JSON] = [
                            "integrationId": .string(integrationId), "connectionType": .string("INTERNET"), "timeoutInMillis": .number(30000),
                        ]
                        integrationMembers.merge(APIGatewayV2Service.integrationDocument(integration)) { _, new in new }
                        // As the template declares it (the served model reads it as written).
                        integrationMembers["payloadFormatVersion"] = .string(integration.payloadFormatVersion)
                        resources.append(
                            V2Resource(kind: .integration, apiId: apiId, id: integrationId, document: integrationMembers, fromTemplate: true)
                        )
                    }
                }
                resources.append(V2Resource(kind: .route, apiId: apiId, id: route.routeId, document: members, fromTemplate: true))
            }
            for stage in api.stages {
                let members: [String: V2JSON] = [
                    "stageName": .string(stage.name), "autoDeploy": .bool(stage.autoDeploy),
                    "stageVariables": .object(stage.variables.mapValues { .string($0) }), "createdDate": created, "lastUpdatedDate": created,
                    "routeSettings": .object([:]), "tags": .object([:]), "defaultRouteSettings": .object(["detailedMetricsEnabled": .bool(false)]),
                ]
                resources.append(V2Resource(kind: .stage, apiId: apiId, id: stage.name, document: members, fromTemplate: true))
            }
        }
        return resources
    }
}
