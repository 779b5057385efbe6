import CloudFormation
import EmulatorCore
import Foundation
import Logging

/// The outcome of a `$connect` REQUEST authorizer.
enum AuthorizerOutcome: Sendable {
    /// Allowed; the authorizer output (`principalId`, `integrationLatency`, context) for `requestContext.authorizer`.
    case allowed(Data)
    /// Refused with AWS's status and body message.
    case refused(status: Int, message: String)
}

extension WebSocketAPIService {
    /// Runs a REQUEST Lambda authorizer for a `$connect` request, as API Gateway does: a missing identity source
    /// refuses with 401 without invoking; a policy without an `Allow` for `execute-api:Invoke` (or with a
    /// `Deny`) refuses with 403; a failing authorizer refuses with 500.
    func runAuthorizer(
        _ spec: WebSocketApiSpec.Authorizer,
        facts: ConnectionFacts,
        handshake: HandshakeRequest,
        logger: Logger
    ) async -> AuthorizerOutcome {
        for source in spec.identitySource where !Self.hasIdentitySource(source, handshake: handshake) {
            logger.info("Authorizer identity source missing", metadata: ["source": .string(source)])
            return .refused(status: 401, message: WebSocketMessages.unauthorized)
        }
        guard let function = spec.functionArn, let api = apis[facts.apiId] else {
            return .refused(status: 500, message: WebSocketMessages.internalServerError)
        }
        let current = environment.current
        let event = WebSocketEvents.authorizerRequest(
            facts: facts,
            handshake: handshake,
            region: current.region,
            accountId: current.accountId,
            now: clock.now,
            requestId: WebSocketIdentifiers.requestId()
        )
        let started = ContinuousClock.now
        guard
            let result = await invokeFunction(
                function,
                payload: WebSocketEvents.json(event),
                // With AuthorizerCredentialsArn API Gateway invokes as that role: the function's policy is not consulted.
                source: spec.credentialsArn == nil ? authorizerSourceArn(api, authorizerId: spec.authorizerId) : nil,
                timeout: WebSocketLimits.integrationTimeout,
                logger: logger
            ), result.functionError == nil,
            let output = try? JSONSerialization.jsonObject(with: result.payload) as? [String: Any]
        else {
            return .refused(status: 500, message: WebSocketMessages.internalServerError)
        }
        guard Self.policyAllows(output["policyDocument"]) else {
            return .refused(status: 403, message: WebSocketMessages.forbidden)
        }
        let elapsed = ContinuousClock.now - started
        var authorizer: [String: Any] = [:]
        if let context = output["context"] as? [String: Any] {
            for (key, value) in context { authorizer[key] = value }
        }
        authorizer["principalId"] = output["principalId"] ?? NSNull()
        authorizer["integrationLatency"] = WebSocketIdentifiers.clampedInt64(
            Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        )
        return .allowed(WebSocketEvents.json(authorizer))
    }

    /// Whether `route.request.header.NAME` / `route.request.querystring.NAME` is present and non-empty.
    static func hasIdentitySource(_ source: String, handshake: HandshakeRequest) -> Bool {
        if source.hasPrefix("route.request.header.") {
            let name = String(source.dropFirst("route.request.header.".count))
            return !(handshake.header(name) ?? "").isEmpty
        }
        if source.hasPrefix("route.request.querystring.") {
            let name = String(source.dropFirst("route.request.querystring.".count))
            return handshake.query.contains { $0.name == name && !$0.value.isEmpty }
        }
        // Stage variables and context sources are always there.
        return true
    }

    /// Whether an authorizer's policy document allows `execute-api:Invoke` and denies nothing.
    static func policyAllows(_ document: Any?) -> Bool {
        guard let document = document as? [String: Any] else { return false }
        let statements: [[String: Any]] =
            if let list = document["Statement"] as? [[String: Any]] { list } else if let one = document["Statement"] as? [String: Any] {
                [one]
            } else { [] }
        var allowed = false
        for statement in statements {
            let actions: [String] =
                if let list = statement["Action"] as? [String] { list } else if let one = statement["Action"] as? String { [one] } else { [] }
            guard actions.contains(where: { $0 == "*" || $0 == "execute-api:*" || $0.lowercased() == "execute-api:invoke" }) else { continue }
            switch (statement["Effect"] as? String)?.lowercased() {
            case "deny": return false
            case "allow": allowed = true
            default: continue
            }
        }
        return allowed
    }
}
