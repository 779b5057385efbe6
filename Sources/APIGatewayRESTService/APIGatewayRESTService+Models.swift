import APIGatewayHTTP
import APIGatewayV2Service
import Foundation

/// Models, request validators and gateway responses of a REST API: `CreateModel`/`GetModel(s)`/`UpdateModel`/
/// `DeleteModel` (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateModel.html), `CreateRequestValidator`/
/// `GetRequestValidator(s)`/`UpdateRequestValidator`/`DeleteRequestValidator`
/// (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRequestValidator.html) and `PutGatewayResponse`/
/// `GetGatewayResponse(s)`/`UpdateGatewayResponse`/`DeleteGatewayResponse`
/// (https://docs.aws.amazon.com/apigateway/latest/api/API_PutGatewayResponse.html). A deployment snapshots them with
/// the API's resources; its stages serve them.
extension APIGatewayRESTService {
    // MARK: Models

    /// The models every new REST API starts with (`Empty` and `Error`), as API Gateway creates them.
    static func defaultModels(apiId: String) -> [RestItem] {
        let models = [
            ("Error", "Error Schema", #"{"type":"object","properties":{"message":{"type":"string"}}}"#),
            ("Empty", "Empty Schema", #"{"type":"object"}"#),
        ]
        return models.map { name, title, body in
            let schema = ##"{"$schema":"http://json-schema.org/draft-04/schema#","title":"\##(title)",\##(body.dropFirst())"##
            let document: [String: V2JSON] = [
                "id": .string(V2Identifiers.make(length: 6)), "name": .string(name),
                "description": .string("This is a default \(name.lowercased()) schema model"),
                "schema": .string(schema), "contentType": .string("application/json"),
            ]
            return RestItem(kind: .model, scope: apiId, id: name, document: document)
        }
    }

    /// `CreateModel`.
    func createModel(_ apiId: String, input: [String: V2JSON], id: String? = nil) throws -> [String: V2JSON] {
        _ = try restApi(apiId)
        let name = input["name"]?.stringValue ?? ""
        try RestValidation.model(name: name, contentType: input["contentType"]?.stringValue ?? "", schema: input["schema"]?.stringValue)
        var document: [String: V2JSON] = ["id": .string(id ?? V2Identifiers.make(length: 6))]
        document.merge(input) { _, new in new }
        try store.put([RestItem(kind: .model, scope: apiId, id: name, document: document)]) { all in
            if all.contains(where: { $0.kind == .model && $0.scope == apiId && $0.id == name }) {
                throw RestError.conflict("Model name already exists for this REST API")
            }
        }
        return document
    }

    // MARK: Request validators

    /// `CreateRequestValidator`.
    func createRequestValidator(_ apiId: String, input: [String: V2JSON], id: String? = nil) throws -> [String: V2JSON] {
        _ = try restApi(apiId)
        var document: [String: V2JSON] = [
            "id": .string(id ?? V2Identifiers.make(length: 6)), "validateRequestBody": .bool(false), "validateRequestParameters": .bool(false),
        ]
        document.merge(input) { _, new in new }
        try store.put([RestItem(kind: .requestValidator, scope: apiId, id: document["id"]?.stringValue ?? "", document: document)])
        return document
    }

    /// Checks what a method's `requestValidatorId` and `requestModels` name exist in the API.
    func checkRequestValidation(_ method: [String: V2JSON], apiId: String) throws(RestError) {
        if let validatorId = method["requestValidatorId"]?.stringValue, !validatorId.isEmpty {
            guard store.get(.requestValidator, scope: apiId, id: validatorId) != nil else {
                throw .badRequest("Invalid Request Validator identifier specified")
            }
        }
        for (_, model) in (method["requestModels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let name = model.stringValue ?? ""
            guard store.get(.model, scope: apiId, id: name) != nil else { throw .badRequest("Invalid model identifier specified: \(name)") }
        }
    }

    // MARK: Gateway responses

    /// The gateway response types and their default status codes (none for `DEFAULT_4XX` and `DEFAULT_5XX`), as
    /// "Gateway response types for API Gateway" lists them.
    static let gatewayResponseTypes: [(type: String, status: String?)] = [
        ("DEFAULT_4XX", nil), ("DEFAULT_5XX", nil), ("RESOURCE_NOT_FOUND", "404"), ("UNAUTHORIZED", "401"), ("INVALID_API_KEY", "403"),
        ("ACCESS_DENIED", "403"), ("AUTHORIZER_FAILURE", "500"), ("AUTHORIZER_CONFIGURATION_ERROR", "500"), ("INVALID_SIGNATURE", "403"),
        ("EXPIRED_TOKEN", "403"), ("MISSING_AUTHENTICATION_TOKEN", "403"), ("INTEGRATION_FAILURE", "504"), ("INTEGRATION_TIMEOUT", "504"),
        ("API_CONFIGURATION_ERROR", "500"), ("UNSUPPORTED_MEDIA_TYPE", "415"), ("BAD_REQUEST_PARAMETERS", "400"),
        ("BAD_REQUEST_BODY", "400"), ("REQUEST_TOO_LARGE", "413"), ("THROTTLED", "429"), ("QUOTA_EXCEEDED", "429"),
        ("WAF_FILTERED", "403"),
    ]

    /// The default gateway response of a type (`defaultResponse: true`).
    static func defaultGatewayResponse(_ type: String) -> [String: V2JSON] {
        var document: [String: V2JSON] = [
            "responseType": .string(type), "defaultResponse": .bool(true), "responseParameters": .object([:]),
            "responseTemplates": .object(["application/json": .string(#"{"message":$context.error.messageString}"#)]),
        ]
        if let status = gatewayResponseTypes.first(where: { $0.type == type })?.status { document["statusCode"] = .string(status) }
        return document
    }

    /// Checks a response type (`ValidationException`, as AWS's front end checks enumerations).
    static func checkResponseType(_ type: String) throws(RestError) {
        guard gatewayResponseTypes.contains(where: { $0.type == type }) else {
            throw .validation(
                "1 validation error detected: Value '\(type)' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [\(gatewayResponseTypes.map(\.type).joined(separator: ", "))]"
            )
        }
    }

    /// `PutGatewayResponse`: replaces the type's response.
    func putGatewayResponse(_ apiId: String, type: String, input: [String: V2JSON]) throws -> [String: V2JSON] {
        _ = try restApi(apiId)
        try Self.checkResponseType(type)
        if let status = input["statusCode"]?.stringValue { try RestValidation.statusCode(status) }
        var document: [String: V2JSON] = [
            "responseType": .string(type), "defaultResponse": .bool(false), "responseParameters": .object([:]), "responseTemplates": .object([:]),
        ]
        document.merge(input) { _, new in new }
        try store.put([RestItem(kind: .gatewayResponse, scope: apiId, id: type, document: document)])
        return document
    }

    /// `GetGatewayResponse`: the customized response, else the default.
    func gatewayResponse(_ apiId: String, type: String) throws(RestError) -> [String: V2JSON] {
        _ = try restApi(apiId)
        try Self.checkResponseType(type)
        return store.get(.gatewayResponse, scope: apiId, id: type)?.document ?? Self.defaultGatewayResponse(type)
    }

    /// `GetGatewayResponses`: every type, customized or default (the collection is not paged).
    func gatewayResponses(_ apiId: String) throws(RestError) -> V2JSON {
        _ = try restApi(apiId)
        let items = Self.gatewayResponseTypes.map { entry in
            V2JSON.object(store.get(.gatewayResponse, scope: apiId, id: entry.type)?.document ?? Self.defaultGatewayResponse(entry.type))
        }
        return .object(["item": .array(items)])
    }

    /// `UpdateGatewayResponse`: patches the customized response (or the default, which becomes customized).
    func updateGatewayResponse(_ apiId: String, type: String, operations: [(op: String, path: String, value: String?)]) throws -> [String: V2JSON] {
        var document = try gatewayResponse(apiId, type: type)
        document = try RestPatch.apply(operations, to: document, kind: .gatewayResponse)
        if let status = document["statusCode"]?.stringValue { try RestValidation.statusCode(status) }
        document["defaultResponse"] = .bool(false)
        try store.put([RestItem(kind: .gatewayResponse, scope: apiId, id: type, document: document)])
        return document
    }

    /// `DeleteGatewayResponse`: back to the default (a type not put is `NotFoundException`).
    func deleteGatewayResponse(_ apiId: String, type: String) throws {
        _ = try restApi(apiId)
        try Self.checkResponseType(type)
        guard store.get(.gatewayResponse, scope: apiId, id: type) != nil else {
            throw RestError.notFound("Gateway response type not defined on api")
        }
        try store.remove { $0.kind == .gatewayResponse && $0.scope == apiId && $0.id == type }
    }

    /// `DeleteModel`: refused while a method's `requestModels` names the model.
    func deleteModel(_ apiId: String, name: String) throws {
        _ = try item(.model, scope: apiId, id: name)
        let inUse: ([RestItem]) throws -> Void = { all in
            for resource in all where resource.kind == .resource && resource.scope == apiId {
                let methods = (resource.document["resourceMethods"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                for (httpMethod, method) in methods {
                    let models = method.objectValue?["requestModels"]?.objectValue?.values.compactMap(\.stringValue) ?? []
                    if models.contains(name) {
                        let path = resource.document["path"]?.stringValue ?? "/"
                        throw RestError.conflict("Cannot delete model '\(name)', is referenced in method request: \(path)/\(httpMethod)")
                    }
                }
            }
        }
        try store.remove(check: inUse) { $0.kind == .model && $0.scope == apiId && $0.id == name }
    }
}

extension RestValidation {
    /// Checks a model: an alphanumeric name, a content type, and for JSON content types a schema that is a JSON object.
    /// - Parameters:
    ///   - name: The model name.
    ///   - contentType: The content type.
    ///   - schema: The schema text.
    /// - Throws: `BadRequestException`.
    package static func model(name: String, contentType: String, schema: String?) throws(RestError) {
        guard !name.isEmpty else { throw .badRequest("Model name must be non-empty") }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .badRequest("Model name must be alphanumeric")
        }
        guard !contentType.isEmpty else { throw .badRequest("Content type must be non-empty") }
        guard let schema, !schema.isEmpty else { throw .badRequest("Model schema must have at least 1 property or array items defined") }
        if contentType.lowercased().contains("json"), JSONSchemaValidator(schema: schema) == nil {
            throw .badRequest("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]")
        }
    }
}
