/// The bucket and key an S3 request addresses, worked out once by the gateway from the `Host` header
/// (virtual-hosted style) and the raw path; SigV2 verification and the S3 service both read it.
package struct S3Target: Sendable, Equatable {
    /// The bucket, decoded; nil for service-level requests (`ListBuckets`).
    package var bucket: String?
    /// The object key, decoded; nil for bucket-level requests.
    package var key: String?
    /// The bucket named by the `Host` header, when the request is virtual-hosted style.
    package var virtualHostBucket: String?

    /// Creates a target from its parts.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The key.
    ///   - virtualHostBucket: The bucket from the host, if any.
    package init(bucket: String?, key: String?, virtualHostBucket: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.virtualHostBucket = virtualHostBucket
    }

    /// Works out the target of a request.
    /// - Parameters:
    ///   - host: The `Host` header (HTTP/1 `authority`).
    ///   - rawPath: The percent-encoded path without the query.
    package init(host: String?, rawPath: String) {
        let hostBucket = S3Host.bucket(fromHost: host)
        self.virtualHostBucket = hostBucket
        if let hostBucket {
            let rawKey = rawPath.dropFirst()
            self.bucket = hostBucket
            self.key = rawKey.isEmpty ? nil : URLComponentsDecoding.decode(String(rawKey))
            return
        }
        let trimmed = rawPath.hasPrefix("/") ? rawPath.dropFirst() : Substring(rawPath)
        guard !trimmed.isEmpty else {
            self.bucket = nil
            self.key = nil
            return
        }
        guard let slash = trimmed.firstIndex(of: "/") else {
            self.bucket = URLComponentsDecoding.decode(String(trimmed))
            self.key = nil
            return
        }
        self.bucket = URLComponentsDecoding.decode(String(trimmed[..<slash]))
        let rawKey = trimmed[trimmed.index(after: slash)...]
        self.key = rawKey.isEmpty ? nil : URLComponentsDecoding.decode(String(rawKey))
    }
}

/// Recognises S3 virtual-hosted-style hosts.
package enum S3Host {
    /// The bucket named by a `Host` header such as `bucket.s3.localhost:4566`,
    /// `bucket.s3.us-east-1.amazonaws.com` or `bucket.localhost`, or `nil` for path-style hosts.
    /// - Parameter host: The `Host` header value.
    /// - Returns: The bucket name, if the host names one.
    package static func bucket(fromHost host: String?) -> String? {
        guard var host = host?.lowercased() else { return nil }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
        if host.first == "[" || host.allSatisfy({ $0.isNumber || $0 == "." }) { return nil }
        // `.s3.` (`bucket.s3.localhost`), else `.s3-` (`bucket.s3-us-west-2.amazonaws.com`), ends the bucket.
        let bytes = Array(host.utf8)
        for marker in [Array(".s3.".utf8), Array(".s3-".utf8)] {
            if let start = firstIndex(of: marker, in: bytes) {
                return start == 0 ? nil : String(decoding: bytes[..<start], as: UTF8.self)
            }
        }
        if host.hasSuffix(".localhost") {
            let bucket = String(host.dropLast(".localhost".count))
            return bucket.isEmpty || bucket == "s3" ? nil : bucket
        }
        return nil
    }

    private static func firstIndex(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= marker.count else { return nil }
        return (0...(bytes.count - marker.count)).first { bytes[$0..<$0 + marker.count].elementsEqual(marker) }
    }
}
