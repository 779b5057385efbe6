import AWSGateway
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension LambdaService {
    /// Where GetLayerVersion's `Content.Location` points: `/_local/lambda-layer/{name}/{version}`.
    static let layerContentPrefix = "/_local/lambda-layer/"

    /// Runs a layer operation; `nil` for other operations.
    func layerOperation(_ request: AWSRequest, _ operation: LambdaOperation) async throws -> Response? {
        let layers = deployer.layers
        switch operation {
        case .publishLayerVersion(let layer):
            let name = try Self.layerName(layer)
            try await authorize(request, action: "lambda:PublishLayerVersion", resource: layers.layerArn(name))
            return try await publishLayerVersion(request, name: name)
        case .listLayerVersions(let layer):
            let name = try Self.layerName(layer)
            try await authorize(request, action: "lambda:ListLayerVersions", resource: "*")
            let items = layers.versions(of: name).filter { Self.matches($0, request) }.map { versionItem($0) }
            return try Self.json(page(items, key: "LayerVersions", request), status: .ok, requestId: request.requestId)
        case .getLayerVersion(let layer, let versionText):
            let name = try Self.layerName(layer)
            return try await getLayerVersion(request, name: name, versionText: versionText)
        case .deleteLayerVersion(let layer, let versionText):
            let name = try Self.layerName(layer)
            let version = try Self.layerVersionNumber(versionText)
            try await authorize(request, action: "lambda:DeleteLayerVersion", resource: layers.versionArn(name, version))
            try await deployer.serialized { try await layers.delete(name: name, version: version) }
            return Self.empty(status: .noContent, requestId: request.requestId)
        case .addLayerVersionPermission(let layer, let versionText):
            let name = try Self.layerName(layer)
            let version = try Self.layerVersionNumber(versionText)
            try await authorize(request, action: operation.iamAction, resource: layers.versionArn(name, version))
            return try await addLayerVersionPermission(request, name: name, version: version)
        case .getLayerVersionPolicy(let layer, let versionText):
            let name = try Self.layerName(layer)
            let version = try Self.layerVersionNumber(versionText)
            try await authorize(request, action: operation.iamAction, resource: layers.versionArn(name, version))
            guard let record = layers.record(name: name, version: version) else {
                throw LambdaError.resourceMissing(LambdaMessages.layerVersionNotFound(layers.versionArn(name, version)))
            }
            guard let statements = record.policyStatements, !statements.isEmpty else {
                throw LambdaError.resourceMissing(LambdaMessages.noPolicy)
            }
            let object = ["Policy": ResourcePolicy.document(statements), "RevisionId": record.policyRevision ?? ""]
            return Self.json(object, status: .ok, requestId: request.requestId)
        case .removeLayerVersionPermission(let layer, let versionText, let statementId):
            let name = try Self.layerName(layer)
            let version = try Self.layerVersionNumber(versionText)
            try await authorize(request, action: operation.iamAction, resource: layers.versionArn(name, version))
            let revision = request.query("RevisionId")
            try await deployer.serialized {
                _ = try await layers.changePolicy(name: name, version: version, expectedRevision: revision) { statements throws(LambdaError) in
                    guard let index = statements.firstIndex(where: { ResourcePolicy.statementId(of: $0) == statementId }) else {
                        throw .resourceMissing(LambdaMessages.statementNotFound(statementId))
                    }
                    statements.remove(at: index)
                }
            }
            return Self.empty(status: .noContent, requestId: request.requestId)
        case .listLayers:
            if request.query("find") == "LayerVersion" {
                // GetLayerVersionByArn: `GET /2018-10-31/layers?find=LayerVersion&Arn=ARN`.
                guard let arn = request.query("Arn") else {
                    throw LambdaError.validation(LambdaMessages.validation("null", at: "arn", "Member must not be null"))
                }
                let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 8, parts[5] == "layer", arn.hasPrefix("arn:") else {
                    throw LambdaError.validation(
                        LambdaMessages.validation(
                            arn,
                            at: "arn",
                            #"Member must satisfy regular expression pattern: "# + Self.layerVersionArnPattern
                        )
                    )
                }
                return try await getLayerVersion(request, name: try Self.layerName(parts[6]), versionText: parts[7])
            }
            try await authorize(request, action: "lambda:ListLayers", resource: "*")
            let latest = layers.all.compactMap { name, versions -> [String: Any]? in
                guard let match = versions.first(where: { Self.matches($0, request) }) else { return nil }
                return ["LayerName": name, "LayerArn": layers.layerArn(name), "LatestMatchingVersion": versionItem(match)]
            }
            let sorted = latest.sorted { ($0["LayerName"] as? String ?? "") < ($1["LayerName"] as? String ?? "") }
            return try Self.json(page(sorted, key: "Layers", request), status: .ok, requestId: request.requestId)
        default:
            return nil
        }
    }

    private func getLayerVersion(_ request: AWSRequest, name: String, versionText: String) async throws -> Response {
        let layers = deployer.layers
        let version = try Self.layerVersionNumber(versionText)
        try await authorize(request, action: "lambda:GetLayerVersion", resource: layers.versionArn(name, version))
        guard let record = layers.record(name: name, version: version) else {
            throw LambdaError.resourceMissing("The resource you requested does not exist.")
        }
        return Self.json(versionDocument(record), status: .ok, requestId: request.requestId)
    }

    /// [PublishLayerVersion](https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html).
    private func publishLayerVersion(_ request: AWSRequest, name: String) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        guard let content = try body.body("Content") else {
            throw LambdaError.validation(LambdaMessages.validation("null", at: "content", "Member must not be null"))
        }
        let description = try body.string("Description") ?? ""
        try FunctionValidation.description(description)
        let runtimes = try body.stringList("CompatibleRuntimes") ?? []
        if runtimes.count > 15 {
            throw LambdaError.validation(
                LambdaMessages.validation(
                    "[\(runtimes.joined(separator: ", "))]",
                    at: "compatibleRuntimes",
                    "Member must have length less than or equal to 15"
                )
            )
        }
        for runtime in runtimes { try FunctionValidation.runtime(runtime) }
        let architectures = try body.stringList("CompatibleArchitectures") ?? []
        if architectures.count > 2 || architectures.contains(where: { $0 != "x86_64" && $0 != "arm64" }) {
            throw LambdaError.validation(
                LambdaMessages.validation(
                    "[\(architectures.joined(separator: ", "))]",
                    at: "compatibleArchitectures",
                    "Member must have length less than or equal to 2, Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]"
                )
            )
        }
        let license = try body.string("LicenseInfo")
        if let license, license.count > 512 {
            throw LambdaError.validation(LambdaMessages.validation(license, at: "licenseInfo", "Member must have length less than or equal to 512"))
        }
        let data = try await uploadedArchive(content)
        try FunctionValidation.zipArchive(data)
        let (code, package) = try deployer.keepPackage(data, function: "layer-\(name)")
        let draft = LayerVersionRecord(
            name: name,
            version: 0,
            description: description,
            compatibleRuntimes: runtimes,
            compatibleArchitectures: architectures,
            licenseInfo: license,
            created: clock.now.timeIntervalSince1970,
            code: code,
            package: package
        )
        let record = try await deployer.serialized { try await self.deployer.layers.publish(draft) }
        return Self.json(versionDocument(record), status: .created, requestId: request.requestId)
    }

    /// [AddLayerVersionPermission](https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html):
    /// `RevisionId` is a query parameter.
    private func addLayerVersionPermission(_ request: AWSRequest, name: String, version: Int) async throws -> Response {
        let body = try JSONBody(request.bodyData)
        let statementId = try FunctionValidation.statementId(try body.string("StatementId"))
        let statement = try Self.layerStatement(
            id: statementId,
            action: try body.string("Action"),
            principal: try body.string("Principal"),
            organizationId: try body.string("OrganizationId"),
            layerVersionArn: deployer.layers.versionArn(name, version)
        )
        let revision = try await addLayerStatement(
            statement,
            id: statementId,
            name: name,
            version: version,
            expectedRevision: request.query("RevisionId")
        )
        return Self.json(["Statement": statement, "RevisionId": revision], status: .created, requestId: request.requestId)
    }

    /// Adds a statement to a layer version's policy (AddLayerVersionPermission's and the CloudFormation deployer's path).
    /// - Parameters:
    ///   - statement: The statement's JSON text.
    ///   - id: Its `Sid`.
    ///   - name: The layer name.
    ///   - version: The version number.
    ///   - expectedRevision: `RevisionId`.
    /// - Returns: The policy's new revision id.
    /// - Throws: ``LambdaError`` (no such version, a statement id in use, a stale revision) or storage errors.
    func addLayerStatement(_ statement: String, id: String, name: String, version: Int, expectedRevision: String?) async throws -> String {
        let layers = deployer.layers
        return try await deployer.serialized {
            try await layers.changePolicy(name: name, version: version, expectedRevision: expectedRevision) { statements throws(LambdaError) in
                if statements.contains(where: { ResourcePolicy.statementId(of: $0) == id }) {
                    throw .resourceConflict(LambdaMessages.statementExists(id))
                }
                statements.append(statement)
            }
        }
    }

    /// One statement of a layer version's policy, checked as AddLayerVersionPermission checks its members: `Action`
    /// is `lambda:GetLayerVersion`, `Principal` an account id, `*` or an account's root ARN, `OrganizationId` an
    /// organization id (a `StringEquals` `aws:PrincipalOrgID` condition).
    /// - Returns: The statement's JSON text.
    /// - Throws: `ValidationException` for a missing or malformed member.
    static func layerStatement(
        id: String,
        action: String?,
        principal: String?,
        organizationId: String?,
        layerVersionArn: String
    ) throws(LambdaError) -> String {
        guard let action else { throw .validation(LambdaMessages.validation("null", at: "action", "Member must not be null")) }
        guard action == "lambda:GetLayerVersion" else {
            throw .validation(
                LambdaMessages.validation(action, at: "action", "Member must satisfy regular expression pattern: lambda:GetLayerVersion")
            )
        }
        guard let principal else { throw .validation(LambdaMessages.validation("null", at: "principal", "Member must not be null")) }
        let principalPattern = #"\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root"#
        guard principal.range(of: "^(\(principalPattern))$", options: .regularExpression) != nil else {
            throw .validation(
                LambdaMessages.validation(principal, at: "principal", "Member must satisfy regular expression pattern: \(principalPattern)")
            )
        }
        if let organizationId {
            guard organizationId.count <= 34 else {
                throw .validation(LambdaMessages.validation(organizationId, at: "organizationId", "Member must have length less than or equal to 34"))
            }
            guard organizationId.range(of: "^o-[a-z0-9]{10,32}$", options: .regularExpression) != nil else {
                throw .validation(
                    LambdaMessages.validation(
                        organizationId,
                        at: "organizationId",
                        "Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}"
                    )
                )
            }
        }
        return try ResourcePolicy.statement(
            id: id,
            action: action,
            principal: principal,
            resource: layerVersionArn,
            sourceArn: nil,
            sourceAccount: nil,
            principalOrgId: organizationId,
            functionUrlAuthType: nil
        )
    }

    /// `GET /_local/lambda-layer/{name}/{version}`: the archive `Content.Location` names.
    func layerContentResponse(_ rest: String) -> Response? {
        let parts = rest.split(separator: "/").map { URLComponentsDecoding.decode(String($0)) }
        guard parts.count == 2, let version = Int(parts[1]), let record = deployer.layers.record(name: parts[0], version: version),
            case .localPath(let path) = record.code, path.lowercased().hasSuffix(".zip"), let data = FileManager.default.contents(atPath: path)
        else {
            return ErrorRenderer.response(
                for: LambdaError.resourceMissing("The resource you requested does not exist."),
                protocol: .restJson1,
                requestId: RequestID.uuid()
            )
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// GetLayerVersion's and PublishLayerVersion's shape.
    private func versionDocument(_ record: LayerVersionRecord) -> [String: Any] {
        var object = versionItem(record)
        object["LayerArn"] = deployer.layers.layerArn(record.name)
        var content: [String: Any] = [
            "Location": "\(environment.current.edgeURL)\(Self.layerContentPrefix)\(record.name)/\(record.version)"
        ]
        if let package = record.package {
            content["CodeSha256"] = package.sha256
            content["CodeSize"] = package.size
        }
        object["Content"] = content
        return object
    }

    /// A `LayerVersionsListItem`.
    private func versionItem(_ record: LayerVersionRecord) -> [String: Any] {
        var object: [String: Any] = [
            "LayerVersionArn": deployer.layers.versionArn(record.name, record.version),
            "Version": record.version,
            "Description": record.description,
            "CreatedDate": LambdaFunction.lastModifiedFormat(Date(timeIntervalSince1970: record.created)),
        ]
        if !record.compatibleRuntimes.isEmpty { object["CompatibleRuntimes"] = record.compatibleRuntimes }
        if !record.compatibleArchitectures.isEmpty { object["CompatibleArchitectures"] = record.compatibleArchitectures }
        if let license = record.licenseInfo { object["LicenseInfo"] = license }
        return object
    }

    /// `CompatibleRuntime` / `CompatibleArchitecture` filters of the list operations.
    private static func matches(_ record: LayerVersionRecord, _ request: AWSRequest) -> Bool {
        if let runtime = request.query("CompatibleRuntime"), !record.compatibleRuntimes.contains(runtime) { return false }
        if let architecture = request.query("CompatibleArchitecture"), !record.compatibleArchitectures.contains(architecture) { return false }
        return true
    }

    /// One page of a list (`Marker` is the index of the first item, `MaxItems` 1-50).
    private func page(_ items: [[String: Any]], key: String, _ request: AWSRequest) throws(LambdaError) -> [String: Any] {
        var start = 0
        if let marker = request.query("Marker") {
            guard let value = Int(marker), value >= 0, value <= items.count else {
                throw .invalidParameterValue("Invalid marker: \(marker)")
            }
            start = value
        }
        var limit = 50
        if let text = request.query("MaxItems") {
            guard let value = Int(text), (1...50).contains(value) else {
                throw .validation(LambdaMessages.validation(text, at: "maxItems", "Member must have value less than or equal to 50"))
            }
            limit = value
        }
        let end = min(items.count, start + limit)
        var output: [String: Any] = [key: Array(items[start..<end])]
        if end < items.count { output["NextMarker"] = String(end) }
        return output
    }

    private static let layerNamePattern = #"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"#
    private static let layerVersionArnPattern = #"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+"#

    /// A `LayerName` path parameter: a name, or the layer's ARN.
    private static func layerName(_ text: String) throws(LambdaError) -> String {
        let valid = !text.isEmpty && text.count <= 140 && text.range(of: "^(\(layerNamePattern))$", options: .regularExpression) != nil
        guard valid else {
            throw .validation(LambdaMessages.validation(text, at: "layerName", "Member must satisfy regular expression pattern: \(layerNamePattern)"))
        }
        return text.hasPrefix("arn:") ? String(text.split(separator: ":").last ?? "") : text
    }

    private static func layerVersionNumber(_ text: String) throws(LambdaError) -> Int {
        guard let version = Int(text), version >= 1 else { throw .resourceMissing("The resource you requested does not exist.") }
        return version
    }
}

extension LambdaService {
    /// Publishes the next version of a layer from a CloudFormation `AWS::Lambda::LayerVersion` (PublishLayerVersion's
    /// path): a local folder or `.zip` is used as is, an S3 `Content` is read from the emulated S3 and kept in the data
    /// folder.
    /// - Parameter spec: The layer version's spec (its ARN names the layer).
    /// - Returns: The published version's number.
    /// - Throws: ``LambdaError`` when the S3 content cannot be read or is not a `.zip`, or storage errors.
    func publishLayerVersion(_ spec: LambdaLayerSpec) async throws -> Int {
        var code = spec.content
        var package: DeploymentPackage?
        if case .s3(let bucket, let key) = spec.content {
            let data = try await s3Code(bucket: bucket, key: key, version: nil)
            try FunctionValidation.zipArchive(data)
            (code, package) = try deployer.keepPackage(data, function: "layer-\(spec.layerName)")
        }
        let draft = LayerVersionRecord(
            name: spec.layerName,
            version: 0,
            description: spec.description,
            compatibleRuntimes: spec.compatibleRuntimes,
            compatibleArchitectures: spec.compatibleArchitectures,
            licenseInfo: spec.licenseInfo,
            created: clock.now.timeIntervalSince1970,
            code: code,
            package: package
        )
        return try await deployer.serialized { try await self.deployer.layers.publish(draft) }.version
    }
}
