import EmulatorCore
import Foundation
import Logging
import Storage
import Testing

@testable import S3Service

/// The lifecycle sweeper against writes racing it, on a real store in a temporary folder.
@Suite struct LifecycleRaceTests {
    let day: TimeInterval = 86_400

    /// A store on a fresh temporary folder with one bucket whose objects expire after a day.
    func makeStore() throws -> (S3Store, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-race-\(UUID().uuidString)")
        let store = try S3Store(location: .directory(folder), logger: Logger(label: "test"))
        var configuration = BucketConfiguration.newBucket
        configuration.lifecycle = [LifecycleRule(id: "expire", prefix: "", expirationDays: 1)]
        try store.bootstrap([(name: "bucket", region: "us-east-1", configuration: configuration)], now: Date(timeIntervalSince1970: 0))
        return (store, folder)
    }

    /// Writes a body file and commits its row, as PutObject does.
    func put(_ store: S3Store, key: String, body: String, at date: Date) async throws -> ObjectRecord {
        let temporary = store.temporaryURL()
        try Data(body.utf8).write(to: temporary)
        let blob = try store.commit(temporary)
        let record = ObjectRecord(
            bucket: "bucket",
            key: key,
            blob: blob,
            size: body.utf8.count,
            etag: "\"\(body)\"",
            headers: ObjectHeaders(),
            tags: [],
            lastModified: date,
            partsCount: nil
        )
        if case .written(let replaced) = try await store.putObject(record), let replaced { store.removeBlobs(objects: [replaced]) }
        return record
    }

    @Test func anObjectOverwrittenAfterTheScanSurvivesTheDelete() async throws {
        let (store, folder) = try makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = Date(timeIntervalSince1970: 1_000_000)
        let examined = try await put(store, key: "k", body: "old", at: old)
        // The sweeper has read `examined` and found it due; then a client overwrites the key.
        let fresh = try await put(store, key: "k", body: "new", at: old.addingTimeInterval(10 * day))
        #expect(try await store.deleteObject(ifUnchanged: examined) == nil)
        let current = try #require(try await store.object(bucket: "bucket", key: "k"))
        #expect(current.blob == fresh.blob)
        #expect(try Data(contentsOf: store.objectURL(current.blob)) == Data("new".utf8))
    }

    @Test func anUnchangedDueObjectIsDeleted() async throws {
        let (store, folder) = try makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let examined = try await put(store, key: "k", body: "old", at: Date(timeIntervalSince1970: 1_000_000))
        let removed = try await store.deleteObject(ifUnchanged: examined)
        #expect(removed?.blob == examined.blob)
        #expect(try await store.object(bucket: "bucket", key: "k") == nil)
    }

    @Test func aRowNoLongerDueIsKept() async throws {
        let (store, folder) = try makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let examined = try await put(store, key: "k", body: "old", at: Date(timeIntervalSince1970: 1_000_000))
        #expect(try await store.deleteObject(ifUnchanged: examined, stillDue: { _ in false }) == nil)
        #expect(try await store.object(bucket: "bucket", key: "k") != nil)
    }

    /// Sweeps while every due key is overwritten with a fresh object: no fresh object may be lost.
    @Test func sweepsRacingOverwritesNeverDeleteFreshObjects() async throws {
        let (store, folder) = try makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = Date(timeIntervalSince1970: 1_000_000)
        let clock = VirtualClock(realNow: { start.addingTimeInterval(30 * 86_400) })
        let sweeper = LifecycleSweeper(store: store, clock: clock, logger: Logger(label: "test"))
        for round in 0..<5 {
            let keys = (0..<150).map { "r\(round)/k\($0)" }
            for key in keys { _ = try await put(store, key: key, body: "old", at: start) }
            async let sweeping: Void = {
                for _ in 0..<20 { await sweeper.sweep() }
            }()
            for key in keys { _ = try await put(store, key: key, body: "fresh-\(key)", at: clock.now) }
            await sweeping
            for key in keys {
                let current = try #require(try await store.object(bucket: "bucket", key: key), "fresh object \(key) was deleted")
                #expect(current.etag == "\"fresh-\(key)\"")
            }
        }
    }
}
