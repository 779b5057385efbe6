import EmulatorCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The Lambda service's long-lived work, as one `Service` in the emulator's group: the offline guard listeners
/// (egress guards), every execution environment's task, queued asynchronous invocations with their bounded
/// retries, and the idle reaper (a ``ClockSweeper``). On graceful shutdown it stops every environment.
package struct LambdaSupervisor: Service {
    private let catalog: FunctionCatalog
    private let settings: LambdaSettings
    private let clock: VirtualClock
    private let logger: Logger
    private let gate: ConcurrencyGate
    private let eventQueues: EventQueues
    private let proxyPorts: ProxyPorts
    private let work: AsyncStream<@Sendable () async -> Void>
    private let workQueue: AsyncStream<@Sendable () async -> Void>.Continuation

    /// Creates the supervisor.
    /// - Parameters:
    ///   - catalog: The functions and their runtimes (which change as the API creates, updates and deletes functions).
    ///   - host: What the runtimes share (settings, clock, gate, the work queue's continuation).
    ///   - eventQueues: The asynchronous invocations each function holds.
    ///   - work: The work queue the runtimes and the invoker feed.
    init(
        catalog: FunctionCatalog,
        host: RuntimeHost,
        eventQueues: EventQueues,
        work: AsyncStream<@Sendable () async -> Void>
    ) {
        self.catalog = catalog
        self.settings = host.settings
        self.clock = host.clock
        self.logger = host.logger
        self.gate = host.gate
        self.eventQueues = eventQueues
        self.proxyPorts = host.proxyPorts
        self.work = work
        self.workQueue = host.work
    }

    /// Names the `node` Node.js functions run on, and warns about each function that will not run as declared: a
    /// container image, a layer the template does not define, and for Node.js no interpreter, another major version,
    /// or a `package.json` whose dependencies were never installed.
    private func logNodeRuntimes() {
        let cache = settings.nodeRuntimeFolder ?? NodeRuntimeFiles.defaultFolder
        var announced = false
        for runtime in catalog.runtimes {
            let spec = runtime.function.spec
            for arn in runtime.function.unresolvedLayers {
                logger.warning("\(runtime.function.name): layer \(arn) is not defined in the template and is not available locally")
            }
            if case .image(let uri) = spec.code {
                logger.error(
                    "\(runtime.function.name) is a container image function (PackageType: Image, \(uri)): it is not run (no container engine is used); its invocations fail with ServiceException"
                )
            }
            guard case .node(let major) = LambdaRuntimeFamily(runtime: spec.runtime) else { continue }
            let declared = spec.runtime ?? "nodejs"
            guard let node = settings.node else {
                logger.error(
                    "\(runtime.function.name) (\(declared)) cannot run: no node interpreter was found; install Node.js or pass --lambda-node"
                )
                continue
            }
            if !announced {
                logger.info("Lambda Node.js runtime: \(node.path) (v\(node.version)), runtime cache \(cache.path)")
                announced = true
            }
            if let actual = node.major, actual != major {
                logger.warning(
                    "\(runtime.function.name) declares \(declared) but runs on Node.js \(node.version) (major version \(actual)): behaviour may differ"
                )
            }
            if let code = spec.codeUri {
                let missing = NodeRuntimeFiles.missingDependencies(
                    codeDirectory: code,
                    moduleFolders: [cache.appendingPathComponent("node_modules").path]
                )
                if !missing.isEmpty {
                    logger.warning(
                        "\(runtime.function.name): package.json lists \(missing.joined(separator: ", ")) but \(code) has no node_modules: run `npm install` (or `sam build`) there; until then its cold starts fail with Runtime.ImportModuleError"
                    )
                }
            }
        }
    }

    /// Runs until graceful shutdown: the offline guard, execution environments, queued events and the reaper.
    /// - Throws: Nothing in practice.
    package func run() async throws {
        PythonRuntimeReport.log(functions: catalog.functions, settings: settings, logger: logger)
        logNodeRuntimes()
        if !SocketOwnership.isAvailable {
            logger.warning(
                "this system reports no socket owners (/proc): workers' Runtime API listeners accept any local process"
            )
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                // Each guard is served from the work queue, which this group drains below.
                for runtime in catalog.runtimes { await guardEgress(for: runtime.function.name) }
                proxyPorts.markReady()
                let reaper = idleReaper()
                group.addTask { try? await reaper.run() }
                for await job in work {
                    group.addTask { await job() }
                }
                // Shutdown: stop every environment.
                for runtime in catalog.allRuntimes { await runtime.shutdownAll() }
            }
        }
        workQueue.finish()
    }

    /// The idle reaper: environments unused for ``LambdaSettings/idleTimeout`` virtual seconds are shut down,
    /// checked a quarter of the timeout apart (between 50 ms and 30 s of real time) and whenever the clock moves.
    /// - Returns: The sweeper.
    func idleReaper() -> ClockSweeper {
        let catalog = self.catalog
        let idleTimeout = settings.idleTimeout
        let interval = ClockSweeper.interval(seconds: max(0.05, min(idleTimeout / 4, 30)))
        return ClockSweeper(name: "lambda-idle", clock: clock, interval: interval) { now in
            let cutoff = now.addingTimeInterval(-idleTimeout)
            for runtime in catalog.allRuntimes { await runtime.reclaim(idleSince: cutoff) }
        }
    }

    /// Gives a function its offline guard (unless egress is allowed or it has one): its workers' proxy, served on the
    /// work queue (at start for the functions there are, then for each function the API creates).
    /// - Parameter name: The function name.
    func guardEgress(for name: String) async {
        guard !settings.allowEgress, proxyPorts.port(name) == nil else { return }
        do {
            let listener = try await EgressGuard.bind(function: name, logger: logger)
            proxyPorts.set(name, listener.localAddress?.port ?? 0)
            workQueue.yield { await EgressGuard.serve(listener) }
        } catch {
            logger.error("offline guard for \(name) cannot bind: \(error); its workers get no proxy")
        }
    }

    // MARK: Asynchronous invocations

    /// Queues an asynchronous invocation the function's event queue has admitted; the queue slot is given back
    /// once it has run (with its retries).
    /// - Parameters:
    ///   - runtime: The function's runtime.
    ///   - payload: The event JSON.
    ///   - context: Who invokes.
    ///   - requestId: The invocation's request id.
    func enqueueEvent(_ runtime: FunctionRuntime, payload: Data, context: LambdaInvocationContext, requestId: String) {
        let queues = eventQueues
        let supervisor = self
        workQueue.yield {
            await supervisor.runEvent(runtime, payload: payload, context: context, requestId: requestId)
            queues.finish(runtime.function.name)
        }
    }

    /// An asynchronous invocation: waits for capacity, runs, and retries twice on error (AWS's policy, with
    /// the delays of ``LambdaSettings/eventRetryDelays`` on the virtual clock).
    private func runEvent(_ runtime: FunctionRuntime, payload: Data, context: LambdaInvocationContext, requestId: String) async {
        let name = runtime.function.name
        var attempt = 0
        if let delay = context.deliveryDelay, delay > .zero { try? await Task.sleep(for: delay) }
        while !Task.isCancelled {
            let releasesSeen = gate.releaseCount
            do {
                let result = try await runtime.invoke(payload: payload, context: context, requestId: requestId)
                guard result.functionError != nil, attempt < settings.eventRetryDelays.count else { return }
                logger.info(
                    "asynchronous invocation \(requestId) of \(name) failed; retry \(attempt + 1) of \(settings.eventRetryDelays.count)"
                )
                let delay = LambdaNumbers.seconds(settings.eventRetryDelays[attempt])
                await sleep(untilVirtual: clock.now.addingTimeInterval(delay))
                attempt += 1
            } catch .tooManyRequests {
                // Queued events wait for capacity instead of failing: until a running invocation gives its slot back.
                await gate.waitForRelease(since: releasesSeen)
            } catch {
                logger.error("asynchronous invocation \(requestId) of \(name) failed: \(error.message)")
                return
            }
        }
    }

    /// Waits until the virtual clock reaches `deadline`: a real-time timer for the time left, cut short when the
    /// clock is moved (`POST /_local/clock`), or until the task is cancelled.
    private func sleep(untilVirtual deadline: Date) async {
        let changes = clock.changes()
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await now in changes where now >= deadline { return }
            }
            group.addTask {
                while !Task.isCancelled {
                    let remaining = deadline.timeIntervalSince(clock.now)
                    guard remaining.isFinite, remaining > 0 else { return }
                    try? await Task.sleep(for: .seconds(min(remaining, 3_600)))
                }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }
}

/// The offline guard's port for each function, known once the listeners are bound in the supervisor's `run()`.
final class ProxyPorts: Sendable {
    private let state = Mutex<(ports: [String: Int], ready: Bool, waiters: [CheckedContinuation<Void, Never>])>(([:], false, []))

    func set(_ function: String, _ port: Int) { state.withLock { $0.ports[function] = port } }

    func port(_ function: String) -> Int? { state.withLock { $0.ports[function] } }

    func markReady() {
        let waiters = state.withLock { state in
            state.ready = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitUntilReady() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.ready { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
