import CloudFormation
import EmulatorCore
import Foundation

/// One HTTP API authorizer: a JWT authorizer (an OpenAPI `x-amazon-apigateway-authorizer` of type `jwt`, SAM's
/// `HttpApi` `Auth.Authorizers` with `JwtConfiguration`, or an `AWS::ApiGatewayV2::Authorizer` of type `JWT`), or a
/// Lambda (`REQUEST`) authorizer (type `request`, SAM's `FunctionArn`, or `AuthorizerType: REQUEST`).
package struct HttpAuthorizerSpec: Sendable, Equatable {
    /// The authorizer id.
    package var authorizerId: String
    /// The name.
    package var name: String
    /// `JWT` or `REQUEST` (a Lambda authorizer).
    package var type: String
    /// The identity sources (`$request.header.Authorization`).
    package var identitySources: [String]
    /// `JwtConfiguration.Issuer`.
    package var issuer: String?
    /// `JwtConfiguration.Audience`.
    package var audiences: [String]
    /// The Lambda function ARN of a `REQUEST` authorizer (from `AuthorizerUri`).
    package var functionArn: String?
    /// `AuthorizerUri` as written (a Lambda invocation URI or function ARN).
    package var authorizerUri: String?
    /// `AuthorizerPayloadFormatVersion` of a `REQUEST` authorizer (`1.0` or `2.0`).
    package var payloadFormatVersion = "2.0"
    /// `EnableSimpleResponses`: the function answers `{"isAuthorized": bool, "context": {...}}`.
    package var enableSimpleResponses = false
    /// `AuthorizerResultTtlInSeconds` (0: no caching).
    package var resultTtlSeconds = 0

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
        guard let issuer, Self.isLoopback(issuer) || UserPoolToken.poolId(ofIssuer: issuer) != nil else {
            throw TemplateError(
                .invalidProperty,
                "JWT authorizer \(name) has issuer \(issuer ?? "(none)"): the emulator fetches JWKS only from loopback issuers (http://127.0.0.1:PORT/...) and answers for its own Cognito user pools (https://cognito-idp.REGION.amazonaws.com/POOL_ID); run a local issuer or remove the authorizer",
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
    /// A Lambda (`REQUEST`) authorizer (`AuthorizationType: CUSTOM`).
    case lambda(authorizerId: String)
    /// `AWS_IAM`: a SigV4 signature for `execute-api` and IAM's permission to `execute-api:Invoke` the route.
    case awsIAM
    /// An authorization the emulator cannot check (an unknown security scheme or authorizer): requests answer 401.
    case unsupported(String)
}

extension HttpAuthorizerSpec {
    /// The JWT and Lambda authorizers among an OpenAPI 3 document's security schemes, by scheme name.
    static func schemes(in document: SpecReader, idSeed: String) throws(TemplateError) -> [String: HttpAuthorizerSpec] {
        var result: [String: HttpAuthorizerSpec] = [:]
        for (name, scheme) in try document["components"]["securitySchemes"].entries() ?? [] {
            let id = PhysicalNames.randomString(
                seed: PhysicalNames.seed(idSeed, "authorizer", name),
                count: 6,
                alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789")
            )
            if try scheme["x-amazon-apigateway-authtype"].string()?.lowercased() == "awssigv4" {
                result[name] = HttpAuthorizerSpec(authorizerId: id, name: name, type: "AWS_IAM", identitySources: [], issuer: nil, audiences: [])
                continue
            }
            let authorizer = scheme["x-amazon-apigateway-authorizer"]
            guard authorizer.exists else { continue }
            let sources = try authorizer["identitySource"].stringList() ?? []
            var spec = HttpAuthorizerSpec(
                authorizerId: id,
                name: name,
                type: (try authorizer["type"].string() ?? "jwt").uppercased(),
                identitySources: sources.flatMap { AuthorizerSpec.sources($0) },
                issuer: try authorizer["jwtConfiguration"]["issuer"].string(),
                audiences: try authorizer["jwtConfiguration"]["audience"].stringList() ?? []
            )
            try spec.readLambda(
                uri: authorizer["authorizerUri"],
                payloadFormat: authorizer["authorizerPayloadFormatVersion"],
                simpleResponses: authorizer["enableSimpleResponses"],
                ttl: authorizer["authorizerResultTtlInSeconds"]
            )
            result[name] = spec
        }
        return result
    }

    /// A route's authorization from its security requirement names and scopes.
    static func authorization(names: [String], scopes: [String: [String]], schemes: [String: HttpAuthorizerSpec]) -> HttpRouteAuthorization {
        for name in names where name != "NONE" {
            guard let spec = schemes[name] else { return .unsupported("security scheme \(name)") }
            switch spec.type {
            case "JWT": return .jwt(authorizerId: spec.authorizerId, scopes: scopes[name] ?? [])
            case "REQUEST": return .lambda(authorizerId: spec.authorizerId)
            case "AWS_IAM": return .awsIAM
            default: return .unsupported("\(spec.type.lowercased()) authorizer \(name)")
            }
        }
        return .none
    }
}

extension HttpAuthorizerSpec {
    /// Reads a Lambda authorizer's settings (OpenAPI `authorizerUri`... or the CloudFormation properties).
    /// - Throws: ``TemplateError`` when a value has the wrong shape.
    mutating func readLambda(uri: SpecReader, payloadFormat: SpecReader, simpleResponses: SpecReader, ttl: SpecReader) throws(TemplateError) {
        authorizerUri = try uri.string()
        functionArn = authorizerUri.flatMap(LambdaIntegrationURI.functionArn)
        payloadFormatVersion = try payloadFormat.string() ?? "2.0"
        enableSimpleResponses = try simpleResponses.bool() ?? false
        // API Gateway caps the TTL at 3600 s; a negative one disables caching.
        let seconds = try ttl.int() ?? 0
        resultTtlSeconds = min(max(seconds, 0), 3600)
    }
}

extension HttpAuthorizerSpec {
    /// Sets a Lambda (`REQUEST`) authorizer's settings as a control plane stores them.
    /// - Parameters:
    ///   - uri: `AuthorizerUri` (a Lambda invocation URI or function ARN).
    ///   - payloadFormatVersion: `AuthorizerPayloadFormatVersion` (`2.0` when absent).
    ///   - simpleResponses: `EnableSimpleResponses`.
    ///   - ttlSeconds: `AuthorizerResultTtlInSeconds` (clamped to 0...3600).
    package mutating func setLambda(uri: String?, payloadFormatVersion: String?, simpleResponses: Bool, ttlSeconds: Int) {
        authorizerUri = uri
        functionArn = uri.flatMap(LambdaIntegrationURI.functionArn)
        self.payloadFormatVersion = payloadFormatVersion ?? "2.0"
        enableSimpleResponses = simpleResponses
        resultTtlSeconds = min(max(ttlSeconds, 0), 3600)
    }
}
