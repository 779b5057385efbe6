import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Logging
import NIOCore

/// Sends a request to a service handler in-process, as the gateway would after authenticating `caller`: the
/// operation is named the same way, the service authorizes `caller` itself, and AWS errors are rendered as on the wire.
package enum InProcessDispatch {
    /// The largest response body kept (API Gateway's 10 MB payload limit).
    static let maximumResponseBytes = 10 * 1024 * 1024

    /// Sends one request.
    /// - Parameters:
    ///   - service: The service handler.
    ///   - method: The HTTP method.
    ///   - path: The raw path and query.
    ///   - headers: Request headers (`X-Amz-Target`, `Content-Type`).
    ///   - body: The body.
    ///   - caller: Who calls (an issued role session).
    ///   - region: The region.
    ///   - logger: The logger.
    /// - Returns: The status, headers and body of the service's response.
    package static func send(
        to service: any AWSServiceHandler,
        method: String,
        path: String,
        headers: [(name: String, value: String)],
        body: Data,
        caller: Caller,
        region: String,
        logger: Logger
    ) async -> AWSServiceCallResult {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        fields[.contentLength] = String(body.count)
        let head = HTTPRequest(method: HTTPRequest.Method(method) ?? .post, scheme: "http", authority: "127.0.0.1", path: path, headerFields: fields)
        let (rawPath, rawQuery) = Gateway.split(path)
        let buffer = ByteBuffer(bytes: body)
        let requestId = RequestID.uuid()
        var requestLogger = logger
        requestLogger[metadataKey: "request-id"] = .string(requestId)
        requestLogger[metadataKey: "service"] = .string(service.descriptor.name)
        var request = AWSRequest(
            head: head,
            rawPath: rawPath,
            rawQuery: rawQuery,
            queryItems: URLComponentsDecoding.queryItems(rawQuery),
            body: RequestBody(buffer: buffer),
            collectedBody: buffer,
            context: AWSRequestContext(requestId: requestId, logger: requestLogger, caller: caller, region: region)
        )
        let wireProtocol = service.descriptor.wireProtocol
        if case .restXml = wireProtocol { request.s3Target = S3Target(host: "127.0.0.1", rawPath: rawPath) }
        request.operation = ServiceResolution.operationName(for: wireProtocol, head: head, queryItems: request.queryItems, form: [])
        if let operation = service.resolveOperation(request) {
            request.serviceOperation = operation
            request.operation = operation.name
        }
        let response: Response
        do {
            response = try await service.handle(request)
        } catch let error as any AWSServiceError {
            response = ErrorRenderer.response(for: error, protocol: wireProtocol, requestId: requestId)
        } catch {
            requestLogger.error("Internal failure", metadata: ["error": .string(String(describing: error))])
            response = ErrorRenderer.response(for: GatewayError.internalFailure(), protocol: wireProtocol, requestId: requestId)
        }
        let collector = BodyCollector()
        do {
            try await response.body.write(CollectingWriter(collector: collector))
        } catch {
            return AWSServiceCallResult(status: 0)
        }
        return AWSServiceCallResult(
            status: Int(response.status.code),
            headers: response.headers.map { (name: $0.name.rawName, value: $0.value) },
            body: collector.data
        )
    }
}

/// Where ``CollectingWriter`` puts the bytes (written by one task, read after it finished).
private final class BodyCollector: @unchecked Sendable {
    var data = Data()
}

/// A response body writer keeping the bytes, up to ``InProcessDispatch/maximumResponseBytes``.
private struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard collector.data.count + buffer.readableBytes <= InProcessDispatch.maximumResponseBytes else { return }
        collector.data.append(contentsOf: buffer.readableBytesView)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
