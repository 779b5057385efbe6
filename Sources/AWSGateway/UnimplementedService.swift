import EmulatorCore
import Hummingbird

/// A service whose operations are not emulated yet: every request gets the protocol's
/// unknown-operation error, so SDKs fail with a well-formed AWS error instead of a 404 page.
package struct UnimplementedService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor: ServiceDescriptor

    /// Creates the placeholder service.
    /// - Parameter descriptor: Routing facts of the real service.
    package init(descriptor: ServiceDescriptor) {
        self.descriptor = descriptor
    }

    /// Answers with the protocol's unknown-operation error.
    /// - Parameter request: The request.
    /// - Returns: Never returns normally.
    /// - Throws: ``GenericAWSError`` always.
    package func handle(_ request: AWSRequest) async throws -> Response {
        throw GatewayError.unknownOperation(request.operation, protocol: descriptor.wireProtocol)
    }

    /// Reports `not-implemented`.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth { ServiceHealth(state: "not-implemented") }
}

/// Routing facts of every AWS service the emulator serves.
package enum ServiceDescriptors {
    /// Amazon S3 (REST-XML, streamed bodies, anonymous requests judged by the service).
    package static let s3 = ServiceDescriptor(
        signingName: "s3",
        name: "s3",
        wireProtocol: .restXml,
        bodyMode: .stream,
        handlesAnonymous: true
    )
    /// Amazon DynamoDB (JSON 1.0).
    package static let dynamoDB = ServiceDescriptor(
        signingName: "dynamodb",
        name: "dynamodb",
        wireProtocol: .awsJson1_0(targetPrefix: "DynamoDB_20120810")
    )
    /// AWS Lambda (REST-JSON).
    package static let lambda = ServiceDescriptor(
        signingName: "lambda",
        name: "lambda",
        wireProtocol: .restJson1,
        bodyMode: .collect(maxBytes: 6 * 1024 * 1024 + 1024)
    )
    /// The API Gateway management API (`@connections`).
    package static let apiGatewayManagement = ServiceDescriptor(
        signingName: "execute-api",
        name: "apigateway",
        wireProtocol: .restJson1,
        bodyMode: .collect(maxBytes: 256 * 1024)
    )
    /// Amazon Cognito Identity (JSON 1.1; some operations are unsigned in AWS).
    package static let cognitoIdentity = ServiceDescriptor(
        signingName: "cognito-identity",
        name: "cognito-identity",
        wireProtocol: .awsJson1_1(targetPrefix: "AWSCognitoIdentityService"),
        unsignedOperations: ["GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity"]
    )
    /// AWS STS (query protocol).
    package static let sts = ServiceDescriptor(
        signingName: "sts",
        name: "sts",
        wireProtocol: .awsQuery(xmlNamespace: "https://sts.amazonaws.com/doc/2011-06-15/"),
        unsignedOperations: ["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"]
    )
    /// AWS IAM (query protocol).
    package static let iam = ServiceDescriptor(
        signingName: "iam",
        name: "iam",
        wireProtocol: .awsQuery(xmlNamespace: "https://iam.amazonaws.com/doc/2010-05-08/")
    )
    /// AWS CloudFormation (query protocol).
    package static let cloudFormation = ServiceDescriptor(
        signingName: "cloudformation",
        name: "cloudformation",
        wireProtocol: .awsQuery(xmlNamespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/")
    )
}
