import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@Suite("Gateway pipeline helpers")
struct PipelineTests {
    private struct FailureWithItem: AWSServiceError {
        var code: String { "ConditionalCheckFailedException" }
        var message: String { "The conditional request failed" }
        var httpStatus: Int { 400 }
        var jsonType: String? { "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" }
        var jsonMembers: [(String, JSONFragment)] { [("Item", JSONFragment(bytes: Array(#"{"pk":{"S":"a/b"}}"#.utf8)))] }
    }

    private func body(_ response: Response) async throws -> [UInt8] {
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return Array(await writer.buffer.readableBytesView)
    }

    @Test("structured JSON members follow __type and message, and the checksum covers the body")
    func jsonMembersAndChecksum() async throws {
        let response = ErrorRenderer.response(
            for: FailureWithItem(),
            protocol: .awsJson1_0(targetPrefix: "DynamoDB_20120810"),
            requestId: "R",
            checksum: true
        )
        let bytes = try await body(response)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"a/b"}}}"#
        )
        #expect(response.headers[.amzCrc32] == String(CRC32.checksum(bytes)))
        #expect(response.headers[.amznErrorType] == "ConditionalCheckFailedException")
    }

    @Test("without the descriptor's checksum flag there is no x-amz-crc32")
    func noChecksumByDefault() {
        let response = ErrorRenderer.response(for: FailureWithItem(), protocol: .awsJson1_1(targetPrefix: "X"), requestId: "R")
        #expect(response.headers[.amzCrc32] == nil)
    }

    @Test("string fields are escaped and sorted as before, extra fields first")
    func escapingAndOrder() async throws {
        let error = GenericAWSError(code: "E", message: "a \"q\" \\ \n\u{01}", extraFields: [("Type", "User")])
        let response = ErrorRenderer.response(for: error, protocol: .restJson1, requestId: "R")
        let text = String(decoding: try await body(response), as: UTF8.self)
        #expect(text == #"{"Type":"User","message":"a \"q\" \\ \n\u0001"}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(parsed?["message"] == error.message)
    }

    @Test("CRC32 golden vector")
    func crc32() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test(
        "percent-decoding keeps Foundation's rules without bridging",
        arguments: [
            "", "plain", "a%20b", "a+b", "%E2%82%AC", "%zz", "100%", "%4", "a%2Fb%2", "%FF%FE", "%C3%A9+x", "%00", "%%41",
        ]
    )
    func decoding(text: String) {
        for plus in [false, true] {
            let source = plus ? text.replacingOccurrences(of: "+", with: " ") : text
            #expect(URLComponentsDecoding.decode(text, plusIsSpace: plus) == (source.removingPercentEncoding ?? source))
        }
    }
}
