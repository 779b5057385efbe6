import EmulatorCore
import Foundation

/// Snapshots of the API Gateway REST control plane: `apigateway-rest.sqlite` (every REST API with its resources,
/// methods, deployments, stages and authorizers; API keys, usage plans and their keys), copied with SQLite's backup
/// API. A restore hands every REST API to the execute-api data plane again (removed ones are no longer served).
package struct APIGatewayRESTSnapshot: SnapshottableService {
    /// The service.
    package let service: APIGatewayRESTService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: APIGatewayRESTService) {
        self.service = service
    }

    /// `apigateway`.
    package var snapshotName: String { "apigateway" }

    /// Copies the database.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database errors.
    package func saveSnapshot(into folder: URL) async throws {
        try service.store.save(into: folder)
    }

    /// Replaces the items and serves the APIs again.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or database errors.
    package func restoreSnapshot(from folder: URL) async throws {
        for apiId in try service.store.restore(from: folder).sorted() { service.syncDataPlane(apiId) }
    }
}

/// `POST /_local/reset` for the API Gateway REST control plane: REST APIs, API keys and usage plans created through
/// the API (or by stacks deployed through CloudFormation) are deleted and no longer served, as `/moto-api/reset`
/// empties every backend; the start-up template's REST APIs, API keys and usage plans are brought back as deployed
/// at start (changes made to them through the API undone).
package struct APIGatewayRESTReset: ResettableService {
    /// The service.
    package let service: APIGatewayRESTService

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: APIGatewayRESTService) {
        self.service = service
    }

    /// `apigateway`.
    package var resetName: String { "apigateway" }

    /// Back to the template's items; the data plane serves them again (deleted APIs no longer).
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        for apiId in try service.store.resetToBaseline().sorted() { service.syncDataPlane(apiId) }
    }
}
