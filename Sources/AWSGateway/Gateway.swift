import Crypto
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigV4

/// The one HTTP front door: resolves the target service, authenticates, dispatches, renders errors.
///
/// Resolution follows LocalStack's order: the SigV4 signing name (header or presigned query), then the
/// `X-Amz-Target` prefix, then path rules (`/@connections/`, `/2015-03-31/functions/`), then the query
/// protocols' `Action`, with S3 (path-style or virtual-hosted-style) as the fallback.
package struct Gateway: HTTPResponder {
    /// Hummingbird's basic request context is all the gateway needs.
    package typealias Context = BasicRequestContext

    /// Handles `/_local/...` requests (health, clock). Returns `nil` for unknown local paths.
    package typealias LocalHandler = @Sendable (_ request: Request, _ path: String, _ body: ByteBuffer) async -> Response?

    private let services: [any AWSServiceHandler]
    private let bySigningName: [String: any AWSServiceHandler]
    private let byTargetPrefix: [String: any AWSServiceHandler]
    private let authenticator: Authenticator
    private let localHandler: LocalHandler
    private let environment: EmulatorEnvironment
    private let logger: Logger

    /// Creates the gateway.
    /// - Parameters:
    ///   - services: Every served service.
    ///   - authenticator: Verifies signatures and finds the caller.
    ///   - environment: Region and account facts.
    ///   - logger: The base logger.
    ///   - localHandler: Serves `/_local/...`.
    package init(
        services: [any AWSServiceHandler],
        authenticator: Authenticator,
        environment: EmulatorEnvironment,
        logger: Logger,
        localHandler: @escaping LocalHandler
    ) {
        self.services = services
        var bySigningName: [String: any AWSServiceHandler] = [:]
        var byTargetPrefix: [String: any AWSServiceHandler] = [:]
        for service in services {
            bySigningName[service.descriptor.signingName] = service
            switch service.descriptor.wireProtocol {
            case .awsJson1_0(let prefix), .awsJson1_1(let prefix): byTargetPrefix[prefix] = service
            default: break
            }
        }
        self.bySigningName = bySigningName
        self.byTargetPrefix = byTargetPrefix
        self.authenticator = authenticator
        self.environment = environment
        self.logger = logger
        self.localHandler = localHandler
    }

    /// Answers one HTTP request.
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The Hummingbird context.
    /// - Returns: The response.
    /// - Throws: Nothing in practice: every error is rendered as an AWS error response.
    package func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let target = request.head.path ?? "/"
        let (rawPath, rawQuery) = Self.split(target)

        if rawPath.hasPrefix("/_local/") || rawPath == "/_local" {
            let body = (try? await request.collectBody(upTo: 1024 * 1024)) ?? ByteBuffer()
            if let response = await localHandler(request, rawPath, body) { return response }
            return ErrorRenderer.response(
                for: GenericAWSError(code: "NotFound", message: "No local endpoint at \(rawPath)", httpStatus: 404),
                protocol: .restJson1,
                requestId: RequestID.uuid()
            )
        }

        let sigRequest = SigV4Request(
            method: request.method.rawValue,
            path: rawPath,
            query: rawQuery,
            headers: Self.signedHeaderView(request.head)
        )
        let scope = SigV4.signingScope(of: sigRequest)
        let queryItems = URLComponentsDecoding.queryItems(rawQuery)
        let virtualHostBucket = S3Host.bucket(fromHost: request.head.authority)

        // Unsigned query-protocol requests (STS AssumeRoleWithWebIdentity) name their `Action` in the form body.
        var formAction: String?
        if scope == nil, request.headers[.amzTarget] == nil, !queryItems.contains(where: { $0.name == "Action" }),
            request.headers[.contentType]?.contains("x-www-form-urlencoded") ?? false,
            (Self.declaredContentLength(request.head) ?? 0) <= Int64(BodyLimit.defaultMaxBytes),
            let body = try? await request.collectBody(upTo: BodyLimit.defaultMaxBytes)
        {
            formAction = URLComponentsDecoding.queryItems(String(buffer: body), plusIsSpace: true).first { $0.name == "Action" }?.value
        }
        guard
            let service = resolve(
                request: request,
                rawPath: rawPath,
                scope: scope,
                queryItems: queryItems,
                formAction: formAction
            )
        else {
            return unknownService(request: request, scope: scope)
        }
        let descriptor = service.descriptor
        let wireProtocol = descriptor.wireProtocol
        let requestId = Self.requestId(for: wireProtocol)
        var requestLogger = logger
        requestLogger[metadataKey: "request-id"] = .string(requestId)
        requestLogger[metadataKey: "service"] = .string(descriptor.name)
        let isHead = request.method == .head

        do {
            // Collect the body for non-streaming services: their signature covers its hash.
            var collected: ByteBuffer?
            if case .collect(let limit) = descriptor.bodyMode {
                collected = try await Self.collectBody(of: &request, within: limit)
            }
            let operation = Self.operation(for: wireProtocol, request: request, queryItems: queryItems, body: collected)
            if let operation { requestLogger[metadataKey: "operation"] = .string(operation) }

            let caller: Caller
            // CORS preflights carry no credentials; browsers send them to the presigned URL, query and all.
            let preflight = request.method == .options && descriptor.handlesAnonymous
            if preflight || (scope == nil && !Self.carriesSignature(sigRequest)) {
                let allowed =
                    descriptor.handlesAnonymous || (operation.map { descriptor.unsignedOperations.contains($0) } ?? false)
                guard allowed else { throw GatewayError.missingAuthenticationToken(protocol: wireProtocol) }
                caller = .anonymous
            } else {
                let bodyHash = collected.map { Self.sha256Hex($0) }
                caller = try authenticator.authenticate(
                    sigRequest,
                    bodySHA256Hex: bodyHash,
                    wireProtocol: wireProtocol,
                    virtualHostBucket: virtualHostBucket,
                    logger: requestLogger
                )
            }

            let awsRequest = AWSRequest(
                head: request.head,
                rawPath: rawPath,
                rawQuery: rawQuery,
                queryItems: queryItems,
                body: request.body,
                collectedBody: collected,
                requestId: requestId,
                caller: caller,
                region: scope?.region ?? environment.region,
                operation: operation,
                virtualHostBucket: virtualHostBucket,
                logger: requestLogger
            )
            var response = try await service.handle(awsRequest)
            Self.addRequestIdHeaders(&response, protocol: wireProtocol, requestId: requestId)
            return response
        } catch let error as any AWSServiceError {
            requestLogger.debug("AWS error", metadata: ["code": .string(error.code), "message": .string(error.message)])
            return ErrorRenderer.response(for: error, protocol: wireProtocol, requestId: requestId, isHead: isHead)
        } catch {
            requestLogger.error("Internal failure", metadata: ["error": .string(String(describing: error))])
            return ErrorRenderer.response(
                for: GatewayError.internalFailure(),
                protocol: wireProtocol,
                requestId: requestId,
                isHead: isHead
            )
        }
    }

    /// Collects a body for a service that does not stream, within the service's limit.
    ///
    /// A declared `Content-Length` over the limit is refused before a byte of the body is read; a body without one
    /// (chunked) is refused as soon as it passes the limit. Errors the connection's ``HTTPFramingGuard`` raises
    /// (the client stopped sending or went away) pass through unchanged.
    /// - Parameters:
    ///   - request: The request; its body is consumed.
    ///   - limit: The service's limit and error.
    /// - Returns: The whole body.
    /// - Throws: The limit's error, or a ``FramingError``.
    package static func collectBody(of request: inout Request, within limit: BodyLimit) async throws -> ByteBuffer {
        let maxBytes = limit.maxBytes(request.head)
        if let declared = declaredContentLength(request.head), declared > Int64(maxBytes) {
            throw limit.error(request.head, Int(clamping: declared), maxBytes)
        }
        do {
            return try await request.collectBody(upTo: maxBytes)
        } catch let error as any AWSServiceError {
            throw error
        } catch is NIOTooManyBytesError {
            throw limit.error(request.head, maxBytes + 1, maxBytes)
        }
    }

    /// The request's `Content-Length`, when it declares one (the framing guard has refused malformed ones).
    /// - Parameter head: The request head.
    /// - Returns: The declared length.
    package static func declaredContentLength(_ head: HTTPRequest) -> Int64? {
        head.headerFields[.contentLength].flatMap { Int64($0) }
    }

    /// Every served service, for health reporting.
    package var allServices: [any AWSServiceHandler] { services }

    // MARK: Resolution

    private func resolve(
        request: Request,
        rawPath: String,
        scope: SigningScope?,
        queryItems: [(name: String, value: String)],
        formAction: String?
    ) -> (any AWSServiceHandler)? {
        if let scope {
            // SigV2 carries no service: only S3 accepts it.
            return bySigningName[scope.service]
        }
        if let target = request.headers[.amzTarget] {
            let prefix = target.split(separator: ".", maxSplits: 1).first.map(String.init) ?? target
            return byTargetPrefix[prefix]
        }
        if rawPath.contains("/@connections") { return bySigningName["execute-api"] }
        if rawPath.hasPrefix("/2015-03-31/functions") { return bySigningName["lambda"] }
        // Query protocols: SDKs always sign them, so an unsigned one can only be told apart by a query `Action`.
        if let action = queryItems.first(where: { $0.name == "Action" })?.value ?? formAction {
            if Self.stsActions.contains(action) { return bySigningName["sts"] }
            if action.hasSuffix("Stack") || action.hasSuffix("Stacks") || action.contains("StackResource") {
                return bySigningName["cloudformation"]
            }
        }
        return bySigningName["s3"]
    }

    private static let stsActions: Set<String> = [
        "GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "GetSessionToken", "GetAccessKeyInfo",
    ]

    private func unknownService(request: Request, scope: SigningScope?) -> Response {
        let wireProtocol: WireProtocol
        if request.headers[.amzTarget] != nil {
            wireProtocol = .awsJson1_1(targetPrefix: "")
        } else if request.headers[.contentType]?.contains("x-www-form-urlencoded") ?? false {
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

    private static func operation(
        for wireProtocol: WireProtocol,
        request: Request,
        queryItems: [(name: String, value: String)],
        body: ByteBuffer?
    ) -> String? {
        switch wireProtocol {
        case .awsJson1_0, .awsJson1_1:
            guard let target = request.headers[.amzTarget] else { return nil }
            let parts = target.split(separator: ".", maxSplits: 1)
            return parts.count == 2 ? String(parts[1]) : nil
        case .awsQuery:
            if let action = queryItems.first(where: { $0.name == "Action" })?.value { return action }
            guard let body else { return nil }
            let form = URLComponentsDecoding.queryItems(String(buffer: body), plusIsSpace: true)
            return form.first { $0.name == "Action" }?.value
        case .restJson1, .restXml:
            return nil
        }
    }

    // MARK: Helpers

    /// The header fields as the client sent them. HTTP/1 `Host` arrives as HTTPTypes' `authority` pseudo-header,
    /// so it is put back: every SigV4 signature covers `host`.
    private static func signedHeaderView(_ head: HTTPRequest) -> [(name: String, value: String)] {
        var headers = head.headerFields.map { (name: $0.name.rawName, value: $0.value) }
        if let authority = head.authority, !headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.insert((name: "host", value: authority), at: 0)
        }
        return headers
    }

    /// Splits a request target into raw path and raw query.
    /// - Parameter target: The request target, for example `/bucket/key?list-type=2`.
    /// - Returns: The path and the query without `?`.
    package static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// Whether the request carries any signing material, well-formed or not (a malformed `Authorization` header
    /// gets the signature error AWS gives for it, not the anonymous treatment).
    private static func carriesSignature(_ request: SigV4Request) -> Bool {
        if request.header("authorization") != nil { return true }
        return request.queryItems.contains { ["X-Amz-Signature", "X-Amz-Credential", "Signature", "AWSAccessKeyId"].contains($0.name) }
    }

    private static func requestId(for wireProtocol: WireProtocol) -> String {
        switch wireProtocol {
        case .restXml: RequestID.s3()
        case .awsJson1_0: RequestID.dynamoDB()
        default: RequestID.uuid()
        }
    }

    private static func addRequestIdHeaders(_ response: inout Response, protocol wireProtocol: WireProtocol, requestId: String) {
        switch wireProtocol {
        case .restXml:
            if response.headers[.amzRequestId] == nil { response.headers[.amzRequestId] = requestId }
            if response.headers[.amzId2] == nil { response.headers[.amzId2] = RequestID.s3HostID() }
        default:
            if response.headers[.amznRequestId] == nil { response.headers[.amznRequestId] = requestId }
        }
    }

    private static func sha256Hex(_ buffer: ByteBuffer) -> String {
        // `String(format:)` per byte cost about 9% of a DynamoDB request's CPU; the table-driven encoder does not.
        SigV4Encoding.hex(SHA256.hash(data: buffer.readableBytesView))
    }
}

/// Recognises S3 virtual-hosted-style hosts.
package enum S3Host {
    /// The bucket named by a `Host` header such as `bucket.s3.localhost:4566`,
    /// `bucket.s3.us-east-1.amazonaws.com` or `bucket.localhost`, or `nil` for path-style hosts.
    /// - Parameter host: The `Host` header value.
    /// - Returns: The bucket name, if the host names one.
    package static func bucket(fromHost host: String?) -> String? {
        guard var host = host?.lowercased() else { return nil }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
        if host.first == "[" || host.allSatisfy({ $0.isNumber || $0 == "." }) { return nil }
        for marker in [".s3.", ".s3-"] {
            if let range = host.range(of: marker) {
                let bucket = String(host[..<range.lowerBound])
                return bucket.isEmpty ? nil : bucket
            }
        }
        if host.hasSuffix(".localhost") {
            let bucket = String(host.dropLast(".localhost".count))
            return bucket.isEmpty || bucket == "s3" ? nil : bucket
        }
        return nil
    }
}
