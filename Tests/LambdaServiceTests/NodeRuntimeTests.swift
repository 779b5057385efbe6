import Foundation
import Testing

@testable import LambdaService

@Suite("Node.js runtimes: runtime names, interpreter versions, the embedded client and package.json checks")
struct NodeRuntimeTests {
    @Test(
        "runtime names map to a family",
        arguments: [
            ("nodejs20.x", LambdaRuntimeFamily.node(major: 20)), ("nodejs24.x", .node(major: 24)), ("nodejs12.x", .node(major: 12)),
            ("nodejs4.3", .node(major: 4)), ("nodejs10", .node(major: 10)), ("python3.12", .python), ("python3.9", .python),
            ("nodejs", .unsupported), ("nodejsx", .unsupported), ("nodejs20x", .unsupported), ("java21", .unsupported),
            ("provided.al2023", .unsupported), ("nodejs99999999999999999999.x", .unsupported),
        ] as [(String, LambdaRuntimeFamily)]
    )
    func families(runtime: String, expected: LambdaRuntimeFamily) {
        #expect(LambdaRuntimeFamily(runtime: runtime) == expected)
    }

    @Test("an image function has no runtime")
    func image() {
        #expect(LambdaRuntimeFamily(runtime: nil) == .unsupported)
        #expect(!LambdaRuntimeFamily(runtime: nil).isNode)
        #expect(LambdaRuntimeFamily(runtime: "nodejs18.x").isNode)
    }

    @Test(
        "node --version answers give the major version",
        arguments: [
            ("v20.20.2", 20), ("22.1.0", 22), ("v18.19.1\n", 18), ("", nil), ("vv20", nil), ("v123456789.0.0", nil), ("node", nil),
        ] as [(String, Int?)]
    )
    func majors(text: String, expected: Int?) {
        #expect(NodeInterpreter.major(ofVersion: text) == expected)
    }

    @Test("a missing explicit interpreter is no interpreter")
    func missingInterpreter() {
        #expect(NodeInterpreter.locate(explicit: "/nonexistent/node", searchPath: "/usr/bin") == nil)
        #expect(NodeInterpreter.locate(explicit: nil, searchPath: "/nonexistent-a:/nonexistent-b") == nil)
    }

    @Test("an interpreter that does not answer --version is given up on within seconds")
    func silentInterpreter() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("silent-node-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("node")
        try Data("#!/bin/sh\nsleep 60\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let started = ContinuousClock.now
        let found = NodeInterpreter.locate(explicit: script.path, searchPath: nil)
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(found == NodeInterpreter(path: script.path, version: ""))
        #expect(found?.major == nil)
    }

    @Test("the client is written once per version, whole, and is valid JavaScript for the node on PATH")
    func installClient() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("node-runtime-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try NodeRuntimeFiles.installClient(in: folder)
        #expect(try NodeRuntimeFiles.installClient(in: folder) == path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == NodeRuntimeClient.source)
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(entries == [URL(fileURLWithPath: path).lastPathComponent])

        guard let node = NodeInterpreter.locate(explicit: nil, searchPath: ProcessInfo.processInfo.environment["PATH"]) else {
            Issue.record("node is not on PATH: scripts/setup installs it (Node.js functions cannot run without it)")
            return
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: node.path)
        check.arguments = ["--check", path]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test("package.json dependencies without node_modules are reported unless another module folder holds them")
    func missingDependencies() throws {
        let files = FileManager.default
        let root = files.temporaryDirectory.appendingPathComponent("node-deps-\(UUID().uuidString)")
        defer { try? files.removeItem(at: root) }
        let code = root.appendingPathComponent("code")
        let cache = root.appendingPathComponent("cache/node_modules")
        try files.createDirectory(at: code, withIntermediateDirectories: true)
        try files.createDirectory(at: cache.appendingPathComponent("@aws-sdk/client-s3"), withIntermediateDirectories: true)

        #expect(NodeRuntimeFiles.missingDependencies(codeDirectory: code.path, moduleFolders: [cache.path]).isEmpty)
        let manifest = #"{"name": "x", "dependencies": {"uuid": "^9", "@aws-sdk/client-s3": "^3", "axios": "^1"}}"#
        try Data(manifest.utf8).write(to: code.appendingPathComponent("package.json"))
        #expect(NodeRuntimeFiles.missingDependencies(codeDirectory: code.path, moduleFolders: [cache.path]) == ["axios", "uuid"])
        #expect(NodeRuntimeFiles.missingDependencies(codeDirectory: code.path, moduleFolders: []) == ["@aws-sdk/client-s3", "axios", "uuid"])

        try files.createDirectory(at: code.appendingPathComponent("node_modules"), withIntermediateDirectories: true)
        #expect(NodeRuntimeFiles.missingDependencies(codeDirectory: code.path, moduleFolders: []).isEmpty)

        try files.removeItem(at: code.appendingPathComponent("node_modules"))
        try Data("not json".utf8).write(to: code.appendingPathComponent("package.json"))
        #expect(NodeRuntimeFiles.missingDependencies(codeDirectory: code.path, moduleFolders: []).isEmpty)
    }
}
