import Foundation

/// The user cache folder the Lambda service keeps runtime files, extracted code and dependency installs in.
enum UserCache {
    /// `$XDG_CACHE_HOME`, else `~/.cache`.
    static var base: URL {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["XDG_CACHE_HOME"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache", isDirectory: true)
    }
}

/// Runs one preparation per key at a time: a caller asking for a key whose preparation is running waits for that
/// one's result instead of starting a second (concurrent cold starts of the same code share one install or
/// extraction).
actor SingleFlight {
    private var running: [String: Task<String, any Error>] = [:]

    /// Runs `work` for `key`, or waits for the run already in progress.
    /// - Parameters:
    ///   - key: What is being prepared.
    ///   - work: The preparation; its result is the prepared folder.
    /// - Returns: The folder.
    /// - Throws: What `work` throws.
    func run(_ key: String, _ work: @escaping @Sendable () async throws -> String) async throws -> String {
        if let inProgress = running[key] { return try await inProgress.value }
        let task = Task { try await work() }
        running[key] = task
        defer { running[key] = nil }
        return try await task.value
    }
}
