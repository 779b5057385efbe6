import EmulatorCore

/// `POST /_local/reset` for API Gateway WebSocket APIs: every open connection is closed (code 1001, with its
/// `$disconnect`), as at shutdown; the APIs themselves come from the template and do not change.
package struct WebSocketReset: ResettableService {
    /// The service.
    package let service: WebSocketAPIService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: WebSocketAPIService) {
        self.service = service
    }

    /// `apigateway-websocket`.
    package var resetName: String { "apigateway-websocket" }

    /// Closes every connection.
    package func resetToTemplate() async throws {
        await service.closeAll()
    }
}
