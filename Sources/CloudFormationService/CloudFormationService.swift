import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A read-only CloudFormation API describing the one stack the emulator deployed from `template.yaml`,
/// so scripts that read outputs after `sam deploy` run unmodified.
///
/// Operations: DescribeStacks, ListStacks, ListStackResources, DescribeStackResources,
/// DescribeStackResource, GetTemplate. Everything else answers AWS's `InvalidAction`.
package struct CloudFormationService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.cloudFormation
    private let describe: @Sendable () -> StackDescription

    /// Creates the service.
    /// - Parameter describe: Describes the deployed stack; called per request because local URLs in the outputs
    ///   are known only once the server has bound its port.
    package init(describe: @escaping @Sendable () -> StackDescription) {
        self.describe = describe
    }

    /// Names the typed operation from the query `Action`.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for an action this read-only CloudFormation does not serve.
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        request.operation.flatMap(CloudFormationOperation.init(rawValue:))
    }

    /// Answers one query-protocol request.
    /// - Parameter request: The request.
    /// - Returns: The XML response.
    /// - Throws: ``CloudFormationError`` or the gateway's unknown-operation error.
    package func handle(_ request: AWSRequest) async throws -> Response {
        guard let operation = request.serviceOperation as? CloudFormationOperation else {
            throw GatewayError.unknownOperation(request.operation, protocol: descriptor.wireProtocol)
        }
        let parameters = request.parameters
        let stack = describe()
        var result = XMLWriter(declaration: false)
        switch operation {
        case .describeStacks:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
            if let name = parameters["StackName"] { try requireStack(name, in: stack) }
            result.element("Stacks") { xml in xml.element("member") { writeStack(&$0, stack) } }
        case .listStacks:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStacks.html
            result.element("StackSummaries") { xml in
                xml.element("member") { xml in
                    xml.element("StackId", stack.stackId)
                    xml.element("StackName", stack.name)
                    xml.optionalElement("TemplateDescription", stack.description)
                    xml.element("CreationTime", Timestamp.iso8601Milliseconds(stack.creationTime))
                    xml.element("StackStatus", "CREATE_COMPLETE")
                    xml.element("DriftInformation") { $0.element("StackDriftStatus", "NOT_CHECKED") }
                }
            }
        case .listStackResources:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html
            try requireStack(parameters["StackName"] ?? "", in: stack)
            result.element("StackResourceSummaries") { xml in
                for resource in stack.resources {
                    xml.element("member") { xml in
                        xml.element("LogicalResourceId", resource.logicalId)
                        xml.element("PhysicalResourceId", resource.physicalId)
                        xml.element("ResourceType", resource.type)
                        xml.element("LastUpdatedTimestamp", Timestamp.iso8601Milliseconds(stack.creationTime))
                        xml.element("ResourceStatus", "CREATE_COMPLETE")
                        xml.element("DriftInformation") { $0.element("StackResourceDriftStatus", "NOT_CHECKED") }
                    }
                }
            }
        case .describeStackResources:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
            let selected = try selectResources(parameters, in: stack)
            result.element("StackResources") { xml in
                for resource in selected {
                    xml.element("member") { xml in writeResource(&xml, resource, stack, timestampElement: "Timestamp") }
                }
            }
        case .describeStackResource:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResource.html
            let name = parameters["StackName"] ?? ""
            try requireStack(name, in: stack)
            let logicalId = parameters["LogicalResourceId"] ?? ""
            guard let resource = stack.resources.first(where: { $0.logicalId == logicalId }) else {
                throw CloudFormationError.resourceNotFound(logicalId: logicalId, stack: name)
            }
            result.element("StackResourceDetail") { xml in
                writeResource(&xml, resource, stack, timestampElement: "LastUpdatedTimestamp")
            }
        case .getTemplate:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html
            if let name = parameters["StackName"] { try requireStack(name, in: stack) }
            result.element("TemplateBody", stack.templateBody)
            result.element("StagesAvailable") { xml in
                xml.element("member", "Original")
                xml.element("member", "Processed")
            }
        }
        return Self.queryResponse(operation: operation.name, result: result.result, requestId: request.requestId)
    }

    /// Reports the one stack.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let stack = describe()
        return ServiceHealth(state: "running", resources: ["stacks": 1, "stackResources": stack.resources.count])
    }

    private func requireStack(_ name: String, in stack: StackDescription) throws(CloudFormationError) {
        guard name == stack.name || name == stack.stackId else { throw .stackNotFound(name) }
    }

    private func selectResources(
        _ parameters: [String: String],
        in stack: StackDescription
    ) throws(CloudFormationError) -> [StackDescription.Resource] {
        if let physicalId = parameters["PhysicalResourceId"] {
            let found = stack.resources.filter { $0.physicalId == physicalId }
            guard !found.isEmpty else { throw .physicalResourceNotFound(physicalId) }
            return found
        }
        guard let name = parameters["StackName"] else { throw .missingStackOrPhysicalId }
        try requireStack(name, in: stack)
        if let logicalId = parameters["LogicalResourceId"] {
            return stack.resources.filter { $0.logicalId == logicalId }
        }
        return stack.resources
    }

    private func writeStack(_ xml: inout XMLWriter, _ stack: StackDescription) {
        xml.element("StackId", stack.stackId)
        xml.element("StackName", stack.name)
        xml.optionalElement("Description", stack.description)
        xml.element("Parameters") { xml in
            for parameter in stack.parameters {
                xml.element("member") { xml in
                    xml.element("ParameterKey", parameter.key)
                    xml.element("ParameterValue", parameter.value)
                }
            }
        }
        xml.element("CreationTime", Timestamp.iso8601Milliseconds(stack.creationTime))
        xml.element("RollbackConfiguration") { _ in }
        xml.element("StackStatus", "CREATE_COMPLETE")
        xml.element("DisableRollback", "false")
        xml.element("NotificationARNs") { _ in }
        xml.element("Capabilities") { xml in
            for capability in stack.capabilities { xml.element("member", capability) }
        }
        xml.element("Outputs") { xml in
            for output in stack.outputs {
                xml.element("member") { xml in
                    xml.element("OutputKey", output.key)
                    xml.element("OutputValue", output.value)
                    xml.optionalElement("Description", output.description)
                    xml.optionalElement("ExportName", output.exportName)
                }
            }
        }
        xml.element("Tags") { _ in }
        xml.element("EnableTerminationProtection", "false")
        xml.element("DriftInformation") { $0.element("StackDriftStatus", "NOT_CHECKED") }
    }

    private func writeResource(
        _ xml: inout XMLWriter,
        _ resource: StackDescription.Resource,
        _ stack: StackDescription,
        timestampElement: String
    ) {
        xml.element("StackName", stack.name)
        xml.element("StackId", stack.stackId)
        xml.element("LogicalResourceId", resource.logicalId)
        xml.element("PhysicalResourceId", resource.physicalId)
        xml.element("ResourceType", resource.type)
        xml.element(timestampElement, Timestamp.iso8601Milliseconds(stack.creationTime))
        xml.element("ResourceStatus", "CREATE_COMPLETE")
        xml.element("DriftInformation") { $0.element("StackResourceDriftStatus", "NOT_CHECKED") }
    }

    private static func queryResponse(operation: String, result: String, requestId: String) -> Response {
        var xml = XMLWriter(declaration: false)
        xml.element("\(operation)Response", attributes: [("xmlns", "http://cloudformation.amazonaws.com/doc/2010-05-15/")]) { xml in
            xml.element("\(operation)Result") { xml in xml.raw(result) }
            xml.element("ResponseMetadata") { $0.element("RequestId", requestId) }
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml.result)))
    }
}

/// CloudFormation's errors, worded as AWS words them.
package enum CloudFormationError: AWSServiceError {
    /// No stack with that name or id.
    case stackNotFound(String)
    /// No resource with that logical id in the stack.
    case resourceNotFound(logicalId: String, stack: String)
    /// No resource with that physical id.
    case physicalResourceNotFound(String)
    /// DescribeStackResources needs one of the two.
    case missingStackOrPhysicalId

    /// Always `ValidationError`, as CloudFormation reports these.
    package var code: String { "ValidationError" }
    /// 400 for every case.
    package var httpStatus: Int { 400 }
    /// The AWS message.
    package var message: String {
        switch self {
        case .stackNotFound(let name): "Stack with id \(name) does not exist"
        case .resourceNotFound(let logicalId, let stack): "Resource \(logicalId) does not exist for stack \(stack)"
        case .physicalResourceNotFound(let id): "Stack for \(id) does not exist"
        case .missingStackOrPhysicalId: "Either StackName or PhysicalResourceId must be specified."
        }
    }
}
