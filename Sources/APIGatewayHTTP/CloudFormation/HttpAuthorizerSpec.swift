import CloudFormation
import Foundation

/// One HTTP API authorizer: a JWT authorizer (an OpenAPI `x-amazon-apigateway-authorizer` of type `jwt`, SAM's
/// `HttpApi` `Auth.Authorizers` with `JwtConfiguration`, or an `AWS::ApiGatewayV2::Authorizer` of type `JWT`).
package struct HttpAuthorizerSpec: Sendable, Equatable {
    /// The authorizer id.
    package var authorizerId: String
    /// The name.
    package var name: String
    /// `JWT` or `REQUEST` (Lambda authorizers of HTTP APIs are not emulated yet).
    package var type: String
    /// The identity sources (`$request.header.Authorization`).
    package var identitySources: [String]
    /// `JwtConfiguration.Issuer`.
    package var issuer: String?
    /// `JwtConfiguration.Audience`.
    package var audiences: [String]

    /// Creates an authorizer.
    /// - Parameters:
    ///   - authorizerId: The id.
    ///   - name: The name.
    ///   - type: `JWT` or `REQUEST`.
    ///   - identitySources: The identity sources.
    ///   - issuer: The JWT issuer.
    ///   - audiences: The JWT audiences.
    package init(authorizerId: String, name: String, type: String, identitySources: [String], issuer: String?, audiences: [String]) {
        self.authorizerId = authorizerId
        self.name = name
        self.type = type
        self.identitySources = identitySources
        self.issuer = issuer
        self.audiences = audiences
    }

    /// Whether an issuer URL is on loopback (`http(s)://127.0.0.1`, `localhost` or `[::1]`): the only issuers whose
    /// JWKS the emulator fetches.
    /// - Parameter issuer: The issuer URL.
    /// - Returns: Whether it is served on loopback.
    package static func isLoopback(_ issuer: String) -> Bool {
        guard let url = URL(string: issuer), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host?.lowercased()
        else { return false }
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
    }

    /// Checks the issuer of a JWT authorizer at start.
    /// - Throws: ``TemplateError`` naming the authorizer when the issuer is not a loopback URL.
    func checkIssuer(logicalId: String, location: SourceLocation?) throws(TemplateError) {
        guard type == "JWT" else { return }
        guard let issuer, Self.isLoopback(issuer) else {
            throw TemplateError(
                .invalidProperty,
                "JWT authorizer \(name) has issuer \(issuer ?? "(none)"): the emulator fetches JWKS only from loopback issuers (http://127.0.0.1:PORT/...); run a local issuer or remove the authorizer",
                at: location,
                logicalId: logicalId
            )
        }
    }
}

/// How an HTTP API route is authorized.
package enum HttpRouteAuthorization: Sendable, Equatable {
    /// `NONE`.
    case none
    /// A JWT authorizer with the route's `AuthorizationScopes`.
    case jwt(authorizerId: String, scopes: [String])
    /// An authorization the emulator cannot check (Lambda authorizers and IAM on HTTP APIs): requests answer 401.
    case unsupported(String)
}

extension HttpAuthorizerSpec {
    /// The JWT and Lambda authorizers among an OpenAPI 3 document's security schemes, by scheme name.
    static func schemes(in document: SpecReader, idSeed: String) throws(TemplateError) -> [String: HttpAuthorizerSpec] {
        var result: [String: HttpAuthorizerSpec] = [:]
        for (name, scheme) in try document["components"]["securitySchemes"].entries() ?? [] {
            let authorizer = scheme["x-amazon-apigateway-authorizer"]
            guard authorizer.exists else { continue }
            let id = PhysicalNames.randomString(
                seed: PhysicalNames.seed(idSeed, "authorizer", name),
                count: 6,
                alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789")
            )
            let sources = try authorizer["identitySource"].stringList() ?? []
            result[name] = HttpAuthorizerSpec(
                authorizerId: id,
                name: name,
                type: (try authorizer["type"].string() ?? "jwt").uppercased(),
                identitySources: sources.flatMap { AuthorizerSpec.sources($0) },
                issuer: try authorizer["jwtConfiguration"]["issuer"].string(),
                audiences: try authorizer["jwtConfiguration"]["audience"].stringList() ?? []
            )
        }
        return result
    }

    /// A route's authorization from its security requirement names and scopes.
    static func authorization(names: [String], scopes: [String: [String]], schemes: [String: HttpAuthorizerSpec]) -> HttpRouteAuthorization {
        for name in names where name != "NONE" {
            guard let spec = schemes[name] else { return .unsupported("security scheme \(name)") }
            if spec.type == "JWT" { return .jwt(authorizerId: spec.authorizerId, scopes: scopes[name] ?? []) }
            return .unsupported("\(spec.type.lowercased()) authorizer \(name)")
        }
        return .none
    }
}
