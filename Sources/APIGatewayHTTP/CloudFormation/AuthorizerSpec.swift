import CloudFormation

/// One REST API Lambda or Cognito user pool authorizer: an OpenAPI `x-amazon-apigateway-authorizer` security scheme (SAM writes its
/// `Auth.Authorizers` as such) or an `AWS::ApiGateway::Authorizer` resource.
package struct AuthorizerSpec: Sendable, Equatable {
    /// The authorizer's type.
    package enum Kind: String, Sendable, Equatable {
        /// A bearer token from one header (`authorizationToken`).
        case token = "TOKEN"
        /// Headers, query strings, stage variables and context values as identity sources.
        case request = "REQUEST"
        /// Cognito user pools (`ProviderARNs`): the pools' ID tokens, or access tokens for methods with scopes.
        case cognitoUserPools = "COGNITO_USER_POOLS"
    }

    /// The authorizer id.
    package var authorizerId: String
    /// `Name` (or the security scheme's name).
    package var name: String
    /// The type.
    package var kind: Kind
    /// The Lambda function ARN inside `AuthorizerUri`.
    package var functionArn: String?
    /// The identity sources (`method.request.header.Authorization`, `method.request.querystring.q`,
    /// `stageVariables.v`, `context.x`), split at commas.
    package var identitySources: [String]
    /// `IdentityValidationExpression` (TOKEN authorizers only).
    package var validationExpression: String?
    /// `AuthorizerResultTtlInSeconds` (default 300, 0 disables caching, at most 3600).
    package var resultTtlSeconds: Int
    /// `ProviderARNs` of a Cognito authorizer (`arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}`).
    package var providerARNs: [String] = []

    /// Creates an authorizer.
    /// - Parameters:
    ///   - authorizerId: The id.
    ///   - name: The name.
    ///   - kind: The type.
    ///   - functionArn: The Lambda function ARN.
    ///   - identitySources: The identity sources.
    ///   - validationExpression: The TOKEN validation expression.
    ///   - resultTtlSeconds: The cache TTL.
    ///   - providerARNs: The user pools of a Cognito authorizer.
    package init(
        authorizerId: String,
        name: String,
        kind: Kind,
        functionArn: String?,
        identitySources: [String],
        validationExpression: String?,
        resultTtlSeconds: Int,
        providerARNs: [String] = []
    ) {
        self.authorizerId = authorizerId
        self.name = name
        self.kind = kind
        self.functionArn = functionArn
        self.identitySources = identitySources
        self.validationExpression = validationExpression
        self.resultTtlSeconds = resultTtlSeconds
        self.providerARNs = providerARNs
    }

    /// Splits an `IdentitySource` text (`method.request.header.A, method.request.querystring.b`).
    /// - Parameter text: The text.
    /// - Returns: The trimmed, non-empty sources.
    package static func sources(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The TTL as API Gateway accepts it: 0...3600, default 300.
    static func ttl(_ value: Int?) -> Int { min(max(value ?? 300, 0), 3600) }
}

/// How a REST API method is authorized (`AuthorizationType`, or an OpenAPI operation's `security`).
package enum MethodAuthorization: Sendable, Equatable {
    /// `NONE`.
    case none
    /// `CUSTOM`: a Lambda authorizer of the API.
    case custom(authorizerId: String)
    /// `COGNITO_USER_POOLS`: a Cognito authorizer of the API, with the method's `AuthorizationScopes`.
    case cognito(authorizerId: String, scopes: [String])
    /// `AWS_IAM`: a SigV4 signature for `execute-api` and IAM's permission for `execute-api:Invoke`.
    case awsIAM
    /// An authorization the emulator cannot check (an unknown security scheme): requests are refused with 401.
    case unsupported(String)
}

/// The security schemes of an OpenAPI document (`securityDefinitions` in Swagger 2.0, `components.securitySchemes`
/// in OpenAPI 3) as API Gateway reads them for a REST API.
struct OpenAPISecuritySchemes {
    /// What one scheme name stands for.
    enum Scheme {
        case authorizer(AuthorizerSpec)
        case iam
        case apiKey
        case other(String)
    }

    /// The schemes by name.
    var schemes: [String: Scheme] = [:]

    /// Reads the schemes of a document.
    /// - Parameters:
    ///   - document: The document's reader.
    ///   - idSeed: Seeds the generated authorizer ids (the API id).
    /// - Throws: ``TemplateError`` when a field has the wrong shape.
    init(_ document: SpecReader, idSeed: String) throws(TemplateError) {
        var entries = try document["securityDefinitions"].entries() ?? []
        entries += try document["components"]["securitySchemes"].entries() ?? []
        for (name, scheme) in entries {
            let authType = (try scheme["x-amazon-apigateway-authtype"].string() ?? "").lowercased()
            let authorizer = scheme["x-amazon-apigateway-authorizer"]
            if authType == "awssigv4" {
                schemes[name] = .iam
            } else if authorizer.exists {
                let type = (try authorizer["type"].string() ?? "token").uppercased()
                guard let kind = AuthorizerSpec.Kind(rawValue: type) else {
                    schemes[name] = .other("authorizer type \(type)")
                    continue
                }
                var sources = AuthorizerSpec.sources(try authorizer["identitySource"].string())
                // TOKEN and Cognito authorizers read the scheme's header when no identity source is given (SAM writes it so).
                if kind != .request, sources.isEmpty, let header = try scheme["name"].string(), (try scheme["in"].string()) == "header" {
                    sources = ["method.request.header.\(header)"]
                }
                let id = PhysicalNames.randomString(
                    seed: PhysicalNames.seed(idSeed, "authorizer", name),
                    count: 6,
                    alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789")
                )
                schemes[name] = .authorizer(
                    AuthorizerSpec(
                        authorizerId: id,
                        name: name,
                        kind: kind,
                        functionArn: (try authorizer["authorizerUri"].string()).flatMap(LambdaIntegrationURI.functionArn),
                        identitySources: sources,
                        validationExpression: try authorizer["identityValidationExpression"].string(),
                        resultTtlSeconds: AuthorizerSpec.ttl(try authorizer["authorizerResultTtlInSeconds"].int()),
                        providerARNs: try authorizer["providerARNs"].stringList() ?? []
                    )
                )
            } else if (try scheme["type"].string()) == "apiKey", (try scheme["name"].string())?.lowercased() == "x-api-key" {
                schemes[name] = .apiKey
            } else {
                schemes[name] = .other("security scheme \(name)")
            }
        }
    }

    /// The authorization and API key requirement of an operation's security requirement names.
    /// - Parameters:
    ///   - names: The names of every requirement object of the operation (or the document).
    ///   - scopes: The scopes each requirement names (a Cognito authorizer's `AuthorizationScopes`).
    /// - Returns: The authorization and whether an API key is required.
    func requirement(_ names: [String], scopes: [String: [String]] = [:]) -> (authorization: MethodAuthorization, apiKeyRequired: Bool) {
        var authorization = MethodAuthorization.none
        var apiKey = false
        for name in names {
            switch schemes[name] {
            case .apiKey:
                apiKey = true
            case .iam:
                if authorization == .none { authorization = .awsIAM }
            case .authorizer(let spec):
                if authorization == .none {
                    authorization =
                        spec.kind == .cognitoUserPools
                        ? .cognito(authorizerId: spec.authorizerId, scopes: scopes[name] ?? []) : .custom(authorizerId: spec.authorizerId)
                }
            case .other(let what):
                if authorization == .none { authorization = .unsupported(what) }
            case nil:
                // `NONE` opts an operation out of the default authorizer.
                if name != "NONE", authorization == .none { authorization = .unsupported("undefined security scheme \(name)") }
            }
        }
        return (authorization, apiKey)
    }

    /// The Lambda and Cognito authorizers among the schemes.
    var authorizers: [AuthorizerSpec] {
        schemes.values.compactMap { scheme in
            if case .authorizer(let spec) = scheme { return spec }
            return nil
        }.sorted { $0.name < $1.name }
    }
}
