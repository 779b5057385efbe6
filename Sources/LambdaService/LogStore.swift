import EmulatorCore
import Foundation
import Logging
import Synchronization

/// One captured log line of a function, as CloudWatch Logs would hold it.
package struct LogLine: Sendable, Equatable {
    /// A sequence number, increasing per function (readers resume after the last one they saw).
    package var sequence: Int
    /// When the line was captured.
    package var timestamp: Date
    /// The line without its newline.
    package var message: String
}

/// The captured output of every function: bounded in memory, readable through `GET /_local/logs/{function}`.
///
/// Lines are also written to the console through the logger, prefixed with the function's name.
package final class LogStore: Sendable {
    private struct Buffer {
        var lines: [LogLine] = []
        var nextSequence = 1
    }

    private let buffers: Mutex<[String: Buffer]>
    private let sink = Mutex<(any LogEventSink)?>(nil)
    private let capacity: Int
    private let logger: Logger

    /// Creates a store.
    /// - Parameters:
    ///   - capacity: Lines kept per function; older lines are dropped.
    ///   - logger: Where lines are echoed.
    package init(capacity: Int = 10_000, logger: Logger) {
        self.buffers = Mutex([:])
        self.capacity = capacity
        self.logger = logger
    }

    /// Forwards every line appended from now on to `sink` too (the CloudWatch Logs service).
    /// - Parameter sink: The receiver.
    package func forward(to sink: any LogEventSink) {
        self.sink.withLock { $0 = sink }
    }

    /// Appends a line and echoes it on the console.
    /// - Parameters:
    ///   - message: The line.
    ///   - function: The function name.
    ///   - stream: The log stream of the execution environment that wrote it (empty when none).
    ///   - timestamp: When it was written.
    package func append(_ message: String, function: String, stream: String = "", timestamp: Date) {
        if !stream.isEmpty { sink.withLock { $0 }?.functionLine(message, function: function, stream: stream, timestamp: timestamp) }
        buffers.withLock { buffers in
            var buffer = buffers[function] ?? Buffer()
            buffer.lines.append(LogLine(sequence: buffer.nextSequence, timestamp: timestamp, message: message))
            buffer.nextSequence += 1
            if buffer.lines.count > capacity { buffer.lines.removeFirst(buffer.lines.count - capacity) }
            buffers[function] = buffer
        }
        logger.info("\(function) | \(message)")
    }

    /// The lines after a sequence number.
    /// - Parameters:
    ///   - function: The function name.
    ///   - after: The last sequence number already seen (0 for everything kept).
    /// - Returns: The lines, oldest first.
    package func lines(of function: String, after: Int = 0) -> [LogLine] {
        buffers.withLock { buffers in
            guard let buffer = buffers[function] else { return [] }
            return buffer.lines.filter { $0.sequence > after }
        }
    }
}
