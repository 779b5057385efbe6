import Foundation

/// The deployed stack as the CloudFormation API describes it, with outputs already pointing at local URLs.
package struct StackDescription: Sendable {
    /// One output of the stack.
    package struct Output: Sendable {
        /// The output's logical name.
        package var key: String
        /// The resolved value (local URLs substituted for AWS ones).
        package var value: String
        /// The output's description.
        package var description: String?
        /// The export name, if exported.
        package var exportName: String?

        /// Creates an output.
        /// - Parameters:
        ///   - key: The logical name.
        ///   - value: The resolved value.
        ///   - description: The description.
        ///   - exportName: The export name.
        package init(key: String, value: String, description: String?, exportName: String?) {
            self.key = key
            self.value = value
            self.description = description
            self.exportName = exportName
        }
    }

    /// One resource of the stack.
    package struct Resource: Sendable {
        /// The logical id in the template.
        package var logicalId: String
        /// The physical id (name, ARN or id, per resource type).
        package var physicalId: String
        /// The resource type, for example `AWS::S3::Bucket`.
        package var type: String

        /// Creates a resource.
        /// - Parameters:
        ///   - logicalId: The logical id.
        ///   - physicalId: The physical id.
        ///   - type: The resource type.
        package init(logicalId: String, physicalId: String, type: String) {
            self.logicalId = logicalId
            self.physicalId = physicalId
            self.type = type
        }
    }

    /// The stack name.
    package var name: String
    /// The stack ARN.
    package var stackId: String
    /// The template's description.
    package var description: String?
    /// When the stack was "created" (the emulator's start).
    package var creationTime: Date
    /// Resolved parameters in template order.
    package var parameters: [(key: String, value: String)]
    /// Outputs in template order.
    package var outputs: [Output]
    /// Resources in dependency order.
    package var resources: [Resource]
    /// The template body as written.
    package var templateBody: String
    /// Capabilities a `sam deploy` of this template needs.
    package var capabilities: [String]

    /// Creates a description.
    /// - Parameters:
    ///   - name: The stack name.
    ///   - stackId: The stack ARN.
    ///   - description: The template description.
    ///   - creationTime: The creation time.
    ///   - parameters: Resolved parameters.
    ///   - outputs: Outputs.
    ///   - resources: Resources.
    ///   - templateBody: The template text.
    ///   - capabilities: Capabilities.
    package init(
        name: String,
        stackId: String,
        description: String?,
        creationTime: Date,
        parameters: [(key: String, value: String)],
        outputs: [Output],
        resources: [Resource],
        templateBody: String,
        capabilities: [String]
    ) {
        self.name = name
        self.stackId = stackId
        self.description = description
        self.creationTime = creationTime
        self.parameters = parameters
        self.outputs = outputs
        self.resources = resources
        self.templateBody = templateBody
        self.capabilities = capabilities
    }
}
