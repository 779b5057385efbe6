import CloudFormation

/// An HTTP API's OpenAPI 3.0 definition as API Gateway imports it: the routes of `paths` (an operation per method,
/// `x-amazon-apigateway-any-method` as `ANY`, `/$default` as the `$default` route) with their
/// `x-amazon-apigateway-integration`, the JWT and Lambda authorizers of `components.securitySchemes`
/// (`x-amazon-apigateway-authorizer`; `x-amazon-apigateway-authtype: awsSigv4` is `AWS_IAM`), each route's
/// authorization from its `security` requirement (scopes for JWT), `x-amazon-apigateway-cors` and `info`.
///
/// One reader for the three ways a definition arrives: an `AWS::ApiGatewayV2::Api`'s `Body` in a template
/// (``HttpApiSpec``), `ImportApi`/`ReimportApi`, and a stack's `Body`/`BodyS3Location` deployed through the control
/// plane. Ids are derived from the API id (the same definition imported into the same API gets the same ids).
package struct HttpApiDefinition: Sendable {
    /// One route of the definition.
    package struct Route: Sendable, Equatable {
        /// The route id.
        package var routeId: String
        /// `$default` or `METHOD /path`.
        package var routeKey: String
        /// The operation's `operationId`.
        package var operationName: String?
        /// The integration, if the operation has one.
        package var integration: IntegrationSpec?
        /// The integration's id (derived from the route key).
        package var integrationId: String
        /// How the route is authorized.
        package var authorization: HttpRouteAuthorization
    }

    /// `info.title`.
    package var title: String?
    /// `info.description`.
    package var description: String?
    /// `info.version`.
    package var version: String?
    /// `x-amazon-apigateway-cors`.
    package var cors: HttpApiSpec.Cors?
    /// The routes, in document order.
    package var routes: [Route]
    /// The JWT and Lambda (`REQUEST`) authorizers, by scheme name.
    package var authorizers: [HttpAuthorizerSpec]
    /// What API Gateway would report as import warnings (parts of the definition left out).
    package var warnings: [String]

    /// How `basepath` places the definition's base path (`servers[0].url`'s path, or its `basePath` variable).
    package enum BasePathMode: String, Sendable {
        /// The base path is left out (the default).
        case ignore
        /// The base path precedes every path.
        case prepend
        /// The base path's first segment is left out, the rest precedes every path.
        case split
    }

    /// Reads a definition.
    /// - Parameters:
    ///   - document: The document's reader (a template's `Body`, or an imported body).
    ///   - apiId: The API id the ids derive from.
    ///   - basePath: How to treat the base path.
    /// - Throws: ``TemplateError`` naming the member with the wrong shape.
    package init(_ document: SpecReader, apiId: String, basePath: BasePathMode = .ignore) throws(TemplateError) {
        let info = document["info"]
        title = try info["title"].string()
        description = try info["description"].string()
        version = try info["version"].string()
        let cors = document["x-amazon-apigateway-cors"]
        self.cors = cors.exists ? try HttpApiSpec.cors(cors, capitalized: false) : nil
        let schemes = try HttpAuthorizerSpec.schemes(in: document, idSeed: apiId)
        authorizers = schemes.values.filter { $0.type == "JWT" || $0.type == "REQUEST" }.sorted { $0.name < $1.name }
        let prefix = try Self.prefix(of: document, mode: basePath)
        var routes: [Route] = []
        var warnings: [String] = []
        for operation in try OpenAPIOperation.operations(in: document, defaultPayloadFormat: "2.0") {
            let key = operation.path == "$default" ? "$default" : "\(operation.method) \(prefix)\(operation.path)"
            let authorization = HttpAuthorizerSpec.authorization(names: operation.securityNames, scopes: operation.securityScopes, schemes: schemes)
            if case .unsupported(let what) = authorization {
                warnings.append("Unsupported security requirement for route \(key): \(what) is not a JWT, Lambda or awsSigv4 scheme")
            }
            routes.append(
                Route(
                    routeId: Self.id(PhysicalNames.seed(apiId, key)),
                    routeKey: key,
                    operationName: operation.operationId,
                    integration: operation.integration,
                    integrationId: Self.id(PhysicalNames.seed(apiId, "integration", key)),
                    authorization: authorization
                )
            )
        }
        self.routes = routes
        self.warnings = warnings
    }

    /// The path every route gets before its own (`basepath` `prepend` or `split`), as API Gateway finds the base
    /// path: the first server's `basePath` variable (its default), else the path of the first server's `url`.
    private static func prefix(of document: SpecReader, mode: BasePathMode) throws(TemplateError) -> String {
        guard mode != .ignore, let server = try document["servers"].list()?.first else { return "" }
        var path: String
        if let variable = try server["variables"]["basePath"]["default"].string() {
            path = variable
        } else {
            var url = try server["url"].string() ?? ""
            if let scheme = url.range(of: "://") {
                url = String(url[scheme.upperBound...])
                url = url.firstIndex(of: "/").map { String(url[$0...]) } ?? ""
            }
            path = url
        }
        var segments = path.split(separator: "/").map(String.init).filter { !$0.contains("{") }
        if mode == .split, !segments.isEmpty { segments.removeFirst() }
        return segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
    }

    /// A 7-character lowercase id (routes, integrations) derived from a seed.
    static func id(_ seed: UInt64) -> String {
        PhysicalNames.randomString(seed: seed, count: 7, alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789"))
    }
}
