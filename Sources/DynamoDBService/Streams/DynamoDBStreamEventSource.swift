import EmulatorCore
import Foundation
import GRDB

extension DynamoDBService: StreamEventSource {
    /// Whether a DynamoDB stream exists (enabled, or disabled less than 24 hours ago).
    /// - Parameter streamArn: The stream ARN.
    /// - Returns: Whether it exists.
    package func streamExists(_ streamArn: String) async -> Bool {
        ((try? await database.read { db in try StreamStore.stream(db, arn: streamArn) }) ?? nil) != nil
    }

    /// Where an event source mapping starts reading.
    /// - Parameters:
    ///   - streamArn: The stream ARN.
    ///   - latest: After the newest record rather than before the oldest.
    /// - Returns: The position, or nil for an unknown stream.
    package func startPosition(_ streamArn: String, latest: Bool) async -> Int64? {
        try? await database.read { db -> Int64? in
            guard let stream = try StreamStore.stream(db, arn: streamArn) else { return nil }
            if latest {
                let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM ddb_stream_record WHERE stream = ?", arguments: [streamArn])
                return max(last ?? 0, stream.startSequence - 1)
            }
            return max(stream.trimmedSequence, stream.startSequence - 1)
        }
    }

    /// Records after a position, each as Lambda's event record with `eventSourceARN`.
    /// - Parameters:
    ///   - streamArn: The stream ARN.
    ///   - after: The position.
    ///   - limit: The most records to return.
    /// - Returns: The records.
    package func records(_ streamArn: String, after: Int64, limit: Int) async -> [StreamEventRecord] {
        let found = try? await database.read { db -> (StoredStream, [StreamRecordRow])? in
            guard let stream = try StreamStore.stream(db, arn: streamArn) else { return nil }
            return (stream, try StreamStore.records(db, stream: stream, after: after, limit: max(1, limit)))
        }
        guard let (stream, rows) = found ?? nil else { return [] }
        return rows.map { row in
            StreamEventRecord(
                position: row.sequence,
                sequenceNumber: StreamStore.wire(row.sequence),
                created: Date(timeIntervalSince1970: row.created),
                json: row.json(stream: stream, eventSourceARN: stream.arn).data
            )
        }
    }
}
