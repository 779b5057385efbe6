import CloudFormation
import EmulatorCore

/// Deploys `AWS::Lambda::Permission` (and the permissions SAM's API events add) at runtime through AddPermission's
/// and RemovePermission's code: one statement in the function's resource-based policy, whose `Sid` is the
/// permission's physical id, as `GetPolicy` then shows it.
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
            let function = try FunctionValidation.functionName(permission.functionName)
            let statementId = resource.physicalId
            let arn = service.catalog.unqualifiedArn(for: function)
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
            try await service.change(function, bumpsRevision: false) { function in
                if function.policyStatements.contains(where: { ResourcePolicy.statementId(of: $0) == statementId }) {
                    throw LambdaError.resourceConflict(LambdaMessages.statementExists(statementId))
                }
                function.policyStatements.append(statement)
                function.revision = RequestID.uuid()
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
        guard let permission = try? Self.permission(resource), let function = try? FunctionValidation.functionName(permission.functionName),
            let current = service.catalog.function(named: function)
        else { return }
        let statementId = resource.physicalId
        guard current.policyStatements.contains(where: { ResourcePolicy.statementId(of: $0) == statementId }) else { return }
        do {
            try await service.change(function, bumpsRevision: false) { function in
                function.policyStatements.removeAll { ResourcePolicy.statementId(of: $0) == statementId }
                function.revision = RequestID.uuid()
            }
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }

    /// A template permission's statement for a function of the same template, as the stack's creation adds it.
    /// - Parameters:
    ///   - resource: The resolved permission.
    ///   - functions: The template's functions.
    /// - Returns: The function's name and the statement's JSON text.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's or Lambda's message (a missing property, no such
    ///   function, a bad action or principal).
    static func templateStatement(_ resource: StackResource, functions: [LambdaFunction]) throws -> (function: String, text: String) {
        let properties = try Self.permission(resource)
        let name: String
        do {
            name = try FunctionValidation.functionName(properties.functionName)
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
                resource: function.arn,
                sourceArn: properties.sourceArn,
                sourceAccount: properties.sourceAccount,
                principalOrgId: properties.principalOrgId,
                functionUrlAuthType: properties.functionUrlAuthType
            )
            return (name, text)
        } catch {
            throw ResourceDeploymentError(error.message)
        }
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
