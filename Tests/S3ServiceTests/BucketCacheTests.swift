import Foundation
import Logging
import Storage
import Testing

@testable import S3Service

/// Bucket rows are cached in memory; every change through the store is seen by the next read.
@Suite struct BucketCacheTests {
    @Test func changesThroughTheStoreAreSeenAtOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bucket-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try S3Store(location: .directory(folder), logger: Logger(label: "test"))
        try store.bootstrap([(name: "b", region: "us-east-1", configuration: .newBucket)], now: Date(timeIntervalSince1970: 0))
        #expect(try await store.bucket("b")?.configuration.versioning == nil)
        #expect(try await store.bucket("b")?.configuration.versioning == nil)  // now from the cache
        _ = try await store.updateConfiguration("b") { $0.versioning = "Enabled" }
        #expect(try await store.bucket("b")?.configuration.versioning == "Enabled")

        #expect(try await store.bucket("c") == nil)
        let created = BucketRecord(name: "c", region: "us-east-1", creationDate: Date(timeIntervalSince1970: 0), configuration: .newBucket)
        #expect(try await store.createBucket(created))
        #expect(try await store.bucket("c")?.name == "c")
        guard case .deleted = try await store.deleteBucket("c") else {
            Issue.record("the empty bucket was not deleted")
            return
        }
        #expect(try await store.bucket("c") == nil)
        #expect(try await store.bucket("b")?.configuration.versioning == "Enabled")
    }
}
