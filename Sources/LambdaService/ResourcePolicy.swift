import Foundation
import IAM
import Synchronization

/// A function's resource-based policy as AddPermission builds it and GetPolicy returns it: statements are kept as
/// the JSON text AddPermission answers, and the policy is `{"Version":"2012-10-17","Id":"default","Statement":[...]}`.
enum ResourcePolicy {
    /// Builds one statement.
    /// - Parameters:
    ///   - id: `StatementId`.
    ///   - action: `Action` (`lambda:InvokeFunction`, `lambda:*`, `*`).
    ///   - principal: `Principal`: a service (`s3.amazonaws.com`), an account id, an ARN or `*`.
    ///   - resource: The function ARN.
    ///   - sourceArn: `SourceArn` (an `ArnLike` condition).
    ///   - sourceAccount: `SourceAccount` (a `StringEquals` condition).
    ///   - principalOrgId: `PrincipalOrgID` (a `StringEquals` condition).
    ///   - functionUrlAuthType: `FunctionUrlAuthType` (a `StringEquals` condition).
    /// - Returns: The statement's JSON text.
    /// - Throws: `ValidationException` for an action or principal that does not fit AWS's pattern.
    static func statement(
        id: String,
        action: String,
        principal: String,
        resource: String,
        sourceArn: String?,
        sourceAccount: String?,
        principalOrgId: String?,
        functionUrlAuthType: String?
    ) throws(LambdaError) -> String {
        let validAction =
            action == "*" || action == "lambda:*"
            || (action.hasPrefix("lambda:") && action.count > 7 && action.dropFirst(7).allSatisfy { $0.isASCII && $0.isLetter })
        guard validAction else {
            throw .validation(
                LambdaMessages.validation(action, at: "action", "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])")
            )
        }
        guard !principal.isEmpty, !principal.contains(where: \.isWhitespace) else {
            throw .validation(LambdaMessages.validation(principal, at: "principal", #"Member must satisfy regular expression pattern: [^\s]+"#))
        }
        let principalObject: Any
        if principal == "*" {
            principalObject = "*"
        } else if principal.hasSuffix(".amazonaws.com") || principal.hasSuffix(".amazonaws.com.cn") {
            principalObject = ["Service": principal]
        } else if principal.count == 12, principal.allSatisfy(\.isNumber) {
            principalObject = ["AWS": "arn:aws:iam::\(principal):root"]
        } else {
            principalObject = ["AWS": principal]
        }
        var object: [String: Any] = [
            "Sid": id, "Effect": "Allow", "Principal": principalObject, "Action": action, "Resource": resource,
        ]
        var condition: [String: [String: String]] = [:]
        if let sourceAccount { condition["StringEquals", default: [:]]["AWS:SourceAccount"] = sourceAccount }
        if let principalOrgId { condition["StringEquals", default: [:]]["aws:PrincipalOrgID"] = principalOrgId }
        if let functionUrlAuthType { condition["StringEquals", default: [:]]["lambda:FunctionUrlAuthType"] = functionUrlAuthType }
        if let sourceArn { condition["ArnLike", default: [:]]["AWS:SourceArn"] = sourceArn }
        if !condition.isEmpty { object["Condition"] = condition }
        return text(object)
    }

    /// The `Sid` of a stored statement.
    /// - Parameter statement: The statement's JSON text.
    /// - Returns: Its `Sid`, or `nil`.
    static func statementId(of statement: String) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(statement.utf8))) as? [String: Any]
        return object?["Sid"] as? String
    }

    /// The policy document GetPolicy returns.
    /// - Parameter statements: The statements' JSON texts.
    /// - Returns: The document's JSON text.
    static func document(_ statements: [String]) -> String {
        let parsed = statements.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        return text(["Version": "2012-10-17", "Id": "default", "Statement": parsed])
    }

    /// Whether a function's policy lets a service principal invoke it, decided by IAM's evaluator: an `Allow`
    /// statement whose `Principal`, `Action` and `Resource` match and whose conditions (`ArnLike` `AWS:SourceArn`,
    /// `StringEquals` `AWS:SourceAccount`...) hold, and no matching `Deny`.
    /// - Parameters:
    ///   - statements: The function's statements.
    ///   - functionArn: The function ARN (the statements' `Resource`).
    ///   - principal: The service principal, for example `apigateway.amazonaws.com`.
    ///   - sourceArn: The invoking resource.
    ///   - sourceAccount: The invoking resource's account.
    /// - Returns: Whether the invocation is allowed (never for an empty policy).
    static func allowsInvoke(
        _ statements: [String],
        functionArn: String,
        principal: String,
        sourceArn: String?,
        sourceAccount: String?
    ) -> Bool {
        guard !statements.isEmpty, let policy = parsed(statements) else { return false }
        var context: [String: ContextValue] = ["aws:PrincipalServiceName": .single(principal)]
        if let sourceArn { context["aws:SourceArn"] = .single(sourceArn) }
        if let sourceAccount { context["aws:SourceAccount"] = .single(sourceAccount) }
        let request = AuthorizationRequest(principalArn: principal, action: "lambda:InvokeFunction", resource: functionArn, context: context)
        return PolicyEvaluator.evaluate(request: request, policies: [policy]).isAllowed
    }

    /// Parsed policies by their statements: API Gateway and S3 check a function's policy on every invocation, and
    /// its statements change only through AddPermission/RemovePermission, so the JSON is parsed once per version of
    /// the policy (the cache is emptied when it reaches 256 policies).
    private static let parsedPolicies = Mutex<[[String]: PolicyDocument]>([:])

    /// The statements as one resource policy, parsed; nil when they do not parse.
    private static func parsed(_ statements: [String]) -> PolicyDocument? {
        if let cached = parsedPolicies.withLock({ $0[statements] }) { return cached }
        guard let policy = try? PolicyDocument(jsonString: document(statements), kind: .resource) else { return nil }
        parsedPolicies.withLock { cache in
            if cache.count >= 256 { cache.removeAll() }
            cache[statements] = policy
        }
        return policy
    }

    /// Lambda's `AccessDeniedException` text for a service the policy does not allow (what the invoking service logs).
    /// - Parameters:
    ///   - principal: The service principal.
    ///   - sourceArn: The invoking resource.
    ///   - functionArn: The function ARN.
    /// - Returns: The message.
    static func accessDeniedMessage(principal: String, sourceArn: String?, functionArn: String) -> String {
        let source = sourceArn.map { " from \($0)" } ?? ""
        return "\(principal)\(source) is not authorized to perform: lambda:InvokeFunction on resource: \(functionArn) "
            + "because no resource-based policy allows the lambda:InvokeFunction action"
    }

    private static func text(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
