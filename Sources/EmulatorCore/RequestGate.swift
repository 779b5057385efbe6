import Synchronization

/// Holds requests off while the whole state is replaced (a snapshot restore).
///
/// Requests pass with one lock round trip while the gate is open and are counted; ``close(drainingFor:)`` makes new
/// requests wait until ``open()`` and waits (boundedly) until the requests already running have finished. The bound
/// matters: a request may itself wait on another request (a function invoked by API Gateway calling S3 through the
/// edge port), which the closed gate holds.
package final class RequestGate: Sendable {
    private struct State {
        var closed = false
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// Creates a gate.
    /// - Parameter closed: Whether requests wait from the start until ``open()`` (work that must finish before the
    ///   first request, such as the start-up stack's reconciliation).
    package init(closed: Bool = false) { state = Mutex(State(closed: closed)) }

    /// Waits while the gate is closed, then counts the request as running; pair with ``leave()``.
    package func enter() async {
        while true {
            let passed = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.running += 1
                return true
            }
            if passed { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.closed else { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Counts a request as finished.
    package func leave() {
        state.withLock { $0.running = max(0, $0.running - 1) }
    }

    /// The number of requests running now.
    package var running: Int { state.withLock { $0.running } }

    /// Whether the gate holds new requests off.
    package var isClosed: Bool { state.withLock { $0.closed } }

    /// Holds new requests off and waits until the running ones have finished, at most `limit`.
    /// - Parameter limit: How long to wait for running requests.
    /// - Returns: The number of requests still running when the wait ended (0 when all finished).
    @discardableResult
    package func close(drainingFor limit: Duration) async -> Int {
        state.withLock { $0.closed = true }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if running == 0 { return 0 }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return running
    }

    /// Lets requests pass again, waking those held off.
    package func open() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = false
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
