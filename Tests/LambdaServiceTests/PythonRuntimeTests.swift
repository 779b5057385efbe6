import Foundation
import Logging
import Testing

@testable import LambdaService

@Suite("Python runtimes: versions, the interpreter each function runs on, and what build/start need")
struct PythonRuntimeTests {
    private func interpreter(_ minor: Int, _ source: PythonInterpreter.Source = .pyenv) -> PythonInterpreter {
        PythonInterpreter(path: "/opt/python3.\(minor)", version: PythonVersion(minor: minor), fullVersion: "3.\(minor).1", source: source)
    }

    @Test("runtime names parse to versions; anything else is refused without trapping")
    func parsing() {
        #expect(PythonVersion(runtime: "python3.12")?.minor == 12)
        #expect(PythonVersion(runtime: "python3.9")?.number == "3.9")
        #expect(PythonVersion(version: "3.10")?.runtime == "python3.10")
        for bad in ["python3", "python3.", "python3.x", "python2.7", "nodejs20.x", "python3.99999999999999999999999", "python3.1٣", "python3.-1"] {
            #expect(PythonVersion(runtime: bad) == nil, "\(bad)")
        }
        #expect(PythonVersion.supported.map(\.runtime) == ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13"])
        #expect(PythonVersion(runtime: "python3.8")?.isSupported == false)
        #expect(PythonVersion(minor: 9).runtimePackages.first == "awslambdaric==4.0.4")
        #expect(PythonVersion(minor: 13).runtimePackages == ["awslambdaric==4.2.2", "boto3==1.40.4", "botocore==1.40.4"])
    }

    @Test("a function runs on its own version, else the closest newer one, else nothing")
    func resolution() {
        let table = PythonRuntimeTable(interpreters: [
            PythonVersion(minor: 11): interpreter(11), PythonVersion(minor: 13): interpreter(13),
        ])
        let exact = table.resolve(PythonVersion(minor: 11))
        #expect(exact?.interpreter.version.minor == 11)
        #expect(exact?.isExact == true)
        let older = table.resolve(PythonVersion(minor: 9))
        #expect(older?.interpreter.version.minor == 11)
        #expect(older?.isExact == false)
        #expect(table.resolve(PythonVersion(minor: 12))?.interpreter.version.minor == 13)
        #expect(table.resolve(PythonVersion(minor: 14)) == nil)
        #expect(PythonRuntimeTable(interpreters: [:]).resolve(PythonVersion(minor: 12)) == nil)
    }

    @Test("discovery: an interpreter that is not executable or has another version is not used")
    func discoveryRefusesWrongInterpreters() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pyrt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let table = PythonRuntimeTable.discover(
            explicit: [PythonVersion(minor: 10): folder.appendingPathComponent("missing").path],
            runtimeEnvironment: nil,
            searchPath: folder.path,
            pyenvRoot: folder.path
        )
        #expect(table.interpreters.isEmpty)
    }

    @Test("discovery at start runs only the wanted versions' interpreters (newer ones only to stand in) and no pyenv shim")
    func discoveryProbesOnlyWhatIsWanted() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pyrt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("bin")
        let pyenv = root.appendingPathComponent("pyenv")
        let shims = pyenv.appendingPathComponent("shims")
        let probes = root.appendingPathComponent("probes.log")
        for folder in [bin, shims] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        // Stand-in interpreters: each records that it ran and answers like `python -c "import sys; print(...)"`.
        func interpreter(_ folder: URL, minor: Int) throws {
            let file = folder.appendingPathComponent("python3.\(minor)")
            let script = "#!/bin/sh\necho \(file.path) >> \(probes.path)\necho 3 \(minor) 4 \(file.path)\n"
            try Data(script.utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        for minor in [11, 12, 13] { try interpreter(bin, minor: minor) }
        try interpreter(shims, minor: 12)
        func probed(_ wanted: Set<PythonVersion>?) throws -> (PythonRuntimeTable, [String]) {
            try? FileManager.default.removeItem(at: probes)
            let table = PythonRuntimeTable.discover(
                explicit: [:],
                runtimeEnvironment: nil,
                searchPath: "\(shims.path):\(bin.path)",
                pyenvRoot: pyenv.path,
                wanted: wanted
            )
            let log = (try? String(contentsOf: probes, encoding: .utf8)) ?? ""
            return (table, log.split(separator: "\n").map { URL(fileURLWithPath: String($0)).lastPathComponent })
        }
        let (exact, exactRuns) = try probed([PythonVersion(minor: 12)])
        #expect(exactRuns == ["python3.12"])
        #expect(exact.interpreters[PythonVersion(minor: 12)]?.path == bin.appendingPathComponent("python3.12").path)
        let (older, olderRuns) = try probed([PythonVersion(minor: 10)])
        #expect(olderRuns == ["python3.11"])
        #expect(older.resolve(PythonVersion(minor: 10))?.interpreter.version == PythonVersion(minor: 11))
        let (all, allRuns) = try probed(nil)
        #expect(allRuns == ["python3.11", "python3.12", "python3.13"])
        #expect(all.interpreters.count == 3)
    }

    @Test("the runtimes table says what is missing and what stands in for it")
    func runtimeRows() {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pyrt-\(UUID().uuidString)")
        let provisioner = PythonRuntimeProvisioner(root: root, logger: Logger(label: "test"))
        let table = PythonRuntimeTable(interpreters: [
            PythonVersion(minor: 11): interpreter(11), PythonVersion(minor: 12): interpreter(12, .runtimeEnvironment),
        ])
        let rows = PythonRuntimeReport.runtimeRows(table: table, provisioner: provisioner)
        #expect(rows.map(\.runtime) == PythonVersion.supported.map(\.runtime))
        #expect(rows[0].status == "not found: its functions run on python3.11 (closest newer)")
        #expect(rows[2].interpreter == "/opt/python3.11 (3.11.1, pyenv)")
        #expect(rows[2].status == "found (runtime environment created at first use in \(root.path)/python3.11)")
        #expect(rows[3].status == "ready (runtime environment used as is)")
        #expect(rows[4].status == "not found: its functions cannot run (install python3.13 or pass --lambda-python-3.13)")
        #expect(provisioner.isReady(interpreter(12, .runtimeEnvironment)))
        #expect(!provisioner.isReady(interpreter(11)))
    }

    @Test("requirements.txt: comments only or sam build output need nothing; a missing set is NotBuilt unless installing")
    func dependencies() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pyrt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let code = root.appendingPathComponent("code")
        let built = root.appendingPathComponent("app/.aws-sam/build/Function")
        for folder in [code, built] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("tinytoml==1.0.0\n".utf8).write(to: folder.appendingPathComponent("requirements.txt"))
        }
        let comments = root.appendingPathComponent("comments")
        try FileManager.default.createDirectory(at: comments, withIntermediateDirectories: true)
        try Data("# nothing\n\n".utf8).write(to: comments.appendingPathComponent("requirements.txt"))
        let cache = DependencyCache(root: root.appendingPathComponent("deps"), logger: Logger(label: "test"))
        let version = PythonVersion(minor: 12)
        #expect(cache.isInstalled(code.path, version: version) == false)
        #expect(cache.isInstalled(built.path, version: version) == nil)
        #expect(cache.isInstalled(comments.path, version: version) == nil)
        await #expect(throws: DependencyCache.NotBuilt.self) {
            try await cache.dependencies(for: code.path, python: "/nonexistent/python", version: version, function: "f", install: false)
        }
        #expect(try await cache.dependencies(for: built.path, python: "/nonexistent/python", version: version, function: "f", install: false) == nil)
    }
}
