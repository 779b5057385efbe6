import CloudFormation

/// What the REST API service needs of one `AWS::ApiGateway::RestApi`: its methods (from the OpenAPI `Body` and the
/// template's `Resource`/`Method` resources), stages and binary media types.
package struct RestApiSpec: Sendable, Equatable {
    /// One method on one resource path.
    package struct Method: Sendable, Equatable {
        /// The resource id (`$context.resourceId`).
        package var resourceId: String
        /// The resource path template (`/pets/{id}`, `/{proxy+}`).
        package var resourcePath: String
        /// The HTTP method, or `ANY`.
        package var httpMethod: String
        /// The integration, if any.
        package var integration: IntegrationSpec?
        /// Whether the method requires authorization (an authorizer, IAM, or an API key), which is not emulated yet.
        package var secured: Bool
    }

    /// One stage.
    package struct Stage: Sendable, Equatable {
        /// The stage name.
        package var name: String
        /// The deployment id.
        package var deploymentId: String?
        /// The stage variables.
        package var variables: [String: String]
    }

    /// The logical id.
    package var logicalId: String
    /// The API id (10 lowercase alphanumerics).
    package var apiId: String
    /// `Name`.
    package var name: String
    /// The methods.
    package var methods: [Method]
    /// The stages (from `Stage` resources and `Deployment`s naming a `StageName`).
    package var stages: [Stage]
    /// `BinaryMediaTypes` plus the document's `x-amazon-apigateway-binary-media-types`.
    package var binaryMediaTypes: [String]

    /// Decodes a REST API and gathers its resources, methods, deployments and stages from `stack`.
    /// - Parameters:
    ///   - resource: A resolved `AWS::ApiGateway::RestApi`.
    ///   - stack: The stack.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    package init(_ resource: StackResource, in stack: Stack) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        apiId = resource.physicalId
        name = try reader["Name"].string() ?? resource.logicalId
        var binary = try reader["BinaryMediaTypes"].stringList() ?? []
        binary += try reader["Body"]["x-amazon-apigateway-binary-media-types"].stringList() ?? []
        binaryMediaTypes = binary
        let apiId = resource.physicalId
        var methods: [Method] = []
        for operation in try OpenAPIOperation.operations(in: reader["Body"], defaultPayloadFormat: "1.0") {
            let id = PhysicalNames.randomString(
                seed: PhysicalNames.seed(apiId, operation.path),
                count: 6,
                alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789")
            )
            methods.append(
                Method(
                    resourceId: id,
                    resourcePath: operation.path,
                    httpMethod: operation.method,
                    integration: operation.integration,
                    secured: operation.secured
                )
            )
        }

        func children(_ type: String) throws(TemplateError) -> [(StackResource, SpecReader)] {
            try stack.children(ofType: type, property: "RestApiId", parentId: apiId)
        }
        // Resource paths: each resource's parent is the API's root resource or another resource.
        let rootId = resource.attributes["RootResourceId"] ?? ""
        var parents: [String: (parent: String, part: String)] = [:]
        for (child, path) in try children(RestApiProvider.resourceType) {
            parents[child.physicalId] = (try path["ParentId"].requiredString(), try path["PathPart"].requiredString())
        }
        func path(of id: String) -> String? {
            var parts: [String] = []
            var current = id
            // Bounded by the number of resources: a cycle in the template cannot loop forever.
            for _ in 0...parents.count {
                if current == rootId { return "/" + parts.reversed().joined(separator: "/") }
                guard let entry = parents[current] else { return nil }
                parts.append(entry.part)
                current = entry.parent
            }
            return nil
        }
        for (child, method) in try children(RestApiProvider.methodType) {
            let resourceId = try method["ResourceId"].requiredString()
            guard let resourcePath = path(of: resourceId) else {
                throw TemplateError(
                    .invalidProperty,
                    "property Properties.ResourceId must name the API's root resource or one of its AWS::ApiGateway::Resource resources",
                    at: child.location,
                    logicalId: child.logicalId
                )
            }
            let integration = method["Integration"]
            let authorization = try method["AuthorizationType"].string() ?? "NONE"
            let apiKeyRequired = try method["ApiKeyRequired"].bool() ?? false
            methods.append(
                Method(
                    resourceId: resourceId,
                    resourcePath: resourcePath,
                    httpMethod: try method["HttpMethod"].requiredString().uppercased(),
                    integration: integration.exists ? try IntegrationSpec(method: integration) : nil,
                    secured: authorization != "NONE" || apiKeyRequired
                )
            )
        }
        self.methods = methods

        var stages: [Stage] = []
        for (child, stage) in try children(RestApiProvider.stageType) {
            stages.append(
                Stage(name: child.physicalId, deploymentId: try stage["DeploymentId"].string(), variables: try stage["Variables"].stringMap() ?? [:])
            )
        }
        for (child, deployment) in try children(RestApiProvider.deploymentType) {
            if let name = try deployment["StageName"].string(), !stages.contains(where: { $0.name == name }) {
                let variables = try deployment["StageDescription"]["Variables"].stringMap() ?? [:]
                stages.append(Stage(name: name, deploymentId: child.physicalId, variables: variables))
            }
        }
        self.stages = stages
    }
}
