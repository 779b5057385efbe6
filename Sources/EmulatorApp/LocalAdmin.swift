import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The emulator's own endpoints under `/_local/`: health and the virtual clock.
struct LocalAdmin: Sendable {
    let clock: VirtualClock
    let environment: EmulatorEnvironment
    let services: @Sendable () -> [any AWSServiceHandler]

    /// Serves one `/_local/...` request, or returns `nil` for unknown paths.
    func handle(_ request: Request, path: String, body: ByteBuffer) async -> Response? {
        switch (request.method, path) {
        case (.get, "/_local/health"):
            return json(await health())
        case (.get, "/_local/clock"):
            return json(clockState())
        case (.post, "/_local/clock"):
            return moveClock(body: body)
        default:
            for case let provider as any LocalEndpointProviding in services() {
                if let response = await provider.handleLocal(request, path: path, body: body) { return response }
            }
            return nil
        }
    }

    private func health() async -> [String: Any] {
        var tls: [String: Any] = ["port": environment.tlsPort]
        if let bundle = environment.caBundlePath { tls["caBundlePath"] = bundle }
        var services: [String: Any] = [:]
        for service in self.services() {
            let health = await service.health()
            var entry: [String: Any] = ["state": health.state, "resources": health.resources]
            if !health.details.isEmpty { entry["details"] = health.details }
            services[service.descriptor.name] = entry
        }
        return [
            "status": "running",
            "region": environment.region,
            "accountId": environment.accountId,
            "stackName": environment.stackName,
            "edgeURL": environment.edgeURL,
            "tls": tls,
            "clock": clockState(),
            "services": services,
        ]
    }

    private func clockState() -> [String: Any] {
        ["now": Timestamp.iso8601Milliseconds(clock.now), "offsetSeconds": clock.offset]
    }

    /// `{"advance": "7d"}` or `{"set": "2026-01-01T00:00:00Z"}`.
    private func moveClock(body: ByteBuffer) -> Response {
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        if let advance = object?["advance"] {
            let seconds: TimeInterval? =
                switch advance {
                case let text as String: DurationText.seconds(text)
                case let number as NSNumber: number.doubleValue
                default: nil
                }
            guard let seconds, seconds.isFinite else {
                return invalid("advance must be a duration such as \"7d\", \"90m\", \"1h30m\" or a number of seconds")
            }
            clock.advance(by: seconds)
            return json(clockState())
        }
        if let text = object?["set"] as? String {
            guard let date = Timestamp.parseISO8601(text) else {
                return invalid("set must be an ISO 8601 timestamp such as 2026-01-01T00:00:00Z")
            }
            clock.set(to: date)
            return json(clockState())
        }
        return invalid("expected a JSON object with \"advance\" (duration) or \"set\" (ISO 8601 timestamp)")
    }

    private func invalid(_ message: String) -> Response {
        ErrorRenderer.response(
            for: GenericAWSError(code: "ValidationException", message: message),
            protocol: .awsJson1_1(targetPrefix: "Local"),
            requestId: RequestID.uuid()
        )
    }

    private func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
