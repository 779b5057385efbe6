import Foundation
import Storage
import Testing

@testable import LambdaService

/// The event source mappings in a real data folder (`lambda.sqlite`), reopened as a restart reopens them.
@Suite("Event source mapping store")
struct EventSourceMappingStoreTests {
    static let stream = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-12-03T19:00:00.000"
    static let function = "arn:aws:lambda:us-east-1:123456789012:function:f"

    static func mapping(_ uuid: String, source: String = stream) -> EventSourceMapping {
        EventSourceMapping(
            uuid: uuid,
            functionArn: function,
            eventSourceArn: source,
            startingPosition: "TRIM_HORIZON",
            lastModified: Date(timeIntervalSince1970: 1_800_000_000)
        )
    }

    static func withFolder(_ body: (DataLocation) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("esm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(.directory(folder))
    }

    @Test("API mappings, their updates, deletions and checkpoints come back after a reopen")
    func apiMappingsSurvive() async throws {
        try await Self.withFolder { location in
            let first = EventSourceMappings()
            try first.open(location)
            var kept = Self.mapping("kept")
            kept.batchSize = 7
            kept.filterPatterns = [#"{"eventName": ["INSERT"]}"#]
            kept.filters = try kept.filterPatterns.map { try EventFilterPattern($0) }
            #expect(try await first.insert(kept) == nil)
            #expect(try await first.insert(Self.mapping("gone", source: Self.stream + "x")) == nil)
            // Same function and stream: refused, the existing one is returned and nothing is stored.
            #expect(try await first.insert(Self.mapping("duplicate"))?.uuid == "kept")
            try await first.checkpoint("kept", 41, result: "OK")
            kept.enabled = false
            kept.batchSize = 9
            #expect(try await first.replace(kept))
            #expect(try await first.remove("gone")?.uuid == "gone")

            let second = EventSourceMappings()
            try second.open(location)
            #expect(second.all.map(\.uuid) == ["kept"])
            let restored = try #require(second.mapping("kept"))
            #expect(restored.batchSize == 9 && !restored.enabled && restored.position == 41)
            #expect(restored.lastProcessingResult == "OK")
            #expect(restored.filters.count == 1 && restored.filterPatterns == kept.filterPatterns)
            #expect(restored.lastModified == kept.lastModified)
        }
    }

    @Test("A template mapping keeps its checkpoint while its stream is the same; the template's settings win")
    func templateCheckpoints() async throws {
        try await Self.withFolder { location in
            let first = EventSourceMappings([Self.mapping("template"), Self.mapping("dropped", source: Self.stream + "2")])
            try first.open(location)
            try await first.checkpoint("template", 12, result: nil)
            try await first.checkpoint("dropped", 3, result: nil)
            var changed = Self.mapping("template")
            changed.batchSize = 500
            #expect(try await first.replace(changed))

            // Restart with the same template minus "dropped" (deployed later): the checkpoint stays, the API's change
            // does not (the template's settings come back, modified now).
            func deployed(at seconds: Double) -> EventSourceMapping {
                var mapping = Self.mapping("template")
                mapping.lastModified = Date(timeIntervalSince1970: seconds)
                return mapping
            }
            let second = EventSourceMappings([deployed(at: 1_900_000_000)])
            try second.open(location)
            #expect(second.all.map(\.uuid) == ["template"])
            #expect(second.mapping("template")?.position == 12 && second.mapping("template")?.batchSize == 100)
            #expect(second.mapping("template")?.lastModified == Date(timeIntervalSince1970: 1_900_000_000))
            // Unchanged at the next start: LastModified stays.
            let unchanged = EventSourceMappings([deployed(at: 2_000_000_000)])
            try unchanged.open(location)
            #expect(unchanged.mapping("template")?.lastModified == Date(timeIntervalSince1970: 1_900_000_000))
            #expect(unchanged.mapping("template")?.position == 12)

            // The template now maps another stream under the same UUID: it starts from its StartingPosition.
            let third = EventSourceMappings([Self.mapping("template", source: Self.stream + "3")])
            try third.open(location)
            #expect(third.mapping("template")?.position == nil)
        }
    }

    @Test("Ephemeral mappings are kept in memory only")
    func ephemeral() async throws {
        let first = EventSourceMappings()
        try first.open(.ephemeral)
        #expect(try await first.insert(Self.mapping("m")) == nil)
        try await first.checkpoint("m", 5, result: nil)
        #expect(first.mapping("m")?.position == 5)
        let second = EventSourceMappings()
        try second.open(.ephemeral)
        #expect(second.all.isEmpty)
    }
}
