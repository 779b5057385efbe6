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
    /// - Returns: The response.
    package static func response(
        for error: any AWSServiceError,
        protocol wireProtocol: WireProtocol,
        requestId: String,
        isHead: Bool = false
    ) -> Response {
        let status = HTTPResponse.Status(code: error.httpStatus)
        switch wireProtocol {
        case .awsJson1_0, .awsJson1_1, .restJson1:
            var object: [String: String] = [:]
            for (key, value) in error.extraFields { object[key] = value }
            if case .restJson1 = wireProtocol {
                object["message"] = object["message"] ?? error.message
            } else {
                object["__type"] = error.jsonType ?? error.code
                object["message"] = error.message
            }
            let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            var headers = HTTPFields()
            headers[.contentType] = wireProtocol.jsonContentType
            headers[.amznRequestId] = requestId
            headers[.amznErrorType] = error.code
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

    /// Builds a header name from a literal known to be valid.
    /// - Parameter name: A valid header name literal.
    /// - Returns: The header name.
    package static func constant(_ name: String) -> Self {
        guard let field = Self(name) else { preconditionFailure("invalid header name literal \(name)") }
        return field
    }
}
