import EmulatorCore
import Hummingbird

/// A responder whose requests pass a ``RequestGate`` first (held off while a snapshot is saved or restored), except
/// the emulator's own `/_local/` endpoints, which run the snapshot work and must not wait for it.
struct GatedResponder<Inner: HTTPResponder>: HTTPResponder {
    typealias Context = Inner.Context

    let inner: Inner
    let gate: RequestGate

    func respond(to request: Request, context: Context) async throws -> Response {
        if request.uri.path.hasPrefix("/_local/") { return try await inner.respond(to: request, context: context) }
        await gate.enter()
        defer { gate.leave() }
        return try await inner.respond(to: request, context: context)
    }
}
