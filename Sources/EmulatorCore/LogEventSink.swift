import Foundation

/// Where a service's runtime output goes besides its own console echo: the CloudWatch Logs service implements it,
/// Lambda's log store forwards every line to it (the composition root wires the two, so neither imports the other).
package protocol LogEventSink: Sendable {
    /// Records one line of a function's output.
    /// - Parameters:
    ///   - message: The line, without its newline.
    ///   - function: The function name (its log group is `/aws/lambda/{function}`).
    ///   - stream: The log stream (one per execution environment, `YYYY/MM/DD/[$LATEST]<32 hex>`).
    ///   - timestamp: When it was written, on the virtual clock.
    func functionLine(_ message: String, function: String, stream: String, timestamp: Date)
}
