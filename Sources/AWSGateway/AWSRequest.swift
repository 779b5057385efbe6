import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigV4

/// One request as a service sees it, after routing and authentication.
package struct AWSRequest: Sendable {
    /// The HTTP request head (method, target, header fields).
    package var head: HTTPRequest
    /// The path exactly as received, percent-encoded, without the query.
    package var rawPath: String
    /// The query string exactly as received, without `?`.
    package var rawQuery: String
    /// The query parameters, percent-decoded, in order.
    package var queryItems: [(name: String, value: String)]
    /// The request body: still streaming for services that stream, else already collected.
    package var body: RequestBody
    /// The collected body for services that do not stream (JSON and query protocols).
    package var collectedBody: ByteBuffer?
    /// The request id this request answers with.
    package var requestId: String
    /// The authenticated caller.
    package var caller: Caller
    /// The region from the signature's credential scope, else the emulator's region.
    package var region: String
    /// The operation name (`X-Amz-Target` suffix or query `Action`), when the protocol carries it.
    package var operation: String?
    /// The bucket named by the `Host` header (S3 virtual-hosted style), if any.
    package var virtualHostBucket: String?
    /// The logger carrying request id, service and operation metadata.
    package var logger: Logger

    /// The HTTP method.
    package var method: HTTPRequest.Method { head.method }

    /// The value of a header field, by case-insensitive name.
    /// - Parameter name: The header name.
    /// - Returns: The first value, or `nil`.
    package func header(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return head.headerFields[field]
    }

    /// The first value of a query parameter.
    /// - Parameter name: The parameter name (case-sensitive, as AWS treats it).
    /// - Returns: The decoded value, or `nil`.
    package func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The collected body as `Data` (empty when there was none).
    package var bodyData: Data {
        guard let collectedBody else { return Data() }
        return Data(collectedBody.readableBytesView)
    }
}

/// Percent-decoding helpers for raw request targets.
package enum URLComponentsDecoding {
    /// Splits a raw query string into decoded name/value pairs (`+` is a space, as in forms).
    /// - Parameters:
    ///   - rawQuery: The query string without `?`.
    ///   - plusIsSpace: Whether `+` decodes to a space.
    /// - Returns: The pairs in order.
    package static func queryItems(_ rawQuery: String, plusIsSpace: Bool = false) -> [(name: String, value: String)] {
        guard !rawQuery.isEmpty else { return [] }
        return rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]), plusIsSpace: plusIsSpace)
            let value = parts.count > 1 ? decode(String(parts[1]), plusIsSpace: plusIsSpace) : ""
            return (name, value)
        }
    }

    /// Percent-decodes a component; invalid escapes are kept as written.
    /// - Parameters:
    ///   - text: The raw text.
    ///   - plusIsSpace: Whether `+` decodes to a space.
    /// - Returns: The decoded text.
    package static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        let source = plusIsSpace ? text.replacingOccurrences(of: "+", with: " ") : text
        return source.removingPercentEncoding ?? source
    }
}
