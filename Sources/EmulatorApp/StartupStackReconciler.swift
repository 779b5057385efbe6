import CloudFormationService
import EmulatorCore
import Logging
import ServiceLifecycle

/// At start, deletes what an earlier run's start-up stack had and this start's template no longer declares (a table
/// an `UpdateStack` added, a resource removed from `template.yaml` between runs), as a `sam deploy` of the template
/// would, then opens the request gate (closed until then) and waits for shutdown. Resources kept by
/// `DeletionPolicy: Retain` stay.
struct StartupStackReconciler: Service {
    let engine: StackEngine
    let gate: RequestGate
    let logger: Logger

    func run() async throws {
        for failure in await engine.reconcileStartup() {
            logger.warning("CloudFormation: the start-up stack's earlier resource was not deleted: \(failure)")
        }
        gate.open()
        try? await gracefulShutdown()
    }
}
