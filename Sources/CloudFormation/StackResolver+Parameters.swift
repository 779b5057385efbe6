import Foundation

// Template parameters: overrides, defaults and constraints.
extension StackResolver {
    // MARK: - Parameters

    func resolveParameters() throws(TemplateError) {
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

    func validateParameter(
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
}
