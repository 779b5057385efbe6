import EmulatorApp
import Testing

@testable import CloudFormation

/// A provider for a resource type no service has, to show what registering one changes.
private struct WidgetProvider: ResourceProvider {
    struct Invalid: Error {}

    var supportedProperties: [String: Set<String>] { ["Custom::Widget": ["WidgetName", "Size"]] }
    var nameRules: [String: PhysicalNameRule] { ["Custom::Widget": PhysicalNameRule(property: "WidgetName", maxLength: 20, lowercase: true)] }

    func identity(of resource: ResourceNaming) -> ResourceIdentity {
        let name = resource.physicalName
        return ResourceIdentity(physicalId: name, attributes: ["Arn": "arn:\(resource.configuration.partition):widget:::\(name)"])
    }

    func validateSpecs(in stack: Stack) throws(TemplateError) {
        for resource in stack.resources(ofType: "Custom::Widget") {
            _ = try SpecReader(resource)["Size"].int()
        }
    }
}

@Suite("Resource catalog")
struct ResourceCatalogTests {
    static let yaml = """
        Resources:
          Widget:
            Type: Custom::Widget
            Properties: {Size: 3, Colour: red}
          Named:
            Type: Custom::Widget
            Properties: {WidgetName: explicit}
          Bucket:
            Type: AWS::S3::Bucket
            Properties: {Tags: [{Key: w, Value: !GetAtt Widget.Arn}]}
        Outputs:
          WidgetRef: {Value: !Ref Widget}
          WidgetArn: {Value: !GetAtt Widget.Arn}
        """

    static func resolve(_ yaml: String, providers: [any ResourceProvider]) throws -> Stack {
        try Fixture.template(yaml).resolve(Fixture.configuration, catalog: ResourceCatalog(providers: providers))
    }

    @Test("a registered provider makes its type emulated: its names, attributes and property list apply")
    func registeredProvider() throws {
        let stack = try Self.resolve(Self.yaml, providers: [WidgetProvider()])
        #expect(stack.resources.map(\.logicalId) == ["Widget", "Named"])
        #expect(stack.skipped.map(\.logicalId) == ["Bucket"])
        let widget = try #require(stack.resource("Widget"))
        #expect(widget.physicalId == PhysicalNames.generatedName(stack: "test-stack", logicalId: "Widget", maxLength: 20, lowercase: true))
        #expect(widget.physicalId.count <= 20)
        #expect(stack.resource("Named")?.physicalId == "explicit")
        #expect(stack.output("WidgetRef")?.value == widget.physicalId)
        #expect(stack.output("WidgetArn")?.value == "arn:aws:widget:::\(widget.physicalId)")
        #expect(stack.unsupported.map { "\($0.logicalId) \($0.resourceType) \($0.property)" } == ["Widget Custom::Widget Properties.Colour"])
        let error = try #require(throws: TemplateError.self) {
            _ = try Self.resolve(Self.yaml + "\n  Bad: {Value: !GetAtt Widget.Colour}", providers: [WidgetProvider()])
        }
        #expect(error.message == "Template error: resource Widget does not support attribute type Colour in Fn::GetAtt")
    }

    @Test("without a provider the same type is skipped and GetAtt falls back to a plausible ARN")
    func unregisteredType() throws {
        let stack = try Self.resolve(Self.yaml, providers: [])
        #expect(stack.resources.isEmpty)
        #expect(stack.skipped.map(\.logicalId) == ["Widget", "Named", "Bucket"])
        #expect(stack.unsupported.isEmpty)
        let widget = try #require(stack.resource("Widget"))
        #expect(Fixture.matches(widget.physicalId, "^test-stack-Widget-[A-Z0-9]{12}$"))
        #expect(stack.output("WidgetArn")?.value == "arn:aws:widget:us-east-1:123456789012:widget/\(widget.physicalId)")
    }

    @Test("validateSpecs asks every provider, in registration order")
    func validation() throws {
        let yaml = """
            Resources:
              Widget: {Type: Custom::Widget, Properties: {Size: [1]}}
              Table: {Type: AWS::DynamoDB::Table, Properties: {}}
            """
        let stack = try Self.resolve(yaml, providers: [WidgetProvider()])
        let catalog = ResourceCatalog(providers: [WidgetProvider()])
        let error = try #require(throws: TemplateError.self) { try catalog.validateSpecs(of: stack) }
        #expect(error.logicalId == "Widget")
        #expect(error.message == "property Properties.Size must be an integer, found a list")
        #expect(throws: Never.self) { try ResourceCatalog.empty.validateSpecs(of: stack) }
    }

    @Test("the emulator's providers serve exactly the types it emulates, each once")
    func emulatorCatalog() {
        let catalog = ResourceCatalog.emulator
        #expect(
            catalog.emulatedTypes == [
                "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::Lambda::Permission",
                "AWS::Lambda::LayerVersion", "AWS::Lambda::LayerVersionPermission", "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Version",
                "AWS::Lambda::Alias", "AWS::IAM::Role",
                "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage",
                "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Deployment",
                "AWS::ApiGatewayV2::RouteResponse", "AWS::ApiGatewayV2::IntegrationResponse", "AWS::ApiGatewayV2::Authorizer",
                "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup", "AWS::Cognito::UserPoolDomain",
                "AWS::Cognito::UserPoolUser", "AWS::Cognito::UserPoolUserToGroupAttachment", "AWS::Cognito::IdentityPool",
                "AWS::Cognito::IdentityPoolRoleAttachment", "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource",
                "AWS::ApiGateway::Method", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
                "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlan",
                "AWS::ApiGateway::UsagePlanKey", "AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator",
                "AWS::ApiGateway::GatewayResponse", "AWS::Logs::LogGroup",
            ]
        )
        let served = catalog.providers.map(\.resourceTypes.count).reduce(0, +)
        #expect(served == catalog.emulatedTypes.count)
        for provider in catalog.providers {
            #expect(Set(provider.nameRules.keys).isSubset(of: provider.resourceTypes))
        }
        #expect(catalog.supportedProperties(of: "AWS::SQS::Queue") == nil)
    }
}
