import Foundation
import Logging

/// Installs a function's `requirements.txt` into a per-function cache, as `sam build` does, so that
/// dependencies not vendored in `CodeUri` are on the import path (after `CodeUri`, before the runtime's boto3).
///
/// The cache key is the SHA-256 of the requirements file and the interpreter's version (`python3.12`): an unchanged
/// file is installed once and reused across cold starts and restarts. `synapscribe-local build` installs them ahead
/// of time; `start` only uses what is there (a missing set is ``NotBuilt``) unless it runs with
/// `--install-dependencies`, which installs at the first cold start. Installs run `python -m pip install --target`
/// with the runtime's own pip (PyPI, as `sam build` uses), outside the worker, so the workers' offline guard does not
/// apply to them. Code built by `sam build` (a folder under `.aws-sam/build`) holds its dependencies already.
struct DependencyCache: Sendable {
    /// Why the dependencies could not be installed.
    struct InstallFailure: Error {
        /// pip's output, for the log and the error message.
        let output: String
    }

    /// The dependencies were never installed (`synapscribe-local build` was not run) and installing is off.
    struct NotBuilt: Error {
        /// The requirements file.
        let requirements: String
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
    ///   - version: The interpreter's version (part of the cache key).
    ///   - function: The function name, for log lines.
    ///   - install: Whether a missing set is installed now (`build`, `start --install-dependencies`).
    /// - Returns: The folder to put on `PYTHONPATH`, or `nil` when the code has no `requirements.txt` (or is
    ///   `sam build` output).
    /// - Throws: ``InstallFailure`` when pip fails, ``NotBuilt`` when the set is missing and `install` is false.
    func dependencies(
        for codeDirectory: String,
        python: String,
        version: PythonVersion,
        function: String,
        install: Bool
    ) async throws -> String? {
        guard let (requirements, contents) = Self.requirements(in: codeDirectory) else { return nil }
        let digest = CodeStore.contentKey(contents + Data(version.runtime.utf8))
        let target = root.appendingPathComponent(digest, isDirectory: true)
        if FileManager.default.fileExists(atPath: target.appendingPathComponent(".complete").path) { return target.path }
        guard install else { throw NotBuilt(requirements: requirements.path) }
        return try await flights.run(digest) { [root, logger] in
            try await Self.install(requirements: requirements, python: python, root: root, target: target, function: function, logger: logger)
        }
    }

    /// Whether a code folder's dependencies are installed for `version`, without installing anything.
    /// - Parameters:
    ///   - codeDirectory: The code folder.
    ///   - version: The interpreter's version.
    /// - Returns: `nil` when there is nothing to install, else whether the set is in the cache.
    func isInstalled(_ codeDirectory: String, version: PythonVersion) -> Bool? {
        guard let (_, contents) = Self.requirements(in: codeDirectory) else { return nil }
        let digest = CodeStore.contentKey(contents + Data(version.runtime.utf8))
        return FileManager.default.fileExists(atPath: root.appendingPathComponent("\(digest)/.complete").path)
    }

    /// The `requirements.txt` of a code folder with at least one requirement, unless the folder is `sam build`
    /// output (its dependencies are in it already).
    /// - Parameter codeDirectory: The code folder.
    /// - Returns: The file and its contents, or `nil`.
    static func requirements(in codeDirectory: String) -> (URL, Data)? {
        let folder = URL(fileURLWithPath: codeDirectory, isDirectory: true).standardizedFileURL
        guard !isSAMBuildOutput(folder) else { return nil }
        let requirements = folder.appendingPathComponent("requirements.txt")
        guard let contents = try? Data(contentsOf: requirements) else { return nil }
        let meaningful = String(decoding: contents, as: UTF8.self).split(whereSeparator: \.isNewline).contains {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !line.hasPrefix("#")
        }
        return meaningful ? (requirements, contents) : nil
    }

    /// Whether a folder lies under `.aws-sam/build` (what `sam build` writes, dependencies included).
    /// - Parameter folder: The code folder.
    /// - Returns: True for `sam build` output.
    static func isSAMBuildOutput(_ folder: URL) -> Bool {
        let components = folder.pathComponents
        return zip(components, components.dropFirst()).contains { $0 == ".aws-sam" && $1 == "build" }
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
        let started = ContinuousClock.now
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
        logger.notice(
            "installed requirements.txt for \(function) in \(PythonRuntimeProvisioner.secondsText(since: started)) s",
            metadata: ["target": "\(target.path)"]
        )
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
