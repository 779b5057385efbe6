import IAM

/// The role, user, group or customer managed policy an IAM operation names: one place for reading and writing the
/// parts they share (inline policies, attached managed policies, tags).
enum IAMEntity {
    /// A role, by name.
    case role(String)
    /// A user, by name.
    case user(String)
    /// A group, by name.
    case group(String)
    /// A customer managed policy, by ARN.
    case policy(String)

    /// The owner of an inline-policy or attachment operation (`RoleName`, `UserName` or `GroupName`).
    init(owning operation: IAMOperation, _ input: IAMInput) throws(IAMError) {
        switch operation {
        case .putRolePolicy, .getRolePolicy, .deleteRolePolicy, .listRolePolicies, .attachRolePolicy, .detachRolePolicy,
            .listAttachedRolePolicies:
            self = .role(try input.required("RoleName", member: "roleName"))
        case .putGroupPolicy, .getGroupPolicy, .deleteGroupPolicy, .listGroupPolicies, .attachGroupPolicy, .detachGroupPolicy,
            .listAttachedGroupPolicies:
            self = .group(try input.required("GroupName", member: "groupName"))
        default:
            self = .user(try input.required("UserName", member: "userName"))
        }
    }

    /// The target of a tagging operation.
    init(taggedBy operation: IAMOperation, _ input: IAMInput) throws(IAMError) {
        switch operation {
        case .tagRole, .untagRole, .listRoleTags: self = .role(try input.required("RoleName", member: "roleName"))
        case .tagUser, .untagUser, .listUserTags: self = .user(try input.required("UserName", member: "userName"))
        default: self = .policy(try input.policyArn())
        }
    }

    /// The entity's name (the ARN for a policy).
    var name: String {
        switch self {
        case .role(let name), .user(let name), .group(let name), .policy(let name): name
        }
    }

    /// The kind, as IAM's messages word it (`role`, `user`, `group`, `policy`).
    var kind: String {
        switch self {
        case .role: "role"
        case .user: "user"
        case .group: "group"
        case .policy: "policy"
        }
    }

    /// The request member that names it in responses (`RoleName`, `UserName`, `GroupName`).
    var nameElement: String {
        switch self {
        case .role: "RoleName"
        case .user: "UserName"
        case .group: "GroupName"
        case .policy: "PolicyArn"
        }
    }

    /// The inline-policy quota of the entity (characters without white space).
    var inlinePolicyQuota: Int {
        switch self {
        case .role: 10240
        case .group: 5120
        default: 2048
        }
    }

    /// The quota name in the tag `LimitExceeded`.
    var tagQuotaName: String {
        switch self {
        case .role: "TagsPerRole"
        case .user: "TagsPerUser"
        case .group: "TagsPerGroup"
        case .policy: "TagsPerPolicy"
        }
    }

    /// `NoSuchEntity` for an inline policy the entity does not have.
    func noSuchInlinePolicy(_ policyName: String) -> IAMError {
        .noSuchEntity("The \(kind) policy with name \(policyName) cannot be found.")
    }

    /// Fails with `NoSuchEntity` when the entity does not exist.
    func check(in state: IAMState) throws(IAMError) {
        switch self {
        case .role(let name): _ = try IAMService.role(name, in: state)
        case .user(let name): _ = try IAMService.user(name, in: state)
        case .group(let name): _ = try IAMService.group(name, in: state)
        case .policy(let arn): guard state.policies[arn] != nil else { throw IAMError.policyNotFound(arn) }
        }
    }

    /// What policy and tag operations read and write of an entity.
    struct Parts {
        /// Inline policies (none for a policy).
        var inlinePolicies: [NamedPolicyText] = []
        /// Attached managed policy ARNs (none for a policy).
        var attachedPolicyArns: [String] = []
        /// Tags (groups have none).
        var tags: [IAMTag] = []
    }

    /// The entity's parts; `NoSuchEntity` when it does not exist.
    func parts(in state: IAMState) throws(IAMError) -> Parts {
        try check(in: state)
        switch self {
        case .role(let name):
            let record = state.roles[name]
            return Parts(inlinePolicies: record?.inlinePolicies ?? [], attachedPolicyArns: record?.attachedPolicyArns ?? [], tags: record?.tags ?? [])
        case .user(let name):
            let record = state.users[name]
            return Parts(inlinePolicies: record?.inlinePolicies ?? [], attachedPolicyArns: record?.attachedPolicyArns ?? [], tags: record?.tags ?? [])
        case .group(let name):
            let record = state.groups[name]
            return Parts(inlinePolicies: record?.inlinePolicies ?? [], attachedPolicyArns: record?.attachedPolicyArns ?? [])
        case .policy(let arn):
            return Parts(tags: state.policies[arn]?.tags ?? [])
        }
    }

    /// Changes the entity's parts (nothing when it does not exist).
    func update(in state: inout IAMState, _ change: (inout Parts) -> Void) {
        guard var parts = try? parts(in: state) else { return }
        change(&parts)
        switch self {
        case .role(let name):
            state.roles[name]?.inlinePolicies = parts.inlinePolicies
            state.roles[name]?.attachedPolicyArns = parts.attachedPolicyArns
            state.roles[name]?.tags = parts.tags
        case .user(let name):
            state.users[name]?.inlinePolicies = parts.inlinePolicies
            state.users[name]?.attachedPolicyArns = parts.attachedPolicyArns
            state.users[name]?.tags = parts.tags
        case .group(let name):
            state.groups[name]?.inlinePolicies = parts.inlinePolicies
            state.groups[name]?.attachedPolicyArns = parts.attachedPolicyArns
        case .policy(let arn):
            state.policies[arn]?.tags = parts.tags
        }
    }
}
