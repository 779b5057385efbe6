import Foundation
import Logging

/// Installs the AWS SDK for JavaScript packages a Node.js function imports into the runtime cache's `node_modules`
/// (what AWS's Node.js runtime includes), with `npm`, ahead of time: `synapscribe-local build` calls it, so `start`
/// never reaches a registry.
///
/// Only the packages the function's code names are installed (`@aws-sdk/client-dynamodb`, ...; `aws-sdk` for the v2
/// SDK of nodejs16.x and older), never the whole SDK; a package the function vendors in its own `node_modules` is
/// left alone. npm's registry is whatever npm is configured with (`npm_config_registry`, `.npmrc`).
package struct NodeSDKInstaller: Sendable {
    /// Why an install failed: npm's output.
    package struct Failure: Error, Sendable {
        /// npm's output (last 4 KB).
        package var output: String
    }

    /// The runtime cache folder (`.../runtimes/nodejs`); packages go to its `node_modules`.
    package var cache: URL
    /// Progress lines.
    package var logger: Logger

    /// Creates an installer.
    /// - Parameters:
    ///   - cache: The Node.js runtime cache folder.
    ///   - logger: Progress lines.
    package init(cache: URL, logger: Logger) {
        self.cache = cache
        self.logger = logger
    }

    /// The most files and bytes a code folder scan reads (a huge folder cannot stall `build`).
    static let scanLimits = (files: 20_000, bytesPerFile: 4 << 20)

    /// The SDK packages a code folder's JavaScript names (`require`/`import` specifiers), its own `node_modules`
    /// skipped.
    /// - Parameter folder: The function's code folder.
    /// - Returns: Package names, sorted.
    package static func sdkPackages(in folder: String) -> [String] {
        let root = URL(fileURLWithPath: folder, isDirectory: true)
        guard
            let walker = FileManager.default.enumerator(
                at: root,
                includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey],
                options: [.skipsHiddenFiles]
            )
        else { return [] }
        var names: Set<String> = []
        var files = 0
        for case let url as URL in walker {
            if url.lastPathComponent == "node_modules" {
                walker.skipDescendants()
                continue
            }
            guard ["js", "mjs", "cjs"].contains(url.pathExtension) else { continue }
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values?.isRegularFile == true, (values?.fileSize ?? 0) <= scanLimits.bytesPerFile else { continue }
            files += 1
            guard files <= scanLimits.files else { break }
            guard let data = try? Data(contentsOf: url) else { continue }
            names.formUnion(sdkSpecifiers(in: String(decoding: data, as: UTF8.self)))
        }
        return names.sorted()
    }

    /// The SDK package names in JavaScript source: quoted specifiers `'@aws-sdk/NAME'` or `'@aws-sdk/NAME/sub'`,
    /// and `'aws-sdk'` (also `aws-sdk/clients/x`).
    /// - Parameter source: The file's text.
    /// - Returns: Package names.
    package static func sdkSpecifiers(in source: String) -> Set<String> {
        var names: Set<String> = []
        let bytes = Array(source.utf8)
        let scope = Array("@aws-sdk/".utf8)
        let v2 = Array("aws-sdk".utf8)
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E || byte == 0x5F
        }
        var index = 0
        while index < bytes.count {
            let quote = bytes[index]
            index += 1
            guard quote == 0x27 || quote == 0x22 || quote == 0x60 else { continue }
            if bytes[index...].starts(with: scope) {
                var end = index + scope.count
                while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                let terminator = end < bytes.count ? bytes[end] : 0
                if end > index + scope.count, terminator == quote || terminator == 0x2F {
                    names.insert(String(decoding: bytes[index..<end], as: UTF8.self))
                }
            } else if bytes[index...].starts(with: v2) {
                let end = index + v2.count
                let terminator = end < bytes.count ? bytes[end] : 0
                if terminator == quote || terminator == 0x2F { names.insert("aws-sdk") }
            }
        }
        return names
    }

    /// Whether a package is installed in a `node_modules` folder.
    static func isInstalled(_ package: String, in modules: URL) -> Bool {
        FileManager.default.fileExists(atPath: modules.appendingPathComponent(package).appendingPathComponent("package.json").path)
    }

    /// Installs the SDK packages a function's code imports that neither the function's `node_modules` nor the cache
    /// has yet.
    /// - Parameters:
    ///   - folder: The function's code folder.
    ///   - function: The function's name, for progress lines.
    /// - Returns: What was done, for `build`'s report.
    /// - Throws: ``Failure`` when npm is missing or fails.
    package func install(for folder: String, function: String) async throws -> String {
        let wanted = Self.sdkPackages(in: folder)
        guard !wanted.isEmpty else { return "imports no AWS SDK package: nothing to install" }
        let own = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent("node_modules")
        let modules = cache.appendingPathComponent("node_modules", isDirectory: true)
        let vendored = wanted.filter { Self.isInstalled($0, in: own) }
        let missing = wanted.filter { !Self.isInstalled($0, in: own) && !Self.isInstalled($0, in: modules) }
        guard !missing.isEmpty else {
            let place = vendored.count == wanted.count ? "the function's node_modules" : modules.path
            return "AWS SDK packages \(wanted.joined(separator: ", ")) already in \(place)"
        }
        guard let npm = Self.locateNPM(searchPath: ProcessInfo.processInfo.environment["PATH"]) else {
            throw Failure(output: "npm was not found on PATH; it installs \(missing.joined(separator: ", ")) into \(modules.path)")
        }
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let names = missing.joined(separator: ", ")
        logger.notice("\(function): installing \(names) into \(modules.path) with npm (once; the AWS SDK AWS's Node.js runtime includes)")
        let arguments = ["install", "--prefix", cache.path, "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel", "error"] + missing
        let (status, output) = try await DependencyCache.run(npm, arguments)
        guard status == 0, missing.allSatisfy({ Self.isInstalled($0, in: modules) }) else {
            throw Failure(output: String(output.suffix(4096)))
        }
        return "installed \(missing.joined(separator: ", ")) into \(modules.path)"
    }

    /// `npm` on `PATH`.
    /// - Parameter searchPath: The `PATH` value.
    /// - Returns: The executable, or `nil`.
    static func locateNPM(searchPath: String?) -> String? {
        (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").lazy
            .map { "\($0)/npm" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
