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
                scopes: child.document["authorizationScopes"]?.stringList ?? []
            )
        }
        return spec
    }
}
