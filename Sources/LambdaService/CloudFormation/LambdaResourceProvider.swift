import CloudFormation

/// The CloudFormation provider of `AWS::Lambda::Function` and `AWS::Lambda::Permission`.
///
/// Functions support `FunctionName`, `Code`, `Handler`, `Runtime`, `Timeout`, `MemorySize`, `Environment`,
/// `Role`, `ReservedConcurrentExecutions`, `Architectures`, `Description`, `Tags` and `PackageType`;
/// permissions support `Action`, `FunctionName`, `Principal`, `SourceArn` and `SourceAccount` (resolved, not
/// enforced). Every other property (`Layers`, `VpcConfig`, `DeadLetterConfig`...) is reported as ignored.
package struct LambdaResourceProvider: ResourceProvider {
    /// The function resource type.
    package static let functionType = "AWS::Lambda::Function"
    /// The permission resource type.
    package static let permissionType = "AWS::Lambda::Permission"

    /// Creates the provider.
    package init() {}

    /// The properties ``LambdaFunctionSpec`` reads, and those of permissions.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.functionType: [
                "FunctionName", "Code", "Handler", "Runtime", "Timeout", "MemorySize", "Environment", "Role",
                "ReservedConcurrentExecutions", "Architectures", "Description", "Tags", "PackageType",
            ],
            Self.permissionType: ["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount"],
        ]
    }

    /// Function names come from `FunctionName`, else are generated within Lambda's 64 characters.
    package var nameRules: [String: PhysicalNameRule] {
        [Self.functionType: PhysicalNameRule(property: "FunctionName", maxLength: 64)]
    }

    /// A function's `Ref` is its name and its `Arn` attribute the function ARN; a permission has a generated id.
    /// - Parameter resource: The function or permission being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        guard resource.type == Self.functionType else { return resource.nameOnly }
        let configuration = resource.configuration
        let function = resource.physicalName
        return ResourceIdentity(
            physicalId: function,
            attributes: ["Arn": "arn:\(configuration.partition):lambda:\(configuration.region):\(configuration.accountId):function:\(function)"]
        )
    }

    /// Decodes every function.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first function with a wrongly shaped property or no `Code`.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        _ = try stack.lambdaFunctions
    }
}

extension Stack {
    /// The Lambda functions in dependency order.
    package var lambdaFunctions: [LambdaFunctionSpec] {
        get throws(TemplateError) {
            try specs(ofType: LambdaResourceProvider.functionType, LambdaFunctionSpec.init)
        }
    }
}
