import CloudFormation
import EmulatorCore
import Foundation
import GRDB
import Storage
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
/// A `Mutex` holds them: every access is a short synchronous read or update, never across an `await`. Once
/// ``open(_:)`` ran, every change is written to the ``EventSourceMappingStore`` before it shows in memory: API
/// changes before the API answers, checkpoints after the function acknowledged the batch. Changes run one at a time
/// on the store's writer, so the database and memory change in the same order.
package final class EventSourceMappings: Sendable {
    private struct State {
        var mappings: [String: EventSourceMapping] = [:]
        var order: [String] = []
        var source: (any StreamEventSource)?
        var store: EventSourceMappingStore?

        mutating func add(_ mapping: EventSourceMapping) {
            guard mappings[mapping.uuid] == nil else { return }
            mappings[mapping.uuid] = mapping
            order.append(mapping.uuid)
        }

        func conflicting(with mapping: EventSourceMapping) -> EventSourceMapping? {
            order.compactMap { mappings[$0] }.first {
                $0.functionArn == mapping.functionArn && $0.eventSourceArn == mapping.eventSourceArn
            }
        }
    }

    private let state = Mutex(State())
    /// Orders changes while no store is open (a test without a data folder).
    private let serial = Mutex(())

    /// Creates the registry with the template's mappings.
    /// - Parameter mappings: The mappings.
    package init(_ mappings: [EventSourceMapping] = []) {
        state.withLock { state in
            for mapping in mappings { state.add(mapping) }
        }
    }

    /// Keeps the mappings in the data folder (`lambda.sqlite`; memory with `--ephemeral`): the template's mappings
    /// get back the checkpoints stored for them (same UUID, same stream), and those the API created come back with
    /// their configuration and checkpoint. Call it once, before the poller runs.
    /// - Parameter location: Where data lives.
    /// - Throws: When the database cannot be opened or migrated.
    package func open(_ location: DataLocation) throws {
        try open(store: EventSourceMappingStore(location: location))
    }

    /// Keeps the mappings in `lambda.sqlite` opened by the Lambda service (see ``open(_:)``).
    /// - Parameter writer: The database writer, migrated with ``LambdaDatabase/migrator``.
    /// - Throws: When the stored mappings cannot be read.
    func open(writer: any DatabaseWriter) throws {
        try open(store: EventSourceMappingStore(writer: writer))
    }

    private func open(store: EventSourceMappingStore) throws {
        let served = try store.open(template: all)
        state.withLock { state in
            state.mappings = [:]
            state.order = []
            for mapping in served { state.add(mapping) }
            state.store = store
        }
    }

    /// Reads every mapping and checkpoint again from `lambda.sqlite` (after a snapshot restore replaced it): the
    /// template's first, then the API's, in creation order.
    /// - Throws: GRDB errors.
    func reload() async throws {
        guard state.withLock({ $0.store != nil }) else { return }
        try await change { db in
            guard let db else { return }
            let served = try EventSourceMappingStore.all(db)
            self.state.withLock { state in
                state.mappings = [:]
                state.order = []
                for mapping in served { state.add(mapping) }
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

    /// Runs a change after every earlier one: on the store's writer (given the database), else under a lock.
    private func change<T: Sendable>(_ body: @escaping @Sendable (Database?) throws -> T) async throws -> T {
        if let store = state.withLock({ $0.store }) {
            return try await store.writer.writeWithoutTransaction { db in try body(db) }
        }
        return try serial.withLock { _ in try body(nil) }
    }

    /// Adds a mapping (stored first) unless one for the same function and source exists, which is returned instead.
    /// - Throws: When the store cannot write it (nothing changed then).
    func insert(_ mapping: EventSourceMapping) async throws -> EventSourceMapping? {
        try await change { db in
            if let existing = self.state.withLock({ $0.conflicting(with: mapping) }) { return existing }
            if let db { try EventSourceMappingStore.insert(db, mapping) }
            self.state.withLock { $0.add(mapping) }
            return nil
        }
    }

    /// Replaces a mapping's configuration (stored first), keeping its checkpoint and `LastProcessingResult`; false
    /// when it does not exist.
    /// - Throws: When the store cannot write it (nothing changed then).
    func replace(_ updated: EventSourceMapping) async throws -> Bool {
        try await change { db in
            guard self.state.withLock({ $0.mappings[updated.uuid] != nil }) else { return false }
            if let db { try EventSourceMappingStore.update(db, updated) }
            self.state.withLock { state in
                guard let current = state.mappings[updated.uuid] else { return }
                var next = updated
                next.position = current.position
                next.lastProcessingResult = current.lastProcessingResult
                state.mappings[updated.uuid] = next
            }
            return true
        }
    }

    /// Removes a mapping with its checkpoint (from the store first); returns it, or nil when it did not exist.
    /// - Throws: When the store cannot delete it (nothing changed then).
    func remove(_ uuid: String) async throws -> EventSourceMapping? {
        try await change { db in
            guard self.state.withLock({ $0.mappings[uuid] != nil }) else { return nil }
            if let db { try EventSourceMappingStore.delete(db, uuid: uuid) }
            return self.state.withLock { state in
                state.order.removeAll { $0 == uuid }
                return state.mappings.removeValue(forKey: uuid)
            }
        }
    }

    /// Moves a mapping's checkpoint (stored first): records after `position` are delivered next.
    /// - Parameters:
    ///   - uuid: The mapping.
    ///   - position: The last record done with.
    ///   - result: The new `LastProcessingResult`, or nil to keep it.
    /// - Throws: When the store cannot write it (memory is not moved then).
    func checkpoint(_ uuid: String, _ position: Int64, result: String?) async throws {
        try await change { db in
            guard let current = self.state.withLock({ $0.mappings[uuid] }) else { return }
            let result = result ?? current.lastProcessingResult
            if let db { try EventSourceMappingStore.checkpoint(db, uuid: uuid, position: position, result: result) }
            self.advance(uuid, position, result: result)
        }
    }

    /// Moves a mapping's checkpoint in memory only (when the store failed: a restart then redelivers from the
    /// stored checkpoint, at least once, never skipping).
    func advance(_ uuid: String, _ position: Int64, result: String?) {
        state.withLock { state in
            state.mappings[uuid]?.position = position
            if let result { state.mappings[uuid]?.lastProcessingResult = result }
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
