import Foundation
import S3Service

/// Fuzzing of S3 XML bodies and S3 header values.
enum S3Fuzzing {
    private static let lastModified = Date(timeIntervalSince1970: 1_704_067_200)

    /// Parses the input as each XML body S3 accepts, and renders or evaluates what parsed.
    static func runXML(_ bytes: [UInt8]) {
        let data = Data(bytes)
        if let root = try? XMLTree.parse(data) {
            // CompleteMultipartUpload: the part list as completeMultipartUpload reads it.
            for part in root.all("Part") {
                FuzzInput.consume(part.value("PartNumber").flatMap { Int($0) })
                FuzzInput.consume(part.value("ETag"))
                FuzzInput.consume(part.value("ChecksumCRC32"))
            }
            // DeleteObjects: keys, versions and the quiet flag as deleteObjects reads them.
            for object in root.all("Object") {
                FuzzInput.consume(object.child("Key")?.text)
                FuzzInput.consume(object.value("VersionId"))
            }
            FuzzInput.consume(root.value("Quiet")?.lowercased())
        }
        if let rules = try? ConfigurationXML.parseCORS(data) {
            FuzzInput.consume(ConfigurationXML.renderCORS(rules))
            FuzzInput.consume(CORS.preflight(rules: rules, origin: "http://localhost:3000", method: "PUT", requestHeaders: ["content-type"]))
            FuzzInput.consume(CORS.actual(rules: rules, origin: "https://example.com", method: "GET"))
        }
        if let rules = try? ConfigurationXML.parseLifecycle(data) {
            FuzzInput.consume(ConfigurationXML.renderLifecycle(rules))
            let tags = [S3Tag(key: "k", value: "v")]
            for now in [lastModified, lastModified.addingTimeInterval(3_155_760_000)] {
                if let expiration = LifecycleEvaluator.announcedExpiration(
                    rules: rules,
                    key: "logs/a",
                    size: 10,
                    tags: tags,
                    lastModified: now
                ) {
                    FuzzInput.consume(LifecycleEvaluator.header(expiration))
                }
                FuzzInput.consume(
                    LifecycleEvaluator.expiringRule(rules: rules, key: "logs/a", size: 10, tags: tags, lastModified: lastModified, now: now)
                )
                FuzzInput.consume(LifecycleEvaluator.abortDue(rules: rules, key: "logs/a", initiated: lastModified, now: now))
            }
        }
        if let targets = try? ConfigurationXML.parseNotification(data) {
            FuzzInput.consume(ConfigurationXML.renderNotification(targets))
        }
        if let encryption = try? ConfigurationXML.parseEncryption(data) {
            FuzzInput.consume(ConfigurationXML.renderEncryption(encryption))
        }
        if let block = try? ConfigurationXML.parsePublicAccessBlock(data) {
            FuzzInput.consume(ConfigurationXML.renderPublicAccessBlock(block))
        }
        if let tags = try? ConfigurationXML.parseTagging(data, maxTags: 10) {
            FuzzInput.consume(ConfigurationXML.renderTagging(tags))
        }
        if let status = try? ConfigurationXML.parseVersioning(data) {
            FuzzInput.consume(ConfigurationXML.renderVersioning(status))
        }
    }

    /// Each line is tried as every S3 header or query value that is parsed: `Range` (against several object
    /// sizes), `If-Modified-Since`/`If-Unmodified-Since`/`If-Match`, listing counts and `x-amz-tagging`.
    static func runHeaders(_ bytes: [UInt8]) {
        for line in FuzzInput.lines(bytes).prefix(64) {
            for size in [0, 1, 10, Int(Int32.max), Int.max] {
                FuzzInput.consume(S3Service.parseRange(line, size: size))
            }
            FuzzInput.consume(
                S3Service.evaluateConditions(
                    etag: "\"abc\"",
                    lastModified: lastModified,
                    ifMatch: nil,
                    ifNoneMatch: nil,
                    ifModifiedSince: line,
                    ifUnmodifiedSince: line
                )
            )
            FuzzInput.consume(
                S3Service.evaluateConditions(
                    etag: "\"abc\"",
                    lastModified: lastModified,
                    ifMatch: line,
                    ifNoneMatch: line,
                    ifModifiedSince: nil,
                    ifUnmodifiedSince: nil
                )
            )
            FuzzInput.consume(try? S3Service.listingCount(line, name: "max-keys", argument: "maxKeys"))
            FuzzInput.consume(try? ConfigurationXML.parseTaggingHeader(line))
            FuzzInput.consume(LifecycleRule.parseDate(line))
        }
    }
}
