import AWSGateway
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import NIOCore
import Synchronization

/// Bucket policies: S3's validation of a policy put on a bucket, the "public" rule of Block Public Access, and the
/// evaluation of a policy for one request (through the IAM evaluator, as a resource-based policy).
package enum BucketPolicy {
    /// The largest bucket policy S3 accepts (20 KB).
    package static let maxSize = 20 * 1024

    /// Parses and validates a policy put on a bucket, as PutBucketPolicy does.
    /// - Parameters:
    ///   - text: The policy text.
    ///   - bucket: The bucket it is put on (every resource must be the bucket or under it).
    /// - Returns: The parsed policy.
    /// - Throws: `MalformedPolicy` with S3's reason.
    package static func validate(_ text: String, bucket: String) throws(S3AccessError) -> PolicyDocument {
        guard text.utf8.count <= maxSize else { throw .malformedPolicy(ACLMessages.policyTooLarge) }
        guard text.drop(while: { $0.isWhitespace }).first == "{" else { throw .malformedPolicy(ACLMessages.policyNotJSON) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let members = object as? [String: Any] else {
            throw .malformedPolicy(ACLMessages.policyInvalidJSON)
        }
        guard let statementValue = members["Statement"] else { throw .malformedPolicy(ACLMessages.policyMissingStatement) }
        let statements: [[String: Any]]
        if let list = statementValue as? [[String: Any]], !list.isEmpty {
            statements = list
        } else if let single = statementValue as? [String: Any] {
            statements = [single]
        } else {
            throw .malformedPolicy(ACLMessages.policyInvalidJSON)
        }
        for statement in statements {
            guard let effect = statement["Effect"] else { throw .malformedPolicy(ACLMessages.policyMissingEffect) }
            guard let effectText = effect as? String, effectText == "Allow" || effectText == "Deny" else {
                throw .malformedPolicy(ACLMessages.policyInvalidEffect + "\(effect)")
            }
            guard statement["Principal"] != nil || statement["NotPrincipal"] != nil else {
                throw .malformedPolicy(ACLMessages.policyMissingPrincipal)
            }
            guard statement["Action"] != nil || statement["NotAction"] != nil else { throw .malformedPolicy(ACLMessages.policyMissingAction) }
            guard statement["Resource"] != nil || statement["NotResource"] != nil else {
                throw .malformedPolicy(ACLMessages.policyMissingResource)
            }
            for principal in [statement["Principal"], statement["NotPrincipal"]].compactMap({ $0 }) {
                guard validPrincipal(principal) else { throw .malformedPolicy(ACLMessages.policyInvalidPrincipal) }
            }
            for action in strings(statement["Action"]) + strings(statement["NotAction"]) {
                let lower = action.lowercased()
                guard lower == "*" || lower.hasPrefix("s3:") else { throw .malformedPolicy(ACLMessages.policyInvalidAction) }
            }
            for resource in strings(statement["Resource"]) + strings(statement["NotResource"]) {
                guard validResource(resource, bucket: bucket) else { throw .malformedPolicy(ACLMessages.policyInvalidResource) }
            }
            let actions = strings(statement["Action"])
            let resources = strings(statement["Resource"])
            if !actions.isEmpty, !resources.isEmpty,
                !actions.contains(where: { action in resources.contains { appliesTo(action: action, resource: $0) } })
            {
                throw .malformedPolicy(ACLMessages.policyActionDoesNotApply)
            }
        }
        do {
            return try PolicyDocument(jsonString: text, kind: .resource, name: "bucket policy of \(bucket)")
        } catch {
            throw .malformedPolicy(reason(for: error))
        }
    }

    private static func reason(for error: PolicyDocumentError) -> String {
        switch error.message {
        case "Missing required field Principal": ACLMessages.policyMissingPrincipal
        case let message where message.hasPrefix("Invalid principal"): ACLMessages.policyInvalidPrincipal
        case let message where message.hasPrefix("Resource") || message.hasPrefix("Partition"): ACLMessages.policyInvalidResource
        case let message where message.hasPrefix("Actions") || message.hasPrefix("Vendor"): ACLMessages.policyInvalidAction
        case let message where message.contains("Condition") || message.contains("condition"): ACLMessages.policyInvalidConditionKey
        default: ACLMessages.policyInvalidJSON
        }
    }

    private static func strings(_ value: Any?) -> [String] {
        switch value {
        case let text as String: [text]
        case let list as [Any]: list.compactMap { $0 as? String }
        default: []
        }
    }

    /// A principal S3 accepts: `*`, or `AWS` (an account id, an IAM/STS ARN or `*`), `CanonicalUser` (a canonical
    /// id), `Service` or `Federated` values.
    private static func validPrincipal(_ value: Any) -> Bool {
        if let text = value as? String { return text == "*" }
        guard let members = value as? [String: Any], !members.isEmpty else { return false }
        for (type, identifiers) in members {
            let values = strings(identifiers)
            guard !values.isEmpty else { return false }
            for identifier in values {
                switch type {
                case "AWS":
                    let isAccount = identifier.count == 12 && identifier.allSatisfy(\.isNumber)
                    let isArn = identifier.hasPrefix("arn:aws:iam::") || identifier.hasPrefix("arn:aws:sts::")
                    guard identifier == "*" || isAccount || isArn else { return false }
                case "CanonicalUser": guard ACLCodec.isCanonicalId(identifier) else { return false }
                case "Service", "Federated": guard !identifier.isEmpty else { return false }
                default: return false
                }
            }
        }
        return true
    }

    /// Whether an action can apply to a resource: bucket actions to the bucket ARN, object actions to object ARNs
    /// (`bucket/...`); wildcard actions, and resource patterns that may name either, apply.
    static func appliesTo(action: String, resource: String) -> Bool {
        let name = action.dropFirst(3)
        if action.contains("*") || action.contains("?") { return true }
        let isBucketAction = name.contains("Bucket")
        let isObjectAction = !isBucketAction && (name.contains("Object") || name.contains("MultipartUpload"))
        guard isBucketAction || isObjectAction else { return true }
        let path = resource.dropFirst("arn:aws:s3:::".count)
        if path.contains("/") { return isObjectAction }
        if path.contains("*") || path.contains("?") { return true }
        return isBucketAction
    }

    private static func validResource(_ resource: String, bucket: String) -> Bool {
        let arn = "arn:aws:s3:::\(bucket)"
        guard resource.hasPrefix("arn:aws:s3:::") else { return false }
        if resource == arn || resource.hasPrefix(arn + "/") { return true }
        // A pattern may cover the bucket (`arn:aws:s3:::buck*`, `arn:aws:s3:::*`).
        return ARNPattern.matches(pattern: resource, arn: arn)
            || ARNPattern.matches(pattern: resource, arn: arn + "/x")
    }

    // MARK: Public

    /// The condition keys that restrict a wildcard principal to fixed values, making a statement non-public
    /// ([the meaning of "public"](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status)).
    static let fixingKeys: Set<String> = [
        "aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:sourcearn", "aws:sourceaccount", "aws:sourceip",
        "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:userid", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
        "aws:sourceorgid", "aws:principalserviceName".lowercased(),
    ]

    /// Whether a policy is public as Block Public Access defines it: some `Allow` statement admits a wildcard
    /// principal (or uses `NotPrincipal`) without a condition that pins the caller to fixed values of
    /// ``fixingKeys`` (no wildcards; an `aws:SourceIp` range no wider than /8).
    /// - Parameter policy: The policy.
    /// - Returns: Whether it is public.
    package static func isPublic(_ policy: PolicyDocument) -> Bool {
        policy.statements.contains { statement in
            guard statement.effect == .allow else { return false }
            let wildcard: Bool
            switch statement.principal {
            case .principal(let set): wildcard = set.isWildcard || (set.principals["AWS"] ?? []).contains("*")
            case .notPrincipal: wildcard = true
            case nil: wildcard = false
            }
            guard wildcard else { return false }
            let pinned = statement.conditions.contains { clause in
                guard !clause.operation.isNegated, !clause.ifExists, clause.qualifier != .forAllValues,
                    fixingKeys.contains(clause.key.lowercased()), !clause.values.isEmpty
                else { return false }
                return clause.values.allSatisfy { value in
                    if value.contains("*") || value.contains("?") { return false }
                    if clause.key.lowercased() == "aws:sourceip", let slash = value.firstIndex(of: "/") {
                        let bits = Int(value[value.index(after: slash)...]) ?? 0
                        return value.contains(":") ? bits >= 32 : bits >= 8
                    }
                    return true
                }
            }
            return !pinned
        }
    }

    /// Renders GetBucketPolicyStatus.
    /// - Parameter isPublic: Whether the policy is public.
    /// - Returns: The XML document.
    package static func renderStatus(isPublic: Bool) -> String {
        var xml = XMLWriter()
        xml.element("PolicyStatus", attributes: [("xmlns", ConfigurationXML.namespace)]) { xml in
            xml.element("IsPublic", isPublic ? "true" : "false")
        }
        return xml.result
    }

    // MARK: Evaluation

    private static let parsed = Mutex([String: PolicyDocument]())

    /// The parsed form of a stored policy (parsed once per distinct text; nil for a text that no longer parses).
    /// - Parameter text: The stored policy.
    /// - Returns: The policy.
    package static func document(_ text: String) -> PolicyDocument? {
        if let hit = parsed.withLock({ $0[text] }) { return hit }
        guard let document = try? PolicyDocument(jsonString: text, kind: .resource, name: "bucket policy") else { return nil }
        parsed.withLock { entries in
            if entries.count >= 64 { entries.removeAll() }
            entries[text] = document
        }
        return document
    }

    /// What a bucket policy says about a request.
    /// - Parameters:
    ///   - policy: The policy.
    ///   - principalArn: The caller, or nil for an anonymous request.
    ///   - action: The IAM action.
    ///   - resource: The resource ARN.
    ///   - context: The request's condition keys (global and S3).
    ///   - restrictPublic: `RestrictPublicBuckets` is on and the policy is public: only principals of the account
    ///     (never anonymous callers) gain access from it.
    /// - Returns: `.explicitDeny` when a statement denies (message per AWS), `.allow` when one allows, else `.none`.
    package static func verdict(
        _ policy: PolicyDocument,
        principalArn: String?,
        action: String,
        resource: String,
        context: [String: ContextValue],
        restrictPublic: Bool
    ) -> Decision {
        let request = AuthorizationRequest(principalArn: principalArn ?? "anonymous", action: action, resource: resource, context: context)
        let decision = PolicyEvaluator.evaluate(request: request, policies: [policy])
        if case .allow = decision, restrictPublic, principalArn == nil { return .implicitDeny }
        return decision
    }

    /// The message of an explicit deny in a bucket policy.
    /// - Parameters:
    ///   - principalArn: The caller.
    ///   - action: The IAM action.
    ///   - resource: The resource ARN.
    /// - Returns: AWS's text.
    package static func explicitDenyMessage(principalArn: String, action: String, resource: String) -> String {
        "User: \(principalArn) is not authorized to perform: \(action) on resource: \"\(resource)\" with an explicit deny in a resource-based policy"
    }
}

extension S3Service {
    /// [GetBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html): the policy as put.
    func getBucketPolicy(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:GetBucketPolicy", [Self.bucketArn(name)])
        guard let policy = try await requireBucket(name).configuration.policy else { throw S3AccessError.noSuchBucketPolicy(bucket: name) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: policy)))
    }

    /// [PutBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html): validated as S3
    /// does; a public policy is refused while `BlockPublicPolicy` is on.
    func putBucketPolicy(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:PutBucketPolicy", [Self.bucketArn(name)])
        let body = try await RequestBodyReader(request: request).collect()
        _ = try await requireBucket(name)
        let text = String(decoding: body, as: UTF8.self)
        let policy = try BucketPolicy.validate(text, bucket: name)
        let isPublic = BucketPolicy.isPublic(policy)
        let principal = request.caller.principalArn ?? "anonymous"
        let updated = try await store.checkedUpdateConfiguration(name) { configuration in
            if isPublic, configuration.publicAccessBlock?.blockPublicPolicy == true {
                throw S3Error.accessDenied(ACLMessages.publicPolicyBlocked(principalArn: principal, bucket: name))
            }
            configuration.policy = text
        }
        guard updated != nil else { throw S3Error.noSuchBucket(name) }
        return Self.empty(.noContent)
    }

    /// [DeleteBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html).
    func deleteBucketPolicy(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:DeleteBucketPolicy", [Self.bucketArn(name)])
        guard try await store.updateConfiguration(name, { $0.policy = nil }) != nil else { throw S3Error.noSuchBucket(name) }
        return Self.empty(.noContent)
    }

    /// [GetBucketPolicyStatus](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicyStatus.html).
    func getBucketPolicyStatus(_ request: AWSRequest, _ name: String) async throws -> Response {
        try await authorize(request, "s3:GetBucketPolicyStatus", [Self.bucketArn(name)])
        guard let text = try await requireBucket(name).configuration.policy else { throw S3AccessError.noSuchBucketPolicy(bucket: name) }
        let isPublic = BucketPolicy.document(text).map(BucketPolicy.isPublic) ?? false
        return Self.xml(BucketPolicy.renderStatus(isPublic: isPublic))
    }
}
