import CloudFormation
import EmulatorCore

/// Deploys `AWS::Lambda::Permission` (and the permissions SAM's API events add) at runtime through AddPermission's
/// and RemovePermission's code: one statement in the function's resource-based policy, whose `Sid` is the
/// permission's physical id, as `GetPolicy` then shows it. A `FunctionName` naming a version or alias (SAM
/// `AutoPublishAlias` events name the alias ARN) puts the statement in that version's or alias's own policy, as
/// AddPermission with a `Qualifier` does.
package struct LambdaPermissionDeployer: ResourceDeployer {
    private let service: LambdaService

    /// Creates the deployer of one Lambda service.
    /// - Parameter service: The service whose functions carry the policies.
    package init(service: LambdaService) { self.service = service }

    /// Permissions.
    package var deployableTypes: Set<String> { [LambdaResourceProvider.permissionType] }

    /// Every property of a permission replaces it, as the CloudFormation resource reference marks them.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        ["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"]
    }

    /// Adds the statement to the function's policy.
    /// - Parameters:
    ///   - resource: The resolved permission.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message (no such function, a statement id in use, a bad
    ///   action or principal).
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let permission = try Self.permission(resource)
        do {
            let target = Self.target(permission.functionName)
            let function = try FunctionValidation.functionName(target.name)
            let statementId = resource.physicalId
            let arn = service.catalog.unqualifiedArn(for: function, qualifier: target.qualifier)
            let statement = try ResourcePolicy.statement(
                id: statementId,
                action: permission.action,
                principal: permission.principal,
                resource: arn,
                sourceArn: permission.sourceArn,
                sourceAccount: permission.sourceAccount,
                principalOrgId: permission.principalOrgId,
                functionUrlAuthType: permission.functionUrlAuthType
            )
            guard let current = service.catalog.function(named: function) else {
                throw LambdaError.resourceNotFound(arn: service.catalog.unqualifiedArn(for: function))
            }
            try await service.changePolicy(current, qualifier: target.qualifier, expectedRevision: nil) { statements in
                if statements.contains(where: { ResourcePolicy.statementId(of: $0) == statementId }) {
                    throw LambdaError.resourceConflict(LambdaMessages.statementExists(statementId))
                }
                statements.append(statement)
            }
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// Every property replaces a permission, so an in-place update only re-creates its statement.
    /// - Parameters:
    ///   - old: The deployed permission.
    ///   - new: The new permission.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        try await delete(old, in: stack)
        try await create(new, in: stack)
    }

    /// Removes the statement (a function or statement already gone is not an error).
    /// - Parameters:
    ///   - resource: The deployed permission.
    ///   - stack: Its stack.
    /// - Throws: Storage errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        guard let permission = try? Self.permission(resource) else { return }
        let target = Self.target(permission.functionName)
        guard let function = try? FunctionValidation.functionName(target.name), let current = service.catalog.function(named: function) else {
            return
        }
        let statementId = resource.physicalId
        let statements =
            target.qualifier.map { service.catalog.qualifiedPolicy(function, qualifier: $0)?.statements ?? [] } ?? current.policyStatements
        guard statements.contains(where: { ResourcePolicy.statementId(of: $0) == statementId }) else { return }
        do {
            try await service.changePolicy(current, qualifier: target.qualifier, expectedRevision: nil) { statements in
                statements.removeAll { ResourcePolicy.statementId(of: $0) == statementId }
            }
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// A template permission's statement for a function of the same template, as the stack's creation adds it.
    /// - Parameters:
    ///   - resource: The resolved permission.
    ///   - functions: The template's functions.
    /// - Returns: The function's name, the version or alias whose own policy gets the statement (nil: the
    ///   function's), and the statement's JSON text.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's or Lambda's message (a missing property, no such
    ///   function, a bad action or principal).
    static func templateStatement(
        _ resource: StackResource,
        functions: [LambdaFunction]
    ) throws -> (function: String, qualifier: String?, text: String) {
        let properties = try Self.permission(resource)
        let target = Self.target(properties.functionName)
        let name: String
        do {
            name = try FunctionValidation.functionName(target.name)
        } catch {
            throw ResourceDeploymentError(error.message)
        }
        guard let function = functions.first(where: { $0.name == name }) else {
            throw ResourceDeploymentError(LambdaMessages.functionNotFound(properties.functionName))
        }
        do {
            let text = try ResourcePolicy.statement(
                id: resource.physicalId,
                action: properties.action,
                principal: properties.principal,
                resource: target.qualifier.map { "\(function.arn):\($0)" } ?? function.arn,
                sourceArn: properties.sourceArn,
                sourceAccount: properties.sourceAccount,
                principalOrgId: properties.principalOrgId,
                functionUrlAuthType: properties.functionUrlAuthType
            )
            return (name, target.qualifier, text)
        } catch {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// The function a `FunctionName` names and, for a qualified ARN (`arn:...:function:NAME:ALIAS`), its qualifier.
    /// - Parameter text: The property's value.
    /// - Returns: The name (or the unqualified text) and the qualifier.
    static func target(_ text: String) -> (name: String, qualifier: String?) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let marker = parts.firstIndex(of: "function"), marker + 2 < parts.count else { return (text, nil) }
        return (parts[0...(marker + 1)].joined(separator: ":"), parts[marker + 2])
    }

    /// A permission's properties.
    struct Permission {
        var action: String
        var functionName: String
        var principal: String
        var sourceArn: String?
        var sourceAccount: String?
        var principalOrgId: String?
        var functionUrlAuthType: String?
    }

    static func permission(_ resource: StackResource) throws -> Permission {
        let properties = resource.properties.mapValue ?? TemplateMap()
        func required(_ name: String) throws -> String {
            try resource.requiredText(name)
        }
        return Permission(
            action: try required("Action"),
            functionName: try required("FunctionName"),
            principal: try required("Principal"),
            sourceArn: properties["SourceArn"]?.scalarText,
            sourceAccount: properties["SourceAccount"]?.scalarText,
            principalOrgId: properties["PrincipalOrgID"]?.scalarText,
            functionUrlAuthType: properties["FunctionUrlAuthType"]?.scalarText
        )
    }
}
