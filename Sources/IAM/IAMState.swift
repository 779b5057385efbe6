import Foundation

/// One named policy document as IAM stores it: the JSON text exactly as the caller sent it.
package struct NamedPolicyText: Codable, Sendable, Equatable {
    /// The inline policy name.
    package var name: String
    /// The policy document JSON text.
    package var document: String

    /// Creates a named document.
    /// - Parameters:
    ///   - name: The inline policy name.
    ///   - document: The JSON text.
    package init(name: String, document: String) {
        self.name = name
        self.document = document
    }
}

/// A tag on an IAM role or user.
package struct IAMTag: Codable, Sendable, Equatable {
    /// The key.
    package var key: String
    /// The value.
    package var value: String

    /// Creates a tag.
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value.
    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// An IAM role: from the template (`AWS::IAM::Role`, SAM function roles) or `CreateRole`.
package struct IAMRoleRecord: Codable, Sendable, Equatable {
    /// The role name.
    package var name: String
    /// The path (`/` unless given).
    package var path: String
    /// The role id (`AROA...`).
    package var roleId: String
    /// The ARN (`arn:aws:iam::ACCOUNT:role{path}{name}`).
    package var arn: String
    /// When it was created.
    package var createDate: Date
    /// The trust policy JSON text.
    package var assumeRolePolicyDocument: String
    /// The description.
    package var description: String?
    /// The most seconds a session may last.
    package var maxSessionDuration: Int
    /// Inline policies, in the order they were put.
    package var inlinePolicies: [NamedPolicyText]
    /// Attached managed policy ARNs, in attach order.
    package var attachedPolicyArns: [String]
    /// Tags.
    package var tags: [IAMTag]
    /// Whether the start-up template declares it (the template is authoritative for it on every start).
    package var fromTemplate: Bool

    /// Creates a role record.
    package init(
        name: String,
        path: String,
        roleId: String,
        arn: String,
        createDate: Date,
        assumeRolePolicyDocument: String,
        description: String? = nil,
        maxSessionDuration: Int = 3600,
        inlinePolicies: [NamedPolicyText] = [],
        attachedPolicyArns: [String] = [],
        tags: [IAMTag] = [],
        fromTemplate: Bool = false
    ) {
        self.name = name
        self.path = path
        self.roleId = roleId
        self.arn = arn
        self.createDate = createDate
        self.assumeRolePolicyDocument = assumeRolePolicyDocument
        self.description = description
        self.maxSessionDuration = maxSessionDuration
        self.inlinePolicies = inlinePolicies
        self.attachedPolicyArns = attachedPolicyArns
        self.tags = tags
        self.fromTemplate = fromTemplate
    }
}

/// An IAM user (`CreateUser`).
package struct IAMUserRecord: Codable, Sendable, Equatable {
    /// The user name.
    package var name: String
    /// The path.
    package var path: String
    /// The user id (`AIDA...`).
    package var userId: String
    /// The ARN.
    package var arn: String
    /// When it was created.
    package var createDate: Date
    /// Inline policies.
    package var inlinePolicies: [NamedPolicyText]
    /// Attached managed policy ARNs.
    package var attachedPolicyArns: [String]
    /// Tags.
    package var tags: [IAMTag]

    /// Creates a user record.
    package init(
        name: String,
        path: String,
        userId: String,
        arn: String,
        createDate: Date,
        inlinePolicies: [NamedPolicyText] = [],
        attachedPolicyArns: [String] = [],
        tags: [IAMTag] = []
    ) {
        self.name = name
        self.path = path
        self.userId = userId
        self.arn = arn
        self.createDate = createDate
        self.inlinePolicies = inlinePolicies
        self.attachedPolicyArns = attachedPolicyArns
        self.tags = tags
    }
}

/// One version of a customer managed policy.
package struct IAMPolicyVersionRecord: Codable, Sendable, Equatable {
    /// `v1`, `v2`...
    package var versionId: String
    /// The document JSON text.
    package var document: String
    /// When the version was created.
    package var createDate: Date

    /// Creates a version.
    package init(versionId: String, document: String, createDate: Date) {
        self.versionId = versionId
        self.document = document
        self.createDate = createDate
    }
}

/// A customer managed policy (`CreatePolicy`, or `AWS::IAM::ManagedPolicy` in the template).
package struct IAMManagedPolicyRecord: Codable, Sendable, Equatable {
    /// The policy name.
    package var name: String
    /// The path.
    package var path: String
    /// The policy id (`ANPA...`).
    package var policyId: String
    /// The ARN.
    package var arn: String
    /// The description.
    package var description: String?
    /// When it was created.
    package var createDate: Date
    /// When its default version last changed.
    package var updateDate: Date
    /// Its versions, oldest first (at most five).
    package var versions: [IAMPolicyVersionRecord]
    /// The default version's id.
    package var defaultVersionId: String
    /// The number the next version gets.
    package var nextVersion: Int
    /// Whether the start-up template declares it.
    package var fromTemplate: Bool
    /// Tags (`CreatePolicy` `Tags`, `TagPolicy`); absent in states stored before policies had tags.
    package var tags: [IAMTag]?

    /// Creates a managed policy record with one version, `v1`, as its default.
    package init(
        name: String,
        path: String,
        policyId: String,
        arn: String,
        description: String?,
        document: String,
        createDate: Date,
        fromTemplate: Bool = false
    ) {
        self.name = name
        self.path = path
        self.policyId = policyId
        self.arn = arn
        self.description = description
        self.createDate = createDate
        self.updateDate = createDate
        self.versions = [IAMPolicyVersionRecord(versionId: "v1", document: document, createDate: createDate)]
        self.defaultVersionId = "v1"
        self.nextVersion = 2
        self.fromTemplate = fromTemplate
    }

    /// The default version's document.
    package var defaultDocument: String? { versions.first { $0.versionId == defaultVersionId }?.document }
}

/// A long-term access key of an IAM user (`CreateAccessKey`).
package struct IAMAccessKeyRecord: Codable, Sendable, Equatable {
    /// The access key id (`AKIA...`).
    package var accessKeyId: String
    /// The secret access key.
    package var secretAccessKey: String
    /// The user it belongs to.
    package var userName: String
    /// `Active` or `Inactive`.
    package var status: String
    /// When it was created.
    package var createDate: Date

    /// Creates a key record.
    package init(accessKeyId: String, secretAccessKey: String, userName: String, status: String, createDate: Date) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.userName = userName
        self.status = status
        self.createDate = createDate
    }
}

/// Everything the IAM API manages, as one value: roles, users, customer managed policies and access keys.
///
/// ``IAMDirectory`` holds it behind a lock and persists it whole after every change.
package struct IAMState: Codable, Sendable, Equatable {
    /// Roles by name.
    package var roles: [String: IAMRoleRecord] = [:]
    /// Users by name.
    package var users: [String: IAMUserRecord] = [:]
    /// Customer managed policies by ARN.
    package var policies: [String: IAMManagedPolicyRecord] = [:]
    /// Access keys by id.
    package var accessKeys: [String: IAMAccessKeyRecord] = [:]
    /// Access keys deleted since the data folder was created: they stay refused instead of falling back to the
    /// unverified-administrator rule for unknown keys.
    package var deletedAccessKeys: [String] = []
    /// Groups by name (absent in states stored before groups existed).
    package var storedGroups: [String: IAMGroupRecord]?

    /// Groups by name.
    package var groups: [String: IAMGroupRecord] {
        get { storedGroups ?? [:] }
        set { storedGroups = newValue.isEmpty ? nil : newValue }
    }

    /// An empty state.
    package init() {}

    /// The groups a user belongs to, by name.
    /// - Parameter userName: The user name.
    /// - Returns: The groups, sorted by name.
    package func groups(ofUser userName: String) -> [IAMGroupRecord] {
        groups.values.filter { $0.members.contains(userName) }.sorted { $0.name < $1.name }
    }
}

/// An IAM group (`CreateGroup`): its members inherit its inline and attached policies.
package struct IAMGroupRecord: Codable, Sendable, Equatable {
    /// The group name.
    package var name: String
    /// The path.
    package var path: String
    /// The group id (`AGPA...`).
    package var groupId: String
    /// The ARN.
    package var arn: String
    /// When it was created.
    package var createDate: Date
    /// Inline policies.
    package var inlinePolicies: [NamedPolicyText] = []
    /// Attached managed policy ARNs.
    package var attachedPolicyArns: [String] = []
    /// Member user names, in the order they were added.
    package var members: [String] = []

    /// Creates a group record.
    package init(name: String, path: String, groupId: String, arn: String, createDate: Date) {
        self.name = name
        self.path = path
        self.groupId = groupId
        self.arn = arn
        self.createDate = createDate
    }
}
