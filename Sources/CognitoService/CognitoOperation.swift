import AWSGateway

/// The Cognito Identity operations this emulator serves, named by their `X-Amz-Target` suffix
/// (`AWSCognitoIdentityService.<Operation>`).
/// See https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_Operations.html
package enum CognitoOperation: String, ServiceOperation, CaseIterable {
    /// `GetId` (unsigned).
    case getId = "GetId"
    /// `GetCredentialsForIdentity` (unsigned).
    case getCredentialsForIdentity = "GetCredentialsForIdentity"
    /// `GetOpenIdToken` (unsigned).
    case getOpenIdToken = "GetOpenIdToken"
    /// `DescribeIdentityPool`.
    case describeIdentityPool = "DescribeIdentityPool"
    /// `ListIdentityPools`.
    case listIdentityPools = "ListIdentityPools"
    /// `CreateIdentityPool`.
    case createIdentityPool = "CreateIdentityPool"
    /// `SetIdentityPoolRoles`.
    case setIdentityPoolRoles = "SetIdentityPoolRoles"
    /// `GetIdentityPoolRoles`.
    case getIdentityPoolRoles = "GetIdentityPoolRoles"
    /// `DescribeIdentity`.
    case describeIdentity = "DescribeIdentity"
    /// `ListIdentities`.
    case listIdentities = "ListIdentities"
    /// `DeleteIdentityPool`.
    case deleteIdentityPool = "DeleteIdentityPool"
    /// `UpdateIdentityPool`.
    case updateIdentityPool = "UpdateIdentityPool"
    /// `DeleteIdentities`.
    case deleteIdentities = "DeleteIdentities"
    /// `GetOpenIdTokenForDeveloperIdentity`.
    case getOpenIdTokenForDeveloperIdentity = "GetOpenIdTokenForDeveloperIdentity"
    /// `LookupDeveloperIdentity`.
    case lookupDeveloperIdentity = "LookupDeveloperIdentity"
    /// `MergeDeveloperIdentities`.
    case mergeDeveloperIdentities = "MergeDeveloperIdentities"
    /// `UnlinkIdentity`.
    case unlinkIdentity = "UnlinkIdentity"

    /// The IAM action, `cognito-identity:<Operation>`.
    package var iamAction: String { "cognito-identity:" + rawValue }
}
