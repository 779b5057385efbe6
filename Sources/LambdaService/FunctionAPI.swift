import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import IAM
import NIOCore
import Storage

/// A REST-JSON request body as a JSON object, with typed member reads that answer AWS's errors for wrong types.
struct JSONBody {
    /// The members.
    let object: [String: Any]

    /// Parses a request body (empty is `{}`).
    /// - Parameter data: The body.
    /// - Throws: `InvalidRequestContentException` when it is not a JSON object.
    init(_ data: Data) throws(LambdaError) {
        guard !data.isEmpty else {
            object = [:]
            return
        }
        guard let parsed = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            let preview = String(decoding: data.prefix(40), as: UTF8.self)
            throw .invalidRequestContent(LambdaMessages.invalidJSON("Unrecognized token '\(preview)': was expecting JSON"))
        }
        object = parsed
    }

    /// Creates a body from members.
    /// - Parameter object: The members.
    init(object: [String: Any]) { self.object = object }

    private static func wrongType(_ key: String, _ expected: String) -> LambdaError {
        .invalidRequestContent(LambdaMessages.invalidJSON("Member \(key) must be \(expected)"))
    }

    /// A string member.
    func string(_ key: String) throws(LambdaError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw Self.wrongType(key, "a string") }
        return text
    }

    /// An integer member.
    func int(_ key: String) throws(LambdaError) -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber else { throw Self.wrongType(key, "an integer") }
        let double = number.doubleValue
        guard double.rounded() == double else { throw Self.wrongType(key, "an integer") }
        return LambdaNumbers.clampedInt(double)
    }

    /// A boolean member.
    func bool(_ key: String) throws(LambdaError) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let flag = value as? Bool else { throw Self.wrongType(key, "a boolean") }
        return flag
    }

    /// An object member.
    func body(_ key: String) throws(LambdaError) -> JSONBody? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let nested = value as? [String: Any] else { throw Self.wrongType(key, "an object") }
        return JSONBody(object: nested)
    }

    /// A map of strings.
    func stringMap(_ key: String) throws(LambdaError) -> [String: String]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let map = value as? [String: Any] else { throw Self.wrongType(key, "a map of strings") }
        var result: [String: String] = [:]
        for (name, item) in map {
            guard let text = item as? String else { throw Self.wrongType(key, "a map of strings") }
            result[name] = text
        }
        return result
    }

    /// A list of strings.
    func stringList(_ key: String) throws(LambdaError) -> [String]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let list = value as? [Any] else { throw Self.wrongType(key, "a list of strings") }
        var result: [String] = []
        for item in list {
            guard let text = item as? String else { throw Self.wrongType(key, "a list of strings") }
            result.append(text)
        }
        return result
    }
}

extension LambdaService {
    // MARK: Data folder and in-process deploys

    /// Opens `lambda.sqlite` in the data folder (memory with `--ephemeral`) for the functions the API created or
    /// changed (laid over the template's) and the event source mappings; uploaded packages go to `lambda-packages/`.
    /// Call it once at start, before the supervisor runs.
    /// - Parameter location: Where data lives.
    /// - Throws: When the database cannot be opened or migrated.
    package func open(_ location: DataLocation) throws {
        let writer = try location.openDatabase(named: "lambda", migrator: LambdaDatabase.migrator)
        try deployer.layers.open(writer: writer)
        try deployer.open(writer: writer, packageFolder: try location.blobDirectory(named: "lambda-packages"))
        try eventSourceMappings.open(writer: writer)
    }

    /// Connects the emulated S3 for `S3Bucket`/`S3Key` code (read in-process, never over the network).
    /// - Parameter source: Reads an object.
    package func attachCodeSource(_ source: @escaping LambdaCodeSource) { deployer.attach(source) }

    /// Deploys a function from a spec (the template provider's shape): creates it, or replaces the function of the
    /// same name; its next invocation starts a fresh environment. `.zipFile` and local `.localPath` code is used as
    /// is; `.s3` code is read from the emulated S3 and kept in the data folder.
    /// - Parameter spec: The function's spec.
    /// - Returns: The deployed function.
    /// - Throws: ``LambdaError`` when its S3 code cannot be read, or storage errors.
    @discardableResult
    package func deploy(spec: LambdaFunctionSpec) async throws -> LambdaFunction {
        var spec = spec
        var uploaded: DeploymentPackage?
        if case .s3(let bucket, let key) = spec.code {
            let data = try await s3Code(bucket: bucket, key: key, version: nil)
            (spec.code, uploaded) = try deployer.keepPackage(data, function: spec.functionName)
        }
        let deployed = spec
        let deployedPackage = uploaded
        return try await deployer.serialized {
            let function = newFunction(deployed, uploaded: deployedPackage, previous: catalog.function(named: deployed.functionName))
            try await deployer.deploy(function)
            return function
        }
    }

    /// Removes a function (what DeleteFunction does).
    /// - Parameters:
    ///   - name: The function name.
    ///   - remembered: Whether the removal of a template function survives a restart (DeleteFunction); a
    ///     CloudFormation stack's deletion is not remembered, as the next start deploys the template again.
    /// - Throws: ``LambdaError/resourceNotFound(arn:)`` when there is none, or storage errors.
    package func remove(name: String, remembered: Bool = true) async throws {
        try await deployer.serialized {
            guard catalog.function(named: name) != nil else { throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: name)) }
            try await deployer.remove(name, remembered: remembered)
        }
    }

    private func newFunction(_ spec: LambdaFunctionSpec, uploaded: DeploymentPackage?, previous: LambdaFunction?) -> LambdaFunction {
        let current = environment.current
        var function = LambdaFunction(spec: spec, accountId: current.accountId, region: current.region, lastModified: clock.now)
        function.layers = spec.layers.compactMap { deployer.layers.content($0) }
        function.unresolvedLayers = spec.layers.filter { deployer.layers.content($0) == nil }
        function.deploymentPackage = uploaded
        function.revision = RequestID.uuid()
        function.policyStatements = previous?.policyStatements ?? []
        return function
    }

    // MARK: Control plane operations

    /// Runs a control-plane operation on a located, authorized function; `nil` for other operations.
    /// - Parameters:
    ///   - request: The request.
    ///   - operation: The operation.
    ///   - function: The located function (the version a qualifier names).
    ///   - qualifier: The qualifier in effect (the `Qualifier` parameter or one embedded in the name), if any.
    /// - Returns: The response, or nil.
    /// - Throws: ``LambdaError`` or storage errors.
    func controlPlane(
        _ request: AWSRequest,
        _ operation: LambdaOperation,
        function: LambdaFunction,
        qualifier: String? = nil
    ) async throws -> Response? {
        // AddPermission, RemovePermission and GetPolicy with a version or alias act on that version's or alias's own policy.
        let policyQualifier = qualifier == "$LATEST" ? nil : qualifier
        switch operation {
        case .deleteFunction: return try await deleteFunction(request, function: function)
        case .updateFunctionCode: return try await updateFunctionCode(request, function: function)
        case .updateFunctionConfiguration: return try await updateFunctionConfiguration(request, function: function)
        case .putFunctionConcurrency: return try await putFunctionConcurrency(request, function: function)
        case .deleteFunctionConcurrency:
            try await change(function.name, bumpsRevision: false) { $0.spec.reservedConcurrency = nil }
            return Self.empty(status: .noContent, requestId: request.requestId)
        case .addPermission:
            if qualifier == "$LATEST" { throw LambdaError.invalidParameterValue(LambdaMessages.noLatestPolicies) }
            return try await addPermission(request, function: function, qualifier: policyQualifier)
        case .removePermission(_, let statementId):
            return try await removePermission(request, function: function, qualifier: policyQualifier, statementId: statementId)
        case .getPolicy: return try getPolicy(request, function: function, qualifier: policyQualifier)
        case .tagResource:
            let body = try JSONBody(request.bodyData)
            guard let tags = try body.stringMap("Tags"), !tags.isEmpty else {
                throw LambdaError.invalidParameterValue("Tags cannot be empty")
            }
            try await change(function.name, bumpsRevision: false) { $0.spec.tags.merge(tags) { _, new in new } }
            return Self.empty(status: .noContent, requestId: request.requestId)
        case .untagResource:
            let keys = request.queryItems.filter { $0.name == "tagKeys" }.map(\.value)
            try await change(function.name, bumpsRevision: false) { function in
                for key in keys { function.spec.tags[key] = nil }
            }
            return Self.empty(status: .noContent, requestId: request.requestId)
        case .listTags:
            return Self.json(["Tags": function.spec.tags], status: .ok, requestId: request.requestId)
        default: return try await versionsOperation(request, operation, function: function)
        }
    }

    /// Applies a change to the current version of a function and deploys it.
    /// - Parameters:
    ///   - name: The function name.
    ///   - bumpsRevision: Whether the change gives the function a new revision id and `LastModified`.
    ///   - expectedRevision: `RevisionId` from the request, which must be the current one.
    ///   - body: The change.
    /// - Returns: The deployed function.
    /// - Throws: ``LambdaError`` (no such function, a stale revision, what `body` throws) or storage errors.
    @discardableResult
    func change(
        _ name: String,
        bumpsRevision: Bool = true,
        expectedRevision: String? = nil,
        _ body: @escaping @Sendable (inout LambdaFunction) throws -> Void
    ) async throws -> LambdaFunction {
        try await deployer.serialized {
            guard var function = catalog.function(named: name) else {
                throw LambdaError.resourceNotFound(arn: catalog.unqualifiedArn(for: name))
            }
            if let expectedRevision, expectedRevision != function.revisionId {
                throw LambdaError.preconditionFailed(LambdaMessages.revisionMismatch)
            }
            try body(&function)
            if bumpsRevision {
                function.revision = RequestID.uuid()
                function.lastModified = clock.now
            }
            try await deployer.deploy(function)
            return function
        }
    }

    /// [CreateFunction](https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html).
    func createFunction(_ request: AWSRequest) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        guard let nameValue = try body.string("FunctionName") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "functionName", "Member must not be null"))
        }
        let name = try FunctionValidation.functionName(nameValue)
        try await authorize(request, action: "lambda:CreateFunction", resource: catalog.unqualifiedArn(for: name))
        guard let role = try body.string("Role") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "role", "Member must not be null"))
        }
        try FunctionValidation.roleArn(role)
        let packageType = try body.string("PackageType") ?? "Zip"
        guard packageType == "Zip" || packageType == "Image" else {
            throw LambdaError.validation(
                LambdaMessages.validation(packageType, at: "packageType", "Member must satisfy enum value set: [Image, Zip]")
            )
        }
        let runtime = try body.string("Runtime")
        let handler = try body.string("Handler")
        if let runtime { try FunctionValidation.runtime(runtime) }
        if let handler { try FunctionValidation.handler(handler) }
        if packageType == "Zip", runtime == nil || handler == nil {
            throw LambdaError.invalidParameterValue("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
        }
        let timeout = try body.int("Timeout") ?? 3
        try FunctionValidation.timeout(timeout)
        let memorySize = try body.int("MemorySize") ?? 128
        try FunctionValidation.memorySize(memorySize)
        let description = try body.string("Description") ?? ""
        try FunctionValidation.description(description)
        let variables = try body.body("Environment")?.stringMap("Variables") ?? [:]
        try FunctionValidation.environment(variables)
        let layers = try body.stringList("Layers") ?? []
        try checkLayers(layers)
        let architectures = try body.stringList("Architectures") ?? ["x86_64"]
        try Self.checkArchitectures(architectures)
        let tags = try body.stringMap("Tags") ?? [:]
        try checkRole(role)
        guard let codeBody = try body.body("Code") else { throw LambdaError.invalidParameterValue(LambdaMessages.noCodeSource) }
        let (code, uploaded) = try await deploymentPackage(codeBody, packageType: packageType, function: name)
        let spec = LambdaFunctionSpec(
            logicalId: name,
            functionName: name,
            arn: "",
            code: code,
            handler: packageType == "Zip" ? handler : nil,
            runtime: packageType == "Zip" ? runtime : nil,
            timeout: timeout,
            memorySize: memorySize,
            environment: variables,
            roleArn: role,
            reservedConcurrency: nil,
            architectures: architectures,
            description: description,
            tags: tags,
            layers: layers
        )
        let publish = try body.bool("Publish") == true
        let function = try await deployer.serialized {
            guard catalog.function(named: name) == nil else { throw LambdaError.resourceConflict(LambdaMessages.functionExists(name)) }
            let function = newFunction(spec, uploaded: uploaded, previous: nil)
            try await deployer.deploy(function)
            if publish { return try await publishLocked(name, description: nil) }
            return function
        }
        var configuration = function.configuration()
        configuration["State"] = "Pending"
        configuration["StateReason"] = "The function is being created."
        configuration["StateReasonCode"] = "Creating"
        configuration["LastUpdateStatus"] = nil
        return Self.json(configuration, status: .created, requestId: request.requestId)
    }

    /// [UpdateFunctionCode](https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html).
    private func updateFunctionCode(_ request: AWSRequest, function: LambdaFunction) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        let architectures = try body.stringList("Architectures")
        if let architectures { try Self.checkArchitectures(architectures) }
        let publish = try body.bool("Publish") == true
        let packageType = function.spec.code.isImage ? "Image" : "Zip"
        let (code, uploaded) = try await deploymentPackage(body, packageType: packageType, function: function.name)
        let revision = try body.string("RevisionId")
        if try body.bool("DryRun") == true {
            var preview = function
            preview.spec.code = code
            preview.deploymentPackage = uploaded
            return Self.json(preview.configuration(), status: .ok, requestId: request.requestId)
        }
        var updated = try await change(function.name, expectedRevision: revision) { function in
            function.spec.code = code
            function.deploymentPackage = uploaded
            if let architectures { function.spec.architectures = architectures }
        }
        if publish { updated = try await deployer.serialized { try await publishLocked(function.name, description: nil) } }
        return Self.json(Self.inProgress(updated.configuration()), status: .ok, requestId: request.requestId)
    }

    /// [UpdateFunctionConfiguration](https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html).
    private func updateFunctionConfiguration(_ request: AWSRequest, function: LambdaFunction) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        let role = try body.string("Role")
        if let role {
            try FunctionValidation.roleArn(role)
            try checkRole(role)
        }
        let runtime = try body.string("Runtime")
        if let runtime { try FunctionValidation.runtime(runtime) }
        let handler = try body.string("Handler")
        if let handler { try FunctionValidation.handler(handler) }
        let timeout = try body.int("Timeout")
        if let timeout { try FunctionValidation.timeout(timeout) }
        let memorySize = try body.int("MemorySize")
        if let memorySize { try FunctionValidation.memorySize(memorySize) }
        let description = try body.string("Description")
        if let description { try FunctionValidation.description(description) }
        let environment = try body.body("Environment")
        let variables = try environment?.stringMap("Variables")
        if let variables { try FunctionValidation.environment(variables) }
        let replacesEnvironment = environment != nil
        let layers = try body.stringList("Layers")
        if let layers { try checkLayers(layers) }
        let revision = try body.string("RevisionId")
        let updated = try await change(function.name, expectedRevision: revision) { function in
            if let role { function.spec.roleArn = role }
            if let runtime { function.spec.runtime = runtime }
            if let handler { function.spec.handler = handler }
            if let timeout { function.spec.timeout = timeout }
            if let memorySize { function.spec.memorySize = memorySize }
            if let description { function.spec.description = description }
            if replacesEnvironment { function.spec.environment = variables ?? [:] }
            if let layers { function.spec.layers = layers }
        }
        return Self.json(Self.inProgress(updated.configuration()), status: .ok, requestId: request.requestId)
    }

    /// [DeleteFunction](https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html).
    private func deleteFunction(_ request: AWSRequest, function: LambdaFunction) async throws -> Response {
        if let qualifier = request.query("Qualifier") {
            if qualifier == "$LATEST" {
                throw LambdaError.invalidParameterValue("$LATEST version cannot be deleted without deleting the function.")
            }
            try await deleteVersion(function.name, version: qualifier)
            return Self.empty(status: .noContent, requestId: request.requestId)
        }
        try await remove(name: function.name)
        return Self.empty(status: .noContent, requestId: request.requestId)
    }

    /// [PutFunctionConcurrency](https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html): the
    /// reserved concurrency the ``ConcurrencyGate`` enforces from the next invocation on.
    private func putFunctionConcurrency(_ request: AWSRequest, function: LambdaFunction) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        guard let reserved = try body.int("ReservedConcurrentExecutions") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "reservedConcurrentExecutions", "Member must not be null"))
        }
        guard reserved >= 0 else {
            throw LambdaError.validation(
                LambdaMessages.validation(String(reserved), at: "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")
            )
        }
        let others = catalog.functions.filter { $0.name != function.name }.compactMap(\.spec.reservedConcurrency).reduce(0, +)
        let minimum = LambdaMessages.minimumUnreserved(accountLimit: settings.accountConcurrency)
        if settings.accountConcurrency - others - reserved < minimum {
            throw LambdaError.invalidParameterValue(
                "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [\(minimum)]."
            )
        }
        try await change(function.name, bumpsRevision: false) { $0.spec.reservedConcurrency = reserved }
        return Self.json(["ReservedConcurrentExecutions": reserved], status: .ok, requestId: request.requestId)
    }

    /// [GetAccountSettings](https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html): the limits in
    /// force here (the account concurrency is `--lambda-concurrency`) and the usage.
    func getAccountSettings(_ request: AWSRequest) async throws -> Response {
        try await authorize(request, action: "lambda:GetAccountSettings", resource: "*")
        let functions = catalog.functions
        let reserved = functions.compactMap(\.spec.reservedConcurrency).reduce(0, +)
        let codeSize = functions.compactMap(\.deploymentPackage?.size).reduce(0, +)
        let object: [String: Any] = [
            "AccountLimit": [
                "TotalCodeSize": 80_530_636_800,
                "CodeSizeUnzipped": 262_144_000,
                "CodeSizeZipped": 52_428_800,
                "ConcurrentExecutions": settings.accountConcurrency,
                "UnreservedConcurrentExecutions": max(0, settings.accountConcurrency - reserved),
            ],
            "AccountUsage": ["TotalCodeSize": codeSize, "FunctionCount": functions.count],
        ]
        return Self.json(object, status: .ok, requestId: request.requestId)
    }

    // MARK: Resource-based policy

    /// [AddPermission](https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html): with `Qualifier`, a
    /// statement of the version's or alias's own policy, whose `Resource` is the qualified ARN.
    private func addPermission(_ request: AWSRequest, function: LambdaFunction, qualifier: String?) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        let statementId = try FunctionValidation.statementId(try body.string("StatementId"))
        guard let action = try body.string("Action") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "action", "Member must not be null"))
        }
        guard let principal = try body.string("Principal") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "principal", "Member must not be null"))
        }
        let statement = try ResourcePolicy.statement(
            id: statementId,
            action: action,
            principal: principal,
            resource: qualifier.map { "\(function.arn):\($0)" } ?? function.arn,
            sourceArn: try body.string("SourceArn"),
            sourceAccount: try body.string("SourceAccount"),
            principalOrgId: try body.string("PrincipalOrgID"),
            functionUrlAuthType: try body.string("FunctionUrlAuthType")
        )
        let revision = try body.string("RevisionId")
        try await changePolicy(function, qualifier: qualifier, expectedRevision: revision) { statements in
            if statements.contains(where: { ResourcePolicy.statementId(of: $0) == statementId }) {
                throw LambdaError.resourceConflict(LambdaMessages.statementExists(statementId))
            }
            statements.append(statement)
        }
        return Self.json(["Statement": statement], status: .created, requestId: request.requestId)
    }

    /// Changes the function's policy, or with a qualifier the version's or alias's own, with a new revision id.
    func changePolicy(
        _ function: LambdaFunction,
        qualifier: String?,
        expectedRevision: String?,
        _ body: @escaping @Sendable (inout [String]) throws -> Void
    ) async throws {
        guard let qualifier else {
            _ = try await change(function.name, bumpsRevision: false, expectedRevision: expectedRevision) { function in
                try body(&function.policyStatements)
                function.revision = RequestID.uuid()
            }
            return
        }
        try await deployer.serialized {
            guard let current = catalog.qualifiedPolicy(function.name, qualifier: qualifier) else {
                throw LambdaError.resourceNotFound(arn: "\(function.arn):\(qualifier)")
            }
            if let expectedRevision, expectedRevision != current.revisionId {
                throw LambdaError.preconditionFailed(LambdaMessages.revisionMismatch)
            }
            var statements = current.statements
            try body(&statements)
            _ = catalog.setQualifiedPolicy(function.name, qualifier: qualifier, statements: statements)
            do {
                try await deployer.persist(function.name)
            } catch {
                _ = catalog.setQualifiedPolicy(function.name, qualifier: qualifier, statements: current.statements)
                throw error
            }
        }
    }

    /// [RemovePermission](https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html).
    private func removePermission(
        _ request: AWSRequest,
        function: LambdaFunction,
        qualifier: String?,
        statementId: String
    ) async throws -> Response {
        let revision = request.query("RevisionId")
        try await changePolicy(function, qualifier: qualifier, expectedRevision: revision) { statements in
            guard !statements.isEmpty else {
                throw LambdaError.resourceMissing(LambdaMessages.noPolicy)
            }
            guard let index = statements.firstIndex(where: { ResourcePolicy.statementId(of: $0) == statementId }) else {
                throw LambdaError.resourceMissing(LambdaMessages.statementNotFound(statementId))
            }
            statements.remove(at: index)
        }
        return Self.empty(status: .noContent, requestId: request.requestId)
    }

    /// [GetPolicy](https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html): with `Qualifier`, the version's
    /// or alias's own policy.
    private func getPolicy(_ request: AWSRequest, function: LambdaFunction, qualifier: String?) throws -> Response {
        var statements = function.policyStatements
        var revisionId = function.revisionId
        if let qualifier {
            guard let policy = catalog.qualifiedPolicy(function.name, qualifier: qualifier) else {
                throw LambdaError.resourceNotFound(arn: "\(function.arn):\(qualifier)")
            }
            (statements, revisionId) = policy
        }
        guard !statements.isEmpty else { throw LambdaError.resourceMissing(LambdaMessages.resourceDoesNotExist) }
        return Self.json(["Policy": ResourcePolicy.document(statements), "RevisionId": revisionId], status: .ok, requestId: request.requestId)
    }

    // MARK: Checks and code

    /// A role ARN must name a role (template or IAM API) whose trust policy lets `lambda.amazonaws.com` assume it.
    func checkRole(_ roleArn: String) throws(LambdaError) {
        guard let role = deployer.host.roleSessions.role(arn: roleArn),
            deployer.host.roleSessions.trustPolicyAllows(role: role, principal: "lambda.amazonaws.com", action: "sts:AssumeRole", context: [:])
        else { throw .invalidParameterValue(LambdaMessages.roleCannotBeAssumed) }
    }

    /// `Layers` must name layer versions that exist here (the template's or PublishLayerVersion's).
    private func checkLayers(_ layers: [String]) throws(LambdaError) {
        if layers.count > 5 {
            throw .invalidParameterValue("Cannot reference more than 5 layers.")
        }
        for arn in layers where !deployer.layers.exists(arn) {
            throw .invalidParameterValue("Layer version \(arn) does not exist.")
        }
    }

    private static func checkArchitectures(_ architectures: [String]) throws(LambdaError) {
        guard architectures.count == 1, let only = architectures.first, only == "x86_64" || only == "arm64" else {
            throw .validation(
                LambdaMessages.validation(
                    "[\(architectures.joined(separator: ", "))]",
                    at: "architectures",
                    "Member must have length less than or equal to 1, Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]"
                )
            )
        }
    }

    /// The code of CreateFunction's `Code` or UpdateFunctionCode's body: `ZipFile` (base64 in the JSON), `S3Bucket` and
    /// `S3Key` (read from the emulated S3), or `ImageUri` (kept; image functions do not run here).
    private func deploymentPackage(_ body: JSONBody, packageType: String, function: String) async throws -> (LambdaCode, DeploymentPackage?) {
        if let image = try body.string("ImageUri") {
            guard packageType == "Image" else {
                throw LambdaError.invalidParameterValue("Please don't provide ImageUri when updating a function with packageType Zip.")
            }
            return (.image(image), nil)
        }
        let data = try await uploadedArchive(body)
        guard packageType == "Zip" else {
            throw LambdaError.invalidParameterValue("Please provide ImageUri when updating a function with packageType Image.")
        }
        try FunctionValidation.zipArchive(data)
        let (code, uploaded) = try deployer.keepPackage(data, function: function)
        return (code, uploaded)
    }

    /// The `.zip` a `Code` (or a layer's `Content`) member carries: `ZipFile` (base64), or `S3Bucket`/`S3Key`/
    /// `S3ObjectVersion` read from the emulated S3.
    func uploadedArchive(_ body: JSONBody) async throws -> Data {
        if let zip = try body.string("ZipFile") {
            guard let decoded = Data(base64Encoded: zip) else { throw LambdaError.invalidParameterValue(LambdaMessages.cannotUnzip) }
            return decoded
        }
        guard let bucket = try body.string("S3Bucket") else { throw LambdaError.invalidParameterValue(LambdaMessages.noCodeSource) }
        guard let key = try body.string("S3Key") else { throw LambdaError.invalidParameterValue(LambdaMessages.noCodeSource) }
        return try await s3Code(bucket: bucket, key: key, version: try body.string("S3ObjectVersion"))
    }

    /// Reads code from the emulated S3.
    func s3Code(bucket: String, key: String, version: String?) async throws -> Data {
        guard let source = deployer.codeSource else {
            throw LambdaError.invalidParameterValue(LambdaMessages.s3CodeError(code: "NoSuchBucket", message: "The specified bucket does not exist"))
        }
        switch try await source(bucket, key, version) {
        case .found(let data): return data
        case .noSuchBucket:
            throw LambdaError.invalidParameterValue(LambdaMessages.s3CodeError(code: "NoSuchBucket", message: "The specified bucket does not exist"))
        case .noSuchKey:
            throw LambdaError.invalidParameterValue(LambdaMessages.s3CodeError(code: "NoSuchKey", message: "The specified key does not exist."))
        }
    }

    /// A configuration as UpdateFunctionCode / UpdateFunctionConfiguration answer it: the update in progress.
    static func inProgress(_ configuration: [String: Any]) -> [String: Any] {
        var configuration = configuration
        configuration["LastUpdateStatus"] = "InProgress"
        configuration["LastUpdateStatusReason"] = "The function is being created."
        configuration["LastUpdateStatusReasonCode"] = "Creating"
        return configuration
    }

    /// An empty response.
    static func empty(status: HTTPResponse.Status, requestId: String) -> Response {
        var headers = HTTPFields()
        headers[.amznRequestId] = requestId
        return Response(status: status, headers: headers)
    }

    /// `GET /_local/lambda-code/{function}`: the deployment package GetFunction's `Code.Location` names.
    func packageResponse(_ name: String) -> Response? {
        guard let function = catalog.function(named: name), let path = function.spec.codeUri, path.lowercased().hasSuffix(".zip"),
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
