import Foundation
import Testing

@testable import CloudFormation

/// Resolves the repository's own `template.yaml`, the stack the emulator serves by default.
@Suite("Project template")
struct ProjectTemplateTests {
    static let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("template.yaml")

    static var exists: Bool { FileManager.default.fileExists(atPath: url.path) }

    @Test("the repository template resolves with every spec decodable", .enabled(if: exists))
    func resolves() throws {
        let template = try TemplateLoader.load(contentsOf: Self.url)
        let stack = try template.resolve(StackConfiguration(stackName: "synapscribe-mvp", region: "us-east-1", accountId: "000000000000"))
        try stack.validateSpecs()
        #expect(!stack.resources.isEmpty)
        #expect(try !stack.lambdaFunctions.isEmpty)
        for function in try stack.lambdaFunctions {
            #expect(function.codeUri?.hasPrefix("/") ?? (function.inlineCode != nil))
            #expect(function.roleArn?.hasPrefix("arn:aws:iam::000000000000:role/") == true)
        }
        for output in stack.outputs {
            #expect(!output.value.isEmpty)
            #expect(!output.value.contains("${"))
        }
    }
}
