import Foundation

// Intrinsic functions: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join` and the rest.
extension StackResolver {
    // MARK: - Evaluation

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

    func evaluateFunction(
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
            guard let exports = configuration.exports else {
                throw error(.unsupported, "Fn::ImportValue is not supported by the emulator (cross-stack exports are not emulated)", location, scope)
            }
            guard let name = try evaluate(argument, at: location, scope: scope)?.scalarText else {
                throw error(
                    .format,
                    "Template error: the attribute in Fn::ImportValue must not depend on any resources, imported values, or Fn::GetAZs",
                    location,
                    scope
                )
            }
            guard let value = exports[name] else { throw error(.reference, "No export named \(name) found.", location, scope) }
            if !imports.contains(name) { imports.append(name) }
            return .string(value)
        case "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString":
            throw error(.unsupported, "\(function) is not supported by the emulator", location, scope)
        default:
            throw error(.format, "Template format error: Encountered unsupported function: \(function)", location, scope)
        }
    }

    func reference(_ name: String, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> TemplateValue? {
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
            throw unresolvedDependency(name, location, scope)
        }
        guard scope.section != "condition" else {
            throw error(.format, "Template format error: Cannot reference resources in the Conditions block of the template", location, scope)
        }
        guard let resource = resolved[name] else {
            throw error(.reference, "resource \(name) is referenced before it is created", location, scope)
        }
        return .string(resource.physicalId)
    }

    func getAtt(_ argument: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> String {
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

    func attributeValue(_ target: String, _ attribute: String, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> String {
        guard allResources.contains(target) else {
            throw error(.reference, "Template error: instance of Fn::GetAtt references undefined resource \(target)", location, scope)
        }
        guard !excluded.contains(target) else {
            throw unresolvedDependency(target, location, scope)
        }
        guard let resource = resolved[target] else {
            throw error(.reference, "resource \(target) is referenced before it is created", location, scope)
        }
        if let value = resource.attributes[attribute] { return value }
        guard catalog.provider(for: resource.type) == nil else {
            throw error(.reference, "Template error: resource \(target) does not support attribute type \(attribute) in Fn::GetAtt", location, scope)
        }
        return ResourceCatalog.plausibleAttribute(attribute, type: resource.type, physicalId: resource.physicalId, configuration: configuration)
    }

    func substitute(_ argument: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> String {
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
                    throw unresolvedDependency(name, location, scope)
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

    func findInMap(_ argument: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> TemplateValue? {
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
}
