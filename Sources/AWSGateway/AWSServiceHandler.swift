import EmulatorCore
import HTTPTypes
import Hummingbird

/// What the front door needs to know to route and authenticate requests for one AWS service.
package struct ServiceDescriptor: Sendable {
    /// How the service receives its request body.
    package enum BodyMode: Sendable {
        /// The gateway collects the whole body (up to the limit) before signature verification.
        case collect(BodyLimit)
        /// The service streams the body itself (S3); the signature covers `x-amz-content-sha256`.
        case stream

        /// Collects bodies up to a fixed size, refusing larger ones with `RequestEntityTooLargeException`.
        /// - Parameter maxBytes: The largest accepted body.
        /// - Returns: The body mode.
        package static func collect(maxBytes: Int) -> BodyMode {
            .collect(BodyLimit(maxBytes: maxBytes))
        }
    }

    /// The SigV4 signing name (`s3`, `dynamodb`, `lambda`, `execute-api`, `cognito-identity`, `sts`...).
    package var signingName: String
    /// The name in `/_local/health` and logs.
    package var name: String
    /// The wire protocol, which decides error rendering.
    package var wireProtocol: WireProtocol
    /// How the body is received.
    package var bodyMode: BodyMode
    /// Operations AWS serves without a signature (Cognito `GetId`, `GetCredentialsForIdentity`...).
    package var unsignedOperations: Set<String>
    /// Whether the service itself decides about anonymous requests (S3: bucket policy, public access block).
    package var handlesAnonymous: Bool
    /// Whether every response, errors included, carries the `x-amz-crc32` checksum of its body (DynamoDB).
    package var checksumsResponses: Bool

    /// Creates a descriptor.
    /// - Parameters:
    ///   - signingName: The SigV4 signing name.
    ///   - name: The display name.
    ///   - wireProtocol: The wire protocol.
    ///   - bodyMode: How the body is received.
    ///   - unsignedOperations: Operations served without a signature.
    ///   - handlesAnonymous: Whether anonymous requests reach the service.
    ///   - checksumsResponses: Whether responses carry `x-amz-crc32`.
    package init(
        signingName: String,
        name: String,
        wireProtocol: WireProtocol,
        bodyMode: BodyMode = .collect(BodyLimit(maxBytes: BodyLimit.defaultMaxBytes)),
        unsignedOperations: Set<String> = [],
        handlesAnonymous: Bool = false,
        checksumsResponses: Bool = false
    ) {
        self.signingName = signingName
        self.name = name
        self.wireProtocol = wireProtocol
        self.bodyMode = bodyMode
        self.unsignedOperations = unsignedOperations
        self.handlesAnonymous = handlesAnonymous
        self.checksumsResponses = checksumsResponses
    }
}

/// The state of one service in `/_local/health`.
package struct ServiceHealth: Sendable {
    /// `running`, or `not-implemented` for services that answer every operation with an AWS error.
    package var state: String
    /// Resource counts, for example `["tables": 1]`.
    package var resources: [String: Int]
    /// Further facts, for example TTL deletions so far.
    package var details: [String: Int]

    /// Creates a health record.
    /// - Parameters:
    ///   - state: The state word.
    ///   - resources: Resource counts.
    ///   - details: Further counters.
    package init(state: String, resources: [String: Int] = [:], details: [String: Int] = [:]) {
        self.state = state
        self.resources = resources
        self.details = details
    }
}

/// One AWS service served by the front door.
package protocol AWSServiceHandler: Sendable {
    /// Routing and authentication facts.
    var descriptor: ServiceDescriptor { get }

    /// Names the request's typed operation, once, before authentication (the gateway logs it and checks
    /// ``ServiceDescriptor/unsignedOperations`` against its name). The request carries the protocol's operation
    /// name (`X-Amz-Target` suffix, query `Action`), the decoded form and the S3 target, but no caller yet.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil when the request names none this service serves (the service then answers
    ///   AWS's error for it when it handles the request).
    func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)?

    /// Answers one request. Throw an ``AWSServiceError`` for AWS errors; the gateway renders it.
    /// - Parameter request: The routed, authenticated request.
    /// - Returns: The HTTP response.
    /// - Throws: An ``AWSServiceError`` the gateway renders for the service's protocol.
    func handle(_ request: AWSRequest) async throws -> Response

    /// The service's state for `/_local/health`.
    func health() async -> ServiceHealth
}

extension AWSServiceHandler {
    /// Default: the service has no operation enum; the protocol's operation name is all the gateway logs.
    /// - Parameter request: The request so far.
    /// - Returns: nil.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? { nil }
}

/// The largest request body a service that does not stream accepts, and AWS's answer beyond it.
///
/// The gateway checks a declared `Content-Length` against the limit before it reads a byte of the body, and
/// stops collecting a body without one (chunked) as soon as it passes the limit, so an oversized request
/// costs neither the memory nor the time of reading it.
package struct BodyLimit: Sendable {
    /// The default for services whose AWS limit is not documented more tightly: 1 MiB.
    package static let defaultMaxBytes = 1024 * 1024

    /// The largest accepted body for a request (it may depend on the operation, e.g. Lambda's `Event` invokes).
    package var maxBytes: @Sendable (_ head: HTTPRequest) -> Int
    /// The error for a body of `size` bytes (at least `limit + 1` when the size is not known) over `limit`.
    package var error: @Sendable (_ head: HTTPRequest, _ size: Int, _ limit: Int) -> GenericAWSError

    /// Creates a limit.
    /// - Parameters:
    ///   - maxBytes: The largest accepted body for a request head.
    ///   - error: The error for an oversized body.
    package init(
        maxBytes: @escaping @Sendable (_ head: HTTPRequest) -> Int,
        error: @escaping @Sendable (_ head: HTTPRequest, _ size: Int, _ limit: Int) -> GenericAWSError
    ) {
        self.maxBytes = maxBytes
        self.error = error
    }

    /// Creates a fixed limit.
    /// - Parameters:
    ///   - maxBytes: The largest accepted body.
    ///   - error: The error for an oversized body (default: the common `RequestEntityTooLargeException`).
    package init(
        maxBytes: Int,
        error: @escaping @Sendable (_ head: HTTPRequest, _ size: Int, _ limit: Int) -> GenericAWSError = Self.requestEntityTooLarge
    ) {
        self.init(maxBytes: { _ in maxBytes }, error: error)
    }

    /// AWS's common error for an oversized request: `RequestEntityTooLargeException` (413).
    /// See [common errors](https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html).
    /// - Parameters:
    ///   - head: The request head.
    ///   - size: The body size.
    ///   - limit: The limit.
    /// - Returns: The error.
    @Sendable package static func requestEntityTooLarge(_ head: HTTPRequest, _ size: Int, _ limit: Int) -> GenericAWSError {
        GenericAWSError(
            code: "RequestEntityTooLargeException",
            message: "Request must be smaller than \(limit) bytes",
            httpStatus: 413,
            jsonType: "com.amazon.coral.service#RequestEntityTooLargeException"
        )
    }
}
