import Foundation
import Synchronization

/// The Python and Node.js interpreters for functions the API creates after start: at start the emulator looks only
/// for the runtimes the template's functions declare (probing costs time), so a function created later whose runtime
/// was not looked for finds its interpreters here, discovered once at its first cold start.
final class LateRuntimes: Sendable {
    private struct State {
        var python: PythonRuntimeTable?
        var nodeSearched = false
        var node: NodeInterpreter?
    }

    private let state = Mutex(State())

    /// Creates the empty slot.
    init() {}

    /// The Python interpreters: those found at start, else every one discoverable (found once).
    /// - Parameter settings: The Lambda settings.
    /// - Returns: The table.
    func python(_ settings: LambdaSettings) -> PythonRuntimeTable {
        if let table = settings.pythonRuntimes, !table.interpreters.isEmpty { return table }
        return state.withLock { state in
            if let table = state.python { return table }
            let table = settings.discoverPythonRuntimes(wanted: nil)
            state.python = table
            return table
        }
    }

    /// The `node` interpreter: the one found at start, else the one on `PATH` (looked for once).
    /// - Parameter settings: The Lambda settings.
    /// - Returns: The interpreter, or `nil` when there is none.
    func node(_ settings: LambdaSettings) -> NodeInterpreter? {
        if let node = settings.node { return node }
        return state.withLock { state in
            if !state.nodeSearched {
                state.nodeSearched = true
                state.node = NodeInterpreter.locate(explicit: settings.nodePath, searchPath: ProcessInfo.processInfo.environment["PATH"])
            }
            return state.node
        }
    }
}
