import Crypto
import Foundation
import Logging
import SigV4

/// Where a function's code is on disk: its `CodeUri` folder as is, or a folder in the user cache that a `.zip`
/// `CodeUri` was extracted to or inline code (`InlineCode` / `Code.ZipFile`) was written to.
///
/// Inline code goes into `index.py` (python) or `index.js` (Node.js), the file CloudFormation creates for
/// `ZipFile`, so `Handler: index.handler` finds it. Archives are extracted once per content (path, size and
/// modification time) with `unzip` (or the Lambda runtime's own Python `zipfile`), into a staging folder renamed into place, so a
/// concurrent cold start never sees half an extraction; neither tool writes outside the target folder.
struct CodeStore: Sendable {
    /// A code location the emulator cannot run from.
    struct Unusable: Error {
        /// What is wrong, for ``LambdaMessages/unsupportedFunction(_:)``.
        let reason: String
    }

    private let root: URL
    private let python: String?
    private let logger: Logger
    private let flights = SingleFlight()

    /// Creates the store.
    /// - Parameters:
    ///   - root: The cache folder (`~/.cache/synapscribe-local/lambda-code` by default).
    ///   - python: The Lambda runtime's interpreter (``LambdaSettings/python``), used when `unzip` is missing.
    ///   - logger: The Lambda service's logger.
    init(root: URL, python: String?, logger: Logger) {
        self.root = root
        self.python = python
        self.logger = logger
    }

    /// `$XDG_CACHE_HOME/synapscribe-local/lambda-code` (or `~/.cache/...`).
    static var defaultRoot: URL {
        UserCache.base.appendingPathComponent("synapscribe-local/lambda-code", isDirectory: true)
    }

    /// The folder holding a function's code, preparing it first when needed.
    /// - Parameters:
    ///   - code: The function's code source.
    ///   - runtime: The function's runtime (for the inline file's name).
    ///   - function: The function name, for log lines.
    /// - Returns: The folder (the worker's working directory and `LAMBDA_TASK_ROOT`).
    /// - Throws: ``Unusable`` for code that is not local, an archive that cannot be extracted, or a missing path.
    func folder(for code: LambdaCode, runtime: String?, function: String) async throws -> String {
        switch code {
        case .localPath(let path):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Unusable(reason: "the code location \(path) does not exist")
            }
            if isDirectory.boolValue { return path }
            let lowered = path.lowercased()
            guard lowered.hasSuffix(".zip") || lowered.hasSuffix(".jar") else {
                throw Unusable(reason: "the code location \(path) is neither a folder nor a .zip file")
            }
            return try await extracted(archive: path, function: function)
        case .zipFile(let source):
            let fileName = LambdaRuntimeFamily(runtime: runtime).isNode ? "index.js" : "index.py"
            return try await inline(source: source, fileName: fileName)
        case .s3(let bucket, let key):
            throw Unusable(reason: "code in s3://\(bucket)/\(key) is not fetched; point CodeUri at a local folder or .zip file")
        case .image(let uri):
            throw Unusable(reason: "container image functions (PackageType: Image, \(uri)) are not run: no container engine is used")
        }
    }

    private func inline(source: String, fileName: String) async throws -> String {
        let key = "inline-" + Self.contentKey(Data(fileName.utf8) + Data(source.utf8))
        return try await flights.run(key) { [root] in
            let target = root.appendingPathComponent(key, isDirectory: true)
            if FileManager.default.fileExists(atPath: target.appendingPathComponent(fileName).path) { return target.path }
            return try Self.publish(into: target, root: root) { staging in
                try Data(source.utf8).write(to: staging.appendingPathComponent(fileName))
            }
        }
    }

    private func extracted(archive: String, function: String) async throws -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: archive)
        let size = (attributes?[.size] as? Int) ?? 0
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = "zip-" + Self.contentKey(Data("\(archive)\n\(size)\n\(modified)".utf8))
        let logger = self.logger
        return try await flights.run(key) { [root] in
            let target = root.appendingPathComponent(key, isDirectory: true)
            if FileManager.default.fileExists(atPath: target.path) { return target.path }
            logger.notice("extracting \(archive) for \(function) (cached for later cold starts)", metadata: ["target": "\(target.path)"])
            let staging = try Self.makeStaging(root: root)
            do {
                try await Self.unzip(archive, into: staging, python: python)
                return try Self.rename(staging, to: target)
            } catch {
                try? FileManager.default.removeItem(at: staging)
                throw error
            }
        }
    }

    private static func makeStaging(root: URL) throws -> URL {
        let staging = root.appendingPathComponent(".staging-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        return staging
    }

    private static func publish(into target: URL, root: URL, _ fill: (URL) throws -> Void) throws -> String {
        let staging = try makeStaging(root: root)
        do {
            try fill(staging)
            return try rename(staging, to: target)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    private static func rename(_ staging: URL, to target: URL) throws -> String {
        let files = FileManager.default
        if files.fileExists(atPath: target.path) {
            try? files.removeItem(at: staging)
            return target.path
        }
        try files.moveItem(at: staging, to: target)
        return target.path
    }

    /// Extracts with `unzip`, else the runtime interpreter's `zipfile` (never a global Python); both refuse entries
    /// that would land outside `folder`.
    private static func unzip(_ archive: String, into folder: URL, python: String?) async throws {
        var candidates: [(String, [String])] = [
            ("/usr/bin/unzip", ["-q", "-o", archive, "-d", folder.path]),
            ("/usr/local/bin/unzip", ["-q", "-o", archive, "-d", folder.path]),
        ]
        if let python { candidates.append((python, ["-m", "zipfile", "-e", archive, folder.path])) }
        guard let (tool, arguments) = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.0) }) else {
            throw Unusable(reason: "\(archive) cannot be extracted: unzip is not installed and there is no Python runtime")
        }
        let (status, output) = try await DependencyCache.run(tool, arguments)
        // unzip exits 1 for warnings only (for example an entry it skipped as unsafe); anything above is a failure.
        let failed = tool.hasSuffix("unzip") ? status > 1 : status != 0
        if failed {
            throw Unusable(reason: "\(archive) cannot be extracted (\(URL(fileURLWithPath: tool).lastPathComponent): \(output.suffix(500)))")
        }
    }

    /// A short hex key naming cached content (SHA-256, first 32 digits).
    /// - Parameter data: The content (or what identifies it).
    /// - Returns: The key.
    static func contentKey(_ data: Data) -> String {
        String(SigV4Encoding.hex(SHA256.hash(data: data)).prefix(32))
    }
}
