import CloudFormation
import Foundation

/// Deploys `AWS::IAM::Role`, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` at runtime into the live IAM
/// directory, as entities the IAM API lists and the authorizer evaluates at once (persisted in `iam.sqlite` like
/// API-created ones).
package struct IAMDeployer: ResourceDeployer {
    private let directory: IAMDirectory
    private let now: @Sendable () -> Date

    /// Creates the deployer.
    /// - Parameters:
    ///   - directory: The live IAM directory.
    ///   - now: The virtual clock's current time.
    package init(directory: IAMDirectory, now: @escaping @Sendable () -> Date) {
        self.directory = directory
        self.now = now
    }

    /// Roles, inline policies and customer managed policies.
    package var deployableTypes: Set<String> {
        [IAMResourceProvider.roleType, IAMResourceProvider.policyType, IAMResourceProvider.managedPolicyType]
    }

    /// `RoleName` and `Path` replace a role; `ManagedPolicyName` and `Path` a managed policy.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        switch type {
        case IAMResourceProvider.roleType: ["RoleName", "Path"]
        case IAMResourceProvider.managedPolicyType: ["ManagedPolicyName", "Path"]
        default: []
        }
    }

    /// Creates the entity.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` or ``IAMError`` with the reason.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        try apply(resource, in: stack, creating: true)
    }

    /// Replaces the entity's properties (a role keeps its creation date).
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` or ``IAMError`` with the reason.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        if new.type == IAMResourceProvider.policyType { try remove(old) }
        try apply(new, in: stack, creating: false)
    }

    /// Deletes the entity (a managed policy is detached from its roles first).
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: ``IAMError`` when the directory cannot be persisted.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        try remove(resource)
    }

    private func apply(_ resource: StackResource, in stack: Stack, creating: Bool) throws {
        let date = now()
        switch resource.type {
        case IAMResourceProvider.roleType:
            let spec = try IAMRoleSpec(resource, in: stack)
            let maxSession = resource.properties["MaxSessionDuration"]?.intValue ?? 3600
            let description = resource.properties["Description"]?.stringValue
            let tags = (resource.properties["Tags"]?.listValue ?? []).compactMap { tag -> IAMTag? in
                guard let key = tag["Key"]?.scalarText, let value = tag["Value"]?.scalarText else { return nil }
                return IAMTag(key: key, value: value)
            }
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                let previous = state.roles[spec.name]
                if creating, previous != nil { throw IAMError.roleExists(spec.name) }
                state.roles[spec.name] = IAMRoleRecord(
                    name: spec.name,
                    path: spec.path,
                    roleId: spec.roleId,
                    arn: spec.arn,
                    createDate: previous?.createDate ?? date,
                    assumeRolePolicyDocument: spec.assumeRolePolicyDocument.jsonString,
                    description: description,
                    maxSessionDuration: maxSession,
                    inlinePolicies: spec.inlinePolicies.map { NamedPolicyText(name: $0.name, document: $0.document.jsonString) },
                    attachedPolicyArns: spec.managedPolicyArns,
                    tags: tags
                )
            }
        case IAMResourceProvider.policyType:
            let name = resource.properties["PolicyName"]?.scalarText ?? ""
            let document = resource.properties["PolicyDocument"]?.jsonString ?? "{}"
            let roles = (resource.properties["Roles"]?.listValue ?? []).compactMap(\.scalarText)
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                for role in roles {
                    guard var record = state.roles[role] else { throw IAMError.noSuchRole(role) }
                    record.inlinePolicies.removeAll { $0.name == name }
                    record.inlinePolicies.append(NamedPolicyText(name: name, document: document))
                    state.roles[role] = record
                }
            }
        case IAMResourceProvider.managedPolicyType:
            let arn = resource.physicalId
            let document = resource.properties["PolicyDocument"]?.jsonString ?? "{}"
            let path = resource.properties["Path"]?.scalarText ?? "/"
            let name = arn.split(separator: "/").last.map(String.init) ?? arn
            let description = resource.properties["Description"]?.stringValue
            let roles = (resource.properties["Roles"]?.listValue ?? []).compactMap(\.scalarText)
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                if creating, state.policies[arn] != nil {
                    throw IAMError.entityAlreadyExists("A policy called \(name) already exists. Duplicate names are not allowed.")
                }
                var record = IAMManagedPolicyRecord(
                    name: name,
                    path: path,
                    policyId: resource.attributes["PolicyId"] ?? IAMIdentifiers.identifier(prefix: "ANPA", seed: arn),
                    arn: arn,
                    description: description,
                    document: document,
                    createDate: state.policies[arn]?.createDate ?? date
                )
                record.updateDate = date
                state.policies[arn] = record
                for role in roles {
                    guard var roleRecord = state.roles[role] else { throw IAMError.noSuchRole(role) }
                    if !roleRecord.attachedPolicyArns.contains(arn) { roleRecord.attachedPolicyArns.append(arn) }
                    state.roles[role] = roleRecord
                }
            }
        default:
            throw ResourceDeploymentError(DeployerRegistry.notDeployableReason(resource.type))
        }
    }

    private func remove(_ resource: StackResource) throws {
        switch resource.type {
        case IAMResourceProvider.roleType:
            let name = resource.physicalId
            try directory.mutate { (state: inout IAMState) throws(IAMError) in state.roles[name] = nil }
        case IAMResourceProvider.policyType:
            let name = resource.properties["PolicyName"]?.scalarText ?? ""
            let roles = (resource.properties["Roles"]?.listValue ?? []).compactMap(\.scalarText)
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                for role in roles { state.roles[role]?.inlinePolicies.removeAll { $0.name == name } }
            }
        case IAMResourceProvider.managedPolicyType:
            let arn = resource.physicalId
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                for name in state.roles.keys { state.roles[name]?.attachedPolicyArns.removeAll { $0 == arn } }
                state.policies[arn] = nil
            }
        default:
            return
        }
    }
}
