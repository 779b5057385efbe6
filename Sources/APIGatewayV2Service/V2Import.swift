import APIGatewayHTTP
import CloudFormation
import Foundation

/// `ImportApi` and `ReimportApi`: an OpenAPI 3.0 definition (JSON or YAML) becomes an HTTP API's routes,
/// integrations and authorizers, read by the same ``HttpApiDefinition`` a template's `Body` is read with.
///
/// What becomes what: `info.title` the API's `name` (`description`, `version` too), `x-amazon-apigateway-cors` its
/// `corsConfiguration`; each operation of `paths` a route (`x-amazon-apigateway-any-method` is `ANY`, `/$default` the
/// `$default` route) with an integration from its `x-amazon-apigateway-integration` (`type`, `uri`, `httpMethod`,
/// `payloadFormatVersion`, `timeoutInMillis`, `credentials`, `integrationSubtype`, `requestParameters`,
/// `responseParameters`); each `components.securitySchemes` entry with an `x-amazon-apigateway-authorizer` an
/// authorizer (`jwt`: `JWT` with `jwtConfiguration`; `request`: a Lambda `REQUEST` authorizer), and a route's
/// `security` its `authorizationType` (`JWT` with the requirement's scopes, `CUSTOM`, or `AWS_IAM` for an
/// `x-amazon-apigateway-authtype: awsSigv4` scheme). A reimport replaces the routes, integrations and authorizers
/// (stages and deployments stay; `AutoDeploy` stages redeploy). Nothing changes when a part is refused.
extension APIGatewayV2Service {
    /// An import's outcome: the API and the warnings (parts of the definition left out).
    package struct Imported: Sendable {
        /// The API.
        package var api: V2Resource
        /// The warnings.
        package var warnings: [String]

        /// The `ImportApi`/`ReimportApi` answer: the API with its `warnings`, when there are any.
        var wireDocument: [String: V2JSON] {
            var document = api.wireDocument
            if !warnings.isEmpty { document["warnings"] = .array(warnings.map { .string($0) }) }
            return document
        }
    }

    /// `ImportApi` (`apiId` nil) and `ReimportApi` from a request: the `body` member, the `basepath` and
    /// `failOnWarnings` query parameters.
    /// - Parameters:
    ///   - request: The request's members.
    ///   - apiId: The API of a `ReimportApi` (it must exist).
    /// - Returns: The imported API.
    /// - Throws: ``APIGatewayV2Error``.
    func importApi(_ request: ImportInput, apiId: String?) throws -> Imported {
        if let apiId { _ = try api(apiId) }
        guard let text = request.body["body"]?.stringValue else {
            throw APIGatewayV2Error.badRequest("Invalid request body: missing required property 'body'")
        }
        let document: TemplateValue
        do {
            document = try TemplateLoader.parseValue(text, fileName: "body")
        } catch {
            throw APIGatewayV2Error.invalidDefinition(error.message)
        }
        var failOnWarnings = false
        if let flag = request.failOnWarnings {
            guard let value = Bool(flag.lowercased()) else { throw APIGatewayV2Error.badRequest("Invalid failOnWarnings specified: \(flag)") }
            failOnWarnings = value
        }
        return try importDefinition(document, apiId: apiId, basePath: request.basepath, failOnWarnings: failOnWarnings)
    }

    /// What `ImportApi` and `ReimportApi` read from a request.
    struct ImportInput {
        /// The JSON body's members.
        var body: [String: V2JSON]
        /// The `basepath` query parameter.
        var basepath: String?
        /// The `failOnWarnings` query parameter.
        var failOnWarnings: String?
    }

    /// Creates an HTTP API from a definition (`apiId` nil, or an id no API has: the CloudFormation deployer's
    /// path) or replaces an existing API's routes, integrations and authorizers with it.
    /// - Parameters:
    ///   - document: The OpenAPI document.
    ///   - apiId: The API to reimport into, or the id of the API to create (nil: a new id).
    ///   - basePath: `ignore` (the default), `prepend` or `split`.
    ///   - failOnWarnings: Whether a warning refuses the import.
    ///   - overrides: API members set after the definition's (a template's `Name`, `Description`...).
    /// - Returns: The API and the warnings.
    /// - Throws: ``APIGatewayV2Error`` (then nothing changed), or storage errors.
    package func importDefinition(
        _ document: TemplateValue,
        apiId: String?,
        basePath: String?,
        failOnWarnings: Bool,
        overrides: [String: V2JSON] = [:]
    ) throws -> Imported {
        guard let mode = HttpApiDefinition.BasePathMode(rawValue: basePath ?? "ignore") else {
            throw APIGatewayV2Error.badRequest("Invalid basepath specified: \(basePath ?? ""). Must be one of [ignore, prepend, split]")
        }
        guard document.mapValue != nil, document["openapi"] != nil || document["paths"] != nil, document["swagger"] == nil else {
            throw APIGatewayV2Error.invalidDefinition("the body is not an OpenAPI 3.0 definition")
        }
        let existing = apiId.flatMap { store.get(.api, apiId: $0, id: $0) }
        if let existing, existing.string("protocolType") != "HTTP" {
            throw APIGatewayV2Error.badRequest("Import is supported only for HTTP APIs.")
        }
        let id = apiId ?? V2Identifiers.make(length: V2ResourceKind.api.idLength)
        let definition: HttpApiDefinition
        do {
            definition = try HttpApiDefinition(SpecReader(document: document, path: "body"), apiId: id, basePath: mode)
        } catch {
            throw APIGatewayV2Error.invalidDefinition(error.message)
        }
        if failOnWarnings, !definition.warnings.isEmpty {
            throw APIGatewayV2Error.importWarnings(definition.warnings)
        }

        var api = existing ?? V2Resource(kind: .api, apiId: id, id: id, document: defaults(.api, protocolType: "HTTP", id: id))
        api.document["protocolType"] = .string("HTTP")
        api.document["name"] = definition.title.map { .string($0) } ?? api.document["name"]
        api.document["description"] = definition.description.map { .string($0) }
        api.document["version"] = definition.version.map { .string($0) }
        api.document["corsConfiguration"] = definition.cors.map(Self.corsDocument)
        api.document.merge(overrides) { _, new in new }
        try validate(api, api: api)

        let children = try Self.children(of: definition, apiId: id, defaults: { kind, childId in defaults(kind, protocolType: "HTTP", id: childId) })
        if existing != nil {
            let replaced: Set<V2ResourceKind> = [.route, .routeResponse, .integration, .integrationResponse, .authorizer]
            try store.remove { $0.apiId == id && replaced.contains($0.kind) }
        }
        try store.put(api)
        for var child in children {
            // A template API's parts stay the template's (held in memory and in snapshots, back as declared on reset).
            child.fromTemplate = api.fromTemplate
            try store.put(child)
        }
        try changed(apiId: id, kind: .route)
        return Imported(api: store.get(.api, apiId: id, id: id) ?? api, warnings: definition.warnings)
    }

    /// The authorizers, integrations and routes of a definition as documents, checked as `Create*` checks them.
    private static func children(
        of definition: HttpApiDefinition,
        apiId: String,
        defaults: (V2ResourceKind, String) -> [String: V2JSON]
    ) throws(APIGatewayV2Error) -> [V2Resource] {
        var resources: [V2Resource] = []
        for authorizer in definition.authorizers {
            var document = defaults(.authorizer, authorizer.authorizerId)
            document.merge(authorizerDocument(authorizer)) { _, new in new }
            try V2Validation.authorizer(document, protocolType: "HTTP")
            resources.append(V2Resource(kind: .authorizer, apiId: apiId, id: authorizer.authorizerId, document: document))
        }
        var keys: Set<String> = []
        for route in definition.routes {
            try V2Validation.routeKey(route.routeKey, protocolType: "HTTP")
            guard keys.insert(route.routeKey).inserted else { throw APIGatewayV2Error.routeKeyExists(route.routeKey) }
            var document = defaults(.route, route.routeId)
            document["routeKey"] = .string(route.routeKey)
            if let name = route.operationName { document["operationName"] = .string(name) }
            // An unusable security requirement is a warning: the route is imported without it.
            switch route.authorization {
            case .unsupported: break
            default: document.merge(authorizationMembers(route.authorization)) { _, new in new }
            }
            if let integration = route.integration {
                var members = defaults(.integration, route.integrationId)
                members.merge(integrationDocument(integration)) { _, new in new }
                try V2Validation.integration(members, protocolType: "HTTP")
                resources.append(V2Resource(kind: .integration, apiId: apiId, id: route.integrationId, document: members))
                document["target"] = .string("integrations/\(route.integrationId)")
            }
            resources.append(V2Resource(kind: .route, apiId: apiId, id: route.routeId, document: document))
        }
        return resources
    }

    /// An authorizer's members (`JWT` with `jwtConfiguration`, or a Lambda `REQUEST` authorizer).
    static func authorizerDocument(_ authorizer: HttpAuthorizerSpec) -> [String: V2JSON] {
        var document: [String: V2JSON] = [
            "name": .string(authorizer.name), "authorizerType": .string(authorizer.type),
            "identitySource": .array(authorizer.identitySources.map { .string($0) }),
        ]
        if authorizer.type == "JWT" {
            var configuration: [String: V2JSON] = ["audience": .array(authorizer.audiences.map { .string($0) })]
            if let issuer = authorizer.issuer { configuration["issuer"] = .string(issuer) }
            document["jwtConfiguration"] = .object(configuration)
        } else {
            if let uri = authorizer.authorizerUri { document["authorizerUri"] = .string(uri) }
            document["authorizerPayloadFormatVersion"] = .string(authorizer.payloadFormatVersion)
            document["enableSimpleResponses"] = .bool(authorizer.enableSimpleResponses)
            document["authorizerResultTtlInSeconds"] = .number(Double(authorizer.resultTtlSeconds))
        }
        return document
    }

    /// A route's authorization members; one the emulator cannot check keeps what it is in `_authorizationProblem`
    /// (never on the wire), so the data plane answers its requests 401 as for template routes.
    static func authorizationMembers(_ authorization: HttpRouteAuthorization) -> [String: V2JSON] {
        switch authorization {
        case .none:
            return ["authorizationType": .string("NONE")]
        case .unsupported(let what):
            return ["authorizationType": .string("NONE"), Self.authorizationProblemMember: .string(what)]
        case .awsIAM:
            return ["authorizationType": .string("AWS_IAM")]
        case .jwt(let authorizerId, let scopes):
            var members: [String: V2JSON] = ["authorizationType": .string("JWT"), "authorizerId": .string(authorizerId)]
            if !scopes.isEmpty { members["authorizationScopes"] = .array(scopes.map { .string($0) }) }
            return members
        case .lambda(let authorizerId):
            return ["authorizationType": .string("CUSTOM"), "authorizerId": .string(authorizerId)]
        }
    }

    /// The route member holding an authorization the emulator cannot check (template routes only).
    static let authorizationProblemMember = "_authorizationProblem"

    /// An `x-amazon-apigateway-integration` as an integration's members.
    static func integrationDocument(_ integration: IntegrationSpec) -> [String: V2JSON] {
        var document: [String: V2JSON] = ["integrationType": .string(integration.type)]
        if let uri = integration.mapping.uri { document["integrationUri"] = .string(uri) }
        if let method = integration.mapping.httpMethod { document["integrationMethod"] = .string(method.uppercased()) }
        if let credentials = integration.mapping.credentials { document["credentialsArn"] = .string(credentials) }
        if let subtype = integration.subtype { document["integrationSubtype"] = .string(subtype) }
        if let timeout = integration.timeoutInMillis { document["timeoutInMillis"] = .number(Double(timeout)) }
        // HTTP_PROXY integrations take only 1.0.
        document["payloadFormatVersion"] = .string(integration.type == "HTTP_PROXY" ? "1.0" : integration.payloadFormatVersion)
        if !integration.requestParameters.isEmpty {
            let mappings = integration.requestParameters.map { ($0.key, V2JSON.string($0.value)) }
            document["requestParameters"] = .object(Dictionary(mappings) { _, last in last })
        }
        if !integration.responseParameters.isEmpty {
            document["responseParameters"] = .object(
                integration.responseParameters.mapValues { mappings in
                    .object(Dictionary(mappings.map { ($0.key, V2JSON.string($0.value)) }) { _, last in last })
                }
            )
        }
        return document
    }

    /// A CORS configuration as the API's `corsConfiguration`.
    static func corsDocument(_ cors: HttpApiSpec.Cors) -> V2JSON {
        var document: [String: V2JSON] = [
            "allowOrigins": .array(cors.allowOrigins.map { .string($0) }), "allowMethods": .array(cors.allowMethods.map { .string($0) }),
            "allowHeaders": .array(cors.allowHeaders.map { .string($0) }), "exposeHeaders": .array(cors.exposeHeaders.map { .string($0) }),
            "allowCredentials": .bool(cors.allowCredentials),
        ]
        if let maxAge = cors.maxAge { document["maxAge"] = .number(Double(maxAge)) }
        return .object(document)
    }
}
