import EmulatorCore
import Foundation
import Identity
import Synchronization

/// A request-context value: single-valued (`aws:SourceIp`) or multivalued (`aws:TagKeys`, `cognito-identity.amazonaws.com:amr`).
package enum ContextValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral
{
    /// A single value.
    case single(String)
    /// A set of values (may be empty).
    case multiple([String])

    /// Creates a single string value.
    package init(stringLiteral value: String) {
        self = .single(value)
    }

    /// Creates a multivalued value.
    package init(arrayLiteral elements: String...) {
        self = .multiple(elements)
    }

    /// Creates a boolean value rendered as `"true"`/`"false"`.
    package init(booleanLiteral value: Bool) {
        self = .single(value ? "true" : "false")
    }

    /// Creates a numeric value.
    package init(integerLiteral value: Int) {
        self = .single(String(value))
    }

    /// A date rendered in ISO 8601 (`aws:CurrentTime` form).
    package static func date(_ date: Date) -> ContextValue {
        .single(date.formatted(Date.ISO8601FormatStyle()))
    }

    /// A date rendered as whole epoch seconds (`aws:EpochTime` form).
    package static func epochSeconds(_ date: Date) -> ContextValue {
        .single(String(Timestamp.epochSeconds(date)))
    }

    /// The values as a list (one element for a single value).
    package var values: [String] {
        switch self {
        case .single(let value): [value]
        case .multiple(let values): values
        }
    }
}

/// One authorization question: may this principal perform this action on these resources in this context?
package struct AuthorizationRequest: Sendable, Hashable {
    /// The caller, for example `arn:aws:sts::123456789012:assumed-role/Role/session`.
    package var principalArn: String
    /// The IAM action, for example `s3:PutObject`.
    package var action: String
    /// The resource ARNs the action touches; every one must be allowed. Empty means the action has no resource (`*`).
    package var resources: [String]
    /// Request-context keys (matched case-insensitively), for example `aws:SourceIp`, `s3:prefix`, `dynamodb:LeadingKeys`.
    package var context: [String: ContextValue]

    /// Creates a request with several resources.
    package init(principalArn: String, action: String, resources: [String], context: [String: ContextValue] = [:]) {
        self.principalArn = principalArn
        self.action = action
        self.resources = resources
        self.context = context
    }

    /// Creates a request with one resource.
    package init(principalArn: String, action: String, resource: String, context: [String: ContextValue] = [:]) {
        self.init(principalArn: principalArn, action: action, resources: [resource], context: context)
    }

    /// The context with `aws:PrincipalArn` filled from `principalArn` when the caller did not supply it.
    var effectiveContext: [String: ContextValue] {
        var context = self.context
        if !context.keys.contains(where: { $0.lowercased() == "aws:principalarn" }) {
            context["aws:PrincipalArn"] = .single(Self.principalArnKeyValue(for: principalArn))
        }
        return context
    }

    /// The `aws:PrincipalArn` value for a caller: a role session reports its role's ARN
    /// (`arn:aws:iam::ACCOUNT:role/NAME`; a role path is not recoverable from the session ARN), anything else itself.
    /// - Parameter principalArn: The caller's ARN.
    /// - Returns: The value IAM puts in `aws:PrincipalArn`.
    package static func principalArnKeyValue(for principalArn: String) -> String {
        guard let arn = ARN(parsing: principalArn), let session = arn.assumedRoleParts else { return principalArn }
        return ARN.iamRole(account: arn.account, name: session.role, partition: arn.partition).description
    }

    /// Builds the global condition keys every service sets for a request.
    /// - Parameters:
    ///   - principalArn: The caller's ARN (`aws:PrincipalArn` is its role ARN for a role session).
    ///   - sourceIp: The client address (`aws:SourceIp`), when known.
    ///   - secureTransport: Whether the request arrived over TLS (`aws:SecureTransport`).
    ///   - now: The request time (`aws:CurrentTime`, `aws:EpochTime`).
    ///   - username: The IAM user name (`aws:username`), only for IAM users.
    ///   - userid: The unique caller id (`aws:userid`), for roles `ROLEID:session`.
    /// - Returns: The context dictionary; merge service-specific keys into it.
    package static func globalContext(
        principalArn: String,
        sourceIp: String?,
        secureTransport: Bool,
        now: Date,
        username: String? = nil,
        userid: String? = nil
    ) -> [String: ContextValue] {
        var context: [String: ContextValue] = [
            "aws:PrincipalArn": .single(principalArnKeyValue(for: principalArn)),
            "aws:SecureTransport": .single(secureTransport ? "true" : "false"),
            "aws:CurrentTime": .single(CurrentTimeText.iso8601(now)),
            "aws:EpochTime": .epochSeconds(now),
        ]
        if let arn = ARN(parsing: principalArn), !arn.account.isEmpty {
            context["aws:PrincipalAccount"] = .single(arn.account)
        }
        if let sourceIp { context["aws:SourceIp"] = .single(sourceIp) }
        if let username { context["aws:username"] = .single(username) }
        if let userid { context["aws:userid"] = .single(userid) }
        return context
    }
}

/// `aws:CurrentTime` text for every request: ISO 8601 to the second, formatted at most once per second
/// (formatting dominated the cost of evaluating a small policy).
enum CurrentTimeText {
    private static let cache = Mutex<(second: Int64, text: String)>((Int64.min, ""))

    /// The instant as `2026-01-01T00:00:00Z`, the form ``ContextValue/date(_:)`` produces.
    static func iso8601(_ date: Date) -> String {
        let second = Timestamp.epochSeconds(date)
        if let cached = cache.withLock({ $0.second == second ? $0.text : nil }) { return cached }
        let text = date.formatted(Date.ISO8601FormatStyle())
        cache.withLock { $0 = (second, text) }
        return text
    }
}
