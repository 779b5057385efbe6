import EmulatorCore
import Foundation

/// Snapshots of the API Gateway v2 control plane: every API, route, integration, stage, deployment and authorizer
/// (API-created and stack-deployed ones in `apigateway.sqlite`; the template's, as changed through the API, in
/// `apigateway-template.json`). A restore hands every API whose resources changed to the data planes again (HTTP APIs
/// to execute-api, WebSocket APIs to the WebSocket server).
package struct APIGatewayV2Snapshot: SnapshottableService {
    /// The service.
    package let service: APIGatewayV2Service

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: APIGatewayV2Service) {
        self.service = service
    }

    /// `apigatewayv2`.
    package var snapshotName: String { "apigatewayv2" }

    /// Writes the store's files.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: Database or file-system errors.
    package func saveSnapshot(into folder: URL) async throws {
        try service.store.save(into: folder)
    }

    /// Replaces the resources and serves the changed APIs again.
    /// - Parameter folder: The snapshot's folder.
    /// - Throws: ``SnapshotFailure`` or database errors.
    package func restoreSnapshot(from folder: URL) async throws {
        for apiId in try service.store.restore(from: folder).sorted() { service.syncDataPlane(apiId: apiId) }
    }
}

/// `POST /_local/reset` for the API Gateway v2 control plane: APIs created through the API (or by stacks deployed
/// through CloudFormation) are deleted and no longer served, and the template's APIs get back what the template
/// declares, as `/moto-api/reset` empties every backend.
package struct APIGatewayV2Reset: ResettableService {
    /// The service.
    package let service: APIGatewayV2Service

    /// Creates the hook.
    /// - Parameter service: The service.
    package init(service: APIGatewayV2Service) {
        self.service = service
    }

    /// `apigatewayv2`.
    package var resetName: String { "apigatewayv2" }

    /// Drops the API-created resources and serves the changed APIs again (removed ones no longer).
    /// - Throws: Database errors.
    package func resetToTemplate() async throws {
        for apiId in try service.store.resetToTemplate().sorted() { service.syncDataPlane(apiId: apiId) }
    }
}
