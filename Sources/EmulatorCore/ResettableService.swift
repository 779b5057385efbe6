/// A service whose data can be brought back to the template's initial state (`POST /_local/reset`).
///
/// Each service implements it in its own target, in its own file; the composition root lists the services that
/// take part, and the admin API calls them one after the other. A reset keeps what is not data: Lambda execution
/// environments stay warm, the virtual clock stays where it is, ports and credentials issued at start stay valid.
package protocol ResettableService: Sendable {
    /// The name reported by the reset endpoint (`s3`, `dynamodb`...).
    var resetName: String { get }

    /// Brings the service's data back to what the template creates.
    /// - Throws: Storage errors (the endpoint reports them; the service stays usable).
    func resetToTemplate() async throws
}
