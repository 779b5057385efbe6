/// The IAM policy a Lambda authorizer returns, evaluated as API Gateway evaluates it against a method ARN
/// (`arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH`): a matching `Deny` wins, then a matching `Allow`;
/// with neither the request is implicitly denied. `Action` and `Resource` take IAM's `*` and `?` wildcards
/// (`NotAction` and `NotResource` too).
package enum AuthorizerPolicy {
    /// What a policy decides for one request.
    package enum Decision: Sendable, Equatable {
        /// A statement allows the method and none denies it.
        case allow
        /// A statement denies the method.
        case explicitDeny
        /// No statement applies.
        case implicitDeny
    }

    /// Why a policy document cannot be evaluated (API Gateway answers `AuthorizerConfigurationException`).
    package struct Malformed: Error, Equatable {
        /// What is wrong.
        package var reason: String
    }

    /// Evaluates a `policyDocument` for a method ARN.
    /// - Parameters:
    ///   - document: The decoded `policyDocument` (a JSON object).
    ///   - methodArn: The request's method ARN.
    /// - Returns: The decision.
    /// - Throws: ``Malformed`` when the document is not a policy (no statements, an effect other than Allow/Deny,
    ///   an action or resource that is not a string or list of strings).
    package static func evaluate(_ document: Any?, methodArn: String) throws(Malformed) -> Decision {
        guard let document = document as? [String: Any] else { throw Malformed(reason: "policyDocument is not an object") }
        let statements: [[String: Any]]
        if let list = document["Statement"] as? [Any] {
            var collected: [[String: Any]] = []
            for item in list {
                guard let statement = item as? [String: Any] else { throw Malformed(reason: "a statement is not an object") }
                collected.append(statement)
            }
            statements = collected
        } else if let one = document["Statement"] as? [String: Any] {
            statements = [one]
        } else {
            throw Malformed(reason: "policyDocument has no Statement")
        }
        var allowed = false
        for statement in statements {
            let effect = statement["Effect"] as? String
            guard effect == "Allow" || effect == "Deny" else { throw Malformed(reason: "Effect must be Allow or Deny") }
            let actionMatches: Bool
            if let actions = statement["Action"] {
                actionMatches = try patterns(actions).contains { matches($0, "execute-api:Invoke", caseInsensitive: true) }
            } else if let notActions = statement["NotAction"] {
                actionMatches = try !patterns(notActions).contains { matches($0, "execute-api:Invoke", caseInsensitive: true) }
            } else {
                throw Malformed(reason: "a statement has no Action")
            }
            let resourceMatches: Bool
            if let resources = statement["Resource"] {
                resourceMatches = try patterns(resources).contains { matches($0, methodArn, caseInsensitive: false) }
            } else if let notResources = statement["NotResource"] {
                resourceMatches = try !patterns(notResources).contains { matches($0, methodArn, caseInsensitive: false) }
            } else {
                throw Malformed(reason: "a statement has no Resource")
            }
            guard actionMatches, resourceMatches else { continue }
            if effect == "Deny" { return .explicitDeny }
            allowed = true
        }
        return allowed ? .allow : .implicitDeny
    }

    /// The method ARN of a request.
    /// - Parameters:
    ///   - region: The region.
    ///   - accountId: The account.
    ///   - apiId: The API id.
    ///   - stage: The stage name.
    ///   - method: The request method.
    ///   - path: The request path after the stage (decoded), starting with `/`.
    /// - Returns: `arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH` (the path without its leading slash).
    package static func methodArn(region: String, accountId: String, apiId: String, stage: String, method: String, path: String) -> String {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return "arn:aws:execute-api:\(region):\(accountId):\(apiId)/\(stage)/\(method)/\(trimmed)"
    }

    /// Whether `text` matches an IAM pattern (`*` any run of characters, `?` one character).
    /// - Parameters:
    ///   - pattern: The pattern.
    ///   - text: The text.
    ///   - caseInsensitive: Whether case is ignored (actions).
    /// - Returns: Whether it matches.
    package static func matches(_ pattern: String, _ text: String, caseInsensitive: Bool) -> Bool {
        let p = Array(caseInsensitive ? pattern.lowercased() : pattern)
        let t = Array(caseInsensitive ? text.lowercased() : text)
        // Iterative wildcard matching with one backtrack point: linear in practice, never exponential.
        var pi = 0
        var ti = 0
        var star: Int?
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if let starIndex = star {
                pi = starIndex + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    private static func patterns(_ value: Any) throws(Malformed) -> [String] {
        if let one = value as? String { return [one] }
        guard let list = value as? [Any] else { throw Malformed(reason: "Action and Resource must be strings or lists of strings") }
        var result: [String] = []
        for item in list {
            guard let text = item as? String else { throw Malformed(reason: "Action and Resource must be strings or lists of strings") }
            result.append(text)
        }
        return result
    }
}
