import CloudFormation
import Foundation

/// What `synapscribe-local validate` prints: every resource with its resolved properties, what is skipped,
/// and every property the emulator does not emulate.
package struct ValidationReport: Sendable {
    /// The resolved template.
    package let plan: StackPlan

    /// Creates the report.
    /// - Parameter plan: The resolved template.
    package init(plan: StackPlan) {
        self.plan = plan
    }

    /// The report text.
    package var text: String {
        let stack = plan.stack
        var lines: [String] = []
        lines.append("Template \(plan.templateURL.path): valid")
        lines.append("Stack \(stack.name) in \(stack.configuration.region), account \(stack.configuration.accountId)")
        if !stack.parameters.isEmpty {
            lines.append("")
            lines.append("Parameters")
            for parameter in stack.parameters {
                lines.append("  \(parameter.key) = \(parameter.noEcho ? "****" : parameter.value)")
            }
        }
        lines.append("")
        lines.append("Resources to create (\(stack.resources.count))")
        for resource in stack.resources {
            lines.append("  \(resource.logicalId)  \(resource.type)  \(resource.physicalId)")
            for line in resource.properties.jsonString.split(separator: "\n") {
                lines.append("      \(line)")
            }
        }
        if !stack.skipped.isEmpty {
            lines.append("")
            lines.append("Skipped: not emulated (\(stack.skipped.count))")
            for resource in stack.skipped {
                lines.append("  \(resource.logicalId)  \(resource.type)")
            }
        }
        if !stack.unsupported.isEmpty {
            lines.append("")
            lines.append("Properties not emulated (\(stack.unsupported.count))")
            for property in stack.unsupported {
                lines.append("  \(property.description)")
            }
        }
        if !stack.outputs.isEmpty {
            lines.append("")
            lines.append("Outputs (as AWS would resolve them)")
            for output in stack.outputs {
                lines.append("  \(output.key) = \(output.value)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
