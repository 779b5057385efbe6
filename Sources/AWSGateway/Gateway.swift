import Crypto
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigV4

/// The one HTTP front door: a short pipeline of named stages, each doing one thing and leaving its result in the
/// request it hands on.
///
/// 1. **Local admin**: `/_local/...` (health, clock) is answered before anything AWS-shaped happens.
/// 2. **Service resolution** (``ServiceResolution``): the signing material is parsed once (``SigV4/inspect(_:)``),
///    and its scope, `X-Amz-Target`, the path or the query protocols' `Action` name the service.
/// 3. **Request id**: in the resolved service's format, with the request logger (``AWSRequestContext``).
/// 4. **Operation**: the body is collected for services that do not stream (a form body is decoded once), the S3
///    target is worked out once, and the service names its typed operation (``ServiceOperation``), logged once.
/// 5. **SigV4**: the caller is established, verification reusing the parsed `Authorization` header.
/// 6. **Dispatch**: an injected fault (``FaultInjection``) may answer first; else the service answers; every thrown ``AWSServiceError`` is rendered by ``ErrorRenderer``.
package struct Gateway: HTTPResponder {
    /// Hummingbird's basic request context is all the gateway needs.
    package typealias Context = BasicRequestContext

    /// Handles `/_local/...` requests (health, clock). Returns `nil` for unknown local paths.
    package typealias LocalHandler = @Sendable (_ request: Request, _ path: String, _ body: ByteBuffer) async -> Response?

    private let services: [any AWSServiceHandler]
    private let resolution: ServiceResolution
    private let authenticator: Authenticator
    private let localHandler: LocalHandler
    private let environment: EmulatorEnvironment
    private let logger: Logger
    private let faults: FaultRegistry?

    /// Creates the gateway.
    /// - Parameters:
    ///   - services: Every served service.
    ///   - authenticator: Verifies signatures and finds the caller.
    ///   - environment: Region and account facts.
    ///   - logger: The base logger.
    ///   - faults: Injected faults, checked once per request before the service runs (``FaultInjection``).
    ///   - localHandler: Serves `/_local/...`.
    package init(
        services: [any AWSServiceHandler],
        authenticator: Authenticator,
        environment: EmulatorEnvironment,
        logger: Logger,
        faults: FaultRegistry? = nil,
        localHandler: @escaping LocalHandler
    ) {
        self.faults = faults
        self.services = services
        self.resolution = ServiceResolution(services: services)
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
        let (rawPath, rawQuery) = Self.split(request.head.path ?? "/")

        // 1. Local admin.
        if rawPath.hasPrefix("/_local/") || rawPath == "/_local" {
            return await localAdmin(&request, rawPath: rawPath)
        }

        // 2. Service resolution; the signing material is parsed here, once.
        let sigRequest = SigV4Request(
            method: request.method.rawValue,
            path: rawPath,
            query: rawQuery,
            headers: Self.signedHeaderView(request.head)
        )
        let signature = SigV4.inspect(sigRequest)
        let queryItems = URLComponentsDecoding.queryItems(rawQuery)
        // Unsigned query-protocol requests (STS AssumeRoleWithWebIdentity) name their `Action` in the form body.
        var form: [(name: String, value: String)]?
        if ServiceResolution.needsFormForResolution(head: request.head, signature: signature, queryItems: queryItems),
            let body = try? await request.collectBody(upTo: BodyLimit.defaultMaxBytes)
        {
            form = URLComponentsDecoding.queryItems(String(buffer: body), plusIsSpace: true)
        }
        guard
            let service = resolution.service(
                head: request.head,
                rawPath: rawPath,
                scope: signature.scope,
                queryItems: queryItems,
                form: form
            )
        else {
            return ServiceResolution.unknownService(head: request.head, scope: signature.scope, logger: logger)
        }

        // 3. Request id and context.
        let descriptor = service.descriptor
        let wireProtocol = descriptor.wireProtocol
        let requestId = Self.requestId(for: wireProtocol)
        var requestLogger = logger
        requestLogger[metadataKey: "request-id"] = .string(requestId)
        requestLogger[metadataKey: "service"] = .string(descriptor.name)
        var awsRequest = AWSRequest(
            head: request.head,
            rawPath: rawPath,
            rawQuery: rawQuery,
            queryItems: queryItems,
            body: request.body,
            collectedBody: nil,
            context: AWSRequestContext(
                requestId: requestId,
                logger: requestLogger,
                caller: .anonymous,
                region: signature.scope?.region ?? environment.region
            )
        )

        do {
            // 4. Operation: body, form, S3 target and the service's typed operation, each worked out once.
            try await nameOperation(of: &awsRequest, request: &request, service: service, form: form)

            // 5. SigV4.
            awsRequest.caller = try authenticate(sigRequest, signature: signature, request: awsRequest, descriptor: descriptor)

            // 6. Injected faults (`POST /_local/faults`), then dispatch.
            if let faults, !faults.isEmpty, let injected = try await FaultInjection.apply(faults, to: awsRequest, descriptor: descriptor) {
                return injected
            }
            var response = try await service.handle(awsRequest)
            Self.addRequestIdHeaders(&response, protocol: wireProtocol, requestId: requestId)
            return response
        } catch let error as any AWSServiceError {
            awsRequest.logger.debug("AWS error", metadata: ["code": .string(error.code), "message": .string(error.message)])
            return ErrorRenderer.response(
                for: error,
                protocol: wireProtocol,
                requestId: requestId,
                isHead: request.method == .head,
                checksum: descriptor.checksumsResponses
            )
        } catch {
            awsRequest.logger.error("Internal failure", metadata: ["error": .string(String(describing: error))])
            return ErrorRenderer.response(
                for: GatewayError.internalFailure(),
                protocol: wireProtocol,
                requestId: requestId,
                isHead: request.method == .head,
                checksum: descriptor.checksumsResponses
            )
        }
    }

    // MARK: Stages

    /// Stage 1: `/_local/...`, answered by the composition root's handler, or AWS-shaped `NotFound`.
    private func localAdmin(_ request: inout Request, rawPath: String) async -> Response {
        let body = (try? await request.collectBody(upTo: 1024 * 1024)) ?? ByteBuffer()
        if let response = await localHandler(request, rawPath, body) { return response }
        return ErrorRenderer.response(
            for: GenericAWSError(code: "NotFound", message: "No local endpoint at \(rawPath)", httpStatus: 404),
            protocol: .restJson1,
            requestId: RequestID.uuid()
        )
    }

    /// Stage 4: collects the body of a service that does not stream (its signature covers the body's hash), decodes
    /// a query-protocol form once, works out the S3 target once, and lets the service name its typed operation.
    private func nameOperation(
        of awsRequest: inout AWSRequest,
        request: inout Request,
        service: any AWSServiceHandler,
        form: [(name: String, value: String)]?
    ) async throws {
        let descriptor = service.descriptor
        if case .collect(let limit) = descriptor.bodyMode {
            let collected = try await Self.collectBody(of: &request, within: limit)
            awsRequest.collectedBody = collected
            awsRequest.body = request.body
        }
        switch descriptor.wireProtocol {
        case .awsQuery:
            awsRequest.formItems =
                form ?? awsRequest.collectedBody.map { URLComponentsDecoding.queryItems(String(buffer: $0), plusIsSpace: true) } ?? []
        case .restXml:
            awsRequest.s3Target = S3Target(host: request.head.authority, rawPath: awsRequest.rawPath)
        default:
            break
        }
        awsRequest.operation = ServiceResolution.operationName(
            for: descriptor.wireProtocol,
            head: request.head,
            queryItems: awsRequest.queryItems,
            form: awsRequest.formItems
        )
        if let operation = service.resolveOperation(awsRequest) {
            awsRequest.serviceOperation = operation
            awsRequest.operation = operation.name
        }
        if let name = awsRequest.operation { awsRequest.context.logger[metadataKey: "operation"] = .string(name) }
    }

    /// Stage 5: the caller. Anonymous requests reach only services that judge them themselves (S3) and operations
    /// AWS serves unsigned; everything else is verified, reusing the parsed signing material.
    private func authenticate(
        _ sigRequest: SigV4Request,
        signature: RequestSignature,
        request: AWSRequest,
        descriptor: ServiceDescriptor
    ) throws -> Caller {
        // CORS preflights carry no credentials; browsers send them to the presigned URL, query and all.
        let preflight = request.method == .options && descriptor.handlesAnonymous
        if preflight || (signature.scope == nil && !signature.carriesSignature) {
            let allowed =
                descriptor.handlesAnonymous || (request.operation.map { descriptor.unsignedOperations.contains($0) } ?? false)
            guard allowed else { throw GatewayError.missingAuthenticationToken(protocol: descriptor.wireProtocol) }
            return .anonymous
        }
        return try authenticator.authenticate(
            sigRequest,
            signature: signature,
            bodySHA256Hex: request.collectedBody.map { Self.sha256Hex($0) },
            wireProtocol: descriptor.wireProtocol,
            virtualHostBucket: request.s3Target?.virtualHostBucket,
            logger: request.logger
        )
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

    // MARK: Helpers

    /// The header fields as the client sent them. HTTP/1 `Host` arrives as HTTPTypes' `authority` pseudo-header,
    /// so it is put back: every SigV4 signature covers `host`.
    private static func signedHeaderView(_ head: HTTPRequest) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(head.headerFields.count + 1)
        var hasHost = false
        for field in head.headerFields {
            if field.name.canonicalName == "host" { hasHost = true }
            headers.append((name: field.name.rawName, value: field.value))
        }
        if let authority = head.authority, !hasHost {
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
