import CloudFormation

/// The CloudFormation provider of `AWS::Logs::LogGroup`.
///
/// Supports `LogGroupName` (a generated `{stack}-{LogicalId}-{SUFFIX}` name when absent, as CloudFormation does),
/// `RetentionInDays` (applied on the virtual clock) and `Tags` (`ListTagsForResource`). Every other property
/// (`KmsKeyId`, `DataProtectionPolicy`, `LogGroupClass`...) is reported as ignored. ``LogGroupDeployer`` creates,
/// updates and deletes them for the CloudFormation API's stacks.
package struct LogGroupProvider: ResourceProvider {
    /// The resource type.
    package static let type = "AWS::Logs::LogGroup"

    /// Creates the provider.
    package init() {}

    /// The properties ``LogGroupSpec`` reads.
    package var supportedProperties: [String: Set<String>] { [Self.type: ["LogGroupName", "RetentionInDays", "Tags"]] }

    /// The group's name comes from `LogGroupName` (at most 512 characters).
    package var nameRules: [String: PhysicalNameRule] { [Self.type: PhysicalNameRule(property: "LogGroupName", maxLength: 512)] }

    /// `Ref` is the group name; `Arn` is `arn:...:log-group:NAME:*`, as CloudFormation gives it.
    /// - Parameter resource: The group being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        let configuration = resource.configuration
        let group = resource.physicalName
        let arn = "arn:\(configuration.partition):logs:\(configuration.region):\(configuration.accountId):log-group:\(group):*"
        return ResourceIdentity(physicalId: group, attributes: ["Arn": arn])
    }

    /// Decodes every log group.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first group with a wrongly shaped property.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.logGroups
    }
}

/// One `AWS::Logs::LogGroup` of the template.
package struct LogGroupSpec: Sendable, Equatable {
    /// The retention values CloudWatch Logs accepts.
    package static let retentionValues = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    /// The group name.
    package var name: String
    /// Days events are kept, or nil for never.
    package var retentionInDays: Int?
    /// The `Tags` (key to value).
    package var tags: [String: String]

    /// Creates a spec.
    /// - Parameters:
    ///   - name: The group name.
    ///   - retentionInDays: Days events are kept, or nil for never.
    ///   - tags: The tags.
    package init(name: String, retentionInDays: Int?, tags: [String: String] = [:]) {
        self.name = name
        self.retentionInDays = retentionInDays
        self.tags = tags
    }

    /// Decodes a resource.
    /// - Parameter resource: The resolved resource.
    /// - Throws: ``TemplateError`` when `RetentionInDays` is not one of CloudWatch Logs' values or `Tags` is not a
    ///   list of `Key`/`Value` pairs.
    package init(_ resource: StackResource) throws(TemplateError) {
        name = resource.physicalId
        tags = try SpecReader(resource)["Tags"].tags()
        if let value = resource.properties["RetentionInDays"] {
            guard let days = value.intValue, Self.retentionValues.contains(days) else {
                throw TemplateError(
                    .invalidProperty,
                    "RetentionInDays must be one of \(Self.retentionValues.map(String.init).joined(separator: ", ")) "
                        + "(got \(value.scalarText ?? "a non-number"))",
                    at: resource.location,
                    logicalId: resource.logicalId
                )
            }
            retentionInDays = days
        }
    }
}

extension Stack {
    /// The template's log groups.
    package var logGroups: [LogGroupSpec] {
        get throws(TemplateError) {
            try specs(ofType: LogGroupProvider.type) { resource throws(TemplateError) in try LogGroupSpec(resource) }
        }
    }
}
