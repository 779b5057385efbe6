import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to a running emulator's `/_local/clock` endpoint (JSON bodies, and the `--admin-token` when one is set).
struct ClockClient {
    let endpoint: String
    var adminToken: String?

    func send(_ body: [String: String]?) async throws {
        guard let url = URL(string: endpoint.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/_local/clock") else {
            throw ValidationError("invalid endpoint \(endpoint)")
        }
        var request = URLRequest(url: url)
        if let body {
            request.httpMethod = "POST"
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let adminToken { request.setValue("Bearer \(adminToken)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        print(String(decoding: data, as: UTF8.self))
        if let http = response as? HTTPURLResponse, http.statusCode != 200 { throw ExitCode(1) }
    }
}
