import AWSGateway
import EmulatorCore
import Foundation
import Logging

/// Evaluates lifecycle rules against objects and uploads.
package enum LifecycleEvaluator {
    private static let day: TimeInterval = 86_400

    /// Whether a rule's filter selects an object.
    /// - Parameters:
    ///   - rule: The rule.
    ///   - key: The key.
    ///   - size: The size in bytes.
    ///   - tags: The object's tags.
    /// - Returns: `true` for enabled rules whose prefix, tags and size bounds all match.
    package static func applies(_ rule: LifecycleRule, key: String, size: Int, tags: [S3Tag]) -> Bool {
        guard rule.status == "Enabled" else { return false }
        if let prefix = rule.prefix, !key.hasPrefix(prefix) { return false }
        for tag in rule.tags where !tags.contains(tag) { return false }
        if let bound = rule.objectSizeGreaterThan, size <= bound { return false }
        if let bound = rule.objectSizeLessThan, size >= bound { return false }
        return true
    }

    /// The expiration S3 announces in `x-amz-expiration` (the earliest of the matching rules).
    ///
    /// For `Days`, S3 adds the days to the creation time and rounds up to the next midnight UTC.
    /// - Parameters:
    ///   - rules: The bucket's rules.
    ///   - key: The key.
    ///   - size: The size.
    ///   - tags: The tags.
    ///   - lastModified: The object's creation time.
    /// - Returns: The expiry date and rule id, or nil.
    package static func announcedExpiration(
        rules: [LifecycleRule],
        key: String,
        size: Int,
        tags: [S3Tag],
        lastModified: Date
    ) -> (date: Date, ruleId: String)? {
        var best: (date: Date, ruleId: String)?
        for rule in rules where applies(rule, key: key, size: size, tags: tags) {
            var date: Date?
            if let days = rule.expirationDays {
                date = expiry(of: lastModified, days: days)
            } else if let fixed = rule.expirationDate {
                date = fixed
            }
            if let date, best.map({ date < $0.date }) ?? true { best = (date, rule.id ?? "") }
        }
        return best
    }

    /// Whether an object is due for expiration now: at the first midnight UTC after its creation plus `Days` (the
    /// instant ``announcedExpiration(rules:key:size:tags:lastModified:)`` puts in `x-amz-expiration`), or on the
    /// rule's `Date`.
    /// - Parameters:
    ///   - rules: The bucket's rules.
    ///   - key: The key.
    ///   - size: The size.
    ///   - tags: The tags.
    ///   - lastModified: The object's creation time.
    ///   - now: The virtual time.
    /// - Returns: The id of the rule that expires it, or nil.
    package static func expiringRule(
        rules: [LifecycleRule],
        key: String,
        size: Int,
        tags: [S3Tag],
        lastModified: Date,
        now: Date
    ) -> String? {
        for rule in rules where applies(rule, key: key, size: size, tags: tags) {
            if let days = rule.expirationDays, now >= expiry(of: lastModified, days: days) { return rule.id ?? "" }
            if let date = rule.expirationDate, now >= date { return rule.id ?? "" }
        }
        return nil
    }

    /// Whether a noncurrent version is due: an enabled rule selecting it has `NoncurrentDays`, the first midnight UTC
    /// after the version became noncurrent plus those days has passed, and more than `NewerNoncurrentVersions`
    /// newer noncurrent versions exist.
    /// - Parameters:
    ///   - rules: The bucket's rules.
    ///   - version: The noncurrent version (or delete marker).
    ///   - noncurrentSince: When it became noncurrent (its successor's creation).
    ///   - newerNoncurrent: How many noncurrent versions of the key are newer than it.
    ///   - now: The virtual time.
    /// - Returns: The id of the rule that expires it, or nil.
    package static func noncurrentExpiringRule(
        rules: [LifecycleRule],
        version: ObjectRecord,
        noncurrentSince: Date,
        newerNoncurrent: Int,
        now: Date
    ) -> String? {
        for rule in rules where applies(rule, key: version.key, size: version.size, tags: version.tags) {
            guard let days = rule.noncurrentDays else { continue }
            if let keep = rule.newerNoncurrentVersions, newerNoncurrent < keep { continue }
            if now >= expiry(of: noncurrentSince, days: days) { return rule.id ?? "" }
        }
        return nil
    }

    /// Whether a delete marker that is its key's only row (an expired object delete marker) is removed now: a rule
    /// with `ExpiredObjectDeleteMarker`, or an expiration by `Days` the marker's age satisfies, selects it.
    /// - Parameters:
    ///   - rules: The bucket's rules.
    ///   - marker: The delete marker.
    ///   - now: The virtual time.
    /// - Returns: The id of the rule that removes it, or nil.
    package static func expiredMarkerRule(rules: [LifecycleRule], marker: ObjectRecord, now: Date) -> String? {
        for rule in rules where applies(rule, key: marker.key, size: 0, tags: []) {
            if rule.expiredObjectDeleteMarker == true { return rule.id ?? "" }
            if let days = rule.expirationDays, now >= expiry(of: marker.lastModified, days: days) { return rule.id ?? "" }
        }
        return nil
    }

    /// Whether an incomplete multipart upload is due for abortion.
    /// - Parameters:
    ///   - rules: The bucket's rules.
    ///   - key: The upload's key.
    ///   - initiated: When the upload started.
    ///   - now: The virtual time.
    /// - Returns: `true` when an enabled rule with a matching prefix says so (tag and size filters do not apply to uploads).
    package static func abortDue(rules: [LifecycleRule], key: String, initiated: Date, now: Date) -> Bool {
        rules.contains { rule in
            guard rule.status == "Enabled", let days = rule.abortIncompleteMultipartUploadDays, rule.tags.isEmpty else { return false }
            if let prefix = rule.prefix, !key.hasPrefix(prefix) { return false }
            return now >= expiry(of: initiated, days: days)
        }
    }

    /// When a lifecycle action of `days` days falls due for something created (or made noncurrent, or initiated)
    /// at `start`: S3 adds the days and rounds up to the next midnight UTC, for the sweeper as for the
    /// `x-amz-expiration` and `x-amz-abort-date` headers.
    /// - Parameters:
    ///   - start: The creation time.
    ///   - days: The rule's days (positive; clamped to 100 years so the arithmetic stays finite).
    /// - Returns: Midnight UTC.
    package static func expiry(of start: Date, days: Int) -> Date {
        nextMidnight(after: start.addingTimeInterval(TimeInterval(min(max(days, 0), 36_525)) * day))
    }

    /// The `x-amz-expiration` header value.
    /// - Parameter expiration: The announced expiration.
    /// - Returns: `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="id"`.
    package static func header(_ expiration: (date: Date, ruleId: String)) -> String {
        "expiry-date=\"\(Timestamp.httpDate(expiration.date))\", rule-id=\"\(expiration.ruleId)\""
    }

    /// The next midnight UTC at or after an instant (midnight itself stays).
    /// - Parameter date: The instant.
    /// - Returns: Midnight UTC.
    package static func nextMidnight(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        let midnight = (seconds / day).rounded(.up) * day
        return Date(timeIntervalSince1970: midnight)
    }
}

/// Executes lifecycle rules: one ``sweep()`` expires due objects and aborts due uploads; ``scheduled(interval:)``
/// runs it on the virtual clock (when the clock is moved and every 30 s of real time).
package struct LifecycleSweeper: Sendable {
    private let store: S3Store
    private let clock: VirtualClock
    private let logger: Logger

    /// Creates the sweeper.
    /// - Parameters:
    ///   - store: The S3 store.
    ///   - clock: The virtual clock.
    ///   - logger: The logger.
    package init(store: S3Store, clock: VirtualClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// The background service that runs ``sweep()`` on the virtual clock.
    ///
    /// It is the S3 service's one long-lived task, so at graceful shutdown it also cleans an ephemeral store up.
    /// - Parameter interval: The real-time period between sweeps.
    /// - Returns: The ``ClockSweeper``.
    package func scheduled(interval: Duration = .seconds(30)) -> ClockSweeper {
        let store = self.store
        return ClockSweeper(name: "s3-lifecycle", clock: clock, interval: interval) { _ in
            await sweep()
        } atShutdown: {
            store.removeEphemeralData()
        }
    }

    /// One pass over every bucket with lifecycle rules.
    ///
    /// A due current version is deleted in a bucket that was never versioned; in a versioned bucket it gets a delete
    /// marker (a `null` one when versioning is suspended). Noncurrent versions go after `NoncurrentDays`; a delete
    /// marker left as its key's only row goes by `ExpiredObjectDeleteMarker` (or `Days`).
    /// - Returns: The number of versions expired (deleted or hidden behind a new delete marker) and uploads aborted.
    @discardableResult
    package func sweep() async -> (expired: Int, aborted: Int) {
        let now = clock.now
        logger.debug("Lifecycle sweep starts", metadata: ["now": .string(Timestamp.iso8601Milliseconds(now))])
        var expired = 0
        var aborted = 0
        do {
            for bucket in try await store.buckets() {
                guard let rules = bucket.configuration.lifecycle, !rules.isEmpty else { continue }
                var rows = try await store.allObjects(bucket: bucket.name)[...]
                while let first = rows.first {
                    // One key's rows, newest first.
                    let versions = rows.prefix { $0.key == first.key }
                    rows = rows.dropFirst(versions.count)
                    expired += try await sweepKey(Array(versions), bucket: bucket, rules: rules, now: now)
                }
                for upload in try await store.uploads(bucket: bucket.name)
                where LifecycleEvaluator.abortDue(rules: rules, key: upload.key, initiated: upload.initiated, now: now) {
                    if let blobs = try await store.removeUpload(upload.uploadId) {
                        store.removeBlobs(parts: blobs)
                        aborted += 1
                    }
                }
            }
        } catch {
            logger.error("Lifecycle sweep failed", metadata: ["error": .string(String(describing: error))])
        }
        if expired > 0 || aborted > 0 {
            logger.info("Lifecycle sweep", metadata: ["expired": .stringConvertible(expired), "aborted-uploads": .stringConvertible(aborted)])
        }
        return (expired, aborted)
    }

    /// Applies the rules to one key's rows (newest first).
    /// - Returns: How many rows were expired.
    private func sweepKey(_ versions: [ObjectRecord], bucket: BucketRecord, rules: [LifecycleRule], now: Date) async throws -> Int {
        guard let current = versions.first, current.isLatest else { return 0 }
        // Judged on the row examined here, and again on the row the expiring transaction finds: an object
        // overwritten (or re-tagged out of the rule) since the scan survives.
        let stillDue: @Sendable (ObjectRecord) -> Bool = { row in
            LifecycleEvaluator.expiringRule(
                rules: rules,
                key: row.key,
                size: row.size,
                tags: row.tags,
                lastModified: row.lastModified,
                now: now
            ) != nil
        }
        var expired = 0
        if current.isDeleteMarker {
            if versions.count == 1, LifecycleEvaluator.expiredMarkerRule(rules: rules, marker: current, now: now) != nil,
                try await store.removeExpiredDeleteMarker(current)
            {
                expired += 1
            }
        } else if stillDue(current) {
            if bucket.configuration.versioning == nil {
                if let removed = try await store.deleteObject(ifUnchanged: current, stillDue: stillDue) {
                    store.removeBlobs(objects: [removed.blob])
                    expired += 1
                }
            } else {
                let marker = ObjectRecord(
                    bucket: bucket.name,
                    key: current.key,
                    blob: "",
                    size: 0,
                    etag: "",
                    headers: ObjectHeaders(),
                    tags: [],
                    lastModified: now,
                    versionId: bucket.configuration.versioning == "Enabled" ? S3VersionID.make() : S3VersionID.null,
                    partsCount: nil,
                    isDeleteMarker: true
                )
                if let outcome = try await store.addDeleteMarker(ifUnchanged: current, marker: marker, stillDue: stillDue) {
                    store.removeBlobs(objects: outcome.freedBlobs)
                    expired += 1
                }
            }
        }
        // Noncurrent rows: each became noncurrent when its successor (the next newer row) was created.
        for index in versions.indices.dropFirst() {
            let version = versions[index]
            guard
                LifecycleEvaluator.noncurrentExpiringRule(
                    rules: rules,
                    version: version,
                    noncurrentSince: versions[index - 1].lastModified,
                    newerNoncurrent: index - 1,
                    now: now
                ) != nil
            else { continue }
            if let removed = try await store.deleteObject(ifUnchanged: version) {
                store.removeBlobs(objects: [removed.blob])
                expired += 1
            }
        }
        return expired
    }
}
