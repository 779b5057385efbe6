import Foundation
import Testing

@testable import CloudFormation

@Suite("Template loading")
struct LoaderTests {
    static let shortFormCases: [(String, TemplateValue)] = {
        var cases: [(String, TemplateValue)] = []
        cases.append(("!Ref Bucket", ["Ref": "Bucket"] as TemplateValue))
        cases.append(("!GetAtt Bucket.Arn", ["Fn::GetAtt": ["Bucket", "Arn"]] as TemplateValue))
        cases.append(("!GetAtt Db.Endpoint.Address", ["Fn::GetAtt": ["Db", "Endpoint.Address"]] as TemplateValue))
        cases.append(("!GetAtt [Bucket, Arn]", ["Fn::GetAtt": ["Bucket", "Arn"]] as TemplateValue))
        cases.append(("!Sub 'a-${B}'", ["Fn::Sub": "a-${B}"] as TemplateValue))
        cases.append(("!Sub ['${X}', {X: y}]", ["Fn::Sub": ["${X}", ["X": "y"]]] as TemplateValue))
        cases.append(("!Join ['-', [a, b]]", ["Fn::Join": ["-", ["a", "b"]]] as TemplateValue))
        cases.append(("!Select [0, !GetAZs '']", ["Fn::Select": [0, ["Fn::GetAZs": ""]]] as TemplateValue))
        cases.append(("!Split [',', 'a,b']", ["Fn::Split": [",", "a,b"]] as TemplateValue))
        cases.append(("!If [C, a, b]", ["Fn::If": ["C", "a", "b"]] as TemplateValue))
        cases.append(("!Equals [a, b]", ["Fn::Equals": ["a", "b"]] as TemplateValue))
        cases.append(("!And [!Condition A, !Condition B]", ["Fn::And": [["Condition": "A"], ["Condition": "B"]]] as TemplateValue))
        cases.append(
            ("!Or [!Condition A, !Not [!Condition B]]", ["Fn::Or": [["Condition": "A"], ["Fn::Not": [["Condition": "B"]]]]] as TemplateValue)
        )
        cases.append(("!FindInMap [M, K, V]", ["Fn::FindInMap": ["M", "K", "V"]] as TemplateValue))
        cases.append(("!Base64 text", ["Fn::Base64": "text"] as TemplateValue))
        cases.append(("!ImportValue Shared", ["Fn::ImportValue": "Shared"] as TemplateValue))
        return cases
    }()

    @Test("short-form tags become long-form intrinsic maps", arguments: shortFormCases)
    func shortForms(yaml: String, expected: TemplateValue) throws {
        let value = try TemplateLoader.parseValue("Value: \(yaml)")
        #expect(value["Value"] == expected)
    }

    @Test(
        "scalars keep their text",
        arguments: [
            ("30", TemplateValue.number("30")),
            ("0.50", .number("0.50")),
            ("true", .bool(true)),
            ("False", .bool(false)),
            ("yes", .string("yes")),
            ("'42'", .string("42")),
            ("2010-09-09", .string("2010-09-09")),
            ("~", .null),
            ("012345678901", .number("012345678901")),
            ("\"true\"", .string("true")),
        ]
    )
    func scalars(yaml: String, expected: TemplateValue) throws {
        #expect(try TemplateLoader.parseValue("Value: \(yaml)")["Value"] == expected)
    }

    @Test("map keys stay in source order and remember their location")
    func orderAndLocations() throws {
        let template = try Fixture.template(
            """
            Resources:
              Zeta:
                Type: AWS::SNS::Topic
              Alpha:
                Type: AWS::SNS::Topic
            """
        )
        #expect(template.section("Resources").keys == ["Zeta", "Alpha"])
        #expect(template.location(section: "Resources", key: "Alpha") == SourceLocation(file: "template.yaml", line: 4, column: 3))
    }

    @Test("a YAML syntax error names file, line and column")
    func syntaxError() {
        let error = Fixture.error(
            """
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties: {BucketName: [unclosed
            """
        )
        #expect(error?.kind == .syntax)
        #expect(error.map { Fixture.matches($0.description, #"^template\.yaml:[45]:\d+: YAML syntax error: .+"#) } == true)
    }

    @Test("duplicate keys are rejected with their location")
    func duplicateKeys() {
        let error = Fixture.error(
            """
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
              Bucket:
                Type: AWS::S3::Bucket
            """
        )
        #expect(error?.description.contains("duplicate key 'Bucket'") == true)
        #expect(error?.location?.line == 2 || error?.location?.line == 4)
    }

    @Test("unknown tags are errors, not silently kept")
    func unknownTag() {
        let error = Fixture.error("Resources:\n  B:\n    Type: !Foo bar\n")
        #expect(error?.description == "template.yaml:3:11: unknown tag !Foo: CloudFormation supports only intrinsic function short forms")
    }

    @Test("JSON templates load with locations, tabs included")
    func jsonTemplate() throws {
        let json = """
            {
            \t"Parameters": {"Env": {"Type": "String", "Default": "dev"}},
            \t"Resources": {
            \t\t"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Join": ["-", ["data", {"Ref": "Env"}]]}}}
            \t},
            \t"Outputs": {"Name": {"Value": {"Ref": "Bucket"}}}
            }
            """
        let stack = try TemplateLoader.parse(json, fileName: "template.json").resolve(Fixture.configuration)
        #expect(stack.output("Name")?.value == "data-dev")
        #expect(try TemplateLoader.parse(json, fileName: "template.json").location(section: "Resources", key: "Bucket")?.line == 4)
    }

    @Test(
        "template structure errors use CloudFormation wording",
        arguments: [
            ("Resources: {}\n", "At least one Resources member must be defined."),
            ("Resources:\n  B:\n    Properties: {}\n", "[/Resources/B] Every Resources object must contain a Type member."),
            ("Resourcez:\n  B:\n    Type: AWS::SNS::Topic\n", "Invalid template property or properties [Resourcez]"),
            ("Resources:\n  B:\n    Type: AWS::SNS::Topic\nOutputs:\n  O:\n    Description: x\n", "Every Outputs member must contain a Value object"),
        ]
    )
    func structureErrors(yaml: String, message: String) {
        let error = Fixture.error(yaml)
        #expect(error?.kind == .format)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test("loading from a file resolves the base directory and file name")
    func loadFromFile() throws {
        let url = Fixture.templatesDirectory.appendingPathComponent("websocket-stack.yaml")
        let template = try TemplateLoader.load(contentsOf: url)
        #expect(template.fileName == "websocket-stack.yaml")
        #expect(template.baseDirectory == Fixture.templatesDirectory.path)
        #expect(template.transforms == [Template.serverlessTransform])
    }

    @Test("a missing file is an io error, not a crash")
    func missingFile() {
        #expect(throws: TemplateError.self) {
            try TemplateLoader.load(contentsOf: URL(fileURLWithPath: "/nonexistent/template.yaml"))
        }
    }

    @Test("template values convert to ordered JSON and JSONSerialization objects")
    func jsonConversion() throws {
        let value: TemplateValue = ["b": 1, "a": ["x", true, .null], "c": .number("0.5"), "d": "q\"\n"]
        #expect(value.jsonString == #"{"b":1,"a":["x",true,null],"c":0.5,"d":"q\"\n"}"#)
        let data = try JSONSerialization.data(withJSONObject: value.jsonObject)
        let decoded = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(decoded["b"] as? Int == 1)
        #expect((decoded["a"] as? [Any])?.count == 3)
    }
}
