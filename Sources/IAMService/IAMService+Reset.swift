import CloudFormation
import EmulatorCore
import Foundation
import IAM

/// `POST /_local/reset` for IAM: the directory as the template creates it; users, roles, policies and access keys
/// created through the IAM API are gone.
package struct IAMReset: ResettableService {
    /// The live directory.
    package let directory: IAMDirectory
    /// The start-up stack (its roles and managed policies).
    package let stack: Stack
    /// The virtual clock (creation dates of template roles).
    package let clock: VirtualClock

    /// Creates the hook.
    /// - Parameters:
    ///   - directory: The live directory.
    ///   - stack: The start-up stack.
    ///   - clock: The virtual clock.
    package init(directory: IAMDirectory, stack: Stack, clock: VirtualClock) {
        self.directory = directory
        self.stack = stack
        self.clock = clock
    }

    /// `iam`.
    package var resetName: String { "iam" }

    /// Replaces the state with the template's.
    /// - Throws: ``TemplateError`` (the template decoded at start, so not expected) or ``IAMError`` when the state
    ///   cannot be saved.
    package func resetToTemplate() async throws {
        var fresh = IAMState()
        try fresh.applyTemplate(stack, now: clock.now)
        let template = fresh
        try directory.mutate { state throws(IAMError) in state = template }
    }
}
