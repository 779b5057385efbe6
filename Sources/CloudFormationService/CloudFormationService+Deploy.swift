import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation

extension CloudFormationService {
    /// Answers one operation on the stacks (the start-up stack is one of them).
    /// - Parameters:
    ///   - operation: The operation.
    ///   - parameters: The query parameters.
    /// - Returns: The `...Result` element's content.
    /// - Throws: ``CloudFormationError`` with AWS's code and message.
    func answer(_ operation: CloudFormationOperation, _ parameters: [String: String]) async throws -> String {
        var xml = XMLWriter(declaration: false)
        switch operation {
        case .describeStacks:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
            var deployed: [StackRecord]
            if let name = parameters["StackName"] {
                guard let stack = await engine.stack(name) else { throw CloudFormationError.stackNotFound(name) }
                deployed = [stack]
            } else {
                deployed = await engine.all.filter { !$0.isDeleted }
            }
            xml.element("Stacks") { xml in
                for stack in deployed { xml.element("member") { writeStack(&$0, stack) } }
            }
        case .listStacks:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStacks.html
            let filter = Set(Self.list(parameters, "StackStatusFilter.member"))
            let deployed = await engine.all.filter { filter.isEmpty || filter.contains($0.status) }
            xml.element("StackSummaries") { xml in
                for stack in deployed.reversed() {
                    xml.element("member") { xml in
                        xml.element("StackId", stack.stackId)
                        xml.element("StackName", stack.name)
                        xml.optionalElement("TemplateDescription", stack.description)
                        xml.element("CreationTime", Timestamp.iso8601Milliseconds(stack.creationTime))
                        xml.optionalElement("LastUpdatedTime", stack.lastUpdatedTime.map(Timestamp.iso8601Milliseconds))
                        xml.optionalElement("DeletionTime", stack.deletionTime.map(Timestamp.iso8601Milliseconds))
                        xml.element("StackStatus", stack.status)
                        xml.optionalElement("StackStatusReason", stack.statusReason)
                        xml.element("DriftInformation") { $0.element("StackDriftStatus", "NOT_CHECKED") }
                    }
                }
            }
        case .listStackResources:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html
            let stack = try await requireDeployed(parameters["StackName"] ?? "", includeDeleted: true)
            xml.element("StackResourceSummaries") { xml in
                for resource in stack.resources {
                    xml.element("member") { xml in
                        xml.element("LogicalResourceId", resource.logicalId)
                        if !resource.physicalId.isEmpty { xml.element("PhysicalResourceId", resource.physicalId) }
                        xml.element("ResourceType", resource.type)
                        xml.element("LastUpdatedTimestamp", Timestamp.iso8601Milliseconds(resource.timestamp))
                        xml.element("ResourceStatus", resource.status)
                        xml.optionalElement("ResourceStatusReason", resource.statusReason)
                        xml.element("DriftInformation") { $0.element("StackResourceDriftStatus", "NOT_CHECKED") }
                    }
                }
            }
        case .describeStackResources:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
            var selected: [(StackRecord, ResourceRecord)] = []
            if let physicalId = parameters["PhysicalResourceId"] {
                for stack in await engine.all where !stack.isDeleted {
                    for resource in stack.resources where resource.physicalId == physicalId { selected.append((stack, resource)) }
                }
                if selected.isEmpty { throw CloudFormationError.physicalResourceNotFound(physicalId) }
            } else {
                guard let name = parameters["StackName"] else { throw CloudFormationError.missingStackOrPhysicalId }
                let stack = try await requireDeployed(name, includeDeleted: true)
                let logicalId = parameters["LogicalResourceId"]
                selected = stack.resources.filter { logicalId == nil || $0.logicalId == logicalId }.map { (stack, $0) }
            }
            xml.element("StackResources") { xml in
                for (stack, resource) in selected {
                    xml.element("member") { Self.writeDeployedResource(&$0, resource, stack, timestampElement: "Timestamp") }
                }
            }
        case .describeStackResource:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResource.html
            let name = parameters["StackName"] ?? ""
            let stack = try await requireDeployed(name, includeDeleted: true)
            let logicalId = parameters["LogicalResourceId"] ?? ""
            guard let resource = stack.resources.first(where: { $0.logicalId == logicalId }) else {
                throw CloudFormationError.resourceNotFound(logicalId: logicalId, stack: name)
            }
            xml.element("StackResourceDetail") { Self.writeDeployedResource(&$0, resource, stack, timestampElement: "LastUpdatedTimestamp") }
        case .getTemplate:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html
            if let changeSetName = parameters["ChangeSetName"] {
                let found = try await engine.changeSet(changeSetName, stackName: parameters["StackName"])
                xml.element("TemplateBody", found.changeSet.templateBody)
            } else {
                let stack = try await requireDeployed(parameters["StackName"] ?? engine.startupName, includeDeleted: true)
                xml.element("TemplateBody", stack.templateBody)
            }
            xml.element("StagesAvailable") { xml in
                xml.element("member", "Original")
                xml.element("member", "Processed")
            }
        case .describeStackEvents:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html
            let name = parameters["StackName"] ?? ""
            guard let stack = await engine.stack(name) else { throw CloudFormationError.validation("Stack [\(name)] does not exist") }
            xml.element("StackEvents") { xml in
                for event in stack.events.reversed() {
                    xml.element("member") { xml in
                        xml.element("StackId", stack.stackId)
                        xml.element("EventId", event.eventId)
                        xml.element("StackName", stack.name)
                        xml.element("LogicalResourceId", event.logicalId)
                        xml.element("PhysicalResourceId", event.physicalId)
                        xml.element("ResourceType", event.type)
                        xml.element("Timestamp", Timestamp.iso8601Milliseconds(event.timestamp))
                        xml.element("ResourceStatus", event.status)
                        xml.optionalElement("ResourceStatusReason", event.reason)
                    }
                }
            }
        case .createStack:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
            let request = try await deployRequest(parameters, requireTemplate: true)
            let stackId = try await engine.createStack(request)
            xml.element("StackId", stackId)
        case .updateStack:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html
            let request = try await deployRequest(parameters, requireTemplate: parameters["UsePreviousTemplate"] != "true")
            let stackId = try await engine.updateStack(request)
            xml.element("StackId", stackId)
        case .deleteStack:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html
            try await engine.deleteStack(try Self.required(parameters, "StackName"))
        case .createChangeSet:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
            let name = try Self.required(parameters, "ChangeSetName")
            try Self.validateName(name, member: "changeSetName")
            let request = try await deployRequest(parameters, requireTemplate: parameters["UsePreviousTemplate"] != "true")
            let created = try await engine.createChangeSet(
                request,
                name: name,
                type: parameters["ChangeSetType"] ?? "UPDATE",
                description: parameters["Description"]
            )
            xml.element("Id", created.id)
            xml.element("StackId", created.stackId)
        case .describeChangeSet:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
            let found = try await engine.changeSet(try Self.required(parameters, "ChangeSetName"), stackName: parameters["StackName"])
            Self.writeChangeSet(&xml, found.changeSet, found.stack)
        case .executeChangeSet:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html
            try await engine.executeChangeSet(try Self.required(parameters, "ChangeSetName"), stackName: parameters["StackName"])
        case .deleteChangeSet:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteChangeSet.html
            try await engine.deleteChangeSet(try Self.required(parameters, "ChangeSetName"), stackName: parameters["StackName"])
        case .listChangeSets:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListChangeSets.html
            let name = try Self.required(parameters, "StackName")
            guard let stack = await engine.stack(name) else { throw CloudFormationError.validation("Stack [\(name)] does not exist") }
            xml.element("Summaries") { xml in
                for changeSet in stack.changeSets {
                    xml.element("member") { xml in
                        xml.element("StackId", stack.stackId)
                        xml.element("StackName", stack.name)
                        xml.element("ChangeSetId", changeSet.id)
                        xml.element("ChangeSetName", changeSet.name)
                        xml.element("ExecutionStatus", changeSet.executionStatus)
                        xml.element("Status", changeSet.status)
                        xml.optionalElement("StatusReason", changeSet.statusReason)
                        xml.element("CreationTime", Timestamp.iso8601Milliseconds(changeSet.creationTime))
                        xml.optionalElement("Description", changeSet.description)
                        xml.element("IncludeNestedStacks", "false")
                    }
                }
            }
        case .validateTemplate:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html
            let template = try Self.parse(try await templateText(parameters))
            writeTemplateFacts(&xml, template, summary: false)
        case .getTemplateSummary:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplateSummary.html
            let body: String
            if let name = parameters["StackName"], parameters["TemplateBody"] == nil, parameters["TemplateURL"] == nil {
                body = try await requireDeployed(name, includeDeleted: false).templateBody
            } else {
                body = try await templateText(parameters)
            }
            writeTemplateFacts(&xml, try Self.parse(body), summary: true)
        case .listExports:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListExports.html
            let exports = await engine.exports
            xml.element("Exports") { xml in
                for export in exports {
                    xml.element("member") { xml in
                        xml.element("ExportingStackId", export.stackId)
                        xml.element("Name", export.name)
                        xml.element("Value", export.value)
                    }
                }
            }
        case .listImports:
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListImports.html
            let name = try Self.required(parameters, "ExportName")
            let importers = await engine.importers(of: name)
            guard !importers.isEmpty else { throw CloudFormationError.validation("Export '\(name)' is not imported by any stack.") }
            xml.element("Imports") { xml in
                for importer in importers { xml.element("member", importer) }
            }
        }
        return xml.result
    }

    private func requireDeployed(_ name: String, includeDeleted: Bool) async throws -> StackRecord {
        guard let stack = await engine.stack(name), includeDeleted || !stack.isDeleted else {
            throw CloudFormationError.stackNotFound(name)
        }
        return stack
    }

    // MARK: Requests

    private func deployRequest(_ parameters: [String: String], requireTemplate: Bool) async throws -> DeployRequest {
        let name = try Self.required(parameters, "StackName")
        try Self.validateName(name, member: "stackName")
        let body: String? = requireTemplate ? try await templateText(parameters) : nil
        var values: [(key: String, value: String?)] = []
        for member in Self.members(parameters, "Parameters.member") {
            guard let key = member["ParameterKey"] else { continue }
            values.append((key, member["UsePreviousValue"] == "true" ? nil : (member["ParameterValue"] ?? "")))
        }
        return DeployRequest(
            stackName: name,
            templateBody: body,
            parameters: values,
            capabilities: Self.list(parameters, "Capabilities.member"),
            tags: parameters.keys.contains { $0.hasPrefix("Tags.member.") } || parameters["Tags"] != nil
                ? Self.members(parameters, "Tags.member").compactMap { member in
                    member["Key"].map { TagRecord(key: $0, value: member["Value"] ?? "") }
                } : nil
        )
    }

    /// The template text from `TemplateBody`, or from the emulated S3 for a `TemplateURL` (path or virtual-host
    /// form); the network is never used.
    private func templateText(_ parameters: [String: String]) async throws -> String {
        switch (parameters["TemplateBody"], parameters["TemplateURL"]) {
        case (.some, .some): throw CloudFormationError.validation("You cannot specify both TemplateURL and TemplateBody in the same request.")
        case (.some(let body), nil):
            guard body.utf8.count <= 51_200 else {
                throw CloudFormationError.validation(
                    "1 validation error detected: Value '\(body.prefix(20))...' at 'templateBody' failed to satisfy constraint: "
                        + "Member must have length less than or equal to 51200"
                )
            }
            return body
        case (nil, .some(let url)):
            guard let location = Self.s3Location(url) else { throw CloudFormationError.validation("TemplateURL must be a supported URL.") }
            guard let text = await readObject(location.bucket, location.key) else {
                throw CloudFormationError.validation("S3 error: The specified key does not exist.")
            }
            return text
        case (nil, nil): throw CloudFormationError.validation("Either Template URL or Template Body must be specified.")
        }
    }

    /// The bucket and key a `TemplateURL` names: `https://s3[.region].amazonaws.com/bucket/key`,
    /// `https://bucket.s3[.region].amazonaws.com/key`, or the emulator's own `http://127.0.0.1:port/bucket/key`.
    /// - Parameter text: The URL.
    /// - Returns: Bucket and key, or nil for a URL that is not S3's.
    package static func s3Location(_ text: String) -> (bucket: String, key: String)? {
        guard let url = URL(string: text), let host = url.host?.lowercased(), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
            return nil
        }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let pathStyle = host == "127.0.0.1" || host == "localhost" || host.hasPrefix("s3.") || host.hasPrefix("s3-")
        if pathStyle {
            let parts = path.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { return nil }
            return (parts[0], parts[1])
        }
        for marker in [".s3.", ".s3-"] {
            if let range = host.range(of: marker), !path.isEmpty {
                return (String(host[..<range.lowerBound]), path)
            }
        }
        return nil
    }

    private static func parse(_ body: String) throws -> Template {
        do throws(TemplateError) {
            return try TemplateLoader.parse(body, fileName: "template")
        } catch {
            throw CloudFormationError.validation(error.message)
        }
    }

    private func writeTemplateFacts(_ xml: inout XMLWriter, _ template: Template, summary: Bool) {
        let resources = template.section("Resources")
        var iamTypes: [String] = []
        var named = false
        for (_, value) in resources.entries {
            guard let type = value["Type"]?.scalarText, type.hasPrefix("AWS::IAM::") else { continue }
            if !iamTypes.contains(type) { iamTypes.append(type) }
            let properties = value["Properties"]
            named = named || ["RoleName", "ManagedPolicyName", "UserName", "GroupName"].contains { properties?[$0] != nil }
        }
        xml.element("Parameters") { xml in
            for (key, value) in template.section("Parameters").entries {
                xml.element("member") { xml in
                    xml.element("ParameterKey", key)
                    xml.optionalElement("DefaultValue", value["Default"]?.scalarText)
                    if summary { xml.element("ParameterType", value["Type"]?.scalarText ?? "String") }
                    xml.element("NoEcho", value["NoEcho"]?.scalarText == "true" ? "true" : "false")
                    xml.optionalElement("Description", value["Description"]?.scalarText)
                    if summary { xml.element("ParameterConstraints") { _ in } }
                }
            }
        }
        xml.optionalElement("Description", template.description)
        if !iamTypes.isEmpty {
            xml.element("Capabilities") { $0.element("member", named ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM") }
            xml.element("CapabilitiesReason", "The following resource(s) require capabilities: [\(iamTypes.joined(separator: ", "))]")
        } else {
            xml.element("Capabilities") { _ in }
        }
        if summary {
            var types: [String] = []
            for (_, value) in resources.entries {
                if let type = value["Type"]?.scalarText, !types.contains(type) { types.append(type) }
            }
            xml.element("ResourceTypes") { xml in
                for type in types { xml.element("member", type) }
            }
            xml.optionalElement("Version", template.root["AWSTemplateFormatVersion"]?.scalarText)
        }
        xml.element("DeclaredTransforms") { xml in
            for transform in template.transforms { xml.element("member", transform) }
        }
    }

    // MARK: Writing

    /// Writes one `Stacks` member; the start-up stack's outputs point at local URLs.
    func writeStack(_ xml: inout XMLWriter, _ stack: StackRecord) {
        let local = stack.stackId == engine.startup.stack.stackId
        xml.element("StackId", stack.stackId)
        xml.element("StackName", stack.name)
        if let changeSet = stack.changeSets.last(where: { $0.executionStatus == "EXECUTE_COMPLETE" }) {
            xml.element("ChangeSetId", changeSet.id)
        }
        xml.optionalElement("Description", stack.description)
        xml.element("Parameters") { xml in
            for parameter in stack.parameters {
                xml.element("member") { xml in
                    xml.element("ParameterKey", parameter.key)
                    xml.element("ParameterValue", parameter.noEcho ? "****" : parameter.value)
                }
            }
        }
        xml.element("CreationTime", Timestamp.iso8601Milliseconds(stack.creationTime))
        xml.optionalElement("DeletionTime", stack.deletionTime.map(Timestamp.iso8601Milliseconds))
        xml.optionalElement("LastUpdatedTime", stack.lastUpdatedTime.map(Timestamp.iso8601Milliseconds))
        xml.element("RollbackConfiguration") { _ in }
        xml.element("StackStatus", stack.status)
        xml.optionalElement("StackStatusReason", stack.statusReason)
        xml.element("DisableRollback", "false")
        xml.element("NotificationARNs") { _ in }
        xml.element("Capabilities") { xml in
            for capability in stack.capabilities { xml.element("member", capability) }
        }
        xml.element("Outputs") { xml in
            for output in stack.outputs {
                xml.element("member") { xml in
                    xml.element("OutputKey", output.key)
                    xml.element("OutputValue", local ? localOutputs(output.value) : output.value)
                    xml.optionalElement("Description", output.description)
                    xml.optionalElement("ExportName", output.exportName)
                }
            }
        }
        xml.element("Tags") { xml in
            for tag in stack.tags {
                xml.element("member") { xml in
                    xml.element("Key", tag.key)
                    xml.element("Value", tag.value)
                }
            }
        }
        xml.element("EnableTerminationProtection", "false")
        xml.element("DriftInformation") { $0.element("StackDriftStatus", "NOT_CHECKED") }
    }

    static func writeDeployedResource(_ xml: inout XMLWriter, _ resource: ResourceRecord, _ stack: StackRecord, timestampElement: String) {
        xml.element("StackName", stack.name)
        xml.element("StackId", stack.stackId)
        xml.element("LogicalResourceId", resource.logicalId)
        if !resource.physicalId.isEmpty { xml.element("PhysicalResourceId", resource.physicalId) }
        xml.element("ResourceType", resource.type)
        xml.element(timestampElement, Timestamp.iso8601Milliseconds(resource.timestamp))
        xml.element("ResourceStatus", resource.status)
        xml.optionalElement("ResourceStatusReason", resource.statusReason)
        xml.element("DriftInformation") { $0.element("StackResourceDriftStatus", "NOT_CHECKED") }
    }

    static func writeChangeSet(_ xml: inout XMLWriter, _ changeSet: ChangeSetRecord, _ stack: StackRecord) {
        xml.element("ChangeSetName", changeSet.name)
        xml.element("ChangeSetId", changeSet.id)
        xml.element("StackId", stack.stackId)
        xml.element("StackName", stack.name)
        xml.optionalElement("Description", changeSet.description)
        xml.element("Parameters") { xml in
            for parameter in changeSet.parameters {
                xml.element("member") { xml in
                    xml.element("ParameterKey", parameter.key)
                    xml.element("ParameterValue", parameter.noEcho ? "****" : parameter.value)
                }
            }
        }
        xml.element("CreationTime", Timestamp.iso8601Milliseconds(changeSet.creationTime))
        xml.element("ExecutionStatus", changeSet.executionStatus)
        xml.element("Status", changeSet.status)
        xml.optionalElement("StatusReason", changeSet.statusReason)
        xml.element("NotificationARNs") { _ in }
        xml.element("RollbackConfiguration") { _ in }
        xml.element("Capabilities") { xml in
            for capability in changeSet.capabilities { xml.element("member", capability) }
        }
        xml.element("Tags") { xml in
            for tag in changeSet.tags {
                xml.element("member") { xml in
                    xml.element("Key", tag.key)
                    xml.element("Value", tag.value)
                }
            }
        }
        xml.element("Changes") { xml in
            for change in changeSet.changes {
                xml.element("member") { xml in
                    xml.element("Type", "Resource")
                    xml.element("ResourceChange") { xml in
                        xml.element("Action", change.action)
                        xml.element("LogicalResourceId", change.logicalId)
                        xml.optionalElement("PhysicalResourceId", change.physicalId)
                        xml.element("ResourceType", change.type)
                        xml.optionalElement("Replacement", change.replacement)
                        xml.element("Scope") { xml in
                            if !change.changedProperties.isEmpty { xml.element("member", "Properties") }
                        }
                        xml.element("Details") { xml in
                            for property in change.changedProperties {
                                xml.element("member") { xml in
                                    xml.element("Target") { xml in
                                        xml.element("Attribute", "Properties")
                                        xml.element("Name", property)
                                        xml.element("RequiresRecreation", change.replacement == "True" ? "Always" : "Never")
                                    }
                                    xml.element("Evaluation", "Static")
                                    xml.element("ChangeSource", "DirectModification")
                                }
                            }
                        }
                    }
                }
            }
        }
        xml.element("IncludeNestedStacks", "false")
    }

    // MARK: Query parameters

    static func required(_ parameters: [String: String], _ name: String) throws -> String {
        guard let value = parameters[name], !value.isEmpty else {
            let member = name.prefix(1).lowercased() + name.dropFirst()
            throw CloudFormationError.validation(
                "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null"
            )
        }
        return value
    }

    static func validateName(_ name: String, member: String) throws {
        let scalars = Array(name.unicodeScalars)
        let valid =
            (scalars.first.map { CharacterSet.letters.contains($0) && $0.isASCII } ?? false)
            && scalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") } && scalars.count <= 128
        guard valid else {
            throw CloudFormationError.validation(
                "1 validation error detected: Value '\(name)' at '\(member)' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"
            )
        }
    }

    /// `Prefix.1`, `Prefix.2`... in order.
    static func list(_ parameters: [String: String], _ prefix: String) -> [String] {
        var values: [String] = []
        var index = 1
        while let value = parameters["\(prefix).\(index)"] {
            values.append(value)
            index += 1
        }
        return values
    }

    /// `Prefix.1.Field`, `Prefix.2.Field`... as one dictionary per index, in order.
    static func members(_ parameters: [String: String], _ prefix: String) -> [[String: String]] {
        var byIndex: [Int: [String: String]] = [:]
        for (name, value) in parameters where name.hasPrefix(prefix + ".") {
            let rest = name.dropFirst(prefix.count + 1)
            let parts = rest.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let index = Int(parts[0]), index > 0 else { continue }
            byIndex[index, default: [:]][String(parts[1])] = value
        }
        return byIndex.keys.sorted().compactMap { byIndex[$0] }
    }
}
