import Foundation
import Hummingbird
import NIOCore
import Testing

@testable import S3Service

/// The streaming `multipart/form-data` reader of presigned POST, fed the same body cut at every position.
@Suite struct PostFormReaderTests {
    static let boundary = "XyZ--b0undary"
    static let file = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }) + Data("\r\n--XyZ--b0und".utf8)

    static func body(fieldValue: String = "uploads/a.txt") -> [UInt8] {
        var text = "--\(boundary)\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n\(fieldValue)\r\n"
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\neyJ9\r\n"
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
        text += "Content-Type: text/plain\r\n\r\n"
        var bytes = Array(text.utf8)
        bytes += Array(file)
        bytes += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--\(boundary)--\r\n".utf8)
        return bytes
    }

    static func requestBody(_ bytes: [UInt8], cuts: [Int]) -> RequestBody {
        var chunks: [ByteBuffer] = []
        var start = 0
        for cut in cuts.sorted() + [bytes.count] where cut > start {
            chunks.append(ByteBuffer(bytes: bytes[start..<cut]))
            start = cut
        }
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
        return RequestBody(asyncSequence: stream)
    }

    func read(_ body: RequestBody) async throws -> (PostForm, ReceivedBody, Data) {
        var reader = PostFormReader(body: body, boundary: Self.boundary)
        let form = try await reader.readFields()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let received = try await reader.readFile(into: url, algorithm: nil, maxSize: 1 << 20)
        return (form, received, try Data(contentsOf: url))
    }

    @Test func everyTwoChunkSplitGivesTheSameFieldsAndFile() async throws {
        let bytes = Self.body()
        for cut in stride(from: 1, to: bytes.count, by: 7) {
            let (form, received, stored) = try await read(Self.requestBody(bytes, cuts: [cut]))
            #expect(form.fields.map(\.name) == ["key", "policy"], "cut at \(cut)")
            #expect(form.field("key") == "uploads/a.txt")
            #expect(form.fileName == "a.txt" && form.fileContentType == "text/plain")
            #expect(stored == Self.file, "cut at \(cut)")
            #expect(received.size == Self.file.count)
        }
    }

    @Test func oneByteChunksWork() async throws {
        let bytes = Self.body()
        let (form, _, stored) = try await read(Self.requestBody(bytes, cuts: Array(1..<bytes.count)))
        #expect(form.field("policy") == "eyJ9")
        #expect(stored == Self.file)
    }

    @Test func fieldsBeyondTheLimitAreRefusedBeforeTheFile() async throws {
        let bytes = Self.body(fieldValue: String(repeating: "k", count: PostFormReader.maxPreDataBytes))
        for cuts in [[], [100, 5000, 15000]] {
            var reader = PostFormReader(body: Self.requestBody(bytes, cuts: cuts), boundary: Self.boundary)
            do {
                _ = try await reader.readFields()
                Issue.record("fields of \(bytes.count) bytes were accepted")
            } catch let error as S3Error {
                #expect(error.code == "MaxPostPreDataLengthExceeded")
                #expect(error.httpStatus == 400)
            }
        }
    }

    @Test func aMissingClosingBoundaryIsMalformed() async throws {
        var bytes = Self.body()
        bytes.removeLast(90)
        var reader = PostFormReader(body: Self.requestBody(bytes, cuts: []), boundary: Self.boundary)
        _ = try await reader.readFields()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString)")
        await #expect(throws: S3Error.malformedPOSTRequest) { _ = try await reader.readFile(into: url, algorithm: nil, maxSize: 1 << 20) }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
