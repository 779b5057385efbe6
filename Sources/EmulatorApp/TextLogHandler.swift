import Logging

/// The text log handler (`--log-format text`, the default): swift-log's `StreamLogHandler` on standard error, except
/// that metadata set on a logger is kept as it is and rendered only when a line is written.
///
/// `StreamLogHandler` renders its metadata into a string on every change, and the gateway sets three keys (request
/// id, service, operation) on every request's logger while almost no request writes a line: 6.8 % of a DynamoDB
/// GetItem's CPU in a profile (README, issue 11's sixth follow-up).
package struct TextLogHandler: LogHandler {
    /// The handler that writes the lines.
    private var stream: StreamLogHandler
    /// Metadata attached to every line.
    package var metadata: Logger.Metadata = [:]

    /// The minimum level written.
    package var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    /// Creates a handler writing to standard error.
    /// - Parameter label: The logger label.
    package init(label: String) {
        stream = StreamLogHandler.standardError(label: label)
    }

    /// Reads or writes one metadata key.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line: the logger's metadata, then the event's own (which wins on a shared key).
    /// - Parameter event: The log event.
    package func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { $1 }
        }
        stream.log(event: event)
    }
}
