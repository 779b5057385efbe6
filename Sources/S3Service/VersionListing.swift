/// Where a ListObjectVersions page resumes.
package enum VersionPosition: Sendable, Equatable {
    /// After every row of keys up to and including this one.
    case afterKey(String)
    /// After this row of a key (older rows of the key follow, then greater keys).
    case afterVersion(key: String, sequence: Int)
}

/// One page of ListObjectVersions.
package struct VersionPage: Sendable {
    /// Versions and delete markers in listing order (key, then newest first).
    package var entries: [ObjectRecord] = []
    /// The common prefixes.
    package var commonPrefixes: [String] = []
    /// Whether more remain.
    package var isTruncated = false
    /// `NextKeyMarker`: the last key or common prefix returned (when truncated).
    package var nextKeyMarker: String?
    /// `NextVersionIdMarker`: the version id of the last entry returned (when truncated and the last was a version).
    package var nextVersionIdMarker: String?
}

/// The paging of ListObjectVersions: versions and delete markers in key order, newest first within a key, keys
/// rolled up into common prefixes at the delimiter; each version, marker and common prefix counts once toward
/// `max-keys`.
package enum VersionListing {
    /// Reads one page.
    /// - Parameters:
    ///   - prefix: The key prefix.
    ///   - delimiter: The delimiter, if any (empty means none).
    ///   - start: Where to resume (from `key-marker` and `version-id-marker`), or nil.
    ///   - keyMarker: `key-marker`, which common prefixes must also pass.
    ///   - maxKeys: The most entries (versions, markers and prefixes).
    ///   - batchSize: How many rows one fetch returns at most.
    ///   - fetch: Rows after a position, at most the given count, in listing order.
    /// - Returns: The page.
    /// - Throws: What `fetch` throws.
    package static func page(
        prefix: String,
        delimiter: String?,
        start: VersionPosition?,
        keyMarker: String?,
        maxKeys: Int,
        batchSize: Int = 1000,
        fetch: (VersionPosition?, Int) async throws -> [ObjectRecord]
    ) async throws -> VersionPage {
        var page = VersionPage()
        guard maxKeys > 0 else { return page }
        let delimiter = delimiter.flatMap { $0.isEmpty ? nil : $0 }
        var position = start
        var count = 0
        outer: while true {
            let batch = try await fetch(position, max(1, batchSize))
            if batch.isEmpty { break }
            for row in batch {
                position = .afterVersion(key: row.key, sequence: row.sequence)
                if let delimiter, let commonPrefix = rollUp(row.key, prefix: prefix, delimiter: delimiter) {
                    // Every key under the prefix is covered by this entry: the next fetch starts past them all.
                    position = .afterKey(commonPrefix + "\u{10FFFF}")
                    if let keyMarker, commonPrefix <= keyMarker { continue outer }
                    if count == maxKeys {
                        page.isTruncated = true
                        break outer
                    }
                    page.commonPrefixes.append(commonPrefix)
                    page.nextKeyMarker = commonPrefix
                    page.nextVersionIdMarker = nil
                    count += 1
                    continue outer
                }
                if count == maxKeys {
                    page.isTruncated = true
                    break outer
                }
                page.entries.append(row)
                page.nextKeyMarker = row.key
                page.nextVersionIdMarker = row.versionId
                count += 1
            }
            if batch.count < batchSize { break }
        }
        if !page.isTruncated {
            page.nextKeyMarker = nil
            page.nextVersionIdMarker = nil
        }
        return page
    }

    /// The common prefix a key rolls up into: the prefix, then the key's rest up to and including the first
    /// delimiter after it; nil when the rest has no delimiter.
    /// - Parameters:
    ///   - key: The key (which starts with `prefix`).
    ///   - prefix: The listing's prefix.
    ///   - delimiter: The delimiter (not empty).
    /// - Returns: The common prefix, or nil.
    package static func rollUp(_ key: String, prefix: String, delimiter: String) -> String? {
        let rest = String(decoding: key.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
        guard let range = rest.range(of: delimiter) else { return nil }
        return prefix + String(rest[..<range.upperBound])
    }
}
