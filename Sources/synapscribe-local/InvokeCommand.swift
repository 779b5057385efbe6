import ArgumentParser
import EmulatorApp
import EmulatorCore
import Foundation
import SigV4

/// `synapscribe-local invoke FUNCTION --event FILE|-`: one synchronous invocation against the running emulator's
/// state, as `sam local invoke -e` does against a fresh container: prints the response on stdout and the invocation's
/// log (`LogType: Tail`, the last 4 KB) on stderr, and exits 1 on a function error.
struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Invoke a function of the running emulator with an event; print the response and the log.",
        discussion: """
            The event is a JSON file, '-' for standard input, or --from-log FILE: a CloudWatch log line (or a file of \
            them) in which the function printed its event (the first JSON object on the line is used). The request is \
            signed with the emulator's test credentials at the emulator's virtual time. Exit status 1 on a function \
            error (the response carries X-Amz-Function-Error), 2 when the emulator refuses the request.
            """
    )

    @Argument(help: "The function: logical id, name or ARN.")
    var function: String

    @Option(name: [.short, .long], help: "The event: a JSON file, or - for standard input (default: {}).")
    var event: String?

    @Option(help: "A log file whose first line holding a JSON object is the event (as a function printed it).")
    var fromLog: String?

    @Option(help: "The running emulator's edge URL.")
    var endpoint: String = ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "http://127.0.0.1:4566"

    @Option(help: "The region to sign for.")
    var region: String = ProcessInfo.processInfo.environment["AWS_DEFAULT_REGION"] ?? "us-east-1"

    func validate() throws {
        if event != nil, fromLog != nil { throw ValidationError("give either --event or --from-log, not both") }
    }

    func run() async throws {
        let payload = try eventBytes()
        let client = LocalHTTPClient(endpoint: try LocalHTTPClient.Endpoint(endpoint))
        let name = function.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/:"))) ?? function
        let path = "/2015-03-31/functions/\(name)/invocations"
        let host = "\(client.endpoint.host):\(client.endpoint.port)"
        let request = SigV4Request(
            method: "POST",
            path: path,
            headers: [
                (name: "host", value: host), (name: "Content-Type", value: "application/json"), (name: "X-Amz-Log-Type", value: "Tail"),
            ]
        )
        let signed = SigV4Signing.signHeaders(
            request,
            credential: SigningCredential(accessKeyId: EmulatorOptions.testAccessKeyId, secretAccessKey: EmulatorOptions.testSecretAccessKey),
            region: region,
            service: "lambda",
            date: try virtualNow(client),
            payloadHash: SigV4Encoding.sha256Hex(payload),
            style: .standard
        )
        let headers = signed.headers.filter { $0.name.lowercased() != "host" }.map { ($0.name, $0.value) }
        let response = try client.send("POST", path, headers: headers, body: payload)
        let body = String(decoding: response.body, as: UTF8.self)
        guard response.status / 100 == 2 else {
            let code = response.header("x-amzn-errortype").map { " " + ($0.split(separator: ":").first.map(String.init) ?? $0) } ?? ""
            FileHandle.standardError.write(Data("invoke refused (HTTP \(response.status)\(code)): \(body)\n".utf8))
            throw ExitCode(2)
        }
        if let log = response.header("x-amz-log-result").flatMap({ Data(base64Encoded: $0) }) {
            FileHandle.standardError.write(log)
            if log.last != UInt8(ascii: "\n") { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        print(body)
        if let error = response.header("x-amz-function-error") {
            FileHandle.standardError.write(Data("function error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The event bytes from `--event`, standard input or `--from-log`.
    private func eventBytes() throws -> [UInt8] {
        if let fromLog {
            let text = try String(contentsOfFile: fromLog, encoding: .utf8)
            guard let object = Self.eventFromLog(text) else {
                throw ValidationError("no line of \(fromLog) holds a JSON object (the event as the function printed it)")
            }
            return Array(object.utf8)
        }
        guard let event else { return Array("{}".utf8) }
        let data = event == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: event))
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
            throw ValidationError("the event in \(event == "-" ? "standard input" : event) is not JSON")
        }
        return Array(data)
    }

    /// The first JSON object found on a line of a CloudWatch log (`2026-...\tRequestId\tINFO\t{...}`, a bare JSON
    /// line, or `aws logs tail` output with the stream name in front).
    /// - Parameter text: The log text.
    /// - Returns: The JSON object's text.
    static func eventFromLog(_ text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            var start = line.startIndex
            while let brace = line[start...].firstIndex(of: "{") {
                let candidate = String(line[brace...])
                if let data = candidate.data(using: .utf8),
                    let object = try? JSONSerialization.jsonObject(with: data, options: []) as? [String: Any],
                    let normalised = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                {
                    return String(decoding: normalised, as: UTF8.self)
                }
                start = line.index(after: brace)
            }
        }
        return nil
    }

    /// The emulator's virtual now (signatures are checked against it), else the real time.
    private func virtualNow(_ client: LocalHTTPClient) throws -> Date {
        guard let response = try? client.send("GET", "/_local/clock"), response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let text = object["now"] as? String, let date = Timestamp.parseISO8601(text)
        else { return Date() }
        return date
    }
}
