import Foundation
import Logging
import Storage
import Testing

@testable import S3Service

/// `--ephemeral` bodies in memory: small writes and first reads skip the I/O pool, and every size still reads back.
@Suite struct InMemoryBlobTests {
    func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

    @Test func smallOperationsOnInMemoryFilesRunInlineOthersOnThePool() {
        let memory = BlobIO(syncs: false, threads: 1, inMemory: true)
        defer { memory.shutdown() }
        #expect(memory.runsInline(0) && memory.runsInline(1024) && memory.runsInline(BlobIO.inlineLimit))
        #expect(!memory.runsInline(BlobIO.inlineLimit + 1))
        let disk = BlobIO(syncs: false, threads: 1)
        defer { disk.shutdown() }
        #expect(!disk.runsInline(1024))
        // fsync never happens inline, even in memory.
        let synced = BlobIO(syncs: true, threads: 1, inMemory: true)
        defer { synced.shutdown() }
        #expect(!synced.inMemory && !synced.runsInline(1024))
        #expect(!DataLocation.directory(URL(fileURLWithPath: "/tmp/x")).blobsInMemory)
    }

    @Test(arguments: [0, 1024, BlobIO.inlineLimit, BlobIO.inlineLimit + 1, 300 * 1024])
    func anEphemeralStoreWritesAndReadsEverySize(size: Int) async throws {
        let store = try S3Store(location: .ephemeral, logger: Logger(label: "test"))
        defer { store.removeEphemeralData() }
        #expect(store.io.inMemory == DataLocation.ephemeral.blobsInMemory)
        let bytes = pattern(size)
        let (file, blob) = store.bodyFile()
        try bytes.withUnsafeBytes { try file.append($0) }
        try await store.finish(file)
        #expect(try Data(contentsOf: store.objectURL(blob)) == Data(bytes))
        let whole = try #require(try await store.openObject(blob, readingAt: 0, count: size, keepOpen: false))
        #expect(Array(whole.first.readableBytesView) == bytes)
        #expect(try await store.openObject("no-such-blob", readingAt: 0, count: 10, keepOpen: false) == nil)
    }
}
