import AWSGateway

/// The Cognito user pool (`cognito-idp`) operations this emulator serves, named by their `X-Amz-Target` suffix
/// (`AWSCognitoIdentityProviderService.<Operation>`).
/// See https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_Operations.html
package enum UserPoolsOperation: String, ServiceOperation, CaseIterable {
    /// `CreateUserPool`.
    case createUserPool = "CreateUserPool"
    /// `DescribeUserPool`.
    case describeUserPool = "DescribeUserPool"
    /// `ListUserPools`.
    case listUserPools = "ListUserPools"
    /// `DeleteUserPool`.
    case deleteUserPool = "DeleteUserPool"
    /// `CreateUserPoolClient`.
    case createUserPoolClient = "CreateUserPoolClient"
    /// `DescribeUserPoolClient`.
    case describeUserPoolClient = "DescribeUserPoolClient"
    /// `ListUserPoolClients`.
    case listUserPoolClients = "ListUserPoolClients"
    /// `DeleteUserPoolClient`.
    case deleteUserPoolClient = "DeleteUserPoolClient"
    /// `AdminCreateUser`.
    case adminCreateUser = "AdminCreateUser"
    /// `AdminSetUserPassword`.
    case adminSetUserPassword = "AdminSetUserPassword"
    /// `AdminGetUser`.
    case adminGetUser = "AdminGetUser"
    /// `AdminDeleteUser`.
    case adminDeleteUser = "AdminDeleteUser"
    /// `ListUsers`.
    case listUsers = "ListUsers"
    /// `AdminConfirmSignUp`.
    case adminConfirmSignUp = "AdminConfirmSignUp"
    /// `AdminInitiateAuth`.
    case adminInitiateAuth = "AdminInitiateAuth"
    /// `SignUp` (unsigned).
    case signUp = "SignUp"
    /// `ConfirmSignUp` (unsigned).
    case confirmSignUp = "ConfirmSignUp"
    /// `InitiateAuth` (unsigned).
    case initiateAuth = "InitiateAuth"
    /// `RespondToAuthChallenge` (unsigned).
    case respondToAuthChallenge = "RespondToAuthChallenge"
    /// `GetUser` (unsigned: the access token authorizes it).
    case getUser = "GetUser"
    /// `CreateGroup`.
    case createGroup = "CreateGroup"
    /// `GetGroup`.
    case getGroup = "GetGroup"
    /// `ListGroups`.
    case listGroups = "ListGroups"
    /// `UpdateGroup`.
    case updateGroup = "UpdateGroup"
    /// `DeleteGroup`.
    case deleteGroup = "DeleteGroup"
    /// `AdminAddUserToGroup`.
    case adminAddUserToGroup = "AdminAddUserToGroup"
    /// `AdminRemoveUserFromGroup`.
    case adminRemoveUserFromGroup = "AdminRemoveUserFromGroup"
    /// `AdminListGroupsForUser`.
    case adminListGroupsForUser = "AdminListGroupsForUser"
    /// `ListUsersInGroup`.
    case listUsersInGroup = "ListUsersInGroup"
    /// `CreateUserPoolDomain`.
    case createUserPoolDomain = "CreateUserPoolDomain"
    /// `DescribeUserPoolDomain`.
    case describeUserPoolDomain = "DescribeUserPoolDomain"
    /// `UpdateUserPoolDomain`.
    case updateUserPoolDomain = "UpdateUserPoolDomain"
    /// `DeleteUserPoolDomain`.
    case deleteUserPoolDomain = "DeleteUserPoolDomain"

    /// The IAM action, `cognito-idp:<Operation>`.
    package var iamAction: String { "cognito-idp:" + rawValue }
}
