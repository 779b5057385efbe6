import APIGatewayWebSocket
import Foundation
import Testing

@testable import CloudFormation

@Suite("Physical ids and attributes")
struct NamingTests {
    static let yaml = """
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
          MyFunction:
            Type: AWS::Lambda::Function
            Properties:
              Code: ./src
              Handler: app.handler
              Runtime: python3.12
              Role: !GetAtt ExecutionRole.Arn
          ExecutionRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}
          Table:
            Type: AWS::DynamoDB::Table
            Properties:
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              StreamSpecification: {StreamViewType: KEYS_ONLY}
          Api:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
          Pool:
            Type: AWS::Cognito::IdentityPool
            Properties: {AllowUnauthenticatedIdentities: true}
          Queue:
            Type: AWS::SQS::Queue
          Rule:
            Type: AWS::Events::Rule
        Outputs:
          QueueArn: {Value: !GetAtt Queue.Arn}
          RuleArn: {Value: !GetAtt Rule.Arn}
          QueueUrl: {Value: !Ref Queue}
        """

    @Test("generated names follow CloudFormation's {stack}-{LogicalId}-{SUFFIX} rules")
    func generatedNames() throws {
        let stack = try Fixture.resolve(Self.yaml)
        let bucket = try #require(stack.resource("Bucket")?.physicalId)
        #expect(Fixture.matches(bucket, "^test-stack-bucket-[a-z0-9]{12}$"), "\(bucket)")
        let function = try #require(stack.resource("MyFunction"))
        #expect(Fixture.matches(function.physicalId, "^test-stack-MyFunction-[A-Z0-9]{12}$"))
        #expect(function.attributes["Arn"] == "arn:aws:lambda:us-east-1:123456789012:function:\(function.physicalId)")
        #expect(function.properties["Code"] == "/work/app/src")
        let role = try #require(stack.resource("ExecutionRole"))
        #expect(role.attributes["Arn"] == "arn:aws:iam::123456789012:role/\(role.physicalId)")
        #expect(Fixture.matches(role.attributes["RoleId"] ?? "", "^AROA[A-Z0-9]{17}$"))
        #expect(function.properties["Role"] == .string(role.attributes["Arn"] ?? ""))
        let table = try #require(stack.resource("Table"))
        #expect(
            Fixture.matches(
                table.attributes["StreamArn"] ?? "",
                #"^arn:aws:dynamodb:us-east-1:123456789012:table/test-stack-Table-[A-Z0-9]{12}/stream/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$"#
            )
        )
        let api = try #require(stack.resource("Api"))
        #expect(Fixture.matches(api.physicalId, "^[a-z0-9]{10}$"))
        #expect(api.attributes["ApiEndpoint"] == "wss://\(api.physicalId).execute-api.us-east-1.amazonaws.com")
        let pool = try #require(stack.resource("Pool")?.physicalId)
        #expect(Fixture.matches(pool, "^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), "\(pool)")
        #expect(Fixture.matches(stack.stackId, "^arn:aws:cloudformation:us-east-1:123456789012:stack/test-stack/[0-9a-f-]{36}$"))
    }

    @Test("types the emulator does not run are skipped but still resolve Ref and GetAtt")
    func skippedTypes() throws {
        let stack = try Fixture.resolve(Self.yaml)
        #expect(stack.skipped.map(\.type) == ["AWS::SQS::Queue", "AWS::Events::Rule"])
        let queueName = try #require(stack.resource("Queue")?.attributes["QueueName"])
        #expect(stack.output("QueueArn")?.value == "arn:aws:sqs:us-east-1:123456789012:\(queueName)")
        #expect(stack.output("QueueUrl")?.value == "https://sqs.us-east-1.amazonaws.com/123456789012/\(queueName)")
        #expect(Fixture.matches(stack.output("RuleArn")?.value ?? "", "^arn:aws:events:us-east-1:123456789012:rule/test-stack-Rule-[A-Z0-9]{12}$"))
    }

    @Test("names are deterministic per stack and logical id")
    func determinism() throws {
        let first = try Fixture.resolve(Self.yaml)
        let second = try Fixture.resolve(Self.yaml)
        let other = try Fixture.resolve(Self.yaml, stackName: "other-stack")
        #expect(first.resources.map(\.physicalId) == second.resources.map(\.physicalId))
        #expect(first.stackId == second.stackId)
        #expect(first.resource("Bucket")?.physicalId != other.resource("Bucket")?.physicalId)
        #expect(first.resource("Api")?.physicalId != other.resource("Api")?.physicalId)
    }

    @Test(
        "long names are truncated to the service limit, keeping the suffix",
        arguments: [("AWS::S3::Bucket", 63), ("AWS::Lambda::Function", 64), ("AWS::IAM::Role", 64)]
    )
    func truncation(type: String, limit: Int) throws {
        let longStack = String(repeating: "verylongstackname", count: 5)
        let logicalId = String(repeating: "VeryLongLogicalId", count: 5)
        let name = PhysicalNames.generatedName(stack: longStack, logicalId: logicalId, maxLength: limit, lowercase: type == "AWS::S3::Bucket")
        #expect(name.count <= limit)
        #expect(
            name.hasSuffix("-" + PhysicalNames.suffix(stack: longStack, logicalId: logicalId).lowercased())
                || name.hasSuffix(PhysicalNames.suffix(stack: longStack, logicalId: logicalId))
        )
        #expect(name.hasPrefix("verylongstackname"))
    }

    @Test("explicit names win over generated ones")
    func explicitNames() throws {
        let stack = try Fixture.resolve(
            """
            Resources:
              B: {Type: AWS::S3::Bucket, Properties: {BucketName: explicit-bucket}}
              T:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: explicit-table
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
              R:
                Type: AWS::IAM::Role
                Properties: {RoleName: explicit-role, Path: /service/, AssumeRolePolicyDocument: {}}
              L: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: /aws/lambda/x}}
            """
        )
        #expect(stack.resource("B")?.physicalId == "explicit-bucket")
        #expect(stack.resource("T")?.attributes["Arn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/explicit-table")
        #expect(stack.resource("R")?.attributes["Arn"] == "arn:aws:iam::123456789012:role/service/explicit-role")
        #expect(stack.resource("L")?.attributes["Arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*")
    }
}

@Suite("Typed specs")
struct SpecTests {
    @Test("wrong property shapes fail with the property path")
    func wrongShapes() throws {
        let stack = try Fixture.resolve(
            """
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  KeySchema:
                    - AttributeName: [not, a, string]
                      KeyType: HASH
            """
        )
        let error = try #require(throws: TemplateError.self) { try stack.tables }
        #expect(
            error.description == "template.yaml:6:11: resource Table: property Properties.KeySchema[0].AttributeName must be a string, found a list"
        )
        #expect(error.kind == .invalidProperty)
    }

    @Test("table encryption, deletion protection and class decode with AWS defaults")
    func tableOptions() throws {
        let stack = try Fixture.resolve(
            """
            Resources:
              Plain:
                Type: AWS::DynamoDB::Table
                Properties:
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
                  ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: '2'}
              Hardened:
                Type: AWS::DynamoDB::Table
                Properties:
                  KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
                  BillingMode: PAY_PER_REQUEST
                  SSESpecification: {SSEEnabled: true, SSEType: KMS}
                  DeletionProtectionEnabled: true
                  TableClass: STANDARD_INFREQUENT_ACCESS
            """
        )
        let tables = try stack.tables
        #expect(tables[0].billingMode == "PROVISIONED")
        #expect(tables[0].provisionedThroughput == .init(readCapacityUnits: 5, writeCapacityUnits: 2))
        #expect(!tables[0].sseEnabled && !tables[0].deletionProtectionEnabled && tables[0].tableClass == "STANDARD")
        #expect(tables[1].sseEnabled && tables[1].sseType == "KMS" && tables[1].deletionProtectionEnabled)
        #expect(tables[1].keySchema.map(\.keyType) == ["HASH", "RANGE"])
        #expect(stack.unsupported.isEmpty)
    }

    @Test("integration URIs yield the Lambda function ARN")
    func integrationUri() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
        #expect(
            WebSocketApiSpec.functionArn(fromIntegrationUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\(arn)/invocations")
                == arn
        )
        #expect(WebSocketApiSpec.functionArn(fromIntegrationUri: arn) == arn)
        #expect(WebSocketApiSpec.functionArn(fromIntegrationUri: "https://example.com") == nil)
    }

    @Test("the realistic SAM stack resolves outputs, specs and unsupported properties")
    func realisticStack() throws {
        let url = Fixture.templatesDirectory.appendingPathComponent("websocket-stack.yaml")
        let template = try TemplateLoader.load(contentsOf: url)
        let stack = try template.resolve(StackConfiguration(stackName: "synapscribe", region: "eu-west-1", accountId: "111122223333"))
        try stack.validateSpecs()

        let api = try #require(try stack.webSocketApis.first)
        let bucket = try #require(try stack.buckets.first)
        let table = try #require(try stack.tables.first)
        let handler = try #require(try stack.lambdaFunctions.first { $0.logicalId == "WebSocketHandler" })
        let transcriber = try #require(try stack.lambdaFunctions.first { $0.logicalId == "TranscribeFunction" })
        let pool = try #require(try stack.identityPools.first)

        #expect(stack.description == "SynapScribe realtime transcription stack (test copy)")
        #expect(stack.output("WebSocketUrl")?.value == "wss://\(api.apiId).execute-api.eu-west-1.amazonaws.com/dev")
        #expect(stack.output("WebSocketUrl")?.description == "WebSocket URL clients connect to")
        #expect(stack.output("WebSocketEndpoint")?.value == "wss://\(api.apiId).execute-api.eu-west-1.amazonaws.com")
        #expect(stack.output("AudioBucketName")?.value == "synapscribe-audio-111122223333-dev")
        #expect(stack.output("AudioBucketName")?.exportName == "synapscribe-AudioBucket")
        #expect(stack.output("ConnectionsTableArn")?.value == table.arn)
        #expect(stack.output("IdentityPoolId")?.value == pool.id)
        #expect(stack.output("HandlerArn")?.value == handler.arn)
        #expect(stack.output("HandlerLogGroupArn")?.value == "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/\(handler.functionName):*")
        #expect(stack.output("AlarmTopicArn") == nil)

        #expect(api.name == "synapscribe-ws")
        #expect(api.routeSelectionExpression == "$request.body.action")
        #expect(Set(api.routes.map(\.routeKey)) == ["$connect", "$default"])
        #expect(api.routes.allSatisfy { $0.integrationId == api.integrations.first?.integrationId })
        #expect(api.integrations.first?.functionArn == handler.arn)
        #expect(api.stages.map(\.name) == ["dev"])
        #expect(api.stages.first?.deploymentId == api.deployments.first?.deploymentId)
        #expect(api.routeResponses.first?.routeId == api.routes.first { $0.routeKey == "$default" }?.routeId)

        #expect(bucket.encryption == "AES256")
        #expect(
            bucket.publicAccessBlock == .init(blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true)
        )
        #expect(bucket.versioningStatus == "Enabled")
        #expect(bucket.corsRules.first?.allowedMethods == ["GET", "PUT"])
        #expect(bucket.corsRules.first?.maxAge == 3000)
        #expect(bucket.lifecycleRules.first?.expirationInDays == 7)
        #expect(bucket.lifecycleRules.first?.prefix == "raw/")
        #expect(bucket.lifecycleRules.first?.abortIncompleteMultipartUploadDays == 1)
        #expect(bucket.lambdaNotifications == [.init(events: ["s3:ObjectCreated:*"], prefix: "raw/", suffix: ".wav", functionArn: transcriber.arn)])
        #expect(bucket.tags == ["app": "synapscribe"])

        #expect(table.billingMode == "PAY_PER_REQUEST")
        #expect(table.globalSecondaryIndexes.first?.name == "byUser")
        #expect(table.globalSecondaryIndexes.first?.projection.type == "ALL")
        #expect(table.ttlAttribute == "expiresAt" && table.ttlEnabled)
        #expect(table.streamEnabled && table.streamViewType == "NEW_AND_OLD_IMAGES")
        #expect(table.streamArn?.hasPrefix(table.arn + "/stream/") == true)

        #expect(handler.code == .localPath(Fixture.templatesDirectory.appendingPathComponent("src/websocket").path))
        #expect(handler.environment["TABLE_NAME"] == table.name)
        #expect(handler.environment["BUCKET_NAME"] == bucket.name)
        #expect(handler.environment["LOG_LEVEL"] == "DEBUG")
        #expect(handler.architectures == ["arm64"])
        #expect(handler.timeout == 30 && handler.memorySize == 256)
        #expect(transcriber.timeout == 120)
        #expect(transcriber.reservedConcurrency == nil)

        #expect(pool.name == "synapscribe_identities")
        #expect(pool.allowUnauthenticatedIdentities)
        let unauthRole = try #require(try stack.roles.first { $0.logicalId == "UnauthenticatedRole" })
        #expect(pool.unauthenticatedRoleArn == unauthRole.arn)
        #expect(unauthRole.assumeRolePolicyDocument.jsonString.contains(pool.id))
        let handlerRole = try #require(try stack.roles.first { $0.logicalId == "WebSocketHandlerRole" })
        #expect(handlerRole.inlinePolicies.count == 3)
        #expect(handlerRole.inlinePolicies[2].document.jsonString.contains("arn:aws:execute-api:eu-west-1:111122223333:\(api.apiId)/*"))

        let unsupported = stack.unsupported.map { "\($0.logicalId) \($0.property)" }
        #expect(unsupported.contains("ConnectionsTable Properties.PointInTimeRecoverySpecification"))
        #expect(unsupported.contains("TranscribeFunction Events.Nightly"))
        // AWS::Logs::LogGroup is emulated (CloudWatch Logs): nothing of this template is skipped any more.
        #expect(stack.skipped.isEmpty)

        let prod = try template.resolve(
            StackConfiguration(stackName: "synapscribe", region: "eu-west-1", accountId: "111122223333", parameterOverrides: ["Stage": "prod"])
        )
        #expect(try prod.lambdaFunctions.first { $0.logicalId == "TranscribeFunction" }?.reservedConcurrency == 10)
        #expect(prod.output("AlarmTopicArn")?.value.hasPrefix("arn:aws:sns:eu-west-1:111122223333:synapscribe-AlarmTopic-") == true)
        #expect(try prod.lambdaFunctions.first?.environment["LOG_LEVEL"] == "INFO")
    }
}
