import Foundation
import Logging
import NIOCore
import Storage
import Testing

@testable import S3Service

/// Object bodies kept in memory: only sizes between the sendfile threshold and the per-body limit, the least recently
/// read dropped first beyond the capacity, and a removed blob's body dropped with it.
@Suite struct BodyCacheTests {
    private static func body(_ size: Int, _ byte: UInt8) -> ByteBuffer {
        ByteBuffer(bytes: [UInt8](repeating: byte, count: size))
    }

    @Test func keepsOnlySizesBetweenTheThresholdAndTheLimit() {
        let cache = BodyCache()
        cache.keep(Self.body(BlobIO.sendsFromFileAbove, 1), for: "small")
        cache.keep(Self.body(BodyCache.maxBody + 1, 2), for: "huge")
        cache.keep(Self.body(BlobIO.sendsFromFileAbove + 1, 3), for: "kept")
        #expect(cache.body("small") == nil)
        #expect(cache.body("huge") == nil)
        #expect(cache.body("kept") == Self.body(BlobIO.sendsFromFileAbove + 1, 3))
        #expect(cache.bytes == BlobIO.sendsFromFileAbove + 1)
    }

    @Test func dropsTheLeastRecentlyReadBeyondTheCapacity() {
        let cache = BodyCache()
        let size = BodyCache.maxBody
        let fits = BodyCache.capacity / size
        for index in 0..<fits { cache.keep(Self.body(size, UInt8(index)), for: "b\(index)") }
        #expect(cache.bytes == fits * size)
        _ = cache.body("b0")  // b0 read last: b1 is now the least recently read
        cache.keep(Self.body(size, 99), for: "new")
        #expect(cache.bytes == fits * size)
        #expect(cache.body("b1") == nil)
        #expect(cache.body("b0") != nil)
        #expect(cache.body("new") != nil)
    }

    @Test func removedBlobsLoseTheirBodies() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("body-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try S3Store(location: .directory(folder), logger: Logger(label: "test"))
        let bytes = [UInt8]((0..<(200 * 1024)).map { UInt8(truncatingIfNeeded: $0) })
        let (file, blob) = store.bodyFile()
        try bytes.withUnsafeBytes { try file.append($0) }
        try await store.finish(file)

        let read = try await store.wholeObjectBody(blob, size: bytes.count)
        #expect(read == ByteBuffer(bytes: bytes))
        #expect(store.bodies.bytes == bytes.count)
        await #expect(throws: (any Error).self) { try await store.wholeObjectBody(blob, size: bytes.count + 1) }

        await store.discardBlobs(objects: [blob])
        #expect(store.bodies.bytes == 0)
        #expect(try await store.wholeObjectBody(blob, size: bytes.count) == nil)
    }
}
