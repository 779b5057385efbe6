import EmulatorCore
import Logging

/// What the gateway pipeline knows about one request once it is resolved: its request id, the logger carrying
/// request id, service and operation metadata, the caller the SigV4 stage established and the region.
///
/// The stages fill it in order (request id → service resolution → operation → SigV4 → dispatch) and the service
/// reads it from ``AWSRequest/context``; nothing in it is worked out twice.
package struct AWSRequestContext: Sendable {
    /// The request id this request answers with.
    package var requestId: String
    /// The logger carrying `request-id`, `service` and `operation` metadata.
    package var logger: Logger
    /// The authenticated caller (anonymous until the SigV4 stage has run).
    package var caller: Caller
    /// The region from the signature's credential scope, else the emulator's region.
    package var region: String

    /// Creates a context for a resolved request.
    /// - Parameters:
    ///   - requestId: The request id.
    ///   - logger: The request logger.
    ///   - caller: The caller.
    ///   - region: The region.
    package init(requestId: String, logger: Logger, caller: Caller, region: String) {
        self.requestId = requestId
        self.logger = logger
        self.caller = caller
        self.region = region
    }
}

/// An operation of one service, resolved once by the gateway and dispatched on by the service: the AWS name the
/// gateway logs and the IAM action the service authorizes.
package protocol ServiceOperation: Sendable {
    /// The AWS operation name, for example `GetItem` or `PutObject`.
    var name: String { get }
    /// The IAM action, for example `dynamodb:GetItem` or `s3:PutObject`.
    var iamAction: String { get }
}

extension ServiceOperation where Self: RawRepresentable, RawValue == String {
    /// Operation enums whose raw value is the AWS name use it as the name.
    package var name: String { rawValue }
}
