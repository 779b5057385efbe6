import Foundation
import SigV4
import Testing

/// One vector of AWS's SigV4 test suite (awslabs/aws-c-auth `tests/aws-signing-test-suite/v4`), header-signed form.
struct SuiteVector: CustomTestStringConvertible, Sendable {
    let name: String
    let signedRequest: String
    let canonicalRequest: String?

    var testDescription: String { name }
}

private let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
private let authPrefix = "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

private func simpleGet(_ target: String, signature: String) -> String {
    "GET \(target) HTTP/1.1\nHost:example.amazonaws.com\n\(authPrefix)SignedHeaders=host;x-amz-date, Signature=\(signature)\n"
        + "X-Amz-Date:20150830T123600Z\n\n"
}

private func rootCanonical(path: String, query: String = "") -> String {
    "GET\n\(path)\n\(query)\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)"
}

let suiteVectors: [SuiteVector] = [
    SuiteVector(
        name: "get-vanilla",
        signedRequest: simpleGet("/", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        canonicalRequest: rootCanonical(path: "/")
    ),
    SuiteVector(
        name: "get-vanilla-query-order-key-case",
        signedRequest: simpleGet("/?Param2=value2&Param1=value1", signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        canonicalRequest: rootCanonical(path: "/", query: "Param1=value1&Param2=value2")
    ),
    SuiteVector(
        name: "get-vanilla-empty-query-key",
        signedRequest: simpleGet("/?Param1=value1", signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        canonicalRequest: rootCanonical(path: "/", query: "Param1=value1")
    ),
    SuiteVector(
        name: "get-vanilla-query-unreserved",
        signedRequest: simpleGet(
            "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"
        ),
        canonicalRequest: rootCanonical(
            path: "/",
            query:
                "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        )
    ),
    SuiteVector(
        name: "get-vanilla-utf8-query",
        signedRequest: simpleGet("/?ሴ=bar", signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        canonicalRequest: rootCanonical(path: "/", query: "%E1%88%B4=bar")
    ),
    SuiteVector(
        name: "get-unreserved",
        signedRequest: simpleGet(
            "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
        ),
        canonicalRequest: rootCanonical(path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    ),
    SuiteVector(
        name: "get-utf8",
        signedRequest: simpleGet("/ሴ", signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        canonicalRequest: rootCanonical(path: "/%E1%88%B4")
    ),
    SuiteVector(
        name: "get-space-normalized",
        signedRequest: simpleGet("/example space/", signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        canonicalRequest: rootCanonical(path: "/example%20space/")
    ),
    SuiteVector(
        name: "get-slash-dot-slash-normalized",
        signedRequest: simpleGet("/./", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        canonicalRequest: rootCanonical(path: "/")
    ),
    SuiteVector(
        name: "get-slash-pointless-dot-normalized",
        signedRequest: simpleGet("/./example", signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        canonicalRequest: rootCanonical(path: "/example")
    ),
    SuiteVector(
        name: "get-slashes-normalized",
        signedRequest: simpleGet("//example//", signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        canonicalRequest: rootCanonical(path: "/example/")
    ),
    SuiteVector(
        name: "get-relative-normalized",
        signedRequest: simpleGet("/example/..", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        canonicalRequest: rootCanonical(path: "/")
    ),
    SuiteVector(
        name: "get-relative-relative-normalized",
        signedRequest: simpleGet("/example1/example2/../..", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        canonicalRequest: rootCanonical(path: "/")
    ),
    SuiteVector(
        name: "get-header-value-trim",
        signedRequest: "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\n\(authPrefix)"
            + "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\n"
            + "X-Amz-Date:20150830T123600Z\n\n",
        canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
            + "host;my-header1;my-header2;x-amz-date\n\(emptyHash)"
    ),
    SuiteVector(
        name: "get-header-key-duplicate",
        signedRequest: "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\n\(authPrefix)"
            + "SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea\n"
            + "X-Amz-Date:20150830T123600Z\n\n",
        canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\n"
            + "host;my-header1;x-amz-date\n\(emptyHash)"
    ),
    SuiteVector(
        name: "get-header-value-order",
        signedRequest: "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\n"
            + "\(authPrefix)SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01\n"
            + "X-Amz-Date:20150830T123600Z\n\n",
        canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\nx-amz-date:20150830T123600Z\n\n"
            + "host;my-header1;x-amz-date\n\(emptyHash)"
    ),
    SuiteVector(
        name: "get-vanilla-with-session-token",
        signedRequest: "GET / HTTP/1.1\nHost:example.amazonaws.com\n\(authPrefix)SignedHeaders=host;x-amz-date;x-amz-security-token, "
            + "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8\nX-Amz-Date:20150830T123600Z\n"
            + "X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n",
        canonicalRequest: nil
    ),
    SuiteVector(
        name: "post-x-www-form-urlencoded",
        signedRequest: "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nContent-Length:13\n"
            + "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n\(authPrefix)"
            + "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, "
            + "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b\nX-Amz-Date:20150830T123600Z\n\nParam1=value1",
        canonicalRequest: nil
    ),
]

@Suite("AWS SigV4 test suite")
struct AWSTestSuiteTests {
    private let verifier = SigV4Verifier()
    private let sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

    private func credential(for vector: SuiteVector) -> SigningCredential {
        var credential = Fixture.suiteKey
        if vector.name.contains("session-token") { credential.sessionToken = sessionToken }
        return credential
    }

    @Test("published signature verifies", arguments: suiteVectors)
    func verifies(vector: SuiteVector) throws {
        let parsed = Fixture.parseSuiteRequest(vector.signedRequest)
        let bodyHash = SigV4Encoding.sha256Hex(parsed.body.utf8)
        let auth = try verifier.verify(
            parsed.request,
            bodySHA256Hex: bodyHash,
            style: .standard,
            now: Fixture.suiteDate,
            lookup: Fixture.lookup([credential(for: vector)]),
            unknownKeys: .reject
        )
        #expect(auth.signatureVerified)
        #expect(auth.accessKeyId == "AKIDEXAMPLE")
        #expect(auth.region == "us-east-1")
        #expect(auth.service == "service")
        #expect(auth.kind == .header)
        #expect(auth.requestDate == Fixture.suiteDate)
    }

    @Test("canonical request and string to sign match the suite", arguments: suiteVectors.filter { $0.canonicalRequest != nil })
    func canonicalForm(vector: SuiteVector) throws {
        let parsed = Fixture.parseSuiteRequest(vector.signedRequest)
        var wrong = credential(for: vector)
        wrong.secretAccessKey = "not-the-secret"
        let error = Fixture.error { () throws(SigV4Error) in
            try verifier.verify(
                parsed.request,
                bodySHA256Hex: nil,
                style: .standard,
                now: Fixture.suiteDate,
                lookup: Fixture.lookup([wrong]),
                unknownKeys: .reject
            )
        }
        guard case .signatureMismatch(let mismatch) = error else {
            Issue.record("expected a signature mismatch, got \(String(describing: error))")
            return
        }
        let canonical = try #require(vector.canonicalRequest)
        #expect(mismatch.canonicalRequest == canonical)
        #expect(
            mismatch.stringToSign
                == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" + SigV4Encoding.sha256Hex(canonical.utf8)
        )
    }

    @Test("known string-to-sign hashes from the suite")
    func knownStringToSign() throws {
        let cases = [
            ("get-vanilla", "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
            ("get-vanilla-query-order-key-case", "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"),
        ]
        for (name, hash) in cases {
            let vector = try #require(suiteVectors.first { $0.name == name })
            let canonical = try #require(vector.canonicalRequest)
            #expect(SigV4Encoding.sha256Hex(canonical.utf8) == hash, "\(name)")
        }
    }

    @Test("presigned vector (get-vanilla-query-order-key-case, query form)")
    func presignedVector() throws {
        let text =
            "GET /?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1"
            + "%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600"
            + "&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5 HTTP/1.1\n"
            + "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n"
        let parsed = Fixture.parseSuiteRequest(text)
        let auth = try verifier.verify(
            parsed.request,
            bodySHA256Hex: nil,
            style: .standard,
            now: Fixture.suiteDate.addingTimeInterval(60),
            lookup: Fixture.lookup([Fixture.suiteKey]),
            unknownKeys: .reject
        )
        #expect(auth.kind == .presigned)
        #expect(auth.signatureVerified)
        #expect(auth.expiresAt == Fixture.suiteDate.addingTimeInterval(3600))
    }
}
