import CloudFormation
import Foundation

/// A template loaded and resolved for one deployment: what `start`, `validate` and `outputs` share.
package struct StackPlan: Sendable {
    /// The template file.
    package let templateURL: URL
    /// The template text as written.
    package let templateBody: String
    /// The resolved stack.
    package let stack: Stack
    /// Whether there is no template: every service starts up and empty (``init(withoutTemplateFor:)``).
    package private(set) var withoutTemplate = false

    /// Loads and resolves a template.
    /// - Parameters:
    ///   - options: Template path, stack name, region, account and parameter overrides.
    ///   - catalog: The resource providers the template is resolved against (the emulator's by default).
    /// - Throws: ``TemplateError`` with file, line and column.
    package init(options: EmulatorOptions, catalog: ResourceCatalog = .emulator) throws(TemplateError) {
        let url = URL(fileURLWithPath: options.templatePath).standardizedFileURL
        let template = try TemplateLoader.load(contentsOf: url)
        let configuration = StackConfiguration(
            stackName: options.stackName ?? Self.defaultStackName(templateURL: url),
            region: options.region,
            accountId: options.accountId,
            parameterOverrides: options.parameterOverrides
        )
        self.templateURL = url
        self.templateBody = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var stack = try template.resolve(configuration, catalog: catalog)
        // Shape errors in emulated resources (a table without a key schema...) surface here, before any service starts.
        try catalog.validateSpecs(of: stack)
        stack.unsupported += catalog.notActedOn(in: stack)
        self.stack = stack
    }

    /// The plan for starting without a template: an empty stack named after the current folder (or `--stack-name`);
    /// every service starts up and empty, and resources come from API calls (S3 `CreateBucket`, DynamoDB
    /// `CreateTable`, IAM `CreateRole`...).
    /// - Parameter options: Stack name, region and account.
    package init(withoutTemplateFor options: EmulatorOptions) {
        let folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        let configuration = StackConfiguration(
            stackName: options.stackName ?? Self.defaultStackName(templateURL: folder.appendingPathComponent("template.yaml")),
            region: options.region,
            accountId: options.accountId,
            parameterOverrides: options.parameterOverrides
        )
        self.templateURL = folder.appendingPathComponent("template.yaml")
        self.templateBody = ""
        self.stack = Stack.empty(configuration: configuration)
        self.withoutTemplate = true
    }

    /// The stack name `sam deploy` would use: `stack_name` from `samconfig.toml` beside the template,
    /// else the template folder's name.
    /// - Parameter templateURL: The template file.
    /// - Returns: The stack name.
    package static func defaultStackName(templateURL: URL) -> String {
        let folder = templateURL.deletingLastPathComponent()
        let samconfig = folder.appendingPathComponent("samconfig.toml")
        if let text = try? String(contentsOf: samconfig, encoding: .utf8), let name = samconfigStackName(text) {
            return name
        }
        return folder.lastPathComponent
    }

    /// Reads `stack_name` from the `[default.deploy.parameters]` table (or any table, as a fallback).
    /// - Parameter text: The `samconfig.toml` text.
    /// - Returns: The stack name, if set.
    package static func samconfigStackName(_ text: String) -> String? {
        var table = ""
        var fallback: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                table = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "stack_name" else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            if table == "default.deploy.parameters" || table == "default.global.parameters" { return value }
            fallback = fallback ?? value
        }
        return fallback
    }
}
