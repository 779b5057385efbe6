import AWSGateway
import EmulatorCore
import Foundation
import Hummingbird
import Logging

/// The body of CreateEventSourceMapping and UpdateEventSourceMapping.
struct EventSourceMappingInput: Decodable, Sendable {
    struct Filter: Decodable, Sendable {
        var Pattern: String?
    }
    struct Criteria: Decodable, Sendable {
        var Filters: [Filter]?
    }
    var FunctionName: String?
    var EventSourceArn: String?
    var StartingPosition: String?
    var BatchSize: Int?
    var MaximumBatchingWindowInSeconds: Int?
    var FilterCriteria: Criteria?
    var BisectBatchOnFunctionError: Bool?
    var MaximumRetryAttempts: Int?
    var MaximumRecordAgeInSeconds: Int?
    var FunctionResponseTypes: [String]?
    var Enabled: Bool?
}

/// Lambda's event source mapping messages.
enum EventSourceMappingMessages {
    /// A required member is missing.
    static func null(_ member: String) -> String {
        ValidationMessages.mustNotBeNull(member)
    }
    /// A number below its minimum.
    static func tooSmall(_ value: Int, _ member: String, _ minimum: Int) -> String {
        "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must have value greater than or equal to \(minimum)"
    }
    /// A number above its maximum.
    static func tooLarge(_ value: Int, _ member: String, _ maximum: Int) -> String {
        "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must have value less than or equal to \(maximum)"
    }
    /// A value outside an enum.
    static func enumValue(_ value: String, _ member: String, _ allowed: [String]) -> String {
        "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must satisfy enum value set: [\(allowed.joined(separator: ", "))]"
    }
    /// A UUID that names no mapping.
    static let notFound = "The resource you requested does not exist."
    /// A second mapping of the same source and function.
    static func conflict(_ arn: String, _ function: String, _ uuid: String) -> String {
        "The event source arn (\" \(arn) \") and function (\" \(function) \") provided mapping already exists. "
            + "Please update or delete the existing mapping with UUID \(uuid)"
    }
    /// A filter pattern Lambda cannot parse.
    static let invalidFilter = "Invalid filter pattern definition."
    /// A stream ARN that names no stream.
    static func streamNotFound(_ arn: String) -> String { "Stream not found: \(arn)" }
    /// An event source this emulator does not poll.
    static func unsupportedSource(_ arn: String) -> String {
        "Unrecognized event source, must be kinesis, dynamodb stream or sqs: \(arn). This emulator polls DynamoDB streams only."
    }
    /// A starting position DynamoDB streams do not have.
    static func unsupportedStartingPosition(_ position: String) -> String {
        "Unsupported starting position for arn type: \(position)"
    }
}

extension LambdaService {
    /// Builds the template's mappings (functions are given by name or ARN).
    static func mappings(_ specs: [EventSourceMappingSpec], catalog: FunctionCatalog, now: Date) -> [EventSourceMapping] {
        specs.compactMap { spec in
            guard let located = catalog.resolve(spec.functionName) else { return nil }
            var mapping = EventSourceMapping(
                uuid: spec.uuid,
                functionArn: located.qualifiedArn,
                eventSourceArn: spec.eventSourceArn,
                startingPosition: spec.startingPosition,
                lastModified: now
            )
            mapping.batchSize = spec.batchSize ?? 100
            mapping.maximumBatchingWindowInSeconds = spec.maximumBatchingWindowInSeconds ?? 0
            mapping.filterPatterns = spec.filterPatterns
            mapping.filters = spec.filterPatterns.compactMap { try? EventFilterPattern($0) }
            mapping.bisectBatchOnFunctionError = spec.bisectBatchOnFunctionError
            mapping.maximumRetryAttempts = spec.maximumRetryAttempts ?? -1
            mapping.maximumRecordAgeInSeconds = spec.maximumRecordAgeInSeconds ?? -1
            mapping.functionResponseTypes = spec.functionResponseTypes
            mapping.enabled = spec.enabled
            return mapping
        }
    }

    /// The poller of the event source mappings, reading from `source` (DynamoDB Streams): run it in the service
    /// group.
    /// - Parameter source: Where the streams' records are.
    /// - Returns: The poller.
    package func eventSourceMappingPoller(source: any StreamEventSource) -> EventSourceMappingPoller {
        eventSourceMappings.attach(source)
        var logger = Logger(label: "synapscribe.lambda.esm")
        logger[metadataKey: "service"] = "lambda"
        return EventSourceMappingPoller(
            mappings: eventSourceMappings,
            invoker: invoker,
            clock: clock,
            logger: logger,
            duplicateRate: settings.streamDuplicateRate,
            random: settings.realismRandom
        )
    }

    /// Serves the event source mapping operations; nil for other operations.
    func eventSourceMappingOperation(_ request: AWSRequest, _ operation: LambdaOperation) async throws -> Response? {
        switch operation {
        case .createEventSourceMapping:
            try await authorize(request, action: operation.iamAction, resource: "*")
            return try await createEventSourceMapping(request)
        case .listEventSourceMappings:
            try await authorize(request, action: operation.iamAction, resource: "*")
            return try listEventSourceMappings(request)
        case .getEventSourceMapping(let uuid):
            try await authorize(request, action: operation.iamAction, resource: "*")
            guard let mapping = eventSourceMappings.mapping(uuid) else { throw Self.mappingNotFound }
            return Self.json(mapping.configuration(), status: .ok, requestId: request.requestId)
        case .updateEventSourceMapping(let uuid):
            try await authorize(request, action: operation.iamAction, resource: "*")
            return try await updateEventSourceMapping(request, uuid: uuid)
        case .deleteEventSourceMapping(let uuid):
            try await authorize(request, action: operation.iamAction, resource: "*")
            guard let mapping = try await eventSourceMappings.remove(uuid) else { throw Self.mappingNotFound }
            return Self.json(mapping.configuration(state: "Deleting"), status: .accepted, requestId: request.requestId)
        default:
            return nil
        }
    }

    private static var mappingNotFound: GenericAWSError {
        GenericAWSError(
            code: "ResourceNotFoundException",
            message: EventSourceMappingMessages.notFound,
            httpStatus: 404,
            extraFields: [("Type", "User")]
        )
    }

    private static func validation(_ message: String) -> GenericAWSError {
        GenericAWSError(code: "ValidationException", message: message, httpStatus: 400)
    }

    private static func decodeInput(_ request: AWSRequest) throws -> EventSourceMappingInput {
        let body = request.bodyData
        do {
            return try JSONDecoder().decode(EventSourceMappingInput.self, from: body.isEmpty ? Data("{}".utf8) : body)
        } catch {
            throw LambdaError.invalidRequestContent(LambdaMessages.invalidJSON("Could not parse request body into json"))
        }
    }

    /// Checks and applies the tunable members shared by Create and Update.
    private static func apply(_ input: EventSourceMappingInput, to mapping: inout EventSourceMapping) throws {
        if let size = input.BatchSize {
            if size < 1 { throw validation(EventSourceMappingMessages.tooSmall(size, "batchSize", 1)) }
            if size > 10_000 { throw validation(EventSourceMappingMessages.tooLarge(size, "batchSize", 10_000)) }
            mapping.batchSize = size
        }
        if let window = input.MaximumBatchingWindowInSeconds {
            if window < 0 { throw validation(EventSourceMappingMessages.tooSmall(window, "maximumBatchingWindowInSeconds", 0)) }
            if window > 300 { throw validation(EventSourceMappingMessages.tooLarge(window, "maximumBatchingWindowInSeconds", 300)) }
            mapping.maximumBatchingWindowInSeconds = window
        }
        if let retries = input.MaximumRetryAttempts {
            if retries < -1 { throw validation(EventSourceMappingMessages.tooSmall(retries, "maximumRetryAttempts", -1)) }
            if retries > 10_000 { throw validation(EventSourceMappingMessages.tooLarge(retries, "maximumRetryAttempts", 10_000)) }
            mapping.maximumRetryAttempts = retries
        }
        if let age = input.MaximumRecordAgeInSeconds {
            if age < -1 { throw validation(EventSourceMappingMessages.tooSmall(age, "maximumRecordAgeInSeconds", -1)) }
            if age > 604_800 { throw validation(EventSourceMappingMessages.tooLarge(age, "maximumRecordAgeInSeconds", 604_800)) }
            mapping.maximumRecordAgeInSeconds = age
        }
        if let types = input.FunctionResponseTypes {
            for type in types where type != "ReportBatchItemFailures" {
                throw validation(EventSourceMappingMessages.enumValue(type, "functionResponseTypes", ["ReportBatchItemFailures"]))
            }
            mapping.functionResponseTypes = types
        }
        if let criteria = input.FilterCriteria {
            var patterns: [String] = []
            var filters: [EventFilterPattern] = []
            for filter in criteria.Filters ?? [] {
                guard let pattern = filter.Pattern, let parsed = try? EventFilterPattern(pattern) else {
                    throw LambdaError.invalidParameterValue(EventSourceMappingMessages.invalidFilter)
                }
                patterns.append(pattern)
                filters.append(parsed)
            }
            mapping.filterPatterns = patterns
            mapping.filters = filters
        }
        if let bisect = input.BisectBatchOnFunctionError { mapping.bisectBatchOnFunctionError = bisect }
        if let enabled = input.Enabled { mapping.enabled = enabled }
    }

    private func createEventSourceMapping(_ request: AWSRequest) async throws -> Response {
        let mapping = try await createMapping(try Self.decodeInput(request), uuid: EmulatorRandom.uuidString("event-source-mapping-ids"))
        return Self.json(mapping.configuration(state: "Creating"), status: .accepted, requestId: request.requestId)
    }

    /// Creates a mapping with a given UUID: CreateEventSourceMapping's checks and store (the CloudFormation
    /// deployer's path too).
    /// - Parameters:
    ///   - input: The request members.
    ///   - uuid: The mapping's UUID.
    /// - Returns: The mapping.
    /// - Throws: Lambda's errors (`ResourceNotFoundException`, `InvalidParameterValueException`, a conflict).
    func createMapping(_ input: EventSourceMappingInput, uuid: String) async throws -> EventSourceMapping {
        guard let functionName = input.FunctionName else { throw Self.validation(EventSourceMappingMessages.null("functionName")) }
        guard let located = catalog.resolve(functionName) else {
            throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: functionName))
        }
        guard let sourceArn = input.EventSourceArn else {
            throw LambdaError.invalidParameterValue(EventSourceMappingMessages.unsupportedSource("null"))
        }
        guard sourceArn.contains(":dynamodb:"), sourceArn.contains("/stream/") else {
            throw LambdaError.invalidParameterValue(EventSourceMappingMessages.unsupportedSource(sourceArn))
        }
        guard let position = input.StartingPosition else { throw Self.validation(EventSourceMappingMessages.null("startingPosition")) }
        let positions = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]
        guard positions.contains(position) else {
            throw Self.validation(EventSourceMappingMessages.enumValue(position, "startingPosition", positions))
        }
        guard position != "AT_TIMESTAMP" else {
            throw LambdaError.invalidParameterValue(EventSourceMappingMessages.unsupportedStartingPosition(position))
        }
        guard let source = eventSourceMappings.source, await source.streamExists(sourceArn) else {
            throw LambdaError.invalidParameterValue(EventSourceMappingMessages.streamNotFound(sourceArn))
        }
        var mapping = EventSourceMapping(
            uuid: uuid,
            functionArn: located.qualifiedArn,
            eventSourceArn: sourceArn,
            startingPosition: position,
            lastModified: clock.now
        )
        try Self.apply(input, to: &mapping)
        if let existing = try await eventSourceMappings.insert(mapping) {
            throw GenericAWSError(
                code: "ResourceConflictException",
                message: EventSourceMappingMessages.conflict(sourceArn, located.function.name, existing.uuid),
                httpStatus: 409,
                extraFields: [("Type", "User")]
            )
        }
        return mapping
    }

    private func updateEventSourceMapping(_ request: AWSRequest, uuid: String) async throws -> Response {
        let (updated, state) = try await updateMapping(try Self.decodeInput(request), uuid: uuid)
        return Self.json(updated.configuration(state: state), status: .accepted, requestId: request.requestId)
    }

    /// Changes a mapping: UpdateEventSourceMapping's checks and store (the CloudFormation deployer's path too).
    /// - Parameters:
    ///   - input: The request members.
    ///   - uuid: The mapping's UUID.
    /// - Returns: The mapping and the state UpdateEventSourceMapping reports.
    /// - Throws: Lambda's errors (`ResourceNotFoundException`, `InvalidParameterValueException`).
    func updateMapping(_ input: EventSourceMappingInput, uuid: String) async throws -> (EventSourceMapping, String) {
        guard var mapping = eventSourceMappings.mapping(uuid) else { throw Self.mappingNotFound }
        let wasEnabled = mapping.enabled
        if let functionName = input.FunctionName {
            guard let located = catalog.resolve(functionName) else {
                throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: functionName))
            }
            mapping.functionArn = located.qualifiedArn
        }
        try Self.apply(input, to: &mapping)
        mapping.lastModified = clock.now
        let updated = mapping
        guard try await eventSourceMappings.replace(updated) else { throw Self.mappingNotFound }
        let state = wasEnabled == updated.enabled ? "Updating" : (updated.enabled ? "Enabling" : "Disabling")
        return (updated, state)
    }

    private func listEventSourceMappings(_ request: AWSRequest) throws -> Response {
        var mappings = eventSourceMappings.all
        if let sourceArn = request.query("EventSourceArn") { mappings = mappings.filter { $0.eventSourceArn == sourceArn } }
        if let functionName = request.query("FunctionName") {
            let arn = catalog.resolve(functionName)?.qualifiedArn ?? catalog.unqualifiedArn(for: functionName)
            mappings = mappings.filter { $0.functionArn == arn }
        }
        var maxItems = 100
        if let text = request.query("MaxItems") {
            guard let value = Int(text) else { throw Self.validation(EventSourceMappingMessages.tooSmall(0, "maxItems", 1)) }
            if value < 1 { throw Self.validation(EventSourceMappingMessages.tooSmall(value, "maxItems", 1)) }
            if value > 10_000 { throw Self.validation(EventSourceMappingMessages.tooLarge(value, "maxItems", 10_000)) }
            maxItems = min(value, 100)
        }
        var start = 0
        if let marker = request.query("Marker"), !marker.isEmpty {
            guard let index = mappings.firstIndex(where: { $0.uuid == marker }) else {
                throw LambdaError.invalidParameterValue("Invalid marker: \(marker)")
            }
            start = index
        }
        let page = Array(mappings[start..<min(mappings.count, start + maxItems)])
        var object: [String: Any] = ["EventSourceMappings": page.map { $0.configuration() }]
        if start + maxItems < mappings.count { object["NextMarker"] = mappings[start + maxItems].uuid }
        return Self.json(object, status: .ok, requestId: request.requestId)
    }
}
