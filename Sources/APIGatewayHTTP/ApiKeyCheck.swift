import Foundation

/// Requests counted per usage plan, key and quota period on the virtual clock, for usage plan quotas.
package actor UsageCounter {
    private var counts: [String: Int] = [:]

    /// Creates an empty counter.
    package init() {}

    /// Counts one request unless the quota of its period is used up.
    /// - Parameters:
    ///   - key: The plan and key.
    ///   - period: The period's index (``ApiKeyGrant/periodIndex(_:now:)``).
    ///   - limit: The quota.
    /// - Returns: Whether the request is within the quota.
    package func admit(_ key: String, period: Int64, limit: Int) -> Bool {
        let slot = "\(key)\u{1F}\(period)"
        let used = counts[slot] ?? 0
        guard used < limit else { return false }
        if counts.count >= 100_000 { counts.removeAll() }
        counts[slot] = used + 1
        return true
    }
}

extension ApiKeyGrant {
    /// The index of the quota period `now` falls in: UTC days, weeks starting on Monday, or calendar months.
    /// - Parameters:
    ///   - period: `DAY`, `WEEK` or `MONTH`.
    ///   - now: The virtual time.
    /// - Returns: The period index.
    package static func periodIndex(_ period: String, now: Date) -> Int64 {
        let seconds = now.timeIntervalSince1970
        guard seconds.isFinite else { return 0 }
        let clamped = Int64(min(max(seconds, -9.0e15), 9.0e15))
        let day = clamped >= 0 ? clamped / 86_400 : (clamped - 86_399) / 86_400
        switch period {
        case "WEEK":
            // 1970-01-01 was a Thursday: shifting by three days makes weeks start on Monday.
            let shifted = day + 3
            return shifted >= 0 ? shifted / 7 : (shifted - 6) / 7
        case "MONTH":
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
            let parts = calendar.dateComponents([.year, .month], from: now)
            return Int64(parts.year ?? 1970) * 12 + Int64(parts.month ?? 1)
        default:
            return day
        }
    }
}

extension APIGatewayHTTPService {
    /// Checks a method's API key as API Gateway does: the `x-api-key` header must hold an enabled key of a usage plan
    /// covering the stage (else 403 `Forbidden`), within the plan's quota (else 429 `Limit Exceeded`).
    /// - Returns: The key's `requestContext.identity` fields (`apiKey`, `apiKeyId`), or the refusal.
    func checkApiKey(_ api: RestApiSpec, stage: RestApiSpec.Stage, request: ProxyRequest) async -> Result<[String: String], GatewayRefusal> {
        let forbidden = GatewayRefusal.message(403, "ForbiddenException", GatewayMessages.forbidden)
        guard let value = request.header("x-api-key"), !value.isEmpty else { return .failure(forbidden) }
        let grants = api.apiKeys.filter { $0.value == value && $0.enabled && $0.stage == stage.name }
        guard !grants.isEmpty else { return .failure(forbidden) }
        for grant in grants {
            guard let quota = grant.quota else { continue }
            let period = ApiKeyGrant.periodIndex(quota.period, now: clock.now)
            guard await usageCounter.admit("\(grant.planId)\u{1F}\(grant.keyId)", period: period, limit: quota.limit) else {
                return .failure(.message(429, "LimitExceededException", GatewayMessages.limitExceeded))
            }
        }
        return .success(["apiKey": value, "apiKeyId": grants[0].keyId])
    }
}
