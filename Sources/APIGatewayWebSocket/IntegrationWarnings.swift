import VelocityTemplates

extension WebSocketApiSpec {
    /// What start-up says about integrations that will fail at run time: mapping templates that do not parse
    /// (answered with API Gateway's `Internal server error`), integration types not emulated, and `AWS` service
    /// integrations without a credentials role.
    /// - Returns: One line per problem.
    package var integrationWarnings: [String] {
        var warnings: [String] = []
        for integration in integrations {
            let name = "\(logicalId) \(integration.logicalId)"
            switch integration.type.uppercased() {
            case "AWS_PROXY", "MOCK":
                break
            case "AWS":
                if integration.functionArn == nil, integration.mapping.credentialsArn == nil {
                    warnings.append("\(name): AWS integration without CredentialsArn: its routes fail")
                }
            default:
                warnings.append("\(name): \(integration.type) integrations are not emulated: its routes fail")
            }
            let templates =
                integration.mapping.requestTemplates.map { (name: "request template \($0.key)", source: $0.value) }
                + integration.mapping.responses.flatMap { response in
                    response.templates.map { (name: "response template \(response.key) \($0.key)", source: $0.value) }
                }
            warnings += VelocityTemplate.parseProblems(templates).map { "\(name): \($0): its routes fail" }
        }
        return warnings
    }
}
