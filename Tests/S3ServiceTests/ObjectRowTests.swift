import Foundation
import Logging
import Storage
import Testing

@testable import S3Service

/// Object rows read back exactly as written (the row decoder keeps decoded JSON columns by their text).
@Suite struct ObjectRowTests {
    @Test func everyColumnRoundTrips() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("object-row-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try S3Store(location: .directory(folder), logger: Logger(label: "test"))
        try store.bootstrap([(name: "b", region: "us-east-1", configuration: .newBucket)], now: Date(timeIntervalSince1970: 0))
        var headers = ObjectHeaders(metadata: ["a": "1", "é": "x,y"], storageClass: "STANDARD_IA")
        headers.contentType = "text/plain"
        headers.cacheControl = "no-cache"
        headers.serverSideEncryption = "aws:kms"
        headers.kmsKeyId = "arn:aws:kms:us-east-1:000000000000:alias/aws/s3"
        let full = ObjectRecord(
            bucket: "b",
            key: "k/ü",
            blob: "blob-1",
            size: 42,
            etag: "\"abc\"",
            headers: headers,
            checksumAlgorithm: .crc32c,
            checksumValue: "AAAAAA==",
            checksumType: "FULL_OBJECT",
            tags: [S3Tag(key: "t", value: "v")],
            lastModified: Date(timeIntervalSince1970: 1_700_000_000.123),
            versionId: "v1",
            partsCount: 3
        )
        let plain = ObjectRecord(
            bucket: "b",
            key: "plain",
            blob: "blob-2",
            size: 0,
            etag: "\"d41d8cd98f00b204e9800998ecf8427e\"",
            headers: ObjectHeaders(),
            tags: [],
            lastModified: Date(timeIntervalSince1970: 0),
            partsCount: nil
        )
        for record in [full, plain, full] {
            _ = try await store.putObject(record)
            let read = try #require(try await store.object(bucket: "b", key: record.key))
            #expect(read.bucket == record.bucket && read.key == record.key && read.blob == record.blob)
            #expect(read.size == record.size && read.etag == record.etag)
            #expect(read.headers == record.headers)
            #expect(read.checksumAlgorithm == record.checksumAlgorithm && read.checksumValue == record.checksumValue)
            #expect(read.checksumType == record.checksumType)
            #expect(read.tags == record.tags)
            #expect(abs(read.lastModified.timeIntervalSince(record.lastModified)) < 0.001)
            #expect(read.versionId == record.versionId && read.partsCount == record.partsCount)
        }
    }
}
