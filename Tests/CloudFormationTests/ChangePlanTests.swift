import Testing

@testable import CloudFormation
@testable import CloudFormationService

/// Change-set diffing, deployment order, `Fn::ImportValue` against exports and the capability check of deploys.
@Suite("Change plan")
struct ChangePlanTests {
    static let base = """
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: notes
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Sub '${Table}-files'
          Queue:
            Type: AWS::SQS::Queue
        """

    static func replacement(_ type: String) -> Set<String> {
        type == "AWS::DynamoDB::Table" ? ["TableName", "KeySchema"] : ["BucketName"]
    }

    static func deployed(_ yaml: String) throws -> [ResourceRecord] {
        let stack = try Fixture.resolve(yaml)
        return ChangePlan.deploymentOrder(stack.resources + stack.skipped).map {
            ResourceRecord(
                logicalId: $0.logicalId,
                type: $0.type,
                physicalId: $0.physicalId,
                status: "CREATE_COMPLETE",
                statusReason: nil,
                timestamp: .init(timeIntervalSince1970: 0),
                propertiesJSON: $0.properties.jsonString,
                attributes: $0.attributes,
                dependsOn: $0.dependsOn
            )
        }
    }

    static func changes(from old: String, to new: String) throws -> [String] {
        let stack = try Fixture.resolve(new)
        return ChangePlan.changes(
            from: try deployed(old),
            to: ChangePlan.deploymentOrder(stack.resources + stack.skipped),
            replacementProperties: replacement
        ).map { "\($0.action) \($0.logicalId) \($0.replacement ?? "-") \($0.changedProperties.joined(separator: ","))" }
    }

    @Test("dependencies come first, unrelated resources keep template order, skipped types included")
    func order() throws {
        let stack = try Fixture.resolve(
            """
            Resources:
              Late:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref Early
              Queue:
                Type: AWS::SQS::Queue
              Early:
                Type: AWS::S3::Bucket
            """
        )
        // The resolver puts emulated and skipped resources in two lists; the plan merges them in dependency order.
        let shuffled = [stack.resources[1], stack.skipped[0], stack.resources[0]]
        #expect(shuffled.map(\.logicalId) == ["Late", "Queue", "Early"])
        #expect(ChangePlan.deploymentOrder(shuffled).map(\.logicalId) == ["Queue", "Early", "Late"])
    }

    @Test("the same template has no changes")
    func unchanged() throws {
        #expect(try Self.changes(from: Self.base, to: Self.base).isEmpty)
    }

    @Test("an added GSI modifies in place; a renamed table replaces it and whatever names it changes too")
    func modify() throws {
        let gsi = Self.base.replacingOccurrences(
            of: "      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n",
            with: """
                      KeySchema: [{AttributeName: pk, KeyType: HASH}]
                      GlobalSecondaryIndexes:
                        - {IndexName: byOwner, KeySchema: [{AttributeName: pk, KeyType: HASH}], Projection: {ProjectionType: ALL}}

                """
        )
        #expect(try Self.changes(from: Self.base, to: gsi) == ["Modify Table False GlobalSecondaryIndexes"])
        let renamed = Self.base.replacingOccurrences(of: "TableName: notes", with: "TableName: jots")
        #expect(try Self.changes(from: Self.base, to: renamed) == ["Modify Table True TableName", "Modify Bucket True BucketName"])
    }

    @Test("new resources are added, dropped ones removed")
    func addRemove() throws {
        let fewer = Self.base.replacingOccurrences(of: "  Queue:\n    Type: AWS::SQS::Queue", with: "  Other:\n    Type: AWS::S3::Bucket")
        #expect(try Self.changes(from: Self.base, to: fewer) == ["Add Other - ", "Remove Queue - "])
        #expect(try Self.changes(from: "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", to: Self.base).first == "Add Table - ")
    }

    @Test("Fn::ImportValue reads the exports and records the import; a missing export is AWS's error")
    func importValue() throws {
        let yaml = """
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Join ['-', [!ImportValue shared-name, copy]]
            """
        var configuration = Fixture.configuration
        configuration.exports = ["shared-name": "files"]
        let stack = try Fixture.template(yaml).resolve(configuration)
        #expect(stack.resources[0].physicalId == "files-copy")
        #expect(stack.imports == ["shared-name"])
        configuration.exports = [:]
        do {
            _ = try Fixture.template(yaml).resolve(configuration)
            Issue.record("resolved without the export")
        } catch let error as TemplateError {
            #expect(error.message == "No export named shared-name found.")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("IAM resources need CAPABILITY_IAM, named ones CAPABILITY_NAMED_IAM, transforms CAPABILITY_AUTO_EXPAND")
    func capabilities() throws {
        let role = """
            Resources:
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}
            """
        let stack = try Fixture.resolve(role)
        #expect(StackEngine.missingCapability(stack, capabilities: [], transforms: false) == "CAPABILITY_IAM")
        #expect(StackEngine.missingCapability(stack, capabilities: ["CAPABILITY_IAM"], transforms: false) == nil)
        #expect(StackEngine.missingCapability(stack, capabilities: ["CAPABILITY_IAM"], transforms: true) == "CAPABILITY_AUTO_EXPAND")
        let named = try Fixture.resolve(role + "\n      RoleName: fixed")
        #expect(StackEngine.missingCapability(named, capabilities: ["CAPABILITY_IAM"], transforms: false) == "CAPABILITY_NAMED_IAM")
        #expect(StackEngine.missingCapability(named, capabilities: ["CAPABILITY_NAMED_IAM"], transforms: false) == nil)
    }

    @Test("a TemplateURL names the emulated S3 in path or virtual-host form, nothing else")
    func templateURL() {
        #expect(CloudFormationService.s3Location("https://s3.amazonaws.com/b/k/t.yaml").map { [$0.bucket, $0.key] } == ["b", "k/t.yaml"])
        #expect(CloudFormationService.s3Location("https://b.s3.eu-west-1.amazonaws.com/t.yaml").map { [$0.bucket, $0.key] } == ["b", "t.yaml"])
        #expect(CloudFormationService.s3Location("http://127.0.0.1:4566/b/t.yaml").map { [$0.bucket, $0.key] } == ["b", "t.yaml"])
        #expect(CloudFormationService.s3Location("https://example.com/b/t.yaml") == nil)
        #expect(CloudFormationService.s3Location("ftp://s3.amazonaws.com/b/t.yaml") == nil)
    }
}
