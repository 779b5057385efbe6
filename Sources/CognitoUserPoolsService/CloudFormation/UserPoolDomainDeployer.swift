import CloudFormation
import Foundation

/// Deploys `AWS::Cognito::UserPoolDomain` for the CloudFormation API's stacks, through the user pool service's store.
///
/// Supported: `UserPoolId`, `Domain` (the `Ref`, a prefix domain), `ManagedLoginVersion`. A `CustomDomainConfig`
/// fails the resource with Cognito's answer for a certificate that does not exist (the emulator has no ACM).
package struct UserPoolDomainDeployer: ResourceDeployer {
    private let service: CognitoUserPoolsService

    /// Creates the deployer.
    /// - Parameter service: The user pool service.
    package init(service: CognitoUserPoolsService) { self.service = service }

    /// Domains.
    package var deployableTypes: Set<String> { [UserPoolProvider.domainType] }

    /// `Domain` and `UserPoolId` replace a domain.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["Domain", "UserPoolId"] }

    /// Gives the pool its domain.
    /// - Parameters:
    ///   - resource: The resolved resource.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with Cognito's reason.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try UserPoolDomainSpec(resource)
        if let refusal = CognitoUserPoolsService.refusal(spec) { throw ResourceDeploymentError(refusal.message) }
        switch try await service.store.insert(CognitoUserPoolsService.record(from: spec, now: service.clock.now)) {
        case .inserted: return
        case .poolHasDomain: throw ResourceDeploymentError(UserPoolsError.domainConfigured.message)
        case .domainTaken: throw ResourceDeploymentError(UserPoolsError.domainTaken.message)
        }
    }

    /// Changes the domain's `ManagedLoginVersion` (a `CustomDomainConfig` is refused).
    /// - Parameters:
    ///   - old: The deployed resource.
    ///   - new: The new resource.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the domain is gone or refused.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        let spec = try UserPoolDomainSpec(new)
        if let refusal = CognitoUserPoolsService.refusal(spec) { throw ResourceDeploymentError(refusal.message) }
        guard try await service.store.updateDomain(spec.domain, poolId: spec.poolId, managedLoginVersion: spec.managedLoginVersion) else {
            throw ResourceDeploymentError(UserPoolsError.noSuchDomain.message)
        }
    }

    /// Deletes the domain.
    /// - Parameters:
    ///   - resource: The deployed resource.
    ///   - stack: Its stack.
    /// - Throws: Database errors.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        guard let poolId = resource.properties["UserPoolId"]?.scalarText else { return }
        _ = try await service.store.deleteDomain(resource.physicalId, poolId: poolId)
    }
}
