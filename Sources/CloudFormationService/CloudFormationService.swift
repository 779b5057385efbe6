import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// CloudFormation: the stacks of the emulator (see ``StackEngine``) — the start-up template's stack, adopted at start,
/// and stacks deployed at runtime — served through `DescribeStacks`, `CreateStack`, `UpdateStack`, `DeleteStack`,
/// change sets and the rest, so `aws cloudformation deploy` and scripts that read outputs run unmodified.
///
/// Everything else answers AWS's `InvalidAction`.
package struct CloudFormationService: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.cloudFormation
    let engine: StackEngine
    let localOutputs: @Sendable (String) -> String
    let readObject: @Sendable (_ bucket: String, _ key: String) async -> String?

    /// Creates the service.
    /// - Parameters:
    ///   - engine: The stacks.
    ///   - localOutputs: Rewrites an output value of the start-up stack (AWS URLs become local URLs); called per
    ///     request because local URLs are known only once the server has bound its port.
    ///   - readObject: Reads an object of the emulated S3, for a `TemplateURL` (never the network).
    package init(
        engine: StackEngine,
        localOutputs: @escaping @Sendable (String) -> String = { $0 },
        readObject: @escaping @Sendable (_ bucket: String, _ key: String) async -> String? = { _, _ in nil }
    ) {
        self.engine = engine
        self.localOutputs = localOutputs
        self.readObject = readObject
    }

    /// Names the typed operation from the query `Action`.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil for an action this CloudFormation does not serve.
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
        let result = try await answer(operation, request.parameters)
        return Self.queryResponse(operation: operation.name, result: result, requestId: request.requestId)
    }

    /// Reports the live stacks.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let live = await engine.all.filter { !$0.isDeleted }
        return ServiceHealth(
            state: "running",
            resources: ["stacks": live.count, "stackResources": live.map { $0.resources.filter(\.exists).count }.reduce(0, +)]
        )
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
