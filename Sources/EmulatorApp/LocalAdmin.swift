import AWSGateway
import Dashboard
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import NIOCore
import SigV4

/// The emulator's own endpoints under `/_local/`: health, the virtual clock, `POST /_local/reset` (every
/// ``ResettableService`` back to the template's initial state) and, through ``LocalEndpointProviding``, the services'
/// own such as Lambda's logs.
///
/// They are for the developer and the developer's tools, not for web pages the developer happens to visit, so every
/// request must pass these rules first (``LocalAdminPolicy``):
/// - a `Host` header must name loopback (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`) or the `--host` the
///   emulator listens on, which defeats DNS rebinding (403 otherwise), unless the request carries the `--admin-token`;
/// - an `Origin` header, when present, must be the emulator's own origin or a loopback origin
///   (`http(s)://127.0.0.1`, `localhost` or `[::1]`, any port): other sites' pages get 403, and their CORS
///   preflights are answered without any `Access-Control-Allow-*` grant;
/// - writes (`POST`) need `Content-Type: application/json` (415 otherwise), which no HTML form can send and no
///   cross-site script can send without a preflight;
/// - with `--admin-token`, writes need `Authorization: Bearer TOKEN` or `X-Local-Admin-Token: TOKEN` (403);
/// - the clock moves only within ±100 years of real time (400 `ValidationException`).
struct LocalAdmin: Sendable {
    let clock: VirtualClock
    let environment: EmulatorEnvironment
    let credentials: CredentialStore
    let adminToken: String?
    /// The IAM authorizer's most recent denials (`GET /_local/iam/decisions`).
    let decisions: DecisionLog
    let services: @Sendable () -> [any AWSServiceHandler]
    /// What `POST /_local/reset` brings back to the template's initial state.
    var resettables: [any ResettableService] = []
    /// The snapshots (`/_local/snapshots`), when the emulator keeps any.
    var snapshots: SnapshotCatalog?
    /// Injected faults (`/_local/faults`, see `LocalAdmin+Faults.swift`).
    var faults: FaultRegistry?

    /// Serves one `/_local/...` request, or returns `nil` for unknown paths.
    func handle(_ request: Request, path: String, body: ByteBuffer) async -> Response? {
        let policy = LocalAdminPolicy(environment: environment, adminToken: adminToken)
        let origin = request.headers[.origin]
        if let refusal = policy.refusal(method: request.method, host: request.head.authority, origin: origin, headers: request.headers) {
            return refusal.response
        }
        var response: Response
        switch (request.method, path) {
        case (.options, _):
            response = Response(status: .noContent)
            if origin != nil { LocalAdminPolicy.addPreflightHeaders(&response.headers) }
        case (.get, "/_local/health"):
            response = json(await health())
        case (.get, "/_local/clock"):
            response = json(clockState())
        case (.post, "/_local/clock"):
            response = moveClock(body: body)
        case (.get, "/_local/ui"), (.get, "/_local/ui/"):
            response = dashboard()
        case (.get, "/_local/iam/decisions"):
            response = json(["decisions": decisions.all.map(Self.decisionObject)])
        case (.post, "/_local/reset"):
            response = await reset()
        case (_, "/_local/snapshots"), (_, "/_local/snapshots/"):
            response = await snapshotCollection(request.method, body: body)
        case (_, _) where path.hasPrefix("/_local/snapshots/"):
            response = await snapshotItem(request.method, path: path)
        case (_, "/_local/faults"),
            (.delete, _) where path.hasPrefix("/_local/faults/"):
            response = handleFaults(method: request.method, path: path, body: body)
        default:
            var found: Response?
            for case let provider as any LocalEndpointProviding in services() {
                if let answer = await provider.handleLocal(request, path: path, body: body) {
                    found = answer
                    break
                }
            }
            guard let found else { return nil }
            response = found
        }
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.vary] = "Origin"
        }
        return response
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
            "credentials": ["issued": credentials.temporaryCount],
            "services": services,
        ]
    }

    /// The dashboard page (``DashboardPage``).
    private func dashboard() -> Response {
        var headers = HTTPFields()
        for (name, value) in DashboardPage.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: DashboardPage.html)))
    }

    private static func decisionObject(_ entry: DecisionLog.Entry) -> [String: Any] {
        var object: [String: Any] = [
            "time": Timestamp.iso8601Milliseconds(entry.time),
            "action": entry.action,
            "resources": entry.resources,
            "message": entry.message,
            "statement": entry.statement,
            "auditOnly": entry.auditOnly,
        ]
        if let principal = entry.principal { object["principal"] = principal }
        return object
    }

    /// `POST /_local/reset`: every service's data back to the template's initial state (see ``ResettableService``);
    /// Lambda environments stay warm and the clock stays where it is.
    private func reset() async -> Response {
        let started = ContinuousClock.now
        var done: [String] = []
        var timings: [String: Double] = [:]
        for hook in resettables {
            do {
                let hookStarted = ContinuousClock.now
                try await hook.resetToTemplate()
                done.append(hook.resetName)
                timings[hook.resetName] = Self.milliseconds(since: hookStarted)
            } catch {
                return ErrorRenderer.response(
                    for: GenericAWSError(
                        code: "InternalFailure",
                        message: "reset stopped at \(hook.resetName) (after \(done.joined(separator: ", "))): \(error)",
                        httpStatus: 500
                    ),
                    protocol: .awsJson1_1(targetPrefix: "Local"),
                    requestId: RequestID.uuid()
                )
            }
        }
        return json(["reset": done, "milliseconds": Self.milliseconds(since: started), "serviceMilliseconds": timings])
    }

    /// Milliseconds since `start`, to the microsecond.
    private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (milliseconds * 1000).rounded() / 1000
    }

    private func clockState() -> [String: Any] {
        ["now": Timestamp.iso8601Milliseconds(clock.now), "offsetSeconds": clock.offset]
    }

    /// `{"advance": "7d"}` or `{"set": "2026-01-01T00:00:00Z"}`, kept within ±100 years of real time.
    ///
    /// Issued credentials that expired are purged before the move (so that setting the clock back never revives
    /// them) and after it.
    private func moveClock(body: ByteBuffer) -> Response {
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        let realNow = clock.now.addingTimeInterval(-clock.offset)
        let newOffset: TimeInterval
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
            newOffset = clock.offset + seconds
        } else if let text = object?["set"] as? String {
            guard let date = Timestamp.parseISO8601(text) else {
                return invalid("set must be an ISO 8601 timestamp such as 2026-01-01T00:00:00Z")
            }
            newOffset = date.timeIntervalSince(realNow)
        } else {
            return invalid("expected a JSON object with \"advance\" (duration) or \"set\" (ISO 8601 timestamp)")
        }
        guard newOffset.isFinite, abs(newOffset) <= VirtualClock.maximumOffset else {
            return invalid(
                "the virtual clock must stay within 100 years of real time (an offset of at most "
                    + "\(Int(VirtualClock.maximumOffset)) seconds either way); this move would put it "
                    + (newOffset.isFinite ? String(format: "%.0f seconds away", newOffset) : "out of range")
            )
        }
        credentials.purgeExpired(now: clock.now)
        clock.set(to: realNow.addingTimeInterval(newOffset))
        credentials.purgeExpired(now: clock.now)
        return json(clockState())
    }

    func invalid(_ message: String) -> Response {
        ErrorRenderer.response(
            for: GenericAWSError(code: "ValidationException", message: message),
            protocol: .awsJson1_1(targetPrefix: "Local"),
            requestId: RequestID.uuid()
        )
    }

    func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The rules every `/_local/*` request must pass (see ``LocalAdmin``), kept apart from serving so they can be
/// tested on their own.
struct LocalAdminPolicy: Sendable {
    /// Where the emulator listens (the `--host` and ports count as its own origin).
    let environment: EmulatorEnvironment
    /// The `--admin-token`, when set.
    let adminToken: String?

    /// Why a request is refused: HTTP status, error code and the rule, in words.
    struct Refusal: Sendable, Equatable {
        /// The HTTP status (403 or 415).
        var status: Int
        /// The error code (`__type`).
        var code: String
        /// The message, stating the rule.
        var message: String

        /// The JSON error response.
        var response: Response {
            ErrorRenderer.response(
                for: GenericAWSError(code: code, message: message, httpStatus: status),
                protocol: .awsJson1_1(targetPrefix: "Local"),
                requestId: RequestID.uuid()
            )
        }
    }

    /// The first rule the request breaks, or nil when it may be served.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - host: The `Host` header (HTTP/1) or `:authority`.
    ///   - origin: The `Origin` header.
    ///   - headers: All header fields (content type, token).
    /// - Returns: The refusal.
    func refusal(method: HTTPRequest.Method, host: String?, origin: String?, headers: HTTPFields) -> Refusal? {
        var tokenPresented = false
        if let adminToken, let presented = presentedToken(in: headers) { tokenPresented = SigV4Encoding.constantTimeEquals(presented, adminToken) }
        // The admin token proves the caller is the developer's tool, which may address the emulator by another name
        // (another machine or a container with --host 0.0.0.0); a rebound page cannot know it.
        if let host, !tokenPresented, !allowsHost(host) {
            return Refusal(
                status: 403,
                code: "AccessDeniedException",
                message:
                    "/_local endpoints answer only requests addressed to a loopback name (localhost, 127.0.0.1, [::1]) or to --host "
                    + "\(environment.host) (or carrying the --admin-token); Host '\(host)' is refused"
            )
        }
        if let origin, !allowsOrigin(origin) {
            return Refusal(
                status: 403,
                code: "AccessDeniedException",
                message:
                    "/_local endpoints refuse requests from web pages of other origins; only the emulator's own origin and loopback "
                    + "origins (http(s)://127.0.0.1, localhost or [::1]) may call them, and Origin '\(origin)' is neither"
            )
        }
        guard method != .get, method != .head, method != .options else { return nil }
        if adminToken != nil, !tokenPresented {
            return Refusal(
                status: 403,
                code: "AccessDeniedException",
                message:
                    "this emulator was started with --admin-token: /_local writes need 'Authorization: Bearer TOKEN' or "
                    + "'X-Local-Admin-Token: TOKEN' with the token printed at start"
            )
        }
        let mediaType = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            return Refusal(
                status: 415,
                code: "UnsupportedMediaTypeException",
                message: "/_local writes need Content-Type: application/json (got \(headers[.contentType].map { "'\($0)'" } ?? "none"))"
            )
        }
        return nil
    }

    /// The token a request presents: `Authorization: Bearer TOKEN`, else `X-Local-Admin-Token`.
    private func presentedToken(in headers: HTTPFields) -> String? {
        let bearer = headers[.authorization].flatMap { value -> String? in
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
        return bearer ?? headers[Self.tokenHeader]
    }

    /// `X-Local-Admin-Token`.
    static let tokenHeader = HTTPField.Name("X-Local-Admin-Token") ?? .authorization

    /// Adds the preflight grant for a loopback origin (the only kind that reaches a preflight answer).
    static func addPreflightHeaders(_ headers: inout HTTPFields) {
        headers[.accessControlAllowMethods] = "GET, POST, DELETE"
        headers[.accessControlAllowHeaders] = "Content-Type, Authorization, X-Local-Admin-Token"
        headers[.accessControlMaxAge] = "600"
    }

    /// Whether a `Host` value names loopback or the configured `--host`.
    func allowsHost(_ host: String) -> Bool {
        guard let name = Self.hostName(host) else { return false }
        return Self.isLoopbackName(name) || name == Self.normalised(environment.host)
    }

    /// Whether an `Origin` is the emulator's own or a loopback one.
    func allowsOrigin(_ origin: String) -> Bool {
        let lowered = origin.lowercased()
        if lowered == "http://\(environment.hostForURL.lowercased()):\(environment.port)"
            || lowered == "https://\(environment.hostForURL.lowercased()):\(environment.tlsPort)"
        {
            return true
        }
        let rest: Substring
        if lowered.hasPrefix("http://") {
            rest = lowered.dropFirst("http://".count)
        } else if lowered.hasPrefix("https://") {
            rest = lowered.dropFirst("https://".count)
        } else {
            return false
        }
        guard !rest.contains("/"), !rest.contains("@"), let name = Self.hostName(String(rest)) else { return false }
        return ["127.0.0.1", "localhost", "::1"].contains(name)
    }

    /// The host name of a `host[:port]` value, lowercased, IPv6 brackets and one trailing dot removed; nil when the
    /// port is not a number.
    static func hostName(_ authority: String) -> String? {
        let value = authority.trimmingCharacters(in: .whitespaces).lowercased()
        var name: Substring
        var port: Substring?
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            name = value[value.index(after: value.startIndex)..<close]
            let after = value[value.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                port = after.dropFirst()
            }
        } else if let colon = value.firstIndex(of: ":") {
            name = value[..<colon]
            port = value[value.index(after: colon)...]
        } else {
            name = Substring(value)
        }
        if let port, port.isEmpty || port.count > 5 || !port.allSatisfy(\.isASCII) || !port.allSatisfy(\.isNumber) { return nil }
        if name.hasSuffix(".") { name = name.dropLast() }
        return name.isEmpty ? nil : String(name)
    }

    /// The configured host as ``hostName(_:)`` would report it.
    static func normalised(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        return name
    }

    /// `localhost`, `*.localhost`, `127.0.0.0/8` or `::1`.
    static func isLoopbackName(_ name: String) -> Bool {
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy { $0.isASCII && $0.isNumber } && (Int(octet) ?? 256) <= 255
        }
    }
}
