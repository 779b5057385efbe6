// The dependency graph: resource definitions, `DependsOn` and implicit references, and the creation order.
extension StackResolver {
    // MARK: - Resource definitions

    /// The resources whose condition holds, with their explicit `DependsOn`, in template order.
    func resourceDefinitions() throws(TemplateError) -> [Definition] {
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
        return definitions
    }

    /// Every resource's dependencies: explicit `DependsOn` first, then implicit references in template order.
    func dependencyGraph(_ definitions: [Definition]) throws(TemplateError) -> [String: [String]] {
        var dependencies: [String: [String]] = [:]
        for definition in definitions {
            var names: [String] = []
            for (name, location) in definition.explicitDependsOn {
                guard allResources.contains(name), !excluded.contains(name) else {
                    throw unresolvedDependency(name, location, Scope(section: "resource", logicalId: definition.logicalId))
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
                    throw unresolvedDependency(name, location, Scope(section: "resource", logicalId: definition.logicalId))
                }
                if !names.contains(name) { names.append(name) }
            }
            dependencies[definition.logicalId] = names
        }
        return dependencies
    }

    func topologicalOrder(_ definitions: [Definition], dependencies: [String: [String]]) throws(TemplateError) -> [Definition] {
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
    func findCycle(_ nodes: [String], dependencies: [String: [String]]) -> Set<String> {
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

    // MARK: - Dependencies

    func collectReferences(
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

    func getAttTarget(_ argument: TemplateValue) -> String? {
        switch argument {
        case .list(let items): items.first?.stringValue
        case .string(let text): text.split(separator: ".", maxSplits: 1).first.map(String.init)
        default: nil
        }
    }
}
