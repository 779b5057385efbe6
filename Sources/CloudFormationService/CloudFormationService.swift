import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// CloudFormation: the stack the emulator deployed from `template.yaml` (read-only, described with local URLs), and
/// stacks deployed at runtime through `CreateStack`, `UpdateStack`, `DeleteStack` and change sets (see
/// ``StackEngine``), so `aws cloudformation deploy` and scripts that read outputs run unmodified.
///
/// Everything else answers AWS's `InvalidAction`.
package struct CloudFormationService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.cloudFormation
    let describe: @Sendable () -> StackDescription
    let engine: StackEngine?
    let readObject: @Sendable (_ bucket: String, _ key: String) async -> String?

    /// Creates the service.
    /// - Parameters:
    ///   - describe: Describes the start-up stack; called per request because local URLs in the outputs are known
    ///     only once the server has bound its port.
    ///   - engine: The runtime stacks; nil serves the start-up stack only (deploy operations answer `InvalidAction`).
    ///   - readObject: Reads an object of the emulated S3, for a `TemplateURL` (never the network).
    package init(
        describe: @escaping @Sendable () -> StackDescription,
        engine: StackEngine? = nil,
        readObject: @escaping @Sendable (_ bucket: String, _ key: String) async -> String? = { _, _ in nil }
    ) {
        self.describe = describe
        self.engine = engine
        self.readObject = readObject
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
        if let engine {
            let startupNamed = parameters["StackName"].map { $0 == stack.name || $0 == stack.stackId } ?? false
            if let deployed = try await handleDeployed(operation, parameters, engine: engine, startup: stack, startupNamed: startupNamed) {
                return Self.queryResponse(operation: operation.name, result: deployed, requestId: request.requestId)
            }
        } else if !CloudFormationOperation.readOnly.contains(operation) {
            throw GatewayError.unknownOperation(request.operation, protocol: descriptor.wireProtocol)
        }
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
        default:
            throw GatewayError.unknownOperation(request.operation, protocol: descriptor.wireProtocol)
        }
        return Self.queryResponse(operation: operation.name, result: result.result, requestId: request.requestId)
    }

    /// Reports the stacks (the start-up stack and live deployed ones).
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let stack = describe()
        let deployed = await engine?.all.filter { !$0.isDeleted } ?? []
        return ServiceHealth(
            state: "running",
            resources: ["stacks": 1 + deployed.count, "stackResources": stack.resources.count + deployed.map(\.resources.count).reduce(0, +)]
        )
    }

    func requireStack(_ name: String, in stack: StackDescription) throws(CloudFormationError) {
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

    func writeStack(_ xml: inout XMLWriter, _ stack: StackDescription) {
        let record = StackRecord(
            name: stack.name,
            stackId: stack.stackId,
            description: stack.description,
            templateBody: stack.templateBody,
            parameters: stack.parameters.map { ParameterRecord(key: $0.key, value: $0.value, noEcho: false) },
            capabilities: stack.capabilities,
            tags: [],
            status: "CREATE_COMPLETE",
            statusReason: nil,
            creationTime: stack.creationTime,
            lastUpdatedTime: nil,
            deletionTime: nil,
            resources: [],
            outputs: stack.outputs.map { OutputRecord(key: $0.key, value: $0.value, description: $0.description, exportName: $0.exportName) },
            imports: [],
            events: [],
            changeSets: []
        )
        Self.writeDeployed(&xml, record)
    }

    func writeResource(
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

    static func queryResponse(operation: String, result: String, requestId: String) -> Response {
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
    /// Any other `ValidationError`, with AWS's message.
    case validation(String)
    /// `AlreadyExistsException`.
    case alreadyExists(String)
    /// `InsufficientCapabilitiesException` naming the capability needed.
    case insufficientCapabilities(String)
    /// `ChangeSetNotFound` (404).
    case changeSetNotFound(String)
    /// `InvalidChangeSetStatus`.
    case invalidChangeSetStatus(String)

    /// The AWS error code.
    package var code: String {
        switch self {
        case .alreadyExists: "AlreadyExistsException"
        case .insufficientCapabilities: "InsufficientCapabilitiesException"
        case .changeSetNotFound: "ChangeSetNotFound"
        case .invalidChangeSetStatus: "InvalidChangeSetStatus"
        default: "ValidationError"
        }
    }
    /// 404 for a missing change set, 400 otherwise.
    package var httpStatus: Int {
        if case .changeSetNotFound = self { return 404 }
        return 400
    }
    /// The AWS message.
    package var message: String {
        switch self {
        case .validation(let message), .alreadyExists(let message), .invalidChangeSetStatus(let message): message
        case .insufficientCapabilities(let capability): "Requires capabilities : [\(capability)]"
        case .changeSetNotFound(let name): "ChangeSet [\(name)] does not exist"
        case .stackNotFound(let name): "Stack with id \(name) does not exist"
        case .resourceNotFound(let logicalId, let stack): "Resource \(logicalId) does not exist for stack \(stack)"
        case .physicalResourceNotFound(let id): "Stack for \(id) does not exist"
        case .missingStackOrPhysicalId: "Either StackName or PhysicalResourceId must be specified."
        }
    }
}
