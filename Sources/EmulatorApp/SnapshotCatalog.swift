import EmulatorCore
import Foundation
import Logging
import Storage
import Synchronization

/// The snapshots of a data folder (`<data>/snapshots/<name>/`, or a folder in memory with `--ephemeral`) and the
/// work behind `POST /_local/snapshots`, `GET /_local/snapshots`, `POST /_local/snapshots/{name}/restore` and
/// `DELETE /_local/snapshots/{name}`.
///
/// A snapshot is written into a hidden `.incomplete-…` folder and renamed into place when every service has written
/// its files, so a snapshot that is listed is whole, and it survives a restart. Saving and restoring hold new
/// requests off (``RequestGate``) until they finish: requests wait, none is refused. Requests already running get
/// up to ``drainLimit`` to finish first.
package final class SnapshotCatalog: Sendable {
    /// The services whose data a snapshot holds, in the order they are saved and restored.
    package let services: [any SnapshottableService]
    /// The folder holding one folder per snapshot.
    package let root: URL
    /// The one clock (a snapshot holds its virtual time).
    package let clock: VirtualClock
    /// Holds requests off while a snapshot is taken or restored.
    package let gate: RequestGate
    /// How long a save or restore waits for running requests.
    package let drainLimit: Duration = .seconds(5)
    private let logger: Logger
    private let busy = Mutex(false)

    /// What the snapshots do not hold (in the list and in every answer, so no one is surprised): what lives only while
    /// the process runs. A restore closes open WebSocket connections (each with its `$disconnect`) and stops the
    /// execution environments of the functions it changes or removes.
    package static let notIncluded = [
        "open WebSocket connections (a restore closes them)",
        "running Lambda invocations and execution environments (a restore stops those of functions it changes or removes)",
        "Lambda log lines kept for /_local/logs (CloudWatch Logs events are held)",
    ]

    /// Creates the catalog.
    /// - Parameters:
    ///   - services: The services a snapshot holds.
    ///   - location: The data location (`<data>/snapshots`, or memory with `--ephemeral`).
    ///   - clock: The virtual clock.
    ///   - gate: The request gate the edge and TLS ports pass.
    ///   - logger: Progress lines (one per service, with how long it took).
    /// - Throws: File-system errors when the folder cannot be created.
    package init(
        services: [any SnapshottableService],
        location: DataLocation,
        clock: VirtualClock,
        gate: RequestGate,
        logger: Logger
    ) throws {
        self.services = services
        switch location {
        case .directory(let folder, _):
            root = folder.appendingPathComponent("snapshots", isDirectory: true)
            try DataLocation.makePrivateDirectory(root)
        case .ephemeral:
            root = try location.blobDirectory(named: "snapshots")
        }
        self.clock = clock
        self.gate = gate
        self.logger = logger
        // Leftovers of a save that was interrupted (the process was killed) are not snapshots.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix(".incomplete-") {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
    }

    /// Why a snapshot request failed: the HTTP status, error code and a message naming the next step.
    package struct Failure: Error, Sendable, Equatable {
        /// The HTTP status.
        package var status: Int
        /// The error code.
        package var code: String
        /// The message.
        package var message: String
    }

    /// One snapshot as the list shows it.
    package struct Entry: Sendable, Equatable {
        /// The name.
        package var name: String
        /// When it was taken (real time: the virtual clock less its offset, ISO 8601).
        package var createdAt: String
        /// The virtual time it holds (ISO 8601).
        package var virtualTime: String
        /// Bytes of its files.
        package var sizeBytes: Int
        /// The services it holds.
        package var services: [String]

        /// The JSON object.
        package var object: [String: Any] {
            ["name": name, "createdAt": createdAt, "virtualTime": virtualTime, "sizeBytes": sizeBytes, "services": services]
        }
    }

    /// The rule names follow: 1 to 64 letters, digits, `.`, `_` and `-`, starting with a letter or digit (so never
    /// `.`, `..` or a path).
    /// - Parameter name: The name.
    /// - Returns: The refusal, or nil for a valid name.
    package static func invalidName(_ name: String) -> Failure? {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E
                || byte == 0x5F || byte == 0x2D
        }
        let first = name.utf8.first
        let startsWell = first.map { $0 != 0x2E && $0 != 0x5F && $0 != 0x2D } ?? false
        guard !name.isEmpty, name.utf8.count <= 64, allowed, startsWell else {
            let shown = name.count > 80 ? String(name.prefix(80)) + "…" : name
            return Failure(
                status: 400,
                code: "ValidationException",
                message:
                    "snapshot name '\(shown)' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit (for example 'before-upload')"
            )
        }
        return nil
    }

    /// Every snapshot, oldest first.
    /// - Returns: The entries.
    package func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.compactMap(entry(named:)).sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
    }

    /// Saves the whole state under `name`.
    /// - Parameter name: The snapshot's name (validated; an existing one is refused).
    /// - Returns: The new entry and milliseconds per service.
    /// - Throws: ``Failure`` (untyped: typed throws in async code once crashed the release compiler).
    package func save(_ name: String) async throws -> (entry: Entry, milliseconds: [String: Double]) {
        if let refusal = Self.invalidName(name) { throw refusal }
        try claim()
        defer { release() }
        let target = root.appendingPathComponent(name, isDirectory: true)
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw Failure(
                status: 409,
                code: "ResourceConflictException",
                message:
                    "snapshot '\(name)' exists; delete it first (DELETE /_local/snapshots/\(name) or "
                    + "`synapscribe-local snapshot delete \(name)`) or choose another name"
            )
        }
        let staging = root.appendingPathComponent(".incomplete-\(name)-\(UUID().uuidString)", isDirectory: true)
        await gate.close(drainingFor: drainLimit)
        defer { gate.open() }
        var timings: [String: Double] = [:]
        do {
            try DataLocation.makePrivateDirectory(staging)
            let virtualTime = clock.now
            for service in services {
                let started = ContinuousClock.now
                try await service.saveSnapshot(into: staging)
                timings[service.snapshotName] = Self.milliseconds(since: started)
                logger.info("snapshot \(name): saved \(service.snapshotName) in \(timings[service.snapshotName] ?? 0) ms")
            }
            let manifest: [String: Any] = [
                "name": name,
                "createdAt": Timestamp.iso8601Milliseconds(virtualTime.addingTimeInterval(-clock.offset)),
                "virtualTime": Timestamp.iso8601Milliseconds(virtualTime),
                "services": services.map(\.snapshotName),
            ]
            let manifestFile = staging.appendingPathComponent("manifest.json")
            try DataLocation.makePrivateFile(manifestFile.path)
            try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted]).write(to: manifestFile)
            try FileManager.default.moveItem(at: staging, to: target)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw Failure(
                status: 500,
                code: "InternalFailure",
                message: "snapshot '\(name)' could not be saved (nothing was kept): \(error); check free space and permissions of \(root.path)"
            )
        }
        guard let entry = entry(named: name) else {
            throw Failure(status: 500, code: "InternalFailure", message: "snapshot '\(name)' was saved but cannot be read back from \(root.path)")
        }
        return (entry, timings)
    }

    /// Replaces the whole state (and the virtual time) with the snapshot's.
    /// - Parameter name: The snapshot's name.
    /// - Returns: The entry and milliseconds per service.
    /// - Throws: ``Failure``.
    package func restore(_ name: String) async throws -> (entry: Entry, milliseconds: [String: Double]) {
        let entry = try existing(name)
        let missing = services.map(\.snapshotName).filter { !entry.services.contains($0) }
        guard missing.isEmpty else {
            throw Failure(
                status: 409,
                code: "ResourceConflictException",
                message:
                    "snapshot '\(name)' does not hold \(missing.joined(separator: ", ")) (it was saved by an older version); nothing was "
                    + "restored: delete it and save it again"
            )
        }
        try claim()
        defer { release() }
        let folder = root.appendingPathComponent(name, isDirectory: true)
        // Before requests are held off: a `$disconnect` handler of a closed connection may call back in.
        for service in services { await service.prepareRestore() }
        await gate.close(drainingFor: drainLimit)
        defer { gate.open() }
        var timings: [String: Double] = [:]
        var done: [String] = []
        for service in services {
            let started = ContinuousClock.now
            do {
                try await service.restoreSnapshot(from: folder)
            } catch {
                throw Failure(
                    status: 500,
                    code: "InternalFailure",
                    message:
                        "restoring snapshot '\(name)' stopped at \(service.snapshotName) (after \(done.isEmpty ? "none" : done.joined(separator: ", "))): "
                        + "\(error); the state is mixed now: POST /_local/reset, or restore another snapshot"
                )
            }
            done.append(service.snapshotName)
            timings[service.snapshotName] = Self.milliseconds(since: started)
            logger.info("snapshot \(name): restored \(service.snapshotName) in \(timings[service.snapshotName] ?? 0) ms")
        }
        if let time = Timestamp.parseISO8601(entry.virtualTime) { clock.set(to: time) }
        return (entry, timings)
    }

    /// Deletes a snapshot.
    /// - Parameter name: The snapshot's name.
    /// - Throws: ``Failure``.
    package func delete(_ name: String) throws(Failure) {
        _ = try existing(name)
        do {
            try FileManager.default.removeItem(at: root.appendingPathComponent(name, isDirectory: true))
        } catch {
            throw Failure(
                status: 500,
                code: "InternalFailure",
                message: "snapshot '\(name)' could not be deleted: \(error); check permissions of \(root.path)"
            )
        }
    }

    /// The entry of an existing snapshot, or the 400/404 refusal.
    private func existing(_ name: String) throws(Failure) -> Entry {
        if let refusal = Self.invalidName(name) { throw refusal }
        guard let entry = entry(named: name) else {
            let names = list().map(\.name)
            throw Failure(
                status: 404,
                code: "ResourceNotFoundException",
                message:
                    "snapshot '\(name)' does not exist; "
                    + (names.isEmpty
                        ? "there are no snapshots yet: save one with POST /_local/snapshots {\"name\": \"\(name)\"}"
                        : "existing snapshots: \(names.joined(separator: ", ")) (GET /_local/snapshots)")
            )
        }
        return entry
    }

    private func entry(named name: String) -> Entry? {
        let folder = root.appendingPathComponent(name, isDirectory: true)
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("manifest.json").path),
            let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return Entry(
            name: name,
            createdAt: manifest["createdAt"] as? String ?? "",
            virtualTime: manifest["virtualTime"] as? String ?? "",
            sizeBytes: Self.size(of: folder),
            services: manifest["services"] as? [String] ?? []
        )
    }

    /// Bytes of the files under a folder (hard-linked bodies count in full).
    private static func size(of folder: URL) -> Int {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total = 0
        for case let url as URL in walker {
            let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            total = total.addingReportingOverflow(size).partialValue
        }
        return total
    }

    /// Marks a save or restore as running; a second one at the same time is refused.
    private func claim() throws(Failure) {
        let claimed = busy.withLock { busy -> Bool in
            guard !busy else { return false }
            busy = true
            return true
        }
        guard claimed else {
            throw Failure(
                status: 409,
                code: "ResourceConflictException",
                message: "another snapshot save or restore is running; retry when it has finished"
            )
        }
    }

    private func release() { busy.withLock { $0 = false } }

    /// Milliseconds since `start`, to the microsecond.
    private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (milliseconds * 1000).rounded() / 1000
    }
}
