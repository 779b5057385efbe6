import AWSGateway
import EmulatorCore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A request body that records whether anyone read it.
private struct WatchedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]
    let counter: ReadCounter

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [ByteBuffer]
        let body: WatchedBody
        mutating func next() async throws -> ByteBuffer? {
            body.counter.reads.wrappingAdd(1, ordering: .relaxed)
            return remaining.isEmpty ? nil : remaining.removeFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks, body: self) }
}

private final class ReadCounter: Sendable {
    let reads = Atomic<Int>(0)
}

@Suite struct BodyLimitTests {
    private func request(path: String = "/", headers: HTTPFields, chunks: [ByteBuffer], counter: ReadCounter) -> Request {
        var head = HTTPRequest(method: .post, scheme: nil, authority: "127.0.0.1", path: path)
        head.headerFields = headers
        let body = WatchedBody(chunks: chunks, counter: counter)
        return Request(head: head, body: RequestBody(asyncSequence: body))
    }

    @Test func aDeclaredLengthOverTheLimitIsRefusedBeforeReading() async throws {
        let counter = ReadCounter()
        var request = request(headers: [.contentLength: "17000000"], chunks: [ByteBuffer(string: "{}")], counter: counter)
        guard case .collect(let limit) = ServiceDescriptors.dynamoDB.bodyMode else {
            Issue.record("DynamoDB collects its bodies")
            return
        }
        do {
            _ = try await Gateway.collectBody(of: &request, within: limit)
            Issue.record("a 17 MB body must be refused")
        } catch let error as GenericAWSError {
            #expect(error.code == "RequestEntityTooLargeException" && error.httpStatus == 413)
            #expect(error.jsonType == "com.amazon.coral.service#RequestEntityTooLargeException")
        }
        #expect(counter.reads.load(ordering: .relaxed) == 0)
    }

    @Test func aChunkedBodyIsCutAtTheLimit() async throws {
        let counter = ReadCounter()
        let chunk = ByteBuffer(repeating: 0x61, count: 64 * 1024)
        var request = request(
            path: "/dev/@connections/abc",
            headers: [:],
            chunks: Array(repeating: chunk, count: 100),
            counter: counter
        )
        guard case .collect(let limit) = ServiceDescriptors.apiGatewayManagement.bodyMode else {
            Issue.record("the management API collects its bodies")
            return
        }
        do {
            _ = try await Gateway.collectBody(of: &request, within: limit)
            Issue.record("a 6.4 MB body must be refused")
        } catch let error as GenericAWSError {
            #expect(error.code == "PayloadTooLargeException" && error.httpStatus == 413)
            #expect(error.message == "Message size 131073 exceeds the maximum of 131072 bytes")
        }
        // It stopped shortly after the limit instead of reading 6.4 MB.
        #expect(counter.reads.load(ordering: .relaxed) <= 4)
    }

    @Test func lambdaEventInvokesHaveTheAsynchronousLimit() {
        var event = HTTPRequest(method: .post, scheme: nil, authority: "127.0.0.1", path: "/2015-03-31/functions/echo/invocations")
        event.headerFields[.amzInvocationType] = "Event"
        #expect(LambdaLimits.maxBytes(event) == 1_048_576)
        event.headerFields[.amzInvocationType] = "RequestResponse"
        #expect(LambdaLimits.maxBytes(event) == 6_291_456)
        let error = LambdaLimits.requestTooLarge(event, 2_000_000, 1_048_576)
        #expect(error.code == "RequestTooLargeException" && error.httpStatus == 413)
        #expect(error.message == "Request must be smaller than 1048576 bytes for the InvokeFunction operation")
    }

    @Test func aBodyWithinTheLimitIsCollected() async throws {
        let counter = ReadCounter()
        var request = request(headers: [.contentLength: "2"], chunks: [ByteBuffer(string: "{}")], counter: counter)
        let body = try await Gateway.collectBody(of: &request, within: BodyLimit(maxBytes: 16))
        #expect(String(buffer: body) == "{}")
    }
}
