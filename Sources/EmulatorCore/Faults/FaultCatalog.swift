/// The AWS errors a fault can name by code alone, with the status, message and wire details each service sends
/// (botocore's retry handlers key on the status and the code, so these are what make an SDK retry or give up as it
/// would against AWS).
package enum FaultCatalog {
    /// DynamoDB's namespace for its own errors.
    private static let dynamoDB = "com.amazonaws.dynamodb.v20120810#"

    /// The errors known by code, per service signing name.
    package static let errors: [String: [String: InjectedError]] = [
        "dynamodb": [
            "ProvisionedThroughputExceededException": InjectedError(
                code: "ProvisionedThroughputExceededException",
                message:
                    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
                httpStatus: 400,
                jsonType: dynamoDB + "ProvisionedThroughputExceededException"
            ),
            "ThrottlingException": InjectedError(
                code: "ThrottlingException",
                message:
                    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
                httpStatus: 400,
                jsonType: "com.amazon.coral.availability#ThrottlingException"
            ),
            "RequestLimitExceeded": InjectedError(
                code: "RequestLimitExceeded",
                message:
                    "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase",
                httpStatus: 400,
                jsonType: dynamoDB + "RequestLimitExceeded"
            ),
            "TransactionConflictException": InjectedError(
                code: "TransactionConflictException",
                message: "Transaction is ongoing for the item",
                httpStatus: 400,
                jsonType: dynamoDB + "TransactionConflictException"
            ),
            "InternalServerError": InjectedError(
                code: "InternalServerError",
                message: "Internal server error",
                httpStatus: 500,
                jsonType: dynamoDB + "InternalServerError"
            ),
        ],
        "s3": [
            "SlowDown": InjectedError(code: "SlowDown", message: "Please reduce your request rate.", httpStatus: 503),
            "InternalError": InjectedError(code: "InternalError", message: "We encountered an internal error. Please try again.", httpStatus: 500),
            "ServiceUnavailable": InjectedError(code: "ServiceUnavailable", message: "Please reduce your request rate.", httpStatus: 503),
        ],
        "lambda": [
            "TooManyRequestsException": InjectedError(
                code: "TooManyRequestsException",
                message: "Rate Exceeded.",
                httpStatus: 429,
                extraFields: [("Reason", "ConcurrentInvocationLimitExceeded"), ("Type", "User")]
            ),
            "ServiceException": InjectedError(
                code: "ServiceException",
                message: "An error occurred and the request cannot be processed.",
                httpStatus: 500,
                extraFields: [("Type", "Service")]
            ),
        ],
        "execute-api": [
            "GoneException": InjectedError(code: "GoneException", message: "", httpStatus: 410, emptyBody: true),
            "LimitExceededException": InjectedError(code: "LimitExceededException", message: "Rate exceeded", httpStatus: 429),
        ],
    ]

    /// The default init failure: the handler module cannot be imported, as Python runtimes report it.
    package static let defaultInitFailure = InjectedInitError(
        errorType: "Runtime.ImportModuleError",
        errorMessage: "Unable to import module 'app': injected init failure (synapscribe-local fault)"
    )

    /// Service names callers may use for a signing name (boto3 client names, the `@connections` spelling).
    package static let serviceAliases: [String: String] = [
        "apigatewaymanagementapi": "execute-api",
        "@connections": "execute-api",
        "connections": "execute-api",
        "dynamo": "dynamodb",
        "cognito": "cognito-identity",
    ]
}
