import AWSGateway
import EmulatorCore
import Foundation
import Hummingbird

extension LambdaService {
    /// Runs a version or alias operation; `nil` for other operations.
    func versionsOperation(_ request: AWSRequest, _ operation: LambdaOperation, function: LambdaFunction) async throws -> Response? {
        switch operation {
        case .publishVersion: return try await publishVersion(request, function: function)
        case .listVersionsByFunction:
            // AWS lists `$LATEST` with its qualified ARN (`...:function:NAME:$LATEST`), then the published versions.
            var latest = function.configuration()
            latest["FunctionArn"] = function.arn + ":$LATEST"
            let versions = [latest] + catalog.versions(of: function.name).map { $0.configuration() }
            return Self.json(["Versions": versions], status: .ok, requestId: request.requestId)
        case .createAlias: return try await createAlias(request, function: function)
        case .listAliases:
            let wanted = request.query("FunctionVersion")
            let aliases = catalog.aliases(of: function.name).filter { wanted == nil || $0.functionVersion == wanted }
            return Self.json(
                ["Aliases": aliases.map { $0.configuration(functionArn: function.arn) }],
                status: .ok,
                requestId: request.requestId
            )
        case .getAlias(_, let name):
            let alias = try existingAlias(name, of: function)
            return Self.json(alias.configuration(functionArn: function.arn), status: .ok, requestId: request.requestId)
        case .updateAlias(_, let name): return try await updateAlias(request, function: function, name: name)
        case .deleteAlias(_, let name):
            // AWS answers 204 for an alias that does not exist.
            try await deleteAlias(function.name, name)
            return Self.empty(status: .noContent, requestId: request.requestId)
        default: return nil
        }
    }

    /// [PublishVersion](https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html): freezes `$LATEST`'s
    /// code and configuration as the next version (or answers the last version when nothing changed since).
    private func publishVersion(_ request: AWSRequest, function: LambdaFunction) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        let sha = try body.string("CodeSha256")
        let description = try body.string("Description")
        if let description { try FunctionValidation.description(description) }
        let revision = try body.string("RevisionId")
        let published = try await publishVersion(function.name, codeSha256: sha, description: description, revisionId: revision)
        return Self.json(published.configuration(), status: .created, requestId: request.requestId)
    }

    /// PublishVersion's checks and publication (the API's and CloudFormation's `AWS::Lambda::Version`).
    /// - Parameters:
    ///   - name: The function name.
    ///   - sha: `CodeSha256`: publish only when `$LATEST`'s code has this hash.
    ///   - description: The version's description.
    ///   - revision: `RevisionId`: publish only when `$LATEST` has this revision.
    /// - Returns: The published version (or the last one when nothing changed since it).
    /// - Throws: ``LambdaError`` or storage errors.
    func publishVersion(_ name: String, codeSha256 sha: String?, description: String?, revisionId revision: String?) async throws -> LambdaFunction {
        try await deployer.serialized {
            guard let current = catalog.function(named: name) else {
                throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: name))
            }
            if let revision, revision != current.revisionId { throw LambdaError.preconditionFailed(LambdaMessages.revisionMismatch) }
            let currentSha = current.configuration()["CodeSha256"] as? String ?? ""
            if let sha, sha != currentSha {
                throw LambdaError.invalidParameterValue(
                    "CodeSHA256 (\(sha)) is different from current CodeSHA256 in $LATEST (\(currentSha)). Please try again from GetFunction."
                )
            }
            return try await publishLocked(name, description: description)
        }
    }

    /// The version PublishVersion would answer now: the last one when nothing changed since it, else the next number.
    /// - Parameters:
    ///   - name: The function name.
    ///   - description: The version's description.
    /// - Returns: The version number, or nil when there is no such function.
    func nextVersion(of name: String, description: String?) -> String? {
        guard let current = catalog.function(named: name) else { return nil }
        let versions = catalog.versions(of: name)
        if let last = versions.last, Self.unchanged(since: last, current, description: description) { return last.version }
        return String((versions.compactMap { Int($0.version) }.max() ?? 0) + 1)
    }

    private static func unchanged(since last: LambdaFunction, _ current: LambdaFunction, description: String?) -> Bool {
        last.spec.code == current.spec.code && last.deploymentPackage == current.deploymentPackage
            && sameConfiguration(last.spec, current.spec) && (description == nil || description == last.spec.description)
    }

    /// Publishes `$LATEST` as the next version. Call it inside the deployer's serialized changes.
    /// - Parameters:
    ///   - name: The function name.
    ///   - description: The version's description (else `$LATEST`'s).
    /// - Returns: The new version, or the last one when code and configuration did not change since it.
    /// - Throws: ``LambdaError`` or storage errors.
    func publishLocked(_ name: String, description: String?) async throws -> LambdaFunction {
        guard let current = catalog.function(named: name) else { throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: name)) }
        let versions = catalog.versions(of: name)
        if let last = versions.last, Self.unchanged(since: last, current, description: description) { return last }
        let number = (versions.compactMap { Int($0.version) }.max() ?? 0) + 1
        var version = current
        version.version = String(number)
        version.revision = RequestID.uuid()
        version.policyStatements = []
        if let description { version.spec.description = description }
        catalog.addVersion(version, runtime: FunctionRuntime(function: version, host: deployer.host))
        do {
            try await deployer.persist(name)
        } catch {
            _ = catalog.removeVersion(name, version: version.version)
            throw error
        }
        return version
    }

    private static func sameConfiguration(_ a: LambdaFunctionSpec, _ b: LambdaFunctionSpec) -> Bool {
        var left = a
        var right = b
        left.tags = [:]
        right.tags = [:]
        left.reservedConcurrency = nil
        right.reservedConcurrency = nil
        return left == right
    }

    /// Deletes a published version (DeleteFunction with `Qualifier`).
    func deleteVersion(_ name: String, version: String) async throws {
        try await deployer.serialized {
            guard let function = catalog.function(named: name) else { throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: name)) }
            guard catalog.versions(of: name).contains(where: { $0.version == version }) else {
                throw LambdaError.resourceNotFound(arn: "\(function.arn):\(version)")
            }
            if let alias = catalog.aliases(of: name).first(where: { $0.functionVersion == version || $0.additionalVersionWeights[version] != nil }) {
                throw LambdaError.resourceConflict(
                    "Unable to delete version because the following aliases reference it: [\(alias.name)]"
                )
            }
            let runtime = catalog.removeVersion(name, version: version)
            try await deployer.persist(name)
            await runtime?.reclaim(idleSince: .distantFuture)
        }
    }

    private func existingAlias(_ name: String, of function: LambdaFunction) throws(LambdaError) -> FunctionAlias {
        guard let alias = catalog.aliases(of: function.name).first(where: { $0.name == name }) else {
            throw .resourceMissing("Alias not found: \(function.arn):\(name)")
        }
        return alias
    }

    /// The alias name constraint: `(?!^[0-9]+$)([a-zA-Z0-9-_]+)`, 1 to 128 characters.
    static func checkAliasName(_ name: String) throws(LambdaError) {
        let valid =
            (1...128).contains(name.count) && name.allSatisfy(FunctionValidation.isNameCharacter) && !name.allSatisfy(\.isNumber)
        guard valid else {
            throw .validation(
                LambdaMessages.validation(name, at: "name", "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
            )
        }
    }

    /// The version an alias may point to: `$LATEST` or a published version.
    func checkVersion(_ version: String, of function: LambdaFunction) throws(LambdaError) {
        guard version == "$LATEST" || catalog.versions(of: function.name).contains(where: { $0.version == version }) else {
            throw .resourceNotFound(arn: "\(function.arn):\(version)")
        }
    }

    /// `RoutingConfig.AdditionalVersionWeights`: published versions other than the primary, weights 0 to 1.
    private func routingWeights(_ body: JSONBody, primary: String, function: LambdaFunction) throws(LambdaError) -> [String: Double]? {
        guard let routing = try body.body("RoutingConfig") else { return nil }
        guard let raw = routing.object["AdditionalVersionWeights"] else { return [:] }
        guard let map = raw as? [String: Any] else {
            throw .invalidRequestContent(LambdaMessages.invalidJSON("Member AdditionalVersionWeights must be a map of numbers"))
        }
        var weights: [String: Double] = [:]
        for (version, value) in map {
            guard let number = value as? NSNumber else {
                throw .invalidRequestContent(LambdaMessages.invalidJSON("Member AdditionalVersionWeights must be a map of numbers"))
            }
            weights[version] = number.doubleValue
        }
        try checkWeights(weights, primary: primary, function: function)
        return weights
    }

    /// `AdditionalVersionWeights`' constraints: weights 0 to 1, published versions other than the primary, at most one.
    func checkWeights(_ weights: [String: Double], primary: String, function: LambdaFunction) throws(LambdaError) {
        for (version, weight) in weights.sorted(by: { $0.key < $1.key }) {
            guard weight >= 0, weight <= 1 else {
                throw .validation(
                    "1 validation error detected: Value '{\(version)=\(weight)}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]"
                )
            }
            guard version != "$LATEST", version != primary else {
                throw .invalidParameterValue(
                    "Invalid function version \(version). Function version \(version) is already included in routing configuration."
                )
            }
            try checkVersion(version, of: function)
        }
        if weights.count > 1 {
            throw .invalidParameterValue("Number of items in AdditionalVersionWeights cannot be greater than 1")
        }
        if primary == "$LATEST", !weights.isEmpty {
            throw .invalidParameterValue("$LATEST is not supported for an alias pointing to more than 1 version")
        }
    }

    /// [CreateAlias](https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html).
    private func createAlias(_ request: AWSRequest, function: LambdaFunction) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        guard let name = try body.string("Name") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "name", "Member must not be null"))
        }
        try Self.checkAliasName(name)
        guard let version = try body.string("FunctionVersion") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "functionVersion", "Member must not be null"))
        }
        let description = try body.string("Description") ?? ""
        try FunctionValidation.description(description)
        try checkVersion(version, of: function)
        let weights = try routingWeights(body, primary: version, function: function) ?? [:]
        let alias = try await putAlias(
            function.name,
            FunctionAlias(name: name, functionVersion: version, description: description, additionalVersionWeights: weights, revisionId: ""),
            creating: true
        )
        return Self.json(alias.configuration(functionArn: function.arn), status: .created, requestId: request.requestId)
    }

    /// Creates an alias (refused when it exists) or, with `creating` false, replaces its version, weights and
    /// description (its own policy stays): CreateAlias's and CloudFormation's `AWS::Lambda::Alias` path.
    /// - Parameters:
    ///   - name: The function name.
    ///   - alias: The alias (its revision id is replaced).
    ///   - creating: Whether an existing alias is a conflict.
    /// - Returns: The stored alias.
    /// - Throws: ``LambdaError`` (no such function or version, bad name, description or weights, an existing alias) or
    ///   storage errors.
    func putAlias(_ name: String, _ alias: FunctionAlias, creating: Bool) async throws -> FunctionAlias {
        guard let function = catalog.function(named: name) else { throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: name)) }
        try Self.checkAliasName(alias.name)
        try FunctionValidation.description(alias.description)
        try checkVersion(alias.functionVersion, of: function)
        try checkWeights(alias.additionalVersionWeights, primary: alias.functionVersion, function: function)
        return try await deployer.serialized {
            let existing = catalog.aliases(of: name).first { $0.name == alias.name }
            if creating, existing != nil { throw LambdaError.resourceConflict("Alias already exists: \(function.arn):\(alias.name)") }
            var stored = alias
            stored.revisionId = RequestID.uuid()
            stored.policyStatements = existing?.policyStatements
            catalog.setAlias(name, stored)
            do {
                try await deployer.persist(name)
            } catch {
                if let existing { catalog.setAlias(name, existing) } else { catalog.removeAlias(name, alias.name) }
                throw error
            }
            return stored
        }
    }

    /// Deletes an alias (none is not an error, as DeleteAlias answers 204).
    /// - Parameters:
    ///   - name: The function name.
    ///   - alias: The alias name.
    /// - Throws: Storage errors.
    func deleteAlias(_ name: String, _ alias: String) async throws {
        try await deployer.serialized {
            catalog.removeAlias(name, alias)
            try await deployer.persist(name)
        }
    }

    /// [UpdateAlias](https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html).
    private func updateAlias(_ request: AWSRequest, function: LambdaFunction, name: String) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        let version = try body.string("FunctionVersion")
        let description = try body.string("Description")
        if let description { try FunctionValidation.description(description) }
        let revision = try body.string("RevisionId")
        let existing = try existingAlias(name, of: function)
        if let version { try checkVersion(version, of: function) }
        let weights = try routingWeights(body, primary: version ?? existing.functionVersion, function: function)
        let updated = try await deployer.serialized {
            var alias = try existingAlias(name, of: function)
            if let revision, revision != alias.revisionId { throw LambdaError.preconditionFailed(LambdaMessages.revisionMismatch) }
            if let version { alias.functionVersion = version }
            if let weights { alias.additionalVersionWeights = weights }
            if let description { alias.description = description }
            alias.revisionId = RequestID.uuid()
            catalog.setAlias(function.name, alias)
            try await deployer.persist(function.name)
            return alias
        }
        return Self.json(updated.configuration(functionArn: function.arn), status: .ok, requestId: request.requestId)
    }
}
