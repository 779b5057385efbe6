import AWSGateway
import CognitoService
import CognitoUserPoolsService
import DynamoDBService
import EmulatorCore
import IAM
import IAMService
import S3Service

extension ServiceRegistry {
    /// The snapshot hooks, in the order a snapshot saves and restores them (see ``SnapshotCatalog``).
    /// - Parameters:
    ///   - s3: The S3 service.
    ///   - dynamoDB: The DynamoDB service.
    ///   - directory: The live IAM directory.
    ///   - handlers: Every service (the Cognito services are found among them).
    /// - Returns: The hooks.
    static func snapshottables(
        s3: S3Service,
        dynamoDB: DynamoDBService,
        directory: IAMDirectory,
        handlers: [any AWSServiceHandler]
    ) -> [any SnapshottableService] {
        var hooks: [any SnapshottableService] = [S3Snapshot(service: s3), DynamoDBSnapshot(service: dynamoDB)]
        if let cognito = handlers.lazy.compactMap({ $0 as? CognitoService }).first { hooks.append(CognitoSnapshot(service: cognito)) }
        if let userPools = handlers.lazy.compactMap({ $0 as? CognitoUserPoolsService }).first {
            hooks.append(UserPoolsSnapshot(service: userPools))
        }
        hooks.append(IAMSnapshot(directory: directory))
        return hooks
    }
}
