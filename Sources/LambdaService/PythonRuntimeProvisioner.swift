import Foundation
import Logging

/// Creates the runtime environment of each Python version in the user cache, at its first use: a venv made from the
/// interpreter found for that version, with awslambdaric and boto3 pinned as AWS's runtime ships them
/// (``PythonVersion/runtimePackages``).
///
/// Layout: `$XDG_CACHE_HOME/synapscribe-local/runtimes/python3.X/` (or `~/.cache/...`), with a `.complete` file
/// naming the interpreter and the packages it was made with. An environment is built in a staging folder beside it
/// and renamed into place, so a half-built one is never used; an environment made from another interpreter or with
/// other packages is made again. pip installs with the user's pip configuration (`PIP_INDEX_URL`,
/// `PIP_FIND_LINKS`, `PIP_NO_INDEX`), outside the workers' offline guard.
package struct PythonRuntimeProvisioner: Sendable {
    /// Why an environment could not be created.
    package struct Failure: Error {
        /// venv's or pip's output.
        package let output: String
    }

    private let root: URL
    private let logger: Logger
    private let flights = SingleFlight()

    /// Creates the provisioner.
    /// - Parameters:
    ///   - root: The runtimes folder (``defaultRoot``).
    ///   - logger: Where progress lines go.
    package init(root: URL, logger: Logger) {
        self.root = root
        self.logger = logger
    }

    /// `$XDG_CACHE_HOME/synapscribe-local/runtimes` (or `~/.cache/...`).
    package static var defaultRoot: URL {
        UserCache.base.appendingPathComponent("synapscribe-local/runtimes", isDirectory: true)
    }

    /// The folder of a version's environment.
    /// - Parameter version: The version.
    /// - Returns: `root/python3.X`.
    package func folder(for version: PythonVersion) -> URL {
        root.appendingPathComponent(version.runtime, isDirectory: true)
    }

    /// The `.complete` text of an environment made from `interpreter`.
    private static func stamp(_ interpreter: PythonInterpreter) -> String {
        ([interpreter.path] + interpreter.version.runtimePackages).joined(separator: "\n") + "\n"
    }

    /// Whether the environment of `interpreter`'s version exists and was made from it (no process is run).
    /// - Parameter interpreter: The interpreter.
    /// - Returns: True when ``environment(for:)`` would not build anything.
    package func isReady(_ interpreter: PythonInterpreter) -> Bool {
        if interpreter.isRuntimeEnvironment { return true }
        let marker = folder(for: interpreter.version).appendingPathComponent(".complete")
        guard let data = try? Data(contentsOf: marker) else { return false }
        return String(decoding: data, as: UTF8.self) == Self.stamp(interpreter)
    }

    /// The python executable of the runtime environment for `interpreter`, creating the environment first when
    /// needed (a ready runtime environment is returned as is).
    /// - Parameter interpreter: The interpreter found for the version.
    /// - Returns: The environment's `bin/python3.X`.
    /// - Throws: ``Failure`` when venv or pip fails.
    package func environment(for interpreter: PythonInterpreter) async throws -> String {
        if interpreter.isRuntimeEnvironment { return interpreter.path }
        let target = folder(for: interpreter.version)
        let executable = target.appendingPathComponent("bin/python\(interpreter.version.number)").path
        if isReady(interpreter) { return executable }
        let (root, logger) = (self.root, self.logger)
        return try await flights.run(interpreter.version.runtime) {
            try await Self.build(interpreter: interpreter, root: root, target: target, logger: logger)
            return executable
        }
    }

    /// Seconds since `start`, with one decimal (progress lines).
    static func secondsText(since start: ContinuousClock.Instant) -> String {
        String(format: "%.1f", LambdaNumbers.milliseconds(ContinuousClock.now - start) / 1000)
    }

    private static func build(interpreter: PythonInterpreter, root: URL, target: URL, logger: Logger) async throws {
        let files = FileManager.default
        let expected = Self.stamp(interpreter)
        if let existing = try? Data(contentsOf: target.appendingPathComponent(".complete")), String(decoding: existing, as: UTF8.self) == expected {
            return
        }
        let runtime = interpreter.version.runtime
        let packages = interpreter.version.runtimePackages
        logger.notice(
            "creating the \(runtime) runtime environment (once): venv from \(interpreter.path) (\(interpreter.fullVersion)) + \(packages.joined(separator: " ")) in \(target.path)"
        )
        let started = ContinuousClock.now
        do {
            try files.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw Failure(output: "cannot create \(root.path): \(error)")
        }
        let staging = root.appendingPathComponent(".staging-\(runtime)-\(UUID().uuidString)", isDirectory: true)
        defer { try? files.removeItem(at: staging) }
        let (venvStatus, venvOutput) = try await DependencyCache.run(interpreter.path, ["-m", "venv", staging.path])
        guard venvStatus == 0 else {
            throw Failure(
                output: "\(interpreter.path) -m venv failed (on Debian/Ubuntu install python\(interpreter.version.number)-venv): \(venvOutput)"
            )
        }
        logger.notice(
            "\(runtime): step 1/2, venv created in \(Self.secondsText(since: started)) s; step 2/2, pip install \(packages.joined(separator: " "))"
        )
        let pipStarted = ContinuousClock.now
        let stagedPython = staging.appendingPathComponent("bin/python\(interpreter.version.number)").path
        let (pipStatus, pipOutput) = try await DependencyCache.run(
            stagedPython,
            ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"] + packages
        )
        guard pipStatus == 0 else { throw Failure(output: "pip install \(packages.joined(separator: " ")) failed: \(pipOutput)") }
        logger.notice("\(runtime): step 2/2, packages installed in \(Self.secondsText(since: pipStarted)) s")
        do {
            try Data(expected.utf8).write(to: staging.appendingPathComponent(".complete"))
            if let existing = try? Data(contentsOf: target.appendingPathComponent(".complete")),
                String(decoding: existing, as: UTF8.self) == expected
            {
                // Another process made the same environment meanwhile: it is kept (its workers may be using it).
                return
            }
            if files.fileExists(atPath: target.path) {
                // An environment of another interpreter (or older packages): moved aside first, so the rename below
                // replaces it in one step.
                let old = root.appendingPathComponent(".old-\(runtime)-\(UUID().uuidString)", isDirectory: true)
                try files.moveItem(at: target, to: old)
                try? files.removeItem(at: old)
            }
            try files.moveItem(at: staging, to: target)
        } catch {
            throw Failure(output: "cannot move the environment into \(target.path): \(error)")
        }
        let seconds = LambdaNumbers.milliseconds(ContinuousClock.now - started) / 1000
        logger.notice("\(runtime) runtime environment ready in \(String(format: "%.1f", seconds)) s: \(target.path)")
    }
}
