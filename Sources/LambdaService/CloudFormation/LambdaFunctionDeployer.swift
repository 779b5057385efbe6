import CloudFormation

/// Deploys `AWS::Lambda::Function` (and so SAM's `AWS::Serverless::Function`) at runtime through the same path as
/// the Lambda API's CreateFunction: ``LambdaService/deploy(spec:)`` with the spec the start-up template would build
/// (inline `ZipFile` code, or `S3Bucket`/`S3Key` read from the emulated S3), and ``LambdaService/remove(name:)``.
package struct LambdaFunctionDeployer: ResourceDeployer {
    private let service: LambdaService

    /// Creates the deployer of one Lambda service.
    /// - Parameter service: The service whose catalog holds the functions.
    package init(service: LambdaService) { self.service = service }

    /// Functions.
    package var deployableTypes: Set<String> { [LambdaResourceProvider.functionType] }

    /// A new `FunctionName` replaces the function.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["FunctionName"] }

    /// Creates the function, refusing a name that exists.
    /// - Parameters:
    ///   - resource: The resolved function.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's reason.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try Self.spec(resource)
        if service.catalog.function(named: spec.functionName) != nil {
            throw ResourceDeploymentError(
                "Resource of type '\(LambdaResourceProvider.functionType)' with identifier '\(spec.functionName)' already exists."
            )
        }
        try await deploy(spec)
    }

    /// Replaces the function's code and configuration; its next invocation starts a fresh environment.
    /// - Parameters:
    ///   - old: The deployed function.
    ///   - new: The new function.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the new spec does not decode or its code cannot be read.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        try await deploy(try Self.spec(new))
    }

    /// Deletes the function (a function already gone is not an error, as CloudFormation skips it).
    /// - Parameters:
    ///   - resource: The deployed function.
    ///   - stack: Its stack.
    /// - Throws: Storage errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try Self.spec(resource)
        guard service.catalog.function(named: spec.functionName) != nil else { return }
        // Not remembered across a restart: the next start deploys the start-up template again.
        try await service.remove(name: spec.functionName, remembered: false)
    }

    private func deploy(_ spec: LambdaFunctionSpec) async throws {
        do {
            try await service.deploy(spec: spec)
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }

    private static func spec(_ resource: StackResource) throws -> LambdaFunctionSpec {
        do {
            return try LambdaFunctionSpec(resource)
        } catch {
            throw ResourceDeploymentError(error.description)
        }
    }
}
