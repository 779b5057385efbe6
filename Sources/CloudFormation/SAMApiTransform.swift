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
        "EndpointConfiguration", "OpenApiVersion", "Tags",
    ]
    private static let httpHandled: Set<String> = [
        "StageName", "DefinitionBody", "DefinitionUri", "CorsConfiguration", "StageVariables", "Name", "Description", "Tags",
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

    init(globals: TemplateMap, resources: TemplateMap, events: [SAMApiEvent], template: Template) {
        self.globals = globals
        self.resources = resources
        self.events = events
        self.template = template
    }

    /// Expands every SAM API (explicit and implicit) and the events' permissions.
    mutating func run() throws(TemplateError) {
        var restEvents: [String: [SAMApiEvent]] = [:]
        var httpEvents: [String: [SAMApiEvent]] = [:]
        for event in events {
            let handled: Set<String> =
                event.type == "Api" ? ["Path", "Method", "RestApiId"] : ["Path", "Method", "ApiId", "PayloadFormatVersion", "TimeoutInMillis"]
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
                    ["type": "aws_proxy", "httpMethod": "POST", "uri": Self.invocationUri(event.functionId)]
                )
            }
            if operation["responses"] == nil { operation.set("responses", .map(TemplateMap())) }
            operations.set(key, .map(operation))
            paths.set(path, .map(operations))
            let pathForArn = path == "/" ? "" : String(path.drop { $0 == "/" })
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
            paths = Self.addCorsPreflights(to: paths, cors: cors)
        }
        document.set("paths", .map(paths))

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
    }

    /// Adds SAM's `OPTIONS` preflight (a `MOCK` integration answering the configured CORS headers) to every path.
    private static func addCorsPreflights(to paths: TemplateMap, cors: TemplateValue) -> TemplateMap {
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
            operations.set(
                "options",
                [
                    "summary": "CORS support",
                    "consumes": ["application/json"],
                    "produces": ["application/json"],
                    integrationKey: integration,
                    "responses": ["200": ["description": "Default response for CORS method"]],
                ]
            )
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
                integration.set("uri", Self.invocationUri(event.functionId))
                integration.set("payloadFormatVersion", event.properties["PayloadFormatVersion"] ?? "2.0")
                if let timeout = event.properties["TimeoutInMillis"] { integration.set("timeoutInMillis", timeout) }
                operation.set(Self.integrationKey, .map(integration))
            }
            if operation["responses"] == nil { operation.set("responses", .map(TemplateMap())) }
            operations.set(key, .map(operation))
            paths.set(path, .map(operations))
            let arnMethod = key == Self.anyMethod ? "*" : method.uppercased()
            let arnPath = path == "/" ? "" : String(path.drop { $0 == "/" })
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
        var permission = TemplateMap()
        permission.set("Type", "AWS::Lambda::Permission")
        permission.set(
            "Properties",
            [
                "Action": "lambda:InvokeFunction",
                "FunctionName": ["Ref": .string(event.functionId)],
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": sourceArn,
            ]
        )
        if let condition = event.condition { permission.set("Condition", condition) }
        generated.append((id, .map(permission), event.location))
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
    static func invocationUri(_ functionId: String) -> TemplateValue {
        [
            "Fn::Sub":
                .string("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${\(functionId).Arn}/invocations")
        ]
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
