import Foundation
import Storage
import Testing

@testable import LambdaService

/// The functions the API created or changed, in a real data folder (`lambda.sqlite`), reopened as a restart reopens it.
@Suite("Function store")
struct FunctionStoreTests {
    static func spec(_ name: String) -> LambdaFunctionSpec {
        LambdaFunctionSpec(
            logicalId: name,
            functionName: name,
            arn: "",
            code: .localPath("/tmp/\(name).zip"),
            handler: "index.handler",
            runtime: "python3.12",
            timeout: 7,
            memorySize: 256,
            environment: ["A": "1"],
            roleArn: "arn:aws:iam::000000000000:role/r",
            reservedConcurrency: 2,
            architectures: ["x86_64"],
            description: "d",
            tags: ["t": "v"],
            layers: []
        )
    }

    @Test("records, deletions of template functions and forgotten functions come back after a reopen")
    func reopen() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("functions-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = DataLocation.directory(folder)
        let record = FunctionStore.Record(
            spec: Self.spec("api"),
            lastModified: 1_800_000_000,
            deploymentPackage: DeploymentPackage(sha256: "abc=", size: 10),
            revisionId: "rev",
            policyStatements: [#"{"Sid":"s"}"#]
        )
        do {
            let writer = try location.openDatabase(named: "lambda", migrator: LambdaDatabase.migrator)
            let store = FunctionStore(writer: writer, packageFolder: folder)
            try await store.save("api", record, now: Date(timeIntervalSince1970: 1))
            try await store.save("template-fn", nil, now: Date(timeIntervalSince1970: 2))
            try await store.save("temporary", record, now: Date(timeIntervalSince1970: 3))
            try await store.forget("temporary")
        }
        let writer = try location.openDatabase(named: "lambda", migrator: LambdaDatabase.migrator)
        let rows = try FunctionStore(writer: writer, packageFolder: folder).load()
        #expect(rows.map(\.name) == ["api", "template-fn"])
        #expect(rows.first?.record == record)
        #expect(rows.last?.record == nil)
        // The event source mappings share the database and its migrations.
        let mappings = EventSourceMappings()
        try mappings.open(writer: writer)
        #expect(mappings.all.isEmpty)
    }
}
