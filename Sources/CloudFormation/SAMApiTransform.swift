import Foundation

/// One `Api` or `HttpApi` event of a SAM function, collected while the function is transformed.
package struct SAMApiEvent: Sendable {
    /// The function's logical id.
    package var functionId: String
    /// The event's name under `Events`.
    package var eventId: String
    /// `Api` (REST API) or `HttpApi`.
    package var type: String
    /// The event's `Properties`.
    package var properties: TemplateMap
    /// The function's `Condition`, copied onto the generated permission.
    package var condition: TemplateValue?
    /// Where the event is written.
    package var location: SourceLocation?
    /// The logical id of the function's `AutoPublishAlias` alias, which the event invokes instead of the function.
    package var aliasId: String? = nil

    /// What the integration invokes: the alias's ARN (`Ref`) with `AutoPublishAlias`, else the function's `Arn`.
    var invocationUri: TemplateValue {
        let target = aliasId ?? "\(functionId).Arn"
        return [
            "Fn::Sub":
                .string("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${\(target)}/invocations")
        ]
    }
}

/// Expands SAM's API Gateway resources the way the SAM translator does: `AWS::Serverless::Api` and the implicit
/// `ServerlessRestApi` become an `AWS::ApiGateway::RestApi` whose `Body` is the OpenAPI document (the events'
/// paths merged in), a `...Deployment<hash>` (stage `Stage`, for Swagger 2.0 documents) and a `...<StageName>Stage`;
/// `AWS::Serverless::HttpApi` and the implicit `ServerlessHttpApi` become an `AWS::ApiGatewayV2::Api` with an
/// OpenAPI 3 `Body` and a `$default` (or named) auto-deployed stage. Every event also gets the
/// `AWS::Lambda::Permission` SAM creates.
struct SAMApiTransform {
    static let implicitRestApiId = "ServerlessRestApi"
    static let implicitHttpApiId = "ServerlessHttpApi"
    static let restType = "AWS::Serverless::Api"
    static let httpType = "AWS::Serverless::HttpApi"
    private static let anyMethod = "x-amazon-apigateway-any-method"
    private static let integrationKey = "x-amazon-apigateway-integration"
    private static let restHandled: Set<String> = [
        "StageName", "DefinitionBody", "DefinitionUri", "Cors", "BinaryMediaTypes", "Variables", "Name", "Description",
        "EndpointConfiguration", "OpenApiVersion", "Tags", "Auth", "Models", "GatewayResponses",
    ]
    /// The `Auth` keys of an `AWS::Serverless::Api` the emulator acts on.
    private static let restAuthHandled: Set<String> = [
        "DefaultAuthorizer", "Authorizers", "ApiKeyRequired", "UsagePlan", "AddDefaultAuthorizerToCorsPreflight",
        "AddApiKeyRequiredToCorsPreflight",
    ]
    private static let httpHandled: Set<String> = [
        "StageName", "DefinitionBody", "DefinitionUri", "CorsConfiguration", "StageVariables", "Name", "Description", "Tags", "Auth",
    ]

    let globals: TemplateMap
    let resources: TemplateMap
    let events: [SAMApiEvent]
    let template: Template
    /// The generated resources, in order.
    var generated: [(id: String, value: TemplateValue, location: SourceLocation?)] = []
    /// SAM API properties the emulator ignores.
    var unsupported: [UnsupportedProperty] = []
    /// SAM's referenceable properties: `Api.Stage` and `Api.Deployment` to the generated logical ids.
    var referenceable: [String: String] = [:]

    init(globals: TemplateMap, resources: TemplateMap, events: [SAMApiEvent], template: Template, referenceable: [String: String] = [:]) {
        self.globals = globals
        self.resources = resources
        self.events = events
        self.template = template
        self.referenceable = referenceable
    }

    /// Expands every SAM API (explicit and implicit) and the events' permissions.
    mutating func run() throws(TemplateError) {
        var restEvents: [String: [SAMApiEvent]] = [:]
        var httpEvents: [String: [SAMApiEvent]] = [:]
        for event in events {
            let handled: Set<String> =
                event.type == "Api"
                ? ["Path", "Method", "RestApiId", "Auth", "RequestModel", "RequestParameters"]
                : ["Path", "Method", "ApiId", "PayloadFormatVersion", "TimeoutInMillis", "Auth"]
            for key in event.properties.keys where !handled.contains(key) {
                unsupported.append(
                    UnsupportedProperty(
                        logicalId: event.functionId,
                        resourceType: "AWS::Serverless::Function",
                        property: "Events.\(event.eventId).Properties.\(key)",
                        reason: "is ignored by the emulator",
                        location: event.properties.location(of: key) ?? event.location
                    )
                )
            }
            if event.type == "Api" {
                let apiId = try reference(event, key: "RestApiId", type: Self.restType, default: Self.implicitRestApiId)
                restEvents[apiId, default: []].append(event)
            } else {
                let apiId = try reference(event, key: "ApiId", type: Self.httpType, default: Self.implicitHttpApiId)
                httpEvents[apiId, default: []].append(event)
            }
        }
        let restGlobals = globals["Api"] ?? .map(TemplateMap())
        let httpGlobals = globals["HttpApi"] ?? .map(TemplateMap())
        for (logicalId, value) in resources.entries {
            let body = value.mapValue ?? TemplateMap()
            switch body["Type"]?.stringValue {
            case Self.restType:
                let properties = SAMTransform.merge(restGlobals, body["Properties"] ?? .map(TemplateMap())).mapValue ?? TemplateMap()
                try restApi(
                    logicalId,
                    properties: properties,
                    body: body,
                    events: restEvents[logicalId] ?? [],
                    location: resources.location(of: logicalId)
                )
            case Self.httpType:
                let properties = SAMTransform.merge(httpGlobals, body["Properties"] ?? .map(TemplateMap())).mapValue ?? TemplateMap()
                try httpApi(
                    logicalId,
                    properties: properties,
                    body: body,
                    events: httpEvents[logicalId] ?? [],
                    location: resources.location(of: logicalId)
                )
            default:
                continue
            }
        }
        if let implicit = restEvents[Self.implicitRestApiId] {
            var properties = SAMTransform.merge(restGlobals, .map(TemplateMap())).mapValue ?? TemplateMap()
            properties.set("StageName", "Prod")
            try restApi(Self.implicitRestApiId, properties: properties, body: TemplateMap(), events: implicit, location: implicit.first?.location)
        }
        if let implicit = httpEvents[Self.implicitHttpApiId] {
            let properties = SAMTransform.merge(httpGlobals, .map(TemplateMap())).mapValue ?? TemplateMap()
            try httpApi(Self.implicitHttpApiId, properties: properties, body: TemplateMap(), events: implicit, location: implicit.first?.location)
        }
    }

    // MARK: REST APIs

    private mutating func restApi(
        _ logicalId: String,
        properties: TemplateMap,
        body: TemplateMap,
        events: [SAMApiEvent],
        location: SourceLocation?
    ) throws(TemplateError) {
        report(properties, handled: Self.restHandled, logicalId: logicalId, type: Self.restType)
        guard let stageName = properties["StageName"]?.scalarText, !stageName.isEmpty else {
            throw TemplateError(
                .format,
                "Resource with id [\(logicalId)] is invalid. Missing required property 'StageName'.",
                at: location,
                logicalId: logicalId
            )
        }
        let generatedDocument: TemplateValue = [
            "swagger": "2.0",
            "info": ["version": "1.0", "title": ["Ref": "AWS::StackName"]],
            "paths": .map(TemplateMap()),
        ]
        var document = try definition(logicalId, properties: properties, location: location) ?? generatedDocument.mapValue ?? TemplateMap()
        var paths = document["paths"]?.mapValue ?? TemplateMap()
        let auth = try restAuth(logicalId, properties: properties, document: &document, location: location)
        for event in events {
            guard let path = event.properties["Path"]?.scalarText, let method = event.properties["Method"]?.scalarText else {
                throw TemplateError(
                    .format,
                    "Event with id [\(event.eventId)] is invalid. Event is missing key 'Path' or 'Method'.",
                    at: event.location,
                    logicalId: event.functionId
                )
            }
            let key = method.lowercased() == "any" ? Self.anyMethod : method.lowercased()
            var operations = paths[path]?.mapValue ?? TemplateMap()
            var operation = operations[key]?.mapValue ?? TemplateMap()
            if operation[Self.integrationKey] == nil {
                operation.set(
                    Self.integrationKey,
                    ["type": "aws_proxy", "httpMethod": "POST", "uri": event.invocationUri]
                )
            }
            if operation["responses"] == nil { operation.set("responses", .map(TemplateMap())) }
            if let security = try auth.security(for: event, method: method.lowercased(), path: path) {
                operation.set("security", security)
            }
            Self.addRequestValidation(event.properties, to: &operation, document: &document)
            operations.set(key, .map(operation))
            paths.set(path, .map(operations))
            let pathForArn = Self.permissionPath(path)
            let arnMethod = key == Self.anyMethod ? "*" : method.uppercased()
            addPermission(
                id: "\(event.functionId)\(event.eventId)Permission\(Self.alphanumeric(stageName))",
                event: event,
                sourceArn: [
                    "Fn::Sub": [
                        .string(
                            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/\(arnMethod)/\(pathForArn)"
                        ),
                        ["__ApiId__": ["Ref": .string(logicalId)], "__Stage__": "*"],
                    ]
                ]
            )
        }
        if let cors = properties["Cors"] {
            paths = Self.addCorsPreflights(to: paths, cors: cors, security: auth.preflightSecurity)
        }
        document.set("paths", .map(paths))
        Self.addModelsAndGatewayResponses(properties, to: &document)

        var apiProperties = TemplateMap()
        apiProperties.set("Body", .map(document), location: properties.location(of: "DefinitionBody"))
        for key in ["Name", "Description", "EndpointConfiguration"] {
            if let value = properties[key] { apiProperties.set(key, value, location: properties.location(of: key)) }
        }
        if let types = properties["BinaryMediaTypes"]?.listValue {
            // SAM writes `/` as `~1` (a JSON pointer escape) in BinaryMediaTypes and turns it back.
            let decoded: [TemplateValue] = types.map { value in
                if case .string(let text) = value { return .string(text.replacingOccurrences(of: "~1", with: "/")) }
                return value
            }
            apiProperties.set("BinaryMediaTypes", .list(decoded), location: properties.location(of: "BinaryMediaTypes"))
        }
        var api = TemplateMap()
        api.set("Type", "AWS::ApiGateway::RestApi")
        api.set("Properties", .map(apiProperties), location: body.location(of: "Properties"))
        copyAttributes(from: body, to: &api)
        generated.append((logicalId, .map(api), location))

        let hash = Self.hash(TemplateValue.map(document).jsonString)
        let deploymentId = "\(logicalId)Deployment\(hash)"
        var deploymentProperties = TemplateMap()
        deploymentProperties.set("RestApiId", ["Ref": .string(logicalId)])
        deploymentProperties.set("Description", .string("RestApi deployment id: \(hash)"))
        // Swagger 2.0 documents get SAM's extra `Stage` stage; OpenApiVersion 3 drops it.
        if properties["OpenApiVersion"] == nil { deploymentProperties.set("StageName", "Stage") }
        var deployment = TemplateMap()
        deployment.set("Type", "AWS::ApiGateway::Deployment")
        deployment.set("Properties", .map(deploymentProperties))
        if let condition = body["Condition"] { deployment.set("Condition", condition) }
        generated.append((deploymentId, .map(deployment), location))
        referenceable["\(logicalId).Deployment"] = deploymentId

        var stageProperties = TemplateMap()
        stageProperties.set("RestApiId", ["Ref": .string(logicalId)])
        stageProperties.set("DeploymentId", ["Ref": .string(deploymentId)])
        stageProperties.set("StageName", properties["StageName"] ?? .string(stageName), location: properties.location(of: "StageName"))
        if let variables = properties["Variables"] {
            stageProperties.set("Variables", variables, location: properties.location(of: "Variables"))
        }
        var stage = TemplateMap()
        stage.set("Type", "AWS::ApiGateway::Stage")
        stage.set("Properties", .map(stageProperties))
        if let condition = body["Condition"] { stage.set("Condition", condition) }
        generated.append(("\(logicalId)\(Self.alphanumeric(stageName))Stage", .map(stage), location))
        referenceable["\(logicalId).Stage"] = "\(logicalId)\(Self.alphanumeric(stageName))Stage"
        if let plan = auth.usagePlan {
            addUsagePlan(
                plan,
                apiId: logicalId,
                stageId: "\(logicalId)\(Self.alphanumeric(stageName))Stage",
                condition: body["Condition"],
                location: location
            )
        }
    }

    /// An event's `RequestModel` and `RequestParameters` as SAM writes them into the operation: a body parameter (Swagger
    /// 2.0) or `requestBody` (OpenAPI 3) naming the model, lower-cased, in `#/definitions` or `#/components/schemas`;
    /// `ValidateBody`/`ValidateParameters` as the validator `body-and-params`, `body-only`, `params-only` or
    /// `no-validation` (an unset one is false; neither set: no validator); each request parameter as a `string`
    /// parameter, `required` when its `Required` says so.
    private static func addRequestValidation(_ event: TemplateMap, to operation: inout TemplateMap, document: inout TemplateMap) {
        let openAPI3 = document["openapi"] != nil
        var parameters = operation["parameters"]?.listValue ?? []
        if let model = event["RequestModel"]?.mapValue, let name = model["Model"]?.scalarText?.lowercased() {
            let required = model["Required"]?.boolValue
            if openAPI3 {
                var body = TemplateMap()
                body.set("content", ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(name)")]]])
                if let required { body.set("required", .bool(required)) }
                operation.set("requestBody", .map(body))
            } else {
                var parameter = TemplateMap()
                parameter.set("in", "body")
                parameter.set("name", .string(name))
                parameter.set("schema", ["$ref": .string("#/definitions/\(name)")])
                if let required { parameter.set("required", .bool(required)) }
                parameters.append(.map(parameter))
            }
            let validateBody = model["ValidateBody"]?.boolValue
            let validateParameters = model["ValidateParameters"]?.boolValue
            if validateBody != nil || validateParameters != nil {
                let body = validateBody ?? false
                let params = validateParameters ?? false
                let validator =
                    switch (body, params) {
                    case (true, true): "body-and-params"
                    case (true, false): "body-only"
                    case (false, true): "params-only"
                    case (false, false): "no-validation"
                    }
                var validators = document["x-amazon-apigateway-request-validators"]?.mapValue ?? TemplateMap()
                validators.set(validator, ["validateRequestBody": .bool(body), "validateRequestParameters": .bool(params)])
                document.set("x-amazon-apigateway-request-validators", .map(validators))
                operation.set("x-amazon-apigateway-request-validator", .string(validator))
            }
        }
        for entry in event["RequestParameters"]?.listValue ?? [] {
            let named: [(String, Bool)] =
                if let text = entry.scalarText {
                    [(text, false)]
                } else {
                    (entry.mapValue?.entries ?? []).map { ($0.key, $0.value["Required"]?.boolValue ?? false) }
                }
            for (parameter, required) in named {
                let places = ["method.request.header.": "header", "method.request.querystring.": "query", "method.request.path.": "path"]
                guard let (prefix, place) = places.first(where: { parameter.hasPrefix($0.key) }) else { continue }
                parameters.append(
                    ["in": .string(place), "name": .string(String(parameter.dropFirst(prefix.count))), "required": .bool(required), "type": "string"]
                )
            }
        }
        if !parameters.isEmpty { operation.set("parameters", .list(parameters)) }
    }

    /// `Models` (schemas under lower-cased names) and `GatewayResponses` (`StatusCode`, `ResponseParameters` `Headers`,
    /// `Paths` and `QueryStrings`, `ResponseTemplates`) of an `AWS::Serverless::Api`, as SAM writes them into the document.
    private static func addModelsAndGatewayResponses(_ properties: TemplateMap, to document: inout TemplateMap) {
        if let models = properties["Models"]?.mapValue {
            let openAPI3 = document["openapi"] != nil
            var components = document["components"]?.mapValue ?? TemplateMap()
            var schemas = (openAPI3 ? components["schemas"] : document["definitions"])?.mapValue ?? TemplateMap()
            for (name, schema) in models.entries { schemas.set(name.lowercased(), schema) }
            if openAPI3 {
                components.set("schemas", .map(schemas))
                document.set("components", .map(components))
            } else {
                document.set("definitions", .map(schemas))
            }
        }
        guard let responses = properties["GatewayResponses"]?.mapValue else { return }
        var converted = document["x-amazon-apigateway-gateway-responses"]?.mapValue ?? TemplateMap()
        for (type, response) in responses.entries {
            var entry = TemplateMap()
            if let status = response["StatusCode"] { entry.set("statusCode", status) }
            var parameters = TemplateMap()
            for (group, prefix) in [("Headers", "header"), ("Paths", "path"), ("QueryStrings", "querystring")] {
                for (name, value) in response["ResponseParameters"]?[group]?.mapValue?.entries ?? [] {
                    parameters.set("gatewayresponse.\(prefix).\(name)", value)
                }
            }
            if !parameters.isEmpty { entry.set("responseParameters", .map(parameters)) }
            if let templates = response["ResponseTemplates"] { entry.set("responseTemplates", templates) }
            converted.set(type, .map(entry))
        }
        document.set("x-amazon-apigateway-gateway-responses", .map(converted))
    }

    /// Adds SAM's `OPTIONS` preflight (a `MOCK` integration answering the configured CORS headers) to every path.
    private static func addCorsPreflights(to paths: TemplateMap, cors: TemplateValue, security: TemplateValue?) -> TemplateMap {
        var origin: TemplateValue = cors
        var settings = TemplateMap()
        if let map = cors.mapValue, cors.intrinsic == nil {
            settings = map
            origin = map["AllowOrigin"] ?? "'*'"
        }
        var result = paths
        for (path, value) in paths.entries {
            guard var operations = value.mapValue, operations["options"] == nil else { continue }
            var parameters = TemplateMap()
            parameters.set("method.response.header.Access-Control-Allow-Origin", origin)
            if let headers = settings["AllowHeaders"] {
                parameters.set("method.response.header.Access-Control-Allow-Headers", headers)
            }
            let methods: TemplateValue
            if let allowed = settings["AllowMethods"] {
                methods = allowed
            } else {
                var names = Set(["OPTIONS"])
                for key in operations.keys {
                    if key == anyMethod {
                        names.formUnion(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"])
                    } else if ["get", "put", "post", "delete", "patch", "head"].contains(key) {
                        names.insert(key.uppercased())
                    }
                }
                methods = .string("'\(names.sorted().joined(separator: ","))'")
            }
            parameters.set("method.response.header.Access-Control-Allow-Methods", methods)
            if let maxAge = settings["MaxAge"] {
                parameters.set("method.response.header.Access-Control-Max-Age", maxAge)
            }
            if settings["AllowCredentials"]?.boolValue == true {
                parameters.set("method.response.header.Access-Control-Allow-Credentials", "'true'")
            }
            let integration: TemplateValue = [
                "type": "mock",
                "requestTemplates": ["application/json": "{\n  \"statusCode\" : 200\n}\n"],
                "responses": [
                    "default": [
                        "statusCode": "200",
                        "responseParameters": .map(parameters),
                        "responseTemplates": ["application/json": "{}\n"],
                    ]
                ],
            ]
            var preflight: TemplateValue = [
                "summary": "CORS support",
                "consumes": ["application/json"],
                "produces": ["application/json"],
                integrationKey: integration,
                "responses": ["200": ["description": "Default response for CORS method"]],
            ]
            if let security, var map = preflight.mapValue {
                map.set("security", security)
                preflight = .map(map)
            }
            operations.set("options", preflight)
            result.set(path, .map(operations), location: paths.location(of: path))
        }
        return result
    }

    // MARK: HTTP APIs

    private mutating func httpApi(
        _ logicalId: String,
        properties: TemplateMap,
        body: TemplateMap,
        events: [SAMApiEvent],
        location: SourceLocation?
    ) throws(TemplateError) {
        report(properties, handled: Self.httpHandled, logicalId: logicalId, type: Self.httpType)
        let generatedDocument: TemplateValue = [
            "openapi": "3.0.1",
            "info": ["version": "1.0", "title": ["Ref": "AWS::StackName"]],
            "paths": .map(TemplateMap()),
        ]
        var document = try definition(logicalId, properties: properties, location: location) ?? generatedDocument.mapValue ?? TemplateMap()
        var paths = document["paths"]?.mapValue ?? TemplateMap()
        let auth = try httpAuth(logicalId, properties: properties, document: &document, location: location)
        for event in events {
            let path = event.properties["Path"]?.scalarText ?? "$default"
            let method = event.properties["Method"]?.scalarText ?? "ANY"
            let key = method.lowercased() == "any" || path == "$default" ? Self.anyMethod : method.lowercased()
            var operations = paths[path]?.mapValue ?? TemplateMap()
            var operation = operations[key]?.mapValue ?? TemplateMap()
            if operation[Self.integrationKey] == nil {
                var integration = TemplateMap()
                integration.set("type", "aws_proxy")
                integration.set("httpMethod", "POST")
                integration.set("uri", event.invocationUri)
                integration.set("payloadFormatVersion", event.properties["PayloadFormatVersion"] ?? "2.0")
                if let timeout = event.properties["TimeoutInMillis"] { integration.set("timeoutInMillis", timeout) }
                operation.set(Self.integrationKey, .map(integration))
            }
            if operation["responses"] == nil { operation.set("responses", .map(TemplateMap())) }
            if let security = try auth.security(for: event, method: method.lowercased(), path: path) {
                operation.set("security", security)
            }
            operations.set(key, .map(operation))
            paths.set(path, .map(operations))
            let arnMethod = key == Self.anyMethod ? "*" : method.uppercased()
            let arnPath = Self.permissionPath(path)
            let resource = path == "$default" ? "${__ApiId__}/*" : "${__ApiId__}/*/\(arnMethod)/\(arnPath)"
            addPermission(
                id: "\(event.functionId)\(event.eventId)Permission",
                event: event,
                sourceArn: [
                    "Fn::Sub": [
                        .string("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:\(resource)"),
                        ["__ApiId__": ["Ref": .string(logicalId)]],
                    ]
                ]
            )
        }
        document.set("paths", .map(paths))
        if let cors = properties["CorsConfiguration"] {
            document.set("x-amazon-apigateway-cors", Self.openAPICors(cors), location: properties.location(of: "CorsConfiguration"))
        }

        var apiProperties = TemplateMap()
        apiProperties.set("Body", .map(document), location: properties.location(of: "DefinitionBody"))
        for key in ["Name", "Description"] {
            if let value = properties[key] { apiProperties.set(key, value, location: properties.location(of: key)) }
        }
        var api = TemplateMap()
        api.set("Type", "AWS::ApiGatewayV2::Api")
        api.set("Properties", .map(apiProperties), location: body.location(of: "Properties"))
        copyAttributes(from: body, to: &api)
        generated.append((logicalId, .map(api), location))

        let stageName = properties["StageName"]?.scalarText
        var stageProperties = TemplateMap()
        stageProperties.set("ApiId", ["Ref": .string(logicalId)])
        stageProperties.set("StageName", .string(stageName ?? "$default"))
        stageProperties.set("AutoDeploy", true)
        if let variables = properties["StageVariables"] {
            stageProperties.set("StageVariables", variables, location: properties.location(of: "StageVariables"))
        }
        var stage = TemplateMap()
        stage.set("Type", "AWS::ApiGatewayV2::Stage")
        stage.set("Properties", .map(stageProperties))
        if let condition = body["Condition"] { stage.set("Condition", condition) }
        let stageId = stageName.map { "\(logicalId)\(Self.alphanumeric($0))Stage" } ?? "\(logicalId)ApiGatewayDefaultStage"
        generated.append((stageId, .map(stage), location))
        referenceable["\(logicalId).Stage"] = stageId
    }

    /// Rewrites SAM's referenceable properties in a value: `!Ref Api.Stage` becomes `!Ref ApiProdStage` and
    /// `${Api.Stage}` in `Fn::Sub` strings `${ApiProdStage}` (likewise `.Deployment`), as the SAM translator does.
    /// - Parameter value: A template value (resources, outputs).
    /// - Returns: The value with the references rewritten.
    func rewritingReferences(_ value: TemplateValue) -> TemplateValue {
        guard !referenceable.isEmpty else { return value }
        switch value {
        case .list(let items):
            return .list(items.map(rewritingReferences))
        case .map(let map):
            if map.count == 1, case .string(let target) = map["Ref"] ?? .null, let replacement = referenceable[target] {
                return ["Ref": .string(replacement)]
            }
            var result = TemplateMap()
            for (key, entry) in map.entries {
                var rewritten = rewritingReferences(entry)
                if key == "Fn::Sub" { rewritten = rewritingSubstitutions(rewritten) }
                result.set(key, rewritten, location: map.location(of: key))
            }
            return .map(result)
        default:
            return value
        }
    }

    private func rewritingSubstitutions(_ argument: TemplateValue) -> TemplateValue {
        func rewrite(_ text: String) -> String {
            var output = text
            for (reference, replacement) in referenceable {
                output = output.replacingOccurrences(of: "${\(reference)}", with: "${\(replacement)}")
            }
            return output
        }
        switch argument {
        case .string(let text):
            return .string(rewrite(text))
        case .list(var items) where !items.isEmpty:
            if case .string(let text) = items[0] { items[0] = .string(rewrite(text)) }
            return .list(items)
        default:
            return argument
        }
    }

    /// SAM's `CorsConfiguration` as the `x-amazon-apigateway-cors` extension (`true` allows every origin,
    /// header and method).
    private static func openAPICors(_ value: TemplateValue) -> TemplateValue {
        if value.boolValue == true {
            return ["allowOrigins": ["*"], "allowHeaders": ["*"], "allowMethods": ["*"]]
        }
        guard let map = value.mapValue else { return value }
        var result = TemplateMap()
        for (key, entry) in map.entries {
            result.set(String(key.prefix(1)).lowercased() + key.dropFirst(), entry)
        }
        return .map(result)
    }

    // MARK: Shared

    /// The API an event names (`RestApiId`/`ApiId` as a `Ref`), or the implicit API.
    private func reference(_ event: SAMApiEvent, key: String, type: String, default implicit: String) throws(TemplateError) -> String {
        guard let value = event.properties[key] else { return implicit }
        let kind = type == Self.restType ? "RestApiId" : "ApiId"
        guard case .string(let target) = value["Ref"] ?? .null, resources[target]?["Type"]?.stringValue == type else {
            throw TemplateError(
                .format,
                "Event with id [\(event.eventId)] is invalid. \(kind) must be a valid reference to an '\(type)' resource in same template.",
                at: event.location,
                logicalId: event.functionId
            )
        }
        return target
    }

    /// The OpenAPI document from `DefinitionBody`, or from the local file `DefinitionUri` names; nil when neither.
    private func definition(_ logicalId: String, properties: TemplateMap, location: SourceLocation?) throws(TemplateError) -> TemplateMap? {
        if let body = properties["DefinitionBody"] {
            guard let map = body.mapValue, body.intrinsic == nil else {
                throw TemplateError(
                    .format,
                    "Resource with id [\(logicalId)] is invalid. 'DefinitionBody' needs to be a dictionary.",
                    at: properties.location(of: "DefinitionBody") ?? location,
                    logicalId: logicalId
                )
            }
            return map
        }
        guard let uri = properties["DefinitionUri"] else { return nil }
        guard case .string(let path) = uri, !path.hasPrefix("s3://") else {
            throw TemplateError(
                .format,
                "Resource with id [\(logicalId)] is invalid. DefinitionUri must be a local OpenAPI file for the emulator (S3 locations are not read).",
                at: properties.location(of: "DefinitionUri") ?? location,
                logicalId: logicalId
            )
        }
        let base = URL(fileURLWithPath: template.baseDirectory, isDirectory: true)
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: path, relativeTo: base)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TemplateError(
                .format,
                "Resource with id [\(logicalId)] is invalid. DefinitionUri file \(url.standardizedFileURL.path) cannot be read.",
                at: properties.location(of: "DefinitionUri") ?? location,
                logicalId: logicalId
            )
        }
        let value = try TemplateLoader.parseValue(text, fileName: url.lastPathComponent)
        guard let map = value.mapValue else {
            throw TemplateError(
                .format,
                "Resource with id [\(logicalId)] is invalid. DefinitionUri file \(url.lastPathComponent) is not an OpenAPI document.",
                at: properties.location(of: "DefinitionUri") ?? location,
                logicalId: logicalId
            )
        }
        return map
    }

    private mutating func addPermission(id: String, event: SAMApiEvent, sourceArn: TemplateValue) {
        addPermission(
            id: id,
            function: ["Ref": .string(event.aliasId ?? event.functionId)],
            sourceArn: sourceArn,
            condition: event.condition,
            location: event.location
        )
    }

    /// SAM's `<Api><Authorizer>AuthorizerPermission` for a Lambda authorizer: API Gateway may invoke the function
    /// from any of the API's authorizers (`arn:...:execute-api:REGION:ACCOUNT:${Api}/authorizers/*`).
    mutating func addAuthorizerPermission(apiId: String, authorizer name: String, function: TemplateValue, location: SourceLocation?) {
        let sourceArn: TemplateValue = [
            "Fn::Sub": [
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*",
                ["__ApiId__": ["Ref": .string(apiId)]],
            ]
        ]
        addPermission(id: "\(apiId)\(name)AuthorizerPermission", function: function, sourceArn: sourceArn, condition: nil, location: location)
    }

    private mutating func addPermission(
        id: String,
        function: TemplateValue,
        sourceArn: TemplateValue,
        condition: TemplateValue?,
        location: SourceLocation?
    ) {
        var permission = TemplateMap()
        permission.set("Type", "AWS::Lambda::Permission")
        permission.set(
            "Properties",
            [
                "Action": "lambda:InvokeFunction",
                "FunctionName": function,
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": sourceArn,
            ]
        )
        if let condition { permission.set("Condition", condition) }
        generated.append((id, .map(permission), location))
    }

    private mutating func report(_ properties: TemplateMap, handled: Set<String>, logicalId: String, type: String) {
        for key in properties.keys where !handled.contains(key) {
            unsupported.append(
                UnsupportedProperty(
                    logicalId: logicalId,
                    resourceType: type,
                    property: "Properties.\(key)",
                    reason: "is ignored by the emulator",
                    location: properties.location(of: key)
                )
            )
        }
    }

    private func copyAttributes(from body: TemplateMap, to resource: inout TemplateMap) {
        for attribute in ["Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"] {
            if let value = body[attribute] { resource.set(attribute, value, location: body.location(of: attribute)) }
        }
    }

    /// `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`, as SAM writes it.
    /// An event's path as SAM writes it into the permission's `SourceArn`: without the leading (and a trailing)
    /// slash, and every path parameter (`{id}`, `{proxy+}`) as `*`.
    static func permissionPath(_ path: String) -> String {
        path.split(separator: "/")
            .map { segment in segment.hasPrefix("{") && segment.hasSuffix("}") ? "*" : String(segment) }
            .joined(separator: "/")
    }

    /// SAM's deployment hash stand-in: ten hex digits of a stable hash of the document.
    static func hash(_ text: String) -> String {
        let value = PhysicalNames.seed(text)
        let hex = String(value, radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(10))
    }

    private static func alphanumeric(_ text: String) -> String {
        String(text.filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }
}

// MARK: REST API Auth

/// An `AWS::Serverless::Api`'s `Auth`, as the SAM translator applies it to the OpenAPI document: its Lambda and
/// Cognito authorizers become security schemes, the default authorizer (or an event's `Auth.Authorizer`) and
/// `ApiKeyRequired` become each operation's `security`.
struct SAMRestAuth {
    /// The API's logical id.
    var apiId: String
    /// `DefaultAuthorizer` (`AWS_IAM` or a name of `Authorizers`).
    var defaultAuthorizer: String?
    /// The names of `Authorizers`.
    var authorizerNames: Set<String> = []
    /// A Cognito authorizer's `AuthorizationScopes`: the scopes of the methods using it without their own.
    var authorizerScopes: [String: [TemplateValue]] = [:]
    /// `ApiKeyRequired`.
    var apiKeyRequired = false
    /// `UsagePlan`, when it creates one (`PER_API` or `SHARED`).
    var usagePlan: TemplateMap?
    /// The `security` of SAM's CORS preflights (`AddDefaultAuthorizerToCorsPreflight`, default true).
    var preflightSecurity: TemplateValue?

    /// The `security` of an event's operation, or nil to leave the operation's own.
    /// - Throws: ``TemplateError`` when the event names an authorizer the API does not define.
    func security(for event: SAMApiEvent, method: String, path: String) throws(TemplateError) -> TemplateValue? {
        let eventAuth = event.properties["Auth"]?.mapValue ?? TemplateMap()
        let named = eventAuth["Authorizer"]?.scalarText
        let authorizer = named ?? defaultAuthorizer
        var requirements: [TemplateValue] = []
        if let authorizer, authorizer != "NONE" {
            guard authorizer == "AWS_IAM" || authorizerNames.contains(authorizer) else {
                throw TemplateError(
                    .format,
                    "Resource with id [\(event.functionId)] is invalid. Event with id [\(event.eventId)] is invalid. Unable to set Authorizer [\(authorizer)] on API method [\(method)] for path [\(path)] because it wasn't defined in the API's Authorizers.",
                    at: event.location,
                    logicalId: event.functionId
                )
            }
            // An event's `AuthorizationScopes` (Cognito authorizers) become the requirement's scopes.
            let scopes = eventAuth["AuthorizationScopes"]?.listValue ?? authorizerScopes[authorizer] ?? []
            requirements.append(.map(Self.requirement(authorizer, scopes: scopes)))
        }
        if eventAuth["ApiKeyRequired"]?.boolValue ?? apiKeyRequired {
            requirements.append(.map(Self.requirement("api_key")))
        }
        if requirements.isEmpty, named == nil, eventAuth["ApiKeyRequired"] == nil { return nil }
        return .list(requirements)
    }

    static func requirement(_ name: String, scopes: [TemplateValue] = []) -> TemplateMap {
        var map = TemplateMap()
        map.set(name, .list(scopes))
        return map
    }
}

extension SAMApiTransform {
    /// Reads an API's `Auth`, adds its security schemes to the document, and reports the keys it ignores.
    mutating func restAuth(
        _ logicalId: String,
        properties: TemplateMap,
        document: inout TemplateMap,
        location: SourceLocation?
    ) throws(TemplateError) -> SAMRestAuth {
        var result = SAMRestAuth(apiId: logicalId)
        // Events may ask for an API key or AWS_IAM on an API without `Auth`.
        let auth = properties["Auth"]?.mapValue ?? TemplateMap()
        for key in auth.keys where !Self.restAuthHandledKeys.contains(key) {
            unsupported.append(
                UnsupportedProperty(
                    logicalId: logicalId,
                    resourceType: Self.restType,
                    property: "Properties.Auth.\(key)",
                    reason: "is ignored by the emulator",
                    location: auth.location(of: key) ?? location
                )
            )
        }
        let isSwagger = document["swagger"] != nil
        var schemes = (isSwagger ? document["securityDefinitions"] : document["components"]?["securitySchemes"])?.mapValue ?? TemplateMap()
        for (name, value) in (auth["Authorizers"]?.mapValue ?? TemplateMap()).entries {
            let authorizer = value.mapValue ?? TemplateMap()
            result.authorizerNames.insert(name)
            var scheme = TemplateMap()
            scheme.set("type", "apiKey")
            scheme.set("x-amazon-apigateway-authtype", "custom")
            let identity = authorizer["Identity"]?.mapValue ?? TemplateMap()
            var extensionMap = TemplateMap()
            if let userPool = authorizer["UserPoolArn"] {
                let header = identity["Header"]?.scalarText ?? "Authorization"
                scheme.set("name", .string(header))
                scheme.set("in", "header")
                scheme.set("x-amazon-apigateway-authtype", "cognito_user_pools")
                extensionMap.set("type", "cognito_user_pools")
                extensionMap.set("providerARNs", userPool.listValue != nil ? userPool : .list([userPool]))
                if let scopes = authorizer["AuthorizationScopes"]?.listValue { result.authorizerScopes[name] = scopes }
            } else {
                guard let function = authorizer["FunctionArn"] else {
                    throw TemplateError(
                        .format,
                        "Resource with id [\(logicalId)] is invalid. Authorizer \(name) must have either 'UserPoolArn' or 'FunctionArn'.",
                        at: auth.location(of: "Authorizers") ?? location,
                        logicalId: logicalId
                    )
                }
                if authorizer["FunctionInvokeRole"] == nil {
                    // Without an invoke role API Gateway calls the function under its resource-based policy.
                    addAuthorizerPermission(
                        apiId: logicalId,
                        authorizer: name,
                        function: function,
                        location: auth.location(of: "Authorizers") ?? location
                    )
                }
                let payload = (authorizer["FunctionPayloadType"]?.scalarText ?? "TOKEN").uppercased()
                extensionMap.set("type", .string(payload.lowercased()))
                extensionMap.set("authorizerUri", Self.authorizerUri(function))
                if payload == "REQUEST" {
                    var sources: [String] = []
                    for (key, prefix) in [
                        ("Headers", "method.request.header."), ("QueryStrings", "method.request.querystring."),
                        ("StageVariables", "stageVariables."), ("Context", "context."),
                    ] {
                        for item in identity[key]?.listValue ?? [] {
                            if let text = item.scalarText { sources.append(prefix + text) }
                        }
                    }
                    scheme.set("name", "Unused")
                    scheme.set("in", "header")
                    if !sources.isEmpty { extensionMap.set("identitySource", .string(sources.joined(separator: ", "))) }
                } else {
                    let header = identity["Header"]?.scalarText ?? "Authorization"
                    scheme.set("name", .string(header))
                    scheme.set("in", "header")
                    extensionMap.set("identitySource", .string("method.request.header.\(header)"))
                    if let expression = identity["ValidationExpression"] { extensionMap.set("identityValidationExpression", expression) }
                }
                if let ttl = identity["ReauthorizeEvery"] { extensionMap.set("authorizerResultTtlInSeconds", ttl) }
            }
            scheme.set("x-amazon-apigateway-authorizer", .map(extensionMap))
            schemes.set(name, .map(scheme))
        }
        if let defaultAuthorizer = auth["DefaultAuthorizer"]?.scalarText {
            guard defaultAuthorizer == "AWS_IAM" || result.authorizerNames.contains(defaultAuthorizer) else {
                throw Self.undefinedDefaultAuthorizer(defaultAuthorizer, logicalId: logicalId, at: auth.location(of: "DefaultAuthorizer") ?? location)
            }
            result.defaultAuthorizer = defaultAuthorizer
        }
        result.apiKeyRequired = auth["ApiKeyRequired"]?.boolValue ?? false
        let usesIAM = result.defaultAuthorizer == "AWS_IAM" || events.contains { ($0.properties["Auth"]?["Authorizer"]?.scalarText) == "AWS_IAM" }
        if usesIAM {
            schemes.set("AWS_IAM", ["type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"])
        }
        let usesKeys = result.apiKeyRequired || events.contains { $0.properties["Auth"]?["ApiKeyRequired"]?.boolValue == true }
        if usesKeys {
            schemes.set("api_key", ["type": "apiKey", "name": "x-api-key", "in": "header"])
        }
        if !schemes.keys.isEmpty {
            if isSwagger {
                document.set("securityDefinitions", .map(schemes))
            } else {
                var components = document["components"]?.mapValue ?? TemplateMap()
                components.set("securitySchemes", .map(schemes))
                document.set("components", .map(components))
            }
        }
        var preflight: [TemplateValue] = []
        if let defaultAuthorizer = result.defaultAuthorizer, auth["AddDefaultAuthorizerToCorsPreflight"]?.boolValue ?? true {
            preflight.append(.map(SAMRestAuth.requirement(defaultAuthorizer)))
        }
        if result.apiKeyRequired, auth["AddApiKeyRequiredToCorsPreflight"]?.boolValue ?? true {
            preflight.append(.map(SAMRestAuth.requirement("api_key")))
        }
        result.preflightSecurity = preflight.isEmpty ? nil : .list(preflight)
        if let plan = auth["UsagePlan"]?.mapValue, let kind = plan["CreateUsagePlan"]?.scalarText, kind == "PER_API" || kind == "SHARED" {
            result.usagePlan = plan
        }
        return result
    }

    /// SAM's error for a `DefaultAuthorizer` missing from `Authorizers`.
    static func undefinedDefaultAuthorizer(_ name: String, logicalId: String, at location: SourceLocation?) -> TemplateError {
        TemplateError(
            .format,
            "Resource with id [\(logicalId)] is invalid. Unable to set DefaultAuthorizer because '\(name)' was not defined in 'Authorizers'.",
            at: location,
            logicalId: logicalId
        )
    }

    /// An authorizer's `authorizerUri` for a Lambda function ARN value (`!GetAtt Fn.Arn`), as SAM writes it.
    static func authorizerUri(_ function: TemplateValue) -> TemplateValue {
        [
            "Fn::Sub": [
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
                ["__FunctionArn__": function],
            ]
        ]
    }

    /// The `Auth` keys acted on.
    static var restAuthHandledKeys: Set<String> { restAuthHandled }

    /// SAM's usage plan resources: `PER_API` makes `{Api}UsagePlan`, `{Api}ApiKey` and `{Api}UsagePlanKey`;
    /// `SHARED` adds the API's stage to `ServerlessUsagePlan` (with `ServerlessApiKey`, `ServerlessUsagePlanKey`).
    mutating func addUsagePlan(_ plan: TemplateMap, apiId: String, stageId: String, condition: TemplateValue?, location: SourceLocation?) {
        let stage: TemplateValue = ["ApiId": ["Ref": .string(apiId)], "Stage": ["Ref": .string(stageId)]]
        let shared = plan["CreateUsagePlan"]?.scalarText == "SHARED"
        let prefix = shared ? "Serverless" : apiId
        if shared, let index = generated.firstIndex(where: { $0.id == "ServerlessUsagePlan" }), var existing = generated[index].value.mapValue,
            var properties = existing["Properties"]?.mapValue
        {
            properties.set("ApiStages", .list((properties["ApiStages"]?.listValue ?? []) + [stage]))
            existing.set("Properties", .map(properties))
            generated[index].value = .map(existing)
            return
        }
        var planProperties = TemplateMap()
        planProperties.set("ApiStages", .list([stage]))
        for key in ["Description", "Quota", "Throttle", "UsagePlanName", "Tags"] {
            if let value = plan[key] { planProperties.set(key, value) }
        }
        var usagePlan = TemplateMap()
        usagePlan.set("Type", "AWS::ApiGateway::UsagePlan")
        usagePlan.set("Properties", .map(planProperties))
        usagePlan.set("DependsOn", .list([.string(apiId)]))
        if let condition, !shared { usagePlan.set("Condition", condition) }
        generated.append(("\(prefix)UsagePlan", .map(usagePlan), location))

        var key = TemplateMap()
        key.set("Type", "AWS::ApiGateway::ApiKey")
        key.set(
            "Properties",
            ["Enabled": true, "StageKeys": [["RestApiId": ["Ref": .string(apiId)], "StageName": ["Ref": .string(stageId)]]]]
        )
        key.set("DependsOn", .list([.string("\(prefix)UsagePlan")]))
        if let condition, !shared { key.set("Condition", condition) }
        generated.append(("\(prefix)ApiKey", .map(key), location))

        var planKey = TemplateMap()
        planKey.set("Type", "AWS::ApiGateway::UsagePlanKey")
        planKey.set(
            "Properties",
            ["KeyId": ["Ref": .string("\(prefix)ApiKey")], "KeyType": "API_KEY", "UsagePlanId": ["Ref": .string("\(prefix)UsagePlan")]]
        )
        planKey.set("DependsOn", .list([.string("\(prefix)ApiKey")]))
        if let condition, !shared { planKey.set("Condition", condition) }
        generated.append(("\(prefix)UsagePlanKey", .map(planKey), location))
    }
}

// MARK: HTTP API Auth

/// An `AWS::Serverless::HttpApi`'s `Auth`: JWT and Lambda authorizers become OpenAPI 3 security schemes, the default
/// authorizer (or an event's `Auth.Authorizer`, with its `AuthorizationScopes`) each operation's `security`.
struct SAMHttpAuth {
    /// `DefaultAuthorizer`.
    var defaultAuthorizer: String?
    /// The names of `Authorizers` (plus `AWS_IAM` with `EnableIamAuthorizer`).
    var authorizerNames: Set<String> = []

    /// The `security` of an event's operation, or nil to leave the operation's own.
    /// - Throws: ``TemplateError`` when the event names an authorizer the API does not define.
    func security(for event: SAMApiEvent, method: String, path: String) throws(TemplateError) -> TemplateValue? {
        let eventAuth = event.properties["Auth"]?.mapValue ?? TemplateMap()
        let named = eventAuth["Authorizer"]?.scalarText
        guard let authorizer = named ?? defaultAuthorizer else { return nil }
        guard authorizer != "NONE" else { return .list([]) }
        guard authorizerNames.contains(authorizer) else {
            throw TemplateError(
                .format,
                "Resource with id [\(event.functionId)] is invalid. Event with id [\(event.eventId)] is invalid. Unable to set Authorizer [\(authorizer)] on API method [\(method)] for path [\(path)] because it wasn't defined in the API's Authorizers.",
                at: event.location,
                logicalId: event.functionId
            )
        }
        var requirement = TemplateMap()
        requirement.set(authorizer, eventAuth["AuthorizationScopes"] ?? .list([]))
        return .list([.map(requirement)])
    }
}

extension SAMApiTransform {
    /// Reads an HTTP API's `Auth` and adds its security schemes to the document.
    mutating func httpAuth(
        _ logicalId: String,
        properties: TemplateMap,
        document: inout TemplateMap,
        location: SourceLocation?
    ) throws(TemplateError) -> SAMHttpAuth {
        var result = SAMHttpAuth()
        guard let auth = properties["Auth"]?.mapValue else { return result }
        for key in auth.keys where !["Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"].contains(key) {
            unsupported.append(
                UnsupportedProperty(
                    logicalId: logicalId,
                    resourceType: Self.httpType,
                    property: "Properties.Auth.\(key)",
                    reason: "is ignored by the emulator",
                    location: auth.location(of: key) ?? location
                )
            )
        }
        var components = document["components"]?.mapValue ?? TemplateMap()
        var schemes = components["securitySchemes"]?.mapValue ?? TemplateMap()
        for (name, value) in (auth["Authorizers"]?.mapValue ?? TemplateMap()).entries {
            let authorizer = value.mapValue ?? TemplateMap()
            result.authorizerNames.insert(name)
            var extensionMap = TemplateMap()
            var scheme = TemplateMap()
            if let jwt = authorizer["JwtConfiguration"]?.mapValue {
                scheme.set("type", "oauth2")
                extensionMap.set("type", "jwt")
                var configuration = TemplateMap()
                if let issuer = jwt["issuer"] ?? jwt["Issuer"] { configuration.set("issuer", issuer) }
                if let audience = jwt["audience"] ?? jwt["Audience"] { configuration.set("audience", audience) }
                extensionMap.set("jwtConfiguration", .map(configuration))
                extensionMap.set("identitySource", authorizer["IdentitySource"] ?? "$request.header.Authorization")
            } else {
                scheme.set("type", "apiKey")
                scheme.set("name", "Unused")
                scheme.set("in", "header")
                extensionMap.set("type", "request")
                if let function = authorizer["FunctionArn"] {
                    extensionMap.set("authorizerUri", Self.authorizerUri(function))
                    // SAM adds the permission for HTTP API authorizers only when asked to.
                    if authorizer["EnableFunctionDefaultPermissions"]?.boolValue == true {
                        addAuthorizerPermission(
                            apiId: logicalId,
                            authorizer: name,
                            function: function,
                            location: auth.location(of: "Authorizers") ?? location
                        )
                    }
                }
                for (key, target) in [
                    ("AuthorizerPayloadFormatVersion", "authorizerPayloadFormatVersion"), ("EnableSimpleResponses", "enableSimpleResponses"),
                ] {
                    if let entry = authorizer[key] { extensionMap.set(target, entry) }
                }
                // `Identity` (LambdaAuthorizationIdentity): identity sources and `ReauthorizeEvery` (the cache TTL).
                if let identity = authorizer["Identity"]?.mapValue {
                    var sources: [TemplateValue] = []
                    for (key, prefix) in [
                        ("Headers", "$request.header."), ("QueryStrings", "$request.querystring."), ("Context", "$context."),
                        ("StageVariables", "$stageVariables."),
                    ] {
                        for name in identity[key]?.listValue ?? [] { if let text = name.scalarText { sources.append(.string(prefix + text)) } }
                    }
                    if !sources.isEmpty { extensionMap.set("identitySource", .list(sources)) }
                    if let ttl = identity["ReauthorizeEvery"] { extensionMap.set("authorizerResultTtlInSeconds", ttl) }
                }
            }
            scheme.set("x-amazon-apigateway-authorizer", .map(extensionMap))
            schemes.set(name, .map(scheme))
        }
        if auth["EnableIamAuthorizer"]?.boolValue == true {
            result.authorizerNames.insert("AWS_IAM")
            schemes.set("AWS_IAM", ["type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"])
        }
        if let defaultAuthorizer = auth["DefaultAuthorizer"]?.scalarText {
            guard result.authorizerNames.contains(defaultAuthorizer) else {
                throw Self.undefinedDefaultAuthorizer(defaultAuthorizer, logicalId: logicalId, at: auth.location(of: "DefaultAuthorizer") ?? location)
            }
            result.defaultAuthorizer = defaultAuthorizer
        }
        if !schemes.keys.isEmpty {
            components.set("securitySchemes", .map(schemes))
            document.set("components", .map(components))
        }
        return result
    }
}
