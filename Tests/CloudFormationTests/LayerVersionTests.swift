import Foundation
import LambdaService
import Testing

@testable import CloudFormation

@Suite("Lambda layer versions and inline code")
struct LayerVersionTests {
    @Test("AWS::Serverless::LayerVersion becomes AWS::Lambda::LayerVersion; Ref is the layer version ARN; functions list it")
    func serverlessLayer() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Common:
                Type: AWS::Serverless::LayerVersion
                Properties:
                  ContentUri: layers/common/
                  CompatibleRuntimes: [python3.12]
                  RetentionPolicy: Retain
              Named:
                Type: AWS::Lambda::LayerVersion
                Properties:
                  LayerName: named-layer
                  Content: build/named.zip
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: nodejs20.x
                  Handler: index.handler
                  InlineCode: "exports.handler = async () => 1;"
                  Layers: [!Ref Common, !GetAtt Named.LayerVersionArn]
            """
        )
        let layers = try stack.lambdaLayers
        let common = try #require(layers.first { $0.logicalId == "Common" })
        #expect(common.arn == "arn:aws:lambda:us-east-1:123456789012:layer:Common:1")
        #expect(common.content == .localPath("/work/app/layers/common"))
        #expect(common.compatibleRuntimes == ["python3.12"])
        let named = try #require(layers.first { $0.logicalId == "Named" })
        #expect(named.arn == "arn:aws:lambda:us-east-1:123456789012:layer:named-layer:1")
        #expect(named.content == .localPath("/work/app/build/named.zip"))
        let function = try #require(try stack.lambdaFunctions.first)
        #expect(function.layers == [common.arn, named.arn])
        #expect(function.inlineCode == "exports.handler = async () => 1;")
        #expect(!stack.unsupported.contains { $0.property.contains("Layers") })
    }

    @Test("a SAM layer without ContentUri is refused as SAM refuses it")
    func missingContent() {
        #expect(throws: TemplateError.self) {
            try Fixture.resolve(
                """
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  Broken:
                    Type: AWS::Serverless::LayerVersion
                    Properties:
                      LayerName: broken
                """
            )
        }
    }
}

@Suite("Container image functions")
struct ImageFunctionTests {
    @Test("an image function before sam build (no ImageUri, Metadata only) is listed, not refused at load")
    func unbuiltImage() throws {
        let stack = try Fixture.resolve(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  PackageType: Image
                Metadata:
                  Dockerfile: Dockerfile
                  DockerContext: ./api
            """
        )
        let function = try #require(try stack.lambdaFunctions.first)
        #expect(function.code == .image("Api:unbuilt"))
        #expect(stack.resource("Api")?.properties["PackageType"] == "Image")
    }
}
