import EmulatorApp
import EmulatorCore
import Foundation
import Logging
import ServiceLifecycle

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Starts the full emulator in-process on `127.0.0.1`, port 0, for tests, and always shuts it down.
package enum TestEmulator {
    /// The repository root (where `template.yaml` lives), found from this source file's location.
    package static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `body` against a running emulator and shuts the emulator down afterwards, even when `body` throws.
    /// - Parameters:
    ///   - template: The template path (default: the repository's `template.yaml`).
    ///   - configure: Adjusts the options (ephemeral, port 0 and loopback are preset).
    ///   - body: The test, given the edge URL and the emulator.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` or the start-up throws.
    package static func withRunning<Result: Sendable>(
        template: String? = nil,
        configure: (inout EmulatorOptions) -> Void = { _ in },
        _ body: @Sendable (_ endpoint: URL, _ emulator: Emulator) async throws -> Result
    ) async throws -> Result {
        var options = EmulatorOptions(templatePath: template ?? repositoryRoot.appendingPathComponent("template.yaml").path)
        options.port = 0
        options.dataDirectory = nil
        options.parameterOverrides["AgentCoreEndpoint"] = "http://127.0.0.1:9"
        configure(&options)
        let plan = try StackPlan(options: options)
        let emulator = try Emulator(options: options, plan: plan)
        var logger = Logger(label: "test-emulator")
        logger.logLevel = .warning
        let (ready, readyContinuation) = AsyncStream<Int>.makeStream()
        let group = try emulator.makeServiceGroup(logger: logger, signals: []) { running in
            readyContinuation.yield(running.port)
            readyContinuation.finish()
        }
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { Task { await group.triggerGracefulShutdown() } }
            var iterator = ready.makeAsyncIterator()
            guard let port = await iterator.next(), let endpoint = URL(string: "http://127.0.0.1:\(port)") else {
                throw TestEmulatorError.didNotStart
            }
            do {
                let result = try await body(endpoint, emulator)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Sends one HTTP request and returns status, headers and body.
    /// - Parameters:
    ///   - url: The URL.
    ///   - method: The method.
    ///   - headers: Header fields.
    ///   - body: The body.
    /// - Returns: Status code, headers and body text.
    /// - Throws: Transport errors.
    package static func send(
        _ url: URL,
        method: String = "GET",
        headers: [String: String] = [:],
        body: Data? = nil
    ) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestEmulatorError.notHTTP }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
        }
        return (http.statusCode, fields, String(decoding: data, as: UTF8.self))
    }
}

/// Failures of the test harness itself.
package enum TestEmulatorError: Error {
    /// The server never reported its port.
    case didNotStart
    /// The response was not HTTP.
    case notHTTP
}
