import Synchronization

/// Counts running invocations per function and for the account, and refuses those past the limits.
package final class ConcurrencyGate: Sendable {
    private struct State {
        var total = 0
        var unreserved = 0
        var perFunction: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let accountLimit: Int

    /// Creates a gate.
    /// - Parameter accountLimit: The account's concurrency limit.
    package init(accountLimit: Int) {
        self.accountLimit = accountLimit
    }

    /// Takes a slot.
    /// - Parameters:
    ///   - function: The function name.
    ///   - reserved: Its reserved concurrency, if any: then its own limit, carved out of the account's pool.
    /// - Throws: ``LambdaError/tooManyRequests(reason:)`` when no slot is free.
    package func acquire(function: String, reserved: Int?) throws(LambdaError) {
        let refused: LambdaError.ThrottleReason? = state.withLock { state in
            let running = state.perFunction[function, default: 0]
            if let reserved {
                guard running < reserved else { return .reservedFunction }
            } else {
                guard state.unreserved < accountLimit else { return .account }
                state.unreserved += 1
            }
            state.perFunction[function] = running + 1
            state.total += 1
            return nil
        }
        if let refused { throw .tooManyRequests(reason: refused) }
    }

    /// Gives a slot back.
    /// - Parameters:
    ///   - function: The function name.
    ///   - reserved: Its reserved concurrency, as given to ``acquire(function:reserved:)``.
    package func release(function: String, reserved: Int?) {
        state.withLock { state in
            state.perFunction[function, default: 1] -= 1
            state.total -= 1
            if reserved == nil { state.unreserved -= 1 }
        }
    }

    /// Invocations running now.
    package var running: Int { state.withLock { $0.total } }
}
