import AWSGateway
import CloudFormation
import CloudFormationService
import EmulatorCore
import Foundation
import Logging
import S3Service
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
    /// The base logger.
    package var logger: Logger
    /// When the stack was created (the emulator's start, on the virtual clock).
    package var creationTime: Date
}

/// Builds every service from the context: the one place where services are wired to each other.
package struct ServiceRegistry: Sendable {
    /// The services the front door routes to.
    package let handlers: [any AWSServiceHandler]
    /// Long-lived background work (sweepers, worker supervisors), run in the service group before the server.
    package let backgroundServices: [any Service]

    /// Builds the services.
    /// - Parameter context: What services are built from.
    /// - Throws: When a service cannot open its storage.
    package init(context: ServiceContext) throws {
        let environment = context.environment
        let plan = context.plan
        let creationTime = context.creationTime
        let cloudFormation = CloudFormationService {
            let current = environment.current
            return plan.stackDescription(
                urls: LocalURLs(host: current.host, port: current.port, region: current.region),
                creationTime: creationTime
            )
        }
        let s3 = try S3Service(
            buckets: try context.stack.buckets,
            dataLocation: context.dataLocation,
            clock: context.clock,
            environment: environment,
            authorizer: context.authorizer,
            credentials: context.credentials,
            lambda: nil,  // Lambda is not on main yet: notifications are logged as dropped.
            logger: context.logger
        )
        handlers = [
            s3,
            UnimplementedService(descriptor: ServiceDescriptors.dynamoDB),
            UnimplementedService(descriptor: ServiceDescriptors.lambda),
            UnimplementedService(descriptor: ServiceDescriptors.apiGatewayManagement),
            UnimplementedService(descriptor: ServiceDescriptors.cognitoIdentity),
            UnimplementedService(descriptor: ServiceDescriptors.sts),
            UnimplementedService(descriptor: ServiceDescriptors.iam),
            cloudFormation,
        ]
        backgroundServices = [s3.lifecycleSweeper()]
    }
}
