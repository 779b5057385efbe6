// Template conditions: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` and named conditions.
extension StackResolver {
    // MARK: - Conditions

    func condition(named name: String, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> Bool {
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

    func conditionValue(_ value: TemplateValue, at location: SourceLocation?, scope: Scope) throws(TemplateError) -> Bool {
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
}
