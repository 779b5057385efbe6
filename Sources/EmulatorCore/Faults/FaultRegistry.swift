import Foundation
import Synchronization

/// The active faults and the log of the calls they hit.
///
/// The front door asks ``check(service:operation:at:requestId:resources:)`` once per AWS request (after
/// authentication, before the service runs), and the Lambda invoke path asks ``check(service:operation:at:requestId:resources:)``
/// with ``Stage/lambdaInvocation`` for the function-level effects. With no fault registered the check is one atomic
/// load. Rates draw from the ``EmulatorRandom`` stream `faults`, so `--seed` makes the same calls fail.
package final class FaultRegistry: Sendable {
    /// Where a check happens: the effects each place applies.
    package enum Stage: Sendable {
        /// The front door: AWS errors and latency.
        case gateway
        /// A Lambda invocation about to run: function timeout and init failure.
        case lambdaInvocation
    }

    /// The most injected calls the log keeps (older ones are dropped first).
    package static let logCapacity = 500

    /// The most faults active at once.
    package static let maximumFaults = 100

    private struct State {
        var rules: [FaultRule] = []
        var log: [InjectedFault] = []
        var nextId = 1
        var droppedLogEntries = 0
    }

    private let state = Mutex(State())
    private let hasRules = Atomic<Bool>(false)
    private let clock: VirtualClock
    private let random: RandomStream

    /// Creates an empty registry.
    /// - Parameters:
    ///   - clock: The virtual clock (expiry by time, log times).
    ///   - random: The emulator's random source (the `faults` stream decides rates).
    package init(clock: VirtualClock, random: EmulatorRandom) {
        self.clock = clock
        self.random = random.stream("faults")
    }

    /// Whether no fault is registered (one atomic load).
    package var isEmpty: Bool { !hasRules.load(ordering: .acquiring) }

    /// Adds a fault, giving it the next id.
    /// - Parameter rule: The fault (its id is replaced).
    /// - Returns: The fault as registered, or nil when ``maximumFaults`` are active already.
    package func add(_ rule: FaultRule) -> FaultRule? {
        let now = clock.now
        return state.withLock { state in
            state.rules.removeAll { $0.isExpired(at: now) }
            guard state.rules.count < Self.maximumFaults else { return nil }
            var rule = rule
            rule.id = "fault-\(state.nextId)"
            state.nextId += 1
            state.rules.append(rule)
            hasRules.store(true, ordering: .releasing)
            return rule
        }
    }

    /// The active faults (expired ones are removed first) and the injected-call log, oldest first.
    /// - Returns: The snapshot.
    package func snapshot() -> (active: [FaultRule], injected: [InjectedFault], droppedLogEntries: Int) {
        let now = clock.now
        return state.withLock { state in
            state.rules.removeAll { $0.isExpired(at: now) }
            hasRules.store(!state.rules.isEmpty, ordering: .releasing)
            return (state.rules, state.log, state.droppedLogEntries)
        }
    }

    /// Removes every fault and empties the log.
    /// - Returns: How many faults were removed.
    @discardableResult
    package func clear() -> Int {
        state.withLock { state in
            let count = state.rules.count
            state.rules = []
            state.log = []
            state.droppedLogEntries = 0
            hasRules.store(false, ordering: .releasing)
            return count
        }
    }

    /// Removes one fault.
    /// - Parameter id: Its id.
    /// - Returns: Whether it was active.
    package func remove(id: String) -> Bool {
        state.withLock { state in
            guard let index = state.rules.firstIndex(where: { $0.id == id }) else { return false }
            state.rules.remove(at: index)
            hasRules.store(!state.rules.isEmpty, ordering: .releasing)
            return true
        }
    }

    /// Decides whether a call is hit by a fault, and records the hit.
    ///
    /// Faults are tried in the order they were added; the first one that matches and whose rate draw hits decides.
    /// A hit counts against the fault's ``FaultRule/remaining``; a fault that reaches zero, or whose virtual expiry
    /// has passed, is removed.
    /// - Parameters:
    ///   - service: The service's signing name.
    ///   - operation: The operation name, when known.
    ///   - stage: Where the check happens (which effects apply).
    ///   - requestId: The call's request id, for the log.
    ///   - resources: Works out the call's resources; called only when a candidate fault names a resource.
    /// - Returns: The effect to apply, or nil.
    package func check(
        service: String,
        operation: String?,
        at stage: Stage,
        requestId: String,
        resources: () -> [String]
    ) -> FaultRule.Effect? {
        guard !isEmpty else { return nil }
        let now = clock.now
        var resolved: [String]?
        return state.withLock { state -> FaultRule.Effect? in
            state.rules.removeAll { $0.isExpired(at: now) }
            defer { hasRules.store(!state.rules.isEmpty, ordering: .releasing) }
            for index in state.rules.indices {
                let rule = state.rules[index]
                guard rule.service == service, rule.effect.appliesAtGateway == (stage == .gateway) else { continue }
                if let wanted = rule.operation, wanted != operation { continue }
                if rule.resource != nil {
                    if resolved == nil { resolved = resources() }
                    guard rule.matches(resources: resolved ?? []) else { continue }
                }
                guard random.happens(rate: rule.rate) else { continue }
                state.rules[index].injected += 1
                if let remaining = rule.remaining { state.rules[index].remaining = remaining - 1 }
                let entry = InjectedFault(
                    time: now,
                    faultId: rule.id,
                    service: service,
                    operation: operation,
                    resource: resolved?.first,
                    effect: rule.effect.summary,
                    requestId: requestId
                )
                state.log.append(entry)
                if state.log.count > Self.logCapacity {
                    state.log.removeFirst(state.log.count - Self.logCapacity)
                    state.droppedLogEntries += 1
                }
                if state.rules[index].isExpired(at: now) { state.rules.remove(at: index) }
                return rule.effect
            }
            return nil
        }
    }
}
