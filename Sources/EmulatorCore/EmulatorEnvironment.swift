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

    /// Creates the environment.
    /// - Parameters:
    ///   - region: The emulated region.
    ///   - accountId: The emulated account id.
    ///   - stackName: The stack name.
    ///   - host: The listening host.
    ///   - port: The listening port.
    package init(region: String, accountId: String, stackName: String, host: String, port: Int) {
        self.region = region
        self.accountId = accountId
        self.stackName = stackName
        self.host = host
        self.port = port
    }

    /// The edge URL clients use as `AWS_ENDPOINT_URL`.
    package var edgeURL: String { "http://\(hostForURL):\(port)" }

    /// The host as it appears in a URL (IPv6 literals in brackets).
    package var hostForURL: String { host.contains(":") ? "[\(host)]" : host }
}
