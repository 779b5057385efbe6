import APIGatewayRESTService
import APIGatewayV2Service
import APIGatewayWebSocket
import AWSGateway
import CloudFormationService
import CognitoService
import CognitoUserPoolsService
import DynamoDBService
import EmulatorCore
import IAM
import IAMService
import LambdaService
import LogsService
import S3Service
import SigV4
import Storage

extension ServiceRegistry {
    /// The snapshot hooks, in the order a snapshot saves and restores them (see ``SnapshotCatalog``): WebSocket
    /// connections first (closed before a restore), the data services, IAM, then what refers to them (functions,
    /// APIs, stacks), logs and the issued credentials.
    /// - Parameters:
    ///   - s3: The S3 service.
    ///   - dynamoDB: The DynamoDB service.
    ///   - webSocket: The WebSocket service.
    ///   - lambda: The Lambda service.
    ///   - apiGatewayV2: The API Gateway v2 control plane.
    ///   - stacks: The CloudFormation API's stacks.
    ///   - logs: The CloudWatch Logs service.
    ///   - directory: The live IAM directory.
    ///   - credentials: The credential store (issued temporary credentials).
    ///   - handlers: Every service (the Cognito services and the API Gateway REST control plane are found among them).
    /// - Returns: The hooks.
    static func snapshottables(
        s3: S3Service,
        dynamoDB: DynamoDBService,
        webSocket: WebSocketAPIService,
        lambda: LambdaService,
        apiGatewayV2: APIGatewayV2Service,
        stacks: StackEngine,
        logs: LogsService,
        directory: IAMDirectory,
        credentials: CredentialStore,
        handlers: [any AWSServiceHandler]
    ) -> [any SnapshottableService] {
        var hooks: [any SnapshottableService] = [WebSocketSnapshot(service: webSocket), S3Snapshot(service: s3), DynamoDBSnapshot(service: dynamoDB)]
        if let cognito = handlers.lazy.compactMap({ $0 as? CognitoService }).first { hooks.append(CognitoSnapshot(service: cognito)) }
        if let userPools = handlers.lazy.compactMap({ $0 as? CognitoUserPoolsService }).first {
            hooks.append(UserPoolsSnapshot(service: userPools))
        }
        hooks.append(IAMSnapshot(directory: directory))
        hooks.append(LambdaSnapshot(service: lambda))
        hooks.append(APIGatewayV2Snapshot(service: apiGatewayV2))
        if let rest = handlers.lazy.compactMap({ $0 as? APIGatewayRESTService }).first { hooks.append(APIGatewayRESTSnapshot(service: rest)) }
        hooks.append(CloudFormationSnapshot(engine: stacks))
        hooks.append(LogsSnapshot(service: logs))
        hooks.append(IssuedCredentialSnapshot(store: credentials))
        return hooks
    }
}
