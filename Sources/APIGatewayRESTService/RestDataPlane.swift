import APIGatewayHTTP
import APIGatewayV2Service
import CloudFormation

/// Turns an API-created REST API into what the execute-api data plane serves: for each stage, the snapshot its
/// deployment took, read by the same ``RestApiSpec`` reader the template's REST APIs go through (the items are
/// handed to it as the `AWS::ApiGateway::*` resources they correspond to).
package enum RestDataPlane {
    /// The specs an API's stages serve.
    /// - Parameters:
    ///   - api: The REST API.
    ///   - items: Its stages, deployments and authorizers, and every API key, usage plan and usage plan key.
    ///   - configuration: Region and account.
    /// - Returns: One spec per stage whose deployment exists and reads cleanly.
    package static func specs(api: RestItem, items: [RestItem], configuration: StackConfiguration) -> [String: RestApiSpec] {
        let apiId = api.id
        var result: [String: RestApiSpec] = [:]
        for stage in items where stage.kind == .stage && stage.scope == apiId {
            let deploymentId = stage.document["deploymentId"]?.stringValue ?? ""
            guard let deployment = items.first(where: { $0.kind == .deployment && $0.scope == apiId && $0.id == deploymentId }),
                case .array(let snapshot) = deployment.document["_snapshot"]
            else { continue }
            var stack = Stack.empty(configuration: configuration)
            let apiResource = resource(
                RestApiProvider.restApiType,
                id: apiId,
                ["Name": api.document["name"] ?? .string(apiId), "BinaryMediaTypes": api.document["binaryMediaTypes"] ?? .array([])],
                attributes: ["RootResourceId": api.document["rootResourceId"]?.stringValue ?? ""]
            )
            var resources = [apiResource]
            for case .object(let path) in snapshot {
                let id = path["id"]?.stringValue ?? ""
                if let parentId = path["parentId"] {
                    resources.append(
                        resource(
                            RestApiProvider.resourceType,
                            id: id,
                            ["RestApiId": .string(apiId), "ParentId": parentId, "PathPart": path["pathPart"] ?? .null]
                        )
                    )
                }
                for (httpMethod, method) in (path["resourceMethods"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                    resources.append(methodResource(apiId: apiId, resourceId: id, httpMethod: httpMethod, method: method.objectValue ?? [:]))
                }
            }
            resources += deployedValidation(deployment.document, apiId: apiId)
            for authorizer in items where authorizer.kind == .authorizer && authorizer.scope == apiId {
                let members = [
                    ("Name", "name"), ("Type", "type"), ("AuthorizerUri", "authorizerUri"), ("IdentitySource", "identitySource"),
                    ("IdentityValidationExpression", "identityValidationExpression"),
                    ("AuthorizerResultTtlInSeconds", "authorizerResultTtlInSeconds"), ("ProviderARNs", "providerARNs"),
                ]
                var properties = pick(authorizer.document, members)
                properties["RestApiId"] = .string(apiId)
                resources.append(resource(RestApiProvider.authorizerType, id: authorizer.id, properties))
            }
            resources.append(
                resource(
                    RestApiProvider.stageType,
                    id: stage.id,
                    ["RestApiId": .string(apiId), "DeploymentId": .string(deploymentId), "Variables": stage.document["variables"] ?? .null]
                )
            )
            for key in items where key.kind == .apiKey {
                resources.append(
                    resource(
                        RestApiProvider.apiKeyType,
                        id: key.id,
                        ["Value": key.document["value"] ?? .null, "Enabled": key.document["enabled"] ?? .null]
                    )
                )
            }
            for plan in items where plan.kind == .usagePlan {
                var stages: [V2JSON] = []
                if case .array(let entries) = plan.document["apiStages"] {
                    stages = entries.map { entry in V2JSON.object(pick(entry.objectValue ?? [:], [("ApiId", "apiId"), ("Stage", "stage")])) }
                }
                var properties: [String: V2JSON] = ["ApiStages": .array(stages)]
                if let quota = plan.document["quota"]?.objectValue {
                    properties["Quota"] = .object(pick(quota, [("Limit", "limit"), ("Period", "period")]))
                }
                resources.append(resource(RestApiProvider.usagePlanType, id: plan.id, properties))
            }
            for planKey in items where planKey.kind == .usagePlanKey {
                resources.append(
                    resource(
                        RestApiProvider.usagePlanKeyType,
                        id: "\(planKey.scope)-\(planKey.id)",
                        ["UsagePlanId": .string(planKey.scope), "KeyId": .string(planKey.id)]
                    )
                )
            }
            stack.resources = resources
            if let spec = try? RestApiSpec(apiResource, in: stack) { result[stage.id] = spec }
        }
        return result
    }

    static func methodResource(apiId: String, resourceId: String, httpMethod: String, method: [String: V2JSON]) -> StackResource {
        var properties = pick(
            method,
            [
                ("AuthorizationType", "authorizationType"), ("AuthorizerId", "authorizerId"), ("ApiKeyRequired", "apiKeyRequired"),
                ("AuthorizationScopes", "authorizationScopes"), ("RequestParameters", "requestParameters"),
                ("RequestModels", "requestModels"), ("RequestValidatorId", "requestValidatorId"),
            ]
        )
        properties["RestApiId"] = .string(apiId)
        properties["ResourceId"] = .string(resourceId)
        properties["HttpMethod"] = .string(httpMethod)
        if let integration = method["methodIntegration"]?.objectValue {
            var responses: [V2JSON] = []
            for (_, response) in (integration["integrationResponses"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                let response = response.objectValue ?? [:]
                let members = [
                    ("StatusCode", "statusCode"), ("SelectionPattern", "selectionPattern"),
                    ("ResponseParameters", "responseParameters"), ("ResponseTemplates", "responseTemplates"),
                ]
                responses.append(.object(pick(response, members)))
            }
            let members = [
                ("Type", "type"), ("Uri", "uri"), ("IntegrationHttpMethod", "httpMethod"), ("Credentials", "credentials"),
                ("RequestTemplates", "requestTemplates"), ("RequestParameters", "requestParameters"),
                ("PassthroughBehavior", "passthroughBehavior"), ("TimeoutInMillis", "timeoutInMillis"),
            ]
            var converted = pick(integration, members)
            converted["IntegrationResponses"] = .array(responses)
            properties["Integration"] = .object(converted)
        }
        return resource(RestApiProvider.methodType, id: "\(resourceId)-\(httpMethod)", properties)
    }

    /// The models, request validators and gateway responses a deployment took, as their `AWS::ApiGateway::*` resources.
    static func deployedValidation(_ deployment: [String: V2JSON], apiId: String) -> [StackResource] {
        func documents(_ key: String) -> [[String: V2JSON]] {
            guard case .array(let items) = deployment[key] else { return [] }
            return items.compactMap(\.objectValue)
        }
        var resources: [StackResource] = []
        for model in documents("_models") {
            let name = model["name"]?.stringValue ?? ""
            var properties = pick(model, [("Name", "name"), ("ContentType", "contentType"), ("Schema", "schema")])
            properties["RestApiId"] = .string(apiId)
            resources.append(resource(RestApiProvider.modelType, id: name, properties))
        }
        for validator in documents("_requestValidators") {
            let members = [
                ("Name", "name"), ("ValidateRequestBody", "validateRequestBody"), ("ValidateRequestParameters", "validateRequestParameters"),
            ]
            var properties = pick(validator, members)
            properties["RestApiId"] = .string(apiId)
            resources.append(resource(RestApiProvider.requestValidatorType, id: validator["id"]?.stringValue ?? "", properties))
        }
        for response in documents("_gatewayResponses") {
            let members = [
                ("ResponseType", "responseType"), ("StatusCode", "statusCode"), ("ResponseParameters", "responseParameters"),
                ("ResponseTemplates", "responseTemplates"),
            ]
            var properties = pick(response, members)
            properties["RestApiId"] = .string(apiId)
            resources.append(
                resource(RestApiProvider.gatewayResponseType, id: "gatewayresponse-" + (response["responseType"]?.stringValue ?? ""), properties)
            )
        }
        return resources
    }

    /// The members of `source` named in `pairs`, renamed (`(target, source)`); absent ones are left out.
    static func pick(_ source: [String: V2JSON], _ pairs: [(String, String)]) -> [String: V2JSON] {
        var result: [String: V2JSON] = [:]
        for (target, name) in pairs {
            if let value = source[name] { result[target] = value }
        }
        return result
    }

    static func resource(_ type: String, id: String, _ properties: [String: V2JSON], attributes: [String: String] = [:]) -> StackResource {
        StackResource(
            logicalId: id,
            type: type,
            physicalId: id,
            properties: templateValue(.object(properties.filter { $0.value != .null })),
            attributes: attributes,
            dependsOn: [],
            location: nil
        )
    }

    /// A JSON value as a resolved template value (whole numbers without a fraction).
    /// - Parameter value: The JSON value.
    /// - Returns: The template value.
    package static func templateValue(_ value: V2JSON) -> TemplateValue {
        switch value {
        case .string(let text): return .string(text)
        case .number(let number):
            if let whole = value.intValue { return .number(String(whole)) }
            return .number(String(number))
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .array(let items): return .list(items.map(templateValue))
        case .object(let members): return .map(TemplateMap(members.sorted { $0.key < $1.key }.map { ($0.key, templateValue($0.value)) }))
        }
    }
}

extension APIGatewayRESTService {
    /// Hands one API's stages to the execute-api data plane (none once the API is gone).
    func syncDataPlane(_ apiId: String) {
        guard let served else { return }
        guard let api = store.get(.restApi, id: apiId) else {
            served.replace(apiId: apiId, stages: [:])
            return
        }
        let items =
            store.list(.stage, scope: apiId) + store.list(.deployment, scope: apiId) + store.list(.authorizer, scope: apiId)
            + store.all(.apiKey) + store.all(.usagePlan) + store.all(.usagePlanKey)
        let current = environment.current
        let configuration = StackConfiguration(stackName: "apigateway", region: current.region, accountId: current.accountId)
        served.replace(apiId: apiId, stages: RestDataPlane.specs(api: api, items: items, configuration: configuration))
    }

    /// Hands every API to the data plane again (API keys and usage plans apply across APIs).
    func syncAll() {
        for api in store.list(.restApi) { syncDataPlane(api.id) }
    }
}
