import APIGatewayV2Service

/// The shapes and rules of `apigateway` inputs: member types, required members, path parts, HTTP methods, status
/// codes, integration and authorizer types, stage names.
package enum RestValidation {
    /// The JSON type a member must have.
    package typealias MemberType = JSONMemberType

    /// The members a kind's create or put request takes (others are ignored, as AWS's JSON reader does).
    /// - Parameter kind: The kind.
    /// - Returns: Member names and types.
    package static func members(of kind: RestKind) -> [String: MemberType] {
        switch kind {
        case .restApi:
            [
                "name": .string, "description": .string, "version": .string, "binaryMediaTypes": .stringList,
                "minimumCompressionSize": .int, "apiKeySource": .string, "endpointConfiguration": .object, "policy": .string,
                "tags": .stringMap, "disableExecuteApiEndpoint": .bool, "cloneFrom": .string,
            ]
        case .resource:
            ["pathPart": .string]
        case .method:
            [
                "authorizationType": .string, "authorizerId": .string, "apiKeyRequired": .bool, "operationName": .string,
                "requestParameters": .object, "requestModels": .stringMap, "requestValidatorId": .string, "authorizationScopes": .stringList,
            ]
        case .methodResponse:
            ["responseParameters": .object, "responseModels": .stringMap]
        case .integration:
            [
                "type": .string, "httpMethod": .string, "uri": .string, "connectionType": .string, "connectionId": .string,
                "credentials": .string, "requestParameters": .stringMap, "requestTemplates": .stringMap, "passthroughBehavior": .string,
                "cacheNamespace": .string, "cacheKeyParameters": .stringList, "contentHandling": .string, "timeoutInMillis": .int,
                "tlsConfig": .object,
            ]
        case .integrationResponse:
            ["selectionPattern": .string, "responseParameters": .stringMap, "responseTemplates": .stringMap, "contentHandling": .string]
        case .deployment:
            [
                "stageName": .string, "stageDescription": .string, "description": .string, "cacheClusterEnabled": .bool,
                "cacheClusterSize": .string, "variables": .stringMap, "canarySettings": .object, "tracingEnabled": .bool,
            ]
        case .stage:
            [
                "stageName": .string, "deploymentId": .string, "description": .string, "cacheClusterEnabled": .bool,
                "cacheClusterSize": .string, "variables": .stringMap, "documentationVersion": .string, "canarySettings": .object,
                "tracingEnabled": .bool, "tags": .stringMap,
            ]
        case .authorizer:
            [
                "name": .string, "type": .string, "providerARNs": .stringList, "authType": .string, "authorizerUri": .string,
                "authorizerCredentials": .string, "identitySource": .string, "identityValidationExpression": .string,
                "authorizerResultTtlInSeconds": .int,
            ]
        case .apiKey:
            [
                "name": .string, "description": .string, "enabled": .bool, "generateDistinctId": .bool, "value": .string,
                "stageKeys": .list, "customerId": .string, "tags": .stringMap,
            ]
        case .usagePlan:
            ["name": .string, "description": .string, "apiStages": .list, "throttle": .object, "quota": .object, "tags": .stringMap]
        case .usagePlanKey:
            ["keyId": .string, "keyType": .string]
        case .model:
            ["name": .string, "description": .string, "schema": .string, "contentType": .string]
        case .requestValidator:
            ["name": .string, "validateRequestBody": .bool, "validateRequestParameters": .bool]
        case .gatewayResponse:
            ["statusCode": .string, "responseParameters": .stringMap, "responseTemplates": .stringMap]
        }
    }

    /// The members a create or put request must carry.
    /// - Parameter kind: The kind.
    /// - Returns: The member names.
    package static func required(for kind: RestKind) -> [String] {
        switch kind {
        case .restApi: ["name"]
        case .resource: ["pathPart"]
        case .method: ["authorizationType"]
        case .integration: ["type"]
        case .stage: ["stageName", "deploymentId"]
        case .authorizer: ["name", "type"]
        case .usagePlan: ["name"]
        case .usagePlanKey: ["keyId", "keyType"]
        case .model: ["name", "contentType"]
        case .methodResponse, .integrationResponse, .deployment, .apiKey, .requestValidator, .gatewayResponse: []
        }
    }

    /// Keeps the members `kind` takes, checking their types (`null` members are dropped, as unset).
    /// - Parameters:
    ///   - body: The request body's members.
    ///   - kind: The kind.
    ///   - action: Create or put (required members checked) or another action.
    /// - Returns: The accepted members.
    /// - Throws: `BadRequestException` for a member of the wrong type or a missing required member.
    package static func input(_ body: [String: V2JSON], kind: RestKind, action: RestOperation.Action) throws(RestError) -> [String: V2JSON] {
        let creating = action == .create || action == .put
        switch JSONMemberType.accepted(body, types: members(of: kind), required: creating ? required(for: kind) : []) {
        case .success(let accepted): return accepted
        case .failure(let problem): throw .badRequest(problem.message)
        }
    }

    private static func isPlainPart(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }

    /// Whether a path part is a variable (`{name}` or `{name+}`).
    /// - Parameter part: The path part.
    /// - Returns: Whether it is.
    package static func isVariable(_ part: String) -> Bool { part.hasPrefix("{") && part.hasSuffix("}") }

    /// Checks a resource's path part: letters, digits, `._-`, or `{name}`/`{name+}`.
    /// - Parameter part: The path part.
    /// - Throws: AWS's `BadRequestException`.
    package static func pathPart(_ part: String) throws(RestError) {
        var inner = Substring(part)
        if isVariable(part), part.count > 2 {
            inner = inner.dropFirst().dropLast()
            if inner.hasSuffix("+") { inner = inner.dropLast() }
        }
        guard isPlainPart(inner) else {
            throw .badRequest(
                "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."
            )
        }
    }

    /// Checks a new or moved resource against its parent and siblings.
    /// - Parameters:
    ///   - parent: The parent resource.
    ///   - pathPart: The resource's path part.
    ///   - exceptId: The resource's own id (not its own sibling).
    ///   - resources: Every resource of the API.
    /// - Throws: `ConflictException` for a sibling with the same part, `BadRequestException` for a second variable
    ///   sibling or a child of a greedy resource.
    package static func checkSiblings(parent: RestItem, pathPart: String, exceptId: String, resources: [RestItem]) throws(RestError) {
        if let parentPart = parent.document["pathPart"]?.stringValue, parentPart.hasSuffix("+}") {
            throw .badRequest("Cannot create a child of a resource with a greedy path variable: \(parentPart)")
        }
        for sibling in resources where sibling.document["parentId"]?.stringValue == parent.id && sibling.id != exceptId {
            let part = sibling.document["pathPart"]?.stringValue ?? ""
            if part == pathPart { throw .conflict("Another resource with the same parent already has this name: \(pathPart)") }
            if isVariable(part), isVariable(pathPart) {
                throw .badRequest("A sibling (\(part)) of this resource already has a variable path part -- only one is allowed")
            }
        }
    }

    /// The HTTP methods a method may have.
    package static let httpMethods = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"]

    /// Checks a method's HTTP method.
    /// - Parameter method: The method.
    /// - Throws: `BadRequestException`.
    package static func httpMethod(_ method: String) throws(RestError) {
        guard httpMethods.contains(method) else {
            throw .badRequest("Invalid HttpMethod specified. Valid options are \(httpMethods.joined(separator: ","))")
        }
    }

    /// Checks a method or integration response's status code (`[1-5]\d\d`).
    /// - Parameter code: The status code.
    /// - Throws: `BadRequestException`.
    package static func statusCode(_ code: String) throws(RestError) {
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isNumber }), let first = code.first, ("1"..."5").contains(first) else {
            throw .badRequest("Invalid status code specified: \(code)")
        }
    }

    /// The integration types.
    package static let integrationTypes = ["HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"]

    /// Checks an integration's type, method, URI and timeout.
    /// - Parameter document: The integration's members.
    /// - Throws: `BadRequestException`.
    package static func integration(_ document: [String: V2JSON]) throws(RestError) {
        let type = document["type"]?.stringValue ?? ""
        guard integrationTypes.contains(type) else {
            throw .badRequest(
                "1 validation error detected: Value '\(type)' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [\(integrationTypes.joined(separator: ", "))]"
            )
        }
        if type != "MOCK" {
            guard let method = document["httpMethod"]?.stringValue, !method.isEmpty else {
                throw .badRequest("Enumeration value for HttpMethod must be non-empty")
            }
            guard let uri = document["uri"]?.stringValue, !uri.isEmpty else { throw .badRequest("Invalid integration URI specified") }
        }
        if let timeout = document["timeoutInMillis"]?.intValue, !(50...29000).contains(timeout) {
            throw .badRequest("Timeout should be between 50 ms and 29000 ms")
        }
    }

    /// The authorizer types.
    package static let authorizerTypes = ["TOKEN", "REQUEST", "COGNITO_USER_POOLS"]

    /// Checks an authorizer's type and the members it needs.
    /// - Parameter document: The authorizer's members.
    /// - Throws: `BadRequestException`.
    package static func authorizer(_ document: [String: V2JSON]) throws(RestError) {
        let type = document["type"]?.stringValue ?? ""
        guard authorizerTypes.contains(type) else {
            throw .badRequest(
                "1 validation error detected: Value '\(type)' at 'createAuthorizerInput.type' failed to satisfy constraint: Member must satisfy enum value set: [\(authorizerTypes.joined(separator: ", "))]"
            )
        }
        if type == "COGNITO_USER_POOLS" {
            guard let arns = document["providerARNs"]?.stringList, !arns.isEmpty else {
                throw .badRequest("ProviderARNs need to be specified for COGNITO_USER_POOLS authorizers")
            }
        } else if document["authorizerUri"]?.stringValue?.isEmpty ?? true {
            throw .badRequest("Authorizer URI is required for \(type) authorizers")
        }
        if let ttl = document["authorizerResultTtlInSeconds"]?.intValue, !(0...3600).contains(ttl) {
            throw .badRequest("Invalid value for authorizerResultTtlInSeconds: must be between 0 and 3600")
        }
    }

    /// Checks a stage name (letters, digits, `_` and `-`, at most 128).
    /// - Parameter name: The stage name.
    /// - Throws: `BadRequestException`.
    package static func stageName(_ name: String) throws(RestError) {
        guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw .badRequest("Stage name only allows a-zA-Z0-9_")
        }
    }
}
