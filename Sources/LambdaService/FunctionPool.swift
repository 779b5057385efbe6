import Foundation

/// The execution environments of one function: idle ones ready for warm invocations, and a count of all.
package actor FunctionPool {
    private var idle: [(environment: ExecutionEnvironment, lastUsed: Date)] = []
    private var all: [String: ExecutionEnvironment] = [:]

    /// Creates an empty pool.
    package init() {}

    /// Takes the most recently used idle environment, if any.
    /// - Returns: The environment.
    package func take() -> ExecutionEnvironment? { idle.popLast()?.environment }

    /// Registers a new environment.
    /// - Parameter environment: The environment.
    package func add(_ environment: ExecutionEnvironment) { all[environment.id] = environment }

    /// Returns an environment after an invocation; dead ones are dropped.
    /// - Parameters:
    ///   - environment: The environment.
    ///   - alive: Whether it can take more invocations.
    ///   - now: The virtual time.
    package func put(_ environment: ExecutionEnvironment, alive: Bool, now: Date) {
        if alive {
            idle.append((environment, now))
        } else {
            all[environment.id] = nil
        }
    }

    /// Removes idle environments unused since before `cutoff` and returns them (to be shut down).
    /// - Parameter cutoff: The oldest last use kept.
    /// - Returns: The reclaimed environments.
    package func reclaim(idleSince cutoff: Date) -> [ExecutionEnvironment] {
        let stale = idle.filter { $0.lastUsed < cutoff }.map(\.environment)
        idle.removeAll { $0.lastUsed < cutoff }
        for environment in stale { all[environment.id] = nil }
        return stale
    }

    /// Removes every environment and returns them.
    /// - Returns: The environments.
    package func removeAll() -> [ExecutionEnvironment] {
        let environments = Array(all.values)
        all = [:]
        idle = []
        return environments
    }

    /// The number of environments (idle and busy).
    package var count: Int { all.count }
}
