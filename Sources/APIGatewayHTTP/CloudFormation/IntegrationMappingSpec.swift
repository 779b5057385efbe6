import CloudFormation

/// The mapping side of a REST API's non-proxy integration (`MOCK`, `AWS`, `HTTP`): request templates by content type,
/// passthrough behaviour, credentials role, and the integration responses with selection patterns.
///
/// Read from an `AWS::ApiGateway::Method`'s `Integration` (`RequestTemplates`, `PassthroughBehavior`, `Credentials`,
/// `IntegrationHttpMethod`, `IntegrationResponses` with `SelectionPattern`, `StatusCode`, `ResponseParameters`,
/// `ResponseTemplates`) and from OpenAPI `x-amazon-apigateway-integration` (`requestTemplates`,
/// `passthroughBehavior`, `credentials`, `httpMethod`, `responses` keyed by selection pattern, `default` for none).
package struct IntegrationMappingSpec: Sendable, Equatable {
    /// One integration response.
    package struct Response: Sendable, Equatable {
        /// The selection pattern (a regex matched against the status code, or a Lambda error message); nil for the
        /// default response.
        package var selectionPattern: String?
        /// The method response status code.
        package var statusCode: Int
        /// The method response headers and their sources (`method.response.header.NAME` to `'static'`,
        /// `integration.response.header.X`, `integration.response.body.JSONPATH`...; see ``RestParameterMapping``).
        package var headerMappings: [IntegrationSpec.HeaderValue]
        /// Response templates by content type.
        package var templates: [String: String]
    }

    /// The integration URI.
    package var uri: String?
    /// The integration's HTTP method (`httpMethod`/`IntegrationHttpMethod`).
    package var httpMethod: String?
    /// The credentials role ARN.
    package var credentials: String?
    /// Request templates by content type.
    package var requestTemplates: [String: String] = [:]
    /// `WHEN_NO_MATCH` (default), `WHEN_NO_TEMPLATES` or `NEVER`.
    package var passthroughBehavior: String?
    /// The integration responses, in template order.
    package var responses: [Response] = []

    /// No mapping.
    package init() {}

    /// Whether anything here needs the mapping engine: request templates, or a response template using VTL, or
    /// more than the default response, or a response header mapped from anything but a static value.
    package var isMapped: Bool {
        !requestTemplates.isEmpty || responses.count > 1
            || responses.contains { response in response.templates.values.contains { $0.contains("$") || $0.contains("#") } }
            || responses.contains { response in response.headerMappings.contains { !$0.value.hasPrefix("'") } }
    }

    /// Reads an OpenAPI `x-amazon-apigateway-integration`.
    /// - Parameters:
    ///   - reader: The extension object.
    ///   - uri: Its `uri`.
    /// - Throws: ``TemplateError`` when a field has the wrong shape.
    init(openAPI reader: SpecReader, uri: String?) throws(TemplateError) {
        self.uri = uri
        httpMethod = try reader["httpMethod"].string()
        credentials = try reader["credentials"].string()
        requestTemplates = try reader["requestTemplates"].stringMap() ?? [:]
        passthroughBehavior = try reader["passthroughBehavior"].string()
        for (pattern, response) in try reader["responses"].entries() ?? [] {
            responses.append(
                try Self.response(
                    response,
                    pattern: pattern == "default" ? nil : pattern,
                    status: "statusCode",
                    parameters: "responseParameters",
                    templates: "responseTemplates"
                )
            )
        }
    }

    /// Reads an `AWS::ApiGateway::Method`'s `Integration`.
    /// - Parameters:
    ///   - reader: The `Integration` property.
    ///   - uri: Its `Uri`.
    /// - Throws: ``TemplateError`` when a field has the wrong shape.
    init(method reader: SpecReader, uri: String?) throws(TemplateError) {
        self.uri = uri
        httpMethod = try reader["IntegrationHttpMethod"].string()
        credentials = try reader["Credentials"].string()
        requestTemplates = try reader["RequestTemplates"].stringMap() ?? [:]
        passthroughBehavior = try reader["PassthroughBehavior"].string()
        for item in try reader["IntegrationResponses"].list() ?? [] {
            let pattern = try item["SelectionPattern"].string()
            responses.append(
                try Self.response(
                    item,
                    pattern: pattern?.isEmpty == true ? nil : pattern,
                    status: "StatusCode",
                    parameters: "ResponseParameters",
                    templates: "ResponseTemplates"
                )
            )
        }
    }

    private static func response(
        _ reader: SpecReader,
        pattern: String?,
        status: String,
        parameters: String,
        templates: String
    ) throws(TemplateError) -> Response {
        let code = Int(try reader[status].string() ?? "200") ?? 200
        var headers: [IntegrationSpec.HeaderValue] = []
        for (key, value) in try reader[parameters].entries() ?? [] {
            let prefix = "method.response.header."
            guard key.hasPrefix(prefix), key.count > prefix.count, let source = try value.string() else { continue }
            headers.append(IntegrationSpec.HeaderValue(name: String(key.dropFirst(prefix.count)), value: source))
        }
        return Response(
            selectionPattern: pattern,
            statusCode: (100...599).contains(code) ? code : 200,
            headerMappings: headers,
            templates: try reader[templates].stringMap() ?? [:]
        )
    }
}
