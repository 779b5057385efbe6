import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@Suite struct ErrorRendererTests {
    private func body(_ response: Response) async throws -> String {
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return String(buffer: await writer.buffer)
    }

    @Test func jsonProtocolsSendTypeAndMessage() async throws {
        let error = GenericAWSError(
            code: "ResourceNotFoundException",
            message: "Requested resource not found",
            jsonType: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
        )
        let response = ErrorRenderer.response(for: error, protocol: .awsJson1_0(targetPrefix: "DynamoDB_20120810"), requestId: "R1")
        #expect(response.status.code == 400)
        #expect(response.headers[.contentType] == "application/x-amz-json-1.0")
        #expect(response.headers[.amznRequestId] == "R1")
        let object = try JSONSerialization.jsonObject(with: Data(try await body(response).utf8)) as? [String: String]
        #expect(object?["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")
        #expect(object?["message"] == "Requested resource not found")
    }

    @Test func s3SendsErrorXMLWithExtraElements() async throws {
        let error = GenericAWSError(code: "NoSuchKey", message: "The specified key does not exist.", httpStatus: 404, extraFields: [("Key", "a&b")])
        let response = ErrorRenderer.response(for: error, protocol: .restXml, requestId: "ABC")
        #expect(response.status.code == 404)
        #expect(response.headers[.amzRequestId] == "ABC")
        let text = try await body(response)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"))
        #expect(text.contains("<Key>a&amp;b</Key><RequestId>ABC</RequestId><HostId>"))
    }

    @Test func headRequestsGetNoBody() async throws {
        let error = GenericAWSError(code: "NoSuchKey", message: "x", httpStatus: 404)
        let response = ErrorRenderer.response(for: error, protocol: .restXml, requestId: "ABC", isHead: true)
        #expect(try await body(response).isEmpty)
    }

    @Test func queryProtocolsSendErrorResponse() async throws {
        let error = GenericAWSError(code: "ValidationError", message: "Stack with id x does not exist")
        let response = ErrorRenderer.response(
            for: error,
            protocol: .awsQuery(xmlNamespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/"),
            requestId: "Q"
        )
        let text = try await body(response)
        #expect(
            text
                == "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type>"
                + "<Code>ValidationError</Code><Message>Stack with id x does not exist</Message></Error><RequestId>Q</RequestId></ErrorResponse>"
        )
    }
}

/// Collects a response body in memory.
actor CollectingWriter: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
