import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a Lambda function's captured log (START/END/REPORT and its output) from a running emulator."
    )

    @Argument(help: "The function: logical id, name or ARN.")
    var function: String

    @Flag(name: [.short, .long], help: "Keep printing new lines as they arrive.")
    var follow = false

    @Option(help: "The running emulator's edge URL.")
    var endpoint: String = ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "http://127.0.0.1:4566"

    func run() async throws {
        let base = endpoint.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let name = function.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? function
        var after = 0
        while true {
            guard let url = URL(string: "\(base)/_local/logs/\(name)?after=\(after)") else {
                throw ValidationError("invalid endpoint \(endpoint)")
            }
            let (data, response) = try await URLSession.shared.data(from: url)
            guard let http = response as? HTTPURLResponse, http.statusCode == 200,
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            else {
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
