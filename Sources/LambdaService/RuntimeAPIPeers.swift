import Foundation
import NIOCore

/// Who may use an execution environment's Runtime API: only the environment's own worker process.
///
/// Any local process (or a web page, through the browser) can reach a listener on 127.0.0.1, so without a check it
/// could take an invocation (`GET /invocation/next`) or answer one (`POST /invocation/{id}/response`). A secret in
/// `AWS_LAMBDA_RUNTIME_API` cannot close that hole with the unmodified `awslambdaric`: its Python client posts
/// `init/error` with `http.client.HTTPConnection(AWS_LAMBDA_RUNTIME_API)`, which refuses anything but `host:port`
/// (`InvalidURL: nonnumeric port` for `127.0.0.1:PORT/secret`), and neither client sends extra headers. So the
/// listener checks the connection itself: the client's socket must be open in the worker process, as the kernel
/// reports it (`/proc/net/tcp` gives the socket's inode, `/proc/PID/fd` the process's sockets). Nothing a
/// process can learn or send lets it pass for the worker.
package struct RuntimeAPIPeers: Sendable {
    private let check: @Sendable (_ client: SocketAddress?, _ listenerPort: Int) async -> Bool

    /// Creates a policy from a check.
    /// - Parameter check: Whether a connection from `client` to the listener's port may use the Runtime API.
    package init(_ check: @escaping @Sendable (_ client: SocketAddress?, _ listenerPort: Int) async -> Bool) {
        self.check = check
    }

    /// Whether a connection may use the Runtime API.
    /// - Parameters:
    ///   - client: The connection's remote address.
    ///   - listenerPort: The listener's port.
    /// - Returns: `true` to serve it.
    package func allows(client: SocketAddress?, listenerPort: Int) async -> Bool {
        await check(client, listenerPort)
    }

    /// Only connections whose client socket is open in the process `pid` returns (`nil`: no process yet, refused).
    ///
    /// Where the kernel does not report socket owners (no `/proc`, as on macOS), every connection is served:
    /// ``SocketOwnership/isAvailable`` tells, and the service logs it at start.
    /// - Parameter pid: The worker's process id.
    /// - Returns: The policy.
    package static func process(_ pid: @escaping @Sendable () async -> Int32?) -> RuntimeAPIPeers {
        RuntimeAPIPeers { client, listenerPort in
            guard SocketOwnership.isAvailable else { return true }
            guard let pid = await pid() else { return false }
            return SocketOwnership.processOwnsConnection(pid: pid, client: client, listenerPort: listenerPort)
        }
    }
}

/// Which process owns a loopback TCP connection, from the kernel's tables (Linux `/proc`).
package enum SocketOwnership {
    /// Whether this system reports socket owners through `/proc`.
    package static var isAvailable: Bool {
        FileManager.default.isReadableFile(atPath: "/proc/net/tcp") && FileManager.default.fileExists(atPath: "/proc/self/fd")
    }

    /// Whether the client end of a connection to `listenerPort` from `client` is a socket open in process `pid`.
    /// - Parameters:
    ///   - pid: The process.
    ///   - client: The connection's remote address as the listener sees it (IPv4).
    ///   - listenerPort: The listener's port.
    /// - Returns: `false` when the socket is not found or belongs to another process.
    package static func processOwnsConnection(pid: Int32, client: SocketAddress?, listenerPort: Int) -> Bool {
        guard case .v4(let address) = client, let clientPort = client?.port,
            let table = read("/proc/net/tcp")
        else { return false }
        let inodes = Self.inodes(
            inTable: table,
            localAddress: hexAddress(address.address.sin_addr.s_addr),
            localPort: clientPort,
            remotePort: listenerPort
        )
        guard !inodes.isEmpty else { return false }
        return ownsSocket(pid: pid, inodes: Set(inodes))
    }

    /// The inodes of the sockets in a `/proc/net/tcp` table bound to `localAddress:localPort` and connected to
    /// `remotePort`.
    /// - Parameters:
    ///   - text: The table.
    ///   - localAddress: The local address as the kernel prints it (`0100007F` for 127.0.0.1 on little-endian).
    ///   - localPort: The local port.
    ///   - remotePort: The remote port.
    /// - Returns: The inodes (normally one).
    package static func inodes(inTable text: String, localAddress: String, localPort: Int, remotePort: Int) -> [UInt64] {
        var found: [UInt64] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9 else { continue }
            let local = fields[1].split(separator: ":")
            let remote = fields[2].split(separator: ":")
            guard local.count == 2, remote.count == 2,
                local[0].uppercased() == localAddress.uppercased(),
                Int(local[1], radix: 16) == localPort,
                Int(remote[1], radix: 16) == remotePort,
                let inode = UInt64(fields[9]), inode != 0
            else { continue }
            found.append(inode)
        }
        return found
    }

    /// An IPv4 address (`in_addr.s_addr`, network byte order in memory) as `/proc/net/tcp` prints it: the same four
    /// bytes read as a native integer, eight uppercase hex digits.
    /// - Parameter raw: `s_addr`.
    /// - Returns: The text.
    package static func hexAddress(_ raw: UInt32) -> String {
        let digits = String(raw, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Whether one of the process's open descriptors is one of the sockets.
    /// - Parameters:
    ///   - pid: The process.
    ///   - inodes: Socket inodes.
    /// - Returns: `true` when found.
    package static func ownsSocket(pid: Int32, inodes: Set<UInt64>) -> Bool {
        let folder = "/proc/\(pid)/fd"
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return false }
        for descriptor in descriptors {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\(descriptor)"),
                target.hasPrefix("socket:["), target.hasSuffix("]"),
                let inode = UInt64(target.dropFirst("socket:[".count).dropLast())
            else { continue }
            if inodes.contains(inode) { return true }
        }
        return false
    }

    private static func read(_ path: String) -> String? {
        // /proc files report a size of 0: read to the end instead of trusting it.
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
