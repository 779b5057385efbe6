import CloudFormation
import Foundation
import Identity

/// The template's IAM roles with their policy documents parsed once, looked up by ARN or name.
///
/// A role's identity-based policies are its inline `Policies`, `AWS::IAM::Policy` resources naming it, its
/// `ManagedPolicyArns` resolved through ``ManagedPolicies`` (AWS managed) or the template's
/// `AWS::IAM::ManagedPolicy` resources (customer managed), and the roles the SAM transform generates for
/// functions (they arrive here as ordinary `AWS::IAM::Role` resources). A managed policy ARN the catalog does
/// not know grants nothing and is reported in ``warnings``.
package struct RoleCatalog: Sendable {
    /// One role, ready for evaluation.
    package struct Role: Sendable {
        /// The role name.
        package var name: String
        /// The role ARN.
        package var arn: String
        /// The role id (`AROA...`).
        package var roleId: String
        /// The trust policy, when it parsed.
        package var trustPolicy: PolicyDocument?
        /// Every identity-based policy attached to the role, each named (inline name or managed ARN).
        package var policies: [PolicyDocument]
        /// The role's `MaxSessionDuration` in seconds (3600 unless the template says otherwise).
        package var maxSessionDuration: Int
    }

    private let byArn: [String: Role]
    private let byName: [String: Role]
    /// Problems found while building the catalog (unknown managed policies, malformed documents).
    package let warnings: [String]

    /// Builds the catalog from roles.
    /// - Parameters:
    ///   - roles: The roles to hold.
    ///   - warnings: Problems found while building them.
    package init(roles: [Role], warnings: [String] = []) {
        var byArn: [String: Role] = [:]
        var byName: [String: Role] = [:]
        for role in roles {
            byArn[role.arn] = role
            byName[role.name] = role
        }
        self.byArn = byArn
        self.byName = byName
        self.warnings = warnings
    }

    /// Builds the catalog from a resolved stack.
    /// - Parameter stack: The stack holding `AWS::IAM::Role` and policy resources.
    /// - Throws: ``TemplateError`` when a role's properties have the wrong shape.
    package init(stack: Stack) throws(TemplateError) {
        let customerManaged = stack.managedPolicyDocuments
        var roles: [Role] = []
        var warnings: [String] = []
        for spec in try stack.roles {
            var policies: [PolicyDocument] = []
            for inline in spec.inlinePolicies {
                do {
                    policies.append(try PolicyDocument(jsonString: inline.document.jsonString, name: inline.name))
                } catch {
                    warnings.append("Role \(spec.name): inline policy \(inline.name) is malformed (\(error.message)); it grants nothing")
                }
            }
            for arn in spec.managedPolicyArns {
                if let document = customerManaged[arn] {
                    do {
                        policies.append(try PolicyDocument(jsonString: document.jsonString, name: arn))
                    } catch {
                        warnings.append("Role \(spec.name): managed policy \(arn) is malformed (\(error.message)); it grants nothing")
                    }
                } else if let document = ManagedPolicies.policy(arn: arn) {
                    policies.append(document)
                } else {
                    warnings.append("Role \(spec.name): managed policy \(arn) is not in the emulator's catalog; it grants nothing")
                }
            }
            let trust = try? PolicyDocument(
                jsonString: spec.assumeRolePolicyDocument.jsonString,
                kind: .trust,
                name: "AssumeRolePolicyDocument"
            )
            let maxSession = stack.resource(spec.logicalId)?.properties["MaxSessionDuration"]?.intValue ?? 3600
            roles.append(
                Role(
                    name: spec.name,
                    arn: spec.arn,
                    roleId: spec.roleId,
                    trustPolicy: trust,
                    policies: policies,
                    maxSessionDuration: maxSession
                )
            )
        }
        self.init(roles: roles, warnings: warnings)
    }

    /// The role with this ARN.
    /// - Parameter arn: For example `arn:aws:iam::000000000000:role/MyRole`.
    /// - Returns: The role, or nil when the template declares none.
    package func role(arn: String) -> Role? {
        if let role = byArn[arn] { return role }
        // A role ARN may carry a path (`role/path/Name`); sessions only know the name.
        guard let parsed = ARN(parsing: arn), parsed.service == "iam", parsed.resource.hasPrefix("role/") else { return nil }
        guard let name = parsed.resource.split(separator: "/").last.map(String.init) else { return nil }
        return byName[name]
    }

    /// The role with this name.
    /// - Parameter name: The role name.
    /// - Returns: The role, or nil.
    package func role(named name: String) -> Role? { byName[name] }

    /// Every role, sorted by name.
    package var allRoles: [Role] { byName.values.sorted { $0.name < $1.name } }
}
