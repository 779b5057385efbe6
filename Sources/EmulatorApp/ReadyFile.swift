import Foundation

/// `--ready-file PATH`: once every port is bound, the emulator writes one JSON object with every URL a tool needs
/// (edge, TLS, WebSocket and execute-api URLs, the CA bundle, the stack's resources and outputs), atomically
/// (a temporary file in the same folder, then a rename), so a reader polling for the file never sees half of it.
///
/// With `--port 0` and `--tls-port 0` this is how test harnesses (the pytest plugin) learn where the emulator is.
package enum ReadyFile {
    /// The JSON object for a started emulator.
    /// - Parameters:
    ///   - summary: The startup summary.
    ///   - port: The bound edge port.
    ///   - accountId: The emulated account id.
    /// - Returns: The object, ready for `JSONSerialization`.
    package static func object(summary: StartupSummary, port: Int, accountId: String) -> [String: Any] {
        var object: [String: Any] = [
            "status": "ready",
            "pid": Int(ProcessInfo.processInfo.processIdentifier),
            "edgeURL": summary.edgeURL,
            "port": port,
            "region": summary.region,
            "accountId": accountId,
            "stackName": summary.stackName,
            "readyMilliseconds": summary.readyMilliseconds,
            "adminURL": summary.edgeURL + "/_local",
            "environment": Dictionary(
                summary.clientEnvironment.compactMap { line -> (String, String)? in
                    guard let equals = line.firstIndex(of: "=") else { return nil }
                    return (String(line[..<equals]), String(line[line.index(after: equals)...]))
                },
                uniquingKeysWith: { first, _ in first }
            ),
            "webSocketAPIs": summary.webSocketAPIs.map {
                ["logicalId": $0.logicalId, "apiId": $0.apiId, "stage": $0.stage, "url": $0.url, "managementURL": $0.managementURL]
            },
            "executeAPIs": summary.executeAPIs.map { ["kind": $0.kind, "logicalId": $0.logicalId, "url": $0.url] },
            "resources": summary.resources.map { ["kind": $0.kind, "logicalId": $0.logicalId, "physicalId": $0.physicalId] },
            "outputs": Dictionary(summary.outputs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }),
        ]
        if let tls = summary.tlsEndpoint { object["tlsURL"] = tls }
        if let bundle = summary.caBundlePath { object["caBundlePath"] = bundle }
        if let token = summary.adminToken { object["adminToken"] = token }
        return object
    }

    /// Writes the object to `path` atomically with mode 0600 (it may carry the admin token).
    /// - Parameters:
    ///   - object: The object.
    ///   - path: The file.
    /// - Throws: When the folder cannot be written.
    package static func write(_ object: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        guard rename(temporary.path, target.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }
}
