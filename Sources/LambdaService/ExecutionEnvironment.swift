import Foundation
import Logging
import Synchronization

/// How an invocation ended, as the environment saw it.
package enum InvocationOutcome: Sendable, Equatable {
    /// `POST /invocation/{id}/response`.
    case success(Data)
    /// `POST /invocation/{id}/error`: the runtime's error JSON.
    case functionError(Data)
    /// The response was over 6291556 bytes.
    case responseTooLarge
    /// The timeout struck; the environment was killed.
    case timedOut(seconds: Double)
    /// The process ended during the invocation.
    case exited(WorkerProcess.Exit)
    /// Initialisation failed: the runtime's init error JSON if it posted one, else how the process ended.
    case initFailed(body: Data?, exit: WorkerProcess.Exit?)
}

/// What a cold start produced.
package enum InitOutcome: Sendable, Equatable {
    /// The runtime asked for its first event after this many milliseconds.
    case ready(initMilliseconds: Double)
    /// Initialisation failed.
    case failed(body: Data?, exit: WorkerProcess.Exit?)
}

/// Where a worker's output lines go: the function's log, and the current invocation's capture (for `Tail`).
final class LineSink: Sendable {
    private let capture = Mutex<[String]?>(nil)
    private let function: String
    private let store: LogStore
    private let clock: @Sendable () -> Date

    init(function: String, store: LogStore, clock: @escaping @Sendable () -> Date) {
        self.function = function
        self.store = store
        self.clock = clock
    }

    /// Records a line.
    func line(_ text: String) {
        store.append(text, function: function, timestamp: clock())
        capture.withLock { $0?.append(text) }
    }

    /// Starts capturing lines for one invocation.
    func beginCapture() { capture.withLock { $0 = [] } }

    /// Stops capturing and returns the captured lines.
    func endCapture() -> [String] {
        capture.withLock { lines in
            defer { lines = nil }
            return lines ?? []
        }
    }
}

/// How to start a worker: the interpreter, arguments, environment and folder.
package struct WorkerLaunch: Sendable {
    /// The interpreter.
    package var executable: String
    /// Its arguments (`-m awslambdaric HANDLER`).
    package var arguments: [String]
    /// The environment, without `AWS_LAMBDA_RUNTIME_API` (added once the listener is bound).
    package var environment: [String: String]
    /// The code folder (working directory).
    package var directory: String
}

/// One execution environment: a worker process, its own Runtime API listener, and the state machine between them.
///
/// States: `initializing` until the runtime's first `GET /next` (ready) or `POST /init/error` / exit (failed);
/// then `idle` and `busy` in turn, one invocation at a time; `dead` once the process has ended.
package actor ExecutionEnvironment: RuntimeAPIBackend {
    private enum Phase {
        case initializing(started: ContinuousClock.Instant)
        case idle
        case busy(requestId: String)
        case dead
    }

    /// An id for logs (the log stream suffix).
    package nonisolated let id: String
    /// The log stream name (`2026/01/01/[$LATEST]hex`).
    package nonisolated let logStreamName: String
    private let launchSpec: WorkerLaunch
    private nonisolated let sink: LineSink
    private let logger: Logger
    private var phase: Phase = .initializing(started: .now)
    private var process: WorkerProcess?
    private var launchFailed = false
    private var launchWaiters: [CheckedContinuation<WorkerProcess?, Never>] = []
    private var readyWaiter: CheckedContinuation<InitOutcome, Never>?
    private var initOutcome: InitOutcome?
    private var initErrorBody: Data?
    private var nextWaiter: CheckedContinuation<RuntimeInvocation?, Never>?
    private var queued: RuntimeInvocation?
    private var resultWaiter: CheckedContinuation<InvocationOutcome, Never>?
    private var pendingOutcome: InvocationOutcome?
    private var busySince: ContinuousClock.Instant = .now

    /// Creates an environment (nothing runs until ``run()``).
    /// - Parameters:
    ///   - id: The environment id.
    ///   - logStreamName: The log stream name.
    ///   - launch: How to start the worker.
    ///   - sink: Where output lines go.
    ///   - logger: The service logger.
    init(id: String, logStreamName: String, launch: WorkerLaunch, sink: LineSink, logger: Logger) {
        self.id = id
        self.logStreamName = logStreamName
        self.launchSpec = launch
        self.sink = sink
        self.logger = logger
    }

    /// Runs the environment: binds its Runtime API listener, starts the worker, and returns once the worker
    /// has ended (or at once when the task is cancelled, after killing it).
    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    // Only the worker's own sockets may take or answer this environment's invocations.
                    try await RuntimeAPIServer.run(backend: self, peers: .process { await self.workerPID }) { port in
                        await self.launch(port: port)
                    }
                } catch {
                    await self.failLaunch("cannot bind the Runtime API listener: \(error)")
                }
            }
            group.addTask {
                guard let process = await self.launchedProcess() else { return }
                let exit = await withTaskCancellationHandler {
                    await process.waitForExit()
                } onCancel: {
                    process.kill()
                }
                await process.drain()
                await self.processExited(exit)
            }
            // The worker's end (or a failed launch) ends the environment: stop the listener too.
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Waits until the runtime is ready for events, or initialisation failed.
    /// - Returns: The outcome.
    package func waitUntilReady() async -> InitOutcome {
        if let initOutcome { return initOutcome }
        return await withCheckedContinuation { continuation in readyWaiter = continuation }
    }

    /// Hands an invocation to the runtime and waits for its outcome.
    /// - Parameter invocation: The invocation.
    /// - Returns: The outcome, or `nil` when the environment cannot take it (it died while idle).
    package func invoke(_ invocation: RuntimeInvocation) async -> InvocationOutcome? {
        guard case .idle = phase else { return nil }
        phase = .busy(requestId: invocation.requestId)
        busySince = .now
        pendingOutcome = nil
        if let waiter = nextWaiter {
            nextWaiter = nil
            waiter.resume(returning: invocation)
        } else {
            queued = invocation
        }
        return await withCheckedContinuation { continuation in
            if let pendingOutcome {
                self.pendingOutcome = nil
                continuation.resume(returning: pendingOutcome)
            } else {
                resultWaiter = continuation
            }
        }
    }

    /// Ends the current invocation with a timeout and kills the worker, as Lambda does.
    /// - Parameter requestId: The invocation that timed out.
    package func timeOut(requestId: String) {
        guard case .busy(let current) = phase, current == requestId else { return }
        let elapsed = ContinuousClock.now - busySince
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        finish(.timedOut(seconds: seconds))
        phase = .dead
        process?.kill()
    }

    /// Kills the worker (idle reclaim, shutdown, failed init).
    package func shutdown() {
        process?.kill()
        if process == nil { failLaunchState() }
    }

    /// Whether the environment can take an invocation.
    package var isAlive: Bool {
        if case .dead = phase { return false }
        return true
    }

    /// The worker's process id, once it started.
    package var workerPID: Int32? { process?.pid }

    /// The worker's peak memory in MB.
    package var peakMemoryMB: Int { process?.peakMemoryMB ?? 0 }

    /// Waits until the worker's output so far has been read.
    package func drainOutput() async { await process?.drain() }

    /// Starts capturing output lines for one invocation.
    nonisolated func beginCapture() { sink.beginCapture() }

    /// Ends the capture.
    /// - Returns: The captured lines.
    nonisolated func endCapture() -> [String] { sink.endCapture() }

    /// Writes a line of our own (START, END, REPORT) to the function's log.
    /// - Parameter text: The line.
    nonisolated func log(_ text: String) { sink.line(text) }

    // MARK: Runtime API backend

    /// `GET /invocation/next`.
    /// - Returns: The next invocation, or `nil` once the environment is dead.
    package func nextInvocation() async -> RuntimeInvocation? {
        switch phase {
        case .initializing(let started):
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            phase = .idle
            settleInit(.ready(initMilliseconds: milliseconds))
        case .dead:
            return nil
        case .idle, .busy:
            break
        }
        if let queued {
            self.queued = nil
            return queued
        }
        if let previous = nextWaiter {
            // A second poller replaces the first (a runtime that reconnected).
            previous.resume(returning: nil)
        }
        return await withCheckedContinuation { continuation in nextWaiter = continuation }
    }

    /// `POST /invocation/{id}/response`.
    /// - Parameters:
    ///   - requestId: The invocation.
    ///   - body: The response.
    ///   - tooLarge: Whether it was over the limit.
    /// - Returns: The reply.
    package func invocationResponse(requestId: String, body: Data, tooLarge: Bool) async -> RuntimeAPIReply {
        guard case .busy(let current) = phase, current == requestId else { return .invalidRequestId }
        if tooLarge {
            finish(.responseTooLarge)
            return .payloadTooLarge
        }
        finish(.success(body))
        return .accepted
    }

    /// `POST /invocation/{id}/error`.
    /// - Parameters:
    ///   - requestId: The invocation.
    ///   - body: The error JSON.
    ///   - errorType: The error type header.
    /// - Returns: The reply.
    package func invocationError(requestId: String, body: Data, errorType: String?) async -> RuntimeAPIReply {
        guard case .busy(let current) = phase, current == requestId else { return .invalidRequestId }
        finish(.functionError(Self.errorBody(body, errorType: errorType)))
        return .accepted
    }

    /// `POST /init/error`.
    /// - Parameters:
    ///   - body: The error JSON.
    ///   - errorType: The error type header.
    /// - Returns: The reply.
    package func initError(body: Data, errorType: String?) async -> RuntimeAPIReply {
        guard case .initializing = phase else { return .invalidState }
        let errorBody = Self.errorBody(body, errorType: errorType)
        initErrorBody = errorBody
        phase = .dead
        settleInit(.failed(body: errorBody, exit: nil))
        return .accepted
    }

    // MARK: Internals

    /// A runtime that posts no JSON body still gets an AWS-shaped error.
    private static func errorBody(_ body: Data, errorType: String?) -> Data {
        if (try? JSONSerialization.jsonObject(with: body)) is [String: Any] { return body }
        let object: [String: Any] = [
            "errorMessage": String(decoding: body, as: UTF8.self),
            "errorType": errorType ?? "Runtime.Unknown",
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? body
    }

    private func finish(_ outcome: InvocationOutcome) {
        phase = .idle
        if let waiter = resultWaiter {
            resultWaiter = nil
            waiter.resume(returning: outcome)
        } else {
            pendingOutcome = outcome
        }
    }

    private func settleInit(_ outcome: InitOutcome) {
        initOutcome = outcome
        if let waiter = readyWaiter {
            readyWaiter = nil
            waiter.resume(returning: outcome)
        }
    }

    private func launch(port: Int) {
        var environment = launchSpec.environment
        environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(port)"
        let sink = self.sink
        do {
            process = try WorkerProcess(
                executable: launchSpec.executable,
                arguments: launchSpec.arguments,
                environment: environment,
                directory: launchSpec.directory,
                onLine: { sink.line($0) }
            )
        } catch {
            logger.error("cannot start the Lambda worker \(launchSpec.executable): \(error)")
            launchFailed = true
        }
        let waiters = launchWaiters
        launchWaiters = []
        for waiter in waiters { waiter.resume(returning: process) }
        if launchFailed { failLaunchState() }
    }

    private func failLaunch(_ reason: String) {
        logger.error("Lambda environment \(id): \(reason)")
        launchFailed = true
        let waiters = launchWaiters
        launchWaiters = []
        for waiter in waiters { waiter.resume(returning: nil) }
        failLaunchState()
    }

    private func failLaunchState() {
        if case .initializing = phase {
            phase = .dead
            settleInit(.failed(body: nil, exit: .status(127)))
        }
        phase = .dead
        nextWaiter?.resume(returning: nil)
        nextWaiter = nil
    }

    private func launchedProcess() async -> WorkerProcess? {
        if let process { return process }
        if launchFailed { return nil }
        return await withCheckedContinuation { continuation in launchWaiters.append(continuation) }
    }

    private func processExited(_ exit: WorkerProcess.Exit) {
        switch phase {
        case .initializing:
            settleInit(.failed(body: initErrorBody, exit: exit))
        case .busy:
            finish(.exited(exit))
        case .idle, .dead:
            break
        }
        phase = .dead
        nextWaiter?.resume(returning: nil)
        nextWaiter = nil
        queued = nil
    }
}
