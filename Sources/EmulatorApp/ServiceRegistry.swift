import APIGatewayHTTP
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
import Foundation
import IAM
import IAMService
import LambdaService
import Logging
import LogsService
import S3Service
import STSService
import ServiceLifecycle
import SigV4
import Storage

/// What every service is built from.
package struct ServiceContext: Sendable {
    /// The resolved stack: services read their resource specs from it.
    package var stack: Stack
    /// The loaded template (for the CloudFormation API).
    package var plan: StackPlan
    /// The one clock.
    package var clock: VirtualClock
    /// Region, account, host and the bound port.
    package var environment: LiveEnvironment
    /// Where data lives (a folder, or memory for `--ephemeral`).
    package var dataLocation: DataLocation
    /// Known and issued credentials.
    package var credentials: CredentialStore
    /// The authorization hook every operation calls.
    package var authorizer: any RequestAuthorizing
    /// Issues role credentials (STS, Cognito, Lambda execution roles) and knows the template's roles.
    package var roleSessions: RoleSessions
    /// Signs and verifies Cognito OpenID tokens (shared by Cognito and STS).
    package var webIdentityTokens: WebIdentityTokens
    /// The base logger.
    package var logger: Logger
    /// When the stack was created (the emulator's start, on the virtual clock).
    package var creationTime: Date

    /// Issues temporary credentials acting for a role, for example a Lambda function's execution role.
    ///
    /// The credentials are known to the gateway at once (SigV4-verified, expiring on the virtual clock) and
    /// every request they sign is authorized against the role's policies from the template.
    /// - Parameters:
    ///   - roleArn: The role ARN (for Lambda: the function's `Role`).
    ///   - sessionName: The session name (AWS uses the function name for Lambda).
    ///   - duration: Lifetime in seconds (default one hour; Lambda refreshes well before expiry).
    /// - Returns: Access key id, secret, session token and expiration, for `AWS_ACCESS_KEY_ID`,
    ///   `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    package func issueRoleCredentials(roleArn: String, sessionName: String, duration: TimeInterval = 3600) -> TemporaryCredential {
        roleSessions.issue(roleArn: roleArn, sessionName: sessionName, duration: duration)
    }
    /// The start options.
    package var options: EmulatorOptions
    /// The one random source (`--seed`): services draw from its named streams.
    package var random: EmulatorRandom = EmulatorRandom()
    /// Injected faults (`/_local/faults`).
    package var faults: FaultRegistry?
}

/// Builds every service from the context: the one place where services are wired to each other.
package struct ServiceRegistry: Sendable {
    /// The services the front door routes to.
    package let handlers: [any AWSServiceHandler]
    /// Long-lived background work (sweepers, worker supervisors), run in the service group before the server.
    package let backgroundServices: [any Service]
    /// The in-process Lambda invoker (S3 notifications and API Gateway call it).
    package let lambda: any LambdaInvoking
    /// API Gateway WebSocket APIs: the edge server hands it WebSocket upgrades.
    package let webSocket: WebSocketAPIService
    /// API Gateway REST and HTTP APIs: the edge server hands it requests to their local execute-api URLs.
    package let executeApi: APIGatewayHTTPService
    /// Cognito user pools: the edge server hands it `/{poolId}/.well-known/...` requests.
    package let userPools: CognitoUserPoolsService
    /// The CloudFormation deployers by type (the CloudFormation API's stacks use them).
    package let deployers: DeployerRegistry
    /// The CloudFormation stacks, the start-up stack among them (`start --watch` updates it).
    package let stacks: StackEngine
    /// What `POST /_local/reset` brings back to the template's initial state, in this order.
    package let resettables: [any ResettableService]
    /// What a snapshot saves and restores (`POST /_local/snapshots`), in this order.
    package let snapshottables: [any SnapshottableService]

    /// Builds the services.
    /// - Parameter context: What services are built from.
    /// - Throws: When a service cannot open its storage.
    package init(context: ServiceContext) throws {
        let environment = context.environment
        let plan = context.plan
        let creationTime = context.creationTime
        let lambda = LambdaService(
            functions: try context.stack.lambdaFunctions,
            layers: try context.stack.lambdaLayers,
            eventSourceMappings: try context.stack.lambdaEventSourceMappings,
            permissions: context.stack.lambdaPermissions,
            layerPermissions: context.stack.resources(ofType: LambdaResourceProvider.layerPermissionType),
            versionsAndAliases: context.stack.lambdaVersionsAndAliases,
            settings: LambdaSettings(
                python: LambdaSettings.locatePython(
                    explicit: context.options.lambdaPython ?? ProcessInfo.processInfo.environment["SYNAPSCRIBE_LAMBDA_PYTHON"],
                    searchRoots: [
                        URL(fileURLWithPath: context.options.templatePath).deletingLastPathComponent().path,
                        FileManager.default.currentDirectoryPath,
                        URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent().path,
                    ]
                ),
                allowEgress: context.options.allowEgress,
                idleTimeout: context.options.lambdaIdleTimeout,
                accountConcurrency: context.options.lambdaConcurrency,
                eventQueueSize: context.options.lambdaEventQueue
            ).with(nodePath: context.options.lambdaNode ?? ProcessInfo.processInfo.environment["SYNAPSCRIBE_LAMBDA_NODE"])
                .with(pythonVersionPaths: context.options.lambdaPythonVersions, installDependencies: context.options.installDependencies)
                .with(faults: context.faults)
                .with(profile: context.options.profile, random: context.options.realismRandom),
            clock: context.clock,
            environment: context.environment,
            roleSessions: context.roleSessions,
            authorizer: context.authorizer,
            logger: context.logger
        )
        // API-created functions and mappings, and every mapping's checkpoint, live with the data folder.
        try lambda.open(context.dataLocation)
        self.lambda = lambda.invoker
        let s3 = try S3Service(
            buckets: try context.stack.buckets,
            dataLocation: context.dataLocation,
            clock: context.clock,
            environment: environment,
            authorizer: context.authorizer,
            credentials: context.credentials,
            lambda: lambda.invoker,
            strictCredentials: context.options.strictCredentials,
            profile: context.options.profile,
            random: context.options.realismRandom,
            logger: context.logger
        )
        // S3 validates a bucket's Lambda notifications against the functions' resource-based policies, as CloudFormation's
        // create of the bucket would (`Unable to validate the following destination configurations`).
        for bucket in try context.stack.buckets {
            if let refusal = s3.notificationRefusal(bucket) {
                throw TemplateError(.invalidProperty, "CREATE_FAILED: \(refusal)", logicalId: bucket.logicalId)
            }
        }
        // Lambda reads S3Bucket/S3Key code from the emulated S3's store, in-process.
        lambda.attachCodeSource { [store = s3.store] bucket, key, versionId in
            guard try await store.bucket(bucket) != nil else { return .noSuchBucket }
            var found = try await store.object(bucket: bucket, key: key)
            if let versionId { found = try await store.version(bucket: bucket, key: key, versionId: versionId) }
            guard let record = found, !record.isDeleteMarker else { return .noSuchKey }
            return .found(try Data(contentsOf: store.objectURL(record.blob)))
        }
        // API Gateway's `AWS` integrations reach the services in-process once they exist (attached below).
        let integrations = ServiceIntegrationInvoker(
            roleSessions: context.roleSessions,
            clock: context.clock,
            region: environment.current.region,
            logger: context.logger
        )
        let userPools = try CognitoUserPoolsService(
            template: try UserPoolTemplate(context.stack),
            location: context.dataLocation,
            clock: context.clock,
            region: environment.current.region,
            accountId: environment.current.accountId,
            authorizer: context.authorizer,
            logger: context.logger
        )
        self.userPools = userPools
        let webSocket = WebSocketAPIService(
            apis: try context.stack.webSocketApis,
            lambda: lambda.invoker,
            clock: context.clock,
            environment: context.environment,
            authorizer: context.authorizer,
            logger: context.logger,
            services: integrations
        )
        self.webSocket = webSocket
        let executeApi = APIGatewayHTTPService(
            restApis: try context.stack.restApis,
            httpApis: try context.stack.httpApis,
            lambda: lambda.invoker,
            clock: context.clock,
            environment: context.environment,
            logger: context.logger,
            authenticator: Authenticator(
                store: context.credentials,
                clock: context.clock,
                strictCredentials: context.options.strictCredentials,
                accountId: context.environment.current.accountId
            ),
            authorizer: context.authorizer,
            services: integrations,
            userPools: userPools
        )
        self.executeApi = executeApi
        let dynamoDB = try DynamoDBService(
            tables: try context.stack.tables,
            dataLocation: context.dataLocation,
            clock: context.clock,
            environment: context.environment,
            authorizer: context.authorizer,
            ttlMode: context.options.ttlMode == "aws-like" ? .awsLike(delay: context.options.ttlDelaySeconds) : .prompt,
            itemCollectionLimit: context.options.itemCollectionLimit,
            readLag: context.options.profile.readLag,
            logger: context.logger
        )
        let clock = context.clock
        // The API Gateway v2 control plane: API-created (and stack-deployed) WebSocket APIs are served by `webSocket` at once.
        let apiGatewayV2 = try APIGatewayV2Service(
            location: context.dataLocation,
            templateWebSocketApis: try context.stack.webSocketApis,
            templateHttpApis: try context.stack.httpApis,
            webSocket: webSocket,
            clock: context.clock,
            environment: environment,
            authorizer: context.authorizer,
            logger: context.logger,
            executeApi: executeApi
        )
        let logs = LogsService(
            groups: try context.stack.logGroups,
            clock: context.clock,
            environment: context.environment,
            authorizer: context.authorizer
        )
        let cognito = try CognitoService(
            pools: context.stack.identityPools,
            location: context.dataLocation,
            sessions: context.roleSessions,
            tokens: context.webIdentityTokens,
            authorizer: context.authorizer,
            region: environment.current.region,
            userPools: userPools
        )
        // The API Gateway v1 control plane: API-created (and stack-deployed) REST APIs are served by `executeApi`.
        let restApis = try APIGatewayRESTService(
            location: context.dataLocation,
            served: executeApi.servedRestApis,
            clock: context.clock,
            environment: environment,
            authorizer: context.authorizer,
            logger: context.logger
        )
        // The start-up template's REST APIs live in the control plane's store like API-created ones (one model).
        let restTypes = RestApiProvider().resourceTypes
        let templateRestResources = ChangePlan.deploymentOrder(plan.stack.resources).filter { restTypes.contains($0.type) }
        for failure in restApis.deployTemplate(templateRestResources, stackName: plan.stack.name) {
            context.logger.warning("API Gateway: a REST API resource of the template was not deployed: \(failure)")
        }
        // `BodyS3Location` documents of API Gateway resources come from the emulated S3.
        let readObject: @Sendable (String, String, String?) async -> String? = { bucket, key, version in
            await s3.objectText(bucket: bucket, key: key, versionId: version)
        }
        let deployers = DeployerRegistry([
            S3BucketDeployer(service: s3), DynamoDBTableDeployer(service: dynamoDB), LambdaFunctionDeployer(service: lambda),
            IAMDeployer(directory: context.roleSessions.directory, now: { clock.now }),
            APIGatewayV2Deployer(service: apiGatewayV2, readObject: readObject), LambdaPermissionDeployer(service: lambda),
            RestApiDeployer(service: restApis, readObject: readObject),
            EventSourceMappingDeployer(service: lambda), UserPoolDeployer(service: userPools),
            UserPoolGroupDeployer(service: userPools), UserPoolDomainDeployer(service: userPools), UserPoolUserDeployer(service: userPools),
            UserPoolUserToGroupAttachmentDeployer(service: userPools), LogGroupDeployer(service: logs),
            IdentityPoolDeployer(service: cognito), LambdaVersionDeployer(service: lambda), LambdaAliasDeployer(service: lambda),
            LambdaLayerVersionDeployer(service: lambda), LambdaLayerVersionPermissionDeployer(service: lambda),
        ])
        self.deployers = deployers
        // The start-up stack is adopted as a stack like any other: UpdateStack, change sets, DeleteStack and
        // `start --watch` act on it through the deployers.
        let stacks = try StackEngine(
            location: context.dataLocation,
            catalog: .emulator,
            deployers: deployers,
            clock: context.clock,
            environment: environment,
            startup: StartupStack(
                stack: plan.stack,
                templateBody: plan.templateBody,
                baseDirectory: plan.templateURL.deletingLastPathComponent().path,
                creationTime: creationTime
            )
        )
        self.stacks = stacks
        let executeApiIds = plan.stack.executeApiIds
        let cloudFormation = CloudFormationService(
            engine: stacks,
            localOutputs: { value in
                let current = environment.current
                return LocalURLs(host: current.host, port: current.port, region: current.region, executeApiIds: executeApiIds).rewrite(value)
            },
            readObject: { bucket, key in await s3.objectText(bucket: bucket, key: key) }
        )
        lambda.forwardLogs(to: logs.store)
        handlers = [
            s3,
            dynamoDB,
            DynamoDBStreamsService(tables: dynamoDB),
            lambda,
            webSocket,
            apiGatewayV2,
            // The API Gateway v1 control plane (after v2: v2 owns the signing name, v1 gets every non-/v2/ path).
            restApis,
            cognito,
            userPools,
            STSService(sessions: context.roleSessions, tokens: context.webIdentityTokens, authorizer: context.authorizer),
            IAMService(
                directory: context.roleSessions.directory,
                credentials: context.credentials,
                authorizer: context.authorizer,
                clock: context.clock,
                accountId: environment.current.accountId
            ),
            cloudFormation,
            logs,
        ]
        resettables = try Self.resettables(
            context: context,
            s3: s3,
            dynamoDB: dynamoDB,
            webSocket: webSocket,
            stacks: stacks,
            lambda: lambda,
            apiGatewayV2: apiGatewayV2,
            logs: logs,
            handlers: handlers
        )
        snapshottables = Self.snapshottables(
            s3: s3,
            dynamoDB: dynamoDB,
            webSocket: webSocket,
            lambda: lambda,
            apiGatewayV2: apiGatewayV2,
            stacks: stacks,
            logs: logs,
            directory: context.roleSessions.directory,
            credentials: context.credentials,
            handlers: handlers
        )
        integrations.attach(handlers)
        backgroundServices = [
            dynamoDB.ttlSweeper(), lambda.supervisor, lambda.eventSourceMappingPoller(source: dynamoDB), webSocket.connectionSweeper(),
            s3.lifecycleSweeper().scheduled(),
        ]
    }
}
