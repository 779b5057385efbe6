import Foundation
import GRDB
import Logging
import Storage
import Testing

@testable import S3Service

/// Version ids, the ListObjectVersions paging, and the store's version rows (null versions, delete markers,
/// promotion, the schema migration of older data folders).
@Suite struct VersioningTests {
    // MARK: Version ids

    /// A generator that repeats a fixed sequence, so ids are pinned.
    struct FixedGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
    }

    @Test func issuedIdsAreWellFormedAndStrangersAreNot() {
        var generator = FixedGenerator(state: 7)
        let ids = (0..<200).map { _ in S3VersionID.make(using: &generator) }
        #expect(Set(ids).count == 200)
        for id in ids {
            #expect(id.utf8.count == 32)
            #expect(S3VersionID.isWellFormed(id))
        }
        #expect(S3VersionID.isWellFormed("null"))
        for stranger in ["", "abc", "Null", "nonexistent-version-id-12345", "Eyn7lxdGE1WU1SU6QTbW1X6cbSIIRY0R", ids[0] + "x"] {
            #expect(!S3VersionID.isWellFormed(stranger), "\(stranger)")
        }
        // One character changed: the check no longer holds.
        var tampered = Array(ids[0].utf8)
        tampered[3] = tampered[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(!S3VersionID.isWellFormed(String(decoding: tampered, as: UTF8.self)))
    }

    @Test func versionIdArgumentsAreCheckedAsS3Does() throws {
        #expect(throws: S3Error.invalidArgument(message: "Version id cannot be the empty string", name: "versionId", value: "")) {
            try S3Service.checkedVersionId("", name: "versionId")
        }
        #expect(throws: S3Error.invalidArgument(message: "Invalid version id specified", name: "versionId", value: "abc")) {
            try S3Service.checkedVersionId("abc", name: "versionId")
        }
        #expect(try S3Service.checkedVersionId("null", name: "versionId") == "null")
    }

    // MARK: Listing

    /// Rows as the store returns them: key order, newest first within a key.
    static func rows(_ spec: [(key: String, versions: Int, marker: Bool)]) -> [ObjectRecord] {
        var rows: [ObjectRecord] = []
        for entry in spec.sorted(by: { $0.key < $1.key }) {
            let count = entry.versions + (entry.marker ? 1 : 0)
            for sequence in stride(from: count, through: 1, by: -1) {
                rows.append(
                    ObjectRecord(
                        bucket: "b",
                        key: entry.key,
                        blob: entry.marker && sequence == count ? "" : "\(entry.key)-\(sequence)",
                        size: 1,
                        etag: "\"e\"",
                        headers: ObjectHeaders(),
                        tags: [],
                        lastModified: Date(timeIntervalSince1970: Double(sequence)),
                        versionId: "\(entry.key)#\(sequence)",
                        partsCount: nil,
                        isLatest: sequence == count,
                        isDeleteMarker: entry.marker && sequence == count,
                        sequence: sequence
                    )
                )
            }
        }
        return rows
    }

    /// The store's query over an array: rows with the prefix after a position, in order, at most `limit`.
    static func fetcher(_ rows: [ObjectRecord], prefix: String) -> (VersionPosition?, Int) async throws -> [ObjectRecord] {
        { position, limit in
            let after = rows.filter { row in
                guard row.key.hasPrefix(prefix) else { return false }
                switch position {
                case nil: return true
                case .afterKey(let key): return row.key > key
                case .afterVersion(let key, let sequence): return row.key > key || (row.key == key && row.sequence < sequence)
                }
            }
            return Array(after.prefix(limit))
        }
    }

    @Test func pagesAddUpToTheWholeListingAndResumeInsideAKey() async throws {
        let rows = Self.rows([("a", 3, false), ("b", 1, true), ("c", 2, false)])
        var seen: [String] = []
        var start: VersionPosition?
        var keyMarker: String?
        var pages = 0
        repeat {
            let page = try await VersionListing.page(
                prefix: "",
                delimiter: nil,
                start: start,
                keyMarker: keyMarker,
                maxKeys: 2,
                batchSize: 3,
                fetch: Self.fetcher(rows, prefix: "")
            )
            pages += 1
            seen += page.entries.map(\.versionId)
            guard page.isTruncated else {
                #expect(page.nextKeyMarker == nil && page.nextVersionIdMarker == nil)
                break
            }
            let last = try #require(page.entries.last)
            #expect(page.nextKeyMarker == last.key && page.nextVersionIdMarker == last.versionId)
            keyMarker = last.key
            start = .afterVersion(key: last.key, sequence: last.sequence)
        } while pages < 10
        #expect(seen == rows.map(\.versionId))
        #expect(seen == ["a#3", "a#2", "a#1", "b#2", "b#1", "c#2", "c#1"])
        #expect(pages == 4)
    }

    @Test func commonPrefixesCountOnceAndAreSkippedAfterTheirMarker() async throws {
        let rows = Self.rows([("d/1", 2, false), ("d/2", 1, true), ("e", 1, false), ("f/x", 3, false)])
        let first = try await VersionListing.page(
            prefix: "",
            delimiter: "/",
            start: nil,
            keyMarker: nil,
            maxKeys: 2,
            batchSize: 2,
            fetch: Self.fetcher(rows, prefix: "")
        )
        #expect(first.commonPrefixes == ["d/"])
        #expect(first.entries.map(\.versionId) == ["e#1"])
        #expect(first.isTruncated && first.nextKeyMarker == "e" && first.nextVersionIdMarker == "e#1")
        let second = try await VersionListing.page(
            prefix: "",
            delimiter: "/",
            start: .afterKey("d/"),
            keyMarker: "d/",
            maxKeys: 2,
            fetch: Self.fetcher(rows, prefix: "")
        )
        #expect(second.commonPrefixes == ["f/"] && second.entries.map(\.key) == ["e"])
        #expect(!second.isTruncated)
        let inside = try await VersionListing.page(
            prefix: "d/",
            delimiter: "/",
            start: nil,
            keyMarker: nil,
            maxKeys: 10,
            fetch: Self.fetcher(rows, prefix: "d/")
        )
        #expect(inside.entries.map(\.versionId) == ["d/1#2", "d/1#1", "d/2#2", "d/2#1"])
        #expect(inside.entries.map(\.isDeleteMarker) == [false, false, true, false])
        #expect(VersionListing.rollUp("a/b/c", prefix: "a/", delimiter: "/") == "a/b/")
        #expect(VersionListing.rollUp("a/b", prefix: "a/", delimiter: "/") == nil)
    }

    // MARK: Store

    func makeStore() throws -> (S3Store, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("versions-\(UUID().uuidString)")
        let store = try S3Store(location: .directory(folder), logger: Logger(label: "test"))
        try store.bootstrap([(name: "b", region: "us-east-1", configuration: .newBucket)], now: Date(timeIntervalSince1970: 0))
        return (store, folder)
    }

    func record(_ key: String, blob: String, versionId: String, marker: Bool = false) -> ObjectRecord {
        ObjectRecord(
            bucket: "b",
            key: key,
            blob: marker ? "" : blob,
            size: 1,
            etag: "\"\(blob)\"",
            headers: ObjectHeaders(),
            tags: [],
            lastModified: Date(timeIntervalSince1970: 100),
            versionId: versionId,
            partsCount: nil,
            isDeleteMarker: marker
        )
    }

    func versionIds(_ store: S3Store, key: String) async throws -> [String] {
        try await store.versions(bucket: "b", prefix: key, after: nil, limit: 100).filter { $0.key == key }.map(\.versionId)
    }

    @Test func versionsAreKeptAndNullVersionsReplaced() async throws {
        let (store, folder) = try makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try await store.putObject(record("k", blob: "n1", versionId: "null")) == .written(replacedBlob: nil))
        #expect(try await store.putObject(record("k", blob: "v1", versionId: "V1")) == .written(replacedBlob: nil))
        #expect(try await store.putObject(record("k", blob: "v2", versionId: "V2")) == .written(replacedBlob: nil))
        #expect(try await versionIds(store, key: "k") == ["V2", "V1", "null"])
        // A suspended write replaces the (noncurrent) null version and becomes the latest.
        #expect(try await store.putObject(record("k", blob: "n2", versionId: "null")) == .written(replacedBlob: "n1"))
        #expect(try await versionIds(store, key: "k") == ["null", "V2", "V1"])
        #expect(try await store.object(bucket: "b", key: "k")?.blob == "n2")
        // ListObjects sees the latest only.
        #expect(try await store.objects(bucket: "b", prefix: "", after: nil, limit: 10).map(\.blob) == ["n2"])
    }

    @Test func deleteMarkersHideAndDeletingTheLatestPromotesTheNext() async throws {
        let (store, folder) = try makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await store.putObject(record("k", blob: "v1", versionId: "V1"))
        let outcome = try await store.deleteObject(bucket: "b", key: "k", marker: record("k", blob: "", versionId: "M1", marker: true))
        #expect(outcome.marker?.versionId == "M1" && outcome.freedBlobs.isEmpty)
        #expect(try await store.object(bucket: "b", key: "k")?.isDeleteMarker == true)
        #expect(try await store.objects(bucket: "b", prefix: "", after: nil, limit: 10).isEmpty)
        let removed = try await store.deleteVersion(bucket: "b", key: "k", versionId: "M1")
        #expect(removed?.isDeleteMarker == true)
        let current = try #require(try await store.object(bucket: "b", key: "k"))
        #expect(current.versionId == "V1" && current.isLatest)
        #expect(try await store.deleteVersion(bucket: "b", key: "k", versionId: "M1") == nil)
        // A null marker (suspended bucket) replaces the null version and frees its body.
        _ = try await store.putObject(record("k", blob: "n1", versionId: "null"))
        let suspended = try await store.deleteObject(bucket: "b", key: "k", marker: record("k", blob: "", versionId: "null", marker: true))
        #expect(suspended.freedBlobs == ["n1"])
        #expect(try await versionIds(store, key: "k") == ["null", "V1"])
        // Unversioned delete: the null version goes for good.
        #expect(try await store.removeExpiredDeleteMarker(try #require(try await store.object(bucket: "b", key: "k"))) == false)
        let plain = try await store.deleteObject(bucket: "b", key: "k", marker: nil)
        #expect(plain.removed?.isDeleteMarker == true)
        #expect(try await store.object(bucket: "b", key: "k")?.versionId == "V1")
    }

    @Test func aDataFolderFromBeforeVersioningKeepsItsObjectsAsNullVersions() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("versions-migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            let queue = try DatabaseQueue(path: folder.appendingPathComponent("s3.sqlite").path)
            try S3Store.migrator.migrate(queue, upTo: "s3-v1")
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO bucket (name, region, creationDate, configuration) VALUES ('old', 'us-east-1', '2026-01-01 00:00:00.000', ?)",
                    arguments: [String(decoding: try JSONEncoder().encode(BucketConfiguration.newBucket), as: UTF8.self)]
                )
                try db.execute(
                    sql: """
                        INSERT INTO object (bucket, key, blob, size, etag, headers, tags, lastModified, versionId)
                        VALUES ('old', 'kept.txt', 'blob-old', 4, '"e"', ?, '[]', '2026-01-01 00:00:00.000', 'fakeid')
                        """,
                    arguments: [try StoredJSON.text(ObjectHeaders())]
                )
            }
        }
        let store = try S3Store(location: .directory(folder), logger: Logger(label: "test"))
        let row = try #require(try await store.object(bucket: "old", key: "kept.txt"))
        #expect(row.versionId == "null" && row.isLatest && !row.isDeleteMarker && row.size == 4)
        #expect(try await store.objects(bucket: "old", prefix: "", after: nil, limit: 10).map(\.key) == ["kept.txt"])
    }
}
