import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one place where errors become wire responses.
///
/// JSON protocols get `__type` + `message` and the `x-amzn-ErrorType` header; S3 gets `<Error>` with `Code`,
/// `Message`, extra elements, `RequestId` and `HostId`; query protocols get `<ErrorResponse>`.
package enum ErrorRenderer {
    /// Renders an AWS error for a protocol.
    /// - Parameters:
    ///   - error: The error.
    ///   - wireProtocol: The protocol of the service that failed.
    ///   - requestId: The request id to report.
    ///   - isHead: Whether the request was a HEAD request (S3 sends no body then).
    ///   - checksum: Whether to send the body's `x-amz-crc32` (services whose descriptor asks for it).
    /// - Returns: The response.
    package static func response(
        for error: any AWSServiceError,
        protocol wireProtocol: WireProtocol,
        requestId: String,
        isHead: Bool = false,
        checksum: Bool = false
    ) -> Response {
        let status = HTTPResponse.Status(code: error.httpStatus)
        switch wireProtocol {
        case .awsJson1_0, .awsJson1_1, .restJson1:
            let body = jsonBody(for: error, protocol: wireProtocol)
            var headers = HTTPFields()
            headers[.contentType] = wireProtocol.jsonContentType
            headers[.amznRequestId] = requestId
            headers[.amznErrorType] = error.code
            if checksum { headers[.amzCrc32] = String(CRC32.checksum(body)) }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        case .restXml:
            var headers = HTTPFields()
            headers[.amzRequestId] = requestId
            headers[.amzId2] = RequestID.s3HostID()
            if isHead {
                return Response(status: status, headers: headers)
            }
            var xml = XMLWriter()
            xml.element("Error") { xml in
                xml.element("Code", error.code)
                xml.element("Message", error.message)
                for (key, value) in error.extraFields { xml.element(key, value) }
                xml.element("RequestId", requestId)
                xml.element("HostId", headers[.amzId2] ?? "")
            }
            headers[.contentType] = "application/xml"
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml.result)))
        case .awsQuery(let namespace):
            var xml = XMLWriter(declaration: false)
            xml.element("ErrorResponse", attributes: [("xmlns", namespace)]) { xml in
                xml.element("Error") { xml in
                    xml.element("Type", error.isSenderFault ? "Sender" : "Receiver")
                    xml.element("Code", error.code)
                    xml.element("Message", error.message)
                    for (key, value) in error.extraFields { xml.element(key, value) }
                }
                xml.element("RequestId", requestId)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/xml"
            headers[.amznRequestId] = requestId
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml.result)))
        }
    }
}

extension ErrorRenderer {
    /// The JSON error body: the string members (extra fields, `__type` for the JSON-RPC protocols, `message`) in
    /// sorted order, then the error's structured ``AWSServiceError/jsonMembers`` in their own order.
    /// - Parameters:
    ///   - error: The error.
    ///   - wireProtocol: A JSON protocol.
    /// - Returns: The body bytes.
    package static func jsonBody(for error: any AWSServiceError, protocol wireProtocol: WireProtocol) -> Data {
        var members: [(String, String)] = []
        func set(_ key: String, _ value: String) {
            if let index = members.firstIndex(where: { $0.0 == key }) {
                members[index].1 = value
            } else {
                members.append((key, value))
            }
        }
        for (key, value) in error.extraFields { set(key, value) }
        if case .restJson1 = wireProtocol {
            if !members.contains(where: { $0.0 == "message" }) { set("message", error.message) }
        } else {
            set("__type", error.jsonType ?? error.code)
            // An error may spell the member `Message` itself (DynamoDB does when it returns the old `Item`).
            if !members.contains(where: { $0.0 == "Message" }) { set("message", error.message) }
        }
        members.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        var out = Data()
        out.reserveCapacity(128)
        out.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in members {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONString.write(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONString.write(value, to: &out)
        }
        for (key, fragment) in error.jsonMembers {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONString.write(key, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: fragment.bytes)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// Errors the front door itself raises, worded as AWS words them.
package enum GatewayError {
    /// The JSON `__type` namespace AWS's front end uses for its own errors.
    private static let coral = "com.amazon.coral.service#"

    /// An `X-Amz-Target` or query `Action` this emulator does not implement.
    /// - Parameters:
    ///   - operation: The operation name, if known.
    ///   - wireProtocol: The protocol, which decides the error code.
    /// - Returns: The error.
    package static func unknownOperation(_ operation: String?, protocol wireProtocol: WireProtocol) -> GenericAWSError {
        switch wireProtocol {
        case .awsJson1_0, .awsJson1_1:
            GenericAWSError(code: "UnknownOperationException", message: "", jsonType: coral + "UnknownOperationException")
        case .restJson1:
            GenericAWSError(code: "UnknownOperationException", message: "Unknown operation \(operation ?? "")", httpStatus: 404)
        case .restXml:
            GenericAWSError(
                code: "NotImplemented",
                message: "A header you provided implies functionality that is not implemented",
                httpStatus: 501
            )
        case .awsQuery:
            GenericAWSError(
                code: "InvalidAction",
                message: "Could not find operation \(operation ?? "") for version 2010-05-15"
            )
        }
    }

    /// A request with no signature to a service that needs one.
    /// - Parameter wireProtocol: The protocol.
    /// - Returns: The error.
    package static func missingAuthenticationToken(protocol wireProtocol: WireProtocol) -> GenericAWSError {
        switch wireProtocol {
        case .awsJson1_0, .awsJson1_1:
            GenericAWSError(
                code: "MissingAuthenticationTokenException",
                message: "Request is missing Authentication Token",
                jsonType: coral + "MissingAuthenticationTokenException"
            )
        case .restJson1:
            GenericAWSError(code: "MissingAuthenticationTokenException", message: "Missing Authentication Token", httpStatus: 403)
        case .restXml:
            GenericAWSError(code: "AccessDenied", message: "Access Denied", httpStatus: 403)
        case .awsQuery:
            GenericAWSError(
                code: "MissingAuthenticationToken",
                message: "Request is missing Authentication Token",
                httpStatus: 403
            )
        }
    }

    /// A JSON body that does not parse.
    /// - Returns: The error.
    package static func serialization(_ message: String = "Start of structure or map found where not expected.") -> GenericAWSError {
        GenericAWSError(code: "SerializationException", message: message, jsonType: coral + "SerializationException")
    }

    /// The unexpected-failure error every protocol falls back to.
    /// - Returns: The error.
    package static func internalFailure() -> GenericAWSError {
        GenericAWSError(
            code: "InternalFailure",
            message: "The request processing has failed because of an unknown error, exception or failure.",
            httpStatus: 500
        )
    }
}

extension HTTPField.Name {
    /// `x-amzn-RequestId`.
    package static let amznRequestId = constant("x-amzn-RequestId")
    /// `x-amzn-ErrorType`.
    package static let amznErrorType = constant("x-amzn-ErrorType")
    /// `x-amz-request-id` (S3).
    package static let amzRequestId = constant("x-amz-request-id")
    /// `x-amz-id-2` (S3).
    package static let amzId2 = constant("x-amz-id-2")
    /// `X-Amz-Target`.
    package static let amzTarget = constant("X-Amz-Target")
    /// `x-amz-crc32` (DynamoDB's checksum of every response body).
    package static let amzCrc32 = constant("x-amz-crc32")

    /// Builds a header name from a literal known to be valid.
    /// - Parameter name: A valid header name literal.
    /// - Returns: The header name.
    package static func constant(_ name: String) -> Self {
        guard let field = Self(name) else { preconditionFailure("invalid header name literal \(name)") }
        return field
    }
}
