import ArgumentParser
import Foundation

/// `synapscribe-local faults add|list|clear`: fault injection on a running emulator (`/_local/faults`).
struct Faults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "Inject AWS errors, latency, Lambda timeouts and init failures into a running emulator.",
        subcommands: [Add.self, List.self, Clear.self],
        defaultSubcommand: List.self
    )

    /// Sends one request to `/_local/faults`, prints the answer, and fails on an error status.
    static func send(_ endpoint: Clock.Endpoint, method: String, path: String, body: [String: Any]? = nil) throws {
        let client = LocalHTTPClient(endpoint: try LocalHTTPClient.Endpoint(endpoint.endpoint))
        var headers: [(String, String)] = []
        var bytes: [UInt8] = []
        if let body { bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) }
        if method != "GET" { headers.append(("Content-Type", "application/json")) }
        if let token = endpoint.adminToken ?? ProcessInfo.processInfo.environment["SYNAPSCRIBE_ADMIN_TOKEN"] {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        let response = try client.send(method, path, headers: headers, body: bytes)
        print(String(decoding: response.body, as: UTF8.self))
        if response.status != 200 { throw ExitCode(1) }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a fault.",
            discussion: """
                Examples:
                  synapscribe-local faults add --service dynamodb --operation PutItem --error ProvisionedThroughputExceededException --count 2
                  synapscribe-local faults add --service s3 --resource uploads/lectures/ --error SlowDown --rate 0.5 --duration 10m
                  synapscribe-local faults add --service lambda --resource QueryFunction --effect timeout --count 1
                  synapscribe-local faults add --service apigatewaymanagementapi --operation PostToConnection --error GoneException
                  synapscribe-local faults add --service dynamodb --latency-ms 1500
                """
        )
        @OptionGroup var endpoint: Clock.Endpoint
        @Option(help: "The service: dynamodb, s3, lambda, execute-api (or apigatewaymanagementapi), sts, ...") var service: String
        @Option(help: "The operation, e.g. PutItem (default: every operation).") var operation: String?
        @Option(help: "The resource: a table, bucket or bucket/prefix, function, or connection id.") var resource: String?
        @Option(help: "The AWS error code, e.g. ThrottlingException, SlowDown, TooManyRequestsException, GoneException.") var error: String?
        @Option(help: "The HTTP status (needed for error codes the emulator does not know).") var status: Int?
        @Option(help: "The error message (default: AWS's text for a known code).") var message: String?
        @Option(help: "Added latency in milliseconds (instead of an error).") var latencyMs: Int?
        @Option(help: "Lambda effects: timeout or initFailure.") var effect: String?
        @Option(help: "For --effect initFailure: the Runtime.* error type.") var errorType: String?
        @Option(help: "The share of matching calls that fail, 0 < rate <= 1 (default 1).") var rate: Double?
        @Option(help: "Expire after this many injected calls (the next N calls).") var count: Int?
        @Option(help: "Expire after this much virtual time, e.g. 90s, 10m.") var duration: String?

        func run() async throws {
            var body: [String: Any] = ["service": service]
            if let operation { body["operation"] = operation }
            if let resource { body["resource"] = resource }
            if let error { body["error"] = error }
            if let status { body["status"] = status }
            if let message { body["message"] = message }
            if let latencyMs { body["latencyMs"] = latencyMs }
            if let effect { body["effect"] = effect }
            if let errorType { body["errorType"] = errorType }
            if let rate { body["rate"] = rate }
            if let count { body["count"] = count }
            if let duration { body["duration"] = duration }
            try Faults.send(endpoint, method: "POST", path: "/_local/faults", body: body)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List active faults and the calls they hit.")
        @OptionGroup var endpoint: Clock.Endpoint
        func run() async throws { try Faults.send(endpoint, method: "GET", path: "/_local/faults") }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear", abstract: "Remove every fault (and the log), or one by id.")
        @OptionGroup var endpoint: Clock.Endpoint
        @Argument(help: "A fault id such as fault-3 (default: every fault).") var id: String?
        func validate() throws {
            if let id, id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                throw ValidationError("'\(id)' is not a fault id such as fault-3")
            }
        }
        func run() async throws {
            try Faults.send(endpoint, method: "DELETE", path: "/_local/faults" + (id.map { "/" + $0 } ?? ""))
        }
    }
}
