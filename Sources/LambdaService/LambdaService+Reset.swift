import EmulatorCore

/// `POST /_local/reset` for Lambda, as `/moto-api/reset` does for every backend: event source mappings and functions
/// created through the API are deleted (with their versions, aliases and uploaded packages), and so are published layer
/// versions; the template's functions keep their warm execution environments and get their resource-based policies back
/// as the template declares them (statements AddPermission added or RemovePermission removed are undone), and the
/// template's mappings stay.
package struct LambdaReset: ResettableService {
    /// The service.
    package let service: LambdaService
    /// The UUIDs of the template's event source mappings.
    package let templateMappings: Set<String>

    /// Creates the hook.
    /// - Parameters:
    ///   - service: The service.
    ///   - mappings: The template's event source mappings.
    package init(service: LambdaService, mappings: [EventSourceMappingSpec]) {
        self.service = service
        self.templateMappings = Set(mappings.map(\.uuid))
    }

    /// `lambda`.
    package var resetName: String { "lambda" }

    /// Deletes the API-created mappings, then the API-created functions, then restores the template functions' policies.
    /// - Throws: Storage errors.
    package func resetToTemplate() async throws {
        for mapping in service.eventSourceMappings.all where !templateMappings.contains(mapping.uuid) {
            _ = try await service.eventSourceMappings.remove(mapping.uuid)
        }
        try await service.deployer.layers.resetToTemplate()
        for function in service.catalog.functions where !service.deployer.templateNames.contains(function.name) {
            do {
                try await service.remove(name: function.name)
            } catch LambdaError.resourceNotFound {
                // Deleted through the API since the list was read.
            }
        }
        for template in service.deployer.templateFunctions {
            guard let current = service.catalog.function(named: template.name), current.policyStatements != template.policyStatements else {
                continue
            }
            _ = try await service.change(template.name, bumpsRevision: false) { function in
                function.policyStatements = template.policyStatements
                function.revision = RequestID.uuid()
            }
        }
    }
}
