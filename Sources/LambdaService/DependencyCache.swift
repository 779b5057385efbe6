import Foundation
import Logging

/// Installs a function's `requirements.txt` into a per-function cache, as `sam build` does, so that
/// dependencies not vendored in `CodeUri` are on the import path (after `CodeUri`, before the runtime's boto3).
///
/// The cache key is the SHA-256 of the requirements file and the interpreter path: an unchanged file is
/// installed once and reused across cold starts and restarts; an edited file is installed again at the next
/// cold start. Installs run `python -m pip install --target` with the runtime's own pip (PyPI, as `sam build`
/// uses), outside the worker, so the workers' offline guard does not apply to them.
struct DependencyCache: Sendable {
    /// Why the dependencies could not be installed.
    struct InstallFailure: Error {
        /// pip's output, for the log and the error message.
        let output: String
    }

    private let root: URL
    private let logger: Logger
    private let flights = SingleFlight()

    /// Creates the cache.
    /// - Parameters:
    ///   - root: The cache folder (`~/.cache/synapscribe-local/lambda-deps` by default).
    ///   - logger: The Lambda service's logger.
    init(root: URL, logger: Logger) {
        self.root = root
        self.logger = logger
    }

    /// `$XDG_CACHE_HOME/synapscribe-local/lambda-deps` (or `~/.cache/...`).
    static var defaultRoot: URL {
        UserCache.base.appendingPathComponent("synapscribe-local/lambda-deps", isDirectory: true)
    }

    /// The folder holding the installed dependencies of a code folder, installing them first when needed.
    /// - Parameters:
    ///   - codeDirectory: The function's `CodeUri`.
    ///   - python: The runtime interpreter whose pip installs them.
    ///   - function: The function name, for log lines.
    /// - Returns: The folder to put on `PYTHONPATH`, or `nil` when the code has no `requirements.txt`.
    /// - Throws: ``InstallFailure`` when pip fails.
    func dependencies(for codeDirectory: String, python: String, function: String) async throws -> String? {
        let requirements = URL(fileURLWithPath: codeDirectory).appendingPathComponent("requirements.txt")
        guard let contents = try? Data(contentsOf: requirements) else { return nil }
        let meaningful = String(decoding: contents, as: UTF8.self).split(whereSeparator: \.isNewline).contains {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !line.hasPrefix("#")
        }
        guard meaningful else { return nil }
        let digest = CodeStore.contentKey(contents + Data(python.utf8))
        let target = root.appendingPathComponent(digest, isDirectory: true)
        if FileManager.default.fileExists(atPath: target.appendingPathComponent(".complete").path) { return target.path }
        return try await flights.run(digest) { [root, logger] in
            try await Self.install(requirements: requirements, python: python, root: root, target: target, function: function, logger: logger)
        }
    }

    private static func install(
        requirements: URL,
        python: String,
        root: URL,
        target: URL,
        function: String,
        logger: Logger
    ) async throws -> String {
        let files = FileManager.default
        try files.createDirectory(at: root, withIntermediateDirectories: true)
        let staging = root.appendingPathComponent(".staging-\(UUID().uuidString)", isDirectory: true)
        logger.notice("installing requirements.txt for \(function) (cached for later cold starts)", metadata: ["target": "\(target.path)"])
        let (status, output) = try await run(
            python,
            ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "--target", staging.path, "-r", requirements.path]
        )
        guard status == 0 else {
            try? files.removeItem(at: staging)
            throw InstallFailure(output: output)
        }
        try Data().write(to: staging.appendingPathComponent(".complete"))
        if files.fileExists(atPath: target.path) { try? files.removeItem(at: target) }
        try files.moveItem(at: staging, to: target)
        return target.path
    }

    /// Runs a process to completion without blocking a thread of the cooperative pool. Output goes to a
    /// temporary file (a pipe read only at exit could fill up and stall pip).
    /// - Parameters:
    ///   - executable: The program.
    ///   - arguments: Its arguments.
    /// - Returns: The exit status and the combined output.
    /// - Throws: When the program cannot be started.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("pip-\(UUID().uuidString).log")
        try Data().write(to: outputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        defer {
            try? output.close()
            try? FileManager.default.removeItem(at: outputURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            // Bridges Process's termination callback to async.
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return (status, text)
    }
}
