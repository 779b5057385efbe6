import CloudFormation
import Foundation

/// What the HTTP API service needs of one `AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP` (or an OpenAPI `Body`):
/// its routes (from the `Body`, quick create's `Target`, and `Route`/`Integration` resources), stages and CORS.
package struct HttpApiSpec: Sendable, Equatable {
    /// The API resource type.
    package static let apiType = "AWS::ApiGatewayV2::Api"

    /// One route.
    package struct Route: Sendable, Equatable {
        /// The route id.
        package var routeId: String
        /// The route key (`GET /pets/{id}`, `ANY /{proxy+}`, `$default`).
        package var routeKey: String
        /// The method (`ANY` for `$default`).
        package var method: String
        /// The path template, nil for `$default`.
        package var path: String?
        /// The integration, if any.
        package var integration: IntegrationSpec?
        /// The integration's id (an `AWS::ApiGatewayV2::Integration`'s, or derived from the route key).
        package var integrationId: String?
        /// Whether the route requires authorization (JWT, Lambda or IAM).
        package var secured: Bool { authorization != .none }
        /// How the route is authorized.
        package var authorization: HttpRouteAuthorization
    }

    /// One stage.
    package struct Stage: Sendable, Equatable {
        /// The stage name (`$default` serves URLs without a stage segment).
        package var name: String
        /// The stage variables.
        package var variables: [String: String]
        /// `AutoDeploy` (quick create's and SAM's stages).
        package var autoDeploy = false
    }

    /// The API's CORS configuration (`CorsConfiguration` or `x-amazon-apigateway-cors`).
    package struct Cors: Sendable, Equatable {
        /// `AllowOrigins`.
        package var allowOrigins: [String]
        /// `AllowMethods`.
        package var allowMethods: [String]
        /// `AllowHeaders`.
        package var allowHeaders: [String]
        /// `ExposeHeaders`.
        package var exposeHeaders: [String]
        /// `MaxAge` in seconds.
        package var maxAge: Int?
        /// `AllowCredentials`.
        package var allowCredentials: Bool

        /// A CORS configuration as a control plane stores it (`corsConfiguration`).
        /// - Parameters:
        ///   - allowOrigins: `allowOrigins`.
        ///   - allowMethods: `allowMethods`.
        ///   - allowHeaders: `allowHeaders`.
        ///   - exposeHeaders: `exposeHeaders`.
        ///   - maxAge: `maxAge` in seconds.
        ///   - allowCredentials: `allowCredentials`.
        package init(
            allowOrigins: [String],
            allowMethods: [String],
            allowHeaders: [String],
            exposeHeaders: [String],
            maxAge: Int?,
            allowCredentials: Bool
        ) {
            self.allowOrigins = allowOrigins
            self.allowMethods = allowMethods
            self.allowHeaders = allowHeaders
            self.exposeHeaders = exposeHeaders
            self.maxAge = maxAge
            self.allowCredentials = allowCredentials
        }
    }

    /// The logical id.
    package var logicalId: String
    /// The API id.
    package var apiId: String
    /// `Name` (or the document's title).
    package var name: String
    /// The routes.
    package var routes: [Route]
    /// The stages.
    package var stages: [Stage]
    /// The CORS configuration, if any.
    package var cors: Cors?
    /// The JWT (and Lambda) authorizers.
    package var authorizers: [HttpAuthorizerSpec]

    /// Decodes an HTTP API and gathers its routes, integrations and stages from `stack`.
    /// - Parameters:
    ///   - resource: A resolved `AWS::ApiGatewayV2::Api`.
    ///   - stack: The stack.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource, in stack: Stack) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        apiId = resource.physicalId
        let apiId = resource.physicalId
        let definition = try HttpApiDefinition(reader["Body"], apiId: apiId)
        name = try reader["Name"].string() ?? definition.title ?? resource.logicalId
        func generatedId(_ seed: String) -> String { HttpApiDefinition.id(PhysicalNames.seed(apiId, seed)) }
        var authorizers = definition.authorizers
        var routes = definition.routes.map { route in
            Self.route(
                id: route.routeId,
                key: route.routeKey,
                integration: route.integration,
                integrationId: route.integration == nil ? nil : route.integrationId,
                authorization: route.authorization
            )
        }
        // Quick create: `Target` (a Lambda ARN) with an optional `RouteKey` (default `$default`).
        if let target = try reader["Target"].string() {
            let key = try reader["RouteKey"].string() ?? "$default"
            var integration = IntegrationSpec(
                type: "AWS_PROXY",
                functionArn: LambdaIntegrationURI.functionArn(target),
                payloadFormatVersion: "2.0",
                timeoutInMillis: nil,
                mock: nil
            )
            integration.mapping.uri = target
            integration.mapping.httpMethod = "POST"
            let integrationId = generatedId("integration \(key)")
            routes.append(Self.route(id: generatedId(key), key: key, integration: integration, integrationId: integrationId, authorization: .none))
        }

        func children(_ type: String) throws(TemplateError) -> [(StackResource, SpecReader)] {
            try stack.children(ofType: type, property: "ApiId", parentId: apiId)
        }
        var integrations: [String: IntegrationSpec] = [:]
        for (child, integration) in try children("AWS::ApiGatewayV2::Integration") {
            let uri = try integration["IntegrationUri"].string()
            var spec = IntegrationSpec(
                type: try integration["IntegrationType"].requiredString().uppercased(),
                functionArn: uri.flatMap(LambdaIntegrationURI.functionArn),
                payloadFormatVersion: try integration["PayloadFormatVersion"].string() ?? "2.0",
                timeoutInMillis: try integration["TimeoutInMillis"].int(),
                mock: nil
            )
            spec.mapping.uri = uri
            spec.mapping.httpMethod = try integration["IntegrationMethod"].string()
            spec.subtype = try integration["IntegrationSubtype"].string()
            try spec.readParameterMappings(request: integration["RequestParameters"], response: integration["ResponseParameters"])
            integrations[child.physicalId] = spec
        }
        for (child, authorizer) in try children("AWS::ApiGatewayV2::Authorizer") {
            var spec = HttpAuthorizerSpec(
                authorizerId: child.physicalId,
                name: try authorizer["Name"].string() ?? child.logicalId,
                type: try authorizer["AuthorizerType"].requiredString().uppercased(),
                identitySources: try authorizer["IdentitySource"].stringList() ?? [],
                issuer: try authorizer["JwtConfiguration"]["Issuer"].string(),
                audiences: try authorizer["JwtConfiguration"]["Audience"].stringList() ?? []
            )
            try spec.readLambda(
                uri: authorizer["AuthorizerUri"],
                payloadFormat: authorizer["AuthorizerPayloadFormatVersion"],
                simpleResponses: authorizer["EnableSimpleResponses"],
                ttl: authorizer["AuthorizerResultTtlInSeconds"]
            )
            authorizers.append(spec)
        }
        for authorizer in authorizers {
            try authorizer.checkIssuer(logicalId: resource.logicalId, location: resource.location)
        }
        self.authorizers = authorizers
        for (child, route) in try children("AWS::ApiGatewayV2::Route") {
            let target = try route["Target"].string()
            let integrationId = target.flatMap { $0.hasPrefix("integrations/") ? String($0.dropFirst("integrations/".count)) : nil }
            let key = try route["RouteKey"].requiredString()
            let authorizationType = (try route["AuthorizationType"].string() ?? "NONE").uppercased()
            let authorization: HttpRouteAuthorization
            if authorizationType == "NONE" {
                authorization = .none
            } else if authorizationType == "AWS_IAM" {
                authorization = .awsIAM
            } else if authorizationType == "JWT", let id = try route["AuthorizerId"].string(),
                authorizers.contains(where: { $0.authorizerId == id && $0.type == "JWT" })
            {
                authorization = .jwt(authorizerId: id, scopes: try route["AuthorizationScopes"].stringList() ?? [])
            } else if authorizationType == "CUSTOM", let id = try route["AuthorizerId"].string(),
                authorizers.contains(where: { $0.authorizerId == id && $0.type == "REQUEST" })
            {
                authorization = .lambda(authorizerId: id)
            } else {
                authorization = .unsupported("AuthorizationType \(authorizationType)")
            }
            routes.append(
                Self.route(
                    id: child.physicalId,
                    key: key,
                    integration: integrationId.flatMap { integrations[$0] },
                    integrationId: integrationId.flatMap { integrations[$0] == nil ? nil : $0 },
                    authorization: authorization
                )
            )
        }
        self.routes = routes

        var stages: [Stage] = []
        for (child, stage) in try children("AWS::ApiGatewayV2::Stage") {
            let variables = try stage["StageVariables"].stringMap() ?? [:]
            stages.append(Stage(name: child.physicalId, variables: variables, autoDeploy: try stage["AutoDeploy"].bool() ?? false))
        }
        if try reader["Target"].string() != nil, !stages.contains(where: { $0.name == "$default" }) {
            // Quick create makes an auto-deployed `$default` stage.
            stages.append(Stage(name: "$default", variables: [:], autoDeploy: true))
        }
        self.stages = stages

        let configuration = reader["CorsConfiguration"]
        cors = configuration.exists ? try Self.cors(configuration, capitalized: true) : definition.cors
    }

    private static func route(
        id: String,
        key: String,
        integration: IntegrationSpec?,
        integrationId: String? = nil,
        authorization: HttpRouteAuthorization
    ) -> Route {
        guard key != "$default", let space = key.firstIndex(of: " ") else {
            return Route(
                routeId: id,
                routeKey: key,
                method: "ANY",
                path: nil,
                integration: integration,
                integrationId: integrationId,
                authorization: authorization
            )
        }
        let method = String(key[..<space]).uppercased()
        let path = String(key[key.index(after: space)...]).trimmingCharacters(in: .whitespaces)
        return Route(
            routeId: id,
            routeKey: key,
            method: method,
            path: path,
            integration: integration,
            integrationId: integrationId,
            authorization: authorization
        )
    }

    static func cors(_ reader: SpecReader, capitalized: Bool) throws(TemplateError) -> Cors {
        func name(_ key: String) -> String { capitalized ? key.prefix(1).uppercased() + key.dropFirst() : key }
        return Cors(
            allowOrigins: try reader[name("allowOrigins")].stringList() ?? [],
            allowMethods: try reader[name("allowMethods")].stringList() ?? [],
            allowHeaders: try reader[name("allowHeaders")].stringList() ?? [],
            exposeHeaders: try reader[name("exposeHeaders")].stringList() ?? [],
            maxAge: try reader[name("maxAge")].int(),
            allowCredentials: try reader[name("allowCredentials")].bool() ?? false
        )
    }
}

extension HttpApiSpec {
    /// An HTTP API built by a control plane (the API Gateway v2 API), not from a template: no logical ids, routes,
    /// authorizers and stages added after.
    /// - Parameters:
    ///   - apiId: The API id.
    ///   - name: The name.
    ///   - cors: The CORS configuration, if any.
    package init(apiId: String, name: String, cors: Cors?) {
        logicalId = apiId
        self.apiId = apiId
        self.name = name
        routes = []
        stages = []
        self.cors = cors
        authorizers = []
    }

    /// Adds a route.
    /// - Parameters:
    ///   - routeId: The route id.
    ///   - routeKey: `$default` or `METHOD /path`.
    ///   - integration: Its integration (from the route's `target`), if any.
    ///   - authorizationType: `NONE`, `JWT`, `CUSTOM` or `AWS_IAM`.
    ///   - authorizerId: The authorizer of `JWT` and `CUSTOM`.
    ///   - scopes: `AuthorizationScopes` (JWT).
    ///   - unsupported: What the template asked for that cannot be checked (the route then answers 401).
    package mutating func addRoute(
        routeId: String,
        routeKey: String,
        integration: IntegrationSpec?,
        authorizationType: String,
        authorizerId: String?,
        scopes: [String],
        unsupported: String? = nil
    ) {
        let authorization: HttpRouteAuthorization
        switch authorizationType.uppercased() {
        case _ where unsupported != nil: authorization = .unsupported(unsupported ?? "")
        case "NONE": authorization = .none
        case "AWS_IAM": authorization = .awsIAM
        case "JWT" where authorizerId != nil: authorization = .jwt(authorizerId: authorizerId ?? "", scopes: scopes)
        case "CUSTOM" where authorizerId != nil: authorization = .lambda(authorizerId: authorizerId ?? "")
        default: authorization = .unsupported("AuthorizationType \(authorizationType)")
        }
        routes.append(Self.route(id: routeId, key: routeKey, integration: integration, authorization: authorization))
    }

    /// Adds a stage.
    /// - Parameters:
    ///   - name: The stage name (`$default` serves URLs without a stage segment).
    ///   - variables: The stage variables.
    package mutating func addStage(name: String, variables: [String: String]) {
        stages.append(Stage(name: name, variables: variables, autoDeploy: false))
    }

    /// Adds an authorizer.
    /// - Parameter authorizer: The authorizer.
    package mutating func addAuthorizer(_ authorizer: HttpAuthorizerSpec) {
        authorizers.append(authorizer)
    }
}

extension IntegrationSpec {
    /// An HTTP API integration built by a control plane: `AWS_PROXY` (a Lambda function) or `HTTP_PROXY`.
    /// - Parameters:
    ///   - type: The integration type.
    ///   - uri: `IntegrationUri` (a Lambda ARN or invocation URI, or a URL).
    ///   - method: `IntegrationMethod`.
    ///   - payloadFormatVersion: `1.0` or `2.0`.
    ///   - timeoutInMillis: The timeout.
    ///   - requestParameters: The request parameter mappings.
    ///   - responseParameters: The response parameter mappings by status code.
    package init(
        httpApiType type: String,
        uri: String?,
        method: String?,
        payloadFormatVersion: String,
        timeoutInMillis: Int?,
        requestParameters: [String: String],
        responseParameters: [String: [String: String]]
    ) {
        self.init(
            type: type.uppercased(),
            functionArn: uri.flatMap(LambdaIntegrationURI.functionArn),
            payloadFormatVersion: payloadFormatVersion,
            timeoutInMillis: timeoutInMillis,
            mock: nil
        )
        mapping.uri = uri
        mapping.httpMethod = method
        self.requestParameters = requestParameters.sorted { $0.key < $1.key }.map { ParameterMapping(key: $0.key, value: $0.value) }
        for (status, mappings) in responseParameters {
            self.responseParameters[status] = mappings.sorted { $0.key < $1.key }.map { ParameterMapping(key: $0.key, value: $0.value) }
        }
    }
}
