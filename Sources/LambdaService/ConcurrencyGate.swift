import Foundation
import Synchronization

/// Counts running invocations per function and for the account, and refuses those past the limits.
///
/// Queued asynchronous invocations that were refused wait with ``waitForRelease(since:)`` until a slot is given
/// back, instead of polling.
package final class ConcurrencyGate: Sendable {
    private struct State {
        var total = 0
        var unreserved = 0
        var perFunction: [String: Int] = [:]
        /// How many slots were given back so far (wrapping): a waiter that saw an older value need not wait.
        var releases: UInt64 = 0
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
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

    /// Gives a slot back and wakes every invocation waiting for one.
    /// - Parameters:
    ///   - function: The function name.
    ///   - reserved: Its reserved concurrency, as given to ``acquire(function:reserved:)``.
    package func release(function: String, reserved: Int?) {
        let waiters = state.withLock { state in
            state.perFunction[function, default: 1] -= 1
            state.total -= 1
            if reserved == nil { state.unreserved -= 1 }
            state.releases &+= 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The release count, to read before trying ``acquire(function:reserved:)`` and pass to
    /// ``waitForRelease(since:)`` when it was refused.
    package var releaseCount: UInt64 { state.withLock { $0.releases } }

    /// Waits until a slot is given back after `since` was read (at once if that has already happened), or the task
    /// is cancelled.
    /// - Parameter since: ``releaseCount`` as read before the refused attempt.
    package func waitForRelease(since: UInt64) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.releases != since || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Invocations running now.
    package var running: Int { state.withLock { $0.total } }
}

/// The asynchronous (`Event`) invocations each function holds: accepted and not yet done (waiting for capacity,
/// running, or waiting for a retry). A full queue refuses new events with `TooManyRequestsException`.
package final class EventQueues: Sendable {
    private let pending = Mutex<[String: Int]>([:])
    /// The most events one function holds.
    package let capacity: Int

    /// Creates the queues.
    /// - Parameter capacity: The most events one function holds.
    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Admits an event when the function's queue has room.
    /// - Parameter function: The function name.
    /// - Returns: `false` when the queue is full.
    package func admit(_ function: String) -> Bool {
        pending.withLock { pending in
            let count = pending[function, default: 0]
            guard count < capacity else { return false }
            pending[function] = count + 1
            return true
        }
    }

    /// Removes a finished event.
    /// - Parameter function: The function name.
    package func finish(_ function: String) {
        pending.withLock { pending in
            let count = pending[function, default: 0]
            pending[function] = count > 1 ? count - 1 : nil
        }
    }

    /// Events the function holds now.
    /// - Parameter function: The function name.
    /// - Returns: The count.
    package func count(_ function: String) -> Int { pending.withLock { $0[function, default: 0] } }
}
