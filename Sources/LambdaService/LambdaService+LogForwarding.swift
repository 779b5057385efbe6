import EmulatorCore

extension LambdaService {
    /// Sends every function output line (with its execution environment's log stream) to `sink` as well, which is
    /// how the CloudWatch Logs service sees `/aws/lambda/{function}` without importing Lambda.
    /// - Parameter sink: The receiver.
    package func forwardLogs(to sink: any LogEventSink) {
        logs.forward(to: sink)
    }
}
