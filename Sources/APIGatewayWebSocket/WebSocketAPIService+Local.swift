import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension WebSocketAPIService: LocalEndpointProviding {
    /// `GET /_local/websocket/connections`: the WebSocket APIs (id, name, stages) and every connection the registry
    /// holds (live or still in `$connect`), with its API, stage, source IP and virtual connect/last-active times; what
    /// the dashboard's WebSocket view lists.
    /// - Parameters:
    ///   - request: The request.
    ///   - path: The raw path.
    ///   - body: Unused.
    /// - Returns: The listing as JSON, or `nil` for other paths.
    package func handleLocal(_ request: Request, path: String, body: ByteBuffer) async -> Response? {
        guard request.method == .get, path == "/_local/websocket/connections" else { return nil }
        let apiList: [[String: Any]] = apis.values.sorted { $0.apiId < $1.apiId }.map { api in
            ["apiId": api.apiId, "name": api.name, "stages": api.stages.map(\.name)]
        }
        let connections: [[String: Any]] = await registry.snapshot().map { entry in
            var object: [String: Any] = [
                "connectionId": entry.facts.connectionId,
                "apiId": entry.facts.apiId,
                "stage": entry.facts.stage,
                "sourceIp": entry.facts.sourceIp,
                "connectedAt": Timestamp.iso8601Milliseconds(entry.facts.connectedAt),
                "lastActiveAt": Timestamp.iso8601Milliseconds(entry.lastActiveAt),
                "live": entry.isLive,
            ]
            if let agent = entry.facts.userAgent { object["userAgent"] = agent }
            return object
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["apis": apiList, "connections": connections], options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
