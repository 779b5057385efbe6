import VelocityTemplates

/// One problem of a template API that start-up warns about and `validate` lists: the API's logical id, the method or
/// route, and what happens with what to do.
package struct IntegrationProblem: Sendable, Equatable {
    /// The API's logical id.
    package var logicalId: String
    /// `AWS::ApiGateway::RestApi` or `AWS::ApiGatewayV2::Api`.
    package var resourceType: String
    /// The method (`GET /pets`) or route key.
    package var subject: String
    /// What happens, and what to do.
    package var problem: String

    /// The start-up warning line.
    var line: String { "\(logicalId) \(subject): \(problem)" }
}

extension APIGatewayHTTPService {
    /// What start-up says about integrations that will fail at run time (see ``integrationProblems(restApis:httpApis:)``).
    /// - Parameters:
    ///   - restApis: The REST APIs.
    ///   - httpApis: The HTTP APIs.
    /// - Returns: One line per problem.
    static func integrationWarnings(restApis: [RestApiSpec], httpApis: [HttpApiSpec]) -> [String] {
        integrationProblems(restApis: restApis, httpApis: httpApis).map(\.line)
    }

    /// The integrations and authorizations that will fail at run time: mapping templates that do not parse (answered
    /// `500 Internal server error`, as API Gateway answers them), integration types not emulated, `AWS` integrations
    /// without a credentials role, `HTTP_PROXY` targets off loopback, and routes naming an authorizer the API does
    /// not define.
    /// - Parameters:
    ///   - restApis: The REST APIs.
    ///   - httpApis: The HTTP APIs.
    /// - Returns: The problems.
    package static func integrationProblems(restApis: [RestApiSpec], httpApis: [HttpApiSpec]) -> [IntegrationProblem] {
        var problems: [IntegrationProblem] = []
        for api in restApis {
            for method in api.methods {
                guard let integration = method.integration else { continue }
                func add(_ problem: String) {
                    problems.append(
                        IntegrationProblem(
                            logicalId: api.logicalId,
                            resourceType: RestApiProvider.restApiType,
                            subject: "\(method.httpMethod) \(method.resourcePath)",
                            problem: problem
                        )
                    )
                }
                switch integration.type {
                case "AWS_PROXY", "MOCK":
                    break
                case "HTTP_PROXY", "HTTP":
                    if let problem = httpTargetProblem(integration.mapping.uri, type: integration.type) { add(problem) }
                case "AWS":
                    if integration.functionArn == nil, integration.mapping.credentials == nil {
                        add("AWS integration without Credentials: it answers 500; give the integration a Credentials role")
                    }
                default:
                    add("\(integration.type) integrations are not emulated: it answers 500")
                }
                if ["AWS", "HTTP"].contains(integration.type), !integration.mapping.responses.contains(where: { $0.selectionPattern == nil }) {
                    add(
                        "no default integration response (one without a selection pattern): a request no pattern matches answers 500, as on AWS; add IntegrationResponses"
                    )
                }
                let templates =
                    integration.mapping.requestTemplates.map { (name: "request template \($0.key)", source: $0.value) }
                    + integration.mapping.responses.flatMap { response in
                        response.templates.map { (name: "response template \(response.statusCode) \($0.key)", source: $0.value) }
                    }
                for problem in VelocityTemplate.parseProblems(templates) { add("\(problem): it answers 500") }
            }
        }
        for api in httpApis {
            for route in api.routes {
                func add(_ problem: String) {
                    problems.append(
                        IntegrationProblem(logicalId: api.logicalId, resourceType: HttpApiSpec.apiType, subject: route.routeKey, problem: problem)
                    )
                }
                if case .unsupported(let what) = route.authorization {
                    add("\(what) is not an authorizer of this API: it answers 401 Unauthorized; define it or set AuthorizationType NONE")
                }
                guard let integration = route.integration else { continue }
                switch integration.type {
                case "AWS_PROXY" where integration.subtype != nil:
                    let subtype = integration.subtype ?? ""
                    let problem = IntegrationSubtype.problem(
                        subtype: subtype,
                        type: integration.type,
                        // Templates default the format to 2.0; only an explicit other value is a mistake.
                        payloadFormatVersion: integration.payloadFormatVersion == "2.0" ? nil : integration.payloadFormatVersion,
                        parameterNames: integration.requestParameters.map(\.key)
                    )
                    if let problem {
                        add("\(problem): AWS refuses to create this integration")
                    } else {
                        add(
                            "AWS service integration \(subtype) is not emulated: it answers 500 {\"message\":\"Internal Server Error\"}; call the service from a Lambda function"
                        )
                    }
                case "AWS_PROXY" where integration.functionArn != nil:
                    break
                case "AWS_PROXY":
                    add("AWS_PROXY integration without a Lambda function or IntegrationSubtype: it answers 500")
                case "HTTP_PROXY":
                    if let problem = httpTargetProblem(integration.mapping.uri, type: integration.type) { add(problem) }
                default:
                    add("\(integration.type) integrations are not emulated on HTTP APIs: it answers 500")
                }
            }
        }
        return problems
    }

    /// Why an `HTTP_PROXY` or `HTTP` integration URI will not be contacted (nil when it is a loopback `http://` URL or
    /// names stage variables resolved per request).
    /// - Parameters:
    ///   - uri: The integration URI.
    ///   - type: `HTTP_PROXY` or `HTTP`.
    /// - Returns: The problem and what to do.
    static func httpTargetProblem(_ uri: String?, type: String) -> String? {
        guard let uri, !uri.isEmpty else { return "\(type) integration without IntegrationUri: it answers 500" }
        let probe = substitute(uri, pathParameters: [:], stageVariables: [:])
            .replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
        if uri.contains("${stageVariables.") || LoopbackForwarder.target(probe) != nil { return nil }
        return
            "\(type) target \(uri) is not a loopback http:// URL: the emulator never contacts it and the route answers 500; point IntegrationUri at http://127.0.0.1:PORT/... (for example through a stage variable)"
    }
}
