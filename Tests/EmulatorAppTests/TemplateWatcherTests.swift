import CloudFormation
import Foundation
import Testing

@testable import CloudFormationService
@testable import EmulatorApp

/// The `start --watch` change lines and the code-folder stamps.
@Suite struct TemplateWatcherTests {
    private func table(_ indexes: [String], billing: String = "PAY_PER_REQUEST") -> StackResource {
        let gsis: [TemplateValue] = indexes.map { .map(TemplateMap([("IndexName", .string($0))])) }
        return StackResource(
            logicalId: "Items",
            type: "AWS::DynamoDB::Table",
            physicalId: "items",
            properties: .map(TemplateMap([("BillingMode", .string(billing)), ("GlobalSecondaryIndexes", .list(gsis))])),
            attributes: [:],
            dependsOn: [],
            location: nil
        )
    }

    @Test func tableLinesNameTheIndexesAddedAndRemoved() {
        #expect(
            TemplateWatcher.detail(table([]), table(["byUser"]), ["AttributeDefinitions", "GlobalSecondaryIndexes"]) == "added GSI byUser"
        )
        #expect(
            TemplateWatcher.detail(table(["old"]), table(["byUser"], billing: "PROVISIONED"), ["BillingMode", "GlobalSecondaryIndexes"])
                == "added GSI byUser, removed GSI old, changed BillingMode"
        )
    }

    @Test func otherLinesNameTheChangedProperties() {
        #expect(TemplateWatcher.detail(table([]), table([], billing: "PROVISIONED"), ["BillingMode"]) == "changed BillingMode")
        #expect(TemplateWatcher.detail(table([]), table([]), []) == "changed type or name")
    }

    @Test func aFolderStampChangesWhenAFileChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("watch-stamp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("app.py")
        try Data("v = 1\n".utf8).write(to: file)
        let before = TemplateWatcher.stamp(folder.path)
        #expect(TemplateWatcher.stamp(folder.path) == before)
        try Data("v = 22\n".utf8).write(to: file)
        #expect(TemplateWatcher.stamp(folder.path) != before)
        #expect(TemplateWatcher.stamp(folder.appendingPathComponent("missing").path) == "missing")
    }

    private func record(_ resource: StackResource, physicalId: String? = nil) -> ResourceRecord {
        ResourceRecord(
            logicalId: resource.logicalId,
            type: resource.type,
            physicalId: physicalId ?? resource.physicalId,
            status: "CREATE_COMPLETE",
            statusReason: nil,
            timestamp: Date(timeIntervalSince1970: 0),
            propertiesJSON: resource.properties.jsonString,
            attributes: [:],
            dependsOn: []
        )
    }

    @Test func updateLinesFromTheRecordsBeforeAndAfter() {
        var bucket = table([])
        bucket.logicalId = "Uploads"
        bucket.type = "AWS::S3::Bucket"
        let before = [record(table([])), record(bucket)]
        #expect(TemplateWatcher.changeLines(from: before, to: before).isEmpty)
        #expect(
            TemplateWatcher.changeLines(from: [record(table([]))], to: [record(table(["byUser"])), record(bucket)]) == [
                "Updated Items (added GSI byUser)", "Created Uploads (AWS::S3::Bucket)",
            ]
        )
        #expect(
            TemplateWatcher.changeLines(from: before, to: [record(table([]), physicalId: "items-2")]) == [
                "Replaced Items (changed type or name)", "Deleted Uploads (AWS::S3::Bucket)",
            ]
        )
    }
}
