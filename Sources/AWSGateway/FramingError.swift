import EmulatorCore
import NIOCore
import NIOHTTP1

/// The answers the front door gives to requests that are broken at the HTTP level, before any service sees them.
///
/// They are worded as Amazon S3 words them (the fallback service of the edge port, and the one whose HTTP-level
/// errors AWS documents): `<Error>` with `Code`, `Message`, extra fields, `RequestId` and `HostId`.
/// See [S3 error responses](https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
package enum FramingError: AWSServiceError, Equatable {
    /// A request the HTTP parser refuses: a negative, empty, non-numeric or overflowing `Content-Length`, both
    /// `Content-Length` and `Transfer-Encoding`, a bad chunk size, a malformed request line.
    case badRequest
    /// The header section (field lines, request line included when the parser counts it) is over the limit.
    case headerSectionTooLarge(limit: Int)
    /// The client stopped sending in the middle of a request for longer than the idle timeout.
    case requestTimeout
    /// The connection ended before the request body was complete (never sent: the client is gone).
    case incompleteBody

    /// The S3 error code.
    package var code: String {
        switch self {
        case .badRequest: "BadRequest"
        case .headerSectionTooLarge: "RequestHeaderSectionTooLarge"
        case .requestTimeout: "RequestTimeout"
        case .incompleteBody: "IncompleteBody"
        }
    }

    /// S3's message text.
    package var message: String {
        switch self {
        case .badRequest: "An error occurred when parsing the HTTP request."
        case .headerSectionTooLarge: "Your request header section exceeds the maximum allowed size."
        case .requestTimeout:
            "Your socket connection to the server was not read from or written to within the timeout period. "
                + "Idle connections will be closed."
        case .incompleteBody: "You did not provide the number of bytes specified by the Content-Length HTTP header."
        }
    }

    /// Every framing error is a 400, as S3 answers them.
    package var httpStatus: Int { 400 }

    /// `MaxSizeAllowed` for an oversized header section.
    package var extraFields: [(String, String)] {
        if case .headerSectionTooLarge(let limit) = self { return [("MaxSizeAllowed", String(limit))] }
        return []
    }

    /// The error for a parser failure.
    /// - Parameters:
    ///   - error: What the HTTP/1 decoder reported.
    ///   - headerLimit: The header section limit to report for oversized heads.
    /// - Returns: ``headerSectionTooLarge(limit:)`` for oversized heads, ``badRequest`` for everything else.
    package static func forParserError(_ error: HTTPParserError, headerLimit: Int) -> FramingError {
        error == .headerOverflow ? .headerSectionTooLarge(limit: headerLimit) : .badRequest
    }

    /// The complete response (head and body) in S3's XML shape, closing the connection.
    /// - Parameters:
    ///   - requestId: The `x-amz-request-id` to report.
    ///   - hostId: The `x-amz-id-2` to report.
    /// - Returns: The response head and its body.
    package func response(
        requestId: String = RequestID.s3(),
        hostId: String = RequestID.s3HostID()
    ) -> (
        head: HTTPResponseHead, body: ByteBuffer
    ) {
        var xml = XMLWriter()
        xml.element("Error") { xml in
            xml.element("Code", code)
            xml.element("Message", message)
            for (key, value) in extraFields { xml.element(key, value) }
            xml.element("RequestId", requestId)
            xml.element("HostId", hostId)
        }
        let body = ByteBuffer(string: xml.result)
        let headers = HTTPHeaders([
            ("x-amz-request-id", requestId),
            ("x-amz-id-2", hostId),
            ("Content-Type", "application/xml"),
            ("Content-Length", String(body.readableBytes)),
            ("Connection", "close"),
        ])
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: httpStatus), headers: headers)
        return (head, body)
    }
}
