import CloudFormation

/// The mapping side of a non-proxy WebSocket integration (`AWS`, `MOCK`, `HTTP`): request templates chosen by the
/// template selection expression, the credentials role, and the integration responses with their templates.
///
/// Read from `AWS::ApiGatewayV2::Integration` (`RequestTemplates`, `TemplateSelectionExpression`,
/// `PassthroughBehavior`, `CredentialsArn`) and `AWS::ApiGatewayV2::IntegrationResponse`
/// (`IntegrationResponseKey`, `ResponseTemplates`, `TemplateSelectionExpression`).
package struct IntegrationMapping: Sendable, Equatable {
    /// An `AWS::ApiGatewayV2::IntegrationResponse`.
    package struct Response: Sendable, Equatable {
        /// `IntegrationResponseKey`: `$default`, or `/regex/` matched against the status code (or a Lambda error message).
        package var key: String
        /// `ResponseTemplates` by template key.
        package var templates: [String: String]
        /// `TemplateSelectionExpression`.
        package var templateSelectionExpression: String?
    }

    /// `RequestTemplates` by template key (`$default`, or a value of the selection expression).
    package var requestTemplates: [String: String] = [:]
    /// `TemplateSelectionExpression` (`\$default`, `${request.body.action}`).
    package var templateSelectionExpression: String?
    /// `PassthroughBehavior` (`WHEN_NO_MATCH` by default).
    package var passthroughBehavior: String?
    /// `CredentialsArn`: the role API Gateway acts as for `AWS` integrations.
    package var credentialsArn: String?
    /// The integration responses, in template order.
    package var responses: [Response] = []

    /// No mapping.
    package init() {}

    /// Reads an integration's mapping properties.
    /// - Parameter integration: The `AWS::ApiGatewayV2::Integration` properties.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    init(integration: SpecReader) throws(TemplateError) {
        requestTemplates = try integration["RequestTemplates"].stringMap() ?? [:]
        templateSelectionExpression = try integration["TemplateSelectionExpression"].string()
        passthroughBehavior = try integration["PassthroughBehavior"].string()
        credentialsArn = try integration["CredentialsArn"].string()
    }

    /// Attaches every `AWS::ApiGatewayV2::IntegrationResponse` to its integration (by `IntegrationId`).
    /// - Parameters:
    ///   - integrations: The API's integrations.
    ///   - children: The API's integration responses.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    static func attachResponses(
        to integrations: inout [WebSocketApiSpec.Integration],
        from children: [(StackResource, SpecReader)]
    ) throws(TemplateError) {
        for (_, reader) in children {
            let integrationId = try reader["IntegrationId"].requiredString()
            let response = Response(
                key: try reader["IntegrationResponseKey"].requiredString(),
                templates: try reader["ResponseTemplates"].stringMap() ?? [:],
                templateSelectionExpression: try reader["TemplateSelectionExpression"].string()
            )
            if let index = integrations.firstIndex(where: { $0.integrationId == integrationId }) {
                integrations[index].mapping.responses.append(response)
            }
        }
    }
}
