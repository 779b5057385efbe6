import Foundation

/// The language a function's `Runtime` names, as far as the emulator runs it.
package enum LambdaRuntimeFamily: Sendable, Equatable {
    /// `python3.X`: runs on the Python runtime environment (awslambdaric).
    case python
    /// `nodejsN.x` (and the older `nodejsN.M` names): runs on `node` with the embedded runtime client.
    case node(major: Int)
    /// Anything else (`java21`, `provided.al2023`, an image without a runtime).
    case unsupported

    /// Whether the function runs on Node.js.
    package var isNode: Bool {
        if case .node = self { return true }
        return false
    }

    /// Classifies a `Runtime` value.
    /// - Parameter runtime: The template's `Runtime` (`nil` for images).
    package init(runtime: String?) {
        guard let runtime else {
            self = .unsupported
            return
        }
        if runtime.hasPrefix("python3") {
            self = .python
            return
        }
        guard runtime.hasPrefix("nodejs") else {
            self = .unsupported
            return
        }
        let version = runtime.dropFirst("nodejs".count)
        let majorText = version.prefix { $0.isNumber }
        let rest = version.dropFirst(majorText.count)
        guard let major = Int(majorText), major > 0, major < 1_000, rest.isEmpty || rest.hasPrefix(".") else {
            self = .unsupported
            return
        }
        self = .node(major: major)
    }
}

/// The `node` interpreter Node.js functions run on: found on `PATH` or given with `--lambda-node`.
package struct NodeInterpreter: Sendable, Equatable {
    /// The executable.
    package var path: String
    /// Its version without the `v` (`20.20.2`), empty when `node --version` did not answer.
    package var version: String

    /// Creates an interpreter record.
    /// - Parameters:
    ///   - path: The executable.
    ///   - version: Its version (`20.20.2`).
    package init(path: String, version: String) {
        self.path = path
        self.version = version
    }

    /// The major version (`20`), `nil` when unknown.
    package var major: Int? { Self.major(ofVersion: version) }

    /// The major version of a `node --version` answer (`v20.20.2` or `20.20.2`).
    /// - Parameter version: The text.
    /// - Returns: The major version, or `nil`.
    package static func major(ofVersion version: String) -> Int? {
        let trimmed = version.trimmingCharacters(in: .whitespacesAndNewlines)
        let digits = (trimmed.hasPrefix("v") ? trimmed.dropFirst() : Substring(trimmed)).prefix { $0.isNumber }
        guard digits.count > 0, digits.count < 5 else { return nil }
        return Int(digits)
    }

    /// Finds the interpreter: an explicit path, else `node` (or Debian's older `nodejs`) on `PATH`.
    ///
    /// Runs `node --version` once (at start, before any request is served; at most 5 s).
    /// - Parameters:
    ///   - explicit: `--lambda-node` or `SYNAPSCRIBE_LAMBDA_NODE`.
    ///   - searchPath: The `PATH` value.
    /// - Returns: The interpreter, or `nil` when none is executable.
    package static func locate(explicit: String?, searchPath: String?) -> NodeInterpreter? {
        let files = FileManager.default
        var candidates: [String] = []
        if let explicit, !explicit.isEmpty {
            candidates = [explicit]
        } else {
            for folder in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
                candidates.append("\(folder)/node")
                candidates.append("\(folder)/nodejs")
            }
        }
        guard let path = candidates.first(where: { files.isExecutableFile(atPath: $0) }) else { return nil }
        return NodeInterpreter(path: path, version: versionText(of: path))
    }

    /// `node --version` without the `v`, or empty when it does not answer.
    private static func versionText(of path: String) -> String {
        // An interpreter that does not answer within 5 s (a wrong --lambda-node) must not hold the start up.
        guard let output = ProcessProbe.output(path, ["--version"], timeout: .seconds(5)) else { return "" }
        let text = String(output.prefix(64)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard major(ofVersion: text) != nil else { return "" }
        return text.hasPrefix("v") ? String(text.dropFirst()) : text
    }
}

/// The Node.js runtime's files in the user cache: the embedded runtime client, written out at first use, and the
/// `node_modules` folder that stands for the AWS SDK for JavaScript v3 AWS's runtime includes.
package enum NodeRuntimeFiles {
    /// `$XDG_CACHE_HOME/synapscribe-local/runtimes/nodejs` (or `~/.cache/...`).
    package static var defaultFolder: URL {
        UserCache.base.appendingPathComponent("synapscribe-local/runtimes/nodejs", isDirectory: true)
    }

    /// Writes the runtime client into `folder` unless this version of it is there already.
    ///
    /// The file name carries a hash of the source, so binaries of different versions share a cache folder safely;
    /// the file is written to a temporary name and renamed, so a concurrent start never reads half a file.
    /// - Parameter folder: The runtime cache folder.
    /// - Returns: The client's path.
    /// - Throws: When the folder or file cannot be written.
    package static func installClient(in folder: URL) throws -> String {
        let source = Data(NodeRuntimeClient.source.utf8)
        let target = folder.appendingPathComponent("synapscribe-runtime-\(CodeStore.contentKey(source)).mjs")
        let files = FileManager.default
        if files.fileExists(atPath: target.path) { return target.path }
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        let staging = folder.appendingPathComponent(".staging-\(UUID().uuidString).mjs")
        try source.write(to: staging)
        if files.fileExists(atPath: target.path) {
            try? files.removeItem(at: staging)
        } else {
            do {
                try files.moveItem(at: staging, to: target)
            } catch {
                try? files.removeItem(at: staging)
                if !files.fileExists(atPath: target.path) { throw error }
            }
        }
        return target.path
    }

    /// The dependencies a `package.json` in `codeDirectory` lists that neither the folder's `node_modules` nor any
    /// of `moduleFolders` (layers, the runtime cache) holds. Empty when there is no `package.json` or the folder has a
    /// `node_modules` (it is used as is).
    /// - Parameters:
    ///   - codeDirectory: The function's code folder.
    ///   - moduleFolders: The `NODE_PATH` folders after it.
    /// - Returns: The missing package names, sorted.
    package static func missingDependencies(codeDirectory: String, moduleFolders: [String]) -> [String] {
        let files = FileManager.default
        let folder = URL(fileURLWithPath: codeDirectory, isDirectory: true)
        guard !files.fileExists(atPath: folder.appendingPathComponent("node_modules").path),
            let data = try? Data(contentsOf: folder.appendingPathComponent("package.json")),
            let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let dependencies = manifest["dependencies"] as? [String: Any]
        else { return [] }
        return dependencies.keys.sorted().filter { name in
            !moduleFolders.contains { files.fileExists(atPath: URL(fileURLWithPath: $0).appendingPathComponent(name).path) }
        }
    }
}
