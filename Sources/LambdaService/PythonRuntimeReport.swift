import Foundation
import Logging

/// What the Python runtimes and the template's Python functions will run on: the `runtimes` subcommand's tables,
/// the lines `start` logs, and `build` (dependencies ahead of time).
package enum PythonRuntimeReport {
    /// One supported runtime: the interpreter found for it and its state.
    package struct RuntimeRow: Sendable, Equatable {
        /// `python3.12`.
        package var runtime: String
        /// The interpreter (path, full version, where found), or `-`.
        package var interpreter: String
        /// Its state.
        package var status: String
    }

    /// One function: what it will run on.
    package struct FunctionRow: Sendable, Equatable {
        /// The function name.
        package var function: String
        /// Its declared runtime.
        package var runtime: String
        /// What it will run on, with any warning.
        package var runsOn: String
    }

    /// The row of every supported runtime.
    /// - Parameters:
    ///   - table: The interpreters found.
    ///   - provisioner: Where environments are created.
    /// - Returns: One row per ``PythonVersion/supported`` version.
    package static func runtimeRows(table: PythonRuntimeTable, provisioner: PythonRuntimeProvisioner) -> [RuntimeRow] {
        PythonVersion.supported.map { version in
            guard let interpreter = table.interpreters[version] else {
                let fallback = table.resolve(version).map { "not found: its functions run on \($0.interpreter.version) (closest newer)" }
                return RuntimeRow(
                    runtime: version.runtime,
                    interpreter: "-",
                    status: fallback
                        ?? "not found: its functions cannot run (install python\(version.number) or pass --lambda-python-\(version.number))"
                )
            }
            let status: String
            if interpreter.isRuntimeEnvironment {
                status = "ready (runtime environment used as is)"
            } else if provisioner.isReady(interpreter) {
                status = "ready (runtime environment \(provisioner.folder(for: version).path))"
            } else {
                status = "found (runtime environment created at first use in \(provisioner.folder(for: version).path))"
            }
            return RuntimeRow(runtime: version.runtime, interpreter: describe(interpreter), status: status)
        }
    }

    /// What each Python function of a template will run on.
    /// - Parameters:
    ///   - functions: The template's functions.
    ///   - table: The interpreters found.
    ///   - dependencyRoot: The dependency cache (``LambdaSettings/dependencyCache`` or its default).
    /// - Returns: One row per function (other runtimes say what runs them).
    package static func functionRows(functions: [LambdaFunctionSpec], table: PythonRuntimeTable, dependencyRoot: URL) -> [FunctionRow] {
        let cache = DependencyCache(root: dependencyRoot, logger: Logger(label: "synapscribe-local.runtimes"))
        return functions.map { spec in
            let runtime = spec.runtime ?? "(image)"
            switch LambdaRuntimeFamily(runtime: spec.runtime) {
            case .node:
                return FunctionRow(function: spec.functionName, runtime: runtime, runsOn: "node (on PATH or --lambda-node)")
            case .unsupported:
                return FunctionRow(function: spec.functionName, runtime: runtime, runsOn: "not run (runtime not supported)")
            case .python:
                guard let declared = PythonVersion(runtime: runtime), let resolution = table.resolve(declared) else {
                    return FunctionRow(function: spec.functionName, runtime: runtime, runsOn: "cannot run: no \(runtime) interpreter or newer")
                }
                var text = "\(resolution.interpreter.version) \(describe(resolution.interpreter))"
                if !resolution.isExact { text += " [WARNING: no \(runtime) interpreter found; closest newer]" }
                if let folder = spec.codeUri, let installed = cache.isInstalled(folder, version: resolution.interpreter.version) {
                    text += installed ? "; requirements.txt built" : "; requirements.txt NOT built (run synapscribe-local build)"
                }
                return FunctionRow(function: spec.functionName, runtime: runtime, runsOn: text)
            }
        }
    }

    /// `/path (3.12.1, pyenv)`.
    private static func describe(_ interpreter: PythonInterpreter) -> String {
        "\(interpreter.path) (\(interpreter.fullVersion), \(interpreter.source.rawValue))"
    }

    /// Logs at start what the Python functions run on: each version's interpreter, a warning for each function on
    /// a newer interpreter than it declares (naming it), an error for each that cannot run, and a warning for each
    /// whose `requirements.txt` was not built.
    /// - Parameters:
    ///   - functions: The served functions.
    ///   - settings: The Lambda settings (with the interpreters found).
    ///   - logger: The Lambda service's logger.
    static func log(functions: [LambdaFunction], settings: LambdaSettings, logger: Logger) {
        let python = functions.filter { LambdaRuntimeFamily(runtime: $0.spec.runtime) == .python }
        guard !python.isEmpty else { return }
        let table = settings.pythonRuntimes ?? PythonRuntimeTable(interpreters: [:])
        let provisioner = PythonRuntimeProvisioner(root: settings.pythonRuntimeFolder ?? PythonRuntimeProvisioner.defaultRoot, logger: logger)
        let cache = DependencyCache(root: settings.dependencyCache ?? DependencyCache.defaultRoot, logger: logger)
        var announced = Set<PythonVersion>()
        for function in python {
            let runtime = function.spec.runtime ?? "python3"
            guard let declared = PythonVersion(runtime: runtime), let resolution = table.resolve(declared) else {
                logger.error(
                    "\(function.name) (\(runtime)) cannot run: no \(runtime) interpreter (or a newer one) was found on PATH or under pyenv; install one or pass --lambda-\(runtime.replacingOccurrences(of: "python", with: "python-")) PATH. Its invocations fail with ServiceException."
                )
                continue
            }
            let interpreter = resolution.interpreter
            if announced.insert(interpreter.version).inserted {
                let state =
                    provisioner.isReady(interpreter) ? "ready" : "created at first use in \(provisioner.folder(for: interpreter.version).path)"
                logger.info("Lambda \(interpreter.version) runtime: \(describe(interpreter)) -m awslambdaric; runtime environment \(state)")
            }
            if !resolution.isExact {
                logger.warning(
                    "\(function.name) declares \(runtime) but no \(runtime) interpreter was found: it runs on \(interpreter.version) (\(interpreter.path)), the closest newer one; behaviour may differ"
                )
            }
            if !settings.installDependencies, let folder = function.spec.codeUri, cache.isInstalled(folder, version: interpreter.version) == false {
                logger.warning(
                    "\(function.name): \(folder)/requirements.txt is not installed for \(interpreter.version): run `synapscribe-local build` first (start installs nothing without --install-dependencies); until then its cold starts fail"
                )
            }
        }
    }
}

/// `synapscribe-local build`: what `sam build` does for the Python functions, into the user cache: the runtime
/// environment of every version the functions run on, and each function's `requirements.txt` installed for its
/// interpreter's version; for Node.js functions, the AWS SDK packages their code imports, installed with npm into the
/// runtime cache (the SDK AWS's Node.js runtime includes).
package enum LambdaBuilder {
    /// What happened to one function.
    package struct Outcome: Sendable, Equatable {
        /// The function name.
        package var function: String
        /// What was done (or why it failed).
        package var detail: String
        /// Whether it failed.
        package var failed: Bool
    }

    /// Builds every Python function of a template.
    /// - Parameters:
    ///   - functions: The template's functions.
    ///   - settings: The Lambda settings (interpreters, cache folders).
    ///   - logger: Progress lines (runtime environments, pip).
    /// - Returns: One outcome per Python function.
    package static func build(functions: [LambdaFunctionSpec], settings: LambdaSettings, logger: Logger) async -> [Outcome] {
        let table = settings.pythonRuntimes ?? settings.discoverPythonRuntimes()
        let provisioner = PythonRuntimeProvisioner(root: settings.pythonRuntimeFolder ?? PythonRuntimeProvisioner.defaultRoot, logger: logger)
        let cache = DependencyCache(root: settings.dependencyCache ?? DependencyCache.defaultRoot, logger: logger)
        let python = settings.python ?? table.interpreters.values.map(\.path).sorted().first
        let codeStore = CodeStore(root: CodeStore.defaultRoot, python: python, logger: logger)
        var outcomes: [Outcome] = []
        for spec in functions where LambdaRuntimeFamily(runtime: spec.runtime) == .python {
            let name = spec.functionName
            let runtime = spec.runtime ?? "python3"
            guard let declared = PythonVersion(runtime: runtime), let resolution = table.resolve(declared) else {
                outcomes.append(Outcome(function: name, detail: LambdaMessages.pythonUnavailable(runtime), failed: true))
                continue
            }
            let version = resolution.interpreter.version
            do {
                // The runtime environment first: start then needs no network for it either.
                let executable = try await provisioner.environment(for: resolution.interpreter)
                let folder = try await codeStore.folder(for: spec.code, runtime: runtime, function: name)
                if DependencyCache.isSAMBuildOutput(URL(fileURLWithPath: folder).standardizedFileURL) {
                    outcomes.append(Outcome(function: name, detail: "sam build output: dependencies are in \(folder) already", failed: false))
                    continue
                }
                guard DependencyCache.requirements(in: folder) != nil else {
                    outcomes.append(Outcome(function: name, detail: "no requirements.txt: nothing to install (\(version))", failed: false))
                    continue
                }
                let installed = try await cache.dependencies(for: folder, python: executable, version: version, function: name, install: true)
                outcomes.append(Outcome(function: name, detail: "requirements.txt installed for \(version) in \(installed ?? folder)", failed: false))
            } catch let failure as DependencyCache.InstallFailure {
                outcomes.append(Outcome(function: name, detail: LambdaMessages.dependenciesFailed(failure.output), failed: true))
            } catch let failure as PythonRuntimeProvisioner.Failure {
                outcomes.append(
                    Outcome(
                        function: name,
                        detail: LambdaMessages.runtimeEnvironmentFailed(runtime: version.runtime, output: failure.output),
                        failed: true
                    )
                )
            } catch let unusable as CodeStore.Unusable {
                outcomes.append(Outcome(function: name, detail: unusable.reason, failed: true))
            } catch {
                outcomes.append(Outcome(function: name, detail: "\(error)", failed: true))
            }
        }
        let installer = NodeSDKInstaller(cache: settings.nodeRuntimeFolder ?? NodeRuntimeFiles.defaultFolder, logger: logger)
        for spec in functions where LambdaRuntimeFamily(runtime: spec.runtime).isNode {
            let name = spec.functionName
            do {
                let folder = try await codeStore.folder(for: spec.code, runtime: spec.runtime, function: name)
                outcomes.append(Outcome(function: name, detail: try await installer.install(for: folder, function: name), failed: false))
            } catch let failure as NodeSDKInstaller.Failure {
                outcomes.append(Outcome(function: name, detail: LambdaMessages.nodeSDKFailed(failure.output), failed: true))
            } catch let unusable as CodeStore.Unusable {
                outcomes.append(Outcome(function: name, detail: unusable.reason, failed: true))
            } catch {
                outcomes.append(Outcome(function: name, detail: "\(error)", failed: true))
            }
        }
        return outcomes
    }
}
