import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The front door's one fault check (``FaultRegistry``), made after authentication and before the service runs: an
/// injected error is thrown for ``ErrorRenderer`` to render in the service's protocol (DynamoDB's `x-amz-crc32`
/// included), latency is waited out, and the call then proceeds.
package enum FaultInjection {
    /// Applies the fault, if any, that hits this request.
    /// - Parameters:
    ///   - faults: The registry.
    ///   - request: The authenticated request.
    ///   - descriptor: The service's descriptor.
    /// - Returns: A response to send instead of the service's (errors AWS sends with an empty body), or nil to go on.
    /// - Throws: The ``InjectedError`` to render.
    package static func apply(_ faults: FaultRegistry, to request: AWSRequest, descriptor: ServiceDescriptor) async throws -> Response? {
        let effect = faults.check(
            service: descriptor.signingName,
            operation: request.operation,
            at: .gateway,
            requestId: request.requestId,
            resources: { resources(of: request, signingName: descriptor.signingName) }
        )
        switch effect {
        case nil, .functionTimeout, .initFailure:
            return nil
        case .latency(let milliseconds):
            request.logger.info("Injected fault: latency", metadata: ["milliseconds": .stringConvertible(milliseconds)])
            try? await Task.sleep(for: .milliseconds(milliseconds))
            return nil
        case .error(let error):
            request.logger.info("Injected fault", metadata: ["code": .string(error.code)])
            guard error.emptyBody else { throw error }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.amznErrorType] = error.code
            headers[.amznRequestId] = request.requestId
            return Response(status: .init(code: error.httpStatus), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
    }

    /// The resources a request names, as fault rules name them: S3 `bucket/key`, every DynamoDB table in the body,
    /// a Lambda function name, an `@connections` connection id.
    /// - Parameters:
    ///   - request: The request.
    ///   - signingName: The service's signing name.
    /// - Returns: The resources (empty when none is known).
    package static func resources(of request: AWSRequest, signingName: String) -> [String] {
        switch signingName {
        case "s3":
            guard let bucket = request.s3Target?.bucket else { return [] }
            guard let key = request.s3Target?.key, !key.isEmpty else { return [bucket] }
            return [bucket + "/" + key]
        case "dynamodb":
            guard let body = request.collectedBody else { return [] }
            return dynamoDBTables(in: Data(body.readableBytesView))
        case "lambda":
            let parts = request.rawPath.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
            guard let index = parts.firstIndex(of: "functions"), index + 1 < parts.count else { return [] }
            return [FaultRuleParser.functionName(parts[index + 1])]
        case "execute-api":
            let parts = request.rawPath.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
            guard let index = parts.firstIndex(of: "@connections"), index + 1 < parts.count else { return [] }
            return [parts[index + 1]]
        default:
            return []
        }
    }

    /// Every table a DynamoDB request body names: `TableName`, `RequestItems` keys, `TransactItems[].*.TableName`.
    /// - Parameter body: The JSON body.
    /// - Returns: The table names.
    package static func dynamoDBTables(in body: Data) -> [String] {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return [] }
        var tables: [String] = []
        if let name = object["TableName"] as? String { tables.append(name) }
        if let items = object["RequestItems"] as? [String: Any] { tables.append(contentsOf: items.keys.sorted()) }
        for item in (object["TransactItems"] as? [Any]) ?? [] {
            for case let action as [String: Any] in ((item as? [String: Any]) ?? [:]).values {
                if let name = action["TableName"] as? String { tables.append(name) }
            }
        }
        return tables
    }
}
