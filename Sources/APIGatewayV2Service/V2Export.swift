import AWSGateway
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `ExportApi`: an HTTP API as an OpenAPI 3.0 definition (`OAS30`, `outputType` `JSON` or `YAML`), the shape
/// `ImportApi` reads back: one operation per route (`x-amazon-apigateway-any-method` for `ANY`, `/$default` for the
/// `$default` route) with its `x-amazon-apigateway-integration`, the authorizers as `components.securitySchemes`
/// (`x-amazon-apigateway-authorizer`; `AWS_IAM` routes as an `awsSigv4` scheme), the routes' `security`,
/// `x-amazon-apigateway-cors` and `x-amazon-apigateway-importexport-version`. With `stageName`, what that stage's
/// deployment serves; without, the current configuration. `includeExtensions=false` leaves the
/// `x-amazon-apigateway-*` members out.
extension APIGatewayV2Service {
    /// Answers `ExportApi`.
    /// - Parameters:
    ///   - operation: The operation (the specification in its `id`).
    ///   - request: The request (its query parameters).
    /// - Returns: The definition.
    /// - Throws: ``APIGatewayV2Error``.
    func exportApi(_ operation: APIGatewayV2Operation, request: AWSRequest) throws(APIGatewayV2Error) -> Response {
        let api = try self.api(operation.apiId)
        guard operation.id == "OAS30" else {
            throw .badRequest("Invalid specification specified: \(operation.id). Must be one of [OAS30]")
        }
        guard let outputType = request.query("outputType") else {
            throw .badRequest("Invalid request: missing required query parameter 'outputType'")
        }
        guard outputType == "JSON" || outputType == "YAML" else {
            throw .badRequest("Invalid outputType specified: \(outputType). Must be one of [YAML, JSON]")
        }
        if let version = request.query("exportVersion"), version != "1.0" {
            throw .badRequest("Invalid exportVersion specified: \(version). Must be one of [1.0]")
        }
        guard api.string("protocolType") == "HTTP" else { throw .badRequest("Export is supported only for HTTP APIs.") }
        var children = store.all(apiId: api.apiId)
        let stageName = request.query("stageName")
        if let stageName {
            guard let stage = store.get(.stage, apiId: api.apiId, id: stageName) else { throw notFound(.stage, id: stageName) }
            if !api.fromTemplate {
                children = stage.string("deploymentId").map { deployed(api: api, deploymentId: $0) } ?? []
            }
        }
        var document = Self.openAPIDocument(api: api, children: children, region: environment.current.region, stageName: stageName)
        if request.query("includeExtensions")?.lowercased() == "false" { document = Self.withoutExtensions(document) }
        var headers = HTTPFields()
        let text: String
        if outputType == "JSON" {
            headers[.contentType] = "application/json"
            text = String(decoding: document.data, as: UTF8.self)
        } else {
            headers[.contentType] = "application/yaml"
            text = Self.yaml(document, indent: 0)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The resources a deployment froze.
    private func deployed(api: V2Resource, deploymentId: String) -> [V2Resource] {
        guard let deployment = store.get(.deployment, apiId: api.apiId, id: deploymentId),
            case .array(let snapshot) = deployment.document[Self.snapshotMember]
        else { return [] }
        return snapshot.compactMap { item -> V2Resource? in
            guard case .object(let entry) = item, let kind = entry["kind"]?.stringValue.flatMap(V2ResourceKind.init(rawValue:)),
                let id = entry["id"]?.stringValue, let document = entry["document"]?.objectValue
            else { return nil }
            return V2Resource(kind: kind, apiId: api.apiId, id: id, document: document)
        }
    }

    /// The OpenAPI document of an API's routes, integrations and authorizers.
    static func openAPIDocument(api: V2Resource, children: [V2Resource], region: String, stageName: String?) -> V2JSON {
        var info: [String: V2JSON] = ["title": .string(api.string("name") ?? api.apiId)]
        info["version"] = .string(api.string("version") ?? api.string("createdDate") ?? "1.0")
        if let description = api.string("description") { info["description"] = .string(description) }
        var root: [String: V2JSON] = [
            "openapi": .string("3.0.1"), "info": .object(info), "x-amazon-apigateway-importexport-version": .string("1.0"),
            "servers": .array([
                .object([
                    "url": .string("https://\(api.apiId).execute-api.\(region).amazonaws.com/{basePath}"),
                    "variables": .object(["basePath": .object(["default": .string(stageName.map { $0 == "$default" ? "" : $0 } ?? "")])]),
                ])
            ]),
        ]
        if let cors = api.document["corsConfiguration"] { root["x-amazon-apigateway-cors"] = cors }
        var schemes: [String: V2JSON] = [:]
        var schemeNames: [String: String] = [:]
        for authorizer in children where authorizer.kind == .authorizer {
            let name = authorizer.string("name") ?? authorizer.id
            schemeNames[authorizer.id] = name
            var extensionMembers: [String: V2JSON] = [
                "type": .string((authorizer.string("authorizerType") ?? "REQUEST").lowercased()),
                "identitySource": .string((authorizer.document["identitySource"]?.stringList ?? []).joined(separator: ",")),
            ]
            for member in [
                "jwtConfiguration", "authorizerUri", "authorizerPayloadFormatVersion", "authorizerResultTtlInSeconds", "enableSimpleResponses",
            ] {
                extensionMembers[member] = authorizer.document[member]
            }
            var scheme: [String: V2JSON] =
                authorizer.string("authorizerType") == "JWT"
                ? ["type": .string("oauth2"), "flows": .object([:])]
                : ["type": .string("apiKey"), "name": .string("Unused"), "in": .string("header")]
            scheme["x-amazon-apigateway-authorizer"] = .object(extensionMembers)
            schemes[name] = .object(scheme)
        }
        let integrations = Dictionary(children.filter { $0.kind == .integration }.map { ($0.id, $0) }) { first, _ in first }
        var paths: [String: [String: V2JSON]] = [:]
        for route in children where route.kind == .route {
            let key = route.string("routeKey") ?? "$default"
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            let path = parts.count == 2 ? parts[1] : "/$default"
            let method = parts.count == 2 && parts[0] != "ANY" ? parts[0].lowercased() : "x-amazon-apigateway-any-method"
            var operation: [String: V2JSON] = [
                "responses": .object(["default": .object(["description": .string("Default response for \(key)")])])
            ]
            if let name = route.string("operationName") { operation["operationId"] = .string(name) }
            switch route.string("authorizationType") {
            case "JWT", "CUSTOM":
                if let id = route.string("authorizerId"), let name = schemeNames[id] {
                    let scopes = route.document["authorizationScopes"] ?? .array([])
                    operation["security"] = .array([.object([name: scopes])])
                }
            case "AWS_IAM":
                schemes["sigv4"] = .object([
                    "type": .string("apiKey"), "name": .string("Authorization"), "in": .string("header"),
                    "x-amazon-apigateway-authtype": .string("awsSigv4"),
                ])
                operation["security"] = .array([.object(["sigv4": .array([])])])
            default:
                break
            }
            if let target = route.string("target"), target.hasPrefix("integrations/"),
                let integration = integrations[String(target.dropFirst("integrations/".count))]
            {
                operation["x-amazon-apigateway-integration"] = .object(integrationExtension(integration))
            }
            paths[path, default: [:]][method] = .object(operation)
        }
        root["paths"] = .object(paths.mapValues { .object($0) })
        if !schemes.isEmpty { root["components"] = .object(["securitySchemes": .object(schemes)]) }
        return .object(root)
    }

    /// An integration as `x-amazon-apigateway-integration`.
    private static func integrationExtension(_ integration: V2Resource) -> [String: V2JSON] {
        var members: [String: V2JSON] = [:]
        let names: [(String, String)] = [
            ("integrationType", "type"), ("integrationUri", "uri"), ("integrationMethod", "httpMethod"),
            ("payloadFormatVersion", "payloadFormatVersion"), ("connectionType", "connectionType"), ("timeoutInMillis", "timeoutInMillis"),
            ("credentialsArn", "credentials"), ("integrationSubtype", "integrationSubtype"), ("requestParameters", "requestParameters"),
            ("responseParameters", "responseParameters"),
        ]
        for (member, name) in names { members[name] = integration.document[member] }
        if let type = members["type"]?.stringValue { members["type"] = .string(type.lowercased()) }
        return members
    }

    /// The document without the `x-amazon-apigateway-*` members (`includeExtensions=false`).
    static func withoutExtensions(_ value: V2JSON) -> V2JSON {
        switch value {
        case .object(let members):
            return .object(members.filter { !$0.key.hasPrefix("x-amazon-apigateway") }.mapValues(withoutExtensions))
        case .array(let items):
            return .array(items.map(withoutExtensions))
        default:
            return value
        }
    }

    /// A value as block-style YAML (keys sorted; strings double-quoted as JSON writes them, which YAML reads alike).
    static func yaml(_ value: V2JSON, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            return members.keys.sorted().map { key -> String in
                let item = members[key] ?? .null
                let name = scalar(.string(key))
                return isBlock(item) ? "\(pad)\(name):\n\(yaml(item, indent: indent + 2))" : "\(pad)\(name): \(scalar(item))\n"
            }.joined()
        case .array(let items) where !items.isEmpty:
            return items.map { item -> String in
                guard isBlock(item) else { return "\(pad)- \(scalar(item))\n" }
                let nested = yaml(item, indent: indent + 2)
                return "\(pad)- " + nested.dropFirst(indent + 2)
            }.joined()
        default:
            return "\(pad)\(scalar(value))\n"
        }
    }

    private static func isBlock(_ value: V2JSON) -> Bool {
        switch value {
        case .object(let members): !members.isEmpty
        case .array(let items): !items.isEmpty
        default: false
        }
    }

    /// A scalar (or an empty collection) in JSON's flow form, which YAML reads as the same value.
    private static func scalar(_ value: V2JSON) -> String {
        switch value {
        case .object: "{}"
        case .array: "[]"
        default: String(decoding: value.data, as: UTF8.self)
        }
    }
}
