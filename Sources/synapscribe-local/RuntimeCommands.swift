import ArgumentParser
import EmulatorApp
import Foundation
import LambdaService
import Logging

/// `--lambda-python-3.X PATH`: the interpreter of each Python runtime, when it is not on `PATH` or under pyenv.
struct PythonVersionOptions: ParsableArguments {
    @Option(name: .customLong("lambda-python-3.9"), help: "The python3.9 interpreter for python3.9 functions (default: PATH, then pyenv).")
    var python39: String?

    @Option(name: .customLong("lambda-python-3.10"), help: "The python3.10 interpreter for python3.10 functions (default: PATH, then pyenv).")
    var python310: String?

    @Option(name: .customLong("lambda-python-3.11"), help: "The python3.11 interpreter for python3.11 functions (default: PATH, then pyenv).")
    var python311: String?

    @Option(name: .customLong("lambda-python-3.12"), help: "The python3.12 interpreter for python3.12 functions (default: PATH, then pyenv).")
    var python312: String?

    @Option(name: .customLong("lambda-python-3.13"), help: "The python3.13 interpreter for python3.13 functions (default: PATH, then pyenv).")
    var python313: String?

    /// The given interpreters by version number.
    var paths: [String: String] {
        var paths: [String: String] = [:]
        for (number, path) in [("3.9", python39), ("3.10", python310), ("3.11", python311), ("3.12", python312), ("3.13", python313)] {
            if let path { paths[number] = path }
        }
        return paths
    }

    func validate() throws {
        for (number, path) in paths.sorted(by: { $0.key < $1.key }) where !FileManager.default.isExecutableFile(atPath: path) {
            throw ValidationError("--lambda-python-\(number): \(path) is not an executable file")
        }
    }

    /// Lambda settings with these interpreters and the ready runtime environment `start` would use.
    /// - Parameters:
    ///   - lambdaPython: `--lambda-python`.
    ///   - templatePath: The template (a `.venv-runtime` above it is a ready runtime environment).
    /// - Returns: The settings.
    func settings(lambdaPython: String?, templatePath: String) -> LambdaSettings {
        LambdaSettings(python: LambdaSettings.locatePython(explicit: lambdaPython, templatePath: templatePath))
            .with(pythonVersionPaths: paths, installDependencies: true)
    }
}

/// `synapscribe-local runtimes`: each supported Python runtime -> the interpreter found -> its state, and with a
/// template, what each function will run on.
struct Runtimes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtimes",
        abstract: "List the Lambda Python runtimes, the interpreter found for each, and what the template's functions run on."
    )

    @OptionGroup var templateOptions: TemplateOptions

    @OptionGroup var pythonVersions: PythonVersionOptions

    @Option(help: "A ready python3.12 runtime environment's interpreter (with awslambdaric), as start takes it.")
    var lambdaPython: String?

    @Option(help: "Print the packages of a runtime's environment (e.g. python3.12), one requirement a line, and exit.")
    var requirements: String?

    func validate() throws {
        if let requirements, PythonVersion(runtime: requirements)?.isSupported != true {
            throw ValidationError("--requirements must name a supported runtime: \(PythonVersion.supported.map(\.runtime).joined(separator: ", "))")
        }
    }

    func run() async throws {
        if let requirements, let version = PythonVersion(runtime: requirements) {
            print(version.runtimePackages.joined(separator: "\n"))
            return
        }
        let settings = pythonVersions.settings(lambdaPython: lambdaPython, templatePath: templateOptions.templatePath)
        let table = settings.discoverPythonRuntimes()
        let provisioner = PythonRuntimeProvisioner(
            root: PythonRuntimeProvisioner.defaultRoot,
            logger: Logger(label: "synapscribe-local.runtimes")
        )
        let rows = PythonRuntimeReport.runtimeRows(table: table, provisioner: provisioner)
        print(Self.table(header: ["RUNTIME", "INTERPRETER", "STATUS"], rows: rows.map { [$0.runtime, $0.interpreter, $0.status] }))
        guard FileManager.default.fileExists(atPath: templateOptions.templatePath) else { return }
        var options = EmulatorOptions()
        templateOptions.apply(to: &options)
        let plan = try templateOptions.loadPlan(options)
        let functions = try plan.stack.lambdaFunctions
        guard !functions.isEmpty else { return }
        let functionRows = PythonRuntimeReport.functionRows(
            functions: functions,
            table: table,
            dependencyRoot: settings.dependencyCache ?? LambdaSettings.defaultDependencyCache
        )
        print("")
        print(Self.table(header: ["FUNCTION", "RUNTIME", "RUNS ON"], rows: functionRows.map { [$0.function, $0.runtime, $0.runsOn] }))
    }

    /// Columns padded to their widest cell.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
    }
}

/// `synapscribe-local build`: what `sam build` does for the template's Python functions, into the user cache (each
/// runtime environment, and each `requirements.txt` installed for its interpreter's version; the AWS SDK packages
/// each Node.js function imports, with npm), so that `start` needs no network.
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Install each Python function's requirements.txt (and its runtime environment) and the AWS SDK packages "
            + "each Node.js function imports into the cache, so start needs no network."
    )

    @OptionGroup var templateOptions: TemplateOptions

    @OptionGroup var pythonVersions: PythonVersionOptions

    @Option(help: "A ready python3.12 runtime environment's interpreter (with awslambdaric), as start takes it.")
    var lambdaPython: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        var options = EmulatorOptions()
        templateOptions.apply(to: &options)
        let plan = try templateOptions.loadPlan(options)
        let functions = try plan.stack.lambdaFunctions
        let settings = pythonVersions.settings(lambdaPython: lambdaPython, templatePath: templateOptions.templatePath)
        let outcomes = await LambdaBuilder.build(functions: functions, settings: settings, logger: Logger(label: "synapscribe-local.build"))
        if outcomes.isEmpty { print("no Python or Node.js functions in \(templateOptions.templatePath): nothing to build") }
        for outcome in outcomes { print("\(outcome.function): \(outcome.failed ? "FAILED: " : "")\(outcome.detail)") }
        if outcomes.contains(where: \.failed) { throw ExitCode(1) }
    }
}
