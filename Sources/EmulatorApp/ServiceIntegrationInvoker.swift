import AWSGateway
import EmulatorCore
import Foundation
import IAM
import Logging
import SigV4
import Synchronization

/// API Gateway's `AWS` service integrations, in-process: each call goes to the named service's handler as the
/// integration's credentials role (a role session issued once and renewed before it expires), so IAM decides what
/// the role may do exactly as for a signed request.
///
/// Built before the services exist: ``attach(_:)`` hands it the handlers once they are.
final class ServiceIntegrationInvoker: AWSServiceInvoking {
    private let handlers = Mutex<[String: any AWSServiceHandler]>([:])
    private let sessions = Mutex<[String: TemporaryCredential]>([:])
    private let roleSessions: RoleSessions
    private let clock: VirtualClock
    private let region: String
    private let logger: Logger

    /// Creates the invoker.
    /// - Parameters:
    ///   - roleSessions: Issues the credentials roles' sessions.
    ///   - clock: The virtual clock (session renewal).
    ///   - region: The emulated region.
    ///   - logger: The base logger.
    init(roleSessions: RoleSessions, clock: VirtualClock, region: String, logger: Logger) {
        self.roleSessions = roleSessions
        self.clock = clock
        self.region = region
        var logger = logger
        logger[metadataKey: "service"] = "apigateway"
        self.logger = logger
    }

    /// Makes the services reachable, by signing name.
    /// - Parameter services: Every service handler.
    func attach(_ services: [any AWSServiceHandler]) {
        var byName: [String: any AWSServiceHandler] = [:]
        for service in services where byName[service.descriptor.signingName] == nil { byName[service.descriptor.signingName] = service }
        handlers.withLock { $0 = byName }
    }

    /// Sends one integration request.
    /// - Parameter call: The request.
    /// - Returns: The service's answer; status `0` when there is no such service, no credentials role, or a role the
    ///   account does not have (API Gateway's configuration errors, answered `500` to the client).
    func call(_ call: AWSServiceCall) async -> AWSServiceCallResult {
        guard let service = handlers.withLock({ $0[call.service] }) else {
            logger.warning("AWS integration: service not emulated", metadata: ["service": .string(call.service)])
            return AWSServiceCallResult(status: 0)
        }
        guard let roleArn = call.credentialsArn, roleSessions.catalog.role(arn: roleArn) != nil else {
            logger.warning(
                "Execution failed due to configuration error: the integration has no credentials role the account knows",
                metadata: ["credentials": .string(call.credentialsArn ?? "none")]
            )
            return AWSServiceCallResult(status: 0)
        }
        let credential = session(for: roleArn)
        let caller = Caller(
            accessKeyId: credential.accessKeyId,
            sessionToken: credential.sessionToken,
            principalArn: credential.principal,
            signatureVerified: true,
            signing: .sigV4Header,
            authentication: nil
        )
        var headers: [(name: String, value: String)] = []
        if let action = call.action, case .awsJson1_0(let prefix) = service.descriptor.wireProtocol {
            headers.append((name: "X-Amz-Target", value: "\(prefix).\(action)"))
            headers.append((name: "Content-Type", value: "application/x-amz-json-1.0"))
        } else if let action = call.action, case .awsJson1_1(let prefix) = service.descriptor.wireProtocol {
            headers.append((name: "X-Amz-Target", value: "\(prefix).\(action)"))
            headers.append((name: "Content-Type", value: "application/x-amz-json-1.1"))
        }
        return await InProcessDispatch.send(
            to: service,
            method: call.method,
            path: call.path,
            headers: headers,
            body: call.body,
            caller: caller,
            region: region,
            logger: logger
        )
    }

    private func session(for roleArn: String) -> TemporaryCredential {
        let now = clock.now
        if let cached = sessions.withLock({ $0[roleArn] }), cached.expiration.timeIntervalSince(now) > 300 { return cached }
        let issued = roleSessions.issue(roleArn: roleArn, sessionName: "apigateway", duration: 3600)
        sessions.withLock { $0[roleArn] = issued }
        return issued
    }
}
