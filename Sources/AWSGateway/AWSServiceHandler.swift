import EmulatorCore
import Hummingbird

/// What the front door needs to know to route and authenticate requests for one AWS service.
package struct ServiceDescriptor: Sendable {
    /// How the service receives its request body.
    package enum BodyMode: Sendable {
        /// The gateway collects the whole body (up to the limit) before signature verification.
        case collect(maxBytes: Int)
        /// The service streams the body itself (S3); the signature covers `x-amz-content-sha256`.
        case stream
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

    /// Creates a descriptor.
    /// - Parameters:
    ///   - signingName: The SigV4 signing name.
    ///   - name: The display name.
    ///   - wireProtocol: The wire protocol.
    ///   - bodyMode: How the body is received.
    ///   - unsignedOperations: Operations served without a signature.
    ///   - handlesAnonymous: Whether anonymous requests reach the service.
    package init(
        signingName: String,
        name: String,
        wireProtocol: WireProtocol,
        bodyMode: BodyMode = .collect(maxBytes: 16 * 1024 * 1024),
        unsignedOperations: Set<String> = [],
        handlesAnonymous: Bool = false
    ) {
        self.signingName = signingName
        self.name = name
        self.wireProtocol = wireProtocol
        self.bodyMode = bodyMode
        self.unsignedOperations = unsignedOperations
        self.handlesAnonymous = handlesAnonymous
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

    /// Answers one request. Throw an ``AWSServiceError`` for AWS errors; the gateway renders it.
    /// - Parameter request: The routed, authenticated request.
    /// - Returns: The HTTP response.
    /// - Throws: An ``AWSServiceError`` the gateway renders for the service's protocol.
    func handle(_ request: AWSRequest) async throws -> Response

    /// The service's state for `/_local/health`.
    func health() async -> ServiceHealth
}
