import CloudFormation

/// The CloudFormation provider of `AWS::IAM::Role`, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`.
///
/// Roles support `RoleName`, `AssumeRolePolicyDocument`, `Policies`, `ManagedPolicyArns`, `Path`, `Tags`,
/// `Description` and `MaxSessionDuration`; policies `PolicyName`, `PolicyDocument`, `Roles`, `Users` and
/// `Groups`; managed policies also `ManagedPolicyName`, `Path` and `Description`. Every other property
/// (`PermissionsBoundary`...) is reported as ignored. Policies attached to roles are gathered into
/// ``IAMRoleSpec``; users and groups are resolved but not emulated.
package struct IAMResourceProvider: ResourceProvider {
    /// The role resource type.
    package static let roleType = "AWS::IAM::Role"
    /// The inline policy resource type.
    package static let policyType = "AWS::IAM::Policy"
    /// The customer managed policy resource type.
    package static let managedPolicyType = "AWS::IAM::ManagedPolicy"

    /// Creates the provider.
    package init() {}

    /// The properties ``IAMRoleSpec`` reads, per type.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.roleType: [
                "RoleName", "AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "Path", "Tags", "Description", "MaxSessionDuration",
            ],
            Self.policyType: ["PolicyName", "PolicyDocument", "Roles", "Users", "Groups"],
            Self.managedPolicyType: ["ManagedPolicyName", "PolicyDocument", "Roles", "Users", "Groups", "Path", "Description"],
        ]
    }

    /// Role names come from `RoleName` (64 characters), managed policy names from `ManagedPolicyName` (128).
    package var nameRules: [String: PhysicalNameRule] {
        [
            Self.roleType: PhysicalNameRule(property: "RoleName", maxLength: 64),
            Self.managedPolicyType: PhysicalNameRule(property: "ManagedPolicyName", maxLength: 128),
        ]
    }

    /// A role's `Ref` is its name (attributes `Arn`, `RoleId`); a managed policy's `Ref` is its ARN (attributes
    /// `PolicyArn`, `PolicyId`); an inline policy has a short generated id (attribute `Id`).
    /// - Parameter resource: The IAM resource being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        let configuration = resource.configuration
        let stack = configuration.stackName
        let logicalId = resource.seedLogicalId
        let prefix = "arn:\(configuration.partition):iam::\(configuration.accountId)"
        switch resource.type {
        case Self.roleType:
            let role = resource.physicalName
            let path = resource.properties["Path"]?.scalarText ?? "/"
            return ResourceIdentity(
                physicalId: role,
                attributes: [
                    "Arn": "\(prefix):role\(path)\(role)",
                    "RoleId": "AROA" + PhysicalNames.uppercaseId(stack, logicalId, "role", length: 17),
                ]
            )
        case Self.managedPolicyType:
            let policy = resource.physicalName
            let path = resource.properties["Path"]?.scalarText ?? "/"
            let arn = "\(prefix):policy\(path)\(policy)"
            return ResourceIdentity(
                physicalId: arn,
                attributes: ["PolicyArn": arn, "PolicyId": "ANPA" + PhysicalNames.uppercaseId(stack, logicalId, "policy", length: 17)]
            )
        case Self.policyType:
            let id = PhysicalNames.generatedName(
                stack: String(stack.prefix(5)),
                logicalId: String(resource.logicalId.prefix(5)),
                maxLength: 128,
                generation: resource.generation
            )
            return ResourceIdentity(physicalId: id, attributes: ["Id": id])
        default:
            return resource.nameOnly
        }
    }

    /// Decodes every role with the policies attached to it.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first role or policy with a wrongly shaped property.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.roles
    }
}

extension Stack {
    /// The IAM roles with their inline and managed policies.
    package var roles: [IAMRoleSpec] {
        get throws(TemplateError) {
            try specs(ofType: IAMResourceProvider.roleType) { resource throws(TemplateError) in try IAMRoleSpec(resource, in: self) }
        }
    }

    /// Customer managed policy documents by policy ARN (`AWS::IAM::ManagedPolicy` resources).
    package var managedPolicyDocuments: [String: TemplateValue] {
        var documents: [String: TemplateValue] = [:]
        for resource in resources(ofType: IAMResourceProvider.managedPolicyType) {
            if let document = resource.properties["PolicyDocument"] {
                documents[resource.physicalId] = document
            }
        }
        return documents
    }
}
