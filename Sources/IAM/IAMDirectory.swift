import CloudFormation
import EmulatorCore
import Foundation
import Identity
import Synchronization

/// Where the IAM state is kept across restarts (the data folder's `iam.sqlite`); nothing with `--ephemeral`.
package protocol IAMStatePersistence: Sendable {
    /// Records the whole state after a change.
    /// - Parameter state: The state.
    /// - Throws: When it cannot be written (the change is then refused).
    func save(_ state: IAMState) throws
}

/// The live IAM directory: roles, users, managed policies and access keys, changed by the IAM API and read on
/// every authorization, so a change applies to the next request.
///
/// Every change runs under one lock (check and write together) and is persisted before the lock is released;
/// the evaluator's view (``catalog``, user policies, key owners) is rebuilt from the state after each change.
package final class IAMDirectory: Sendable {
    /// What the evaluator reads, derived from the state.
    private struct View: Sendable {
        var catalog: RoleCatalog
        var userPolicies: [String: [PolicyDocument]]
        var keys: [String: IAMAccessKeyRecord]
        var deletedKeys: Set<String>
        var users: [String: IAMUserRecord]
    }

    private struct Guarded {
        var state: IAMState
        var view: View
    }

    private let guarded: Mutex<Guarded>
    private let persistence: (any IAMStatePersistence)?
    /// Roles that exist only for evaluation (built by tests from a ``RoleCatalog``); the IAM API does not list them.
    private let fixedRoles: [RoleCatalog.Role]
    /// The prebuilt catalog's warnings, kept in every view.
    private let fixedWarnings: [String]

    /// Creates a directory over a state.
    /// - Parameters:
    ///   - state: The initial state.
    ///   - persistence: Where changes are recorded.
    package init(state: IAMState = IAMState(), persistence: (any IAMStatePersistence)? = nil) {
        self.fixedRoles = []
        self.fixedWarnings = []
        self.persistence = persistence
        guarded = Mutex(Guarded(state: state, view: Self.view(of: state, fixedRoles: [], warnings: [])))
    }

    /// Creates a directory whose only roles are a prebuilt catalog's (for evaluation; not listed by the API).
    /// - Parameter catalog: The roles.
    package init(catalog: RoleCatalog) {
        self.fixedRoles = catalog.allRoles
        self.fixedWarnings = catalog.warnings
        self.persistence = nil
        guarded = Mutex(Guarded(state: IAMState(), view: Self.view(of: IAMState(), fixedRoles: catalog.allRoles, warnings: catalog.warnings)))
    }

    /// The roles as the evaluator sees them now.
    package var catalog: RoleCatalog { guarded.withLock { $0.view.catalog } }

    /// A copy of the whole state.
    package var state: IAMState { guarded.withLock { $0.state } }

    /// Reads the state under the lock.
    /// - Parameter body: Reads.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    package func read<T: Sendable>(_ body: (IAMState) throws(IAMError) -> T) throws(IAMError) -> T {
        let state = guarded.withLock { $0.state }
        return try body(state)
    }

    /// Changes the state: `body` checks and writes under the lock, the result is persisted, then the evaluator's
    /// view is rebuilt. When `body` throws or the state cannot be persisted nothing changes.
    /// - Parameter body: Checks and changes a copy of the state.
    /// - Returns: What `body` returns.
    /// - Throws: ``IAMError`` from `body`, or `ServiceFailure` when the state cannot be persisted.
    package func mutate<T: Sendable>(_ body: (inout IAMState) throws(IAMError) -> T) throws(IAMError) -> T {
        let fixedRoles = self.fixedRoles
        let fixedWarnings = self.fixedWarnings
        let persistence = self.persistence
        return try guarded.withLock { (guarded: inout Guarded) throws(IAMError) -> T in
            var copy = guarded.state
            let result = try body(&copy)
            if copy != guarded.state {
                do {
                    try persistence?.save(copy)
                } catch {
                    throw IAMError.serviceFailure
                }
                guarded.state = copy
                guarded.view = Self.view(of: copy, fixedRoles: fixedRoles, warnings: fixedWarnings)
            }
            return result
        }
    }

    /// How an IAM user's access key stands, for the authorizer.
    package enum KeyStanding: Sendable, Equatable {
        /// Not an IAM user's key (the test key pair, a credentials-file key, an unknown key).
        case notAUserKey
        /// An active key of a user, with the user's ARN, id and effective policies.
        case active(userArn: String, userId: String, userName: String, policies: [PolicyDocument])
        /// A key that was deactivated or deleted (or whose user is gone).
        case refused(userArn: String?)
    }

    /// How an access key stands.
    /// - Parameter accessKeyId: The key id that signed a request.
    /// - Returns: The standing.
    package func standing(ofAccessKey accessKeyId: String) -> KeyStanding {
        guarded.withLock { guarded in
            let view = guarded.view
            if view.deletedKeys.contains(accessKeyId) { return .refused(userArn: nil) }
            guard let key = view.keys[accessKeyId] else { return .notAUserKey }
            guard let user = view.users[key.userName] else { return .refused(userArn: nil) }
            guard key.status == "Active" else { return .refused(userArn: user.arn) }
            return .active(userArn: user.arn, userId: user.userId, userName: user.name, policies: view.userPolicies[user.name] ?? [])
        }
    }

    /// How the IAM user an STS session was issued for (`GetSessionToken`, `GetFederationToken`) stands now: a
    /// deleted user's sessions grant nothing, and policy changes apply to the next request.
    /// - Parameter userArn: The user's ARN.
    /// - Returns: `.active` with the user's current policies, or `.refused` when the user is gone.
    package func standing(ofUserArn userArn: String) -> KeyStanding {
        guarded.withLock { guarded in
            let view = guarded.view
            guard let name = userArn.split(separator: "/").last.map(String.init), let user = view.users[name], user.arn == userArn else {
                return .refused(userArn: userArn)
            }
            return .active(userArn: user.arn, userId: user.userId, userName: user.name, policies: view.userPolicies[user.name] ?? [])
        }
    }

    /// The effective identity-based policies of a role (inline, then attached managed).
    /// - Parameters:
    ///   - record: The role.
    ///   - state: The state holding its managed policies.
    /// - Returns: Parsed documents (malformed stored documents, which the API never accepts, grant nothing).
    package static func policies(ofRole record: IAMRoleRecord, in state: IAMState) -> [PolicyDocument] {
        policies(inline: record.inlinePolicies, attached: record.attachedPolicyArns, in: state)
    }

    /// The effective policies of a user: its own, then those of its groups.
    /// - Parameters:
    ///   - record: The user.
    ///   - state: The state holding its managed policies.
    /// - Returns: Parsed documents.
    package static func policies(ofUser record: IAMUserRecord, in state: IAMState) -> [PolicyDocument] {
        var documents = policies(inline: record.inlinePolicies, attached: record.attachedPolicyArns, in: state)
        // A user's groups add their inline and attached policies.
        for group in state.groups(ofUser: record.name) {
            documents += policies(inline: group.inlinePolicies, attached: group.attachedPolicyArns, in: state)
        }
        return documents
    }

    /// The default document of a managed policy: customer managed from the state, AWS managed from the catalog.
    /// - Parameters:
    ///   - arn: The policy ARN.
    ///   - state: The state.
    /// - Returns: The parsed document named by its ARN, or nil when unknown.
    package static func managedDocument(arn: String, in state: IAMState) -> PolicyDocument? {
        if let record = state.policies[arn] {
            guard let text = record.defaultDocument else { return nil }
            return try? PolicyDocument(jsonString: text, name: arn)
        }
        return ManagedPolicies.policy(arn: arn)
    }

    private static func policies(inline: [NamedPolicyText], attached: [String], in state: IAMState) -> [PolicyDocument] {
        var documents: [PolicyDocument] = []
        for policy in inline {
            if let document = try? PolicyDocument(jsonString: policy.document, name: policy.name) { documents.append(document) }
        }
        for arn in attached {
            if let document = managedDocument(arn: arn, in: state) { documents.append(document) }
        }
        return documents
    }

    private static func view(of state: IAMState, fixedRoles: [RoleCatalog.Role], warnings: [String]) -> View {
        var roles = fixedRoles.filter { state.roles[$0.name] == nil }
        for record in state.roles.values {
            roles.append(
                RoleCatalog.Role(
                    name: record.name,
                    arn: record.arn,
                    roleId: record.roleId,
                    trustPolicy: try? PolicyDocument(
                        jsonString: record.assumeRolePolicyDocument,
                        kind: .trust,
                        name: "AssumeRolePolicyDocument"
                    ),
                    policies: policies(ofRole: record, in: state),
                    maxSessionDuration: record.maxSessionDuration
                )
            )
        }
        var userPolicies: [String: [PolicyDocument]] = [:]
        for user in state.users.values { userPolicies[user.name] = policies(ofUser: user, in: state) }
        return View(
            catalog: RoleCatalog(roles: roles, warnings: warnings),
            userPolicies: userPolicies,
            keys: state.accessKeys,
            deletedKeys: Set(state.deletedAccessKeys),
            users: state.users
        )
    }
}

extension IAMState {
    /// Makes the template's roles and customer managed policies the state's (the template is authoritative for
    /// what it declares on every start); entities created through the API are kept, template entities the template
    /// no longer declares are removed.
    /// - Parameters:
    ///   - stack: The resolved stack.
    ///   - now: The creation date of entities new to the state.
    /// - Throws: ``TemplateError`` when a role's properties have the wrong shape.
    package mutating func applyTemplate(_ stack: Stack, now: Date) throws(TemplateError) {
        var templatePolicies: [String: IAMManagedPolicyRecord] = [:]
        for (arn, document) in stack.managedPolicyDocuments {
            let parsed = ARN(parsing: arn)
            let resource = parsed?.resource ?? arn
            let name = resource.split(separator: "/").last.map(String.init) ?? resource
            let pathEnd = resource.dropFirst("policy".count)
            let path = String(pathEnd.dropLast(name.count))
            let previous = policies[arn]
            var record = IAMManagedPolicyRecord(
                name: name,
                path: path.isEmpty ? "/" : path,
                policyId: previous?.policyId ?? IAMIdentifiers.identifier(prefix: "ANPA", seed: arn),
                arn: arn,
                description: nil,
                document: document.jsonString,
                createDate: previous?.createDate ?? now,
                fromTemplate: true
            )
            record.updateDate = previous?.updateDate ?? now
            templatePolicies[arn] = record
        }
        var templateRoles: [String: IAMRoleRecord] = [:]
        for spec in try stack.roles {
            let previous = roles[spec.name]
            let maxSession = stack.resource(spec.logicalId)?.properties["MaxSessionDuration"]?.intValue ?? 3600
            let description = stack.resource(spec.logicalId)?.properties["Description"]?.stringValue
            templateRoles[spec.name] = IAMRoleRecord(
                name: spec.name,
                path: spec.path,
                roleId: spec.roleId,
                arn: spec.arn,
                createDate: previous?.createDate ?? now,
                assumeRolePolicyDocument: spec.assumeRolePolicyDocument.jsonString,
                description: description,
                maxSessionDuration: maxSession,
                inlinePolicies: spec.inlinePolicies.map { NamedPolicyText(name: $0.name, document: $0.document.jsonString) },
                attachedPolicyArns: spec.managedPolicyArns,
                fromTemplate: true
            )
        }
        policies = policies.filter { !$0.value.fromTemplate }.merging(templatePolicies) { _, template in template }
        roles = roles.filter { !$0.value.fromTemplate }.merging(templateRoles) { _, template in template }
    }
}

/// IAM's unique ids (`AROA...`, `AIDA...`, `ANPA...`, `AKIA...`): 21 characters of upper-case letters and digits.
package enum IAMIdentifiers {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// A random id with a prefix.
    /// - Parameters:
    ///   - prefix: `AROA`, `AIDA`, `ANPA` or `AKIA`.
    ///   - length: The total length (21 for entity ids, 20 for access key ids).
    /// - Returns: The id.
    package static func random(prefix: String, length: Int = 21) -> String {
        var generator = EmulatorRandom.idGenerator("iam-ids")
        let count = max(0, length - prefix.count)
        return prefix + String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// A stable id derived from a seed (template entities keep their id across restarts).
    /// - Parameters:
    ///   - prefix: The prefix.
    ///   - seed: The text the id is derived from.
    /// - Returns: The id.
    package static func identifier(prefix: String, seed: String) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        var text = prefix
        for _ in 0..<(21 - prefix.count) {
            text.append(alphabet[Int(hash % 32)])
            hash /= 32
            if hash == 0 { hash = 0x9E37_79B9_7F4A_7C15 }
        }
        return text
    }

    /// A random secret access key (40 characters).
    /// - Returns: The secret.
    package static func secret() -> String {
        let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var generator = EmulatorRandom.idGenerator("iam-secrets")
        return String((0..<40).map { _ in secretAlphabet[Int(generator.next(upperBound: UInt32(secretAlphabet.count)))] })
    }
}
