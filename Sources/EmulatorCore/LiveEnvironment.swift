import Synchronization

/// The emulator's environment, readable while it runs: the port is known only once the server has bound it
/// (`--port 0`), so services that hand out URLs (Lambda's `AWS_ENDPOINT_URL`, API Gateway's `domainName`)
/// read it here at the time they need it.
package final class LiveEnvironment: Sendable {
    private let state: Mutex<EmulatorEnvironment>

    /// Creates the live environment.
    /// - Parameter initial: The environment before the port is bound.
    package init(_ initial: EmulatorEnvironment) {
        self.state = Mutex(initial)
    }

    /// The current environment.
    package var current: EmulatorEnvironment { state.withLock { $0 } }

    /// Records the bound port.
    /// - Parameter port: The port the edge server listens on.
    package func setPort(_ port: Int) {
        state.withLock { $0.port = port }
    }

    /// Records the local TLS endpoint once it is bound.
    /// - Parameters:
    ///   - port: The TLS port.
    ///   - caBundlePath: The PEM file of the certificate authority that signed its certificate.
    package func setTLS(port: Int, caBundlePath: String?) {
        state.withLock {
            $0.tlsPort = port
            $0.caBundlePath = caBundlePath
        }
    }
}
