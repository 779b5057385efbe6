/// The registry of ``ResourceProvider``s a template is resolved against, handed in by the composition root.
///
/// Types with a provider are emulated: their unknown properties are reported and their specs decoded.
/// Every other type is skipped but still resolves `Ref` and `Fn::GetAtt` (see ``UnemulatedResources``).
package struct ResourceCatalog: Sendable {
    /// The providers in registration order (the order ``validateSpecs(of:)`` decodes in).
    package let providers: [any ResourceProvider]
    private let providerByType: [String: any ResourceProvider]

    /// Creates a catalog.
    /// - Parameter providers: The providers; each resource type must be served by one provider only.
    package init(providers: [any ResourceProvider]) {
        var byType: [String: any ResourceProvider] = [:]
        for provider in providers {
            for type in provider.resourceTypes {
                // Composition-root invariant, not input: two services claiming one type is a wiring bug.
                precondition(byType[type] == nil, "resource type \(type) is served by two providers")
                byType[type] = provider
            }
        }
        self.providers = providers
        self.providerByType = byType
    }

    /// A catalog without providers: every resource type is skipped.
    package static let empty = ResourceCatalog(providers: [])

    /// The resource types the emulator creates; everything else is skipped (but still resolvable).
    package var emulatedTypes: Set<String> { Set(providerByType.keys) }

    /// The provider serving `type`, if any.
    /// - Parameter type: A resource type such as `AWS::S3::Bucket`.
    /// - Returns: The provider, or nil for types the emulator does not create.
    package func provider(for type: String) -> (any ResourceProvider)? { providerByType[type] }

    /// The properties the spec of an emulated type reads; nil for types the emulator does not create.
    /// - Parameter type: A resource type.
    /// - Returns: The supported property names.
    package func supportedProperties(of type: String) -> Set<String>? {
        providerByType[type]?.supportedProperties[type]
    }

    /// The `Ref` value and `Fn::GetAtt` attributes of a resource, computed as AWS would (an identity the service
    /// assigned wins; the resource's generation seeds generated parts).
    /// - Parameters:
    ///   - type: The resource type.
    ///   - logicalId: The logical id.
    ///   - properties: The resolved properties (explicit names win over generated ones).
    ///   - configuration: The stack configuration (name, region, account, partition).
    /// - Returns: The physical id (`Ref`) and the attributes.
    package func identity(
        type: String,
        logicalId: String,
        properties: TemplateValue,
        configuration: StackConfiguration
    ) -> ResourceIdentity {
        if let assigned = configuration.assignedIdentities[logicalId] { return assigned }
        let generation = configuration.generations[logicalId] ?? 0
        if let provider = providerByType[type] {
            return provider.identity(
                of: ResourceNaming(
                    type: type,
                    logicalId: logicalId,
                    properties: properties,
                    configuration: configuration,
                    nameRule: provider.nameRules[type],
                    generation: generation
                )
            )
        }
        return UnemulatedResources.identity(
            of: ResourceNaming(
                type: type,
                logicalId: logicalId,
                properties: properties,
                configuration: configuration,
                nameRule: UnemulatedResources.nameRules[type],
                generation: generation
            )
        )
    }

    /// Decodes every spec once, provider by provider, so shape errors surface when the template is loaded.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first resource whose properties have the wrong shape.
    package func validateSpecs(of stack: Stack) throws(TemplateError) {
        for provider in providers {
            try provider.validateSpecs(in: stack)
        }
    }

    /// What every provider keeps of the stack's supported properties without acting on it.
    /// - Parameter stack: The resolved stack.
    /// - Returns: The entries, provider by provider.
    package func notActedOn(in stack: Stack) -> [UnsupportedProperty] {
        providers.flatMap { $0.notActedOn(in: stack) }
    }

    /// A plausible attribute value for types the emulator does not model, so the rest of the stack resolves.
    /// - Parameters:
    ///   - attribute: The `Fn::GetAtt` attribute name.
    ///   - type: The resource type.
    ///   - physicalId: The resource's physical id.
    ///   - configuration: The stack configuration.
    /// - Returns: An ARN for `*Arn` attributes, else the physical id.
    package static func plausibleAttribute(
        _ attribute: String,
        type: String,
        physicalId: String,
        configuration: StackConfiguration
    ) -> String {
        guard attribute.hasSuffix("Arn") || attribute == "Arn" else { return physicalId }
        if physicalId.hasPrefix("arn:") { return physicalId }
        let components = type.split(separator: "::").map(String.init)
        let service = components.count > 1 ? components[1].lowercased() : "unknown"
        let resource = components.last?.lowercased() ?? "resource"
        return "arn:\(configuration.partition):\(service):\(configuration.region):\(configuration.accountId):\(resource)/\(physicalId)"
    }
}
