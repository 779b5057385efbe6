import Foundation
import Testing

@testable import CloudFormation

@Suite("Intrinsic functions")
struct IntrinsicTests {
    static func template(output expression: String) -> String {
        """
        Parameters:
          Env:
            Type: String
            Default: dev
          Names:
            Type: CommaDelimitedList
            Default: a,b,c
        Mappings:
          RegionMap:
            us-east-1:
              Ami: ami-123
        Conditions:
          IsDev: !Equals [!Ref Env, dev]
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: my-bucket
        Outputs:
          Result:
            Value: \(expression)
        """
    }

    @Test(
        "each intrinsic resolves like CloudFormation",
        arguments: [
            ("!Ref Env", "dev"),
            ("!Ref AWS::Region", "us-east-1"),
            ("!Ref AWS::AccountId", "123456789012"),
            ("!Ref AWS::StackName", "test-stack"),
            ("!Ref AWS::Partition", "aws"),
            ("!Ref AWS::URLSuffix", "amazonaws.com"),
            ("!Ref Bucket", "my-bucket"),
            ("!Ref Names", "a,b,c"),
            ("!GetAtt Bucket.Arn", "arn:aws:s3:::my-bucket"),
            ("!GetAtt [Bucket, DomainName]", "my-bucket.s3.amazonaws.com"),
            ("!GetAtt Bucket.RegionalDomainName", "my-bucket.s3.us-east-1.amazonaws.com"),
            ("!Sub '${Env}-${AWS::Region}'", "dev-us-east-1"),
            ("!Sub ['${A}-${Env}', {A: x}]", "x-dev"),
            ("!Sub ['${A}', {A: !Ref Bucket}]", "my-bucket"),
            ("!Sub '${!Literal}-${Bucket.Arn}'", "${Literal}-arn:aws:s3:::my-bucket"),
            ("!Sub 'plain $ and {braces}'", "plain $ and {braces}"),
            ("!Join ['-', [a, b, !Ref Env]]", "a-b-dev"),
            ("!Join [':', !Ref Names]", "a:b:c"),
            ("!Join ['', [a, !Ref 'AWS::NoValue', b]]", "ab"),
            ("!Select [1, !Ref Names]", "b"),
            ("!Select ['2', !Split [',', 'x,y,z']]", "z"),
            ("!If [IsDev, in-dev, in-prod]", "in-dev"),
            ("!FindInMap [RegionMap, !Ref 'AWS::Region', Ami]", "ami-123"),
            ("!Base64 hello", "aGVsbG8="),
            ("!Select [0, !GetAZs '']", "us-east-1a"),
            ("{\"Fn::Join\": [\"+\", [\"1\", \"2\"]]}", "1+2"),
            ("!Join [',', [!Equals [a, a], !Not [!Equals [a, a]]]]", "true,false"),
        ]
    )
    func resolves(expression: String, expected: String) throws {
        let stack = try Fixture.resolve(Self.template(output: expression))
        #expect(stack.output("Result")?.value == expected)
    }

    @Test(
        "intrinsic errors name the output and explain the problem",
        arguments: [
            ("!Ref Missing", "Unresolved resource dependencies [Missing] in the Resources block of the template"),
            ("!GetAtt Foo.Arn", "Template error: instance of Fn::GetAtt references undefined resource Foo"),
            ("!GetAtt Bucket.Nope", "Template error: resource Bucket does not support attribute type Nope in Fn::GetAtt"),
            ("!Sub '${Nope.Arn}'", "instance of Fn::GetAtt references undefined resource Nope"),
            ("!Select [5, !Ref Names]", "Template error: Fn::Select cannot select nonexistent value at index 5"),
            ("!FindInMap [RegionMap, eu-west-1, Ami]", "Template error: Unable to get mapping for RegionMap::eu-west-1::Ami"),
            ("!ImportValue Shared", "Fn::ImportValue is not supported by the emulator"),
            ("!If [Nope, a, b]", "Unresolved condition dependency Nope"),
            ("{\"Fn::Bogus\": x}", "Encountered unsupported function: Fn::Bogus"),
            ("!Join ['-', [a, [b]]]", "Fn::Join object requires a list of strings"),
        ]
    )
    func errors(expression: String, message: String) throws {
        let error = try #require(Fixture.error(Self.template(output: expression)))
        #expect(error.description.hasPrefix("template.yaml:21:"), "\(error)")
        #expect(error.description.contains("output Result: "), "\(error)")
        #expect(error.description.contains(message), "\(error)")
    }

    @Test("an unknown Ref inside a resource names the resource, line and column")
    func unknownRefInResource() throws {
        let error = try #require(
            Fixture.error(
                """
                Resources:
                  WebSocketHandler:
                    Type: AWS::Lambda::Function
                    Properties:
                      Code: {ZipFile: x}
                      Role: !GetAtt Foo.Arn
                """
            )
        )
        #expect(
            error.description
                == "template.yaml:6:13: resource WebSocketHandler: Template error: instance of Fn::GetAtt references undefined resource Foo"
        )
        #expect(error.kind == .reference)
    }

    @Test("AWS::NoValue removes the property it is assigned to")
    func noValue() throws {
        let stack = try Fixture.resolve(
            """
            Conditions:
              Never: !Equals [a, b]
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: !If [Never, named, !Ref 'AWS::NoValue']
                  BillingMode: PAY_PER_REQUEST
                  KeySchema:
                    - {AttributeName: id, KeyType: HASH}
                    - !Ref AWS::NoValue
            """
        )
        let table = try #require(stack.resource("Table"))
        #expect(table.properties["TableName"] == nil)
        #expect(table.properties["KeySchema"]?.listValue?.count == 1)
        #expect(table.physicalId.hasPrefix("test-stack-Table-"))
    }

    @Test("conditions skip resources and outputs and combine with And/Or/Not")
    func conditions() throws {
        let yaml = """
            Parameters:
              Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
            Conditions:
              IsProd: !Equals [!Ref Env, prod]
              IsDev: !Not [!Condition IsProd]
              Always: !Or [!Condition IsProd, !Condition IsDev]
              ProdAndAlways: !And [!Condition IsProd, !Condition Always]
            Resources:
              ProdTopic:
                Type: AWS::SNS::Topic
                Condition: ProdAndAlways
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !If [IsProd, prod-bucket, dev-bucket]
            Outputs:
              Topic:
                Condition: IsProd
                Value: !Ref ProdTopic
              Bucket:
                Value: !Ref Bucket
            """
        let dev = try Fixture.resolve(yaml)
        #expect(dev.resource("ProdTopic") == nil)
        #expect(dev.outputs.map(\.key) == ["Bucket"])
        #expect(dev.output("Bucket")?.value == "dev-bucket")
        let prod = try Fixture.resolve(yaml, overrides: ["Env": "prod"])
        #expect(prod.skipped.map(\.logicalId) == ["ProdTopic"])
        #expect(
            prod.output("Topic")?.value == "arn:aws:sns:us-east-1:123456789012:test-stack-ProdTopic-"
                + PhysicalNames.suffix(stack: "test-stack", logicalId: "ProdTopic")
        )
        #expect(prod.output("Bucket")?.value == "prod-bucket")
    }

    @Test("referencing a resource whose condition is false is an error")
    func referenceToExcludedResource() throws {
        let error = try #require(
            Fixture.error(
                """
                Conditions:
                  Never: !Equals [a, b]
                Resources:
                  Topic:
                    Type: AWS::SNS::Topic
                    Condition: Never
                  Bucket:
                    Type: AWS::S3::Bucket
                    Properties:
                      BucketName: !GetAtt Topic.TopicName
                """
            )
        )
        #expect(error.description.contains("resource Bucket: Template format error: Unresolved resource dependencies [Topic]"))
    }
}

@Suite("Parameters")
struct ParameterTests {
    static func template(_ definition: String) -> String {
        """
        Parameters:
          P: \(definition)
        Resources:
          Topic:
            Type: AWS::SNS::Topic
        Outputs:
          Value:
            Value: !Ref P
        """
    }

    @Test(
        "violations use CloudFormation's wording",
        arguments: [
            ("{Type: String, AllowedValues: [dev, prod]}", "test", "Parameter 'P' must be one of AllowedValues"),
            ("{Type: String, AllowedPattern: '[a-z]+'}", "ABC", "Parameter 'P' must match pattern [a-z]+"),
            (
                "{Type: String, AllowedPattern: '[a-z]+', ConstraintDescription: lower case only}", "A",
                "Parameter 'P' failed to satisfy constraint: lower case only"
            ),
            ("{Type: String, MinLength: 3}", "ab", "Parameter 'P' must contain at least 3 characters"),
            ("{Type: String, MaxLength: 2}", "abc", "Parameter 'P' must contain at most 2 characters"),
            ("{Type: Number}", "abc", "Parameter 'P' must be a number"),
            ("{Type: Number, MinValue: 5}", "3", "Parameter 'P' must be a number not less than 5"),
            ("{Type: Number, MaxValue: 5}", "7", "Parameter 'P' must be a number not greater than 5"),
            ("{Type: 'List<Number>'}", "1,x", "Parameter 'P' must be a number"),
            ("{Type: String}", "", ""),
        ]
    )
    func violations(definition: String, value: String, message: String) throws {
        if message.isEmpty {
            #expect(Fixture.error(Self.template(definition), overrides: ["P": value]) == nil)
            return
        }
        let error = try #require(Fixture.error(Self.template(definition), overrides: ["P": value]))
        #expect(error.kind == .parameter)
        #expect(error.description == "template.yaml:2:3: \(message)")
    }

    @Test("a parameter without default or override must have a value")
    func missingValue() throws {
        let error = try #require(Fixture.error(Self.template("{Type: String}")))
        #expect(error.message == "Parameters: [P] must have values")
    }

    @Test("overrides for undeclared parameters are rejected")
    func unknownOverride() throws {
        let error = try #require(Fixture.error(Self.template("{Type: String, Default: x}"), overrides: ["Other": "1"]))
        #expect(error.message == "Parameters: [Other] do not exist in the template")
    }

    @Test(
        "values resolve per type, overrides win over defaults",
        arguments: [
            ("{Type: String, Default: a}", [String: String](), "a"),
            ("{Type: String, Default: a}", ["P": "b"], "b"),
            ("{Type: Number, Default: 42}", [:], "42"),
            ("{Type: CommaDelimitedList, Default: 'x,y'}", [:], "x,y"),
            ("{Type: 'AWS::EC2::VPC::Id', Default: vpc-1}", [:], "vpc-1"),
            ("{Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1,subnet-2'}", [:], "subnet-1,subnet-2"),
        ]
    )
    func values(definition: String, overrides: [String: String], expected: String) throws {
        let stack = try Fixture.resolve(Self.template(definition), overrides: overrides)
        #expect(stack.output("Value")?.value == expected)
        #expect(stack.parameters.first?.value == expected)
    }

    @Test("NoEcho parameters are flagged")
    func noEcho() throws {
        let stack = try Fixture.resolve(Self.template("{Type: String, Default: secret, NoEcho: true}"))
        #expect(stack.parameters == [StackParameter(key: "P", value: "secret", resolvedValue: "secret", noEcho: true)])
    }
}

@Suite("Dependencies")
struct DependencyTests {
    @Test("resources come out in dependency order (DependsOn, Ref, GetAtt, Sub)")
    func order() throws {
        let stack = try Fixture.resolve(
            """
            Resources:
              Fourth:
                Type: AWS::SNS::Topic
                Properties:
                  TopicName: !Sub '${Third.TopicName}-4'
              Third:
                Type: AWS::SNS::Topic
                Properties:
                  TopicName: !GetAtt Second.TopicName
              Second:
                Type: AWS::SNS::Topic
                DependsOn: First
                Properties:
                  TopicName: !Join ['', [!GetAtt First.TopicName, '-2']]
              First:
                Type: AWS::SNS::Topic
                Properties:
                  TopicName: one
            """
        )
        #expect(stack.skipped.map(\.logicalId) == ["First", "Second", "Third", "Fourth"])
        #expect(stack.resource("Fourth")?.physicalId == "arn:aws:sns:us-east-1:123456789012:one-2-4")
        #expect(stack.resource("Second")?.dependsOn == ["First"])
        #expect(stack.resource("Fourth")?.dependsOn == ["Third"])
    }

    @Test("a dependency cycle is reported naming its members")
    func cycle() throws {
        let error = try #require(
            Fixture.error(
                """
                Resources:
                  Independent:
                    Type: AWS::SNS::Topic
                  A:
                    Type: AWS::SNS::Topic
                    Properties:
                      TopicName: !GetAtt B.TopicName
                  B:
                    Type: AWS::SNS::Topic
                    DependsOn: C
                  C:
                    Type: AWS::SNS::Topic
                    Properties:
                      TopicName: !Sub '${A.TopicName}'
                  Downstream:
                    Type: AWS::SNS::Topic
                    DependsOn: A
                """
            )
        )
        #expect(error.kind == .circularDependency)
        #expect(error.description == "template.yaml:4:3: Circular dependency between resources: [A, B, C]")
    }

    @Test("parameters and resources cannot share a logical id")
    func sharedNames() throws {
        let error = try #require(Fixture.error("Parameters:\n  Stage: {Type: String, Default: a}\nResources:\n  Stage:\n    Type: AWS::SNS::Topic\n"))
        #expect(error.description == "template.yaml:4:3: Template error: all resources and parameters must have unique names. Common name(s):[Stage]")
    }

    @Test("DependsOn naming a missing resource is an error")
    func missingDependsOn() throws {
        let error = try #require(Fixture.error("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependsOn: [Ghost]\n"))
        #expect(
            error.description
                == "template.yaml:4:5: resource A: Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template"
        )
    }
}
