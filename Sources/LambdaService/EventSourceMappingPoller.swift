import EmulatorCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Polls every enabled event source mapping's stream and delivers batches to its function, as Lambda does for
/// DynamoDB streams: records of the shard in order, one batch at a time, `BatchSize` and the batching window
/// (virtual clock) honoured, `FilterCriteria` applied (records that match no filter are skipped), failed batches
/// retried until `MaximumRetryAttempts` or `MaximumRecordAgeInSeconds`, halved with `BisectBatchOnFunctionError`,
/// and resumed from the first failed record a function reports with `ReportBatchItemFailures`.
package struct EventSourceMappingPoller: Service {
    private let mappings: EventSourceMappings
    private let invoker: any LambdaInvoking
    private let clock: VirtualClock
    private let logger: Logger
    private let interval: Duration
    private let duplicateRate: Double
    private let random: any RealismRandomSource

    /// Creates the poller.
    /// - Parameters:
    ///   - mappings: The mappings.
    ///   - invoker: Invokes the functions.
    ///   - clock: The virtual clock (batching window, record age).
    ///   - logger: The logger.
    ///   - interval: The real-time pause between polls of an idle stream.
    ///   - duplicateRate: The share of successful batches delivered a second time (the realism profile's
    ///     `streamDuplicateRate`: Lambda's at-least-once processing of stream records).
    ///   - random: Where the duplicate picks come from.
    package init(
        mappings: EventSourceMappings,
        invoker: any LambdaInvoking,
        clock: VirtualClock,
        logger: Logger,
        interval: Duration = .milliseconds(100),
        duplicateRate: Double = 0,
        random: any RealismRandomSource = SystemRealismRandom()
    ) {
        self.duplicateRate = duplicateRate
        self.random = random
        self.mappings = mappings
        self.invoker = invoker
        self.clock = clock
        self.logger = logger
        self.interval = interval
    }

    /// Runs one polling task per mapping until graceful shutdown.
    /// - Throws: Never.
    package func run() async throws {
        await withDiscardingTaskGroup { group in
            let polling = PollingSet()
            for await _ in ticks().cancelOnGracefulShutdown() {
                for mapping in mappings.all where polling.claim(mapping.uuid) {
                    let uuid = mapping.uuid
                    group.addTask {
                        await poll(uuid)
                        polling.release(uuid)
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// The mappings that have a polling task. A task leaves when its mapping is gone, so a mapping that comes back
    /// with the same UUID (a snapshot restore) is polled again, by one task.
    private final class PollingSet: Sendable {
        private let uuids = Mutex(Set<String>())

        /// Marks a mapping as polled; false when a task polls it already.
        func claim(_ uuid: String) -> Bool { uuids.withLock { $0.insert(uuid).inserted } }

        /// Marks a mapping's task as ended.
        func release(_ uuid: String) { uuids.withLock { _ = $0.remove(uuid) } }
    }

    private func ticks() -> AsyncStream<Void> {
        let interval = self.interval
        return AsyncStream { continuation in
            // Bridges a timer to the stream (structured: the task ends when the consumer stops).
            let task = Task {
                while !Task.isCancelled {
                    continuation.yield()
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The retry state of one mapping's current batch.
    private struct Attempt {
        var retries = 0
        /// While set, batches are at most this large (bisect-on-error), until the poller passes `until`.
        var bisect: (limit: Int, until: Int64)?
    }

    /// Polls one mapping until it is deleted or the poller stops.
    private func poll(_ uuid: String) async {
        var attempt = Attempt()
        while !Task.isCancelled {
            guard let mapping = mappings.mapping(uuid) else { return }
            let delivered = await step(mapping, attempt: &attempt)
            if !delivered { try? await Task.sleep(for: interval) }
        }
    }

    /// One poll: returns whether it delivered (or skipped) records, so the caller polls again at once.
    private func step(_ mapping: EventSourceMapping, attempt: inout Attempt) async -> Bool {
        guard mapping.enabled, let source = mappings.source else { return false }
        let position: Int64
        if let checkpoint = mapping.position {
            position = checkpoint
        } else {
            guard let start = await source.startPosition(mapping.eventSourceArn, latest: mapping.startingPosition == "LATEST") else {
                return false
            }
            position = start
            await checkpoint(mapping.uuid, start)
        }
        let limit = min(mapping.batchSize, attempt.bisect?.limit ?? mapping.batchSize)
        // Filtering comes before batching: scan ahead, keep the records that pass, up to the batch size.
        let fetched = await source.records(mapping.eventSourceArn, after: position, limit: max(limit, 1000))
        guard !fetched.isEmpty else { return false }
        let now = clock.now
        if mapping.maximumRecordAgeInSeconds >= 0 {
            let tooOld = fetched.prefix { now.timeIntervalSince($0.created) > Double(mapping.maximumRecordAgeInSeconds) }
            if let last = tooOld.last {
                await checkpoint(mapping.uuid, last.position)
                attempt = Attempt()
                return true
            }
        }
        var batch: [StreamEventRecord] = []
        var end = position
        for record in fetched {
            end = record.position
            if mapping.admits(record) { batch.append(record) }
            if batch.count == limit { break }
        }
        guard let oldest = batch.first else {
            await checkpoint(mapping.uuid, end)
            return true
        }
        // The batching window: wait (virtual time) for a full batch, unless the oldest record waited long enough.
        if batch.count < limit, mapping.maximumBatchingWindowInSeconds > 0,
            now.timeIntervalSince(oldest.created) < Double(mapping.maximumBatchingWindowInSeconds)
        {
            return false
        }
        switch await deliver(batch, to: mapping) {
        case .success:
            // At-least-once (realism profile): the same batch, same sequence numbers, once more.
            if RealismProfile.happens(duplicateRate, using: random) {
                logger.info(
                    "Realism profile: delivering a stream batch twice",
                    metadata: ["uuid": .string(mapping.uuid), "records": .stringConvertible(batch.count)]
                )
                _ = await deliver(batch, to: mapping)
            }
            await checkpoint(mapping.uuid, end, result: "OK")
            if let bisect = attempt.bisect, end < bisect.until {
                attempt.retries = 0
            } else {
                attempt = Attempt()
            }
            return true
        case .partial(let failed):
            // Records before the first failed one are done; the batch is retried from it.
            if failed.position > oldest.position { attempt.retries = 0 }
            return await retry(mapping, from: failed.position - 1, through: end, attempt: &attempt, size: batch.count)
        case .failure:
            return await retry(mapping, from: position, through: end, attempt: &attempt, size: batch.count)
        }
    }

    /// Counts a failed attempt: with bisect-on-error a batch of more than one record is halved and retried (a
    /// split does not count against `MaximumRetryAttempts`, as in Lambda); otherwise the batch is retried, or skipped
    /// once its retries are spent.
    private func retry(
        _ mapping: EventSourceMapping,
        from position: Int64,
        through last: Int64,
        attempt: inout Attempt,
        size: Int
    ) async -> Bool {
        await checkpoint(mapping.uuid, position, result: "PROBLEM: Function call failed")
        if mapping.bisectBatchOnFunctionError, size > 1 {
            attempt.bisect = (limit: max(1, size / 2), until: max(last, attempt.bisect?.until ?? last))
            return false
        }
        attempt.retries += 1
        if mapping.maximumRetryAttempts >= 0, attempt.retries > mapping.maximumRetryAttempts {
            logger.warning(
                "Event source mapping discarded a batch after its retries",
                metadata: ["uuid": .string(mapping.uuid), "records": .stringConvertible(size)]
            )
            await checkpoint(mapping.uuid, last)
            attempt = Attempt()
            return true
        }
        return false
    }

    /// Moves the checkpoint, in the store first (after a batch the function acknowledged: a kill between the
    /// invoke and this write redelivers the batch, as Lambda may; it never skips one).
    private func checkpoint(_ uuid: String, _ position: Int64, result: String? = nil) async {
        do {
            try await mappings.checkpoint(uuid, position, result: result)
        } catch {
            // Stopping (cancelled) or the store failed: go on in memory; a restart resumes from the stored checkpoint.
            if !(error is CancellationError) {
                logger.error(
                    "Event source mapping checkpoint not stored",
                    metadata: ["uuid": .string(uuid), "error": .string(String(describing: error))]
                )
            }
            mappings.advance(uuid, position, result: result)
        }
    }

    private enum Outcome {
        case success
        case partial(StreamEventRecord)
        case failure
    }

    /// Invokes the function with `{"Records": [...]}` and reads `batchItemFailures`.
    private func deliver(_ batch: [StreamEventRecord], to mapping: EventSourceMapping) async -> Outcome {
        var payload = Data("{\"Records\":[".utf8)
        for (index, record) in batch.enumerated() {
            if index > 0 { payload.append(UInt8(ascii: ",")) }
            payload.append(record.json)
        }
        payload.append(contentsOf: "]}".utf8)
        let result: LambdaInvocationResult
        do {
            result = try await invoker.invoke(
                function: mapping.functionArn,
                payload: payload,
                invocationType: .requestResponse,
                context: LambdaInvocationContext(sourceArn: mapping.eventSourceArn)
            )
        } catch {
            logger.debug("Event source mapping invocation failed", metadata: ["error": .string(String(describing: error))])
            return .failure
        }
        if result.functionError != nil || result.statusCode != 200 { return .failure }
        guard mapping.reportsBatchItemFailures else { return .success }
        return Self.outcome(of: result.payload, batch: batch)
    }

    /// Reads a `ReportBatchItemFailures` response: the first failed record, or nil when the batch succeeded.
    ///
    /// A missing, null or empty `batchItemFailures` is success; an entry whose `itemIdentifier` is missing, empty or
    /// names no record of the batch fails the whole batch, as Lambda treats it.
    /// - Parameters:
    ///   - payload: The function's response.
    ///   - batch: The delivered records.
    /// - Returns: The record to resume from.
    static func firstFailure(in payload: Data, batch: [StreamEventRecord]) -> StreamEventRecord? {
        guard case .object(let response)? = FilterJSON.parse(payload), let failures = response["batchItemFailures"] else { return nil }
        switch failures {
        case .null: return nil
        case .array(let items):
            var first: StreamEventRecord?
            for item in items {
                guard case .object(let entry) = item, case .string(let identifier)? = entry["itemIdentifier"],
                    let record = batch.first(where: { $0.sequenceNumber == identifier })
                else { return batch.first }
                if first.map({ record.position < $0.position }) ?? true { first = record }
            }
            return first
        default: return batch.first
        }
    }

    private static func outcome(of payload: Data, batch: [StreamEventRecord]) -> Outcome {
        firstFailure(in: payload, batch: batch).map(Outcome.partial) ?? .success
    }
}
