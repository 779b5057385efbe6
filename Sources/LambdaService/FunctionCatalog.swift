import EmulatorCore
import Foundation
import Synchronization

/// The functions (the template's and those the API created), each with its ``FunctionRuntime``, and how the API and
/// in-process callers find one by name, physical name, logical id, ARN or partial ARN, with an optional qualifier.
///
/// Functions come and go at run time (CreateFunction, DeleteFunction); an update replaces a function's entry with a
/// new runtime, so the next invocation gets a fresh environment with the new code and configuration. The state is
/// a small synchronous slot behind a `Mutex` (no `await` inside).
final class FunctionCatalog: Sendable {
    /// A located function and the qualifier in effect (`$LATEST` or none).
    struct Located: Sendable {
        /// The function.
        var function: LambdaFunction
        /// The qualifier given (by parameter or embedded in the name), if any.
        var qualifier: String?
        /// The function's ARN with the qualifier, as an event source mapping's `FunctionArn` keeps it (an alias or
        /// version ARN invokes that alias or version).
        var qualifiedArn: String { qualifier.map { "\(function.arn):\($0)" } ?? function.arn }
    }

    private struct State {
        var order: [String] = []
        var functions: [String: LambdaFunction] = [:]
        var runtimes: [String: FunctionRuntime] = [:]
        var versions: [String: [LambdaFunction]] = [:]
        var aliases: [String: [String: FunctionAlias]] = [:]
    }

    /// The key of a version's runtime: the name for `$LATEST`, `NAME:N` for a published version.
    static func runtimeKey(_ function: LambdaFunction) -> String {
        function.version == "$LATEST" ? function.name : "\(function.name):\(function.version)"
    }

    private let state = Mutex(State())
    private let environment: LiveEnvironment

    /// Creates the catalog.
    /// - Parameters:
    ///   - functions: The functions, each with its runtime.
    ///   - environment: Region and account (of the ARNs in ResourceNotFound messages).
    init(functions: [(LambdaFunction, FunctionRuntime)], environment: LiveEnvironment) {
        self.environment = environment
        state.withLock { state in
            for (function, runtime) in functions { Self.put(&state, function, runtime) }
        }
    }

    private static func put(_ state: inout State, _ function: LambdaFunction, _ runtime: FunctionRuntime) {
        if state.functions[function.name] == nil { state.order.append(function.name) }
        state.functions[function.name] = function
        state.runtimes[function.name] = runtime
    }

    /// Every function, in creation order (template order first).
    var functions: [LambdaFunction] { state.withLock { state in state.order.compactMap { state.functions[$0] } } }

    /// Every function's `$LATEST` runtime, in creation order.
    var runtimes: [FunctionRuntime] { state.withLock { state in state.order.compactMap { state.runtimes[$0] } } }

    /// Every runtime, published versions' too.
    var allRuntimes: [FunctionRuntime] { state.withLock { Array($0.runtimes.values) } }

    /// The runtime serving a version of a function now.
    /// - Parameter function: The function version.
    /// - Returns: The runtime, or `nil` when it is gone.
    func runtime(for function: LambdaFunction) -> FunctionRuntime? { state.withLock { $0.runtimes[Self.runtimeKey(function)] } }

    /// A function's published versions, oldest first.
    /// - Parameter name: The function name.
    /// - Returns: The versions.
    func versions(of name: String) -> [LambdaFunction] { state.withLock { $0.versions[name] ?? [] } }

    /// A function's aliases, by name.
    /// - Parameter name: The function name.
    /// - Returns: The aliases.
    func aliases(of name: String) -> [FunctionAlias] {
        state.withLock { ($0.aliases[name] ?? [:]).values.sorted { $0.name < $1.name } }
    }

    /// Adds a published version.
    /// - Parameters:
    ///   - version: The version (its ``LambdaFunction/version`` set).
    ///   - runtime: Its runtime.
    func addVersion(_ version: LambdaFunction, runtime: FunctionRuntime) {
        state.withLock { state in
            state.versions[version.name, default: []].append(version)
            state.runtimes[Self.runtimeKey(version)] = runtime
        }
    }

    /// Removes a published version.
    /// - Parameters:
    ///   - name: The function name.
    ///   - version: The version number.
    /// - Returns: Its runtime, which the caller shuts down.
    func removeVersion(_ name: String, version: String) -> FunctionRuntime? {
        state.withLock { state in
            state.versions[name]?.removeAll { $0.version == version }
            return state.runtimes.removeValue(forKey: "\(name):\(version)")
        }
    }

    /// Creates or replaces an alias.
    /// - Parameters:
    ///   - name: The function name.
    ///   - alias: The alias.
    func setAlias(_ name: String, _ alias: FunctionAlias) { state.withLock { $0.aliases[name, default: [:]][alias.name] = alias } }

    /// The resource-based policy of a published version or an alias, which AWS keeps apart from the function's (an
    /// invocation through `NAME:QUALIFIER` is checked against it alone).
    /// - Parameters:
    ///   - name: The function name.
    ///   - qualifier: A version number or an alias name.
    /// - Returns: The policy's statements and the version's or alias's revision id; nil when neither exists.
    func qualifiedPolicy(_ name: String, qualifier: String) -> (statements: [String], revisionId: String)? {
        state.withLock { state in
            if let alias = state.aliases[name]?[qualifier] { return (alias.policyStatements ?? [], alias.revisionId) }
            if let version = state.versions[name]?.first(where: { $0.version == qualifier }) {
                return (version.policyStatements, version.revisionId)
            }
            return nil
        }
    }

    /// Replaces the resource-based policy of a published version or an alias, with a new revision id.
    /// - Parameters:
    ///   - name: The function name.
    ///   - qualifier: A version number or an alias name.
    ///   - statements: The statements.
    /// - Returns: Whether the version or alias exists.
    func setQualifiedPolicy(_ name: String, qualifier: String, statements: [String]) -> Bool {
        state.withLock { state in
            if var alias = state.aliases[name]?[qualifier] {
                alias.policyStatements = statements
                alias.revisionId = RequestID.uuid()
                state.aliases[name]?[qualifier] = alias
                return true
            }
            guard let index = state.versions[name]?.firstIndex(where: { $0.version == qualifier }) else { return false }
            state.versions[name]?[index].policyStatements = statements
            state.versions[name]?[index].revision = RequestID.uuid()
            return true
        }
    }

    /// Removes an alias.
    /// - Parameters:
    ///   - name: The function name.
    ///   - alias: The alias name.
    func removeAlias(_ name: String, _ alias: String) { state.withLock { _ = $0.aliases[name]?.removeValue(forKey: alias) } }

    /// The runtime serving a function now.
    /// - Parameter name: The function name.
    /// - Returns: The runtime, or `nil` when the function is gone.
    func runtime(named name: String) -> FunctionRuntime? { state.withLock { $0.runtimes[name] } }

    /// The function with a name (exactly).
    /// - Parameter name: The function name.
    /// - Returns: The function, or `nil`.
    func function(named name: String) -> LambdaFunction? { state.withLock { $0.functions[name] } }

    /// Adds a function, or replaces the one of the same name.
    /// - Parameters:
    ///   - function: The function.
    ///   - runtime: Its new runtime.
    /// - Returns: The runtime it replaced, which the caller shuts down.
    @discardableResult
    func put(_ function: LambdaFunction, runtime: FunctionRuntime) -> FunctionRuntime? {
        state.withLock { state in
            let previous = state.runtimes[function.name]
            Self.put(&state, function, runtime)
            return previous
        }
    }

    /// Removes a function.
    /// - Parameter name: The function name.
    /// - Returns: The removed runtime, which the caller shuts down.
    @discardableResult
    func remove(_ name: String) -> [FunctionRuntime] {
        state.withLock { state in
            state.order.removeAll { $0 == name }
            state.functions[name] = nil
            var removed: [FunctionRuntime] = []
            for version in state.versions.removeValue(forKey: name) ?? [] {
                if let runtime = state.runtimes.removeValue(forKey: Self.runtimeKey(version)) { removed.append(runtime) }
            }
            state.aliases[name] = nil
            if let runtime = state.runtimes.removeValue(forKey: name) { removed.append(runtime) }
            return removed
        }
    }

    /// Finds a function with an optional qualifier: `$LATEST`, a published version, or an alias (whose routing
    /// weights pick the version).
    /// - Parameters:
    ///   - identifier: A name, physical name, logical id, ARN or partial ARN, optionally `:QUALIFIER`.
    ///   - qualifier: The `Qualifier` parameter, which wins over an embedded one.
    /// - Returns: The function and the qualifier in effect.
    /// - Throws: ``LambdaError/resourceNotFound(arn:)`` with the ARN AWS names.
    func locate(_ identifier: String, qualifier: String?) throws(LambdaError) -> Located {
        guard let found = resolve(identifier) else {
            throw .resourceNotFound(arn: unqualifiedArn(for: identifier, qualifier: qualifier))
        }
        let effective = qualifier ?? found.qualifier
        guard let effective, effective != "$LATEST" else { return Located(function: found.function, qualifier: effective) }
        let name = found.function.name
        let resolved: LambdaFunction? = state.withLock { state in
            var version = effective
            if let alias = state.aliases[name]?[effective] {
                var generator = EmulatorRandom.idGenerator("lambda-alias-routing")  // seeded under --seed
                version = alias.version(draw: Double.random(in: 0..<1, using: &generator))
                if version == "$LATEST" { return state.functions[name] }
            }
            return state.versions[name]?.first { $0.version == version }
        }
        guard let resolved else { throw .resourceNotFound(arn: "\(found.function.arn):\(effective)") }
        return Located(function: resolved, qualifier: effective)
    }

    /// Finds a function, splitting off an embedded qualifier (`NAME:QUALIFIER`, `ARN:QUALIFIER`,
    /// `ACCOUNT:function:NAME:QUALIFIER`) when the whole identifier names none.
    /// - Parameter identifier: The identifier.
    /// - Returns: The function and the embedded qualifier, or `nil`.
    func resolve(_ identifier: String) -> Located? {
        let functions = self.functions
        if let function = functions.first(where: { $0.matches(identifier) }) { return Located(function: function, qualifier: nil) }
        guard let colon = identifier.lastIndex(of: ":") else { return nil }
        let base = String(identifier[..<colon])
        let qualifier = String(identifier[identifier.index(after: colon)...])
        guard let function = functions.first(where: { $0.matches(base) }) else { return nil }
        return Located(function: function, qualifier: qualifier)
    }

    /// The ARN AWS reports for a function that does not exist.
    /// - Parameters:
    ///   - identifier: The identifier asked for.
    ///   - qualifier: The qualifier asked for.
    /// - Returns: `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
    func unqualifiedArn(for identifier: String, qualifier: String? = nil) -> String {
        let current = environment.current
        let name: String
        if let range = identifier.range(of: ":function:") {
            name = String(identifier[range.upperBound...])
        } else {
            name = identifier
        }
        let suffix = qualifier.map { ":\($0)" } ?? ""
        return "arn:aws:lambda:\(current.region):\(current.accountId):function:\(name)\(suffix)"
    }
}
