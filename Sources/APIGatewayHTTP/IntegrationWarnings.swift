import VelocityTemplates

extension APIGatewayHTTPService {
    /// What start-up says about integrations that will fail at run time: mapping templates that do not parse
    /// (answered `500 Internal server error`, as API Gateway answers them), integration types not emulated, and
    /// `AWS` integrations without a credentials role.
    /// - Parameters:
    ///   - restApis: The REST APIs.
    ///   - httpApis: The HTTP APIs.
    /// - Returns: One line per problem.
    static func integrationWarnings(restApis: [RestApiSpec], httpApis: [HttpApiSpec]) -> [String] {
        var warnings: [String] = []
        for api in restApis {
            for method in api.methods {
                guard let integration = method.integration else { continue }
                let name = "\(api.logicalId) \(method.httpMethod) \(method.resourcePath)"
                switch integration.type {
                case "AWS_PROXY", "MOCK":
                    break
                case "AWS":
                    if integration.functionArn != nil {
                        warnings.append("\(name): Lambda (non-proxy) integrations are not emulated on REST APIs: it answers 500")
                    } else if integration.mapping.credentials == nil {
                        warnings.append("\(name): AWS integration without Credentials: it answers 500")
                    }
                default:
                    warnings.append("\(name): \(integration.type) integrations are not emulated: it answers 500")
                }
                let templates =
                    integration.mapping.requestTemplates.map { (name: "request template \($0.key)", source: $0.value) }
                    + integration.mapping.responses.flatMap { response in
                        response.templates.map { (name: "response template \(response.statusCode) \($0.key)", source: $0.value) }
                    }
                warnings += VelocityTemplate.parseProblems(templates).map { "\(name): \($0): it answers 500" }
            }
        }
        for api in httpApis {
            for route in api.routes {
                guard let integration = route.integration, integration.type != "AWS_PROXY" else { continue }
                warnings.append("\(api.logicalId) \(route.routeKey): \(integration.type) integrations are not emulated on HTTP APIs: it answers 500")
            }
        }
        return warnings
    }
}
