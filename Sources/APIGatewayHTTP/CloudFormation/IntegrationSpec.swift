import CloudFormation

/// What a route or method runs: a Lambda proxy integration, or a `MOCK` with a fixed answer.
package struct IntegrationSpec: Sendable, Equatable {
    /// The fixed answer of a `MOCK` integration: its default integration response.
    package struct MockResponse: Sendable, Equatable {
        /// The status code (`200` unless the default response says otherwise).
        package var status: Int
        /// Static header values from `method.response.header.NAME: "'value'"` response parameters.
        package var headers: [HeaderValue]
        /// The `application/json` response template when it is plain text (no VTL), else nil.
        package var body: String?
    }

    /// One HTTP API parameter mapping (`append:header.x-id` = `$request.header.id`, `overwrite:path` = `/v2/...`,
    /// `overwrite:statuscode` = `204`...).
    package struct ParameterMapping: Sendable, Equatable {
        /// The action and target (`append:header.NAME`, `overwrite:querystring.NAME`, `remove:header.NAME`,
        /// `overwrite:path`, `overwrite:statuscode`).
        package var key: String
        /// The value: static text and `$request...`, `$response...`, `$context...`, `$stageVariables...` references.
        package var value: String

        /// Creates a mapping.
        /// - Parameters:
        ///   - key: The action and target.
        ///   - value: The value.
        package init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// One response header.
    package struct HeaderValue: Sendable, Equatable {
        /// The header name.
        package var name: String
        /// The value.
        package var value: String
    }

    /// `AWS_PROXY`, `MOCK`, `AWS`, `HTTP` or `HTTP_PROXY` (upper-cased).
    package var type: String
    /// The Lambda function ARN inside the integration URI, for Lambda integrations.
    package var functionArn: String?
    /// `1.0` or `2.0` (REST APIs always `1.0`).
    package var payloadFormatVersion: String
    /// `timeoutInMillis`, when set.
    package var timeoutInMillis: Int?
    /// The answer of a `MOCK` integration.
    package var mock: MockResponse?
    /// The templates, credentials and integration responses of non-proxy integrations (``IntegrationMappingSpec``);
    /// also the URI and method of `HTTP_PROXY` integrations.
    package var mapping = IntegrationMappingSpec()
    /// `RequestParameters`, applied before the request is sent: HTTP APIs' parameter mappings (`append:header.x` to
    /// `$request.header.y`), REST APIs' (`integration.request.header.x` to `method.request.header.y`, see
    /// ``RestParameterMapping``).
    package var requestParameters: [ParameterMapping] = []
    /// HTTP APIs' `IntegrationSubtype` of an `AWS_PROXY` integration calling an AWS service (``IntegrationSubtype``).
    package var subtype: String?
    /// HTTP APIs' `ResponseParameters` by status code (`200`, or a range like `500`).
    package var responseParameters: [String: [ParameterMapping]] = [:]

    /// Creates an integration.
    /// - Parameters:
    ///   - type: `AWS_PROXY`, `MOCK`...
    ///   - functionArn: The Lambda function ARN.
    ///   - payloadFormatVersion: `1.0` or `2.0`.
    ///   - timeoutInMillis: The integration timeout.
    ///   - mock: The `MOCK` answer.
    package init(type: String, functionArn: String?, payloadFormatVersion: String, timeoutInMillis: Int?, mock: MockResponse?) {
        self.type = type
        self.functionArn = functionArn
        self.payloadFormatVersion = payloadFormatVersion
        self.timeoutInMillis = timeoutInMillis
        self.mock = mock
    }

    /// Decodes an OpenAPI `x-amazon-apigateway-integration` object.
    /// - Parameters:
    ///   - reader: The extension's reader.
    ///   - defaultPayloadFormat: `1.0` for REST APIs, `2.0` for HTTP APIs.
    /// - Throws: ``TemplateError`` when a field has the wrong shape.
    init(openAPI reader: SpecReader, defaultPayloadFormat: String) throws(TemplateError) {
        let uri = try reader["uri"].string()
        type = (try reader["type"].string() ?? "aws_proxy").uppercased()
        functionArn = uri.flatMap(LambdaIntegrationURI.functionArn)
        payloadFormatVersion = try reader["payloadFormatVersion"].string() ?? defaultPayloadFormat
        timeoutInMillis = try reader["timeoutInMillis"].int()
        mock = nil
        mapping = try IntegrationMappingSpec(openAPI: reader, uri: uri)
        if defaultPayloadFormat == "2.0" {
            try readParameterMappings(request: reader["requestParameters"], response: reader["responseParameters"])
            subtype = try reader["integrationSubtype"].string()
        } else {
            requestParameters = try Self.parameterMappings(reader["requestParameters"])
        }
        if type == "MOCK" {
            mock = try Self.mockResponse(
                entries: try reader["responses"].entries() ?? [],
                status: "statusCode",
                parameters: "responseParameters",
                templates: "responseTemplates"
            )
        }
    }

    /// Decodes an `AWS::ApiGateway::Method`'s `Integration` property.
    /// - Parameter reader: The property's reader.
    /// - Throws: ``TemplateError`` when a field has the wrong shape.
    init(method reader: SpecReader) throws(TemplateError) {
        let uri = try reader["Uri"].string()
        type = (try reader["Type"].string() ?? "MOCK").uppercased()
        functionArn = uri.flatMap(LambdaIntegrationURI.functionArn)
        payloadFormatVersion = "1.0"
        timeoutInMillis = try reader["TimeoutInMillis"].int()
        mock = nil
        mapping = try IntegrationMappingSpec(method: reader, uri: uri)
        requestParameters = try Self.parameterMappings(reader["RequestParameters"])
        if type == "MOCK" {
            var entries: [(key: String, reader: SpecReader)] = []
            for item in try reader["IntegrationResponses"].list() ?? [] {
                entries.append((key: try item["SelectionPattern"].string() ?? "default", reader: item))
            }
            mock = try Self.mockResponse(entries: entries, status: "StatusCode", parameters: "ResponseParameters", templates: "ResponseTemplates")
        }
    }

    /// Reads HTTP APIs' `RequestParameters` (`{"append:header.x": "$request.header.y"}`) and `ResponseParameters`
    /// (`{"200": {"overwrite:statuscode": "204"}}`).
    /// - Throws: ``TemplateError`` when a value has the wrong shape.
    package mutating func readParameterMappings(request: SpecReader, response: SpecReader) throws(TemplateError) {
        requestParameters = try Self.parameterMappings(request)
        for (status, mappings) in try response.entries() ?? [] {
            responseParameters[status] = (try mappings.stringMap() ?? [:]).sorted { $0.key < $1.key }.map {
                ParameterMapping(key: $0.key, value: $0.value)
            }
        }
    }

    /// A string map of parameter mappings, sorted by key.
    private static func parameterMappings(_ reader: SpecReader) throws(TemplateError) -> [ParameterMapping] {
        (try reader.stringMap() ?? [:]).sorted { $0.key < $1.key }.map { ParameterMapping(key: $0.key, value: $0.value) }
    }

    private static func mockResponse(
        entries: [(key: String, reader: SpecReader)],
        status: String,
        parameters: String,
        templates: String
    ) throws(TemplateError) -> MockResponse {
        guard let chosen = entries.first(where: { $0.key == "default" || $0.key.isEmpty }) ?? entries.first else {
            return MockResponse(status: 200, headers: [], body: nil)
        }
        let response = chosen.reader
        let code = Int(try response[status].string() ?? "200") ?? 200
        var headers: [HeaderValue] = []
        for (key, value) in try response[parameters].entries() ?? [] {
            let prefix = "method.response.header."
            guard key.hasPrefix(prefix), let text = try value.string(), text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") else {
                continue
            }
            headers.append(HeaderValue(name: String(key.dropFirst(prefix.count)), value: String(text.dropFirst().dropLast())))
        }
        var body: String?
        if let template = try response[templates]["application/json"].string(), !template.contains("$"), !template.contains("#") {
            body = template
        }
        return MockResponse(status: (200...599).contains(code) ? code : 200, headers: headers, body: body)
    }
}

/// One `paths` operation of an OpenAPI document with its API Gateway integration.
struct OpenAPIOperation {
    /// The path template (`/pets/{id}`, `/{proxy+}`, `$default`).
    var path: String
    /// The upper-cased method, `ANY` for `x-amazon-apigateway-any-method`.
    var method: String
    /// The integration, if the operation has one.
    var integration: IntegrationSpec?
    /// Whether the operation (or the whole document) requires authorization (`security`, an API key or authorizer).
    var secured: Bool
    /// The scheme names of the operation's (or the document's) `security` requirement objects, in order.
    var securityNames: [String]
    /// The scopes each security requirement names (HTTP API `AuthorizationScopes`).
    var securityScopes: [String: [String]] = [:]
    /// `operationId`.
    var operationId: String?

    /// The operations of an OpenAPI document's `paths`, in document order (HTTP APIs' `/$default` path, as API
    /// Gateway exports it, is `$default`, as SAM writes it).
    /// - Parameters:
    ///   - document: The reader of the whole document (a resource's `Body`).
    ///   - defaultPayloadFormat: `1.0` (REST) or `2.0` (HTTP).
    /// - Returns: The operations.
    /// - Throws: ``TemplateError`` when a field has the wrong shape.
    static func operations(in document: SpecReader, defaultPayloadFormat: String) throws(TemplateError) -> [OpenAPIOperation] {
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"]
        var result: [OpenAPIOperation] = []
        let documentSecurity = try document["security"].list() ?? []
        for (path, item) in try document["paths"].entries() ?? [] {
            for (key, operation) in try item.entries() ?? [] where methods.contains(key.lowercased()) {
                let name = key.lowercased() == "x-amazon-apigateway-any-method" ? "ANY" : key.uppercased()
                let extensionReader = operation["x-amazon-apigateway-integration"]
                let integration =
                    extensionReader.exists ? try IntegrationSpec(openAPI: extensionReader, defaultPayloadFormat: defaultPayloadFormat) : nil
                let security = try operation["security"].list() ?? documentSecurity
                var names: [String] = []
                var scopes: [String: [String]] = [:]
                for requirement in security {
                    for (scheme, scopeList) in try requirement.entries() ?? [] {
                        names.append(scheme)
                        scopes[scheme, default: []] += try scopeList.stringList() ?? []
                    }
                }
                var item = OpenAPIOperation(
                    path: path == "/$default" ? "$default" : path,
                    method: name,
                    integration: integration,
                    secured: !security.isEmpty,
                    securityNames: names
                )
                item.securityScopes = scopes
                item.operationId = try operation["operationId"].string()
                result.append(item)
            }
        }
        return result
    }
}
