import Foundation
import Storage
import Testing

@testable import APIGatewayV2Service

/// How the v2 store saves and restores its resources for snapshots, and what a reset keeps.
@Suite struct V2StoreSnapshotTests {
    private let templateApi = V2Resource(
        kind: .api,
        apiId: "tmpl000001",
        id: "tmpl000001",
        document: ["name": .string("template")],
        fromTemplate: true
    )

    private func api(_ id: String, _ name: String) -> V2Resource {
        V2Resource(kind: .api, apiId: id, id: id, document: ["name": .string(name)])
    }

    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("v2-snapshot-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func restoreBringsBackApiCreatedAndChangedTemplateResources() throws {
        let store = try V2Store(location: .ephemeral, template: [templateApi])
        try store.put(api("made000001", "first"))
        var renamed = templateApi
        renamed.document["name"] = .string("renamed")
        try store.put(renamed)
        let snapshot = try folder()
        defer { try? FileManager.default.removeItem(at: snapshot) }
        try store.save(into: snapshot)

        try store.remove { $0.apiId == "made000001" }
        try store.put(api("made000002", "later"))
        try store.put(templateApi)

        let changed = try store.restore(from: snapshot)
        #expect(changed == ["made000001", "made000002", "tmpl000001"])
        #expect(store.list(.api).map(\.apiId) == ["tmpl000001", "made000001"])
        #expect(store.get(.api, apiId: "tmpl000001", id: "tmpl000001")?.string("name") == "renamed")
        #expect(store.get(.api, apiId: "tmpl000001", id: "tmpl000001")?.fromTemplate == true)
        // Restoring the same state again changes nothing.
        #expect(try store.restore(from: snapshot).isEmpty)
    }

    @Test func resetKeepsOnlyTheTemplateAsDeclared() throws {
        let store = try V2Store(location: .ephemeral, template: [templateApi])
        #expect(try store.resetToTemplate().isEmpty)
        try store.put(api("made000001", "first"))
        var renamed = templateApi
        renamed.document["name"] = .string("renamed")
        try store.put(renamed)
        #expect(try store.resetToTemplate() == ["made000001", "tmpl000001"])
        #expect(store.list(.api) == [templateApi])
    }

    @Test func restoreRefusesAFolderWithoutTheStoreFiles() throws {
        let store = try V2Store(location: .ephemeral, template: [])
        let empty = try folder()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: (any Error).self) { try store.restore(from: empty) }
    }
}
