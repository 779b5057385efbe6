import Foundation

extension Template {
    /// The transform name that turns SAM resources into plain CloudFormation.
    package static let serverlessTransform = "AWS::Serverless-2016-10-31"

    /// Applies the SAM transform (when declared), then resolves parameters, conditions, intrinsics and physical ids.
    /// - Parameter configuration: Stack name, region, account and parameter overrides.
    /// - Returns: The resolved stack, resources in dependency order.
    /// - Throws: ``TemplateError`` naming file, line, column and resource on the first problem found.
    package func resolve(_ configuration: StackConfiguration) throws(TemplateError) -> Stack {
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
        let resolver = try StackResolver(template: template, configuration: configuration)
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

    private static let pseudoParameters: Set<String> = [
        "AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue",
        "AWS::NotificationARNs",
    ]

    let template: Template
    let configuration: StackConfiguration
    let stackId: String
    private(set) var parameterValues: [String: TemplateValue] = [:]
    private(set) var stackParameters: [StackParameter] = []
    private var conditionValues: [String: Bool] = [:]
    private var conditionsInProgress: Set<String> = []
    private let conditionDefinitions: TemplateMap
    private let allResources: TemplateMap
    private var excluded: Set<String> = []
    private var resolved: [String: StackResource] = [:]

    init(template: Template, configuration: StackConfiguration) throws(TemplateError) {
        self.template = template
        self.configuration = configuration
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
        var definitions: [Definition] = []
        for (logicalId, value) in allResources.entries {
            let body = value.mapValue ?? TemplateMap()
            let location = allResources.location(of: logicalId)
            if let conditionValue = body["Condition"] {
                guard case .string(let name) = conditionValue else {
                    throw TemplateError(
                        .format,
                        "Template format error: Condition must be a string",
                        at: body.location(of: "Condition") ?? location,
                        logicalId: logicalId
                    )
                }
                guard let flag = conditionValues[name] else {
                    throw TemplateError(
                        .reference,
                        "Template format error: Unresolved dependencies [\(name)]. Cannot reference resources in the Conditions block of the template",
                        at: body.location(of: "Condition") ?? location,
                        logicalId: logicalId
                    )
                }
                if !flag {
                    excluded.insert(logicalId)
                    continue
                }
            }
            var dependsOn: [(String, SourceLocation?)] = []
            switch body["DependsOn"] {
            case .string(let name): dependsOn.append((name, body.location(of: "DependsOn")))
            case .list(let names):
                for name in names {
                    guard case .string(let text) = name else {
                        throw TemplateError(
                            .format,
                            "Template format error: DependsOn must be a string or a list of strings",
                            at: body.location(of: "DependsOn"),
                            logicalId: logicalId
                        )
                    }
                    dependsOn.append((text, body.location(of: "DependsOn")))
                }
            case nil: break
            default:
                throw TemplateError(
                    .format,
                    "Template format error: DependsOn must be a string or a list of strings",
                    at: body.location(of: "DependsOn"),
                    logicalId: logicalId
                )
            }
            definitions.append(
                Definition(
                    logicalId: logicalId,
                    type: body["Type"]?.stringValue ?? "",
                    properties: body["Properties"] ?? .map(TemplateMap()),
                    explicitDependsOn: dependsOn,
                    location: location,
                    body: body
                )
            )
        }

        var dependencies: [String: [String]] = [:]
        for definition in definitions {
            var names: [String] = []
            for (name, location) in definition.explicitDependsOn {
                guard allResources.contains(name), !excluded.contains(name) else {
                    throw TemplateError(
                        .reference,
                        "Template format error: Unresolved resource dependencies [\(name)] in the Resources block of the template",
                        at: location,
                        logicalId: definition.logicalId
                    )
                }
                if !names.contains(name) { names.append(name) }
            }
            let scope = Scope(section: "resource", logicalId: definition.logicalId)
            var implicit: [(String, SourceLocation?)] = []
            try collectReferences(
                in: definition.properties,
                at: definition.body.location(of: "Properties") ?? definition.location,
                scope: scope,
                into: &implicit
            )
            for (name, location) in implicit {
                if excluded.contains(name) {
                    throw TemplateError(
                        .reference,
                        "Template format error: Unresolved resource dependencies [\(name)] in the Resources block of the template",
                        at: location,
                        logicalId: definition.logicalId
                    )
                }
                if !names.contains(name) { names.append(name) }
            }
            dependencies[definition.logicalId] = names
        }

        let order = try topologicalOrder(definitions, dependencies: dependencies)
        var resources: [StackResource] = []
        var skipped: [StackResource] = []
        var unsupported = initialUnsupported
        for definition in order {
            let scope = Scope(section: "resource", logicalId: definition.logicalId)
            let propertiesLocation = definition.body.location(of: "Properties") ?? definition.location
            var properties = try evaluate(definition.properties, at: propertiesLocation, scope: scope) ?? .map(TemplateMap())
            if definition.type == "AWS::Lambda::Function", case .string(let path) = properties["Code"] ?? .null, !path.hasPrefix("/"),
                var map = properties.mapValue
            {
                let base = URL(fileURLWithPath: template.baseDirectory, isDirectory: true)
                map.set("Code", .string(URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path), location: map.location(of: "Code"))
                properties = .map(map)
            }
            let identity = ResourceCatalog.identity(
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
            if let supported = ResourceCatalog.supportedProperties[definition.type] {
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

        return Stack(
            name: configuration.stackName,
            stackId: stackId,
            description: template.description,
            parameters: stackParameters,
            resources: resources,
            outputs: outputs,
            skipped: skipped,
            unsupported: unsupported,
            configuration: configuration
        )
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

    private func topologicalOrder(_ definitions: [Definition], dependencies: [String: [String]]) throws(TemplateError) -> [Definition] {
        var done: Set<String> = []
        var order: [Definition] = []
        var remaining = definitions
        while !remaining.isEmpty {
            guard let index = remaining.firstIndex(where: { (dependencies[$0.logicalId] ?? []).allSatisfy(done.contains) }) else {
                let cycle = findCycle(remaining.map(\.logicalId), dependencies: dependencies)
                let ordered = definitions.map(\.logicalId).filter(cycle.contains)
                let first = definitions.first { $0.logicalId == ordered.first }
                throw TemplateError(
                    .circularDependency,
                    "Circular dependency between resources: [\(ordered.joined(separator: ", "))]",
                    at: first?.location ?? template.root.location(of: "Resources")
                )
            }
            let next = remaining.remove(at: index)
            done.insert(next.logicalId)
            order.append(next)
        }
        return order
    }

    /// Every node left after Kahn's algorithm has a dependency that is also left, so following first dependencies must loop.
    private func findCycle(_ nodes: [String], dependencies: [String: [String]]) -> Set<String> {
        let candidates = Set(nodes)
        guard let start = nodes.first else { return [] }
        var path: [String] = [start]
        var current = start
        while let next = (dependencies[current] ?? []).first(where: candidates.contains) {
            if let cycleStart = path.firstIndex(of: next) {
                return Set(path[cycleStart...])
            }
            path.append(next)
            current = next
        }
        return candidates
    }

    // MARK: - Parameters

    private func resolveParameters() throws(TemplateError) {
        let declared = template.section("Parameters")
        let unknown = configuration.parameterOverrides.keys.filter { !declared.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw TemplateError(
                .parameter,
                "Parameters: [\(unknown.joined(separator: ", "))] do not exist in the template",
                at: template.root.location(of: "Parameters")
            )
        }
        for (name, value) in declared.entries {
            let location = declared.location(of: name)
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw TemplateError(.format, "Template format error: Parameter name \(name) is non alphanumeric.", at: location)
            }
            guard let body = value.mapValue, case .string(let type) = body["Type"] ?? .null else {
                throw TemplateError(
                    .format,
                    "Template format error: Every Parameters object must contain a Type member.",
                    at: location,
                    logicalId: name,
                    section: "parameter"
                )
            }
            guard let raw = configuration.parameterOverrides[name] ?? body["Default"]?.scalarText else {
                throw TemplateError(.parameter, "Parameters: [\(name)] must have values", at: location)
            }
            let resolvedValue = try validateParameter(name: name, type: type, raw: raw, body: body, location: location)
            parameterValues[name] = resolvedValue
            stackParameters.append(StackParameter(key: name, value: raw, resolvedValue: resolvedValue, noEcho: body["NoEcho"]?.boolValue ?? false))
        }
    }

    private func validateParameter(
        name: String,
        type: String,
        raw: String,
        body: TemplateMap,
        location: SourceLocation?
    ) throws(TemplateError) -> TemplateValue {
        func fail(_ message: String) -> TemplateError { TemplateError(.parameter, message, at: location) }
        let constraint = body["ConstraintDescription"]?.scalarText
        func constraintFailure(_ message: String) -> TemplateError {
            if let constraint { return fail("Parameter '\(name)' failed to satisfy constraint: \(constraint)") }
            return fail(message)
        }
        let isList = type == "CommaDelimitedList" || (type.hasPrefix("List<") && type.hasSuffix(">"))
        let isNumber = type == "Number" || type == "List<Number>"
        let known =
            ["String", "Number", "CommaDelimitedList", "List<Number>"].contains(type) || type.hasPrefix("AWS::") || type.hasPrefix("List<AWS::")
        guard known else {
            throw TemplateError(
                .format,
                "Template format error: Unrecognized parameter type: \(type)",
                at: location,
                logicalId: name,
                section: "parameter"
            )
        }
        let elements = isList ? raw.split(separator: ",", omittingEmptySubsequences: false).map(String.init) : [raw]
        let allowedValues = body["AllowedValues"]?.listValue?.compactMap(\.scalarText)
        var pattern: NSRegularExpression?
        if let patternText = body["AllowedPattern"]?.scalarText {
            do {
                pattern = try NSRegularExpression(pattern: "^(?:\(patternText))$")
            } catch {
                throw TemplateError(.format, "Template format error: AllowedPattern '\(patternText)' is not a valid regular expression", at: location)
            }
        }
        if let minLength = body["MinLength"]?.intValue, raw.count < minLength {
            throw constraintFailure("Parameter '\(name)' must contain at least \(minLength) characters")
        }
        if let maxLength = body["MaxLength"]?.intValue, raw.count > maxLength {
            throw constraintFailure("Parameter '\(name)' must contain at most \(maxLength) characters")
        }
        for element in elements {
            if isNumber {
                guard let number = Double(element.trimmingCharacters(in: .whitespaces)) else {
                    throw fail("Parameter '\(name)' must be a number")
                }
                if let minimum = body["MinValue"]?.doubleValue, number < minimum {
                    throw constraintFailure("Parameter '\(name)' must be a number not less than \(body["MinValue"]?.scalarText ?? "")")
                }
                if let maximum = body["MaxValue"]?.doubleValue, number > maximum {
                    throw constraintFailure("Parameter '\(name)' must be a number not greater than \(body["MaxValue"]?.scalarText ?? "")")
                }
            }
            if let allowedValues, !allowedValues.contains(element) {
                throw constraintFailure("Parameter '\(name)' must be one of AllowedValues")
            }
            if let pattern, pattern.firstMatch(in: element, range: NSRange(element.startIndex..., in: element)) == nil {
                throw constraintFailure("Parameter '\(name)' must match pattern \(body["AllowedPattern"]?.scalarText ?? "")")
            }
        }
        return isList ? .list(elements.map(TemplateValue.string)) : .string(raw)
    }

    // MARK: - Conditions

    private func condition(named name: String, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> Bool {
        if let value = conditionValues[name] { return value }
        guard let definition = conditionDefinitions[name] else {
            throw error(.reference, "Template format error: Unresolved condition dependency \(name)", location, scope)
        }
        guard !conditionsInProgress.contains(name) else {
            throw error(
                .circularDependency,
                "Template format error: Circular dependency between conditions: [\(conditionsInProgress.sorted().joined(separator: ", "))]",
                location,
                scope
            )
        }
        conditionsInProgress.insert(name)
        let value = try conditionValue(
            definition,
            at: conditionDefinitions.location(of: name) ?? location,
            scope: Scope(section: "condition", logicalId: name)
        )
        conditionsInProgress.remove(name)
        conditionValues[name] = value
        return value
    }

    private func conditionValue(_ value: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> Bool {
        if case .map(let map) = value, map.count == 1, case .string(let name) = map["Condition"] ?? .null {
            return try condition(named: name, at: map.location(of: "Condition") ?? location, scope: scope)
        }
        if case .bool(let flag) = value { return flag }
        guard let (function, argument) = value.intrinsic else {
            throw error(
                .format,
                "Template format error: Conditions can only be boolean operations on parameters and other conditions",
                location,
                scope
            )
        }
        let here = value.mapValue?.location(of: function) ?? location
        switch function {
        case "Fn::Equals":
            guard case .list(let operands) = argument, operands.count == 2 else {
                throw error(.format, "Template error: Fn::Equals requires a list of exactly two values", here, scope)
            }
            let left = try evaluate(operands[0], at: here, scope: scope)
            let right = try evaluate(operands[1], at: here, scope: scope)
            if let leftText = left?.scalarText, let rightText = right?.scalarText { return leftText == rightText }
            return left == right
        case "Fn::And", "Fn::Or":
            guard case .list(let operands) = argument, (2...10).contains(operands.count) else {
                throw error(.format, "Template error: \(function) requires a list of 2 to 10 conditions", here, scope)
            }
            for operand in operands {
                let flag = try conditionValue(operand, at: here, scope: scope)
                if function == "Fn::And", !flag { return false }
                if function == "Fn::Or", flag { return true }
            }
            return function == "Fn::And"
        case "Fn::Not":
            guard case .list(let operands) = argument, operands.count == 1 else {
                throw error(.format, "Template error: Fn::Not requires a list of exactly one condition", here, scope)
            }
            return try !conditionValue(operands[0], at: here, scope: scope)
        default:
            let result = try evaluate(value, at: here, scope: scope)
            guard let flag = result?.boolValue else {
                throw error(
                    .format,
                    "Template format error: Conditions can only be boolean operations on parameters and other conditions",
                    here,
                    scope
                )
            }
            return flag
        }
    }

    // MARK: - Dependencies

    private func collectReferences(
        in value: TemplateValue,
        at location: SourceLocation?,
        scope: Scope,
        into references: inout [(String, SourceLocation?)]
    ) throws(TemplateError) {
        switch value {
        case .list(let items):
            for item in items {
                try collectReferences(in: item, at: location, scope: scope, into: &references)
            }
        case .map(let map):
            if let (function, argument) = value.intrinsic {
                let here = map.location(of: function) ?? location
                switch function {
                case "Ref":
                    if case .string(let name) = argument, allResources.contains(name) { references.append((name, here)) }
                    return
                case "Fn::GetAtt":
                    if let target = getAttTarget(argument), allResources.contains(target) { references.append((target, here)) }
                case "Fn::Sub":
                    var text: String?
                    var locals: Set<String> = []
                    if case .string(let string) = argument {
                        text = string
                    } else if case .list(let items) = argument, let first = items.first?.stringValue {
                        text = first
                        locals = Set(items.dropFirst().first?.mapValue?.keys ?? [])
                    }
                    for variable in Self.subVariables(in: text ?? "") where !locals.contains(variable) {
                        let name = variable.split(separator: ".", maxSplits: 1).first.map(String.init) ?? variable
                        if allResources.contains(name) { references.append((name, here)) }
                    }
                case "Fn::If":
                    if case .list(let items) = argument, items.count == 3, case .string(let name) = items[0] {
                        let flag = try condition(named: name, at: here, scope: scope)
                        try collectReferences(in: flag ? items[1] : items[2], at: here, scope: scope, into: &references)
                        return
                    }
                default: break
                }
                try collectReferences(in: argument, at: here, scope: scope, into: &references)
                return
            }
            for (key, child) in map.entries {
                try collectReferences(in: child, at: map.location(of: key) ?? location, scope: scope, into: &references)
            }
        default: break
        }
    }

    private func getAttTarget(_ argument: TemplateValue) -> String? {
        switch argument {
        case .list(let items): items.first?.stringValue
        case .string(let text): text.split(separator: ".", maxSplits: 1).first.map(String.init)
        default: nil
        }
    }

    /// The `${...}` variable names in a `Fn::Sub` string, excluding `${!Literal}` escapes.
    static func subVariables(in text: String) -> [String] {
        var names: [String] = []
        for part in subParts(text) {
            if case .variable(let name) = part { names.append(name) }
        }
        return names
    }

    enum SubPart: Equatable {
        case literal(String)
        case variable(String)
    }

    static func subParts(_ text: String) -> [SubPart] {
        var parts: [SubPart] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "$", text.index(after: index) < text.endIndex, text[text.index(after: index)] == "{",
                let close = text[index...].firstIndex(of: "}")
            {
                let content = String(text[text.index(index, offsetBy: 2)..<close])
                if content.hasPrefix("!") {
                    literal += "${" + content.dropFirst() + "}"
                } else {
                    if !literal.isEmpty {
                        parts.append(.literal(literal))
                        literal = ""
                    }
                    parts.append(.variable(content.trimmingCharacters(in: .whitespaces)))
                }
                index = text.index(after: close)
            } else {
                literal.append(text[index])
                index = text.index(after: index)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }

    // MARK: - Evaluation

    private func error(_ kind: TemplateError.Kind, _ message: String, _ location: SourceLocation?, _ scope: Scope) -> TemplateError {
        TemplateError(kind, message, at: location, logicalId: scope.logicalId, section: scope.section)
    }

    /// Resolves every intrinsic function in `value`; returns nil when the value is `AWS::NoValue`.
    func evaluate(_ value: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> TemplateValue? {
        switch value {
        case .map(let map):
            if let (function, argument) = value.intrinsic {
                return try evaluateFunction(function, argument, at: map.location(of: function) ?? location, scope: scope)
            }
            var result = TemplateMap()
            for (key, child) in map.entries {
                let childLocation = map.location(of: key) ?? location
                if let resolvedChild = try evaluate(child, at: childLocation, scope: scope) {
                    result.set(key, resolvedChild, location: childLocation)
                }
            }
            return .map(result)
        case .list(let items):
            var result: [TemplateValue] = []
            for item in items {
                if let resolvedItem = try evaluate(item, at: location, scope: scope) {
                    result.append(resolvedItem)
                }
            }
            return .list(result)
        default:
            return value
        }
    }

    private func evaluateFunction(
        _ function: String,
        _ argument: TemplateValue,
        at location: SourceLocation?,
        scope: Scope
    ) throws(TemplateError) -> TemplateValue? {
        switch function {
        case "Ref":
            guard case .string(let name) = argument else {
                throw error(.format, "Template format error: Every Ref object must have a single String value.", location, scope)
            }
            return try reference(name, at: location, scope: scope)
        case "Fn::GetAtt":
            return .string(try getAtt(argument, at: location, scope: scope))
        case "Fn::Sub":
            return .string(try substitute(argument, at: location, scope: scope))
        case "Fn::Join":
            guard case .list(let operands) = argument, operands.count == 2, case .string(let delimiter) = operands[0] else {
                throw error(
                    .format,
                    "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined",
                    location,
                    scope
                )
            }
            guard case .list(let items) = try evaluate(operands[1], at: location, scope: scope) ?? .null else {
                throw error(.format, "Template error: Fn::Join's second parameter must resolve to a list of strings", location, scope)
            }
            var parts: [String] = []
            for item in items {
                guard let text = item.scalarText else {
                    throw error(
                        .format,
                        "Template error: every Fn::Join object requires a list of strings, found \(item.kindDescription)",
                        location,
                        scope
                    )
                }
                parts.append(text)
            }
            return .string(parts.joined(separator: delimiter))
        case "Fn::Select":
            guard case .list(let operands) = argument, operands.count == 2 else {
                throw error(.format, "Template error: Fn::Select requires a list of [index, list]", location, scope)
            }
            guard let index = try evaluate(operands[0], at: location, scope: scope)?.intValue else {
                throw error(.format, "Template error: Fn::Select's index must be a number", location, scope)
            }
            guard case .list(let items) = try evaluate(operands[1], at: location, scope: scope) ?? .null else {
                throw error(.format, "Template error: Fn::Select's second parameter must resolve to a list", location, scope)
            }
            guard items.indices.contains(index) else {
                throw error(.format, "Template error: Fn::Select cannot select nonexistent value at index \(index)", location, scope)
            }
            return items[index]
        case "Fn::Split":
            guard case .list(let operands) = argument, operands.count == 2, case .string(let delimiter) = operands[0], !delimiter.isEmpty else {
                throw error(.format, "Template error: Fn::Split requires a list of [delimiter, string]", location, scope)
            }
            guard let source = try evaluate(operands[1], at: location, scope: scope)?.scalarText else {
                throw error(.format, "Template error: Fn::Split's second parameter must resolve to a string", location, scope)
            }
            return .list(source.components(separatedBy: delimiter).map(TemplateValue.string))
        case "Fn::If":
            guard case .list(let operands) = argument, operands.count == 3, case .string(let name) = operands[0] else {
                throw error(.format, "Template error: Fn::If requires a list of [condition name, value if true, value if false]", location, scope)
            }
            let flag = try condition(named: name, at: location, scope: scope)
            return try evaluate(flag ? operands[1] : operands[2], at: location, scope: scope)
        case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
            return .bool(try conditionValue(.map(TemplateMap([(function, argument)])), at: location, scope: scope))
        case "Fn::FindInMap":
            return try findInMap(argument, at: location, scope: scope)
        case "Fn::Base64":
            guard let text = try evaluate(argument, at: location, scope: scope)?.scalarText else {
                throw error(.format, "Template error: Fn::Base64 requires a string", location, scope)
            }
            return .string(Data(text.utf8).base64EncodedString())
        case "Fn::GetAZs":
            let requested = try evaluate(argument, at: location, scope: scope)?.scalarText ?? ""
            let region = requested.isEmpty ? configuration.region : requested
            return .list(["a", "b", "c"].map { .string(region + $0) })
        case "Fn::ImportValue":
            throw error(.unsupported, "Fn::ImportValue is not supported by the emulator (cross-stack exports are not emulated)", location, scope)
        case "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString":
            throw error(.unsupported, "\(function) is not supported by the emulator", location, scope)
        default:
            throw error(.format, "Template format error: Encountered unsupported function: \(function)", location, scope)
        }
    }

    private func reference(_ name: String, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> TemplateValue? {
        if let value = parameterValues[name] { return value }
        switch name {
        case "AWS::Region": return .string(configuration.region)
        case "AWS::AccountId": return .string(configuration.accountId)
        case "AWS::StackName": return .string(configuration.stackName)
        case "AWS::StackId": return .string(stackId)
        case "AWS::Partition": return .string(configuration.partition)
        case "AWS::URLSuffix": return .string(configuration.urlSuffix)
        case "AWS::NoValue": return nil
        case "AWS::NotificationARNs": return .list([])
        default: break
        }
        guard allResources.contains(name), !excluded.contains(name) else {
            throw error(
                .reference,
                "Template format error: Unresolved resource dependencies [\(name)] in the Resources block of the template",
                location,
                scope
            )
        }
        guard scope.section != "condition" else {
            throw error(.format, "Template format error: Cannot reference resources in the Conditions block of the template", location, scope)
        }
        guard let resource = resolved[name] else {
            throw error(.reference, "resource \(name) is referenced before it is created", location, scope)
        }
        return .string(resource.physicalId)
    }

    private func getAtt(_ argument: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> String {
        var target: String?
        var attribute: String?
        switch argument {
        case .list(let items) where items.count == 2:
            target = items[0].stringValue
            attribute = try evaluate(items[1], at: location, scope: scope)?.scalarText
        case .string(let text):
            let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                target = parts[0]
                attribute = parts[1]
            }
        default: break
        }
        guard let target, let attribute else {
            throw error(.format, "Template error: every Fn::GetAtt object requires two non-empty parameters", location, scope)
        }
        return try attributeValue(target, attribute, at: location, scope: scope)
    }

    private func attributeValue(_ target: String, _ attribute: String, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> String {
        guard allResources.contains(target) else {
            throw error(.reference, "Template error: instance of Fn::GetAtt references undefined resource \(target)", location, scope)
        }
        guard !excluded.contains(target) else {
            throw error(
                .reference,
                "Template format error: Unresolved resource dependencies [\(target)] in the Resources block of the template",
                location,
                scope
            )
        }
        guard let resource = resolved[target] else {
            throw error(.reference, "resource \(target) is referenced before it is created", location, scope)
        }
        if let value = resource.attributes[attribute] { return value }
        guard !ResourceCatalog.emulatedTypes.contains(resource.type) else {
            throw error(.reference, "Template error: resource \(target) does not support attribute type \(attribute) in Fn::GetAtt", location, scope)
        }
        return ResourceCatalog.plausibleAttribute(attribute, type: resource.type, physicalId: resource.physicalId, configuration: configuration)
    }

    private func substitute(_ argument: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> String {
        var text: String
        var locals = TemplateMap()
        switch argument {
        case .string(let string):
            text = string
        case .list(let items) where items.count == 2:
            guard case .string(let string) = items[0], case .map(let map) = items[1] else {
                throw error(.format, "Template error: Fn::Sub requires a string or a list of [string, map of variables]", location, scope)
            }
            text = string
            locals = map
        default:
            throw error(.format, "Template error: Fn::Sub requires a string or a list of [string, map of variables]", location, scope)
        }
        var output = ""
        for part in Self.subParts(text) {
            switch part {
            case .literal(let literal):
                output += literal
            case .variable(let name):
                let value: TemplateValue?
                if let local = locals[name] {
                    value = try evaluate(local, at: locals.location(of: name) ?? location, scope: scope)
                } else if parameterValues[name] != nil || Self.pseudoParameters.contains(name) || allResources.contains(name) {
                    value = try reference(name, at: location, scope: scope)
                } else if let dot = name.firstIndex(of: "."), allResources.contains(String(name[..<dot])) {
                    value = .string(try attributeValue(String(name[..<dot]), String(name[name.index(after: dot)...]), at: location, scope: scope))
                } else if let dot = name.firstIndex(of: ".") {
                    throw error(.reference, "Template error: instance of Fn::GetAtt references undefined resource \(name[..<dot])", location, scope)
                } else {
                    throw error(
                        .reference,
                        "Template format error: Unresolved resource dependencies [\(name)] in the Resources block of the template",
                        location,
                        scope
                    )
                }
                guard let textValue = value?.scalarText else {
                    throw error(
                        .format,
                        "Template error: variable \(name) in Fn::Sub must resolve to a string, not \(value?.kindDescription ?? "AWS::NoValue")",
                        location,
                        scope
                    )
                }
                output += textValue
            }
        }
        return output
    }

    private func findInMap(_ argument: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> TemplateValue? {
        guard case .list(let operands) = argument, operands.count == 3 || operands.count == 4 else {
            throw error(.format, "Template error: Fn::FindInMap requires a list of [MapName, TopLevelKey, SecondLevelKey]", location, scope)
        }
        var keys: [String] = []
        for operand in operands.prefix(3) {
            guard let key = try evaluate(operand, at: location, scope: scope)?.scalarText else {
                throw error(.format, "Template error: Fn::FindInMap keys must resolve to strings", location, scope)
            }
            keys.append(key)
        }
        if let value = template.section("Mappings")[keys[0]]?[keys[1]]?[keys[2]] {
            return try evaluate(value, at: location, scope: scope)
        }
        if operands.count == 4, let fallback = operands[3]["DefaultValue"] {
            return try evaluate(fallback, at: location, scope: scope)
        }
        throw error(.reference, "Template error: Unable to get mapping for \(keys.joined(separator: "::"))", location, scope)
    }
}
