import Foundation

/// A Python version of an AWS Lambda runtime (`python3.9` ... `python3.13`).
package struct PythonVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The minor version (`12` for Python 3.12); the major version is always 3.
    package let minor: Int

    /// Creates a version from its minor number.
    /// - Parameter minor: The minor version.
    package init(minor: Int) {
        self.minor = minor
    }

    /// Parses a `Runtime` value (`python3.12`); `nil` for anything but `python3.N`.
    /// - Parameter runtime: The template's `Runtime`.
    package init?(runtime: String) {
        guard runtime.hasPrefix("python") else { return nil }
        self.init(version: String(runtime.dropFirst("python".count)))
    }

    /// Parses a version number (`3.12`); `nil` for anything but `3.N` with N of at most three digits.
    /// - Parameter version: The text.
    package init?(version: String) {
        guard version.hasPrefix("3.") else { return nil }
        let digits = version.dropFirst(2)
        guard (1...3).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let minor = Int(digits)
        else { return nil }
        self.minor = minor
    }

    /// `python3.12`.
    package var runtime: String { "python3.\(minor)" }
    /// `3.12`.
    package var number: String { "3.\(minor)" }
    /// `python3.12`.
    package var description: String { runtime }

    /// Orders by minor version.
    /// - Parameters:
    ///   - lhs: A version.
    ///   - rhs: Another.
    /// - Returns: Whether `lhs` is older.
    package static func < (lhs: PythonVersion, rhs: PythonVersion) -> Bool { lhs.minor < rhs.minor }

    /// The Python runtimes AWS Lambda supports (its runtime table: python3.9 to python3.13, python3.9 deprecated
    /// on 15 December 2025 but still invocable).
    package static let supported: [PythonVersion] = (9...13).map { PythonVersion(minor: $0) }

    /// Whether AWS Lambda has a runtime for this version.
    package var isSupported: Bool { Self.supported.contains(self) }

    /// What the runtime environment holds besides the interpreter: AWS's runtime interface client and the AWS SDK
    /// as the managed runtime includes it (boto3/botocore 1.40.4 for every version; awslambdaric 4.2.2, or 4.0.4 on
    /// python3.9, the last release with python3.9 wheels).
    package var runtimePackages: [String] {
        [minor <= 9 ? "awslambdaric==4.0.4" : "awslambdaric==4.2.2", "boto3==1.40.4", "botocore==1.40.4"]
    }
}

/// A Python interpreter found on this machine.
package struct PythonInterpreter: Sendable, Equatable {
    /// Where it was found.
    package enum Source: String, Sendable, Equatable {
        /// `--lambda-python-3.X PATH`.
        case option
        /// `python3.X` on `PATH`.
        case path = "PATH"
        /// `$(pyenv root)/versions/3.X.*`.
        case pyenv
        /// A ready runtime environment (`--lambda-python`, `SYNAPSCRIBE_LAMBDA_PYTHON` or `.venv-runtime`): used as
        /// is, with the awslambdaric and boto3 it holds.
        case runtimeEnvironment = "runtime environment"
    }

    /// The executable (for `PATH` and pyenv interpreters, the real one: `sys.executable`, not a pyenv shim).
    package var path: String
    /// Its version.
    package var version: PythonVersion
    /// Its full version (`3.12.1`).
    package var fullVersion: String
    /// Where it was found.
    package var source: Source

    /// Creates an interpreter record.
    /// - Parameters:
    ///   - path: The executable.
    ///   - version: Its version.
    ///   - fullVersion: Its full version.
    ///   - source: Where it was found.
    package init(path: String, version: PythonVersion, fullVersion: String, source: Source) {
        self.path = path
        self.version = version
        self.fullVersion = fullVersion
        self.source = source
    }

    /// Whether it is used as is (it already holds awslambdaric) instead of a provisioned runtime environment.
    package var isRuntimeEnvironment: Bool { source == .runtimeEnvironment }
}

/// What one function's `python3.X` runtime runs on.
package struct PythonResolution: Sendable, Equatable {
    /// The runtime the function declares.
    package var declared: PythonVersion
    /// The interpreter it runs on.
    package var interpreter: PythonInterpreter

    /// Whether the interpreter's version is the declared one (else it is the closest newer one found).
    package var isExact: Bool { interpreter.version == declared }
}

/// The Python interpreters found for AWS's Python runtimes: per version, an explicit `--lambda-python-3.X`, else
/// `python3.X` on `PATH`, else pyenv's newest `3.X.*`; a ready runtime environment (`--lambda-python`,
/// `.venv-runtime`) stands for its own version and comes first.
package struct PythonRuntimeTable: Sendable, Equatable {
    /// The interpreter per version.
    package var interpreters: [PythonVersion: PythonInterpreter]

    /// Creates a table.
    /// - Parameter interpreters: The interpreter per version.
    package init(interpreters: [PythonVersion: PythonInterpreter]) {
        self.interpreters = interpreters
    }

    /// The interpreter a `python3.X` runtime runs on: its own version's, else the closest newer one found.
    /// - Parameter declared: The function's runtime version.
    /// - Returns: The resolution, or `nil` when neither that version nor a newer one is installed.
    package func resolve(_ declared: PythonVersion) -> PythonResolution? {
        if let exact = interpreters[declared] { return PythonResolution(declared: declared, interpreter: exact) }
        guard let newer = interpreters.keys.filter({ $0 > declared }).min(), let interpreter = interpreters[newer] else { return nil }
        return PythonResolution(declared: declared, interpreter: interpreter)
    }

    /// Looks for an interpreter for every supported version (runs each candidate once, at most 5 s each).
    /// - Parameters:
    ///   - explicit: `--lambda-python-3.X` paths by version.
    ///   - runtimeEnvironment: A ready runtime environment's interpreter (`--lambda-python`, `.venv-runtime`).
    ///   - searchPath: The `PATH` value.
    ///   - pyenvRoot: pyenv's root (`PYENV_ROOT`, default `~/.pyenv`).
    ///   - wanted: Only these versions, and newer ones while an older wanted one has no interpreter; `nil` for all.
    /// - Returns: The table.
    package static func discover(
        explicit: [PythonVersion: String],
        runtimeEnvironment: String?,
        searchPath: String?,
        pyenvRoot: String,
        wanted: Set<PythonVersion>? = nil
    ) -> PythonRuntimeTable {
        var interpreters: [PythonVersion: PythonInterpreter] = [:]
        if let runtimeEnvironment,
            let probed = venvInterpreter(runtimeEnvironment) ?? probe(runtimeEnvironment, source: .runtimeEnvironment, realPath: false)
        {
            interpreters[probed.version] = probed
        }
        let files = FileManager.default
        for version in PythonVersion.supported.sorted() {
            // Each probe runs an interpreter (10-30 ms of start-up): only the versions functions declare, and newer
            // ones only while a declared version older than them has no interpreter (the closest newer stands in).
            if let wanted,
                !wanted.contains(where: { declared in
                    declared <= version && !interpreters.keys.contains { $0 >= declared && $0 < version }
                })
            {
                continue
            }
            if let path = explicit[version], !path.isEmpty {
                if let probed = probe(path, source: .option, realPath: false), probed.version == version {
                    interpreters[version] = probed
                }
                continue
            }
            guard interpreters[version] == nil else { continue }
            let name = "python\(version.number)"
            let pyenvFolder = URL(fileURLWithPath: pyenvRoot).resolvingSymlinksInPath().path + "/"
            for folder in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
                let candidate = "\(folder)/\(name)"
                guard files.isExecutableFile(atPath: candidate) else { continue }
                // pyenv's shims (under its root) are not run: each costs 0.2-0.3 s of start-up (a bash script running
                // pyenv), and every version they could select is found under `versions` below.
                guard !URL(fileURLWithPath: folder + "/").resolvingSymlinksInPath().path.appending("/").hasPrefix(pyenvFolder)
                else { continue }
                if let probed = probe(candidate, source: .path, realPath: true), probed.version == version {
                    interpreters[version] = probed
                    break
                }
            }
            guard interpreters[version] == nil else { continue }
            for folder in pyenvVersions(root: pyenvRoot, version: version) {
                let candidate = "\(pyenvRoot)/versions/\(folder)/bin/\(name)"
                guard files.isExecutableFile(atPath: candidate) else { continue }
                if let probed = probe(candidate, source: .pyenv, realPath: false), probed.version == version {
                    interpreters[version] = probed
                    break
                }
            }
        }
        return PythonRuntimeTable(interpreters: interpreters)
    }

    /// pyenv's root: `PYENV_ROOT`, else `~/.pyenv`.
    /// - Parameter environment: The process environment.
    /// - Returns: The folder.
    package static func pyenvRoot(environment: [String: String]) -> String {
        if let root = environment["PYENV_ROOT"], !root.isEmpty { return root }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".pyenv").path
    }

    /// The folders of `root/versions` that hold `version` (`3.12.1`, `3.12.10`), newest patch first.
    private static func pyenvVersions(root: String, version: PythonVersion) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/versions")) ?? []
        let prefix = "\(version.number)."
        let patches = names.compactMap { name -> (String, Int)? in
            guard name.hasPrefix(prefix) else { return nil }
            let patch = name.dropFirst(prefix.count)
            guard (1...4).contains(patch.count), patch.allSatisfy(\.isNumber), let number = Int(patch) else { return nil }
            return (name, number)
        }
        return patches.sorted { $0.1 > $1.1 }.map(\.0)
    }

    /// A venv's interpreter read from its `pyvenv.cfg` (`version = 3.12.4`, or `version_info = 3.12.4.final.0`) without
    /// running it (a ready runtime environment at every start: one process fewer, 10-20 ms).
    private static func venvInterpreter(_ path: String) -> PythonInterpreter? {
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let config = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pyvenv.cfg")
        guard let data = try? Data(contentsOf: config), data.count < 64 << 10 else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "version" || parts[0] == "version_info" else { continue }
            let numbers = parts[1].split(separator: ".").prefix(3)
            guard numbers.count == 3, numbers[0] == "3", numbers[2].allSatisfy(\.isNumber), !numbers[2].isEmpty,
                let version = PythonVersion(version: "3.\(numbers[1])")
            else { return nil }
            return PythonInterpreter(path: path, version: version, fullVersion: numbers.joined(separator: "."), source: .runtimeEnvironment)
        }
        return nil
    }

    /// Runs the interpreter once to read its version (and, for `PATH` entries, its real executable).
    private static func probe(_ path: String, source: PythonInterpreter.Source, realPath: Bool) -> PythonInterpreter? {
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let script = "import sys; print(sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.executable)"
        // -E -S: no PYTHON* variables, no site import (a third of a probe's time); the version and executable are the same.
        guard let output = ProcessProbe.output(path, ["-E", "-S", "-c", script], timeout: .seconds(5)) else { return nil }
        let fields = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 3)
        guard fields.count >= 3, fields[0] == "3", let version = PythonVersion(version: "3.\(fields[1])") else { return nil }
        let executable = fields.count == 4 && realPath && !fields[3].isEmpty ? String(fields[3]) : path
        return PythonInterpreter(path: executable, version: version, fullVersion: "3.\(fields[1]).\(fields[2])", source: source)
    }
}

/// Runs a short command and reads its standard output (interpreter version probes at start).
enum ProcessProbe {
    /// The command's output when it exits with status 0 within `timeout`, else `nil`.
    /// - Parameters:
    ///   - executable: The program.
    ///   - arguments: Its arguments.
    ///   - timeout: How long it may run.
    /// - Returns: Its first 4 KB of output, or `nil`.
    static func output(_ executable: String, _ arguments: [String], timeout: Duration) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let started = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - started < timeout { usleep(2_000) }
        if process.isRunning {
            process.terminate()
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data.prefix(4096), as: UTF8.self)
    }
}

extension LambdaMessages {
    /// No interpreter for a Python function's version or any newer one.
    /// - Parameter runtime: The function's runtime (`python3.12`).
    /// - Returns: The message.
    package static func pythonUnavailable(_ runtime: String) -> String {
        "The runtime \(runtime) is not available on this machine: no \(runtime) interpreter (or a newer one) was found "
            + "on PATH or under pyenv; install it, or pass --lambda-\(runtime.replacingOccurrences(of: "python", with: "python-")) PATH."
    }

    /// A Python function's `requirements.txt` that `synapscribe-local build` has not installed yet.
    /// - Parameters:
    ///   - runtime: The interpreter's runtime (`python3.12`).
    ///   - requirements: The file.
    /// - Returns: The message.
    package static func dependenciesNotBuilt(runtime: String, requirements: String) -> String {
        "The function's dependencies (\(requirements)) are not installed for \(runtime): run `synapscribe-local build` "
            + "with the same template first (start never installs them from the network), or start with --install-dependencies."
    }

    /// The runtime environment of a Python version could not be created.
    /// - Parameters:
    ///   - runtime: The runtime (`python3.12`).
    ///   - output: What failed (pip's or venv's output).
    /// - Returns: The message.
    package static func runtimeEnvironmentFailed(runtime: String, output: String) -> String {
        "The \(runtime) runtime environment (awslambdaric and boto3) could not be created: \(output.suffix(2000))"
    }
}
