import EmulatorCore
import HTTPTypes
import Hummingbird
import Logging
import SigV4

/// The service-resolution stage: which served service a request is for.
///
/// Resolution follows LocalStack's order: the SigV4 signing name (header or presigned query), then the
/// `X-Amz-Target` prefix, then path rules (`/@connections/`, `/2015-03-31/functions/`), then the query
/// protocols' `Action` (query string, or the form body of unsigned requests), with S3 (path-style or
/// virtual-hosted-style) as the fallback.
struct ServiceResolution: Sendable {
    private let bySigningName: [String: any AWSServiceHandler]
    private let byTargetPrefix: [String: any AWSServiceHandler]
    /// The v1 API Gateway API (`/restapis...`), which shares the signing name `apigateway` with v2 (`/v2/...`).
    private let restApiGateway: (any AWSServiceHandler)?

    /// Indexes the served services by signing name and `X-Amz-Target` prefix.
    init(services: [any AWSServiceHandler]) {
        var bySigningName: [String: any AWSServiceHandler] = [:]
        var byTargetPrefix: [String: any AWSServiceHandler] = [:]
        for service in services {
            // The first service with a signing name owns it (DynamoDB before DynamoDB Streams, which shares it).
            if bySigningName[service.descriptor.signingName] == nil { bySigningName[service.descriptor.signingName] = service }
            switch service.descriptor.wireProtocol {
            case .awsJson1_0(let prefix), .awsJson1_1(let prefix): byTargetPrefix[prefix] = service
            default: break
            }
        }
        self.bySigningName = bySigningName
        self.byTargetPrefix = byTargetPrefix
        restApiGateway = services.first { $0.descriptor.name == "apigateway-rest" }
    }

    /// The service a request is for, or nil when it names a service this emulator does not serve.
    /// - Parameters:
    ///   - head: The request head.
    ///   - rawPath: The raw path.
    ///   - scope: The signing scope, when the request is signed.
    ///   - queryItems: The decoded query.
    ///   - form: The decoded form body of an unsigned query-protocol request, if it was read.
    /// - Returns: The service.
    func service(
        head: HTTPRequest,
        rawPath: String,
        scope: SigningScope?,
        queryItems: [(name: String, value: String)],
        form: [(name: String, value: String)]?
    ) -> (any AWSServiceHandler)? {
        if let scope {
            // Services sharing a signing name (DynamoDB and DynamoDB Streams) are told apart by their target prefix.
            if let target = head.headerFields[.amzTarget],
                let service = byTargetPrefix[target.split(separator: ".", maxSplits: 1).first.map(String.init) ?? target],
                service.descriptor.signingName == scope.service
            {
                return service
            }
            // The v1 API Gateway API (`/restapis...`) shares `apigateway` with v2 (`/v2/...`): the path decides.
            if scope.service == "apigateway", !rawPath.hasPrefix("/v2/") { return restApiGateway }
            // SigV2 carries no service: only S3 accepts it.
            return bySigningName[scope.service]
        }
        if let target = head.headerFields[.amzTarget] {
            let prefix = target.split(separator: ".", maxSplits: 1).first.map(String.init) ?? target
            return byTargetPrefix[prefix]
        }
        if rawPath.contains("/@connections") { return bySigningName["execute-api"] }
        if rawPath.hasPrefix("/2015-03-31/functions") { return bySigningName["lambda"] }
        // Query protocols: SDKs always sign them, so an unsigned one can only be told apart by a query `Action`.
        let action = queryItems.first(where: { $0.name == "Action" })?.value ?? form?.first(where: { $0.name == "Action" })?.value
        if let action {
            if Self.stsActions.contains(action) { return bySigningName["sts"] }
            if action.hasSuffix("Stack") || action.hasSuffix("Stacks") || action.contains("StackResource") {
                return bySigningName["cloudformation"]
            }
        }
        return bySigningName["s3"]
    }

    private static let stsActions: Set<String> = [
        "GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetSessionToken",
        "GetAccessKeyInfo",
    ]

    /// Whether an unsigned request may carry its query-protocol `Action` in a form body the gateway should read
    /// before resolution (STS `AssumeRoleWithWebIdentity`).
    /// - Parameters:
    ///   - head: The request head.
    ///   - signature: The signing material.
    ///   - queryItems: The decoded query.
    /// - Returns: Whether to read the form.
    static func needsFormForResolution(
        head: HTTPRequest,
        signature: RequestSignature,
        queryItems: [(name: String, value: String)]
    ) -> Bool {
        signature.scope == nil && head.headerFields[.amzTarget] == nil && !queryItems.contains(where: { $0.name == "Action" })
            && (head.headerFields[.contentType]?.contains("x-www-form-urlencoded") ?? false)
            && (Gateway.declaredContentLength(head) ?? 0) <= Int64(BodyLimit.defaultMaxBytes)
    }

    /// The generic operation name a protocol carries: the `X-Amz-Target` suffix, or the query `Action`.
    /// - Parameters:
    ///   - wireProtocol: The service's protocol.
    ///   - head: The request head.
    ///   - queryItems: The decoded query.
    ///   - form: The decoded form body (query protocols).
    /// - Returns: The name, or nil for REST protocols (their services resolve it from method and path).
    static func operationName(
        for wireProtocol: WireProtocol,
        head: HTTPRequest,
        queryItems: [(name: String, value: String)],
        form: [(name: String, value: String)]
    ) -> String? {
        switch wireProtocol {
        case .awsJson1_0, .awsJson1_1:
            guard let target = head.headerFields[.amzTarget] else { return nil }
            let parts = target.split(separator: ".", maxSplits: 1)
            return parts.count == 2 ? String(parts[1]) : nil
        case .awsQuery:
            return queryItems.first(where: { $0.name == "Action" })?.value ?? form.first { $0.name == "Action" }?.value
        case .restJson1, .restXml:
            return nil
        }
    }

    /// AWS's answer for a request to a service this emulator does not serve.
    /// - Parameters:
    ///   - head: The request head.
    ///   - scope: The signing scope, if any.
    ///   - logger: The gateway logger.
    /// - Returns: The error response.
    static func unknownService(head: HTTPRequest, scope: SigningScope?, logger: Logger) -> Response {
        let wireProtocol: WireProtocol
        if head.headerFields[.amzTarget] != nil {
            wireProtocol = .awsJson1_1(targetPrefix: "")
        } else if head.headerFields[.contentType]?.contains("x-www-form-urlencoded") ?? false {
            wireProtocol = .awsQuery(xmlNamespace: "")
        } else {
            wireProtocol = .restJson1
        }
        let name = scope?.service ?? "unknown"
        logger.warning("Request for a service this emulator does not serve", metadata: ["service": .string(name)])
        return ErrorRenderer.response(
            for: GenericAWSError(
                code: "UnknownOperationException",
                message: "The service '\(name)' is not emulated by synapscribe-local",
                jsonType: "com.amazon.coral.service#UnknownOperationException"
            ),
            protocol: wireProtocol,
            requestId: RequestID.uuid()
        )
    }
}
