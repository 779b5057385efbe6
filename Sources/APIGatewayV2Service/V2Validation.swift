import APIGatewayHTTP
import EmulatorCore

/// The shapes and rules of API Gateway v2 inputs: member types, required members, route keys, selection
/// expressions, integration and authorizer types per protocol.
package enum V2Validation {
    /// The JSON type a member must have.
    package typealias MemberType = JSONMemberType

    /// The members a kind's create and update requests take (others are ignored, as AWS's JSON reader does).
    /// - Parameter kind: The resource kind.
    /// - Returns: Member names and types.
    package static func members(of kind: V2ResourceKind) -> [String: MemberType] {
        switch kind {
        case .api:
            [
                "name": .string, "protocolType": .string, "routeSelectionExpression": .string, "apiKeySelectionExpression": .string,
                "description": .string, "version": .string, "disableSchemaValidation": .bool, "disableExecuteApiEndpoint": .bool,
                "corsConfiguration": .object, "tags": .stringMap, "target": .string, "routeKey": .string, "credentialsArn": .string,
                "ipAddressType": .string,
            ]
        case .route:
            [
                "routeKey": .string, "target": .string, "authorizationType": .string, "authorizerId": .string, "apiKeyRequired": .bool,
                "operationName": .string, "routeResponseSelectionExpression": .string, "modelSelectionExpression": .string,
                "requestModels": .stringMap, "requestParameters": .object, "authorizationScopes": .stringList,
            ]
        case .routeResponse:
            ["routeResponseKey": .string, "modelSelectionExpression": .string, "responseModels": .stringMap, "responseParameters": .object]
        case .integration:
            [
                "integrationType": .string, "integrationUri": .string, "integrationMethod": .string, "integrationSubtype": .string,
                "connectionType": .string, "connectionId": .string, "credentialsArn": .string, "description": .string,
                "contentHandlingStrategy": .string, "passthroughBehavior": .string, "payloadFormatVersion": .string,
                "requestParameters": .object, "requestTemplates": .stringMap, "responseParameters": .object,
                "templateSelectionExpression": .string, "timeoutInMillis": .int, "tlsConfig": .object,
            ]
        case .integrationResponse:
            [
                "integrationResponseKey": .string, "contentHandlingStrategy": .string, "responseParameters": .stringMap,
                "responseTemplates": .stringMap, "templateSelectionExpression": .string,
            ]
        case .stage:
            [
                "stageName": .string, "deploymentId": .string, "description": .string, "autoDeploy": .bool, "stageVariables": .stringMap,
                "defaultRouteSettings": .object, "routeSettings": .object, "accessLogSettings": .object, "clientCertificateId": .string,
                "tags": .stringMap,
            ]
        case .deployment:
            ["description": .string, "stageName": .string]
        case .authorizer:
            [
                "name": .string, "authorizerType": .string, "authorizerUri": .string, "identitySource": .stringList,
                "identityValidationExpression": .string, "authorizerCredentialsArn": .string, "authorizerPayloadFormatVersion": .string,
                "authorizerResultTtlInSeconds": .int, "enableSimpleResponses": .bool, "jwtConfiguration": .object,
            ]
        }
    }

    /// The members a create request must carry.
    /// - Parameter kind: The resource kind.
    /// - Returns: The member names.
    package static func required(for kind: V2ResourceKind) -> [String] {
        switch kind {
        case .api: ["name", "protocolType"]
        case .route: ["routeKey"]
        case .routeResponse: ["routeResponseKey"]
        case .integration: ["integrationType"]
        case .integrationResponse: ["integrationResponseKey"]
        case .stage: ["stageName"]
        case .deployment: []
        case .authorizer: ["authorizerType", "name"]
        }
    }

    /// Keeps the members `kind` takes, checking their types (`null` members are dropped, as unset).
    /// - Parameters:
    ///   - body: The request body's members.
    ///   - kind: The resource kind.
    ///   - creating: Whether required members must be present.
    /// - Returns: The accepted members.
    /// - Throws: ``APIGatewayV2Error/badRequest(_:)`` for a member of the wrong type or a missing required member.
    package static func input(_ body: [String: V2JSON], kind: V2ResourceKind, creating: Bool) throws(APIGatewayV2Error) -> [String: V2JSON] {
        switch JSONMemberType.accepted(body, types: members(of: kind), required: creating ? required(for: kind) : []) {
        case .success(let accepted): return accepted
        case .failure(let problem): throw .badRequest(problem.message)
        }
    }

    /// The HTTP methods an HTTP API route key may name.
    package static let httpMethods: Set<String> = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    /// Checks a protocol type.
    /// - Parameter protocolType: `HTTP` or `WEBSOCKET`.
    /// - Throws: AWS's `Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]`.
    package static func protocolType(_ protocolType: String) throws(APIGatewayV2Error) {
        guard protocolType == "HTTP" || protocolType == "WEBSOCKET" else {
            throw .invalidProtocol
        }
    }

    /// Checks a route key: `$connect`, `$disconnect`, `$default` or any other name for WebSocket APIs;
    /// `$default` or `METHOD /path` for HTTP APIs (a greedy `{name+}` only as the last segment).
    /// - Parameters:
    ///   - routeKey: The route key.
    ///   - protocolType: The API's protocol.
    /// - Throws: ``APIGatewayV2Error/badRequest(_:)``.
    package static func routeKey(_ routeKey: String, protocolType: String) throws(APIGatewayV2Error) {
        let invalid = APIGatewayV2Error.invalidRouteKey(routeKey)
        guard !routeKey.isEmpty, routeKey.count <= 256 else { throw invalid }
        if protocolType == "WEBSOCKET" {
            if routeKey.hasPrefix("$"), !["$connect", "$disconnect", "$default"].contains(routeKey) { throw invalid }
            return
        }
        if routeKey == "$default" { return }
        let parts = routeKey.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, httpMethods.contains(String(parts[0])), parts[1].hasPrefix("/") else { throw invalid }
        let segments = parts[1].split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            if segment.hasSuffix("+}") {
                guard segment.hasPrefix("{"), index == segments.count - 1, segment.count > 3 else { throw invalid }
            }
            if segment.contains(" ") { throw invalid }
        }
    }

    /// Checks a WebSocket route selection expression: `$request.body.{path}` (optionally `${request.body.{path}}`),
    /// or `$default`; HTTP APIs take only `$request.method $request.path`.
    /// - Parameters:
    ///   - expression: The expression.
    ///   - protocolType: The API's protocol.
    /// - Throws: ``APIGatewayV2Error/badRequest(_:)``.
    package static func routeSelectionExpression(_ expression: String, protocolType: String) throws(APIGatewayV2Error) {
        if protocolType == "HTTP" {
            guard expression == "$request.method $request.path" || expression == "${request.method} ${request.path}" else {
                throw .badRequest("Invalid route selection expression specified: \(expression)")
            }
            return
        }
        var path = expression
        if path.hasPrefix("${"), path.hasSuffix("}") { path = "$" + path.dropFirst(2).dropLast() }
        guard path == "$default" || (path.hasPrefix("$request.body.") && path.count > "$request.body.".count) else {
            throw .badRequest("Invalid route selection expression specified: \(expression)")
        }
    }

    /// The integration types a protocol takes.
    /// - Parameter protocolType: The API's protocol.
    /// - Returns: The types.
    package static func integrationTypes(for protocolType: String) -> [String] {
        protocolType == "WEBSOCKET" ? ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"] : ["AWS_PROXY", "HTTP_PROXY"]
    }

    /// Checks an integration's type, URI and payload format version for the API's protocol.
    /// - Parameters:
    ///   - document: The integration's members.
    ///   - protocolType: The API's protocol.
    /// - Throws: ``APIGatewayV2Error/badRequest(_:)``.
    package static func integration(_ document: [String: V2JSON], protocolType: String) throws(APIGatewayV2Error) {
        let type = document["integrationType"]?.stringValue ?? ""
        guard integrationTypes(for: protocolType).contains(type) else {
            if protocolType == "HTTP", integrationTypes(for: "WEBSOCKET").contains(type) {
                // AWS's text (aws/aws-cli#6363).
                throw .badRequest(
                    "Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)"
                )
            }
            throw .badRequest("Invalid integration type specified: \(type). Must be one of \(integrationTypes(for: protocolType))")
        }
        if let subtype = document["integrationSubtype"]?.stringValue {
            let problem = IntegrationSubtype.problem(
                subtype: subtype,
                type: type,
                payloadFormatVersion: document["payloadFormatVersion"]?.stringValue,
                parameterNames: Array((document["requestParameters"]?.objectValue ?? [:]).keys)
            )
            if let problem { throw .badRequest(problem) }
        } else if type != "MOCK", document["integrationUri"] == nil {
            throw .badRequest("IntegrationUri is required for integrations of type \(type)")
        }
        if let version = document["payloadFormatVersion"]?.stringValue {
            let allowed = protocolType == "WEBSOCKET" ? ["1.0"] : ["1.0", "2.0"]
            guard allowed.contains(version) else { throw .badRequest("Invalid payload format version specified: \(version)") }
        }
        if let timeout = document["timeoutInMillis"]?.intValue {
            let maximum = protocolType == "WEBSOCKET" ? 29000 : 30000
            guard (50...maximum).contains(timeout) else {
                throw .badRequest("Timeout must be between 50 milliseconds and \(maximum) milliseconds.")
            }
        }
    }

    /// Checks an authorizer's type and the members that type needs.
    /// - Parameters:
    ///   - document: The authorizer's members.
    ///   - protocolType: The API's protocol.
    /// - Throws: ``APIGatewayV2Error/badRequest(_:)``.
    package static func authorizer(_ document: [String: V2JSON], protocolType: String) throws(APIGatewayV2Error) {
        let type = document["authorizerType"]?.stringValue ?? ""
        let allowed = protocolType == "WEBSOCKET" ? ["REQUEST"] : ["REQUEST", "JWT"]
        guard allowed.contains(type) else { throw .badRequest("Invalid authorizer type specified: \(type). Must be one of \(allowed)") }
        if type == "REQUEST", document["authorizerUri"] == nil {
            throw .badRequest("AuthorizerUri is required for REQUEST authorizers")
        }
        if type == "JWT", document["jwtConfiguration"] == nil {
            throw .badRequest("JwtConfiguration is required for JWT authorizers")
        }
        if let ttl = document["authorizerResultTtlInSeconds"]?.intValue, !(0...3600).contains(ttl) {
            throw .badRequest("AuthorizerResultTtlInSeconds must be between 0 and 3600")
        }
    }

    /// Checks a route's authorization members against the API's authorizers.
    /// - Parameters:
    ///   - document: The route's members.
    ///   - protocolType: The API's protocol.
    ///   - authorizerExists: Whether an authorizer id names one of the API's authorizers.
    /// - Throws: ``APIGatewayV2Error/badRequest(_:)``.
    package static func routeAuthorization(
        _ document: [String: V2JSON],
        protocolType: String,
        authorizerExists: (String) -> Bool
    ) throws(APIGatewayV2Error) {
        let type = document["authorizationType"]?.stringValue ?? "NONE"
        let allowed = protocolType == "WEBSOCKET" ? ["NONE", "AWS_IAM", "CUSTOM"] : ["NONE", "AWS_IAM", "CUSTOM", "JWT"]
        guard allowed.contains(type) else { throw .badRequest("Invalid authorization type specified: \(type). Must be one of \(allowed)") }
        if protocolType == "WEBSOCKET", type != "NONE", document["routeKey"]?.stringValue != "$connect" {
            throw .authorizationOnlyOnConnect
        }
        if type == "CUSTOM" || type == "JWT" {
            guard let id = document["authorizerId"]?.stringValue, authorizerExists(id) else {
                throw .invalidAuthorizerId
            }
        }
    }
}

/// Generated API Gateway ids: lowercase letters and digits.
package enum V2Identifiers {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A new id.
    /// - Parameter length: Its length.
    /// - Returns: The id.
    package static func make(length: Int) -> String {
        var generator = EmulatorRandom.idGenerator("apigateway-ids")
        return String((0..<max(1, length)).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
