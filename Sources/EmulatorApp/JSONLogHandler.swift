import Foundation
import Logging

/// A log handler writing one JSON object per line to standard error (`--log-format json`).
package struct JSONLogHandler: LogHandler {
    /// The logger label.
    private let label: String
    /// Metadata attached to every line.
    package var metadata: Logger.Metadata = [:]
    /// The minimum level written.
    package var logLevel: Logger.Level = .info

    /// Creates a handler.
    /// - Parameter label: The logger label.
    package init(label: String) {
        self.label = label
    }

    /// Reads or writes one metadata key.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line.
    /// - Parameter event: The log event.
    package func log(event: LogEvent) {
        var object: [String: Any] = [
            "time": ISO8601DateFormatter().string(from: Date()),
            "level": event.level.rawValue,
            "logger": label,
            "message": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = value.description
        }
        if let error = event.error { object["error"] = String(describing: error) }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}
