import Foundation
import Testing

@testable import CloudFormation

@Suite("SAM transform")
struct SAMTransformTests {
    @Test("Globals merge into every function: scalars override, maps merge, lists concatenate")
    func globalsMerge() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                Runtime: python3.12
                Timeout: 30
                MemorySize: 512
                Handler: app.handler
                Layers: [arn:aws:lambda:us-east-1:123456789012:layer:base:1]
                Environment:
                  Variables:
                    A: global-a
                    B: global-b
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/fn
                  Timeout: 10
                  Layers: [arn:aws:lambda:us-east-1:123456789012:layer:extra:2]
                  Environment:
                    Variables:
                      B: local-b
                      C: local-c
              Other:
                Type: AWS::Serverless::Function
                Properties:
                  InlineCode: "def handler(e, c): return 1"
            """
        )
        let functions = try stack.lambdaFunctions
        let fn = try #require(functions.first { $0.logicalId == "Fn" })
        #expect(fn.timeout == 10)
        #expect(fn.memorySize == 512)
        #expect(fn.runtime == "python3.12")
        #expect(fn.handler == "app.handler")
        #expect(fn.environment == ["A": "global-a", "B": "local-b", "C": "local-c"])
        #expect(
            stack.resource("Fn")?.properties["Layers"]
                == ["arn:aws:lambda:us-east-1:123456789012:layer:base:1", "arn:aws:lambda:us-east-1:123456789012:layer:extra:2"]
        )
        #expect(fn.code == .localPath("/work/app/src/fn"))
        let other = try #require(functions.first { $0.logicalId == "Other" })
        #expect(other.timeout == 30)
        #expect(other.inlineCode == "def handler(e, c): return 1")
        // Layers are emulated (issue 14): merged from Globals, read into the spec, not reported as ignored.
        #expect(fn.layers == ["arn:aws:lambda:us-east-1:123456789012:layer:base:1", "arn:aws:lambda:us-east-1:123456789012:layer:extra:2"])
        #expect(!stack.unsupported.contains { $0.logicalId == "Fn" && $0.property == "Properties.Layers" })
    }

    @Test("a function without Role gets {LogicalId}Role with basic execution, managed policies and expanded policy templates")
    func generatedRole() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Data:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: data-bucket
              Items:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: items
                  KeySchema: [{AttributeName: id, KeyType: HASH}]
                  AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: ./worker/
                  Handler: main.handler
                  Runtime: nodejs20.x
                  Policies:
                    - AmazonS3ReadOnlyAccess
                    - S3CrudPolicy:
                        BucketName: !Ref Data
                    - DynamoDBReadPolicy:
                        TableName: !Ref Items
                    - SQSSendMessagePolicy:
                        QueueName: jobs
                    - AWSSecretsManagerGetSecretValuePolicy:
                        SecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf
                    - Statement:
                        - Effect: Allow
                          Action: ses:SendEmail
                          Resource: '*'
            """
        )
        let function = try #require(try stack.lambdaFunctions.first)
        #expect(function.timeout == 3)
        #expect(function.memorySize == 128)
        #expect(function.code == .localPath("/work/app/worker"))
        #expect(function.tags == ["lambda:createdBy": "SAM"])
        let role = try #require(try stack.roles.first { $0.logicalId == "WorkerRole" })
        #expect(function.roleArn == role.arn)
        #expect(role.arn == "arn:aws:iam::123456789012:role/\(role.name)")
        #expect(
            role.managedPolicyArns == [
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            ]
        )
        #expect(
            role.inlinePolicies.map(\.name) == [
                "WorkerRolePolicy1", "WorkerRolePolicy2", "WorkerRolePolicy3", "WorkerRolePolicy4", "WorkerRolePolicy5",
            ]
        )
        let s3 = try #require(role.inlinePolicies.first?.document["Statement"]?.listValue?.first)
        #expect(s3["Resource"] == ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"])
        #expect(s3["Action"]?.listValue?.count == 9)
        #expect(s3["Effect"] == "Allow")
        let dynamo = try #require(role.inlinePolicies[1].document["Statement"]?.listValue?.first)
        #expect(
            dynamo["Resource"] == [
                "arn:aws:dynamodb:us-east-1:123456789012:table/items", "arn:aws:dynamodb:us-east-1:123456789012:table/items/index/*",
            ]
        )
        let sqs = try #require(role.inlinePolicies[2].document["Statement"]?.listValue?.first)
        #expect(sqs["Resource"] == "arn:aws:sqs:us-east-1:123456789012:jobs")
        #expect(sqs["Action"] == ["sqs:SendMessage*"])
        let secret = try #require(role.inlinePolicies[3].document["Statement"]?.listValue?.first)
        #expect(secret["Resource"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf")
        #expect(role.inlinePolicies[4].document["Statement"]?.listValue?.first?["Action"] == "ses:SendEmail")
        #expect(role.assumeRolePolicyDocument["Statement"]?.listValue?.first?["Principal"]?["Service"] == ["lambda.amazonaws.com"])
        let order = stack.resources.map(\.logicalId)
        #expect(try #require(order.firstIndex(of: "WorkerRole")) < #require(order.firstIndex(of: "Worker")))
    }

    @Test("an explicit Role is kept and no role is generated")
    func explicitRole() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  InlineCode: x
                  Handler: index.handler
                  Runtime: python3.12
                  Role: arn:aws:iam::123456789012:role/existing
                  FunctionName: my-function
            """
        )
        #expect(stack.resources.map(\.logicalId) == ["Fn"])
        let function = try #require(try stack.lambdaFunctions.first)
        #expect(function.roleArn == "arn:aws:iam::123456789012:role/existing")
        #expect(function.functionName == "my-function")
        #expect(function.arn == "arn:aws:lambda:us-east-1:123456789012:function:my-function")
    }

    @Test("Api events and Lambda authorizers get SAM's permissions: path parameters as *, authorizers/*")
    func apiPermissions() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Api:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: prod
                  Auth:
                    Authorizers:
                      Token:
                        FunctionArn: !GetAtt Auth.Arn
                      Roled:
                        FunctionArn: !GetAtt Auth.Arn
                        FunctionInvokeRole: arn:aws:iam::123456789012:role/invoker
              Http:
                Type: AWS::Serverless::HttpApi
                Properties:
                  Auth:
                    Authorizers:
                      Plain:
                        FunctionArn: !GetAtt Auth.Arn
                      Granted:
                        FunctionArn: !GetAtt Auth.Arn
                        EnableFunctionDefaultPermissions: true
              Auth:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.auth
                  Runtime: python3.12
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.handler
                  Runtime: python3.12
                  Events:
                    Item:
                      Type: Api
                      Properties: {RestApiId: !Ref Api, Path: "/items/{id}", Method: get}
                    Thing:
                      Type: HttpApi
                      Properties: {ApiId: !Ref Http, Path: "/things/{proxy+}", Method: any}
            """
        )
        let api = try #require(stack.resource("Api")).physicalId
        let http = try #require(stack.resource("Http")).physicalId
        let prefix = "arn:aws:execute-api:us-east-1:123456789012:"
        #expect(stack.resource("FnItemPermissionprod")?.properties["SourceArn"] == .string("\(prefix)\(api)/*/GET/items/*"))
        #expect(stack.resource("FnThingPermission")?.properties["SourceArn"] == .string("\(prefix)\(http)/*/*/things/*"))
        let token = try #require(stack.resource("ApiTokenAuthorizerPermission"))
        #expect(token.properties["SourceArn"] == .string("\(prefix)\(api)/authorizers/*"))
        #expect(token.properties["Principal"] == "apigateway.amazonaws.com")
        #expect(stack.resource("ApiRoledAuthorizerPermission") == nil)
        #expect(stack.resource("HttpPlainAuthorizerPermission") == nil)
        #expect(stack.resource("HttpGrantedAuthorizerPermission")?.properties["SourceArn"] == .string("\(prefix)\(http)/authorizers/*"))
    }

    @Test("an S3 event becomes a bucket notification plus an s3.amazonaws.com invoke permission")
    func s3Event() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Uploads:
                Type: AWS::S3::Bucket
              Processor:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.handler
                  Runtime: python3.12
                  Events:
                    Uploaded:
                      Type: S3
                      Properties:
                        Bucket: !Ref Uploads
                        Events: [s3:ObjectCreated:*, s3:ObjectRemoved:*]
                        Filter:
                          S3Key:
                            Rules:
                              - {Name: prefix, Value: in/}
                              - {Name: suffix, Value: .json}
                    Queue:
                      Type: SQS
                      Properties:
                        Queue: arn:aws:sqs:us-east-1:123456789012:q
            """
        )
        let bucket = try #require(try stack.buckets.first)
        let function = try #require(try stack.lambdaFunctions.first)
        #expect(bucket.lambdaNotifications.count == 2)
        #expect(bucket.lambdaNotifications.map(\.events) == [["s3:ObjectCreated:*"], ["s3:ObjectRemoved:*"]])
        #expect(bucket.lambdaNotifications.allSatisfy { $0.functionArn == function.arn && $0.prefix == "in/" && $0.suffix == ".json" })
        let permission = try #require(stack.resource("ProcessorUploadedPermission"))
        #expect(permission.type == "AWS::Lambda::Permission")
        #expect(permission.properties["Principal"] == "s3.amazonaws.com")
        #expect(permission.properties["FunctionName"] == .string(function.functionName))
        #expect(permission.properties["SourceAccount"] == "123456789012")
        #expect(stack.resource("Uploads")?.dependsOn.contains("ProcessorUploadedPermission") == true)
        #expect(stack.resources.map(\.logicalId) == ["ProcessorRole", "Processor", "ProcessorUploadedPermission", "Uploads"])
        let ignored = try #require(stack.unsupported.first { $0.property == "Events.Queue" })
        #expect(
            ignored.description.hasPrefix(
                "template.yaml:22:9: resource Processor (AWS::Serverless::Function): Events.Queue (Type SQS) is not emulated"
            )
        )
    }

    @Test("SimpleTable becomes an on-demand DynamoDB table with a hash key")
    func simpleTable() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Sessions:
                Type: AWS::Serverless::SimpleTable
                Properties:
                  PrimaryKey: {Name: sessionId, Type: Number}
                  Tags: {team: core}
              Plain:
                Type: AWS::Serverless::SimpleTable
            """
        )
        let tables = try stack.tables
        #expect(tables.count == 2)
        #expect(tables[0].keySchema == [.init(attributeName: "sessionId", keyType: "HASH")])
        #expect(tables[0].attributeDefinitions == [.init(name: "sessionId", type: "N")])
        #expect(tables[0].billingMode == "PAY_PER_REQUEST")
        #expect(tables[0].tags == ["team": "core"])
        #expect(tables[1].keySchema.first?.attributeName == "id")
        #expect(tables[1].attributeDefinitions.first?.type == "S")
    }

    @Test("Globals without the SAM transform and other transforms are rejected")
    func transformErrors() throws {
        let globals = try #require(Fixture.error("Globals:\n  Function: {Timeout: 3}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"))
        #expect(globals.message.contains("Globals requires Transform"))
        let macro = try #require(Fixture.error("Transform: MyMacro\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"))
        #expect(macro.kind == .unsupported)
        #expect(macro.description.hasPrefix("template.yaml:1:1: Transform MyMacro is not supported"))
    }

    @Test("a SAM function without code is an error pointing at the function")
    func missingCode() throws {
        let error = try #require(
            Fixture.error(
                "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: a.b}\n"
            )
        )
        #expect(
            error.description == "template.yaml:3:3: resource Fn: Resource with id [Fn] is invalid. Either 'InlineCode' or 'CodeUri' must be set."
        )
    }
}
