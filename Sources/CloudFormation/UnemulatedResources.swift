/// Names and attributes of resource types no service emulates, computed as AWS would so that templates
/// referencing them (`!GetAtt Queue.Arn`, `!Ref Topic`) still resolve. These resources are skipped.
package enum UnemulatedResources {
    /// The physical-name rules of the unemulated types whose name comes from a property.
    package static let nameRules: [String: PhysicalNameRule] = [
        "AWS::SQS::Queue": PhysicalNameRule(property: "QueueName", maxLength: 80),
        "AWS::SNS::Topic": PhysicalNameRule(property: "TopicName", maxLength: 256),
    ]

    /// The physical id and the attributes AWS would give a resource of a type no service emulates.
    /// - Parameter resource: The resource being named.
    /// - Returns: The identity (attributes only for queues and topics).
    package static func identity(of resource: ResourceNaming) -> ResourceIdentity {
        let configuration = resource.configuration
        let region = configuration.region
        let account = configuration.accountId
        let partition = configuration.partition
        switch resource.type {
        case "AWS::SQS::Queue":
            var queue = resource.physicalName
            if resource.properties["FifoQueue"]?.boolValue == true, !queue.hasSuffix(".fifo") {
                queue += ".fifo"
            }
            let url = "https://sqs.\(region).\(configuration.urlSuffix)/\(account)/\(queue)"
            return ResourceIdentity(
                physicalId: url,
                attributes: ["Arn": "arn:\(partition):sqs:\(region):\(account):\(queue)", "QueueName": queue, "QueueUrl": url]
            )
        case "AWS::SNS::Topic":
            let topic = resource.physicalName
            let arn = "arn:\(partition):sns:\(region):\(account):\(topic)"
            return ResourceIdentity(physicalId: arn, attributes: ["TopicArn": arn, "TopicName": topic])
        default:
            return resource.nameOnly
        }
    }
}
