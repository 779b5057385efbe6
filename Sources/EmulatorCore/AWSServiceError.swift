import Foundation

/// An error that an AWS service returns to its caller.
///
/// Every service has one error enum conforming to this protocol. The front door (`AWSGateway`) is the only
/// place that turns it into wire form (JSON `__type`/`message`, S3 `<Error>`, query `<ErrorResponse>`).
package protocol AWSServiceError: Error, Sendable {
    /// The AWS error code, for example `ResourceNotFoundException` or `NoSuchKey`.
    var code: String { get }
    /// The human-readable message, worded as AWS words it.
    var message: String { get }
    /// The HTTP status code AWS answers with.
    var httpStatus: Int { get }
    /// `true` when the caller is at fault (`Sender` in query protocols), `false` for server faults.
    var isSenderFault: Bool { get }
    /// Extra fields AWS sends beside `Code` and `Message` (S3 `Key`, `BucketName`; JSON extra members).
    var extraFields: [(String, String)] { get }
    /// The full `__type` JSON protocols send, when it is not just ``code``
    /// (DynamoDB: `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException`).
    var jsonType: String? { get }
    /// Structured JSON members sent after `__type` and `message`, in order (DynamoDB's `Item` on a failed
    /// condition, `CancellationReasons` on a cancelled transaction). Only JSON protocols render them.
    var jsonMembers: [(String, JSONFragment)] { get }
}

extension AWSServiceError {
    /// Default: most AWS errors are the caller's fault.
    package var isSenderFault: Bool { httpStatus < 500 }
    /// Default: no extra fields.
    package var extraFields: [(String, String)] { [] }
    /// Default: `__type` is the code.
    package var jsonType: String? { nil }
    /// Default: no structured members.
    package var jsonMembers: [(String, JSONFragment)] { [] }
}

/// A JSON value already serialised by the service that owns its shape (an item, a list of cancellation reasons),
/// spliced unchanged into an error body by the renderer.
package struct JSONFragment: Sendable, Equatable {
    /// The UTF-8 bytes of one complete JSON value.
    package var bytes: [UInt8]

    /// Wraps bytes that are one complete JSON value.
    /// - Parameter bytes: The serialised value.
    package init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// A plain AWS error value for the cases that need no dedicated enum (gateway-level errors, admin endpoints).
package struct GenericAWSError: AWSServiceError {
    /// The AWS error code.
    package var code: String
    /// The AWS message text.
    package var message: String
    /// The HTTP status code.
    package var httpStatus: Int
    /// Extra fields rendered beside code and message.
    package var extraFields: [(String, String)]
    /// The full JSON `__type`, when it differs from the code.
    package var jsonType: String?

    /// Creates an error value.
    /// - Parameters:
    ///   - code: The AWS error code.
    ///   - message: The AWS message text.
    ///   - httpStatus: The HTTP status code.
    ///   - extraFields: Extra fields rendered beside code and message.
    ///   - jsonType: The full JSON `__type`, when it differs from the code.
    package init(code: String, message: String, httpStatus: Int = 400, extraFields: [(String, String)] = [], jsonType: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.extraFields = extraFields
        self.jsonType = jsonType
    }
}
