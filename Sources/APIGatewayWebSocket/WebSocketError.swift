import EmulatorCore

/// Errors of the API Gateway management API (`@connections`), worded as AWS words them.
///
/// `GoneException` is not here: AWS sends it with an empty JSON body (botocore then reports `Unknown`), which
/// ``ManagementAPI`` renders itself.
package enum WebSocketError: AWSServiceError {
    /// `PayloadTooLargeException` (413): PostToConnection data over 128 KB.
    case payloadTooLarge(size: Int)
    /// `ForbiddenException` (403): the caller may not manage connections of this API.
    case forbidden(message: String)
    /// `NotFoundException`-like 404 for paths the management API does not serve.
    case unknownPath(String)
    /// `BadRequestException` (400): a malformed request (empty connection id).
    case badRequest(String)

    /// The AWS error code.
    package var code: String {
        switch self {
        case .payloadTooLarge: "PayloadTooLargeException"
        case .forbidden: "ForbiddenException"
        case .unknownPath: "NotFoundException"
        case .badRequest: "BadRequestException"
        }
    }

    /// The message text.
    package var message: String {
        switch self {
        case .payloadTooLarge(let size): WebSocketMessages.payloadTooLarge(size: size)
        case .forbidden(let message): message
        case .unknownPath(let path): WebSocketMessages.unknownPath(path)
        case .badRequest(let message): message
        }
    }

    /// The HTTP status.
    package var httpStatus: Int {
        switch self {
        case .payloadTooLarge: 413
        case .forbidden: 403
        case .unknownPath: 404
        case .badRequest: 400
        }
    }
}

/// Every text API Gateway sends (error bodies, error frames, close reasons, disconnect reasons), in one place.
package enum WebSocketMessages {
    /// PostToConnection data over the 128 KB quota.
    static func payloadTooLarge(size: Int) -> String {
        "Message size \(size) exceeds the maximum of \(WebSocketLimits.maxMessageBytes) bytes"
    }

    /// A management API path that names no operation.
    static func unknownPath(_ path: String) -> String { "No method found matching route \(path)" }

    /// The error frame for a message no route matches when the API has no `$default` route.
    static let forbidden = "Forbidden"
    /// The error frame (and refusal body) when the integration fails.
    static let internalServerError = "Internal server error"
    /// The error frame when the integration does not answer within 29 seconds.
    static let endpointTimedOut = "Endpoint request timed out"
    /// The refusal body when a REQUEST authorizer's identity source is missing.
    static let unauthorized = "Unauthorized"

    /// `disconnectReason` when the client closes without a status code (recorded AWS event).
    static let clientNoStatus = "Client-side close frame status not set"
    /// `disconnectReason` and close reason for the 10-minute idle timeout and the 2-hour maximum.
    static let goingAway = "Going away"
    /// Close reason for a message over 128 KB (close code 1009).
    static let messageTooBig = "Message too big"
    /// `disconnectReason` after DeleteConnection.
    static let deletedByApi = "Connection deleted by API"
    /// `disconnectReason` when the TCP connection dropped without a close frame.
    static let abnormalClosure = "Connection closed abnormally"
    /// `disconnectReason` when the emulator shuts down.
    static let serverShutdown = "Server shutting down"
}

/// API Gateway's WebSocket quotas.
package enum WebSocketLimits {
    /// Maximum frame size (32 KB); larger frames close the connection with 1009.
    package static let maxFrameBytes = 32 * 1024
    /// Maximum message size (128 KB), for client messages and PostToConnection data.
    package static let maxMessageBytes = 128 * 1024
    /// Idle timeout: 10 minutes without a message in either direction.
    package static let idleTimeout: Double = 10 * 60
    /// Maximum connection duration: 2 hours.
    package static let maximumDuration: Double = 2 * 60 * 60
    /// Integration timeout: 29 seconds.
    package static let integrationTimeout: Duration = .seconds(29)

    /// An integration's `TimeoutInMillis` within API Gateway's range (50 ms to 29 s).
    /// - Parameter milliseconds: The template value.
    /// - Returns: The timeout.
    package static func integrationTimeout(milliseconds: Int) -> Duration {
        .milliseconds(min(max(milliseconds, 50), 29_000))
    }
}
