import AWSGateway

/// The STS operations this emulator serves, named by the query `Action`.
/// See https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html
package enum STSOperation: String, ServiceOperation, CaseIterable {
    /// `GetCallerIdentity`.
    case getCallerIdentity = "GetCallerIdentity"
    /// `AssumeRole`.
    case assumeRole = "AssumeRole"
    /// `AssumeRoleWithWebIdentity`.
    case assumeRoleWithWebIdentity = "AssumeRoleWithWebIdentity"
    /// `GetSessionToken`.
    case getSessionToken = "GetSessionToken"
    /// `GetFederationToken`.
    case getFederationToken = "GetFederationToken"
    /// `GetAccessKeyInfo`.
    case getAccessKeyInfo = "GetAccessKeyInfo"

    /// The IAM action, `sts:<Action>`.
    package var iamAction: String { "sts:" + rawValue }
}
