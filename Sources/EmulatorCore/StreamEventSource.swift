import Foundation

/// A source of stream records that Lambda event source mappings poll (DynamoDB Streams), injected from the
/// composition root so the Lambda service reads records without importing the service that keeps them.
package protocol StreamEventSource: Sendable {
    /// Whether the ARN names a stream this source serves (enabled or still readable).
    /// - Parameter streamArn: The stream ARN.
    /// - Returns: Whether it exists.
    func streamExists(_ streamArn: String) async -> Bool

    /// The position a mapping starts from: before the oldest untrimmed record (`TRIM_HORIZON`) or after the newest
    /// (`LATEST`).
    /// - Parameters:
    ///   - streamArn: The stream ARN.
    ///   - latest: `LATEST` rather than `TRIM_HORIZON`.
    /// - Returns: The position (records after it are read next), or nil when the stream does not exist.
    func startPosition(_ streamArn: String, latest: Bool) async -> Int64?

    /// Up to `limit` records after a position, oldest first.
    /// - Parameters:
    ///   - streamArn: The stream ARN.
    ///   - after: The position.
    ///   - limit: The most records to return.
    /// - Returns: The records (empty when there are none or the stream is gone).
    func records(_ streamArn: String, after: Int64, limit: Int) async -> [StreamEventRecord]
}

/// One stream record as an event source mapping delivers it.
package struct StreamEventRecord: Sendable {
    /// The record's position in its stream.
    package var position: Int64
    /// The record's `SequenceNumber` (the `itemIdentifier` of `batchItemFailures`).
    package var sequenceNumber: String
    /// When the record was written (virtual clock).
    package var created: Date
    /// The record's JSON object as Lambda passes it in `Records`, `eventSourceARN` included.
    package var json: Data

    /// Creates a record.
    /// - Parameters:
    ///   - position: The position.
    ///   - sequenceNumber: The wire sequence number.
    ///   - created: The creation time.
    ///   - json: The record JSON.
    package init(position: Int64, sequenceNumber: String, created: Date, json: Data) {
        self.position = position
        self.sequenceNumber = sequenceNumber
        self.created = created
        self.json = json
    }
}
