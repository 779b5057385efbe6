import Foundation
import Logging
import Storage
import Testing

@testable import S3Service

/// Body files written and read on the store's I/O threads, with either durability.
@Suite struct BlobIOTests {
    func makeStore(_ durability: Durability) throws -> (S3Store, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blob-io-\(UUID().uuidString)")
        return (try S3Store(location: .directory(folder, durability: durability), logger: Logger(label: "test")), folder)
    }

    /// Bytes 0, 1, ... 250, 0, 1, ... of a given length.
    func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

    @Test(arguments: [(Durability.process, 0), (.process, 1024), (.fsync, 1024), (.process, 3 * 256 * 1024 + 17), (.fsync, 700_000)])
    func aBodyWrittenInPiecesIsPlacedWhole(durability: Durability, size: Int) async throws {
        let (store, folder) = try makeStore(durability)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(store.io.syncs == (durability == .fsync))
        let bytes = pattern(size)
        let (file, blob) = store.bodyFile()
        var offset = 0
        while offset < size {
            let piece = min(10_000, size - offset)
            try bytes[offset..<(offset + piece)].withUnsafeBytes { try file.append($0) }
            try await file.flushIfFull()
            offset += piece
        }
        try await store.finish(file)
        #expect(file.url.path == store.objectURL(blob).path)
        #expect(try Data(contentsOf: store.objectURL(blob)) == Data(bytes))

        let whole = try #require(try await store.openObject(blob, readingAt: 0, count: size, keepOpen: false))
        #expect(whole.file == nil)
        #expect(Array(whole.first.readableBytesView) == bytes)
        if size > 100 {
            let opened = try #require(try await store.openObject(blob, readingAt: 10, count: 50, keepOpen: true))
            #expect(Array(opened.first.readableBytesView) == Array(bytes[10..<60]))
            let file = try #require(opened.file)
            let rest = try await file.readChunk(at: 60, count: size)
            #expect(Array(rest.readableBytesView) == Array(bytes[60...]))
        }
    }

    @Test func aMissingBlobReadsAsNil() async throws {
        let (store, folder) = try makeStore(.process)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try await store.openObject("no-such-blob", readingAt: 0, count: 10, keepOpen: false) == nil)
    }

    @Test func aDiscardedFileLeavesNothing() async throws {
        let (store, folder) = try makeStore(.fsync)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, _) = store.bodyFile()
        let bytes = pattern(300 * 1024)
        try bytes.withUnsafeBytes { try file.append($0) }
        try await file.flushIfFull()
        #expect(FileManager.default.fileExists(atPath: file.url.path))
        await file.discard()
        #expect(!FileManager.default.fileExists(atPath: file.url.path))
    }

    @Test func discardedBlobsAreRemoved() async throws {
        let (store, folder) = try makeStore(.process)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, blob) = store.bodyFile()
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try file.append($0) }
        try await store.finish(file)
        #expect(FileManager.default.fileExists(atPath: store.objectURL(blob).path))
        await store.discardBlobs(objects: [blob])
        #expect(!FileManager.default.fileExists(atPath: store.objectURL(blob).path))
    }
}
