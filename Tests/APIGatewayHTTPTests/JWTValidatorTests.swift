import APIGatewayHTTP
import Foundation
import Testing
import _CryptoExtras

@Suite struct JWTValidatorTests {
    private static let key = try? _RSA.Signing.PrivateKey(keySize: .bits2048)
    private let issuer = "http://127.0.0.1:9000/issuer"
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private func token(_ claims: [String: Any], kid: String = "k1", alg: String = "RS256", key: _RSA.Signing.PrivateKey? = nil) throws -> String {
        let signer = try #require(key ?? Self.key)
        let header = try JSONSerialization.data(withJSONObject: ["alg": alg, "kid": kid, "typ": "JWT"])
        let body = try JSONSerialization.data(withJSONObject: claims)
        let input = Self.base64URL(header) + "." + Self.base64URL(body)
        let signature = try signer.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Self.base64URL(signature.rawRepresentation)
    }

    private func validator() throws -> JWTValidator {
        let key = try #require(Self.key)
        return JWTValidator(issuer: issuer, audiences: ["app"], keys: ["k1": key.publicKey])
    }

    private func claims(_ extra: [String: Any] = [:]) -> [String: Any] {
        var claims: [String: Any] = ["iss": issuer, "aud": "app", "sub": "u1", "exp": 1_800_000_600, "scope": "read write"]
        for (name, value) in extra { claims[name] = value }
        return claims
    }

    @Test func validTokenGivesClaimsAsTextAndScopes() throws {
        let valid = try validator().validate("Bearer " + token(claims(["groups": ["a", "b"]])), now: now)
        #expect(valid.scopes == ["read", "write"])
        #expect(valid.claims["sub"] == "u1")
        #expect(valid.claims["exp"] == "1800000600")
        #expect(valid.claims["groups"] == "[a b]")
        let access = try validator().validate(token(claims(["aud": NSNull(), "client_id": "app"]).filter { $0.key != "aud" }), now: now)
        #expect(access.claims["client_id"] == "app")
    }

    @Test func refusals() throws {
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let cases: [(String, JWTValidator.Failure)] = [
            ("a.b", .malformed),
            (try token(claims(), key: other), .badSignature),
            (try token(claims(), kid: "unknown"), .badSignature),
            (try token(claims(), alg: "HS256"), .badSignature),
            (try token(claims(["iss": "http://127.0.0.1:9000/other"])), .wrongIssuer),
            (try token(claims(["aud": ["x", "y"]])), .wrongAudience),
            (try token(claims(["exp": 1_800_000_000])), .expired),
            (try token(claims().filter { $0.key != "exp" }), .expired),
            (try token(claims(["nbf": 1_800_000_100])), .notYetValid),
        ]
        for (text, failure) in cases {
            #expect(throws: failure) { try validator().validate(text, now: now) }
        }
    }

    @Test func jwksKeepsRSAKeysByKidAndLoopbackIsRequired() throws {
        let jwks = Data(#"{"keys":[{"kty":"EC","kid":"e"},{"kty":"RSA","kid":"bad","n":"!!","e":"AQAB"}]}"#.utf8)
        #expect(JWTValidator.keys(fromJWKS: jwks).isEmpty)
        #expect(JWTValidator.keys(fromJWKS: Data("not json".utf8)).isEmpty)
        #expect(HttpAuthorizerSpec.isLoopback("http://127.0.0.1:8080/x"))
        #expect(HttpAuthorizerSpec.isLoopback("http://localhost:1"))
        #expect(!HttpAuthorizerSpec.isLoopback("https://cognito-idp.us-east-1.amazonaws.com/pool"))
        #expect(!HttpAuthorizerSpec.isLoopback("http://10.0.0.1/issuer"))
        #expect(!HttpAuthorizerSpec.isLoopback("not a url"))
    }
}
