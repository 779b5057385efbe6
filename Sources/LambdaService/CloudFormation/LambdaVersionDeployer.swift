import CloudFormation

/// What the Lambda service needs of one `AWS::Lambda::Version` or `AWS::Lambda::Alias`.
package struct LambdaVersionSpec: Sendable, Equatable {
    /// The function name (`FunctionName`: a name or an ARN).
    package var functionName: String
    /// A version: its number as the resolver (or Lambda) gave it (`Version` attribute); an alias: its name.
    package var qualifier: String
    /// `Description`.
    package var description: String?
    /// A version's `CodeSha256`.
    package var codeSha256: String?
    /// An alias's `FunctionVersion`.
    package var functionVersion: String
    /// An alias's `RoutingConfig.AdditionalVersionWeights` (`FunctionVersion` → `FunctionWeight`).
    package var weights: [String: Double]

    /// Decodes an `AWS::Lambda::Version` or `AWS::Lambda::Alias` resource.
    /// - Parameter resource: The resolved resource.
    /// - Throws: ``TemplateError`` when a property has the wrong shape or a required one is missing.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        functionName = LambdaResourceProvider.functionName(try reader["FunctionName"].requiredString())
        description = try reader["Description"].string()
        if resource.type == LambdaResourceProvider.aliasType {
            qualifier = try reader["Name"].requiredString()
            functionVersion = try reader["FunctionVersion"].requiredString()
            codeSha256 = nil
            var weights: [String: Double] = [:]
            for entry in try reader["RoutingConfig"]["AdditionalVersionWeights"].list() ?? [] {
                let weight = try entry["FunctionWeight"].requiredString()
                guard let number = Double(weight) else { throw entry["FunctionWeight"].failure("a number") }
                weights[try entry["FunctionVersion"].requiredString()] = number
            }
            self.weights = weights
        } else {
            qualifier = resource.attributes["Version"] ?? "1"
            functionVersion = qualifier
            codeSha256 = try reader["CodeSha256"].string()
            weights = [:]
        }
    }
}

/// Deploys `AWS::Lambda::Version` (and SAM `AutoPublishAlias`'s versions) through PublishVersion's code: the version
/// number is Lambda's (the next one, or the last when `$LATEST` did not change since), so `Ref` (the version ARN) and
/// `Fn::GetAtt Version` give what Lambda assigned. Every property replaces a version; deleting it deletes the version
/// (refused while an alias routes to it, as DeleteFunction with a qualifier refuses).
package struct LambdaVersionDeployer: ResourceDeployer {
    private let service: LambdaService

    /// Creates the deployer of one Lambda service.
    /// - Parameter service: The service whose functions get the versions.
    package init(service: LambdaService) { self.service = service }

    /// Versions.
    package var deployableTypes: Set<String> { [LambdaResourceProvider.versionType] }

    /// Every property of a version replaces it, as the CloudFormation resource reference marks them.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> {
        ["FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig", "RuntimePolicy"]
    }

    /// Version numbers are Lambda's.
    /// - Parameter type: The resource type.
    /// - Returns: True.
    package func assignsPhysicalIds(of type: String) -> Bool { true }

    /// The version PublishVersion will answer: `Ref`/`FunctionArn` the qualified ARN, `Version` the number.
    /// - Parameters:
    ///   - resource: The version about to be published.
    ///   - stack: Its stack.
    /// - Returns: The identity; nil when the function does not exist (creation then fails with Lambda's error).
    package func assignedIdentity(of resource: StackResource, in stack: Stack) async -> ResourceIdentity? {
        guard let spec = try? LambdaVersionSpec(resource),
            let number = service.nextVersion(of: spec.functionName, description: spec.description)
        else { return nil }
        let arn = "\(service.catalog.unqualifiedArn(for: spec.functionName)):\(number)"
        return ResourceIdentity(physicalId: arn, attributes: ["FunctionArn": arn, "Version": number])
    }

    /// Publishes the version.
    /// - Parameters:
    ///   - resource: The resolved version.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message (no such function, a `CodeSha256` that differs), or
    ///   when Lambda published another number than the one resolved.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try Self.spec(resource)
        let published: LambdaFunction
        do {
            published = try await service.publishVersion(
                spec.functionName,
                codeSha256: spec.codeSha256,
                description: spec.description,
                revisionId: nil
            )
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
        guard published.version == spec.qualifier else {
            throw ResourceDeploymentError("Lambda published version \(published.version) of \(spec.functionName), not \(spec.qualifier)")
        }
    }

    /// Nothing changes in place: every property replaces a version.
    /// - Parameters:
    ///   - old: The deployed version.
    ///   - new: The new version.
    ///   - stack: The new stack.
    /// - Throws: Nothing.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {}

    /// Deletes the version (a function or version already gone is not an error).
    /// - Parameters:
    ///   - resource: The deployed version.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message when an alias still routes to it.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try Self.spec(resource)
        guard service.catalog.versions(of: spec.functionName).contains(where: { $0.version == spec.qualifier }) else { return }
        do {
            try await service.deleteVersion(spec.functionName, version: spec.qualifier)
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }

    static func spec(_ resource: StackResource) throws -> LambdaVersionSpec {
        do {
            return try LambdaVersionSpec(resource)
        } catch {
            throw ResourceDeploymentError(error.description)
        }
    }
}

/// Deploys `AWS::Lambda::Alias` (and SAM `AutoPublishAlias`'s alias) through CreateAlias's and UpdateAlias's code:
/// `FunctionVersion`, `Description` and `RoutingConfig` change in place, `FunctionName` and `Name` replace it.
package struct LambdaAliasDeployer: ResourceDeployer {
    private let service: LambdaService

    /// Creates the deployer of one Lambda service.
    /// - Parameter service: The service whose functions get the aliases.
    package init(service: LambdaService) { self.service = service }

    /// Aliases.
    package var deployableTypes: Set<String> { [LambdaResourceProvider.aliasType] }

    /// A new function or name replaces an alias.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["FunctionName", "Name"] }

    /// Creates the alias.
    /// - Parameters:
    ///   - resource: The resolved alias.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        try await put(resource, creating: true)
    }

    /// Points the alias at its new version, weights and description.
    /// - Parameters:
    ///   - old: The deployed alias.
    ///   - new: The new alias.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` with Lambda's message.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        try await put(new, creating: false)
    }

    /// Deletes the alias (one already gone is not an error).
    /// - Parameters:
    ///   - resource: The deployed alias.
    ///   - stack: Its stack.
    /// - Throws: Storage errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try LambdaVersionDeployer.spec(resource)
        guard service.catalog.function(named: spec.functionName) != nil else { return }
        try await service.deleteAlias(spec.functionName, spec.qualifier)
    }

    private func put(_ resource: StackResource, creating: Bool) async throws {
        let spec = try LambdaVersionDeployer.spec(resource)
        let alias = FunctionAlias(
            name: spec.qualifier,
            functionVersion: spec.functionVersion,
            description: spec.description ?? "",
            additionalVersionWeights: spec.weights,
            revisionId: ""
        )
        do {
            _ = try await service.putAlias(spec.functionName, alias, creating: creating)
        } catch let error as LambdaError {
            throw ResourceDeploymentError(error.message)
        }
    }
}
