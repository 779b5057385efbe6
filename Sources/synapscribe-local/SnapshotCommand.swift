import ArgumentParser
import Foundation

/// `synapscribe-local snapshot save|restore|list|delete`: the running emulator's `/_local/snapshots` endpoints.
struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save, restore, list or delete snapshots of the running emulator's whole state (clock included).",
        subcommands: [Save.self, Restore.self, List.self, Delete.self],
        defaultSubcommand: List.self
    )

    /// Sends one request to `/_local/snapshots...` and prints the answer; a refusal exits 1.
    static func send(_ endpoint: Clock.Endpoint, _ method: String, _ path: String, body: [String: String]? = nil) throws {
        let client = LocalHTTPClient(endpoint: try LocalHTTPClient.Endpoint(endpoint.endpoint))
        var headers: [(String, String)] = []
        if method != "GET" { headers.append(("Content-Type", "application/json")) }
        let token = endpoint.adminToken ?? ProcessInfo.processInfo.environment["SYNAPSCRIBE_ADMIN_TOKEN"]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
        let response = try client.send(method, path, headers: headers, body: bytes)
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            let message = (object?["message"] as? String) ?? (object?["Message"] as? String) ?? text
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            throw ExitCode(1)
        }
        print(text)
    }

    /// The name as a path segment (the server validates it; this only keeps the request line intact).
    static func segment(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "._-"))) ?? name
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "save", abstract: "Save the whole state as NAME.")
        @OptionGroup var endpoint: Clock.Endpoint
        @Argument(help: "The snapshot's name: letters, digits, '.', '_' or '-'.") var name: String
        func run() async throws { try Snapshot.send(endpoint, "POST", "/_local/snapshots", body: ["name": name]) }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restore", abstract: "Replace the whole state with snapshot NAME.")
        @OptionGroup var endpoint: Clock.Endpoint
        @Argument(help: "The snapshot's name.") var name: String
        func run() async throws { try Snapshot.send(endpoint, "POST", "/_local/snapshots/\(Snapshot.segment(name))/restore", body: [:]) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the snapshots (name, time, size).")
        @OptionGroup var endpoint: Clock.Endpoint
        func run() async throws { try Snapshot.send(endpoint, "GET", "/_local/snapshots") }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete snapshot NAME.")
        @OptionGroup var endpoint: Clock.Endpoint
        @Argument(help: "The snapshot's name.") var name: String
        func run() async throws { try Snapshot.send(endpoint, "DELETE", "/_local/snapshots/\(Snapshot.segment(name))", body: [:]) }
    }
}
