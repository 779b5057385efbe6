import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import NIOCore
import SigV4
import Storage

/// AWS IAM over the query protocol: roles, inline and managed policies (with versions), users, access keys and
/// `SimulatePrincipalPolicy`, on the live ``IAMDirectory`` the authorizer reads, so a change applies to the next
/// request.
///
/// Template roles (`AWS::IAM::Role`, SAM function roles) and `AWS::IAM::ManagedPolicy` resources appear here
/// beside API-created ones. Access keys from `CreateAccessKey` are known to the SigV4 verifier and evaluated
/// against their user's policies (the test key pair stays the account's administrator). Operations not listed in
/// ``IAMOperation`` answer IAM's `InvalidAction`.
package struct IAMService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.iam
    let directory: IAMDirectory
    private let credentials: CredentialStore
    private let authorizer: any RequestAuthorizing
    private let clock: VirtualClock
    let accountId: String

    private static let namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

    /// Creates the service.
    /// - Parameters:
    ///   - directory: The live IAM directory.
    ///   - credentials: The credential store the verifier checks signatures against.
    ///   - authorizer: The authorization hook.
    ///   - clock: The virtual clock (creation dates).
    ///   - accountId: The account id of ARNs.
    package init(directory: IAMDirectory, credentials: CredentialStore, authorizer: any RequestAuthorizing, clock: VirtualClock, accountId: String) {
        self.directory = directory
        self.credentials = credentials
        self.authorizer = authorizer
        self.clock = clock
        self.accountId = accountId
    }

    /// Opens the directory: the data folder's state (or an empty one), the template's roles and managed policies
    /// applied over it, and every stored access key made known to the verifier.
    /// - Parameters:
    ///   - location: Where data lives.
    ///   - stack: The resolved start-up stack.
    ///   - credentials: The credential store.
    ///   - now: The virtual time.
    /// - Returns: The directory.
    /// - Throws: Storage errors, ``TemplateError`` for malformed role properties.
    package static func openDirectory(location: DataLocation, stack: Stack, credentials: CredentialStore, now: Date) throws -> IAMDirectory {
        let database = try IAMStateDatabase(location: location)
        var state = try database.load() ?? IAMState()
        try state.applyTemplate(stack, now: now)
        try database.save(state)
        for key in state.accessKeys.values {
            credentials.addLongTerm(
                accessKeyId: key.accessKeyId,
                secretAccessKey: key.secretAccessKey,
                principal: state.users[key.userName]?.arn
            )
        }
        return IAMDirectory(state: state, persistence: database)
    }

    /// Names the typed operation from the query `Action`.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for an action not served here.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(IAMOperation.init(rawValue:))
    }

    /// Reports the directory's sizes.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let state = directory.state
        return ServiceHealth(
            state: "running",
            resources: ["roles": state.roles.count, "users": state.users.count, "policies": state.policies.count]
        )
    }

    /// Answers one query-protocol request.
    /// - Parameter request: The request.
    /// - Returns: The XML response.
    /// - Throws: ``IAMError``, or the gateway's `InvalidAction` for an operation not served.
    package func handle(_ request: AWSRequest) async throws -> Response {
        guard let operation = request.serviceOperation as? IAMOperation else {
            throw IAMError.invalidAction(request.operation ?? "")
        }
        let input = IAMInput(request.parameters)
        let resources = try resourcesOf(operation, input: input)
        try await authorizer.require(request.caller, action: operation.iamAction, resources: resources, denied: IAMError.accessDenied)
        var result = XMLWriter(declaration: false)
        let now = clock.now
        switch operation {
        case .createRole, .getRole, .updateRole, .deleteRole, .listRoles, .updateAssumeRolePolicy:
            try roles(operation, input, now: now, into: &result)
        case .putRolePolicy, .getRolePolicy, .deleteRolePolicy, .listRolePolicies, .putUserPolicy, .getUserPolicy,
            .deleteUserPolicy, .listUserPolicies, .putGroupPolicy, .getGroupPolicy, .deleteGroupPolicy, .listGroupPolicies:
            try inlinePolicies(operation, input, into: &result)
        case .createPolicy, .getPolicy, .deletePolicy, .listPolicies, .createPolicyVersion, .getPolicyVersion,
            .listPolicyVersions, .deletePolicyVersion, .setDefaultPolicyVersion:
            try managedPolicies(operation, input, now: now, into: &result)
        case .attachRolePolicy, .detachRolePolicy, .listAttachedRolePolicies, .attachUserPolicy, .detachUserPolicy,
            .listAttachedUserPolicies, .attachGroupPolicy, .detachGroupPolicy, .listAttachedGroupPolicies:
            try attachments(operation, input, into: &result)
        case .createGroup, .getGroup, .listGroups, .deleteGroup, .updateGroup, .addUserToGroup, .removeUserFromGroup,
            .listGroupsForUser:
            try groups(operation, input, now: now, into: &result)
        case .createUser, .getUser, .deleteUser, .listUsers:
            try users(operation, input, caller: request.caller, now: now, into: &result)
        case .createAccessKey, .listAccessKeys, .deleteAccessKey, .updateAccessKey:
            try accessKeys(operation, input, caller: request.caller, now: now, into: &result)
        case .simulatePrincipalPolicy:
            try simulate(input, into: &result)
        case .tagRole, .untagRole, .listRoleTags, .tagUser, .untagUser, .listUserTags, .tagPolicy, .untagPolicy, .listPolicyTags:
            try tagging(operation, input, into: &result)
        case .listEntitiesForPolicy:
            try listEntitiesForPolicy(input, into: &result)
        case .listInstanceProfilesForRole:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListInstanceProfilesForRole.html: instance
            // profiles are not emulated (CreateInstanceProfile answers InvalidAction), so no role is in one.
            let name = try input.required("RoleName", member: "roleName")
            _ = try directory.read { (state) throws(IAMError) in try Self.role(name, in: state) }
            let page = try Self.page([String](), input)
            result.element("InstanceProfiles") { _ in }
            Self.writeTruncation(page, into: &result)
        }
        return Self.queryResponse(operation: operation.rawValue, result: result.result, requestId: request.requestId)
    }

    /// The resources an operation's authorization names (`iam:<Action>` on them).
    private func resourcesOf(_ operation: IAMOperation, input: IAMInput) throws(IAMError) -> [String] {
        let iam = "arn:aws:iam::\(accountId):"
        switch operation {
        case .createRole, .getRole, .updateRole, .deleteRole, .updateAssumeRolePolicy, .putRolePolicy, .getRolePolicy,
            .deleteRolePolicy, .listRolePolicies, .attachRolePolicy, .detachRolePolicy, .listAttachedRolePolicies, .tagRole, .untagRole,
            .listRoleTags:
            let name = input["RoleName"] ?? ""
            return [directory.state.roles[name]?.arn ?? iam + "role/" + name]
        case .putUserPolicy, .getUserPolicy, .deleteUserPolicy, .listUserPolicies, .attachUserPolicy, .detachUserPolicy,
            .listAttachedUserPolicies, .createUser, .deleteUser, .tagUser, .untagUser, .listUserTags:
            let name = input["UserName"] ?? ""
            return [directory.state.users[name]?.arn ?? iam + "user/" + name]
        case .getUser, .createAccessKey, .listAccessKeys, .deleteAccessKey, .updateAccessKey:
            guard let name = input["UserName"] else { return ["*"] }
            return [directory.state.users[name]?.arn ?? iam + "user/" + name]
        case .createPolicy:
            return [iam + "policy" + (input["Path"] ?? "/") + (input["PolicyName"] ?? "")]
        case .getPolicy, .deletePolicy, .createPolicyVersion, .getPolicyVersion, .listPolicyVersions, .deletePolicyVersion,
            .setDefaultPolicyVersion, .tagPolicy, .untagPolicy, .listPolicyTags:
            return [input["PolicyArn"] ?? "*"]
        case .createGroup, .getGroup, .deleteGroup, .updateGroup, .addUserToGroup, .removeUserFromGroup, .putGroupPolicy,
            .getGroupPolicy, .deleteGroupPolicy, .listGroupPolicies, .attachGroupPolicy, .detachGroupPolicy, .listAttachedGroupPolicies:
            let name = input["GroupName"] ?? ""
            return [directory.state.groups[name]?.arn ?? iam + "group/" + name]
        case .listGroupsForUser:
            let name = input["UserName"] ?? ""
            return [directory.state.users[name]?.arn ?? iam + "user/" + name]
        case .listRoles, .listPolicies, .listUsers, .listGroups:
            return ["*"]
        case .listEntitiesForPolicy:
            return [input["PolicyArn"] ?? "*"]
        case .listInstanceProfilesForRole:
            let name = input["RoleName"] ?? ""
            return [directory.state.roles[name]?.arn ?? iam + "role/" + name]
        case .simulatePrincipalPolicy:
            return [input["PolicySourceArn"] ?? "*"]
        }
    }

    // MARK: Roles

    private func roles(_ operation: IAMOperation, _ input: IAMInput, now: Date, into result: inout XMLWriter) throws(IAMError) {
        switch operation {
        case .createRole:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
            let name = try input.entityName("RoleName", member: "roleName")
            let path = try input.path()
            let trust = try input.required("AssumeRolePolicyDocument", member: "assumeRolePolicyDocument")
            try Self.validateDocument(trust, kind: .trust)
            let maxSession = try input.maxSessionDuration() ?? 3600
            let description = try input.description()
            let tags = try Self.validatedTags(input.tags())
            let arn = "arn:aws:iam::\(accountId):role\(path)\(name)"
            let record = try directory.mutate { (state: inout IAMState) throws(IAMError) -> IAMRoleRecord in
                guard !state.roles.keys.contains(where: { $0.lowercased() == name.lowercased() }) else { throw IAMError.roleExists(name) }
                let record = IAMRoleRecord(
                    name: name,
                    path: path,
                    roleId: IAMIdentifiers.random(prefix: "AROA"),
                    arn: arn,
                    createDate: now,
                    assumeRolePolicyDocument: trust,
                    description: description,
                    maxSessionDuration: maxSession,
                    tags: tags
                )
                state.roles[name] = record
                return record
            }
            result.element("Role") { Self.write(role: record, into: &$0) }
        case .getRole:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
            let name = try input.required("RoleName", member: "roleName")
            let record = try directory.read { (state) throws(IAMError) in try Self.role(name, in: state) }
            result.element("Role") { Self.write(role: record, into: &$0) }
        case .updateRole:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html
            let name = try input.required("RoleName", member: "roleName")
            let description = try input.description()
            let maxSession = try input.maxSessionDuration()
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var record = try Self.role(name, in: state)
                if let description { record.description = description }
                if let maxSession { record.maxSessionDuration = maxSession }
                state.roles[name] = record
            }
        case .deleteRole:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html
            let name = try input.required("RoleName", member: "roleName")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                let record = try Self.role(name, in: state)
                if !record.attachedPolicyArns.isEmpty { throw IAMError.mustDetachPolicies }
                if !record.inlinePolicies.isEmpty { throw IAMError.mustDeletePolicies }
                state.roles[name] = nil
            }
        case .listRoles:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html
            let prefix = input["PathPrefix"] ?? "/"
            let all = directory.state.roles.values.filter { $0.path.hasPrefix(prefix) }.sorted { $0.name < $1.name }
            let page = try Self.page(all, input)
            result.element("Roles") { xml in
                for record in page.items { xml.element("member") { Self.write(role: record, into: &$0, withTags: false) } }
            }
            Self.writeTruncation(page, into: &result)
        case .updateAssumeRolePolicy:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html
            let name = try input.required("RoleName", member: "roleName")
            let document = try input.required("PolicyDocument", member: "policyDocument")
            try Self.validateDocument(document, kind: .trust)
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var record = try Self.role(name, in: state)
                record.assumeRolePolicyDocument = document
                state.roles[name] = record
            }
        default:
            break
        }
    }

    // MARK: Inline policies

    private func inlinePolicies(_ operation: IAMOperation, _ input: IAMInput, into result: inout XMLWriter) throws(IAMError) {
        let owner = try IAMEntity(owning: operation, input)
        switch operation {
        case .putRolePolicy, .putUserPolicy, .putGroupPolicy:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html
            let policyName = try input.entityName("PolicyName", member: "policyName", maxLength: 128)
            let document = try input.required("PolicyDocument", member: "policyDocument")
            try Self.validateDocument(document, kind: .identity)
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var policies = try owner.parts(in: state).inlinePolicies
                if let index = policies.firstIndex(where: { $0.name == policyName }) {
                    policies[index].document = document
                } else {
                    policies.append(NamedPolicyText(name: policyName, document: document))
                }
                // Inline policies share one quota per role (10,240), group (5,120) or user (2,048), counted without
                // white space.
                let limit = owner.inlinePolicyQuota
                if policies.reduce(0, { $0 + Self.policySize($1.document) }) > limit {
                    throw IAMError.limitExceeded("Maximum policy size of \(limit) bytes exceeded for \(owner.kind) \(owner.name)")
                }
                owner.update(in: &state) { $0.inlinePolicies = policies }
            }
        case .getRolePolicy, .getUserPolicy, .getGroupPolicy:
            let policyName = try input.required("PolicyName", member: "policyName")
            let policies = try directory.read { (state) throws(IAMError) in try owner.parts(in: state).inlinePolicies }
            guard let policy = policies.first(where: { $0.name == policyName }) else { throw owner.noSuchInlinePolicy(policyName) }
            result.element(owner.nameElement, owner.name)
            result.element("PolicyName", policy.name)
            result.element("PolicyDocument", Self.urlEncode(policy.document))
        case .deleteRolePolicy, .deleteUserPolicy, .deleteGroupPolicy:
            let policyName = try input.required("PolicyName", member: "policyName")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var policies = try owner.parts(in: state).inlinePolicies
                guard let index = policies.firstIndex(where: { $0.name == policyName }) else { throw owner.noSuchInlinePolicy(policyName) }
                policies.remove(at: index)
                owner.update(in: &state) { $0.inlinePolicies = policies }
            }
        default:
            let policies = try directory.read { (state) throws(IAMError) in try owner.parts(in: state).inlinePolicies }
            let page = try Self.page(policies.map(\.name).sorted(), input)
            result.element("PolicyNames") { xml in
                for name in page.items { xml.element("member", name) }
            }
            Self.writeTruncation(page, into: &result)
        }
    }

    // MARK: Managed policies

    private func managedPolicies(_ operation: IAMOperation, _ input: IAMInput, now: Date, into result: inout XMLWriter) throws(IAMError) {
        switch operation {
        case .createPolicy:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
            let name = try input.entityName("PolicyName", member: "policyName", maxLength: 128)
            let path = try input.path()
            let document = try input.required("PolicyDocument", member: "policyDocument")
            try Self.validateDocument(document, kind: .identity)
            if Self.policySize(document) > 6144 { throw IAMError.limitExceeded("Cannot exceed quota for PolicySize: 6144") }
            let description = try input.description()
            let arn = "arn:aws:iam::\(accountId):policy\(path)\(name)"
            let tags = try Self.validatedTags(input.tags())
            let record = try directory.mutate { (state: inout IAMState) throws(IAMError) -> IAMManagedPolicyRecord in
                guard !state.policies.values.contains(where: { $0.name == name }) else { throw IAMError.policyExists(name) }
                var record = IAMManagedPolicyRecord(
                    name: name,
                    path: path,
                    policyId: IAMIdentifiers.random(prefix: "ANPA"),
                    arn: arn,
                    description: description,
                    document: document,
                    createDate: now
                )
                if !tags.isEmpty { record.tags = tags }
                state.policies[arn] = record
                return record
            }
            result.element("Policy") { Self.write(policy: record, attachments: 0, into: &$0) }
        case .getPolicy:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicy.html
            let arn = try input.policyArn()
            let state = directory.state
            if let record = state.policies[arn] {
                result.element("Policy") { Self.write(policy: record, attachments: Self.attachmentCount(arn, in: state), into: &$0) }
            } else if let entry = ManagedPolicies.entries.first(where: { $0.arn == arn }) {
                let record = Self.awsManaged(entry)
                result.element("Policy") { Self.write(policy: record, attachments: Self.attachmentCount(arn, in: state), into: &$0) }
            } else {
                throw IAMError.policyNotFound(arn)
            }
        case .deletePolicy:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html
            let arn = try input.policyArn()
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                guard let record = state.policies[arn] else { throw IAMError.policyNotFound(arn) }
                if Self.attachmentCount(arn, in: state) > 0 { throw IAMError.policyAttached }
                if record.versions.count > 1 { throw IAMError.policyHasVersions }
                state.policies[arn] = nil
            }
        case .listPolicies:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html
            let scope = input["Scope"] ?? "All"
            guard ["All", "AWS", "Local"].contains(scope) else {
                throw IAMError.constraint("scope", value: scope, "Member must satisfy enum value set: [All, AWS, Local]")
            }
            let onlyAttached = input["OnlyAttached"] == "true"
            let prefix = input["PathPrefix"] ?? "/"
            let state = directory.state
            var all: [IAMManagedPolicyRecord] = []
            if scope != "AWS" { all += state.policies.values }
            if scope != "Local" { all += ManagedPolicies.entries.map(Self.awsManaged) }
            all = all.filter { $0.path.hasPrefix(prefix) && (!onlyAttached || Self.attachmentCount($0.arn, in: state) > 0) }
            let page = try Self.page(all.sorted { $0.name < $1.name }, input)
            result.element("Policies") { xml in
                for record in page.items {
                    xml.element("member") { Self.write(policy: record, attachments: Self.attachmentCount(record.arn, in: state), into: &$0) }
                }
            }
            Self.writeTruncation(page, into: &result)
        case .createPolicyVersion:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html
            let arn = try input.policyArn()
            let document = try input.required("PolicyDocument", member: "policyDocument")
            try Self.validateDocument(document, kind: .identity)
            if Self.policySize(document) > 6144 { throw IAMError.limitExceeded("Cannot exceed quota for PolicySize: 6144") }
            let setAsDefault = input["SetAsDefault"] == "true"
            let version = try directory.mutate { (state: inout IAMState) throws(IAMError) -> IAMPolicyVersionRecord in
                guard var record = state.policies[arn] else { throw IAMError.noSuchPolicy(arn) }
                guard record.versions.count < 5 else { throw IAMError.tooManyVersions }
                let version = IAMPolicyVersionRecord(versionId: "v\(record.nextVersion)", document: document, createDate: now)
                record.nextVersion += 1
                record.versions.append(version)
                if setAsDefault {
                    record.defaultVersionId = version.versionId
                    record.updateDate = now
                }
                state.policies[arn] = record
                return version
            }
            result.element("PolicyVersion") { xml in
                xml.element("VersionId", version.versionId)
                xml.element("IsDefaultVersion", setAsDefault ? "true" : "false")
                xml.element("CreateDate", Timestamp.iso8601(version.createDate))
            }
        case .getPolicyVersion:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicyVersion.html
            let arn = try input.policyArn()
            let versionId = try input.required("VersionId", member: "versionId")
            let record = try managedRecord(arn)
            guard let version = record.versions.first(where: { $0.versionId == versionId }) else {
                throw IAMError.noSuchPolicyVersion(arn, versionId)
            }
            result.element("PolicyVersion") { Self.write(version: version, isDefault: version.versionId == record.defaultVersionId, into: &$0) }
        case .listPolicyVersions:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicyVersions.html
            let arn = try input.policyArn()
            let record = try managedRecord(arn)
            let page = try Self.page(Array(record.versions.reversed()), input)
            result.element("Versions") { xml in
                for version in page.items {
                    xml.element("member") { Self.write(version: version, isDefault: version.versionId == record.defaultVersionId, into: &$0) }
                }
            }
            Self.writeTruncation(page, into: &result)
        case .deletePolicyVersion:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicyVersion.html
            let arn = try input.policyArn()
            let versionId = try input.required("VersionId", member: "versionId")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                guard var record = state.policies[arn] else { throw IAMError.noSuchPolicy(arn) }
                guard let index = record.versions.firstIndex(where: { $0.versionId == versionId }) else {
                    throw IAMError.noSuchPolicyVersion(arn, versionId)
                }
                if record.defaultVersionId == versionId { throw IAMError.defaultVersion }
                record.versions.remove(at: index)
                state.policies[arn] = record
            }
        case .setDefaultPolicyVersion:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetDefaultPolicyVersion.html
            let arn = try input.policyArn()
            let versionId = try input.required("VersionId", member: "versionId")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                guard var record = state.policies[arn] else { throw IAMError.noSuchPolicy(arn) }
                guard record.versions.contains(where: { $0.versionId == versionId }) else {
                    throw IAMError.noSuchPolicyVersion(arn, versionId)
                }
                record.defaultVersionId = versionId
                record.updateDate = now
                state.policies[arn] = record
            }
        default:
            break
        }
    }

    private func managedRecord(_ arn: String) throws(IAMError) -> IAMManagedPolicyRecord {
        if let record = directory.state.policies[arn] { return record }
        if let entry = ManagedPolicies.entries.first(where: { $0.arn == arn }) { return Self.awsManaged(entry) }
        throw IAMError.noSuchPolicy(arn)
    }

    /// An AWS managed policy from the emulator's catalog, as a read-only record.
    private static func awsManaged(_ entry: ManagedPolicies.Entry) -> IAMManagedPolicyRecord {
        let created = Date(timeIntervalSince1970: 1_423_008_000)
        return IAMManagedPolicyRecord(
            name: entry.name,
            path: entry.path,
            policyId: IAMIdentifiers.identifier(prefix: "ANPA", seed: entry.arn),
            arn: entry.arn,
            description: nil,
            document: entry.json,
            createDate: created
        )
    }

    private static func attachmentCount(_ arn: String, in state: IAMState) -> Int {
        state.roles.values.count { $0.attachedPolicyArns.contains(arn) } + state.users.values.count { $0.attachedPolicyArns.contains(arn) }
            + state.groups.values.count { $0.attachedPolicyArns.contains(arn) }
    }

    // MARK: Attachments

    private func attachments(_ operation: IAMOperation, _ input: IAMInput, into result: inout XMLWriter) throws(IAMError) {
        let owner = try IAMEntity(owning: operation, input)
        switch operation {
        case .attachRolePolicy, .attachUserPolicy, .attachGroupPolicy:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html
            let arn = try input.policyArn()
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var attached = try owner.parts(in: state).attachedPolicyArns
                guard state.policies[arn] != nil || ManagedPolicies.entries.contains(where: { $0.arn == arn }) else {
                    throw IAMError.noSuchPolicy(arn)
                }
                if !attached.contains(arn) { attached.append(arn) }
                owner.update(in: &state) { $0.attachedPolicyArns = attached }
            }
        case .detachRolePolicy, .detachUserPolicy, .detachGroupPolicy:
            let arn = try input.policyArn()
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var attached = try owner.parts(in: state).attachedPolicyArns
                guard let index = attached.firstIndex(of: arn) else { throw IAMError.notAttached(arn) }
                attached.remove(at: index)
                owner.update(in: &state) { $0.attachedPolicyArns = attached }
            }
        default:
            let state = directory.state
            let attached = try owner.parts(in: state).attachedPolicyArns
            let page = try Self.page(attached, input)
            result.element("AttachedPolicies") { xml in
                for arn in page.items {
                    let name = state.policies[arn]?.name ?? arn.split(separator: "/").last.map(String.init) ?? arn
                    xml.element("member") { xml in
                        xml.element("PolicyName", name)
                        xml.element("PolicyArn", arn)
                    }
                }
            }
            Self.writeTruncation(page, into: &result)
        }
    }

    // MARK: Users

    private func users(_ operation: IAMOperation, _ input: IAMInput, caller: Caller, now: Date, into result: inout XMLWriter) throws(IAMError) {
        switch operation {
        case .createUser:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
            let name = try input.entityName("UserName", member: "userName")
            let path = try input.path()
            let tags = try Self.validatedTags(input.tags())
            let arn = "arn:aws:iam::\(accountId):user\(path)\(name)"
            let record = try directory.mutate { (state: inout IAMState) throws(IAMError) -> IAMUserRecord in
                guard !state.users.keys.contains(where: { $0.lowercased() == name.lowercased() }) else { throw IAMError.userExists(name) }
                let record = IAMUserRecord(
                    name: name,
                    path: path,
                    userId: IAMIdentifiers.random(prefix: "AIDA"),
                    arn: arn,
                    createDate: now,
                    tags: tags
                )
                state.users[name] = record
                return record
            }
            result.element("User") { Self.write(user: record, into: &$0) }
        case .getUser:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html
            let state = directory.state
            if let name = input["UserName"] ?? callingUser(caller, in: state)?.name {
                let record = try Self.user(name, in: state)
                result.element("User") { Self.write(user: record, into: &$0) }
            } else {
                result.element("User") { xml in
                    xml.element("UserId", accountId)
                    xml.element("Arn", "arn:aws:iam::\(accountId):root")
                    xml.element("CreateDate", Timestamp.iso8601(Date(timeIntervalSince1970: 1_420_070_400)))
                }
            }
        case .deleteUser:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html
            let name = try input.required("UserName", member: "userName")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                let record = try Self.user(name, in: state)
                if state.accessKeys.values.contains(where: { $0.userName == name }) { throw IAMError.mustDeleteAccessKeys }
                if !state.groups(ofUser: name).isEmpty { throw IAMError.mustRemoveFromGroups }
                if !record.attachedPolicyArns.isEmpty { throw IAMError.mustDetachPolicies }
                if !record.inlinePolicies.isEmpty { throw IAMError.mustDeletePolicies }
                state.users[name] = nil
            }
        default:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html
            let prefix = input["PathPrefix"] ?? "/"
            let all = directory.state.users.values.filter { $0.path.hasPrefix(prefix) }.sorted { $0.name < $1.name }
            let page = try Self.page(all, input)
            result.element("Users") { xml in
                for record in page.items { xml.element("member") { Self.write(user: record, into: &$0, withTags: false) } }
            }
            Self.writeTruncation(page, into: &result)
        }
    }

    /// The IAM user whose access key signed the request.
    private func callingUser(_ caller: Caller, in state: IAMState) -> IAMUserRecord? {
        guard let key = caller.accessKeyId, let record = state.accessKeys[key] else { return nil }
        return state.users[record.userName]
    }

    // MARK: Access keys

    private func accessKeys(_ operation: IAMOperation, _ input: IAMInput, caller: Caller, now: Date, into result: inout XMLWriter) throws(IAMError) {
        let state = directory.state
        guard let userName = input["UserName"] ?? callingUser(caller, in: state)?.name else {
            // The account root has no access keys the emulator manages.
            throw IAMError.noSuchUser("root")
        }
        switch operation {
        case .createAccessKey:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
            let record = try directory.mutate { (state: inout IAMState) throws(IAMError) -> IAMAccessKeyRecord in
                let user = try Self.user(userName, in: state)
                guard state.accessKeys.values.count(where: { $0.userName == userName }) < 2 else { throw IAMError.tooManyAccessKeys }
                let record = IAMAccessKeyRecord(
                    accessKeyId: IAMIdentifiers.random(prefix: "AKIA", length: 20),
                    secretAccessKey: IAMIdentifiers.secret(),
                    userName: user.name,
                    status: "Active",
                    createDate: now
                )
                state.accessKeys[record.accessKeyId] = record
                return record
            }
            credentials.addLongTerm(
                accessKeyId: record.accessKeyId,
                secretAccessKey: record.secretAccessKey,
                principal: directory.state.users[userName]?.arn
            )
            result.element("AccessKey") { xml in
                xml.element("UserName", record.userName)
                xml.element("AccessKeyId", record.accessKeyId)
                xml.element("Status", record.status)
                xml.element("SecretAccessKey", record.secretAccessKey)
                xml.element("CreateDate", Timestamp.iso8601(record.createDate))
            }
        case .listAccessKeys:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html
            _ = try Self.user(userName, in: state)
            let keys = state.accessKeys.values.filter { $0.userName == userName }.sorted { $0.createDate < $1.createDate }
            let page = try Self.page(keys, input)
            result.element("AccessKeyMetadata") { xml in
                for key in page.items {
                    xml.element("member") { xml in
                        xml.element("UserName", key.userName)
                        xml.element("AccessKeyId", key.accessKeyId)
                        xml.element("Status", key.status)
                        xml.element("CreateDate", Timestamp.iso8601(key.createDate))
                    }
                }
            }
            Self.writeTruncation(page, into: &result)
        case .deleteAccessKey:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html
            let keyId = try input.required("AccessKeyId", member: "accessKeyId")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                _ = try Self.user(userName, in: state)
                guard let key = state.accessKeys[keyId], key.userName == userName else { throw IAMError.noSuchAccessKey(keyId) }
                state.accessKeys[keyId] = nil
                state.deletedAccessKeys.append(keyId)
            }
            credentials.remove(accessKeyId: keyId)
        default:
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
            let keyId = try input.required("AccessKeyId", member: "accessKeyId")
            let status = try input.required("Status", member: "status")
            guard status == "Active" || status == "Inactive" else {
                throw IAMError.constraint("status", value: status, "Member must satisfy enum value set: [Active, Inactive]")
            }
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                _ = try Self.user(userName, in: state)
                guard var key = state.accessKeys[keyId], key.userName == userName else { throw IAMError.noSuchAccessKey(keyId) }
                key.status = status
                state.accessKeys[keyId] = key
            }
        }
    }

    // MARK: SimulatePrincipalPolicy

    private func simulate(_ input: IAMInput, into result: inout XMLWriter) throws(IAMError) {
        // https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
        let source = try input.required("PolicySourceArn", member: "policySourceArn")
        let actions = input.list("ActionNames")
        guard !actions.isEmpty else { throw IAMError.missing("actionNames") }
        let resources = input.list("ResourceArns")
        let state = directory.state
        let policies: [PolicyDocument]
        let inlineType: String
        if let role = state.roles.values.first(where: { $0.arn == source }) {
            policies = IAMDirectory.policies(ofRole: role, in: state)
            inlineType = "role"
        } else if let user = state.users.values.first(where: { $0.arn == source }) {
            policies = IAMDirectory.policies(ofUser: user, in: state)
            inlineType = "user"
        } else {
            throw IAMError.invalidInput("Invalid Entity Arn: \(source) does not clearly define entity type and name.")
        }
        var extra: [PolicyDocument] = []
        for (index, text) in input.list("PolicyInputList").enumerated() {
            do {
                extra.append(try PolicyDocument(jsonString: text, name: "PolicyInputList.\(index + 1)"))
            } catch {
                throw IAMError.malformedPolicyDocument(error.message)
            }
        }
        var context: [String: ContextValue] = [:]
        var index = 1
        while let key = input["ContextEntries.member.\(index).ContextKeyName"] {
            var values: [String] = []
            var valueIndex = 1
            while let value = input["ContextEntries.member.\(index).ContextKeyValues.member.\(valueIndex)"] {
                values.append(value)
                valueIndex += 1
            }
            context[key] = values.count == 1 ? .single(values[0]) : .multiple(values)
            index += 1
        }
        let all = extra + policies
        // One result per (action, resource) pair, paged by MaxItems/Marker: only the page is evaluated, so a request
        // naming many actions and resources costs no more than one page.
        let targets = resources.isEmpty ? ["*"] : resources
        let (total, overflow) = actions.count.multipliedReportingOverflow(by: targets.count)
        let pairs = (0..<(overflow ? Int.max : total)).lazy.map { (action: actions[$0 / targets.count], resource: targets[$0 % targets.count]) }
        let page = try Self.page(pairs, count: overflow ? Int.max : total, input)
        let now = clock.now
        result.element("EvaluationResults") { xml in
            for (action, resource) in page.items {
                var requestContext = AuthorizationRequest.globalContext(principalArn: source, sourceIp: nil, secureTransport: false, now: now)
                for (key, value) in context { requestContext[key] = value }
                let request = AuthorizationRequest(principalArn: source, action: action, resources: [resource], context: requestContext)
                let decision = PolicyEvaluator.evaluate(request: request, policies: all)
                xml.element("member") { xml in
                    xml.element("EvalActionName", action)
                    xml.element("EvalResourceName", resource)
                    switch decision {
                    case .allow(let match):
                        xml.element("EvalDecision", "allowed")
                        Self.writeMatched(match, inlineType: inlineType, into: &xml)
                    case .explicitDeny(let match):
                        xml.element("EvalDecision", "explicitDeny")
                        Self.writeMatched(match, inlineType: inlineType, into: &xml)
                    case .implicitDeny:
                        xml.element("EvalDecision", "implicitDeny")
                        xml.element("MatchedStatements") { _ in }
                    }
                    xml.element("MissingContextValues") { _ in }
                }
            }
        }
        Self.writeTruncation(page, into: &result)
    }

    private static func writeMatched(_ match: MatchedStatement, inlineType: String, into xml: inout XMLWriter) {
        let name = match.policyName ?? ""
        let type: String
        if name.hasPrefix("arn:aws:iam::aws:") {
            type = "aws-managed"
        } else if name.hasPrefix("arn:") {
            type = "user-managed"
        } else if name.hasPrefix("PolicyInputList.") {
            type = "none"
        } else {
            type = inlineType
        }
        xml.element("MatchedStatements") { xml in
            xml.element("member") { xml in
                xml.element("SourcePolicyId", name)
                xml.element("SourcePolicyType", type)
            }
        }
    }

    // MARK: Lookups and validation

    static func role(_ name: String, in state: IAMState) throws(IAMError) -> IAMRoleRecord {
        guard let record = state.roles[name] else { throw IAMError.noSuchRole(name) }
        return record
    }

    static func group(_ name: String, in state: IAMState) throws(IAMError) -> IAMGroupRecord {
        guard let record = state.groups[name] else { throw IAMError.noSuchEntity("The group with name \(name) cannot be found.") }
        return record
    }

    static func user(_ name: String, in state: IAMState) throws(IAMError) -> IAMUserRecord {
        guard let record = state.users[name] else { throw IAMError.noSuchUser(name) }
        return record
    }

    /// Parses a policy document as IAM does on write; IAM answers `MalformedPolicyDocument` with the parser's text.
    /// - Parameters:
    ///   - text: The JSON text.
    ///   - kind: Identity or trust policy.
    /// - Throws: ``IAMError/malformedPolicyDocument(_:)``.
    package static func validateDocument(_ text: String, kind: PolicyKind) throws(IAMError) {
        if kind == .trust, policySize(text) > 2048 { throw IAMError.limitExceeded("Cannot exceed quota for ACLSizePerRole: 2048") }
        do {
            _ = try PolicyDocument(jsonString: text, kind: kind)
        } catch {
            throw IAMError.malformedPolicyDocument(error.message)
        }
    }

    /// A policy's size as IAM counts it against its quotas: characters other than white space.
    /// - Parameter text: The document.
    /// - Returns: The size.
    package static func policySize(_ text: String) -> Int {
        text.unicodeScalars.count { !CharacterSet.whitespacesAndNewlines.contains($0) }
    }

    // MARK: Writing

    private static func write(role record: IAMRoleRecord, into xml: inout XMLWriter, withTags: Bool = true) {
        xml.element("Path", record.path)
        xml.element("RoleName", record.name)
        xml.element("RoleId", record.roleId)
        xml.element("Arn", record.arn)
        xml.element("CreateDate", Timestamp.iso8601(record.createDate))
        xml.element("AssumeRolePolicyDocument", urlEncode(record.assumeRolePolicyDocument))
        xml.optionalElement("Description", record.description)
        xml.element("MaxSessionDuration", String(record.maxSessionDuration))
        if withTags, !record.tags.isEmpty { writeTags(record.tags, into: &xml) }
    }

    static func write(user record: IAMUserRecord, into xml: inout XMLWriter, withTags: Bool = true) {
        xml.element("Path", record.path)
        xml.element("UserName", record.name)
        xml.element("UserId", record.userId)
        xml.element("Arn", record.arn)
        xml.element("CreateDate", Timestamp.iso8601(record.createDate))
        if withTags, !record.tags.isEmpty { writeTags(record.tags, into: &xml) }
    }

    static func writeTags(_ tags: [IAMTag], into xml: inout XMLWriter) {
        xml.element("Tags") { xml in
            for tag in tags {
                xml.element("member") { xml in
                    xml.element("Key", tag.key)
                    xml.element("Value", tag.value)
                }
            }
        }
    }

    private static func write(policy record: IAMManagedPolicyRecord, attachments: Int, into xml: inout XMLWriter) {
        xml.element("PolicyName", record.name)
        xml.element("PolicyId", record.policyId)
        xml.element("Arn", record.arn)
        xml.element("Path", record.path)
        xml.element("DefaultVersionId", record.defaultVersionId)
        xml.element("AttachmentCount", String(attachments))
        xml.element("PermissionsBoundaryUsageCount", "0")
        xml.element("IsAttachable", "true")
        xml.optionalElement("Description", record.description)
        xml.element("CreateDate", Timestamp.iso8601(record.createDate))
        xml.element("UpdateDate", Timestamp.iso8601(record.updateDate))
        if let tags = record.tags, !tags.isEmpty { writeTags(tags, into: &xml) }
    }

    private static func write(version: IAMPolicyVersionRecord, isDefault: Bool, into xml: inout XMLWriter) {
        xml.element("Document", urlEncode(version.document))
        xml.element("VersionId", version.versionId)
        xml.element("IsDefaultVersion", isDefault ? "true" : "false")
        xml.element("CreateDate", Timestamp.iso8601(version.createDate))
    }

    /// Policy documents travel percent-encoded in IAM responses (botocore decodes them).
    static func urlEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// One page of a list.
    struct Page<Item> {
        var items: [Item]
        var marker: String?
    }

    /// Pages by `Marker` (an offset we issued) and `MaxItems` (1...1000, default 100).
    static func page<Item>(_ all: [Item], _ input: IAMInput) throws(IAMError) -> Page<Item> {
        try page(all, count: all.count, input)
    }

    /// Pages a collection of `count` items, reading only the page's items.
    static func page<Items: Collection>(_ all: Items, count: Int, _ input: IAMInput) throws(IAMError) -> Page<Items.Element>
    where Items.Index == Int {
        var maxItems = 100
        if let text = input["MaxItems"] {
            guard let value = Int(text), value >= 1, value <= 1000 else {
                throw IAMError.constraint("maxItems", value: text, "Member must have value between 1 and 1000")
            }
            maxItems = value
        }
        var start = 0
        if let marker = input["Marker"] {
            guard let offset = Int(marker), offset >= 0, offset <= count else {
                throw IAMError.invalidInput("Invalid Marker.")
            }
            start = offset
        }
        let (sum, overflow) = start.addingReportingOverflow(maxItems)
        let end = overflow ? count : min(count, sum)
        return Page(items: (start..<end).map { all[$0] }, marker: end < count ? String(end) : nil)
    }

    static func writeTruncation<Item>(_ page: Page<Item>, into xml: inout XMLWriter) {
        xml.element("IsTruncated", page.marker == nil ? "false" : "true")
        xml.optionalElement("Marker", page.marker)
    }

    private static func queryResponse(operation: String, result: String, requestId: String) -> Response {
        var xml = XMLWriter(declaration: false)
        xml.element("\(operation)Response", attributes: [("xmlns", namespace)]) { xml in
            // Operations without output send no result element; UpdateRole's output is empty but wrapped.
            if !result.isEmpty || operation == IAMOperation.updateRole.rawValue {
                xml.element("\(operation)Result") { xml in xml.raw(result) }
            }
            xml.element("ResponseMetadata") { $0.element("RequestId", requestId) }
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml.result)))
    }
}
