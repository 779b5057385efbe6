import Foundation

extension Template {
    /// The transform name that turns SAM resources into plain CloudFormation.
    package static let serverlessTransform = "AWS::Serverless-2016-10-31"

    /// Applies the SAM transform (when declared), then resolves parameters, conditions, intrinsics and physical ids.
    /// - Parameters:
    ///   - configuration: Stack name, region, account and parameter overrides.
    ///   - catalog: The resource providers: which types are emulated, their properties, names and attributes.
    /// - Returns: The resolved stack, resources in dependency order.
    /// - Throws: ``TemplateError`` naming file, line, column and resource on the first problem found.
    package func resolve(_ configuration: StackConfiguration, catalog: ResourceCatalog) throws(TemplateError) -> Stack {
        var template = self
        var unsupported: [UnsupportedProperty] = []
        for transform in transforms {
            guard transform == Template.serverlessTransform else {
                throw TemplateError(
                    .unsupported,
                    "Transform \(transform) is not supported by the emulator (only \(Template.serverlessTransform))",
                    at: root.location(of: "Transform")
                )
            }
        }
        if transforms.contains(Template.serverlessTransform) {
            let result = try SAMTransform.apply(to: template, configuration: configuration)
            template = result.template
            unsupported = result.unsupported
        } else if root["Globals"] != nil {
            throw TemplateError(
                .format,
                "Template format error: Globals requires Transform: \(Template.serverlessTransform)",
                at: root.location(of: "Globals")
            )
        }
        let resolver = try StackResolver(template: template, configuration: configuration, catalog: catalog)
        return try resolver.run(unsupported: unsupported)
    }
}

/// Resolves one template for one configuration. Reference type only to share caches during recursion.
final class StackResolver {
    struct Scope {
        var section: String
        var logicalId: String?
    }

    struct Definition {
        var logicalId: String
        var type: String
        var properties: TemplateValue
        var explicitDependsOn: [(String, SourceLocation?)]
        var location: SourceLocation?
        var body: TemplateMap
    }

    static let pseudoParameters: Set<String> = [
        "AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue",
        "AWS::NotificationARNs",
    ]

    let template: Template
    let configuration: StackConfiguration
    let catalog: ResourceCatalog
    let stackId: String
    var parameterValues: [String: TemplateValue] = [:]
    var stackParameters: [StackParameter] = []
    var conditionValues: [String: Bool] = [:]
    var conditionsInProgress: Set<String> = []
    let conditionDefinitions: TemplateMap
    let allResources: TemplateMap
    var excluded: Set<String> = []
    var resolved: [String: StackResource] = [:]
    var imports: [String] = []

    init(template: Template, configuration: StackConfiguration, catalog: ResourceCatalog) throws(TemplateError) {
        self.template = template
        self.configuration = configuration
        self.catalog = catalog
        self.stackId =
            "arn:\(configuration.partition):cloudformation:\(configuration.region):\(configuration.accountId):stack/"
            + "\(configuration.stackName)/\(PhysicalNames.uuid(configuration.stackName, configuration.accountId, configuration.region))"
        self.conditionDefinitions = template.section("Conditions")
        self.allResources = template.section("Resources")
        let parameterNames = template.section("Parameters").keys
        let common = parameterNames.filter { allResources.contains($0) }
        if let first = common.first {
            throw TemplateError(
                .format,
                "Template error: all resources and parameters must have unique names. Common name(s):[\(common.joined(separator: ", "))]",
                at: template.location(section: "Resources", key: first)
            )
        }
        try resolveParameters()
        for name in conditionDefinitions.keys {
            _ = try condition(
                named: name,
                at: template.location(section: "Conditions", key: name),
                scope: Scope(section: "condition", logicalId: name)
            )
        }
    }

    // MARK: - Run

    func run(unsupported initialUnsupported: [UnsupportedProperty]) throws(TemplateError) -> Stack {
        let definitions = try resourceDefinitions()
        let dependencies = try dependencyGraph(definitions)
        let order = try topologicalOrder(definitions, dependencies: dependencies)
        var resources: [StackResource] = []
        var skipped: [StackResource] = []
        var unsupported = initialUnsupported
        for definition in order {
            let scope = Scope(section: "resource", logicalId: definition.logicalId)
            let propertiesLocation = definition.body.location(of: "Properties") ?? definition.location
            var properties = try evaluate(definition.properties, at: propertiesLocation, scope: scope) ?? .map(TemplateMap())
            // A local code path (`Code` of a function, `Content` of a layer version) is relative to the template.
            let codeKey = definition.type == "AWS::Lambda::LayerVersion" ? "Content" : "Code"
            if definition.type == "AWS::Lambda::Function" || definition.type == "AWS::Lambda::LayerVersion",
                case .string(let path) = properties[codeKey] ?? .null, !path.hasPrefix("/"),
                var map = properties.mapValue
            {
                let base = URL(fileURLWithPath: template.baseDirectory, isDirectory: true)
                map.set(codeKey, .string(URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path), location: map.location(of: codeKey))
                properties = .map(map)
            }
            let identity = catalog.identity(
                type: definition.type,
                logicalId: definition.logicalId,
                properties: properties,
                configuration: configuration
            )
            let resource = StackResource(
                logicalId: definition.logicalId,
                type: definition.type,
                physicalId: identity.physicalId,
                properties: properties,
                attributes: identity.attributes,
                dependsOn: dependencies[definition.logicalId] ?? [],
                location: definition.location
            )
            resolved[definition.logicalId] = resource
            if let supported = catalog.supportedProperties(of: definition.type) {
                resources.append(resource)
                for key in properties.mapValue?.keys ?? [] where !supported.contains(key) {
                    unsupported.append(
                        UnsupportedProperty(
                            logicalId: definition.logicalId,
                            resourceType: definition.type,
                            property: "Properties.\(key)",
                            reason: "is ignored by the emulator",
                            location: definition.properties.mapValue?.location(of: key) ?? definition.location
                        )
                    )
                }
            } else {
                skipped.append(resource)
            }
        }

        let outputs = try resolveOutputs()
        return Stack(
            name: configuration.stackName,
            stackId: stackId,
            description: template.description,
            parameters: stackParameters,
            resources: resources,
            outputs: outputs,
            skipped: skipped,
            unsupported: unsupported,
            configuration: configuration,
            imports: imports
        )
    }

    private func resolveOutputs() throws(TemplateError) -> [StackOutput] {
        var outputs: [StackOutput] = []
        for (key, value) in template.section("Outputs").entries {
            let body = value.mapValue ?? TemplateMap()
            let location = template.location(section: "Outputs", key: key)
            let scope = Scope(section: "output", logicalId: key)
            if case .string(let name) = body["Condition"] {
                guard let flag = conditionValues[name] else {
                    throw TemplateError(
                        .reference,
                        "Template format error: Unresolved condition \(name)",
                        at: body.location(of: "Condition"),
                        logicalId: key,
                        section: "output"
                    )
                }
                if !flag { continue }
            }
            let outputValue = try evaluate(body["Value"] ?? .null, at: body.location(of: "Value") ?? location, scope: scope)
            let text = try outputText(outputValue, at: body.location(of: "Value") ?? location, scope: scope)
            var exportName: String?
            if let export = body["Export"]?.mapValue, let name = export["Name"] {
                let resolvedName = try evaluate(name, at: export.location(of: "Name") ?? location, scope: scope)
                exportName = try outputText(resolvedName, at: export.location(of: "Name") ?? location, scope: scope)
            }
            var description: String?
            if let descriptionValue = body["Description"] {
                description = try evaluate(descriptionValue, at: body.location(of: "Description"), scope: scope)?.scalarText
            }
            outputs.append(StackOutput(key: key, value: text, description: description, exportName: exportName))
        }
        return outputs
    }

    private func outputText(_ value: TemplateValue?, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> String {
        switch value {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .list(let items):
            var parts: [String] = []
            for item in items {
                guard let text = item.scalarText else {
                    throw error(.format, "Template format error: Output values must be strings or lists of strings", location, scope)
                }
                parts.append(text)
            }
            return parts.joined(separator: ",")
        default:
            throw error(.format, "Template format error: Output values must resolve to a string", location, scope)
        }
    }

    func error(_ kind: TemplateError.Kind, _ message: String, _ location: SourceLocation?, _ scope: Scope) -> TemplateError {
        TemplateError(kind, message, at: location, logicalId: scope.logicalId, section: scope.section)
    }

    /// CloudFormation's error for a reference to a resource that does not exist or whose condition is false.
    func unresolvedDependency(_ name: String, _ location: SourceLocation?, _ scope: Scope) -> TemplateError {
        error(.reference, "Template format error: Unresolved resource dependencies [\(name)] in the Resources block of the template", location, scope)
    }
}
