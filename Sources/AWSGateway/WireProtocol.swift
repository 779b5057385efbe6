/// The wire protocols AWS services speak (the `protocol` of a service's Smithy model).
package enum WireProtocol: Sendable, Equatable {
    /// JSON 1.0 with `X-Amz-Target` (DynamoDB).
    case awsJson1_0(targetPrefix: String)
    /// JSON 1.1 with `X-Amz-Target` (Cognito Identity).
    case awsJson1_1(targetPrefix: String)
    /// REST with JSON bodies (Lambda, the API Gateway management API).
    case restJson1
    /// REST with XML bodies (S3).
    case restXml
    /// Form-encoded query requests with XML responses (STS, IAM, CloudFormation).
    case awsQuery(xmlNamespace: String)

    /// The `Content-Type` of JSON bodies for the JSON protocols.
    package var jsonContentType: String {
        switch self {
        case .awsJson1_0: "application/x-amz-json-1.0"
        case .awsJson1_1: "application/x-amz-json-1.1"
        default: "application/json"
        }
    }
}
