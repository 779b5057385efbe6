import Foundation

/// Why a `POST /_local/faults` body was refused: the message says what to fix.
package struct FaultSpecError: Error, Sendable, Equatable {
    /// The message.
    package var message: String

    /// Creates the error.
    /// - Parameter message: The message.
    package init(_ message: String) {
        self.message = message
    }
}

/// Reads and validates the JSON body of `POST /_local/faults`.
///
/// ```json
/// {"service": "dynamodb", "operation": "PutItem", "resource": "Turns",
///  "error": "ProvisionedThroughputExceededException", "count": 2}
/// {"service": "s3", "operation": "GetObject", "resource": "uploads/lectures/", "error": "SlowDown", "rate": 0.5,
///  "duration": "10m"}
/// {"service": "lambda", "operation": "Invoke", "resource": "QueryFunction", "effect": "timeout", "count": 1}
/// {"service": "dynamodb", "latencyMs": 1500}
/// ```
/// - `service` (required): a signing name (`dynamodb`, `s3`, `lambda`, `execute-api`...) or an alias
///   (`apigatewaymanagementapi`).
/// - `operation`, `resource`: optional filters (`resource`: a table, `bucket` or `bucket/prefix`, a function name or
///   ARN, a connection id).
/// - The effect, exactly one of: `error` (a code ``FaultCatalog`` knows, or any code with `status` and optional
///   `message`; `status`/`message` also override a known code's), `latencyMs` (0...60000), `effect: "timeout"` or
///   `effect: "initFailure"` (Lambda `Invoke` only; `errorType`/`errorMessage` optional).
/// - `rate` (0...1, default 1), `count` (1...1000000: the fault expires after that many hits), `duration` (`"90s"`,
///   `"10m"`, seconds) or `until` (ISO 8601): expiry by virtual time.
package enum FaultRuleParser {
    /// The members the body may have.
    private static let knownKeys: Set<String> = [
        "service", "operation", "resource", "error", "status", "message", "latencyMs", "effect", "errorType", "errorMessage", "rate",
        "count", "duration", "until",
    ]

    /// Parses a fault.
    /// - Parameters:
    ///   - body: The request body.
    ///   - knownServices: The signing names of the services this emulator serves.
    ///   - now: The virtual time (for `duration`).
    /// - Returns: The rule (its id is assigned by the registry).
    /// - Throws: ``FaultSpecError`` naming the first problem.
    package static func parse(_ body: Data, knownServices: Set<String>, now: Date) throws(FaultSpecError) -> FaultRule {
        guard let parsed = try? JSONSerialization.jsonObject(with: body), let object = parsed as? [String: Any] else {
            throw FaultSpecError(
                "the body must be a JSON object such as {\"service\": \"dynamodb\", \"operation\": \"PutItem\", \"error\": \"ThrottlingException\"}"
            )
        }
        if let unknown = object.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw FaultSpecError("unknown member '\(unknown)'; a fault takes \(knownKeys.sorted().joined(separator: ", "))")
        }
        let service = try serviceName(object["service"], knownServices: knownServices)
        let operation = try name(object["operation"], member: "operation")
        var resource = try name(object["resource"], member: "resource", anyPrintable: true)
        if service == "lambda", let value = resource { resource = functionName(value) }
        let effect = try parseEffect(object, service: service, operation: operation)
        let rate = try parseRate(object["rate"])
        let count = try parseCount(object["count"])
        let expiresAt = try parseExpiry(object, now: now)
        return FaultRule(
            id: "",
            service: service,
            operation: operation == "*" ? nil : operation,
            resource: resource,
            effect: effect,
            rate: rate,
            remaining: count,
            expiresAt: expiresAt,
            createdAt: now
        )
    }

    /// The function name in a name, a `name:qualifier` or a function ARN.
    /// - Parameter value: The value.
    /// - Returns: The bare function name.
    package static func functionName(_ value: String) -> String {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 7, parts[0] == "arn" { return String(parts[6]) }
        return String(parts.first ?? Substring(value))
    }

    /// Whether a JSON value is `true`/`false` (Foundation bridges 0 and 1 to `Bool` too, so `is Bool` cannot tell).
    private static func isBoolean(_ value: Any?) -> Bool {
        guard let number = value as? NSNumber else { return value is Bool }
        return String(cString: number.objCType) == "c"
    }

    private static func serviceName(_ value: Any?, knownServices: Set<String>) throws(FaultSpecError) -> String {
        guard let text = value as? String, !text.isEmpty else {
            throw FaultSpecError("service is required: one of \(knownServices.sorted().joined(separator: ", "))")
        }
        let lowered = text.lowercased()
        let service = FaultCatalog.serviceAliases[lowered] ?? lowered
        guard knownServices.contains(service) else {
            throw FaultSpecError("unknown service '\(text)': use one of \(knownServices.sorted().joined(separator: ", "))")
        }
        return service
    }

    private static func name(_ value: Any?, member: String, anyPrintable: Bool = false) throws(FaultSpecError) -> String? {
        guard let value else { return nil }
        guard let text = value as? String, !text.isEmpty, text.count <= 1024 else {
            throw FaultSpecError("\(member) must be a non-empty string of at most 1024 characters")
        }
        // Resources (S3 keys) may hold any printable character; operation names are letters and digits.
        let allowed: (Character) -> Bool =
            anyPrintable
            ? { !$0.unicodeScalars.contains { $0.properties.generalCategory == .control } } : { $0.isASCII && ($0.isLetter || $0.isNumber) }
        guard text == "*" || text.allSatisfy(allowed) else {
            throw FaultSpecError("\(member) '\(text)' has characters an AWS \(member) name cannot have")
        }
        return text
    }

    private static func parseEffect(_ object: [String: Any], service: String, operation: String?) throws(FaultSpecError) -> FaultRule.Effect {
        let kind = object["effect"]
        let hasError = object["error"] != nil
        let hasLatency = object["latencyMs"] != nil
        if let kind {
            guard let word = kind as? String, ["timeout", "initFailure", "error", "latency"].contains(word) else {
                throw FaultSpecError("effect must be \"error\", \"latency\", \"timeout\" or \"initFailure\"")
            }
            switch word {
            case "timeout", "initFailure":
                guard service == "lambda", operation == nil || operation == "Invoke" else {
                    throw FaultSpecError("effect \"\(word)\" applies to Lambda invocations only: service \"lambda\", operation \"Invoke\" (or none)")
                }
                guard !hasError, !hasLatency else { throw FaultSpecError("give one effect: effect \"\(word)\" takes neither error nor latencyMs") }
                if word == "timeout" { return .functionTimeout }
                var failure = FaultCatalog.defaultInitFailure
                if let type = object["errorType"] {
                    guard let type = type as? String, type.hasPrefix("Runtime."), type.count <= 128 else {
                        throw FaultSpecError("errorType must be a Runtime.* error type such as Runtime.ImportModuleError or Runtime.ExitError")
                    }
                    failure.errorType = type
                }
                if let message = object["errorMessage"] {
                    guard let message = message as? String, message.count <= 4096 else {
                        throw FaultSpecError("errorMessage must be a string of at most 4096 characters")
                    }
                    failure.errorMessage = message
                }
                return .initFailure(failure)
            case "latency":
                guard hasLatency, !hasError else { throw FaultSpecError("effect \"latency\" needs latencyMs and no error") }
            default:
                guard hasError, !hasLatency else { throw FaultSpecError("effect \"error\" needs error and no latencyMs") }
            }
        }
        switch (hasError, hasLatency) {
        case (true, false): return .error(try parseError(object, service: service))
        case (false, true):
            guard let number = object["latencyMs"] as? NSNumber, !isBoolean(object["latencyMs"]) else {
                throw FaultSpecError("latencyMs must be a number of milliseconds, 0...60000")
            }
            let value = number.doubleValue
            guard value.isFinite, value >= 0, value <= 60_000 else { throw FaultSpecError("latencyMs must be a number of milliseconds, 0...60000") }
            return .latency(milliseconds: Int(value.rounded()))
        case (true, true): throw FaultSpecError("give one effect: error or latencyMs, not both")
        case (false, false):
            throw FaultSpecError("a fault needs an effect: error (an AWS error code), latencyMs, or effect \"timeout\"/\"initFailure\" for Lambda")
        }
    }

    private static func parseError(_ object: [String: Any], service: String) throws(FaultSpecError) -> InjectedError {
        guard let code = object["error"] as? String, !code.isEmpty, code.count <= 128,
            code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") })
        else {
            throw FaultSpecError("error must be an AWS error code such as ThrottlingException")
        }
        var error: InjectedError
        if let known = FaultCatalog.errors[service]?[code] {
            error = known
        } else {
            guard object["status"] != nil else {
                let known = (FaultCatalog.errors[service] ?? [:]).keys.sorted()
                throw FaultSpecError(
                    "error '\(code)' is not one this emulator knows for \(service)"
                        + (known.isEmpty ? "" : " (\(known.joined(separator: ", ")))")
                        + "; give its HTTP status (and message) to inject it anyway"
                )
            }
            error = InjectedError(code: code, message: "", httpStatus: 400)
            if service == "dynamodb" { error.jsonType = "com.amazonaws.dynamodb.v20120810#" + code }
        }
        if let status = object["status"] {
            guard let number = status as? NSNumber, !isBoolean(status), let value = Int(exactly: number.doubleValue), (400...599).contains(value)
            else {
                throw FaultSpecError("status must be an HTTP error status, 400...599")
            }
            error.httpStatus = value
        }
        if let message = object["message"] {
            guard let text = message as? String, text.count <= 4096 else {
                throw FaultSpecError("message must be a string of at most 4096 characters")
            }
            error.message = text
            error.emptyBody = false
        }
        return error
    }

    private static func parseRate(_ value: Any?) throws(FaultSpecError) -> Double {
        guard let value else { return 1 }
        guard let number = value as? NSNumber, !isBoolean(value), number.doubleValue.isFinite, (0...1).contains(number.doubleValue),
            number.doubleValue > 0
        else {
            throw FaultSpecError("rate must be a number greater than 0 and at most 1 (the share of matching calls that fail)")
        }
        return number.doubleValue
    }

    private static func parseCount(_ value: Any?) throws(FaultSpecError) -> Int? {
        guard let value else { return nil }
        guard let number = value as? NSNumber, !isBoolean(value), let count = Int(exactly: number.doubleValue), (1...1_000_000).contains(count) else {
            throw FaultSpecError("count must be a whole number 1...1000000 (the fault expires after that many injected calls)")
        }
        return count
    }

    private static func parseExpiry(_ object: [String: Any], now: Date) throws(FaultSpecError) -> Date? {
        switch (object["duration"], object["until"]) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw FaultSpecError("give duration or until, not both")
        case (let duration?, nil):
            let seconds: Double? =
                switch duration {
                case let text as String: DurationText.seconds(text)
                case let number as NSNumber where !isBoolean(duration): number.doubleValue
                default: nil
                }
            guard let seconds, seconds.isFinite, seconds > 0, seconds <= VirtualClock.maximumOffset else {
                throw FaultSpecError(
                    "duration must be a positive duration such as \"90s\", \"10m\", \"2h\" or a number of seconds (at most 100 years)"
                )
            }
            return now.addingTimeInterval(seconds)
        case (nil, let until?):
            guard let text = until as? String, let date = Timestamp.parseISO8601(text) else {
                throw FaultSpecError("until must be an ISO 8601 timestamp such as 2026-01-01T00:00:00Z (virtual time)")
            }
            guard date > now else { throw FaultSpecError("until must be later than the virtual clock's now (\(Timestamp.iso8601Milliseconds(now)))") }
            return date
        }
    }
}
