import CloudFormation
import EmulatorApp
import Foundation

/// Fuzzing of the template loader and resolver.
enum TemplateFuzzing {
    private static let configuration = StackConfiguration(
        stackName: "fuzz-stack",
        parameterOverrides: ["Stage": "dev", "AgentCoreEndpoint": "http://127.0.0.1:1"]
    )

    /// Loads the input as a YAML or JSON template, resolves it against the emulator's providers and reads every resource spec.
    static func run(_ bytes: [UInt8]) {
        let text = FuzzInput.text(bytes)
        FuzzInput.consume(try? TemplateLoader.parseValue(text))
        guard let template = try? TemplateLoader.parse(text, fileName: "template.yaml", baseDirectory: "/nonexistent/fuzz") else { return }
        do throws(TemplateError) {
            let stack = try template.resolve(configuration, catalog: .emulator)
            try ResourceCatalog.emulator.validateSpecs(of: stack)
        } catch {
            FuzzInput.consume(error.description)
        }
    }
}
