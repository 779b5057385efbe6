import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The `@connections` management API (`apigatewaymanagementapi`):
/// [PostToConnection](https://docs.aws.amazon.com/apigatewayv2/latest/api/apigatewaymanagementapi-connections-connectionid.html),
/// GetConnection and DeleteConnection at `/{stage}/@connections/{connectionId}`.
///
/// Served on the TLS endpoint (`https://{domainName}/{stage}`) and on the edge port. Every operation is
/// authorized as `execute-api:ManageConnections` on
/// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/@connections/ID`.
/// The `@connections` operations, resolved from the HTTP method; every one is authorized as
/// `execute-api:ManageConnections`.
package enum ConnectionOperation: String, ServiceOperation, CaseIterable {
    /// `POST /{stage}/@connections/{connectionId}`.
    case postToConnection = "PostToConnection"
    /// `GET /{stage}/@connections/{connectionId}`.
    case getConnection = "GetConnection"
    /// `DELETE /{stage}/@connections/{connectionId}`.
    case deleteConnection = "DeleteConnection"

    /// The operation for a method, or nil for a method the API does not take.
    /// - Parameter method: The HTTP method.
    package init?(method: HTTPRequest.Method) {
        switch method {
        case .post: self = .postToConnection
        case .get: self = .getConnection
        case .delete: self = .deleteConnection
        default: return nil
        }
    }

    /// `execute-api:ManageConnections`, the one action of the management API.
    package var iamAction: String { Self.manageConnections }

    /// The IAM action every `@connections` request is authorized as, whatever its method.
    static let manageConnections = "execute-api:ManageConnections"
}

struct ManagementAPI: Sendable {
    let service: WebSocketAPIService

    func handle(_ request: AWSRequest) async throws -> Response {
        let parts = request.rawPath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let marker = parts.firstIndex(of: "@connections"), marker >= 1, marker + 2 == parts.count else {
            throw WebSocketError.unknownPath(request.rawPath)
        }
        let stage = URLComponentsDecoding.decode(parts[marker - 1])
        let connectionId = URLComponentsDecoding.decode(parts[marker + 1])
        guard !connectionId.isEmpty else { throw WebSocketError.badRequest("Invalid connectionId") }

        let entry = await service.registry.entry(connectionId)
        // AWS's endpoint names the API in its host; the local one is shared, so the API is the connection's, or
        // the only API with that stage. An unknown id on an ambiguous stage is simply gone.
        let candidates = service.apis.values.filter { api in api.stages.contains { $0.name == stage } }
        guard let apiId = entry?.facts.apiId ?? (candidates.count == 1 ? candidates.first?.apiId : nil) else { return gone() }
        let current = service.environment.current
        let method = request.method.rawValue
        let resource = "arn:aws:execute-api:\(current.region):\(current.accountId):\(apiId)/\(stage)/\(method)/@connections/\(connectionId)"
        try await service.authorizer.require(request.caller, action: ConnectionOperation.manageConnections, resources: [resource]) {
            WebSocketError.forbidden(message: $0)
        }

        guard let entry, entry.facts.stage == stage, let writer = entry.writer else { return gone() }
        guard let operation = request.serviceOperation as? ConnectionOperation ?? ConnectionOperation(method: request.method) else {
            throw WebSocketError.unknownPath(request.rawPath)
        }
        switch operation {
        case .postToConnection:
            let data = request.bodyData
            guard data.count <= WebSocketLimits.maxMessageBytes else { throw WebSocketError.payloadTooLarge(size: data.count) }
            await service.registry.touch(connectionId, now: service.clock.now)
            do {
                if let text = String(data: data, encoding: .utf8) {
                    try await writer.writeTextMessage(text)
                } else {
                    try await writer.writeBinaryMessage(ByteBuffer(bytes: data))
                }
            } catch {
                return gone()
            }
            return Response(status: .ok)
        case .getConnection:
            let object: [String: Any] = [
                "connectedAt": Timestamp.iso8601Milliseconds(entry.facts.connectedAt),
                "lastActiveAt": Timestamp.iso8601Milliseconds(entry.lastActiveAt),
                "identity": ["sourceIp": entry.facts.sourceIp, "userAgent": entry.facts.userAgent ?? ""],
            ]
            return WebSocketAPIService.jsonResponse(status: 200, object: object)
        case .deleteConnection:
            guard await service.close(connectionId, code: 1000, reason: "", clientReason: nil) else { return gone() }
            return Response(status: .noContent)
        }
    }

    /// `GoneException` (410) with AWS's empty body.
    private func gone() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.amznErrorType] = "GoneException"
        return Response(status: .init(code: 410), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
}
