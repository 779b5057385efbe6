import ArgumentParser
import Foundation

struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a Lambda function's captured log (START/END/REPORT and its output) from a running emulator."
    )

    @Argument(help: "The function: logical id, name or ARN.")
    var function: String

    @Flag(name: [.short, .long], help: "Keep printing new lines as they arrive.")
    var follow = false

    @Option(help: "The running emulator's edge URL.")
    var endpoint: String = ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "http://127.0.0.1:4566"

    func run() async throws {
        let client = LocalHTTPClient(endpoint: try LocalHTTPClient.Endpoint(endpoint))
        let name = function.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? function
        var after = 0
        while true {
            let response = try client.send("GET", "/_local/logs/\(name)?after=\(after)")
            let data = Data(response.body)
            guard response.status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                FileHandle.standardError.write(data + Data("\n".utf8))
                throw ExitCode(1)
            }
            for line in object["lines"] as? [[String: Any]] ?? [] {
                print(line["message"] as? String ?? "")
            }
            after = (object["next"] as? Int) ?? after
            guard follow else { return }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
