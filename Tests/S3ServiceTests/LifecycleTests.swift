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
        let now = created.addingTimeInterval(7 * day)
        for (key, expected) in [("queries/q.wav", "ExpireQueryAudio"), ("responses/r.mp3", "ExpireResponseAudio")] {
            #expect(LifecycleEvaluator.expiringRule(rules: templateRules, key: key, size: 1, tags: [], lastModified: created, now: now) == expected)
        }
        #expect(
            LifecycleEvaluator.expiringRule(rules: templateRules, key: "lectures/l.wav", size: 1, tags: [], lastModified: created, now: now) == nil
        )
        let early = created.addingTimeInterval(7 * day - 1)
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
        #expect(!LifecycleEvaluator.abortDue(rules: [rule], key: "uploads/a", initiated: created, now: created.addingTimeInterval(day)))
        #expect(LifecycleEvaluator.abortDue(rules: [rule], key: "uploads/a", initiated: created, now: created.addingTimeInterval(2 * day)))
        #expect(!LifecycleEvaluator.abortDue(rules: [rule], key: "other/a", initiated: created, now: created.addingTimeInterval(9 * day)))
    }
}
