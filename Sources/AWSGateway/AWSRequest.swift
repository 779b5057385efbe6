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
    /// Request id, logger and caller, as the gateway's stages established them.
    package var context: AWSRequestContext
    /// The form body of a query-protocol request (`application/x-www-form-urlencoded`), decoded once by the gateway.
    package var formItems: [(name: String, value: String)] = []
    /// The operation name (`X-Amz-Target` suffix, query `Action`, or the service's typed operation's name).
    package var operation: String?
    /// The service's typed operation, when the service resolves one (``AWSServiceHandler/resolveOperation(_:)``).
    package var serviceOperation: (any ServiceOperation)?
    /// The S3 bucket and key (S3 requests only), worked out once by the gateway.
    package var s3Target: S3Target?

    /// The request id this request answers with.
    package var requestId: String {
        get { context.requestId }
        set { context.requestId = newValue }
    }
    /// The authenticated caller.
    package var caller: Caller {
        get { context.caller }
        set { context.caller = newValue }
    }
    /// The region from the signature's credential scope, else the emulator's region.
    package var region: String {
        get { context.region }
        set { context.region = newValue }
    }
    /// The logger carrying request id, service and operation metadata.
    package var logger: Logger {
        get { context.logger }
        set { context.logger = newValue }
    }
    /// The bucket named by the `Host` header (S3 virtual-hosted style), if any.
    package var virtualHostBucket: String? { s3Target?.virtualHostBucket }

    /// The query parameters and then the form parameters (query-protocol requests), the first of each name winning.
    package var parameters: [String: String] {
        Dictionary(queryItems + formItems, uniquingKeysWith: { first, _ in first })
    }

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

    /// Percent-decodes a component. A text with an invalid escape, or whose decoded bytes are not UTF-8, is kept as
    /// written (Foundation's `removingPercentEncoding` rule), without bridging through `NSString`.
    /// - Parameters:
    ///   - text: The raw text.
    ///   - plusIsSpace: Whether `+` decodes to a space.
    /// - Returns: The decoded text.
    package static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        let utf8 = text.utf8
        let plus = UInt8(ascii: "+")
        let percent = UInt8(ascii: "%")
        guard utf8.contains(where: { $0 == percent || (plusIsSpace && $0 == plus) }) else { return text }
        var plain: [UInt8] = []
        plain.reserveCapacity(utf8.count)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(utf8.count)
        var valid = true
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == percent, valid {
                plain.append(byte)
                guard let high = iterator.next() else {
                    valid = false
                    continue
                }
                plain.append(plusIsSpace && high == plus ? UInt8(ascii: " ") : high)
                guard let low = iterator.next() else {
                    valid = false
                    continue
                }
                plain.append(plusIsSpace && low == plus ? UInt8(ascii: " ") : low)
                if let highValue = SigV4Encoding.hexValue(high), let lowValue = SigV4Encoding.hexValue(low) {
                    decoded.append(highValue << 4 | lowValue)
                } else {
                    valid = false
                }
                continue
            }
            let mapped = plusIsSpace && byte == plus ? UInt8(ascii: " ") : byte
            plain.append(mapped)
            decoded.append(mapped)
        }
        if valid {
            // Decoding repairs invalid UTF-8; a repaired result differs from the bytes, and Foundation keeps the text.
            let result = String(decoding: decoded, as: UTF8.self)
            if result.utf8.elementsEqual(decoded) { return result }
        }
        return String(decoding: plain, as: UTF8.self)
    }
}
