import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One worker process (the runtime interface client) with its standard output and error read line by line.
///
/// Foundation `Process` is used rather than swift-subprocess: the worker outlives the call that starts it,
/// is killed from another task on timeout, and its pipes must be drained on demand (see ``drain()``), which is
/// simplest with the raw file descriptors. The pipe readers are two plain threads doing blocking `read(2)`:
/// they are the bridge from blocking I/O and hold no Swift concurrency state.
package final class WorkerProcess: Sendable {
    /// How the process ended.
    package enum Exit: Sendable, Equatable {
        /// `exit(status)`.
        case status(Int32)
        /// Killed by a signal.
        case signal(Int32)

        /// AWS's wording: `exit status 1`, `signal: killed`; `nil` for a clean exit.
        package var reason: String? {
            switch self {
            case .status(0): nil
            case .status(let code): "exit status \(code)"
            case .signal(let number): "signal: \(Self.signalName(number))"
            }
        }

        private static func signalName(_ number: Int32) -> String {
            switch number {
            case SIGKILL: "killed"
            case SIGTERM: "terminated"
            case SIGSEGV: "segmentation fault"
            case SIGABRT: "aborted"
            default: "signal \(number)"
            }
        }
    }

    private struct ReaderState {
        var busyReaders = 0
    }

    private let process: Process
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let readers = LockedBox(ReaderState())
    private let exitState = LockedBox<(exit: Exit?, waiters: [CheckedContinuation<Exit, Never>])>((nil, []))

    /// Starts a process.
    /// - Parameters:
    ///   - executable: The interpreter path.
    ///   - arguments: Its arguments.
    ///   - environment: The complete environment.
    ///   - directory: The working directory.
    ///   - onLine: Called for every line of output (without its newline), from a reader thread.
    /// - Throws: When the process cannot be started.
    package init(
        executable: String,
        arguments: [String],
        environment: [String: String],
        directory: String,
        onLine: @escaping @Sendable (String) -> Void
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory, isDirectory: true)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        let exitState = self.exitState
        process.terminationHandler = { finished in
            let exit: Exit =
                finished.terminationReason == .uncaughtSignal ? .signal(finished.terminationStatus) : .status(finished.terminationStatus)
            let waiters = exitState.withLock { state in
                state.exit = exit
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: exit) }
        }
        try process.run()
        startReader(stdoutPipe.fileHandleForReading.fileDescriptor, onLine: onLine)
        startReader(stderrPipe.fileHandleForReading.fileDescriptor, onLine: onLine)
    }

    /// The process id.
    package var pid: Int32 { process.processIdentifier }

    /// Waits for the process to end.
    /// - Returns: How it ended.
    package func waitForExit() async -> Exit {
        await withCheckedContinuation { continuation in
            let done: Exit? = exitState.withLock { state in
                if let exit = state.exit { return exit }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Sends SIGKILL (the environment is torn down, as Lambda does on timeout).
    package func kill() {
        guard process.isRunning else { return }
        #if canImport(Glibc)
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        #else
        _ = Darwin.kill(process.processIdentifier, SIGKILL)
        #endif
    }

    /// The peak resident set size in MB (`VmHWM`), for `Max Memory Used`.
    package var peakMemoryMB: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
            return kilobytes / 1024 + (kilobytes % 1024 > 0 ? 1 : 0)  // rounded up, without overflow
        }
        return 0
    }

    /// Waits (up to 50 ms) until every byte the worker wrote so far has been read and split into lines.
    ///
    /// The runtime flushes its output before it posts a result, so after the post arrives the pipes hold
    /// everything the invocation printed: draining them keeps each line with its own request (START/END, Tail).
    package func drain() async {
        let descriptors = [stdoutPipe.fileHandleForReading.fileDescriptor, stderrPipe.fileHandleForReading.fileDescriptor]
        var quietChecks = 0
        for _ in 0..<500 {
            let pending = descriptors.contains { Self.unreadBytes($0) > 0 }
            let busy = readers.withLock { $0.busyReaders > 0 }
            if !pending && !busy {
                // Twice quiet in a row: a reader that just returned from read(2) has had time to count itself busy.
                quietChecks += 1
                if quietChecks == 2 { return }
            } else {
                quietChecks = 0
            }
            try? await Task.sleep(for: .microseconds(50))
        }
    }

    private static func unreadBytes(_ descriptor: Int32) -> Int32 {
        var count: Int32 = 0
        #if os(Linux)
        let request = UInt(0x541B)  // FIONREAD
        #else
        let request = UInt(0x4004_667F)  // FIONREAD
        #endif
        guard ioctl(descriptor, request, &count) == 0 else { return 0 }
        return count
    }

    private func startReader(_ descriptor: Int32, onLine: @escaping @Sendable (String) -> Void) {
        let readers = self.readers
        let thread = Thread {
            var pending = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                readers.withLock { $0.busyReaders += 1 }
                pending.append(contentsOf: chunk[0..<count])
                while let newline = pending.firstIndex(of: 10) {
                    var line = pending[0..<newline]
                    if line.last == 13 { line = line.dropLast() }
                    onLine(String(decoding: line, as: UTF8.self))
                    pending.removeSubrange(0...newline)
                }
                readers.withLock { $0.busyReaders -= 1 }
            }
            if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
        }
        thread.start()
    }
}

/// A `Mutex` in a class, so that closures (termination handler, reader threads) can share it.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result>(_ body: (inout sending Value) -> sending Result) -> sending Result {
        mutex.withLock(body)
    }
}
