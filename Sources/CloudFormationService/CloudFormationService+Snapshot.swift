import EmulatorCore
import Foundation

/// Snapshots of the stacks (`cloudformation.sqlite`: records, events, change sets, outputs and exports), the
/// start-up stack's record as updated through the API among them.
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

/// `POST /_local/reset` for CloudFormation, run before the data services' hooks: stacks deployed through the API are
/// forgotten (their resources go with each service's reset, as everything the API created does), then the start-up
/// stack is brought back to the template as deployed at start through the deployers (the data services then restore
/// items and objects).
package struct CloudFormationReset: ResettableService {
    /// The stacks.
    package let engine: StackEngine

    /// Creates the hook.
    /// - Parameter engine: The stacks.
    package init(engine: StackEngine) {
        self.engine = engine
    }

    /// `cloudformation`.
    package var resetName: String { "cloudformation" }

    /// Forgets the runtime stacks and restores the start-up stack.
    /// - Throws: Database errors; ``ResourceDeploymentError`` naming what could not be restored.
    package func resetToTemplate() async throws {
        try await engine.forgetRuntimeStacks()
        try await engine.restoreStartup()
    }
}
