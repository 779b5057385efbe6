import Foundation
import Testing

@testable import S3Service

@Suite struct LifecycleTests {
    let created = Date(timeIntervalSince1970: 1_764_000_000)  // 2025-11-24T16:00:00Z
    let day: TimeInterval = 86_400

    var templateRules: [LifecycleRule] {
        [
            LifecycleRule(id: "ExpireQueryAudio", prefix: "queries/", expirationDays: 7),
            LifecycleRule(id: "ExpireResponseAudio", prefix: "responses/", expirationDays: 7),
        ]
    }

    @Test func sevenDaysExpireQueriesAndResponsesOnly() {
        // Created 2025-11-24T16:00Z: seven days later, rounded up to midnight UTC, is 2025-12-02T00:00Z.
        let now = Date(timeIntervalSince1970: 1_764_633_600)
        for (key, expected) in [("queries/q.wav", "ExpireQueryAudio"), ("responses/r.mp3", "ExpireResponseAudio")] {
            #expect(LifecycleEvaluator.expiringRule(rules: templateRules, key: key, size: 1, tags: [], lastModified: created, now: now) == expected)
        }
        #expect(
            LifecycleEvaluator.expiringRule(rules: templateRules, key: "lectures/l.wav", size: 1, tags: [], lastModified: created, now: now) == nil
        )
        let early = now.addingTimeInterval(-1)
        #expect(
            LifecycleEvaluator.expiringRule(rules: templateRules, key: "queries/q.wav", size: 1, tags: [], lastModified: created, now: early) == nil
        )
    }

    @Test func announcedExpirationRoundsUpToMidnight() throws {
        let expiration = try #require(
            LifecycleEvaluator.announcedExpiration(rules: templateRules, key: "queries/q.wav", size: 1, tags: [], lastModified: created)
        )
        #expect(expiration.ruleId == "ExpireQueryAudio")
        #expect(expiration.date == Date(timeIntervalSince1970: 1_764_633_600))  // 2025-12-02T00:00:00Z
        #expect(LifecycleEvaluator.header(expiration) == "expiry-date=\"Tue, 02 Dec 2025 00:00:00 GMT\", rule-id=\"ExpireQueryAudio\"")
    }

    @Test func tagAndSizeFiltersMustAllMatch() {
        let rule = LifecycleRule(
            id: "tagged",
            prefix: "tmp/",
            tags: [S3Tag(key: "temp", value: "yes")],
            objectSizeGreaterThan: 10,
            objectSizeLessThan: 100,
            expirationDays: 1
        )
        let tags = [S3Tag(key: "temp", value: "yes"), S3Tag(key: "other", value: "x")]
        #expect(LifecycleEvaluator.applies(rule, key: "tmp/a", size: 50, tags: tags))
        #expect(!LifecycleEvaluator.applies(rule, key: "tmp/a", size: 50, tags: [S3Tag(key: "temp", value: "no")]))
        #expect(!LifecycleEvaluator.applies(rule, key: "tmp/a", size: 10, tags: tags))
        #expect(!LifecycleEvaluator.applies(rule, key: "tmp/a", size: 100, tags: tags))
        #expect(!LifecycleEvaluator.applies(rule, key: "other/a", size: 50, tags: tags))
    }

    @Test func disabledRulesDoNothing() {
        let rule = LifecycleRule(id: "off", status: "Disabled", prefix: "", expirationDays: 1)
        #expect(
            LifecycleEvaluator.expiringRule(
                rules: [rule],
                key: "k",
                size: 1,
                tags: [],
                lastModified: created,
                now: created.addingTimeInterval(30 * day)
            ) == nil
        )
    }

    @Test func dateRulesExpireFromTheDate() throws {
        let date = try #require(LifecycleRule.parseDate("2026-01-01T00:00:00.000Z"))
        let rule = LifecycleRule(id: "date", prefix: "", expirationDate: date)
        #expect(
            LifecycleEvaluator.expiringRule(rules: [rule], key: "k", size: 1, tags: [], lastModified: created, now: date.addingTimeInterval(-1))
                == nil
        )
        #expect(LifecycleEvaluator.expiringRule(rules: [rule], key: "k", size: 1, tags: [], lastModified: created, now: date) == "date")
        #expect(LifecycleRule.parseDate("2026-01-01") == date)
    }

    @Test func abortIncompleteUploadsAfterDays() {
        let rule = LifecycleRule(id: "abort", prefix: "uploads/", abortIncompleteMultipartUploadDays: 2)
        let midnight = Date(timeIntervalSince1970: 1_764_201_600)  // 2025-11-27T00:00:00Z, the first after created + 2 days
        #expect(!LifecycleEvaluator.abortDue(rules: [rule], key: "uploads/a", initiated: created, now: created.addingTimeInterval(2 * day)))
        #expect(!LifecycleEvaluator.abortDue(rules: [rule], key: "uploads/a", initiated: created, now: midnight.addingTimeInterval(-1)))
        #expect(LifecycleEvaluator.abortDue(rules: [rule], key: "uploads/a", initiated: created, now: midnight))
        #expect(!LifecycleEvaluator.abortDue(rules: [rule], key: "other/a", initiated: created, now: created.addingTimeInterval(9 * day)))
    }

    /// The sweeper's instant and the `x-amz-expiration` header agree: due at the announced midnight, not a second before.
    @Test func sweeperAgreesWithTheAnnouncedExpiration() throws {
        for offset in [0, 1, 3_600, 28_799, 28_800, 86_399] {
            let lastModified = Date(timeIntervalSince1970: 1_764_000_000 + TimeInterval(offset))
            let announced = try #require(
                LifecycleEvaluator.announcedExpiration(rules: templateRules, key: "queries/q", size: 1, tags: [], lastModified: lastModified)
            )
            #expect(announced.date.timeIntervalSince1970.truncatingRemainder(dividingBy: day) == 0)
            let due = { (now: Date) in
                LifecycleEvaluator.expiringRule(rules: templateRules, key: "queries/q", size: 1, tags: [], lastModified: lastModified, now: now)
            }
            #expect(due(announced.date.addingTimeInterval(-1)) == nil)
            #expect(due(announced.date) == "ExpireQueryAudio")
        }
    }
}
