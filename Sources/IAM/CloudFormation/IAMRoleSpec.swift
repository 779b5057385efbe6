import CloudFormation

/// What the IAM layer needs to know about one role.
package struct IAMRoleSpec: Sendable, Equatable {
    /// An inline policy.
    package struct InlinePolicy: Sendable, Equatable {
        /// The policy name.
        package var name: String
        /// The policy document (convert with ``TemplateValue/jsonObject`` or ``TemplateValue/jsonString``).
        package var document: TemplateValue
    }

    /// The logical id.
    package var logicalId: String
    /// The role name.
    package var name: String
    /// The role ARN.
    package var arn: String
    /// The role id (`AROA...`).
    package var roleId: String
    /// The role path.
    package var path: String
    /// The trust policy.
    package var assumeRolePolicyDocument: TemplateValue
    /// The role's `Policies` plus `AWS::IAM::Policy` resources that name the role.
    package var inlinePolicies: [InlinePolicy]
    /// `ManagedPolicyArns` plus `AWS::IAM::ManagedPolicy` resources that name the role.
    package var managedPolicyArns: [String]

    /// Decodes an `AWS::IAM::Role` and the policies attached to it elsewhere in `stack`.
    /// - Parameters:
    ///   - resource: A resolved `AWS::IAM::Role`.
    ///   - stack: The stack holding `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource, in stack: Stack) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        name = resource.physicalId
        arn = resource.attributes["Arn"] ?? ""
        roleId = resource.attributes["RoleId"] ?? ""
        path = try reader["Path"].string() ?? "/"
        guard let trust = reader["AssumeRolePolicyDocument"].value, trust.mapValue != nil else {
            throw reader["AssumeRolePolicyDocument"].failure("a policy document map")
        }
        assumeRolePolicyDocument = trust
        var inline: [InlinePolicy] = []
        for item in try reader["Policies"].list() ?? [] {
            guard let document = item["PolicyDocument"].value, document.mapValue != nil else {
                throw item["PolicyDocument"].failure("a policy document map")
            }
            inline.append(InlinePolicy(name: try item["PolicyName"].requiredString(), document: document))
        }
        var managed = try reader["ManagedPolicyArns"].stringList() ?? []
        for policy in stack.resources(ofType: "AWS::IAM::Policy") {
            let policyReader = SpecReader(policy)
            guard try policyReader["Roles"].stringList()?.contains(resource.physicalId) == true else { continue }
            guard let document = policyReader["PolicyDocument"].value, document.mapValue != nil else {
                throw policyReader["PolicyDocument"].failure("a policy document map")
            }
            inline.append(InlinePolicy(name: try policyReader["PolicyName"].requiredString(), document: document))
        }
        for policy in stack.resources(ofType: "AWS::IAM::ManagedPolicy") {
            let policyReader = SpecReader(policy)
            if try policyReader["Roles"].stringList()?.contains(resource.physicalId) == true {
                managed.append(policy.physicalId)
            }
        }
        inlinePolicies = inline
        managedPolicyArns = managed
    }
}
