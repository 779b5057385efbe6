import EmulatorCore
import Foundation
import GRDB
import Storage

/// Snapshots of Lambda: `lambda.sqlite` (functions created or changed through the API with their code location,
/// published versions, aliases, reserved concurrency, resource policy and tags; published layer versions; every event
/// source mapping with its checkpoint and `LastProcessingResult`), copied with SQLite's backup API, and the uploaded
/// deployment packages and layer archives of `lambda-packages/`, hard-linked (they are never written in place).
///
/// A restore puts the packages back, replaces the database and brings the served functions in line with it: a
/// function whose record differs from what runs now (or that the snapshot does not hold) gets new runtimes and its
/// execution environments stop; an unchanged one keeps its warm environments. The mappings and their checkpoints come
/// back as saved, and packages only the replaced state used are deleted.
package struct LambdaSnapshot: SnapshottableService {
    /// The service.
    package let service: LambdaService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: LambdaService) {
        self.service = service
    }

    /// `lambda`.
    package var snapshotName: String { "lambda" }

    /// Copies the database and links every package, after the changes already running.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` when the store is not open; database or file-system errors.
    package func saveSnapshot(into folder: URL) async throws {
        let (database, packages) = try opened()
        try await service.deployer.serialized {
            try DatabaseSnapshot.save(database, to: folder.appendingPathComponent("lambda.sqlite"))
            try SnapshotFiles.place(
                SnapshotFiles.names(in: packages),
                from: packages,
                to: folder.appendingPathComponent("lambda-packages", isDirectory: true)
            )
        }
    }

    /// Links the packages back, replaces the database, reloads layers, functions and mappings, and deletes the
    /// packages the snapshot does not hold.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure``, database or file-system errors.
    package func restoreSnapshot(from folder: URL) async throws {
        let (database, packages) = try opened()
        let saved = folder.appendingPathComponent("lambda-packages", isDirectory: true)
        let kept = SnapshotFiles.names(in: saved)
        try SnapshotFiles.place(kept, from: saved, to: packages)
        let deployer = service.deployer
        try await deployer.serialized {
            try DatabaseSnapshot.restore(database, from: folder.appendingPathComponent("lambda.sqlite"))
            try deployer.layers.reload()
            try await deployer.reloadAfterRestore()
        }
        try await service.eventSourceMappings.reload()
        let keptNames = Set(kept)
        for name in SnapshotFiles.names(in: packages) where !keptNames.contains(name) {
            try? FileManager.default.removeItem(at: packages.appendingPathComponent(name))
        }
    }

    private func opened() throws -> (any DatabaseWriter, URL) {
        guard let database = service.deployer.database, let packages = service.deployer.openedPackageFolder else {
            throw SnapshotFailure("the Lambda data store is not open (the service was built without a data location)")
        }
        return (database, packages)
    }
}
