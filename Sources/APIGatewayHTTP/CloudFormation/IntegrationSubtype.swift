/// The AWS service actions an HTTP API's `AWS_PROXY` integration can call through `IntegrationSubtype`, with their
/// request parameters ("Integration subtype reference",
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html).
///
/// None of these services (EventBridge, SQS, AppConfig, Kinesis, Step Functions) is emulated: the control plane and
/// templates accept such integrations as AWS does, `validate` and start-up name them, and a request to such a route
/// answers what AWS answers when the integration fails, 500 `{"message":"Internal Server Error"}`, with the reason in
/// the log.
package enum IntegrationSubtype {
    /// The parameters of one subtype.
    package struct Parameters: Sendable {
        /// The parameters an integration must map.
        package var required: [String]
        /// The parameters it may map.
        package var optional: [String]
    }

    /// The subtypes, by name (version 1.0 of each).
    package static let all: [String: Parameters] = [
        "EventBridge-PutEvents": Parameters(
            required: ["Detail", "DetailType", "Source"],
            optional: ["Time", "EventBusName", "Resources", "Region", "TraceHeader"]
        ),
        "SQS-SendMessage": Parameters(
            required: ["QueueUrl", "MessageBody"],
            optional: ["DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId", "MessageSystemAttributes", "Region"]
        ),
        "SQS-ReceiveMessage": Parameters(
            required: ["QueueUrl"],
            optional: [
                "AttributeNames", "MaxNumberOfMessages", "MessageAttributeNames", "ReceiveRequestAttemptId", "VisibilityTimeout",
                "WaitTimeSeconds", "Region",
            ]
        ),
        "SQS-DeleteMessage": Parameters(required: ["ReceiptHandle", "QueueUrl"], optional: ["Region"]),
        "SQS-PurgeQueue": Parameters(required: ["QueueUrl"], optional: ["Region"]),
        "AppConfig-GetConfiguration": Parameters(
            required: ["Application", "Environment", "Configuration", "ClientId"],
            optional: ["ClientConfigurationVersion", "Region"]
        ),
        "Kinesis-PutRecord": Parameters(
            required: ["StreamName", "Data", "PartitionKey"],
            optional: ["SequenceNumberForOrdering", "ExplicitHashKey", "Region"]
        ),
        "StepFunctions-StartExecution": Parameters(required: ["StateMachineArn"], optional: ["Name", "Input", "Region"]),
        "StepFunctions-StartSyncExecution": Parameters(required: ["StateMachineArn"], optional: ["Name", "Input", "Region", "TraceHeader"]),
        "StepFunctions-StopExecution": Parameters(required: ["ExecutionArn"], optional: ["Cause", "Error", "Region"]),
    ]

    /// Why an integration with a subtype cannot be created, or nil when it can: the subtype must be one of ``all``,
    /// the type `AWS_PROXY`, the payload format `1.0`, and every required parameter mapped, and no parameter the
    /// subtype does not take.
    /// - Parameters:
    ///   - subtype: `IntegrationSubtype`.
    ///   - type: `IntegrationType`.
    ///   - payloadFormatVersion: `PayloadFormatVersion`, if given.
    ///   - parameterNames: The keys of `RequestParameters`.
    /// - Returns: The refusal's message.
    package static func problem(subtype: String, type: String, payloadFormatVersion: String?, parameterNames: [String]) -> String? {
        guard let parameters = all[subtype] else {
            return "Invalid integration subtype specified: \(subtype). Must be one of \(all.keys.sorted())"
        }
        guard type == "AWS_PROXY" else { return "IntegrationSubtype is supported only for integrations of type AWS_PROXY" }
        if let payloadFormatVersion, payloadFormatVersion != "1.0" {
            return "Invalid payload format version specified: \(payloadFormatVersion). \(subtype) supports only 1.0"
        }
        let missing = parameters.required.filter { !parameterNames.contains($0) }
        if !missing.isEmpty { return "Missing required parameters for \(subtype): \(missing)" }
        let known = Set(parameters.required + parameters.optional)
        let unknown = parameterNames.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { return "Invalid request parameters for \(subtype): \(unknown)" }
        return nil
    }
}
