import AWSGateway
import EmulatorCore
import Foundation
import Logging
import SigV4

/// Why `AWS_IAM` authorization refused a request (each API kind answers it in its own shape).
enum IAMRefusal: Error {
    /// No SigV4 signature.
    case unsigned
    /// No authenticator is configured.
    case unverifiable
    /// The credential scope names another service than `execute-api`.
    case wrongService
    /// The signature does not verify (code and message of the signature error).
    case signature(code: String, message: String)
    /// IAM does not allow `execute-api:Invoke` (IAM's message).
    case denied(String)
}

/// The caller of a request IAM authorization allowed.
struct IAMCallerIdentity {
    /// The access key id.
    var accessKey: String
    /// The caller's account.
    var accountId: String
    /// The principal ARN.
    var userArn: String
    /// The user name (or the account for root).
    var user: String
    /// `$context.identity.caller`: the user, or `ROLE_ID:SESSION` for an assumed role.
    var caller: String

    /// REST's (and HTTP payload 1.0's) `requestContext.identity` fields.
    var identityFields: [String: String] {
        ["accessKey": accessKey, "accountId": accountId, "userArn": userArn, "user": user, "caller": caller]
    }

    /// HTTP payload 2.0's `requestContext.authorizer.iam` object, as the developer guide's example shows it.
    var iamObject: [String: Any] {
        [
            "accessKey": accessKey, "accountId": accountId, "callerId": caller, "cognitoIdentity": NSNull(),
            "principalOrgId": NSNull(), "userArn": userArn, "userId": caller,
        ]
    }
}

extension APIGatewayHTTPService {
    /// Authorizes an `AWS_IAM` method as API Gateway does: the request must carry a SigV4 signature (else 403
    /// `Missing Authentication Token`) for the service `execute-api`, verified with the emulator's credentials (else
    /// 403 with the signature error), and the caller's policies must allow `execute-api:Invoke` on the method ARN
    /// (else 403 `AccessDeniedException` with IAM's message).
    /// - Returns: The `requestContext.identity` fields of the caller, or the refusal.
    func authorizeIAM(_ api: RestApiSpec, stage: RestApiSpec.Stage, request: ProxyRequest, logger: Logger) async -> MethodAuthorizationOutcome {
        switch await verifyIAM(request, resourceArn: methodArn(api, stage: stage, request: request), logger: logger) {
        case .success(let identity):
            return .allowed(authorizer: nil, identity: identity.identityFields)
        case .failure(.unsigned):
            return .refused(.message(403, GatewayMessages.missingAuthenticationTokenType, GatewayMessages.missingAuthenticationToken))
        case .failure(.unverifiable):
            return .refused(.authorizerConfiguration)
        case .failure(.wrongService):
            return .refused(.message(403, "InvalidSignatureException", GatewayMessages.wrongSigningService))
        case .failure(.signature(let code, let message)):
            return .refused(GatewayRefusal(status: 403, errorType: code, body: ProxyEvents.messageBody(message)))
        case .failure(.denied(let message)):
            return .refused(GatewayRefusal(status: 403, errorType: "AccessDeniedException", body: ProxyEvents.messageBody(message, key: "Message")))
        }
    }

    /// Verifies a request's SigV4 signature for `execute-api` and asks IAM whether the caller may
    /// `execute-api:Invoke` the resource.
    /// - Parameters:
    ///   - request: The request.
    ///   - resourceArn: The method (REST) or route (HTTP) ARN.
    ///   - logger: The request logger.
    /// - Returns: The caller, or why it was refused.
    func verifyIAM(_ request: ProxyRequest, resourceArn: String, logger: Logger) async -> Result<IAMCallerIdentity, IAMRefusal> {
        let signed = SigV4Request(method: request.method, path: request.requestPath, query: request.rawQuery, headers: request.headers)
        let signature = SigV4.inspect(signed)
        guard signature.carriesSignature else { return .failure(.unsigned) }
        guard let authenticator else { return .failure(.unverifiable) }
        if let scope = signature.scope, scope.service != "execute-api" { return .failure(.wrongService) }
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
            return .failure(.signature(code: error.code, message: error.message))
        }
        let current = environment.current
        if case .denied(let message) = await requestAuthorizer.authorize(
            caller: caller,
            action: "execute-api:Invoke",
            resources: [resourceArn],
            context: [:]
        ) {
            return .failure(.denied(message))
        }
        let arn = caller.principalArn ?? "arn:aws:iam::\(current.accountId):root"
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let account = parts.count > 4 ? String(parts[4]) : current.accountId
        let resource = parts.count > 5 ? String(parts[5]) : arn
        let user = resource == "root" ? account : String(resource.split(separator: "/").last ?? Substring(resource))
        var identity = IAMCallerIdentity(accessKey: caller.accessKeyId ?? "", accountId: account, userArn: arn, user: user, caller: user)
        if resource.hasPrefix("assumed-role/") { identity.caller = resource.split(separator: "/").dropFirst().joined(separator: ":") }
        return .success(identity)
    }
}
