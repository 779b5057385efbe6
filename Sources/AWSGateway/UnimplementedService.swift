import EmulatorCore
import HTTPTypes
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
    /// Amazon DynamoDB (JSON 1.0): requests up to 16 MB (the `BatchWriteItem` limit, the largest any operation
    /// takes).
    package static let dynamoDB = ServiceDescriptor(
        signingName: "dynamodb",
        name: "dynamodb",
        wireProtocol: .awsJson1_0(targetPrefix: "DynamoDB_20120810"),
        bodyMode: .collect(BodyLimit(maxBytes: 16 * 1024 * 1024)),
        checksumsResponses: true
    )
    /// AWS Lambda (REST-JSON): [Invoke](https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) takes
    /// 6 MB (6,291,456 bytes) synchronously and 1 MB (1,048,576 bytes) for `Event` invocations.
    package static let lambda = ServiceDescriptor(
        signingName: "lambda",
        name: "lambda",
        wireProtocol: .restJson1,
        bodyMode: .collect(BodyLimit(maxBytes: LambdaLimits.maxBytes, error: LambdaLimits.requestTooLarge))
    )
    /// The API Gateway management API (`@connections`): `PostToConnection` data up to 128 KB.
    package static let apiGatewayManagement = ServiceDescriptor(
        signingName: "execute-api",
        name: "apigateway",
        wireProtocol: .restJson1,
        bodyMode: .collect(BodyLimit(maxBytes: 128 * 1024, error: payloadTooLarge))
    )
    /// Amazon Cognito Identity (JSON 1.1; some operations are unsigned in AWS).
    package static let cognitoIdentity = ServiceDescriptor(
        signingName: "cognito-identity",
        name: "cognito-identity",
        wireProtocol: .awsJson1_1(targetPrefix: "AWSCognitoIdentityService"),
        unsignedOperations: ["GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity"]
    )
    /// Amazon Cognito user pools (JSON 1.1). The operations AWS serves without a signature (the model's `noAuth`
    /// ones: sign-up, sign-in and those authorized by an access token) pass unsigned; those the emulator does not
    /// serve then answer `UnknownOperationException` like any other.
    package static let cognitoUserPools = ServiceDescriptor(
        signingName: "cognito-idp",
        name: "cognito-idp",
        wireProtocol: .awsJson1_1(targetPrefix: "AWSCognitoIdentityProviderService"),
        unsignedOperations: [
            "AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration", "ConfirmDevice", "ConfirmForgotPassword",
            "ConfirmSignUp", "DeleteUser", "DeleteUserAttributes", "DeleteWebAuthnCredential", "ForgetDevice", "ForgotPassword",
            "GetDevice", "GetTokensFromRefreshToken", "GetUser", "GetUserAttributeVerificationCode", "GetUserAuthFactors",
            "GlobalSignOut", "InitiateAuth", "ListDevices", "ListWebAuthnCredentials", "ResendConfirmationCode",
            "RespondToAuthChallenge", "RevokeToken", "SetUserMFAPreference", "SetUserSettings", "SignUp",
            "StartWebAuthnRegistration", "UpdateAuthEventFeedback", "UpdateDeviceStatus", "UpdateUserAttributes",
            "VerifySoftwareToken", "VerifyUserAttribute",
        ]
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

extension ServiceDescriptors {
    /// API Gateway's answer to an oversized `PostToConnection` (the management API's own wording).
    @Sendable static func payloadTooLarge(_ head: HTTPRequest, _ size: Int, _ limit: Int) -> GenericAWSError {
        GenericAWSError(
            code: "PayloadTooLargeException",
            message: "Message size \(size) exceeds the maximum of \(limit) bytes",
            httpStatus: 413
        )
    }
}

/// Lambda's request size limits, decided from the request head before the body is read.
package enum LambdaLimits {
    /// Synchronous invocations (and every other operation): 6 MB.
    package static let synchronousBytes = 6_291_456
    /// `Event` (asynchronous) invocations: 1 MB.
    package static let asynchronousBytes = 1_048_576

    /// The limit for a request: 1 MB for `X-Amz-Invocation-Type: Event` invokes, else 6 MB.
    /// - Parameter head: The request head.
    /// - Returns: The limit in bytes.
    @Sendable package static func maxBytes(_ head: HTTPRequest) -> Int {
        let path = head.path ?? ""
        let isInvoke = path.hasPrefix("/2015-03-31/functions/") && Gateway.split(path).path.hasSuffix("/invocations")
        if isInvoke, head.headerFields[.amzInvocationType] == "Event" { return asynchronousBytes }
        return synchronousBytes
    }

    /// `RequestTooLargeException` (413), worded as Lambda words it.
    /// - Parameters:
    ///   - head: The request head.
    ///   - size: The body size.
    ///   - limit: The limit.
    /// - Returns: The error.
    @Sendable package static func requestTooLarge(_ head: HTTPRequest, _ size: Int, _ limit: Int) -> GenericAWSError {
        GenericAWSError(
            code: "RequestTooLargeException",
            message: "Request must be smaller than \(limit) bytes for the InvokeFunction operation",
            httpStatus: 413,
            extraFields: [("Type", "User")]
        )
    }
}

extension HTTPField.Name {
    /// `X-Amz-Invocation-Type` (Lambda Invoke).
    package static let amzInvocationType = constant("X-Amz-Invocation-Type")
}
