import Testing

@testable import S3Service

@Suite struct CORSTests {
    let rules = [
        CORSRule(
            id: "uploads",
            allowedHeaders: ["content-*", "x-amz-meta-title"],
            allowedMethods: ["PUT", "POST"],
            allowedOrigins: ["https://*.example.com"],
            exposeHeaders: ["ETag", "x-amz-request-id"],
            maxAgeSeconds: 600
        ),
        CORSRule(allowedMethods: ["GET"], allowedOrigins: ["*"]),
    ]

    @Test(arguments: [
        ("*", "https://anything", true),
        ("https://*.example.com", "https://a.example.com", true),
        ("https://*.example.com", "https://example.com", false),
        ("https://*.example.com", "http://a.example.com", false),
        ("https://app.test", "https://app.test", true),
        ("https://app.test", "https://APP.test", false),
    ])
    func originWildcards(pattern: String, origin: String, matches: Bool) {
        #expect(CORS.wildcardMatch(pattern, origin) == matches)
    }

    @Test func headersMatchCaseInsensitively() {
        #expect(CORS.wildcardMatch("Content-*", "content-type", caseInsensitive: true))
        #expect(CORS.wildcardMatch("*", "x-anything", caseInsensitive: true))
        #expect(!CORS.wildcardMatch("content-*", "x-content", caseInsensitive: true))
    }

    @Test func preflightUsesFirstMatchingRule() throws {
        let grant = try #require(
            CORS.preflight(rules: rules, origin: "https://a.example.com", method: "PUT", requestHeaders: ["content-type", "x-amz-meta-title"])
        )
        #expect(grant.allowOrigin == "https://a.example.com")
        #expect(grant.allowMethods == "PUT, POST")
        #expect(grant.allowHeaders == "content-type, x-amz-meta-title")
        #expect(grant.exposeHeaders == "ETag, x-amz-request-id")
        #expect(grant.maxAge == "600")
        #expect(grant.allowCredentials)
        #expect(grant.headers.contains { $0.0 == "Vary" && $0.1.contains("Origin") })
    }

    @Test func everyRequestedHeaderMustBeAllowed() {
        #expect(CORS.preflight(rules: rules, origin: "https://a.example.com", method: "PUT", requestHeaders: ["content-type", "x-other"]) == nil)
    }

    @Test func wildcardOriginAnswersStarWithoutCredentials() throws {
        let grant = try #require(CORS.preflight(rules: rules, origin: "https://evil.test", method: "GET", requestHeaders: []))
        #expect(grant.allowOrigin == "*")
        #expect(!grant.allowCredentials)
        #expect(grant.allowHeaders == nil)
        #expect(grant.maxAge == nil)
    }

    @Test func methodMustMatch() {
        #expect(CORS.preflight(rules: rules, origin: "https://evil.test", method: "DELETE", requestHeaders: []) == nil)
        #expect(CORS.actual(rules: rules, origin: "https://a.example.com", method: "DELETE") == nil)
        #expect(CORS.actual(rules: rules, origin: "https://a.example.com", method: "POST")?.allowOrigin == "https://a.example.com")
    }

    @Test func requestedHeadersAreSplitAndLowercased() {
        #expect(CORS.requestedHeaders(" Content-Type ,X-Amz-Date,") == ["content-type", "x-amz-date"])
        #expect(CORS.requestedHeaders(nil) == [])
    }
}
