import Foundation
import SigV4
import Testing

@Suite("SigV4 signing material parsed once")
struct RequestSignatureTests {
    private func request(query: String = "", headers: [(name: String, value: String)] = []) -> SigV4Request {
        SigV4Request(method: "GET", path: "/", query: query, headers: [(name: "Host", value: "localhost:4566")] + headers)
    }

    private func signed() -> SigV4Request {
        SigV4Signing.signHeaders(
            request(),
            credential: Fixture.local,
            region: "eu-west-1",
            service: "dynamodb",
            date: Fixture.localDate,
            payloadHash: SigV4Encoding.emptySHA256Hex,
            style: .standard
        )
    }

    private func verify(_ request: SigV4Request, _ signature: RequestSignature) throws(SigV4Error) -> Authentication {
        try SigV4Verifier()
            .verify(
                request,
                signature: signature,
                bodySHA256Hex: nil,
                style: .standard,
                now: Fixture.localDate,
                lookup: Fixture.lookup([Fixture.local]),
                unknownKeys: .reject
            )
    }

    @Test("one inspection gives the routing scope and verifies like a fresh parse")
    func inspectionIsReusedByVerification() throws {
        let request = signed()
        let signature = SigV4.inspect(request)
        #expect(
            signature.scope
                == SigningScope(accessKeyId: "AKIDLOCAL", date: "20240101", region: "eu-west-1", service: "dynamodb", kind: .header)
        )
        #expect(signature.carriesSignature)
        let reused = try verify(request, signature)
        #expect(reused.signatureVerified)
        #expect(reused.region == "eu-west-1")
    }

    @Test("a header whose components do not parse still names its scope, and verification reports the parse error")
    func malformedComponentsKeepTheScope() {
        let authorization = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-east-1/sts/aws4_request, Bogus, Signature=00"
        let request = request(headers: [(name: "X-Amz-Date", value: "20240101T000000Z"), (name: "Authorization", value: authorization)])
        let signature = SigV4.inspect(request)
        #expect(signature.scope?.service == "sts")
        let error = Fixture.error { () throws(SigV4Error) in try verify(request, signature) }
        #expect(error == .authorizationComponentMalformed(component: "Bogus", authorization: authorization))
    }

    @Test("signing material is recognised without a parseable scope")
    func carriesSignatureWithoutScope() {
        #expect(SigV4.inspect(request(headers: [(name: "Authorization", value: "Bearer x")])).carriesSignature)
        #expect(SigV4.inspect(request(headers: [(name: "Authorization", value: "Bearer x")])).scope == nil)
        #expect(SigV4.inspect(request(query: "X-Amz-Signature=abc")).carriesSignature)
        #expect(SigV4.inspect(request(query: "AWSAccessKeyId=")).carriesSignature)
        #expect(!SigV4.inspect(request(query: "list-type=2")).carriesSignature)
    }

    @Test("query items are decoded once and follow a changed query")
    func queryItemsFollowTheQuery() {
        var request = request(query: "a=1&b=x%20y")
        #expect(request.queryValue("b") == "x y")
        request.query = "c=3"
        #expect(request.queryValue("b") == nil)
        #expect(request.queryValue("c") == "3")
    }
}
