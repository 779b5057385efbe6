import EmulatorCore
import Foundation

/// Snapshots of the stacks deployed through the CloudFormation API (`cloudformation.sqlite`: records, events,
/// change sets, outputs and exports). The start-up template's stack is the template's and is not stored.
package struct CloudFormationSnapshot: SnapshottableService {
    /// The runtime stacks.
    package let engine: StackEngine

    /// Creates the hook.
    /// - Parameter engine: The runtime stacks.
    package init(engine: StackEngine) {
        self.engine = engine
    }

    /// `cloudformation`.
    package var snapshotName: String { "cloudformation" }

    /// Copies the database.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or database errors.
    package func saveSnapshot(into folder: URL) async throws {
        try await engine.saveSnapshot(into: folder)
    }

    /// Replaces the stacks.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or database errors.
    package func restoreSnapshot(from folder: URL) async throws {
        try await engine.restoreSnapshot(from: folder)
    }
}

/// `POST /_local/reset` for CloudFormation: stacks deployed through the API are forgotten (their resources go with
/// each service's reset, as everything the API created does); the start-up template's stack stays.
package struct CloudFormationReset: ResettableService {
    /// The runtime stacks.
    package let engine: StackEngine

    /// Creates the hook.
    /// - Parameter engine: The runtime stacks.
    package init(engine: StackEngine) {
        self.engine = engine
    }

    /// `cloudformation`.
    package var resetName: String { "cloudformation" }

    /// Forgets every runtime stack.
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        try await engine.removeAll()
    }
}
