import Foundation
import LambdaService
import Testing

@testable import CloudFormation

@Suite("Replacement generations, assigned identities, Lambda versions and aliases, SAM AutoPublishAlias")
struct ReplacementAndVersionTests {
    static let table = """
        Resources:
          Notes:
            Type: AWS::DynamoDB::Table
            Properties:
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
          Named:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: named-table
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
        Outputs:
          Table:
            Value: !GetAtt Notes.Arn
        """

    private func resolve(_ yaml: String, generations: [String: Int] = [:], assigned: [String: ResourceIdentity] = [:]) throws -> Stack {
        var configuration = Fixture.configuration
        configuration.generations = generations
        configuration.assignedIdentities = assigned
        return try Fixture.template(yaml).resolve(configuration)
    }

    @Test("generation 0 names as before; a later generation gives a new generated name, repointed Refs and outputs")
    func generationsRename() throws {
        let first = try resolve(Self.table)
        let notes = try #require(first.resource("Notes"))
        #expect(notes.physicalId == PhysicalNames.generatedName(stack: "test-stack", logicalId: "Notes", maxLength: 255))
        #expect(notes.physicalId.hasPrefix("test-stack-Notes-"))
        let second = try resolve(Self.table, generations: ["Notes": 1, "Named": 1])
        let replaced = try #require(second.resource("Notes"))
        #expect(replaced.physicalId.hasPrefix("test-stack-Notes-"))
        #expect(replaced.physicalId != notes.physicalId)
        #expect(second.output("Table")?.value == "arn:aws:dynamodb:us-east-1:123456789012:table/\(replaced.physicalId)")
        // A custom name does not change with the generation (CloudFormation then refuses the replacement).
        #expect(second.resource("Named")?.physicalId == "named-table")
        // The same generation resolves the same ids again (restarts and later updates keep them).
        #expect(try resolve(Self.table, generations: ["Notes": 1]).resource("Notes")?.physicalId == replaced.physicalId)
    }

    @Test("an assigned identity wins over the provider's: Ref and GetAtt of a version give Lambda's number")
    func assignedIdentity() throws {
        let yaml = """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  FunctionName: fn
                  Runtime: python3.12
                  Handler: index.handler
                  Role: arn:aws:iam::123456789012:role/r
                  Code: {ZipFile: "def handler(e, c): return 1"}
              V:
                Type: AWS::Lambda::Version
                Properties: {FunctionName: !Ref Fn}
              A:
                Type: AWS::Lambda::Alias
                Properties: {FunctionName: !Ref Fn, Name: live, FunctionVersion: !GetAtt V.Version}
            Outputs:
              Version: {Value: !Ref V}
              Alias: {Value: !Ref A}
              AliasVersion: {Value: !GetAtt V.Version}
            """
        let plain = try resolve(yaml)
        #expect(plain.output("Version")?.value == "arn:aws:lambda:us-east-1:123456789012:function:fn:1")
        #expect(plain.output("Alias")?.value == "arn:aws:lambda:us-east-1:123456789012:function:fn:live")
        #expect(plain.resource("A")?.properties["FunctionVersion"]?.scalarText == "1")
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:fn:3"
        let assigned = try resolve(yaml, assigned: ["V": ResourceIdentity(physicalId: arn, attributes: ["FunctionArn": arn, "Version": "3"])])
        #expect(assigned.output("Version")?.value == arn)
        #expect(assigned.output("AliasVersion")?.value == "3")
        #expect(assigned.resource("A")?.properties["FunctionVersion"]?.scalarText == "3")
    }

    static let autoPublish = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Uploads:
            Type: AWS::S3::Bucket
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: fn
              Runtime: python3.12
              Handler: index.handler
              InlineCode: CODE
              AutoPublishAlias: live
              Events:
                Get:
                  Type: Api
                  Properties: {Path: /hello, Method: get}
                Put:
                  Type: S3
                  Properties: {Bucket: !Ref Uploads, Events: s3:ObjectCreated:*}
        Outputs:
          Alias: {Value: !Ref Fn.Alias}
          Version: {Value: !Ref Fn.Version}
        """

    @Test("AutoPublishAlias: <Fn>Version<hash> (retained) and <Fn>Alias<Name>; events invoke the alias; Fn.Alias and Fn.Version resolve")
    func autoPublishAlias() throws {
        let stack = try Fixture.resolve(Self.autoPublish.replacingOccurrences(of: "CODE", with: "\"def handler(e, c): return 1\""))
        try stack.validateSpecs()
        let version = try #require(stack.resources(ofType: "AWS::Lambda::Version").first)
        #expect(version.logicalId.hasPrefix("FnVersion") && version.logicalId.count == "FnVersion".count + 10)
        #expect(version.properties["FunctionName"]?.scalarText == "fn")
        #expect(version.physicalId == "arn:aws:lambda:us-east-1:123456789012:function:fn:1")
        let alias = try #require(stack.resource("FnAliaslive"))
        #expect(alias.type == "AWS::Lambda::Alias")
        #expect(alias.properties["FunctionVersion"]?.scalarText == "1")
        #expect(alias.properties["Name"]?.scalarText == "live")
        let aliasArn = "arn:aws:lambda:us-east-1:123456789012:function:fn:live"
        #expect(stack.output("Alias")?.value == aliasArn)
        #expect(stack.output("Version")?.value == version.physicalId)
        let permissions = stack.lambdaPermissions
        #expect(!permissions.isEmpty)
        #expect(permissions.allSatisfy { $0.properties["FunctionName"]?.scalarText == aliasArn })
        let api = try #require(stack.resources(ofType: "AWS::ApiGateway::RestApi").first)
        #expect(api.properties.jsonString.contains("functions/\(aliasArn)/invocations"))
        let bucket = try #require(stack.resource("Uploads"))
        #expect(bucket.properties.jsonString.contains(aliasArn))
        #expect(StackTemplateRetention.retained(in: Self.autoPublish, logicalId: version.logicalId))

        // The same code keeps the version's logical id; new code publishes a new version (a new logical id).
        let same = try Fixture.resolve(Self.autoPublish.replacingOccurrences(of: "CODE", with: "\"def handler(e, c): return 1\""))
        #expect(same.resources(ofType: "AWS::Lambda::Version").map(\.logicalId) == [version.logicalId])
        let changed = try Fixture.resolve(Self.autoPublish.replacingOccurrences(of: "CODE", with: "\"def handler(e, c): return 2\""))
        let newVersion = try #require(changed.resources(ofType: "AWS::Lambda::Version").first)
        #expect(newVersion.logicalId != version.logicalId && newVersion.logicalId.hasPrefix("FnVersion"))
    }

    @Test("AutoPublishAlias refuses a name that is not alphanumeric")
    func autoPublishAliasName() throws {
        let error = try #require(
            Fixture.error(Self.autoPublish.replacingOccurrences(of: "CODE", with: "x").replacingOccurrences(of: "live", with: "my-alias"))
        )
        #expect(error.message.contains("AutoPublishAlias must contain only alphanumeric characters"))
    }

    @Test("a start-up template with two versions of one function is refused (their numbers are Lambda's)")
    func twoStartupVersions() throws {
        let stack = try Fixture.resolve(
            """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: index.handler
                  Role: arn:aws:iam::123456789012:role/r
                  Code: {ZipFile: "def handler(e, c): return 1"}
              V1:
                Type: AWS::Lambda::Version
                Properties: {FunctionName: !Ref Fn}
              V2:
                Type: AWS::Lambda::Version
                Properties: {FunctionName: !Ref Fn, Description: two}
            """
        )
        #expect(throws: TemplateError.self) { try stack.validateSpecs() }
    }
}

/// Reads a template's `DeletionPolicy`/`UpdateReplacePolicy` after the SAM transform (what the engine reads).
enum StackTemplateRetention {
    static func retained(in yaml: String, logicalId: String) -> Bool {
        guard let template = try? Fixture.template(yaml.replacingOccurrences(of: "CODE", with: "\"def handler(e, c): return 1\"")),
            let transformed = try? SAMTransform.apply(to: template, configuration: Fixture.configuration).template
        else { return false }
        let body = transformed.section("Resources")[logicalId]
        return body?["DeletionPolicy"]?.scalarText == "Retain" && body?["UpdateReplacePolicy"]?.scalarText == "Retain"
    }
}
