import Hummingbird
import NIOCore

/// A service that serves some `/_local/...` endpoints of its own (Lambda's `/_local/logs/{function}`).
///
/// The composition root asks each such service in turn for paths the emulator's own admin endpoints do not know.
package protocol LocalEndpointProviding: Sendable {
    /// Serves one `/_local/...` request.
    /// - Parameters:
    ///   - request: The request.
    ///   - path: The raw path.
    ///   - body: The collected body.
    /// - Returns: The response, or `nil` when the path is not this service's.
    func handleLocal(_ request: Request, path: String, body: ByteBuffer) async -> Response?
}
