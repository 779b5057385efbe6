/// What one service knows about the CloudFormation resource types it creates.
///
/// The template target resolves templates without knowing any service: for each resource it asks the
/// ``ResourceCatalog`` (the providers the composition root registers) which properties are emulated, what
/// `Ref` and `Fn::GetAtt` return, and later turns the resolved resources into the service's spec. A provider
/// lives in its service's `CloudFormation/` folder, as moto's `s3/cloud_formation.py` and LocalStack's
/// `resource_providers/` do, so a new resource type touches one service folder plus one registration line.
package protocol ResourceProvider: Sendable {
    /// The resource types the provider serves, each with the properties its spec reads.
    ///
    /// Other properties of a served resource are reported as ignored by the emulator (`validate`, start-up log).
    var supportedProperties: [String: Set<String>] { get }

    /// The physical-name rule of each served type whose name comes from a property (`BucketName`, ...).
    var nameRules: [String: PhysicalNameRule] { get }

    /// The `Ref` value and `Fn::GetAtt` attributes of one served resource, computed as AWS would.
    /// - Parameter resource: The resource being named, with the type's name rule.
    /// - Returns: The physical id and the attributes.
    func identity(of resource: ResourceNaming) -> ResourceIdentity

    /// Decodes every served resource of `stack` into the service's specs, so shape errors surface when the
    /// template is loaded rather than when the service starts.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first served resource whose properties have the wrong shape.
    func validateSpecs(in stack: Stack) throws(TemplateError)

    /// Parts of supported properties the service keeps but does not act on (S3 notifications naming an SQS queue),
    /// listed by `validate` beside the ignored properties.
    /// - Parameter stack: The resolved stack (its specs decode, ``validateSpecs(in:)`` has passed).
    /// - Returns: One entry per such part; none by default.
    func notActedOn(in stack: Stack) -> [UnsupportedProperty]
}

extension ResourceProvider {
    /// The resource types the provider serves.
    package var resourceTypes: Set<String> { Set(supportedProperties.keys) }

    /// None: every supported property is acted on.
    /// - Parameter stack: The resolved stack.
    /// - Returns: An empty list.
    package func notActedOn(in stack: Stack) -> [UnsupportedProperty] { [] }
}

/// How CloudFormation names a resource whose name comes from a property: the property wins when set,
/// otherwise `{stack}-{LogicalId}-{SUFFIX}` cut to the service's length limit.
package struct PhysicalNameRule: Sendable, Equatable {
    /// The property holding an explicit name, such as `BucketName`.
    package var property: String
    /// The service's name length limit.
    package var maxLength: Int
    /// Whether generated names are lowercase (S3 buckets).
    package var lowercase: Bool

    /// Creates a rule.
    /// - Parameters:
    ///   - property: The property holding an explicit name.
    ///   - maxLength: The service's name length limit.
    ///   - lowercase: Whether generated names are lowercase.
    package init(property: String, maxLength: Int, lowercase: Bool = false) {
        self.property = property
        self.maxLength = maxLength
        self.lowercase = lowercase
    }
}

/// One resource as a provider sees it while computing its physical id and attributes.
package struct ResourceNaming: Sendable {
    /// The resource type.
    package let type: String
    /// The logical id.
    package let logicalId: String
    /// The resolved properties (explicit names win over generated ones).
    package let properties: TemplateValue
    /// The stack configuration (name, region, account, partition, URL suffix).
    package let configuration: StackConfiguration
    /// The type's name rule, when its name comes from a property.
    package let nameRule: PhysicalNameRule?
    /// How many times updates replaced the resource (0 until then): seeds generated parts, so a replacement's
    /// generated name and ids differ from its predecessor's while an explicit name stays.
    package let generation: Int

    /// Creates the naming input of one resource.
    /// - Parameters:
    ///   - type: The resource type.
    ///   - logicalId: The logical id.
    ///   - properties: The resolved properties.
    ///   - configuration: The stack configuration.
    ///   - nameRule: The type's name rule, if any.
    ///   - generation: How many times updates replaced the resource.
    package init(
        type: String,
        logicalId: String,
        properties: TemplateValue,
        configuration: StackConfiguration,
        nameRule: PhysicalNameRule?,
        generation: Int = 0
    ) {
        self.type = type
        self.logicalId = logicalId
        self.properties = properties
        self.configuration = configuration
        self.nameRule = nameRule
        self.generation = generation
    }

    /// The logical id as seeds of generated parts use it (``PhysicalNames/seedLogicalId(_:generation:)``).
    package var seedLogicalId: String { PhysicalNames.seedLogicalId(logicalId, generation: generation) }

    /// The physical name: the rule's property when set and non-empty, else the generated
    /// `{stack}-{LogicalId}-{SUFFIX}` (128 characters at most when the type has no rule).
    package var physicalName: String {
        let stack = configuration.stackName
        guard let rule = nameRule else {
            return PhysicalNames.generatedName(stack: stack, logicalId: logicalId, maxLength: 128, generation: generation)
        }
        if let explicit = properties[rule.property]?.scalarText, !explicit.isEmpty { return explicit }
        return PhysicalNames.generatedName(
            stack: stack,
            logicalId: logicalId,
            maxLength: rule.maxLength,
            lowercase: rule.lowercase,
            generation: generation
        )
    }

    /// A deterministic lowercase alphanumeric id, as in API Gateway ids (`a1b2c3d4e5`).
    /// - Parameter length: The number of characters.
    /// - Returns: The id.
    package func shortId(_ length: Int) -> String {
        PhysicalNames.lowercaseId(stack: configuration.stackName, logicalId: logicalId, generation: generation, length: length)
    }

    /// The identity of a resource without attributes: its physical name.
    package var nameOnly: ResourceIdentity { ResourceIdentity(physicalId: physicalName, attributes: [:]) }
}

/// What `Ref` and `Fn::GetAtt` return for one resource.
package struct ResourceIdentity: Sendable, Equatable {
    /// The physical id, which is also what `Ref` returns.
    package var physicalId: String
    /// The `Fn::GetAtt` attributes by name.
    package var attributes: [String: String]

    /// Creates an identity.
    /// - Parameters:
    ///   - physicalId: The physical id.
    ///   - attributes: The attributes by name.
    package init(physicalId: String, attributes: [String: String]) {
        self.physicalId = physicalId
        self.attributes = attributes
    }
}
