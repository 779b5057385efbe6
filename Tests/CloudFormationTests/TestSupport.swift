import APIGatewayWebSocket
import CognitoService
import DynamoDBService
import EmulatorApp
import Foundation
import IAM
import LambdaService
import S3Service
import Testing

@testable import CloudFormation

/// The template target resolves against the providers the composition root hands in; these tests use the emulator's.
extension Template {
    func resolve(_ configuration: StackConfiguration) throws(TemplateError) -> Stack {
        try resolve(configuration, catalog: .emulator)
    }
}

extension Stack {
    func validateSpecs() throws(TemplateError) {
        try ResourceCatalog.emulator.validateSpecs(of: self)
    }
}

enum Fixture {
    static let configuration = StackConfiguration(stackName: "test-stack", region: "us-east-1", accountId: "123456789012")

    static func template(_ yaml: String) throws -> Template {
        try TemplateLoader.parse(yaml, fileName: "template.yaml", baseDirectory: "/work/app")
    }

    static func resolve(_ yaml: String, stackName: String = "test-stack", overrides: [String: String] = [:]) throws -> Stack {
        var configuration = configuration
        configuration.stackName = stackName
        configuration.parameterOverrides = overrides
        return try template(yaml).resolve(configuration)
    }

    /// The error thrown while loading and resolving `yaml`, or nil when it resolves.
    static func error(_ yaml: String, overrides: [String: String] = [:]) -> TemplateError? {
        do {
            _ = try resolve(yaml, overrides: overrides)
            return nil
        } catch let error as TemplateError {
            return error
        } catch {
            return nil
        }
    }

    static var templatesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Templates")
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }
}
