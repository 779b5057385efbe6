import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/_local/faults`: fault injection (``FaultRegistry``).
///
/// - `POST /_local/faults` with a fault (``FaultRuleParser`` describes the body): 200 with the fault and its id;
///   400 `ValidationException` naming the problem.
/// - `GET /_local/faults`: the active faults and the injected-call log (oldest first).
/// - `DELETE /_local/faults`: removes every fault and empties the log; `DELETE /_local/faults/{id}` removes one
///   (404 `ResourceNotFoundException` for an unknown id).
extension LocalAdmin {
    /// Serves one `/_local/faults` request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The path.
    ///   - body: The body.
    /// - Returns: The response.
    func handleFaults(method: HTTPRequest.Method, path: String, body: ByteBuffer) -> Response {
        guard let faults else {
            return error(GenericAWSError(code: "ResourceNotFoundException", message: "fault injection is not available", httpStatus: 404))
        }
        switch (method, path) {
        case (.get, "/_local/faults"):
            let snapshot = faults.snapshot()
            return json([
                "faults": snapshot.active.map(Self.faultObject),
                "injected": snapshot.injected.map(Self.injectedObject),
                "droppedInjected": snapshot.droppedLogEntries,
                "logCapacity": FaultRegistry.logCapacity,
            ])
        case (.post, "/_local/faults"):
            let knownServices = Set(services().map(\.descriptor.signingName))
            let rule: FaultRule
            do {
                rule = try FaultRuleParser.parse(Data(body.readableBytesView), knownServices: knownServices, now: clock.now)
            } catch {
                return invalid(error.message)
            }
            guard let added = faults.add(rule) else {
                return invalid("at most \(FaultRegistry.maximumFaults) faults may be active; DELETE /_local/faults or one of them first")
            }
            return json(["fault": Self.faultObject(added)])
        case (.delete, "/_local/faults"):
            return json(["removed": faults.clear()])
        case (.delete, _):
            let id = String(path.dropFirst("/_local/faults/".count))
            guard faults.remove(id: id) else {
                return error(GenericAWSError(code: "ResourceNotFoundException", message: "no active fault with id '\(id)'", httpStatus: 404))
            }
            return json(["removed": 1])
        default:
            return error(
                GenericAWSError(
                    code: "MethodNotAllowedException",
                    message: "/_local/faults takes GET, POST and DELETE (DELETE /_local/faults/{id} removes one)",
                    httpStatus: 405
                )
            )
        }
    }

    private func error(_ error: GenericAWSError) -> Response {
        ErrorRenderer.response(for: error, protocol: .awsJson1_1(targetPrefix: "Local"), requestId: RequestID.uuid())
    }

    /// A fault as JSON.
    /// - Parameter rule: The fault.
    /// - Returns: The object.
    static func faultObject(_ rule: FaultRule) -> [String: Any] {
        var object: [String: Any] = [
            "id": rule.id,
            "service": rule.service,
            "operation": rule.operation ?? "*",
            "rate": rule.rate,
            "injected": rule.injected,
            "createdAt": Timestamp.iso8601Milliseconds(rule.createdAt),
            "effect": rule.effect.summary,
        ]
        if let resource = rule.resource { object["resource"] = resource }
        if let remaining = rule.remaining { object["remaining"] = remaining }
        if let expiresAt = rule.expiresAt { object["expiresAt"] = Timestamp.iso8601Milliseconds(expiresAt) }
        switch rule.effect {
        case .error(let error):
            object["error"] = ["code": error.code, "status": error.httpStatus, "message": error.message]
        case .latency(let milliseconds):
            object["latencyMs"] = milliseconds
        case .functionTimeout:
            object["lambdaEffect"] = "timeout"
        case .initFailure(let failure):
            object["lambdaEffect"] = "initFailure"
            object["errorType"] = failure.errorType
            object["errorMessage"] = failure.errorMessage
        }
        return object
    }

    /// An injected call as JSON.
    /// - Parameter entry: The log entry.
    /// - Returns: The object.
    static func injectedObject(_ entry: InjectedFault) -> [String: Any] {
        var object: [String: Any] = [
            "time": Timestamp.iso8601Milliseconds(entry.time),
            "faultId": entry.faultId,
            "service": entry.service,
            "effect": entry.effect,
            "requestId": entry.requestId,
        ]
        if let operation = entry.operation { object["operation"] = operation }
        if let resource = entry.resource { object["resource"] = resource }
        return object
    }
}
