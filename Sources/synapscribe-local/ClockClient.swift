import ArgumentParser
import Foundation

/// Talks to a running emulator's `/_local/clock` endpoint (JSON bodies, and the `--admin-token` when one is set).
struct ClockClient {
    let endpoint: String
    var adminToken: String?

    func send(_ body: [String: String]?) async throws {
        let client = LocalHTTPClient(endpoint: try LocalHTTPClient.Endpoint(endpoint))
        var headers: [(String, String)] = []
        var bytes: [UInt8] = []
        if let body {
            bytes = Array(try JSONSerialization.data(withJSONObject: body))
            headers.append(("Content-Type", "application/json"))
        }
        if let adminToken { headers.append(("Authorization", "Bearer \(adminToken)")) }
        let response = try client.send(body == nil ? "GET" : "POST", "/_local/clock", headers: headers, body: bytes)
        print(String(decoding: response.body, as: UTF8.self))
        if response.status != 200 { throw ExitCode(1) }
    }
}
