import EmulatorCore
import Foundation

/// Snapshots and API Gateway WebSocket connections: an open connection is a live socket that cannot be saved, so a
/// snapshot holds none (the APIs themselves are the template's and the v2 control plane's, which snapshots hold).
/// Before a restore holds requests off, every open connection is closed (code 1001, with its `$disconnect`, whose
/// handler may still call back in), as `POST /_local/reset` closes them.
package struct WebSocketSnapshot: SnapshottableService {
    /// The service.
    package let service: WebSocketAPIService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: WebSocketAPIService) {
        self.service = service
    }

    /// `apigateway-websocket`.
    package var snapshotName: String { "apigateway-websocket" }

    /// Writes nothing: connections are not data.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Never.
    package func saveSnapshot(into folder: URL) async throws {}

    /// Closes every open connection.
    package func prepareRestore() async {
        await service.closeAll()
    }

    /// Nothing to bring back (the connections were closed before).
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Never.
    package func restoreSnapshot(from folder: URL) async throws {}
}
