import Foundation
import Testing

@testable import CloudFormation
@testable import CloudFormationService

/// The start-up stack adopted by the engine: its record as at start, and what an earlier run's record leaves to
/// reconcile at the next start.
@Suite("Start-up stack")
struct StartupStackTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func startup(_ yaml: String) throws -> StartupStack {
        StartupStack(stack: try Fixture.resolve(yaml), templateBody: yaml, baseDirectory: "/work/app", creationTime: start)
    }

    @Test("the record is CREATE_COMPLETE at the start time, resources in deployment order, one event pair each")
    func recordAsAtStart() throws {
        let record = StackEngine.startupRecord(try Self.startup(ChangePlanTests.base))
        #expect(record.status == "CREATE_COMPLETE")
        #expect(record.creationTime == Self.start && record.lastUpdatedTime == nil)
        #expect(record.resources.map(\.logicalId) == ["Table", "Bucket", "Queue"])
        #expect(record.resources.allSatisfy { $0.status == "CREATE_COMPLETE" && $0.timestamp == Self.start })
        #expect(record.events.first?.status == "CREATE_IN_PROGRESS" && record.events.last?.status == "CREATE_COMPLETE")
        #expect(record.events.filter { $0.logicalId == "Table" }.map(\.status) == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"])
        #expect(record.templateBody == ChangePlanTests.base)
        #expect(record.capabilities.isEmpty)
    }

    @Test("a first start appends the record; a restart replaces the earlier record in place")
    func adoptionPlace() throws {
        let startup = try Self.startup(ChangePlanTests.base)
        var stacks: [StackRecord] = []
        #expect(StackEngine.adopt(startup, into: &stacks).index == 0)
        var other = StackEngine.startupRecord(try Self.startup(ChangePlanTests.base))
        other.name = "other"
        stacks.append(other)
        let again = StackEngine.adopt(startup, into: &stacks)
        #expect(again.index == 0 && stacks.count == 2 && again.previous == nil)
    }

    @Test("an earlier run whose update added or changed resources is reconciled; a deleted one is not")
    func previousRunDiffers() throws {
        let startup = try Self.startup(ChangePlanTests.base)
        let updatedYaml = ChangePlanTests.base.replacingOccurrences(of: "PAY_PER_REQUEST", with: "PROVISIONED")
        var stacks = [StackEngine.startupRecord(try Self.startup(updatedYaml))]
        #expect(StackEngine.adopt(startup, into: &stacks).previous?.templateBody == updatedYaml)
        #expect(stacks[0].templateBody == ChangePlanTests.base)
        var deleted = StackEngine.startupRecord(try Self.startup(updatedYaml))
        deleted.status = "DELETE_COMPLETE"
        stacks = [deleted]
        #expect(StackEngine.adopt(startup, into: &stacks).previous == nil)
    }
}
