import AWSGateway
import EmulatorCore
import Foundation
import Logging
import SigV4

extension APIGatewayHTTPService {
    /// Authorizes an `AWS_IAM` method as API Gateway does: the request must carry a SigV4 signature (else 403
    /// `Missing Authentication Token`) for the service `execute-api`, verified with the emulator's credentials (else
    /// 403 with the signature error), and the caller's policies must allow `execute-api:Invoke` on the method ARN
    /// (else 403 `AccessDeniedException` with IAM's message).
    /// - Returns: The `requestContext.identity` fields of the caller, or the refusal.
    func authorizeIAM(_ api: RestApiSpec, stage: RestApiSpec.Stage, request: ProxyRequest, logger: Logger) async -> MethodAuthorizationOutcome {
        let signed = SigV4Request(method: request.method, path: request.requestPath, query: request.rawQuery, headers: request.headers)
        let signature = SigV4.inspect(signed)
        guard signature.carriesSignature else {
            return .refused(.message(403, GatewayMessages.missingAuthenticationTokenType, GatewayMessages.missingAuthenticationToken))
        }
        guard let authenticator else { return .refused(.authorizerConfiguration) }
        if let scope = signature.scope, scope.service != "execute-api" {
            return .refused(.message(403, "InvalidSignatureException", GatewayMessages.wrongSigningService))
        }
        let digest = SigV4Encoding.sha256Hex(request.body)
        let caller: Caller
        do {
            caller = try authenticator.authenticate(
                signed,
                signature: signature,
                bodySHA256Hex: digest,
                wireProtocol: .restJson1,
                virtualHostBucket: nil,
                logger: logger
            )
        } catch {
            return .refused(GatewayRefusal(status: 403, errorType: error.code, body: ProxyEvents.messageBody(error.message)))
        }
        let current = environment.current
        let methodArn = self.methodArn(api, stage: stage, request: request)
        if case .denied(let message) = await requestAuthorizer.authorize(
            caller: caller,
            action: "execute-api:Invoke",
            resources: [methodArn],
            context: [:]
        ) {
            return .refused(GatewayRefusal(status: 403, errorType: "AccessDeniedException", body: ProxyEvents.messageBody(message, key: "Message")))
        }
        let arn = caller.principalArn ?? "arn:aws:iam::\(current.accountId):root"
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let account = parts.count > 4 ? String(parts[4]) : current.accountId
        let resource = parts.count > 5 ? String(parts[5]) : arn
        let user = resource == "root" ? account : String(resource.split(separator: "/").last ?? Substring(resource))
        var identity = ["accessKey": caller.accessKeyId ?? "", "accountId": account, "userArn": arn, "user": user, "caller": user]
        if resource.hasPrefix("assumed-role/") { identity["caller"] = resource.split(separator: "/").dropFirst().joined(separator: ":") }
        return .allowed(authorizer: nil, identity: identity)
    }
}
