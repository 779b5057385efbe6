import CloudFormation
import Foundation

/// The CloudFormation provider of `AWS::Lambda::Function` and `AWS::Lambda::Permission`.
///
/// Functions support `FunctionName`, `Code`, `Handler`, `Runtime`, `Timeout`, `MemorySize`, `Environment`,
/// `Role`, `ReservedConcurrentExecutions`, `Architectures`, `Description`, `Tags`, `PackageType` and `Layers`;
/// layer versions support `LayerName`, `Content` (a local folder or `.zip`), `CompatibleRuntimes`,
/// `CompatibleArchitectures`, `Description` and `LicenseInfo`; layer version permissions support `Action`,
/// `LayerVersionArn`, `OrganizationId` and `Principal`; permissions support `Action`, `FunctionName`,
/// `Principal`, `SourceArn` and `SourceAccount` (statements of the function's resource-based policy, which S3 and
/// API Gateway invocations must pass); versions support `FunctionName`, `Description` and `CodeSha256`; aliases
/// support `FunctionName`, `FunctionVersion`, `Name`, `Description` and `RoutingConfig`; event source mappings (DynamoDB
/// streams) support the properties ``EventSourceMappingSpec`` lists. Every other property (`VpcConfig`,
/// `DeadLetterConfig`, a mapping's `DestinationConfig`...) is reported as ignored.
package struct LambdaResourceProvider: ResourceProvider {
    /// The function resource type.
    package static let functionType = "AWS::Lambda::Function"
    /// The permission resource type.
    package static let permissionType = "AWS::Lambda::Permission"
    /// The layer version resource type.
    package static let layerType = "AWS::Lambda::LayerVersion"
    /// The layer version permission resource type.
    package static let layerPermissionType = "AWS::Lambda::LayerVersionPermission"
    /// The event source mapping resource type.
    package static let eventSourceMappingType = "AWS::Lambda::EventSourceMapping"
    /// The version resource type.
    package static let versionType = "AWS::Lambda::Version"
    /// The alias resource type.
    package static let aliasType = "AWS::Lambda::Alias"

    /// Creates the provider.
    package init() {}

    /// The properties ``LambdaFunctionSpec`` reads, and those of permissions.
    package var supportedProperties: [String: Set<String>] {
        [
            Self.functionType: [
                "FunctionName", "Code", "Handler", "Runtime", "Timeout", "MemorySize", "Environment", "Role",
                "ReservedConcurrentExecutions", "Architectures", "Description", "Tags", "PackageType", "Layers",
            ],
            Self.layerType: ["LayerName", "Content", "CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"],
            Self.permissionType: ["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount"],
            Self.layerPermissionType: ["Action", "LayerVersionArn", "OrganizationId", "Principal"],
            Self.versionType: ["FunctionName", "Description", "CodeSha256"],
            Self.aliasType: ["FunctionName", "FunctionVersion", "Name", "Description", "RoutingConfig"],
            Self.eventSourceMappingType: [
                "FunctionName", "EventSourceArn", "StartingPosition", "BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria",
                "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "FunctionResponseTypes", "Enabled",
            ],
        ]
    }

    /// Function names come from `FunctionName`, else are generated within Lambda's 64 characters.
    package var nameRules: [String: PhysicalNameRule] {
        [
            Self.functionType: PhysicalNameRule(property: "FunctionName", maxLength: 64),
            Self.layerType: PhysicalNameRule(property: "LayerName", maxLength: 140),
        ]
    }

    /// A function's `Ref` is its name and its `Arn` attribute the function ARN; a layer version's `Ref` and
    /// `LayerVersionArn` are its ARN (version 1, or the number Lambda assigned when a stack published it); a version's
    /// `Ref` and `FunctionArn` are its qualified ARN, `Version` its number (1, or Lambda's); an alias's `Ref` and
    /// `AliasArn` are its ARN; a permission has a generated id; a layer version permission's `Ref` is
    /// `LAYER_VERSION_ARN#STATEMENT_ID`, its statement id generated within Lambda's 100 characters.
    /// - Parameter resource: The function, layer version or permission being named.
    /// - Returns: The identity.
    package func identity(of resource: ResourceNaming) -> ResourceIdentity {
        let configuration = resource.configuration
        if resource.type == Self.layerType {
            let arn =
                "arn:\(configuration.partition):lambda:\(configuration.region):\(configuration.accountId):layer:\(resource.physicalName):1"
            return ResourceIdentity(physicalId: arn, attributes: ["LayerVersionArn": arn])
        }
        if resource.type == Self.layerPermissionType {
            let statementId = PhysicalNames.generatedName(
                stack: configuration.stackName,
                logicalId: resource.logicalId,
                maxLength: 100,
                generation: resource.generation
            )
            return ResourceIdentity(physicalId: "\(resource.properties["LayerVersionArn"]?.scalarText ?? "")#\(statementId)", attributes: [:])
        }
        if resource.type == Self.eventSourceMappingType {
            // `Ref` is the mapping's UUID, as CloudFormation returns it.
            let uuid = EventSourceMappingSpec.uuid(stack: configuration.stackName, logicalId: resource.seedLogicalId)
            return ResourceIdentity(physicalId: uuid, attributes: ["Id": uuid])
        }
        if resource.type == Self.versionType || resource.type == Self.aliasType {
            let function = Self.functionName(resource.properties["FunctionName"]?.scalarText ?? "")
            let base = "arn:\(configuration.partition):lambda:\(configuration.region):\(configuration.accountId):function:\(function)"
            if resource.type == Self.aliasType {
                let arn = "\(base):\(resource.properties["Name"]?.scalarText ?? "")"
                return ResourceIdentity(physicalId: arn, attributes: ["AliasArn": arn])
            }
            return ResourceIdentity(physicalId: "\(base):1", attributes: ["FunctionArn": "\(base):1", "Version": "1"])
        }
        guard resource.type == Self.functionType else { return resource.nameOnly }
        let function = resource.physicalName
        return ResourceIdentity(
            physicalId: function,
            attributes: ["Arn": "arn:\(configuration.partition):lambda:\(configuration.region):\(configuration.accountId):function:\(function)"]
        )
    }

    /// The function name a `FunctionName` property gives: a name, or the name inside a function ARN or partial ARN
    /// (`123456789012:function:NAME`), without a qualifier.
    /// - Parameter text: The property's value.
    /// - Returns: The name.
    package static func functionName(_ text: String) -> String {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let marker = parts.firstIndex(of: "function"), marker + 1 < parts.count else { return text }
        return parts[marker + 1]
    }

    /// Decodes every function.
    /// - Parameter stack: The resolved stack.
    /// - Throws: ``TemplateError`` for the first function with a wrongly shaped property or no `Code`.
    package func validateSpecs(in stack: Stack) throws(TemplateError) {
        let functions = try stack.lambdaFunctions
        _ = try stack.lambdaLayers
        _ = try stack.lambdaEventSourceMappings
        // A permission CloudFormation could not create (a missing property, a function the stack does not have, a bad
        // action or principal) fails the stack's creation.
        let templateFunctions = functions.map {
            LambdaFunction(
                spec: $0,
                accountId: stack.configuration.accountId,
                region: stack.configuration.region,
                lastModified: Date(timeIntervalSince1970: 0)
            )
        }
        // A start-up template's versions are numbered 1 (no stack published any before); a second version of one
        // function would need the number Lambda assigns, which only a stack deployed through the API gets.
        var versioned: Set<String> = []
        for resource in stack.lambdaVersionsAndAliases {
            let spec = try LambdaVersionSpec(resource)
            guard resource.type == Self.versionType else { continue }
            guard versioned.insert(spec.functionName).inserted else {
                throw TemplateError(
                    .unsupported,
                    "a second AWS::Lambda::Version of function \(spec.functionName) is not supported in the start-up template "
                        + "(deploy it with the CloudFormation API, which numbers versions as Lambda publishes them)",
                    at: resource.location,
                    logicalId: resource.logicalId
                )
            }
        }
        for resource in stack.resources(ofType: Self.layerPermissionType) {
            do {
                _ = try LambdaLayerVersionPermissionDeployer.templateStatement(resource)
            } catch {
                throw TemplateError(
                    .invalidProperty,
                    "Resource handler returned message: \"\(error)\"",
                    at: resource.location,
                    logicalId: resource.logicalId
                )
            }
        }
        for resource in stack.lambdaPermissions {
            do {
                _ = try LambdaPermissionDeployer.templateStatement(resource, functions: templateFunctions)
            } catch {
                throw TemplateError(
                    .invalidProperty,
                    "Resource handler returned message: \"\(error)\"",
                    at: resource.location,
                    logicalId: resource.logicalId
                )
            }
        }
    }
}

extension Stack {
    /// The Lambda functions in dependency order.
    package var lambdaFunctions: [LambdaFunctionSpec] {
        get throws(TemplateError) {
            try specs(ofType: LambdaResourceProvider.functionType, LambdaFunctionSpec.init)
        }
    }

    /// The `AWS::Lambda::Version`s and `AWS::Lambda::Alias`es (SAM `AutoPublishAlias`'s too), in dependency order.
    package var lambdaVersionsAndAliases: [StackResource] {
        resources.filter { $0.type == LambdaResourceProvider.versionType || $0.type == LambdaResourceProvider.aliasType }
    }

    /// The `AWS::Lambda::Permission`s (SAM's generated ones too), in dependency order.
    package var lambdaPermissions: [StackResource] { resources(ofType: LambdaResourceProvider.permissionType) }

    /// The event source mappings (`AWS::Lambda::EventSourceMapping`, and SAM's `Type: DynamoDB` events).
    package var lambdaEventSourceMappings: [EventSourceMappingSpec] {
        get throws(TemplateError) {
            try specs(ofType: LambdaResourceProvider.eventSourceMappingType, EventSourceMappingSpec.init)
        }
    }

    /// The Lambda layer versions.
    package var lambdaLayers: [LambdaLayerSpec] {
        get throws(TemplateError) {
            try specs(ofType: LambdaResourceProvider.layerType, LambdaLayerSpec.init)
        }
    }
}
