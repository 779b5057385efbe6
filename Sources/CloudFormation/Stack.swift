/// Where and as whom a template is resolved.
package struct StackConfiguration: Sendable, Equatable {
    /// The stack name (`AWS::StackName`), also the prefix of generated physical names.
    package var stackName: String
    /// The region (`AWS::Region`).
    package var region: String
    /// The twelve-digit account id (`AWS::AccountId`).
    package var accountId: String
    /// The partition (`AWS::Partition`).
    package var partition: String
    /// The domain suffix (`AWS::URLSuffix`).
    package var urlSuffix: String
    /// Values given with `--parameter-overrides`, by parameter name.
    package var parameterOverrides: [String: String]
    /// The exports `Fn::ImportValue` reads, by export name (the CloudFormation API's deployed stacks); nil where
    /// cross-stack exports are not available (the start-up template), so `Fn::ImportValue` is refused there.
    package var exports: [String: String]?
    /// How many times updates replaced each resource, by logical id (absent: 0). A deployed stack keeps them so a
    /// replacement gets a new generated physical id and later updates keep it.
    package var generations: [String: Int] = [:]
    /// Identities the service assigned when it created a resource (a Lambda version's number), by logical id: they
    /// win over what the provider would compute, so `Ref` and `Fn::GetAtt` give what the service answered.
    package var assignedIdentities: [String: ResourceIdentity] = [:]

    /// Creates a configuration.
    package init(
        stackName: String,
        region: String = "us-east-1",
        accountId: String = "000000000000",
        partition: String = "aws",
        urlSuffix: String = "amazonaws.com",
        parameterOverrides: [String: String] = [:],
        exports: [String: String]? = nil
    ) {
        self.stackName = stackName
        self.region = region
        self.accountId = accountId
        self.partition = partition
        self.urlSuffix = urlSuffix
        self.parameterOverrides = parameterOverrides
        self.exports = exports
    }
}

/// A resolved template parameter as `DescribeStacks` reports it.
package struct StackParameter: Sendable, Equatable {
    /// The parameter name.
    package var key: String
    /// The value as a string (list parameters are comma-joined).
    package var value: String
    /// The value as `Ref` returns it (a list for list types).
    package var resolvedValue: TemplateValue
    /// Whether the template marks the parameter `NoEcho`.
    package var noEcho: Bool
}

/// A resource after transform and intrinsic resolution.
package struct StackResource: Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// The resource type, such as `AWS::S3::Bucket`.
    package var type: String
    /// The physical id, which is also what `Ref` returns.
    package var physicalId: String
    /// The properties with every intrinsic function resolved and `AWS::NoValue` removed.
    package var properties: TemplateValue
    /// The `Fn::GetAtt` attributes by name.
    package var attributes: [String: String]
    /// The logical ids this resource depends on (explicit `DependsOn` and implicit references).
    package var dependsOn: [String]
    /// Where the resource is declared (for SAM-generated resources, the originating SAM resource).
    package var location: SourceLocation?

    /// Creates a resource (the resolver's, or one read back from a deployed stack's record).
    /// - Parameters:
    ///   - logicalId: The logical id.
    ///   - type: The resource type.
    ///   - physicalId: The physical id.
    ///   - properties: The resolved properties.
    ///   - attributes: The `Fn::GetAtt` attributes.
    ///   - dependsOn: The logical ids it depends on.
    ///   - location: Where it is declared.
    package init(
        logicalId: String,
        type: String,
        physicalId: String,
        properties: TemplateValue,
        attributes: [String: String],
        dependsOn: [String],
        location: SourceLocation?
    ) {
        self.logicalId = logicalId
        self.type = type
        self.physicalId = physicalId
        self.properties = properties
        self.attributes = attributes
        self.dependsOn = dependsOn
        self.location = location
    }
}

/// A resolved stack output.
package struct StackOutput: Sendable, Equatable {
    /// The output's logical name.
    package var key: String
    /// The resolved value (lists are comma-joined).
    package var value: String
    /// The output's description.
    package var description: String?
    /// The resolved `Export.Name`.
    package var exportName: String?
}

/// A resource property (or SAM feature) the emulator parses but does not act on.
package struct UnsupportedProperty: Sendable, Equatable, CustomStringConvertible {
    /// The logical id of the resource carrying the property.
    package var logicalId: String
    /// The resource type.
    package var resourceType: String
    /// The property path, such as `Properties.OwnershipControls` or `Events.Queue`.
    package var property: String
    /// Why it is reported.
    package var reason: String
    /// Where the property is written.
    package var location: SourceLocation?

    /// Creates an entry.
    /// - Parameters:
    ///   - logicalId: The resource's logical id.
    ///   - resourceType: The resource type.
    ///   - property: The property path.
    ///   - reason: Why it is reported.
    ///   - location: Where the property is written.
    package init(logicalId: String, resourceType: String, property: String, reason: String, location: SourceLocation? = nil) {
        self.logicalId = logicalId
        self.resourceType = resourceType
        self.property = property
        self.reason = reason
        self.location = location
    }

    /// One line: `template.yaml:10:7: resource Bucket (AWS::S3::Bucket): Properties.X is ignored by the emulator`.
    package var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        return "\(prefix)resource \(logicalId) (\(resourceType)): \(property) \(reason)"
    }
}

/// A fully resolved stack: what the emulator creates and what `DescribeStacks` reports.
package struct Stack: Sendable {
    /// The stack name.
    package var name: String
    /// The stack ARN, deterministic for (region, account, name).
    package var stackId: String
    /// The template description.
    package var description: String?
    /// The resolved parameters in template order.
    package var parameters: [StackParameter]
    /// The emulated resources in dependency order.
    package var resources: [StackResource]
    /// The outputs in template order (those whose condition is false are left out).
    package var outputs: [StackOutput]
    /// Resources of types the emulator does not implement; they still resolve `Ref`/`Fn::GetAtt`.
    package var skipped: [StackResource]
    /// Properties of emulated resources that the emulator ignores.
    package var unsupported: [UnsupportedProperty]
    /// The configuration the stack was resolved with.
    package var configuration: StackConfiguration
    /// The export names `Fn::ImportValue` read, in first-use order.
    package var imports: [String] = []

    /// The resource (emulated or skipped) with `logicalId`.
    package func resource(_ logicalId: String) -> StackResource? {
        resources.first { $0.logicalId == logicalId } ?? skipped.first { $0.logicalId == logicalId }
    }

    /// The emulated resources of one type, in dependency order.
    package func resources(ofType type: String) -> [StackResource] {
        resources.filter { $0.type == type }
    }

    /// The output named `key`.
    package func output(_ key: String) -> StackOutput? { outputs.first { $0.key == key } }

    /// Decodes the emulated resources of one type into a service's specs, in dependency order.
    /// - Parameters:
    ///   - type: The resource type, such as `AWS::S3::Bucket`.
    ///   - decode: The spec's decoder.
    /// - Returns: One spec per resource.
    /// - Throws: ``TemplateError`` from the first resource that does not decode.
    package func specs<Spec>(ofType type: String, _ decode: (StackResource) throws(TemplateError) -> Spec) throws(TemplateError) -> [Spec] {
        var specs: [Spec] = []
        for resource in resources(ofType: type) {
            specs.append(try decode(resource))
        }
        return specs
    }
}
