import CloudFormation

/// Deploys `AWS::Lambda::EventSourceMapping` (and SAM's `Type: DynamoDB` events) at runtime through
/// CreateEventSourceMapping's, UpdateEventSourceMapping's and DeleteEventSourceMapping's code, with the UUID the
/// resolver computed (``EventSourceMappingSpec/uuid(stack:logicalId:)``), so `GetEventSourceMapping` finds it.
package struct EventSourceMappingDeployer: ResourceDeployer {
    private let service: LambdaService

    /// Creates the deployer of one Lambda service.
    /// - Parameter service: The service whose mappings poll the streams.
    package init(service: LambdaService) { self.service = service }

    /// Event source mappings.
    package var deployableTypes: Set<String> { [LambdaResourceProvider.eventSourceMappingType] }

    /// `EventSourceArn` and `StartingPosition` replace a mapping, as the CloudFormation resource reference marks them.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["EventSourceArn", "StartingPosition", "StartingPositionTimestamp"] }

    /// Creates the mapping.
    /// - Parameters:
    ///   - resource: The resolved mapping.
    ///   - stack: Its stack.
    /// - Throws: Lambda's errors (no such function or stream, a mapping for the same pair exists).
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        _ = try await service.createMapping(Self.input(resource), uuid: resource.physicalId)
    }

    /// Changes the mapping in place (its checkpoint stays).
    /// - Parameters:
    ///   - old: The deployed mapping.
    ///   - new: The new mapping.
    ///   - stack: The new stack.
    /// - Throws: Lambda's errors.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        var input = Self.input(new)
        // UpdateEventSourceMapping does not take the source and position; they replace the mapping.
        input.EventSourceArn = nil
        input.StartingPosition = nil
        _ = try await service.updateMapping(input, uuid: new.physicalId)
    }

    /// Deletes the mapping (one already gone is not an error).
    /// - Parameters:
    ///   - resource: The deployed mapping.
    ///   - stack: Its stack.
    /// - Throws: Storage errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        _ = try await service.eventSourceMappings.remove(resource.physicalId)
    }

    /// The request members a mapping's properties give (CloudFormation's names are the API's).
    static func input(_ resource: StackResource) -> EventSourceMappingInput {
        let properties = resource.properties.mapValue ?? TemplateMap()
        var input = EventSourceMappingInput()
        input.FunctionName = properties["FunctionName"]?.scalarText
        input.EventSourceArn = properties["EventSourceArn"]?.scalarText
        input.StartingPosition = properties["StartingPosition"]?.scalarText
        input.BatchSize = properties["BatchSize"]?.intValue
        input.MaximumBatchingWindowInSeconds = properties["MaximumBatchingWindowInSeconds"]?.intValue
        input.BisectBatchOnFunctionError = properties["BisectBatchOnFunctionError"]?.boolValue
        input.MaximumRetryAttempts = properties["MaximumRetryAttempts"]?.intValue
        input.MaximumRecordAgeInSeconds = properties["MaximumRecordAgeInSeconds"]?.intValue
        input.FunctionResponseTypes = properties["FunctionResponseTypes"]?.listValue?.compactMap(\.scalarText)
        input.Enabled = properties["Enabled"]?.boolValue
        if let filters = properties["FilterCriteria"]?.mapValue?["Filters"]?.listValue {
            input.FilterCriteria = EventSourceMappingInput.Criteria(
                Filters: filters.map { EventSourceMappingInput.Filter(Pattern: $0.mapValue?["Pattern"]?.scalarText) }
            )
        }
        return input
    }
}
