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
    private let stream: String
    private let store: LogStore
    private let clock: @Sendable () -> Date

    init(function: String, stream: String = "", store: LogStore, clock: @escaping @Sendable () -> Date) {
        self.function = function
        self.stream = stream
        self.store = store
        self.clock = clock
    }

    /// Records a line.
    func line(_ text: String) {
        store.append(text, function: function, stream: stream, timestamp: clock())
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
/// States: `launching` while the listener binds and the worker starts; `initializing` until the runtime's first
/// `GET /next` (ready) or `POST /init/error` / exit (failed); then `idle` and `busy` in turn, one invocation at a
/// time; `dead` once the process has ended. The state is one enum whose cases carry the continuations waiting in
/// them, as swift-aws-lambda-runtime's `LambdaRuntimeClient` carries its connection waiters in its state, so no
/// waiter can outlive the state it waits in: every transition answers the waiters of the state it leaves.
package actor ExecutionEnvironment: RuntimeAPIBackend {
    /// An invocation handed to the environment.
    private struct Busy {
        /// The invocation.
        var invocation: RuntimeInvocation
        /// Whether the runtime has taken it (`GET /next` answered); until then it waits for the runtime's poll.
        var delivered: Bool
        /// When it was handed over (for the timeout message).
        var since: ContinuousClock.Instant
        /// The invoker, waiting for the outcome (`nil` answers "this environment cannot take it").
        var outcomeWaiter: CheckedContinuation<InvocationOutcome?, Never>
        /// A runtime polling `GET /next` again before answering this invocation.
        var poller: CheckedContinuation<RuntimeInvocation?, Never>?
    }

    private enum State {
        /// The listener binds and the worker starts: the exit watcher waits for the process, the cold start for
        /// readiness.
        case launching(
            started: ContinuousClock.Instant,
            processWaiters: [CheckedContinuation<WorkerProcess?, Never>],
            readyWaiter: CheckedContinuation<InitOutcome, Never>?
        )
        /// The worker runs its init code until its first `GET /next`; the cold start waits for readiness.
        case initializing(started: ContinuousClock.Instant, readyWaiter: CheckedContinuation<InitOutcome, Never>?)
        /// Ready for an invocation; the runtime may be waiting in `GET /next`.
        case idle(poller: CheckedContinuation<RuntimeInvocation?, Never>?)
        /// One invocation in progress.
        case busy(Busy)
        /// The worker ended, or never started.
        case dead
    }

    /// An id for logs (the log stream suffix).
    package nonisolated let id: String
    /// The log stream name (`2026/01/01/[$LATEST]hex`).
    package nonisolated let logStreamName: String
    private let launchSpec: WorkerLaunch
    private nonisolated let sink: LineSink
    private let logger: Logger
    private var state: State = .launching(started: .now, processWaiters: [], readyWaiter: nil)
    /// The worker, once started (kept after it died, to read its memory figures).
    private var process: WorkerProcess?
    /// How initialisation ended, once it did (for a cold start that asks after the fact).
    private var initOutcome: InitOutcome?

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
        // The listener runs in a task of its own that the environment's cancellation does not reach: it stops only once
        // the worker is gone. Cancelled while the worker could still connect, NIO's accept loop can drop a connection
        // it accepted but had not handed over yet, and NIO then traps ("Deinited NIOAsyncWriter without calling
        // finish()", apple/swift-nio#2637): shutdown and idle reclaim did, while the worker polled for its next event.
        let listener = Task {
            do {
                // Only the worker's own sockets may take or answer this environment's invocations.
                try await RuntimeAPIServer.run(backend: self, peers: .process { await self.workerPID }) { port in
                    await self.launch(port: port)
                }
            } catch {
                self.failLaunch("cannot bind the Runtime API listener: \(error)")
            }
        }
        // Whichever ends first ends the environment: a failed launch (the listener) kills the worker; the worker's end
        // (its exit, or its kill when the environment is cancelled) stops the listener, now that nothing can connect.
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await listener.value
                return false
            }
            group.addTask {
                guard let process = await self.launchedProcess() else { return true }
                let exit = await withTaskCancellationHandler {
                    await process.waitForExit()
                } onCancel: {
                    process.kill()
                }
                await process.drain()
                await self.processExited(exit)
                return true
            }
            if await group.next() == true {
                listener.cancel()
            } else {
                group.cancelAll()
            }
            _ = await group.next()
        }
    }

    /// Waits until the runtime is ready for events, or initialisation failed.
    /// - Returns: The outcome.
    package func waitUntilReady() async -> InitOutcome {
        if let initOutcome { return initOutcome }
        return await withCheckedContinuation { continuation in
            switch state {
            case .launching(let started, let processWaiters, let previous):
                previous?.resume(returning: .failed(body: nil, exit: nil))
                state = .launching(started: started, processWaiters: processWaiters, readyWaiter: continuation)
            case .initializing(let started, let previous):
                previous?.resume(returning: .failed(body: nil, exit: nil))
                state = .initializing(started: started, readyWaiter: continuation)
            case .idle, .busy, .dead:
                // Initialisation has ended, so its outcome was recorded.
                continuation.resume(returning: initOutcome ?? .failed(body: nil, exit: nil))
            }
        }
    }

    /// Hands an invocation to the runtime and waits for its outcome.
    /// - Parameter invocation: The invocation.
    /// - Returns: The outcome, or `nil` when the environment cannot take it (it died while idle).
    package func invoke(_ invocation: RuntimeInvocation) async -> InvocationOutcome? {
        await withCheckedContinuation { continuation in
            guard case .idle(let poller) = state else { return continuation.resume(returning: nil) }
            state = .busy(Busy(invocation: invocation, delivered: poller != nil, since: .now, outcomeWaiter: continuation))
            poller?.resume(returning: invocation)
        }
    }

    /// Ends the current invocation with a timeout and kills the worker, as Lambda does.
    /// - Parameter requestId: The invocation that timed out.
    package func timeOut(requestId: String) {
        guard case .busy(let busy) = state, busy.invocation.requestId == requestId else { return }
        let elapsed = ContinuousClock.now - busy.since
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        end(initFailure: .failed(body: nil, exit: nil), outcome: .timedOut(seconds: seconds))
        process?.kill()
    }

    /// Kills the worker (idle reclaim, shutdown, failed init); an environment whose worker has not started yet
    /// never starts it.
    package func shutdown() {
        process?.kill()
        if process == nil { end(initFailure: .failed(body: nil, exit: .status(127)), outcome: .exited(.status(127))) }
    }

    /// Whether the environment can take an invocation.
    package var isAlive: Bool {
        if case .dead = state { return false }
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
        switch state {
        case .launching(let started, _, _), .initializing(let started, _):
            // The first poll: initialisation is over.
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            settleInit(.ready(initMilliseconds: milliseconds), next: .idle(poller: nil))
        case .busy(var busy) where !busy.delivered:
            busy.delivered = true
            state = .busy(busy)
            return busy.invocation
        case .dead:
            return nil
        case .idle, .busy:
            break
        }
        return await withCheckedContinuation { continuation in
            switch state {
            case .idle(let previous):
                // A second poller replaces the first (a runtime that reconnected).
                previous?.resume(returning: nil)
                state = .idle(poller: continuation)
            case .busy(var busy):
                busy.poller?.resume(returning: nil)
                busy.poller = continuation
                state = .busy(busy)
            case .launching, .initializing, .dead:
                continuation.resume(returning: nil)
            }
        }
    }

    /// `POST /invocation/{id}/response`.
    /// - Parameters:
    ///   - requestId: The invocation.
    ///   - body: The response.
    ///   - tooLarge: Whether it was over the limit.
    /// - Returns: The reply.
    package func invocationResponse(requestId: String, body: Data, tooLarge: Bool) async -> RuntimeAPIReply {
        guard case .busy(let busy) = state, busy.invocation.requestId == requestId else { return .invalidRequestId }
        if tooLarge {
            finish(busy, .responseTooLarge)
            return .payloadTooLarge
        }
        finish(busy, .success(body))
        return .accepted
    }

    /// `POST /invocation/{id}/error`.
    /// - Parameters:
    ///   - requestId: The invocation.
    ///   - body: The error JSON.
    ///   - errorType: The error type header.
    /// - Returns: The reply.
    package func invocationError(requestId: String, body: Data, errorType: String?) async -> RuntimeAPIReply {
        guard case .busy(let busy) = state, busy.invocation.requestId == requestId else { return .invalidRequestId }
        finish(busy, .functionError(Self.errorBody(body, errorType: errorType)))
        return .accepted
    }

    /// `POST /init/error`.
    /// - Parameters:
    ///   - body: The error JSON.
    ///   - errorType: The error type header.
    /// - Returns: The reply.
    package func initError(body: Data, errorType: String?) async -> RuntimeAPIReply {
        switch state {
        case .launching, .initializing: break
        case .idle, .busy, .dead: return .invalidState
        }
        end(initFailure: .failed(body: Self.errorBody(body, errorType: errorType), exit: nil), outcome: .exited(.status(1)))
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

    /// Ends an invocation: the environment is idle again (keeping a runtime that already polls), the invoker
    /// gets the outcome.
    private func finish(_ busy: Busy, _ outcome: InvocationOutcome) {
        state = .idle(poller: busy.poller)
        busy.outcomeWaiter.resume(returning: outcome)
    }

    /// Records how initialisation ended, moves to `next`, and answers the cold start and the exit watcher.
    private func settleInit(_ outcome: InitOutcome, next: State) {
        let previous = state
        state = next
        initOutcome = outcome
        switch previous {
        case .launching(_, let processWaiters, let readyWaiter):
            for waiter in processWaiters { waiter.resume(returning: process) }
            readyWaiter?.resume(returning: outcome)
        case .initializing(_, let readyWaiter):
            readyWaiter?.resume(returning: outcome)
        case .idle, .busy, .dead:
            break
        }
    }

    /// The environment is dead: every waiter of the state it leaves is answered, initialisation with
    /// `initFailure`, an invocation in progress with `outcome`, a polling runtime with no event.
    private func end(initFailure: InitOutcome, outcome: InvocationOutcome) {
        switch state {
        case .launching, .initializing:
            settleInit(initFailure, next: .dead)
        case .idle(let poller):
            state = .dead
            poller?.resume(returning: nil)
        case .busy(let busy):
            state = .dead
            busy.outcomeWaiter.resume(returning: outcome)
            busy.poller?.resume(returning: nil)
        case .dead:
            break
        }
    }

    private func launch(port: Int) {
        // Shut down before the listener was bound: nothing starts.
        guard case .launching(let started, let processWaiters, let readyWaiter) = state else { return }
        var environment = launchSpec.environment
        environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(port)"
        let sink = self.sink
        do {
            let worker = try WorkerProcess(
                executable: launchSpec.executable,
                arguments: launchSpec.arguments,
                environment: environment,
                directory: launchSpec.directory,
                onLine: { sink.line($0) }
            )
            process = worker
            state = .initializing(started: started, readyWaiter: readyWaiter)
            for waiter in processWaiters { waiter.resume(returning: worker) }
        } catch {
            logger.error("cannot start the Lambda worker \(launchSpec.executable): \(error)")
            end(initFailure: .failed(body: nil, exit: .status(127)), outcome: .exited(.status(127)))
        }
    }

    private func failLaunch(_ reason: String) {
        logger.error("Lambda environment \(id): \(reason)")
        end(initFailure: .failed(body: nil, exit: .status(127)), outcome: .exited(.status(127)))
    }

    /// The worker process once it started, or `nil` when it never will.
    private func launchedProcess() async -> WorkerProcess? {
        if let process { return process }
        return await withCheckedContinuation { continuation in
            guard case .launching(let started, var processWaiters, let readyWaiter) = state else {
                return continuation.resume(returning: process)
            }
            processWaiters.append(continuation)
            state = .launching(started: started, processWaiters: processWaiters, readyWaiter: readyWaiter)
        }
    }

    private func processExited(_ exit: WorkerProcess.Exit) {
        // An invocation the runtime never took (it was exiting when it was handed over) can run elsewhere.
        if case .busy(let busy) = state, !busy.delivered {
            state = .dead
            busy.outcomeWaiter.resume(returning: nil)
            busy.poller?.resume(returning: nil)
            return
        }
        end(initFailure: .failed(body: nil, exit: exit), outcome: .exited(exit))
    }
}
