import AWSGateway

/// The IAM operations this emulator serves, named by the query `Action`.
/// See https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
package enum IAMOperation: String, ServiceOperation, CaseIterable {
    /// `CreateRole`.
    case createRole = "CreateRole"
    /// `GetRole`.
    case getRole = "GetRole"
    /// `UpdateRole`.
    case updateRole = "UpdateRole"
    /// `DeleteRole`.
    case deleteRole = "DeleteRole"
    /// `ListRoles`.
    case listRoles = "ListRoles"
    /// `UpdateAssumeRolePolicy`.
    case updateAssumeRolePolicy = "UpdateAssumeRolePolicy"
    /// `PutRolePolicy`.
    case putRolePolicy = "PutRolePolicy"
    /// `GetRolePolicy`.
    case getRolePolicy = "GetRolePolicy"
    /// `DeleteRolePolicy`.
    case deleteRolePolicy = "DeleteRolePolicy"
    /// `ListRolePolicies`.
    case listRolePolicies = "ListRolePolicies"
    /// `PutUserPolicy`.
    case putUserPolicy = "PutUserPolicy"
    /// `GetUserPolicy`.
    case getUserPolicy = "GetUserPolicy"
    /// `DeleteUserPolicy`.
    case deleteUserPolicy = "DeleteUserPolicy"
    /// `ListUserPolicies`.
    case listUserPolicies = "ListUserPolicies"
    /// `CreatePolicy`.
    case createPolicy = "CreatePolicy"
    /// `GetPolicy`.
    case getPolicy = "GetPolicy"
    /// `DeletePolicy`.
    case deletePolicy = "DeletePolicy"
    /// `ListPolicies`.
    case listPolicies = "ListPolicies"
    /// `CreatePolicyVersion`.
    case createPolicyVersion = "CreatePolicyVersion"
    /// `GetPolicyVersion`.
    case getPolicyVersion = "GetPolicyVersion"
    /// `ListPolicyVersions`.
    case listPolicyVersions = "ListPolicyVersions"
    /// `DeletePolicyVersion`.
    case deletePolicyVersion = "DeletePolicyVersion"
    /// `SetDefaultPolicyVersion`.
    case setDefaultPolicyVersion = "SetDefaultPolicyVersion"
    /// `AttachRolePolicy`.
    case attachRolePolicy = "AttachRolePolicy"
    /// `DetachRolePolicy`.
    case detachRolePolicy = "DetachRolePolicy"
    /// `ListAttachedRolePolicies`.
    case listAttachedRolePolicies = "ListAttachedRolePolicies"
    /// `AttachUserPolicy`.
    case attachUserPolicy = "AttachUserPolicy"
    /// `DetachUserPolicy`.
    case detachUserPolicy = "DetachUserPolicy"
    /// `ListAttachedUserPolicies`.
    case listAttachedUserPolicies = "ListAttachedUserPolicies"
    /// `CreateUser`.
    case createUser = "CreateUser"
    /// `GetUser`.
    case getUser = "GetUser"
    /// `DeleteUser`.
    case deleteUser = "DeleteUser"
    /// `ListUsers`.
    case listUsers = "ListUsers"
    /// `CreateAccessKey`.
    case createAccessKey = "CreateAccessKey"
    /// `ListAccessKeys`.
    case listAccessKeys = "ListAccessKeys"
    /// `DeleteAccessKey`.
    case deleteAccessKey = "DeleteAccessKey"
    /// `UpdateAccessKey`.
    case updateAccessKey = "UpdateAccessKey"
    /// `SimulatePrincipalPolicy`.
    case simulatePrincipalPolicy = "SimulatePrincipalPolicy"
    /// `CreateGroup`.
    case createGroup = "CreateGroup"
    /// `GetGroup`.
    case getGroup = "GetGroup"
    /// `ListGroups`.
    case listGroups = "ListGroups"
    /// `DeleteGroup`.
    case deleteGroup = "DeleteGroup"
    /// `UpdateGroup`.
    case updateGroup = "UpdateGroup"
    /// `AddUserToGroup`.
    case addUserToGroup = "AddUserToGroup"
    /// `RemoveUserFromGroup`.
    case removeUserFromGroup = "RemoveUserFromGroup"
    /// `ListGroupsForUser`.
    case listGroupsForUser = "ListGroupsForUser"
    /// `PutGroupPolicy`.
    case putGroupPolicy = "PutGroupPolicy"
    /// `GetGroupPolicy`.
    case getGroupPolicy = "GetGroupPolicy"
    /// `DeleteGroupPolicy`.
    case deleteGroupPolicy = "DeleteGroupPolicy"
    /// `ListGroupPolicies`.
    case listGroupPolicies = "ListGroupPolicies"
    /// `AttachGroupPolicy`.
    case attachGroupPolicy = "AttachGroupPolicy"
    /// `DetachGroupPolicy`.
    case detachGroupPolicy = "DetachGroupPolicy"
    /// `ListAttachedGroupPolicies`.
    case listAttachedGroupPolicies = "ListAttachedGroupPolicies"
    /// `ListEntitiesForPolicy`.
    case listEntitiesForPolicy = "ListEntitiesForPolicy"
    /// `ListInstanceProfilesForRole`.
    case listInstanceProfilesForRole = "ListInstanceProfilesForRole"
    /// `TagRole`.
    case tagRole = "TagRole"
    /// `UntagRole`.
    case untagRole = "UntagRole"
    /// `ListRoleTags`.
    case listRoleTags = "ListRoleTags"
    /// `TagUser`.
    case tagUser = "TagUser"
    /// `UntagUser`.
    case untagUser = "UntagUser"
    /// `ListUserTags`.
    case listUserTags = "ListUserTags"
    /// `TagPolicy`.
    case tagPolicy = "TagPolicy"
    /// `UntagPolicy`.
    case untagPolicy = "UntagPolicy"
    /// `ListPolicyTags`.
    case listPolicyTags = "ListPolicyTags"

    /// The IAM action, `iam:<Action>`.
    package var iamAction: String { "iam:" + rawValue }
}
