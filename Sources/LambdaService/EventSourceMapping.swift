import CloudFormation
import EmulatorCore
import Foundation
import Synchronization

/// One event source mapping from a DynamoDB stream to a function, with the poller's checkpoint.
/// See https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html
package struct EventSourceMapping: Sendable {
    /// `UUID`.
    package var uuid: String
    /// `FunctionArn` (unqualified).
    package var functionArn: String
    /// `EventSourceArn` (the stream ARN).
    package var eventSourceArn: String
    /// `TRIM_HORIZON` or `LATEST`.
    package var startingPosition: String
    /// `BatchSize` (default 100).
    package var batchSize: Int = 100
    /// `MaximumBatchingWindowInSeconds` (default 0).
    package var maximumBatchingWindowInSeconds: Int = 0
    /// `FilterCriteria.Filters[].Pattern` as given.
    package var filterPatterns: [String] = []
    /// The parsed patterns.
    package var filters: [EventFilterPattern] = []
    /// `BisectBatchOnFunctionError`.
    package var bisectBatchOnFunctionError = false
    /// `MaximumRetryAttempts` (-1: until the record expires).
    package var maximumRetryAttempts = -1
    /// `MaximumRecordAgeInSeconds` (-1: no limit).
    package var maximumRecordAgeInSeconds = -1
    /// `FunctionResponseTypes` (`ReportBatchItemFailures`).
    package var functionResponseTypes: [String] = []
    /// Whether the mapping polls.
    package var enabled = true
    /// `LastModified`.
    package var lastModified: Date
    /// `LastProcessingResult`.
    package var lastProcessingResult = "No records processed"
    /// The poller's checkpoint: records after this position are delivered next (nil until it starts).
    package var position: Int64?

    /// Whether the function reports partial batch failures.
    var reportsBatchItemFailures: Bool { functionResponseTypes.contains("ReportBatchItemFailures") }

    /// Whether a record passes `FilterCriteria` (any filter; no filters pass everything).
    func admits(_ record: StreamEventRecord) -> Bool {
        guard !filters.isEmpty else { return true }
        guard let json = FilterJSON.parse(record.json) else { return false }
        return filters.contains { $0.matches(json) }
    }

    /// The `EventSourceMappingConfiguration` shape, with a `State`.
    func configuration(state: String? = nil) -> [String: Any] {
        var object: [String: Any] = [
            "UUID": uuid, "FunctionArn": functionArn, "EventSourceArn": eventSourceArn, "StartingPosition": startingPosition,
            "BatchSize": batchSize, "MaximumBatchingWindowInSeconds": maximumBatchingWindowInSeconds, "ParallelizationFactor": 1,
            "LastModified": lastModified.timeIntervalSince1970, "LastProcessingResult": lastProcessingResult,
            "State": state ?? (enabled ? "Enabled" : "Disabled"), "StateTransitionReason": "User action",
            "DestinationConfig": ["OnFailure": [String: Any]()], "MaximumRecordAgeInSeconds": maximumRecordAgeInSeconds,
            "BisectBatchOnFunctionError": bisectBatchOnFunctionError, "MaximumRetryAttempts": maximumRetryAttempts,
            "TumblingWindowInSeconds": 0, "FunctionResponseTypes": functionResponseTypes,
            "EventSourceMappingArn": uuidArn,
        ]
        if !filterPatterns.isEmpty { object["FilterCriteria"] = ["Filters": filterPatterns.map { ["Pattern": $0] }] }
        return object
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID`.
    var uuidArn: String {
        let parts = functionArn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count > 4 else { return uuid }
        return "arn:\(parts[1]):lambda:\(parts[3]):\(parts[4]):event-source-mapping:\(uuid)"
    }
}

/// The event source mappings (the template's and those the API creates), shared by the API and the poller.
///
/// A `Mutex` holds them: every access is a short synchronous read or update, never across an `await`.
package final class EventSourceMappings: Sendable {
    private struct State {
        var mappings: [String: EventSourceMapping] = [:]
        var order: [String] = []
        var source: (any StreamEventSource)?
    }

    private let state = Mutex(State())

    /// Creates the registry with the template's mappings.
    /// - Parameter mappings: The mappings.
    package init(_ mappings: [EventSourceMapping] = []) {
        state.withLock { state in
            for mapping in mappings where state.mappings[mapping.uuid] == nil {
                state.mappings[mapping.uuid] = mapping
                state.order.append(mapping.uuid)
            }
        }
    }

    /// Connects the stream source the mappings read (DynamoDB Streams).
    /// - Parameter source: The source.
    package func attach(_ source: any StreamEventSource) { state.withLock { $0.source = source } }

    /// The attached source.
    var source: (any StreamEventSource)? { state.withLock { $0.source } }

    /// Every mapping, in creation order.
    var all: [EventSourceMapping] { state.withLock { state in state.order.compactMap { state.mappings[$0] } } }

    /// The mapping with a UUID.
    func mapping(_ uuid: String) -> EventSourceMapping? { state.withLock { $0.mappings[uuid] } }

    /// Adds a mapping unless one for the same function and source exists, which is returned instead.
    func insert(_ mapping: EventSourceMapping) -> EventSourceMapping? {
        state.withLock { state in
            if let existing = state.order.compactMap({ state.mappings[$0] }).first(where: {
                $0.functionArn == mapping.functionArn && $0.eventSourceArn == mapping.eventSourceArn
            }) {
                return existing
            }
            state.mappings[mapping.uuid] = mapping
            state.order.append(mapping.uuid)
            return nil
        }
    }

    /// Changes a mapping; nil when it does not exist.
    @discardableResult
    func update(_ uuid: String, _ change: (inout EventSourceMapping) -> Void) -> EventSourceMapping? {
        state.withLock { state in
            guard var mapping = state.mappings[uuid] else { return nil }
            change(&mapping)
            state.mappings[uuid] = mapping
            return mapping
        }
    }

    /// Removes a mapping; returns it, or nil when it did not exist.
    func remove(_ uuid: String) -> EventSourceMapping? {
        state.withLock { state in
            guard let mapping = state.mappings.removeValue(forKey: uuid) else { return nil }
            state.order.removeAll { $0 == uuid }
            return mapping
        }
    }
}

/// An `AWS::Lambda::EventSourceMapping` of the template (also what SAM's `Type: DynamoDB` events become).
///
/// Supported properties: `FunctionName`, `EventSourceArn`, `StartingPosition`, `BatchSize`,
/// `MaximumBatchingWindowInSeconds`, `FilterCriteria`, `BisectBatchOnFunctionError`, `MaximumRetryAttempts`,
/// `MaximumRecordAgeInSeconds`, `FunctionResponseTypes` and `Enabled`.
package struct EventSourceMappingSpec: Sendable {
    /// The logical id.
    package var logicalId: String
    /// The UUID (the physical id).
    package var uuid: String
    /// `FunctionName` as resolved (a name or ARN).
    package var functionName: String
    /// `EventSourceArn`.
    package var eventSourceArn: String
    /// `StartingPosition`.
    package var startingPosition: String
    /// `BatchSize`.
    package var batchSize: Int?
    /// `MaximumBatchingWindowInSeconds`.
    package var maximumBatchingWindowInSeconds: Int?
    /// `FilterCriteria.Filters[].Pattern`.
    package var filterPatterns: [String]
    /// `BisectBatchOnFunctionError`.
    package var bisectBatchOnFunctionError: Bool
    /// `MaximumRetryAttempts`.
    package var maximumRetryAttempts: Int?
    /// `MaximumRecordAgeInSeconds`.
    package var maximumRecordAgeInSeconds: Int?
    /// `FunctionResponseTypes`.
    package var functionResponseTypes: [String]
    /// `Enabled`.
    package var enabled: Bool

    /// Decodes the resource.
    /// - Parameter resource: A resolved `AWS::Lambda::EventSourceMapping`.
    /// - Throws: ``TemplateError`` for a wrongly shaped property.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        uuid = resource.physicalId
        functionName = try reader["FunctionName"].requiredString()
        eventSourceArn = try reader["EventSourceArn"].requiredString()
        startingPosition = try reader["StartingPosition"].string() ?? "TRIM_HORIZON"
        batchSize = try reader["BatchSize"].int()
        maximumBatchingWindowInSeconds = try reader["MaximumBatchingWindowInSeconds"].int()
        var patterns: [String] = []
        for filter in try reader["FilterCriteria"]["Filters"].list() ?? [] {
            if let pattern = try filter["Pattern"].string() { patterns.append(pattern) }
        }
        filterPatterns = patterns
        bisectBatchOnFunctionError = try reader["BisectBatchOnFunctionError"].bool() ?? false
        maximumRetryAttempts = try reader["MaximumRetryAttempts"].int()
        maximumRecordAgeInSeconds = try reader["MaximumRecordAgeInSeconds"].int()
        functionResponseTypes = try reader["FunctionResponseTypes"].stringList() ?? []
        enabled = try reader["Enabled"].bool() ?? true
    }

    /// A UUID-shaped physical id derived from the stack and logical id (stable across restarts).
    /// - Parameters:
    ///   - stack: The stack name.
    ///   - logicalId: The logical id.
    /// - Returns: The UUID text.
    package static func uuid(stack: String, logicalId: String) -> String {
        let high = PhysicalNames.seed(stack, logicalId, "esm")
        let low = PhysicalNames.seed(logicalId, stack, "uuid")
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        let a = hex(high >> 32, 8)
        let b = hex((high >> 16) & 0xFFFF, 4)
        let c = hex(0x4000 | (high & 0x0FFF), 4)
        let d = hex(0x8000 | ((low >> 48) & 0x3FFF), 4)
        let e = hex(low & 0xFFFF_FFFF_FFFF, 12)
        return "\(a)-\(b)-\(c)-\(d)-\(e)"
    }
}
