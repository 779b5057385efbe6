import APIGatewayV2Service
import CloudFormation
import Foundation

/// `ImportRestApi` and `PutRestApi`: an OpenAPI 2.0 or 3.0 document (JSON or YAML) becomes resources, methods,
/// method responses and `x-amazon-apigateway-integration`s, as API Gateway imports it; `definitions` (2.0) or
/// `components.schemas` (3.0) become models, `x-amazon-apigateway-request-validators` request validators (named by
/// `x-amazon-apigateway-request-validator` on the document or an operation), `parameters` with `required` a method's
/// request parameters, a body's `$ref` schema its request model, and `x-amazon-apigateway-gateway-responses` gateway
/// responses. Models, validators and gateway responses are added or replaced by name (the API's others stay).
extension APIGatewayRESTService {
    /// Imports a document into a new API (`apiId` nil) or an existing one (`mode` `overwrite` or `merge`).
    /// - Parameters:
    ///   - body: The document's bytes.
    ///   - apiId: The API of a `PutRestApi`, nil for `ImportRestApi`.
    ///   - mode: `overwrite` replaces every resource; `merge` (the default) adds to them.
    /// - Returns: The API's document.
    /// - Throws: `BadRequestException` for a document that is not OpenAPI, `NotFoundException` for an unknown API.
    func importRestApi(_ body: Data, apiId: String?, mode: String) throws -> [String: V2JSON] {
        guard mode == "overwrite" || mode == "merge" else {
            throw RestError.badRequest("Invalid mode specified: \(mode). Must be one of [merge, overwrite]")
        }
        guard let document = try? TemplateLoader.parseValue(String(decoding: body, as: UTF8.self), fileName: "body"),
            document["paths"]?.mapValue != nil || document["swagger"] != nil || document["openapi"] != nil
        else { throw RestError.badRequest("Invalid OpenAPI input.") }
        var api: RestItem
        var resources: [RestItem]
        if let apiId {
            api = try restApi(apiId)
            resources = store.list(.resource, scope: apiId)
            if mode == "overwrite" {
                resources = resources.filter { $0.document["parentId"] == nil }.map { root in
                    RestItem(kind: .resource, scope: apiId, id: root.id, document: ["id": .string(root.id), "path": .string("/")])
                }
            }
        } else {
            guard let title = document["info"]?["title"]?.stringValue, !title.isEmpty else {
                throw RestError.badRequest("Invalid OpenAPI input: info.title is required")
            }
            let created = newRestApi(["name": .string(title)])
            api = created.api
            resources = [created.root]
        }
        if let description = document["info"]?["description"]?.stringValue { api.document["description"] = .string(description) }
        if let version = document["info"]?["version"]?.scalarText { api.document["version"] = .string(version) }
        if let types = document["x-amazon-apigateway-binary-media-types"]?.listValue?.compactMap(\.stringValue), !types.isEmpty {
            api.document["binaryMediaTypes"] = .array(types.map { .string($0) })
        }
        let keySchemes = Self.apiKeySchemes(document)
        let existingAuthorizers = store.list(.authorizer, scope: api.id)
        let authorizers = try Self.authorizerSchemes(document, existing: existingAuthorizers)
        let iamSchemes = Self.iamSchemes(document)
        let documentSecurity = document["security"]?.listValue
        let extras = try Self.importedValidation(document, apiId: api.id, existingValidators: store.list(.requestValidator, scope: api.id))
        let defaultValidator = document["x-amazon-apigateway-request-validator"]?.stringValue
        for (path, item) in document["paths"]?.mapValue?.entries ?? [] {
            var resource = try Self.resource(for: path, in: &resources, apiId: api.id)
            for (key, operation) in item.mapValue?.entries ?? [] {
                let methods = ["get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"]
                guard methods.contains(key.lowercased()) else { continue }
                let name = key.lowercased() == "x-amazon-apigateway-any-method" ? "ANY" : key.uppercased()
                let security = operation["security"]?.listValue ?? documentSecurity ?? []
                let keyRequired = security.contains { requirement in
                    requirement.mapValue?.keys.contains(where: keySchemes.contains) ?? false
                }
                var method: [String: V2JSON] = [
                    "httpMethod": .string(name), "authorizationType": .string("NONE"), "apiKeyRequired": .bool(keyRequired),
                ]
                method.merge(Self.authorization(security, authorizers: authorizers, iam: iamSchemes)) { _, new in new }
                if let operationId = operation["operationId"]?.stringValue { method["operationName"] = .string(operationId) }
                if let validatorName = operation["x-amazon-apigateway-request-validator"]?.stringValue ?? defaultValidator {
                    guard let validator = extras.validators.first(where: { $0.document["name"]?.stringValue == validatorName }) else {
                        throw RestError.badRequest(
                            "Errors found during import:\n\tInvalid request validator '\(validatorName)' specified for \(name) \(path)"
                        )
                    }
                    method["requestValidatorId"] = .string(validator.id)
                }
                let (parameters, models) = Self.requestShape(operation, pathItem: item, document: document)
                if !parameters.isEmpty { method["requestParameters"] = .object(parameters) }
                if !models.isEmpty { method["requestModels"] = .object(models) }
                var responses: [String: V2JSON] = [:]
                for (code, _) in operation["responses"]?.mapValue?.entries ?? [] where (try? RestValidation.statusCode(code)) != nil {
                    responses[code] = .object(["statusCode": .string(code)])
                }
                if !responses.isEmpty { method["methodResponses"] = .object(responses) }
                if let integration = operation["x-amazon-apigateway-integration"] {
                    method["methodIntegration"] = .object(try Self.integration(integration, resourceId: resource.id, path: path))
                }
                var all = resource.document["resourceMethods"]?.objectValue ?? [:]
                all[name] = .object(method)
                resource.document["resourceMethods"] = .object(all)
            }
            if let index = resources.firstIndex(where: { $0.id == resource.id }) { resources[index] = resource }
        }
        if apiId != nil, mode == "overwrite" {
            try store.remove { $0.kind == .resource && $0.scope == api.id }
        }
        let authorizerItems = authorizers.values.map { RestItem(kind: .authorizer, scope: api.id, id: $0["id"]?.stringValue ?? "", document: $0) }
        var models = extras.models
        if apiId == nil {
            models = Self.defaultModels(apiId: api.id).filter { model in !models.contains { $0.id == model.id } } + models
        }
        try store.put([api] + resources + authorizerItems.sorted { $0.id < $1.id } + models + extras.validators + extras.gatewayResponses)
        return api.document
    }

    /// The document's models, request validators and gateway responses (a validator keeps the id of the API's validator
    /// of the same name).
    static func importedValidation(
        _ document: TemplateValue,
        apiId: String,
        existingValidators: [RestItem]
    ) throws(RestError) -> (models: [RestItem], validators: [RestItem], gatewayResponses: [RestItem]) {
        var models: [RestItem] = []
        let schemas = document["definitions"]?.mapValue ?? document["components"]?["schemas"]?.mapValue
        for (name, value) in schemas?.entries ?? [] {
            let schema = modelReferences(value, apiId: apiId)
            let document: [String: V2JSON] = [
                "id": .string(V2Identifiers.make(length: 6)), "name": .string(name), "contentType": .string("application/json"),
                "schema": .string(schema.jsonString),
            ]
            do {
                try RestValidation.model(name: name, contentType: "application/json", schema: schema.jsonString)
            } catch {
                throw .badRequest("Errors found during import:\n\tUnable to create model '\(name)': \(error.message)")
            }
            models.append(RestItem(kind: .model, scope: apiId, id: name, document: document))
        }
        var validators: [RestItem] = []
        for (name, validator) in document["x-amazon-apigateway-request-validators"]?.mapValue?.entries ?? [] {
            let id = existingValidators.first { $0.document["name"]?.stringValue == name }?.id ?? V2Identifiers.make(length: 6)
            let document: [String: V2JSON] = [
                "id": .string(id), "name": .string(name),
                "validateRequestBody": .bool(validator["validateRequestBody"]?.boolValue ?? false),
                "validateRequestParameters": .bool(validator["validateRequestParameters"]?.boolValue ?? false),
            ]
            validators.append(RestItem(kind: .requestValidator, scope: apiId, id: id, document: document))
        }
        var responses: [RestItem] = []
        for (type, response) in document["x-amazon-apigateway-gateway-responses"]?.mapValue?.entries ?? [] {
            try checkResponseType(type)
            var document: [String: V2JSON] = [
                "responseType": .string(type), "defaultResponse": .bool(false),
                "responseParameters": .object(stringMap(response["responseParameters"]?.mapValue ?? TemplateMap())),
                "responseTemplates": .object(stringMap(response["responseTemplates"]?.mapValue ?? TemplateMap())),
            ]
            if let status = response["statusCode"]?.scalarText {
                try RestValidation.statusCode(status)
                document["statusCode"] = .string(status)
            }
            responses.append(RestItem(kind: .gatewayResponse, scope: apiId, id: type, document: document))
        }
        return (models, validators, responses)
    }

    /// A schema with its `$ref`s to `#/definitions/NAME` or `#/components/schemas/NAME` turned into the model URLs API
    /// Gateway writes (`https://apigateway.amazonaws.com/restapis/{id}/models/NAME`).
    static func modelReferences(_ value: TemplateValue, apiId: String) -> TemplateValue {
        switch value {
        case .map(let map):
            var converted = TemplateMap()
            for (key, item) in map.entries {
                if key == "$ref", let reference = item.stringValue,
                    let name = ["#/definitions/", "#/components/schemas/"].first(where: reference.hasPrefix).map({
                        String(reference.dropFirst($0.count))
                    })
                {
                    converted.set(key, .string("https://apigateway.amazonaws.com/restapis/\(apiId)/models/\(name)"))
                } else {
                    converted.set(key, modelReferences(item, apiId: apiId))
                }
            }
            return .map(converted)
        case .list(let items):
            return .list(items.map { modelReferences($0, apiId: apiId) })
        default:
            return value
        }
    }

    /// A method's request parameters (`method.request.querystring.NAME`: required...) from its operation's and path's
    /// `parameters`, and its request models (content type to model name) from a body schema's `$ref`.
    static func requestShape(
        _ operation: TemplateValue,
        pathItem: TemplateValue,
        document: TemplateValue
    ) -> (parameters: [String: V2JSON], models: [String: V2JSON]) {
        func resolved(_ value: TemplateValue) -> TemplateValue {
            guard let reference = value["$ref"]?.stringValue, reference.hasPrefix("#/") else { return value }
            var current: TemplateValue? = document
            for segment in reference.dropFirst(2).split(separator: "/") { current = current?[String(segment)] }
            return current ?? value
        }
        func modelName(_ schema: TemplateValue?) -> String? {
            guard let reference = schema?["$ref"]?.stringValue, reference.hasPrefix("#/") else { return nil }
            return reference.split(separator: "/").last.map(String.init)
        }
        var parameters: [String: V2JSON] = [:]
        var models: [String: V2JSON] = [:]
        let all = (pathItem["parameters"]?.listValue ?? []) + (operation["parameters"]?.listValue ?? [])
        for parameter in all.map(resolved) {
            guard let name = parameter["name"]?.scalarText, let place = parameter["in"]?.stringValue else { continue }
            let required = parameter["required"]?.boolValue ?? false
            switch place {
            case "query": parameters["method.request.querystring.\(name)"] = .bool(required)
            case "header": parameters["method.request.header.\(name)"] = .bool(required)
            case "path": parameters["method.request.path.\(name)"] = .bool(true)
            case "body":
                let types = operation["consumes"]?.listValue ?? document["consumes"]?.listValue ?? [.string("application/json")]
                if let model = modelName(parameter["schema"]) {
                    for type in types.compactMap(\.stringValue) { models[type] = .string(model) }
                }
            default: break
            }
        }
        if let body = operation["requestBody"].map(resolved) {
            for (type, content) in body["content"]?.mapValue?.entries ?? [] {
                if let model = modelName(content["schema"]) { models[type] = .string(model) }
            }
        }
        return (parameters, models)
    }

    /// The names of the document's API key security schemes (`type: apiKey`, `name: x-api-key`, in the header).
    static func apiKeySchemes(_ document: TemplateValue) -> Set<String> {
        let schemes = document["securityDefinitions"]?.mapValue ?? document["components"]?["securitySchemes"]?.mapValue
        var names: Set<String> = []
        for (name, scheme) in schemes?.entries ?? [] {
            if scheme["type"]?.stringValue == "apiKey", scheme["name"]?.stringValue?.lowercased() == "x-api-key",
                scheme["in"]?.stringValue == "header", scheme["x-amazon-apigateway-authtype"] == nil
            {
                names.insert(name)
            }
        }
        return names
    }

    /// The document's `x-amazon-apigateway-authorizer` security schemes as authorizers (by scheme name), as API Gateway
    /// imports them: `TOKEN` (the default), `REQUEST` or `COGNITO_USER_POOLS`, named after the scheme, a TOKEN or Cognito
    /// authorizer reading the scheme's header when it names no identity source. An authorizer of the API with the same
    /// name keeps its id.
    static func authorizerSchemes(_ document: TemplateValue, existing: [RestItem]) throws(RestError) -> [String: [String: V2JSON]] {
        let schemes = document["securityDefinitions"]?.mapValue ?? document["components"]?["securitySchemes"]?.mapValue
        var result: [String: [String: V2JSON]] = [:]
        for (name, scheme) in schemes?.entries ?? [] {
            guard let authorizer = scheme["x-amazon-apigateway-authorizer"] else { continue }
            let type = (authorizer["type"]?.stringValue ?? "token").uppercased()
            let id = existing.first { $0.document["name"]?.stringValue == name }?.id ?? V2Identifiers.make(length: 6)
            var entry: [String: V2JSON] = [
                "id": .string(id), "name": .string(name), "type": .string(type),
                "authorizerResultTtlInSeconds": .number(Double(authorizer["authorizerResultTtlInSeconds"]?.intValue ?? 300)),
            ]
            if let authType = scheme["x-amazon-apigateway-authtype"]?.stringValue { entry["authType"] = .string(authType) }
            for member in ["authorizerUri", "authorizerCredentials", "identityValidationExpression", "identitySource"] {
                if let text = authorizer[member]?.scalarText { entry[member] = .string(text) }
            }
            if let arns = authorizer["providerARNs"]?.listValue?.compactMap(\.scalarText) { entry["providerARNs"] = .array(arns.map { .string($0) }) }
            if type != "REQUEST", entry["identitySource"] == nil, scheme["in"]?.stringValue == "header", let header = scheme["name"]?.stringValue {
                entry["identitySource"] = .string("method.request.header.\(header)")
            }
            do {
                try RestValidation.authorizer(entry)
            } catch {
                throw .badRequest("Errors found during import:\n\tUnable to create authorizer '\(name)': \(error.message)")
            }
            result[name] = entry
        }
        return result
    }

    /// The names of the document's `awsSigv4` security schemes (`AWS_IAM` methods).
    static func iamSchemes(_ document: TemplateValue) -> Set<String> {
        let schemes = document["securityDefinitions"]?.mapValue ?? document["components"]?["securitySchemes"]?.mapValue
        var names: Set<String> = []
        for (name, scheme) in schemes?.entries ?? [] where scheme["x-amazon-apigateway-authtype"]?.stringValue?.lowercased() == "awssigv4" {
            names.insert(name)
        }
        return names
    }

    /// A method's authorization from its security requirements: the first naming an authorizer (`CUSTOM`, or
    /// `COGNITO_USER_POOLS` with the requirement's scopes) or an `awsSigv4` scheme (`AWS_IAM`).
    static func authorization(_ security: [TemplateValue], authorizers: [String: [String: V2JSON]], iam: Set<String>) -> [String: V2JSON] {
        for requirement in security {
            for (name, scopes) in requirement.mapValue?.entries ?? [] {
                if iam.contains(name) { return ["authorizationType": .string("AWS_IAM")] }
                guard let authorizer = authorizers[name], let id = authorizer["id"] else { continue }
                if authorizer["type"]?.stringValue == "COGNITO_USER_POOLS" {
                    var method: [String: V2JSON] = ["authorizationType": .string("COGNITO_USER_POOLS"), "authorizerId": id]
                    let names = scopes.listValue?.compactMap(\.scalarText) ?? []
                    if !names.isEmpty { method["authorizationScopes"] = .array(names.map { .string($0) }) }
                    return method
                }
                return ["authorizationType": .string("CUSTOM"), "authorizerId": id]
            }
        }
        return [:]
    }

    /// The resource of a path, creating the missing ones on the way (path parts checked as `CreateResource` does).
    static func resource(for path: String, in resources: inout [RestItem], apiId: String) throws(RestError) -> RestItem {
        guard var current = resources.first(where: { $0.document["parentId"] == nil }) else {
            throw .badRequest("Invalid OpenAPI input: the API has no root resource")
        }
        for part in path.split(separator: "/").map(String.init) {
            if let child = resources.first(where: {
                $0.document["parentId"]?.stringValue == current.id && $0.document["pathPart"]?.stringValue == part
            }) {
                current = child
                continue
            }
            try RestValidation.pathPart(part)
            try RestValidation.checkSiblings(parent: current, pathPart: part, exceptId: "", resources: resources)
            let id = V2Identifiers.make(length: 6)
            let child = RestItem(
                kind: .resource,
                scope: apiId,
                id: id,
                document: [
                    "id": .string(id), "parentId": .string(current.id), "pathPart": .string(part),
                    "path": .string(childPath(parent: current.document["path"]?.stringValue ?? "/", part: part)),
                ]
            )
            resources.append(child)
            current = child
        }
        return current
    }

    /// A method's integration from its `x-amazon-apigateway-integration`.
    static func integration(_ value: TemplateValue, resourceId: String, path: String) throws(RestError) -> [String: V2JSON] {
        var document: [String: V2JSON] = [
            "type": .string((value["type"]?.stringValue ?? "").uppercased()), "connectionType": .string("INTERNET"),
            "passthroughBehavior": .string((value["passthroughBehavior"]?.stringValue ?? "WHEN_NO_MATCH").uppercased()),
            "timeoutInMillis": .number(Double(value["timeoutInMillis"]?.intValue ?? 29000)), "cacheNamespace": .string(resourceId),
            "cacheKeyParameters": .array([]),
        ]
        for name in ["uri", "httpMethod", "credentials", "contentHandling"] {
            if let text = value[name]?.stringValue { document[name] = .string(name == "httpMethod" ? text.uppercased() : text) }
        }
        for name in ["requestTemplates", "requestParameters"] {
            if let map = value[name]?.mapValue { document[name] = .object(stringMap(map)) }
        }
        var responses: [String: V2JSON] = [:]
        for (pattern, response) in value["responses"]?.mapValue?.entries ?? [] {
            let code = response["statusCode"]?.scalarText ?? "200"
            var entry: [String: V2JSON] = ["statusCode": .string(code)]
            if pattern != "default" { entry["selectionPattern"] = .string(pattern) }
            for name in ["responseTemplates", "responseParameters"] {
                if let map = response[name]?.mapValue { entry[name] = .object(stringMap(map)) }
            }
            responses[code] = .object(entry)
        }
        if !responses.isEmpty { document["integrationResponses"] = .object(responses) }
        do {
            try RestValidation.integration(document)
        } catch {
            throw .badRequest("Errors found during import:\n\tUnable to put integration for resource at path '\(path)': \(error.message)")
        }
        return document
    }

    static func stringMap(_ map: TemplateMap) -> [String: V2JSON] {
        var result: [String: V2JSON] = [:]
        for (key, value) in map.entries {
            if let text = value.scalarText { result[key] = .string(text) }
        }
        return result
    }
}
