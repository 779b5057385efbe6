import Foundation

/// Facts about the emulated account that every service needs.
package struct EmulatorEnvironment: Sendable {
    /// The AWS region the emulator pretends to be, for example `us-east-1`.
    package var region: String
    /// The 12-digit account id, `000000000000` unless configured.
    package var accountId: String
    /// The CloudFormation stack name the template is deployed as.
    package var stackName: String
    /// The host the edge server listens on.
    package var host: String
    /// The port the edge server listens on (known once it is bound).
    package var port: Int
    /// The port of the local TLS endpoint (the API Gateway management API as `https://HOST:PORT/STAGE`), 0 until bound.
    package var tlsPort: Int
    /// The PEM file of the local certificate authority that signed the TLS endpoint's certificate; give it to
    /// SDK clients as `AWS_CA_BUNDLE` (Lambda workers get it so that `https://{domainName}/{stage}` verifies).
    package var caBundlePath: String?

    /// Creates the environment.
    /// - Parameters:
    ///   - region: The emulated region.
    ///   - accountId: The emulated account id.
    ///   - stackName: The stack name.
    ///   - host: The listening host.
    ///   - port: The listening port.
    ///   - tlsPort: The local TLS endpoint's port (0 until bound).
    ///   - caBundlePath: The local certificate authority's PEM file.
    package init(
        region: String,
        accountId: String,
        stackName: String,
        host: String,
        port: Int,
        tlsPort: Int = 0,
        caBundlePath: String? = nil
    ) {
        self.region = region
        self.accountId = accountId
        self.stackName = stackName
        self.host = host
        self.port = port
        self.tlsPort = tlsPort
        self.caBundlePath = caBundlePath
    }

    /// The edge URL clients use as `AWS_ENDPOINT_URL`.
    package var edgeURL: String { "http://\(hostForURL):\(port)" }

    /// The host as it appears in a URL (IPv6 literals in brackets).
    package var hostForURL: String { host.contains(":") ? "[\(host)]" : host }
}
