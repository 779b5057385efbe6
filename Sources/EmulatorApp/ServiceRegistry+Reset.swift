import APIGatewayRESTService
import APIGatewayV2Service
import APIGatewayWebSocket
import AWSGateway
import CloudFormation
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

extension ServiceRegistry {
    /// The reset hooks, in the order `POST /_local/reset` runs them: connections first (their `$disconnect` handlers
    /// may still write), then the start-up stack back to its template (through the deployers), then the data
    /// services, IAM last.
    /// - Parameters:
    ///   - context: What services are built from (the template's specs).
    ///   - s3: The S3 service.
    ///   - dynamoDB: The DynamoDB service.
    ///   - webSocket: The WebSocket service.
    ///   - stacks: The CloudFormation stacks (runtime stacks are forgotten, the start-up stack is restored).
    ///   - lambda: The Lambda service (API-created functions and event source mappings go).
    ///   - apiGatewayV2: The API Gateway v2 control plane (API-created APIs go).
    ///   - logs: The CloudWatch Logs service.
    ///   - handlers: Every service (the Cognito services and the API Gateway REST control plane are found among them).
    /// - Returns: The hooks.
    /// - Throws: ``TemplateError`` when a spec does not decode (it did at start).
    static func resettables(
        context: ServiceContext,
        s3: S3Service,
        dynamoDB: DynamoDBService,
        webSocket: WebSocketAPIService,
        stacks: StackEngine,
        lambda: LambdaService,
        apiGatewayV2: APIGatewayV2Service,
        logs: LogsService,
        handlers: [any AWSServiceHandler]
    ) throws -> [any ResettableService] {
        var hooks: [any ResettableService] = [
            WebSocketReset(service: webSocket),
            CloudFormationReset(engine: stacks),
            S3Reset(service: s3, buckets: try context.stack.buckets),
            DynamoDBReset(service: dynamoDB, tables: try context.stack.tables),
            LambdaReset(service: lambda, mappings: try context.stack.lambdaEventSourceMappings),
            APIGatewayV2Reset(service: apiGatewayV2),
        ]
        if let rest = handlers.lazy.compactMap({ $0 as? APIGatewayRESTService }).first { hooks.append(APIGatewayRESTReset(service: rest)) }
        if let cognito = handlers.lazy.compactMap({ $0 as? CognitoService }).first {
            hooks.append(CognitoReset(service: cognito, pools: try context.stack.identityPools))
        }
        if let userPools = handlers.lazy.compactMap({ $0 as? CognitoUserPoolsService }).first {
            hooks.append(UserPoolsReset(service: userPools, template: try UserPoolTemplate(context.stack)))
        }
        hooks.append(logs)
        hooks.append(IAMReset(directory: context.roleSessions.directory, stack: context.stack, clock: context.clock))
        return hooks
    }
}
