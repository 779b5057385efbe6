import EmulatorCore
import Foundation
import GRDB

/// `POST /_local/reset` for S3: the template's buckets, empty, with the template's configuration; nothing else.
package struct S3Reset: ResettableService {
    /// The service.
    package let service: S3Service
    /// The template's buckets.
    package let buckets: [S3BucketSpec]

    /// Creates the hook.
    /// - Parameters:
    ///   - service: The service.
    ///   - buckets: The template's buckets.
    package init(service: S3Service, buckets: [S3BucketSpec]) {
        self.service = service
        self.buckets = buckets
    }

    /// `s3`.
    package var resetName: String { "s3" }

    /// Deletes every object, version, delete marker, multipart upload and part, and every bucket created through the
    /// API, in one transaction; then brings the template's buckets back with the template's configuration (policy,
    /// versioning, CORS, notifications... set through the API are undone) and removes the body files.
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        let store = service.store
        let names = Set(buckets.map(\.name))
        let (objects, parts) = try await store.database.write { db -> ([String], [String]) in
            let objects = try String.fetchAll(db, sql: "SELECT blob FROM object")
            let parts = try String.fetchAll(db, sql: "SELECT blob FROM part")
            try db.execute(sql: "DELETE FROM part")
            try db.execute(sql: "DELETE FROM upload")
            try db.execute(sql: "DELETE FROM object")
            for name in try String.fetchAll(db, sql: "SELECT name FROM bucket") where !names.contains(name) {
                try db.execute(sql: "DELETE FROM bucket WHERE name = ?", arguments: [name])
            }
            return (objects, parts)
        }
        let environment = service.environment.current
        let ownerId = S3Service.canonicalUserId(environment.accountId)
        let configured = buckets.map {
            (name: $0.name, region: environment.region, configuration: BucketConfiguration.from(spec: $0, ownerId: ownerId))
        }
        try store.bootstrap(configured, now: service.clock.now)
        if !objects.isEmpty || !parts.isEmpty { await store.discardBlobs(objects: objects, parts: parts) }
    }
}
