import AWSGateway
import HTTPTypes

/// One API Gateway v2 control-plane operation, named from the method and the `/v2/...` path: what it does, to
/// which kind of resource, and the ids in its path.
package struct APIGatewayV2Operation: ServiceOperation, Equatable {
    /// What the operation does.
    package enum Action: String, Sendable, Equatable {
        /// `POST` on a collection.
        case create
        /// `GET` on a collection (paged).
        case list
        /// `GET` on a resource.
        case get
        /// `PATCH` on a resource.
        case update
        /// `DELETE` on a resource.
        case delete
        /// `GET /v2/tags/{arn}`.
        case getTags
        /// `POST /v2/tags/{arn}`.
        case tagResource
        /// `DELETE /v2/tags/{arn}`.
        case untagResource
        /// `PUT /v2/apis` (`ImportApi`).
        case importApi
        /// `PUT /v2/apis/{apiId}` (`ReimportApi`).
        case reimportApi
        /// `GET /v2/apis/{apiId}/exports/{specification}` (`ExportApi`).
        case exportApi
    }

    /// What it does.
    package var action: Action
    /// The kind of resource (`.api` for the tag operations).
    package var kind: V2ResourceKind
    /// The API id in the path ("" for CreateApi and GetApis).
    package var apiId: String = ""
    /// The route or integration id of a response's path.
    package var parentId: String = ""
    /// The resource id of a get, update or delete (the stage name for stages).
    package var id: String = ""
    /// The resource ARN of a tag operation.
    package var resourceArn: String = ""
    /// The path after `/v2`, decoded, for the IAM resource.
    package var resourcePath: String = ""

    /// The AWS operation name (`CreateRoute`, `GetRouteResponses`, `TagResource`...).
    package var name: String {
        switch action {
        case .create: "Create" + kind.noun
        case .list: "Get" + kind.noun + "s"
        case .get: "Get" + kind.noun
        case .update: "Update" + kind.noun
        case .delete: "Delete" + kind.noun
        case .getTags: "GetTags"
        case .tagResource: "TagResource"
        case .untagResource: "UntagResource"
        case .importApi: "ImportApi"
        case .reimportApi: "ReimportApi"
        case .exportApi: "ExportApi"
        }
    }

    /// The IAM action: API Gateway authorizes its management API by HTTP method (`apigateway:POST`...).
    package var iamAction: String {
        switch action {
        case .create, .tagResource: "apigateway:POST"
        case .importApi, .reimportApi: "apigateway:PUT"
        case .list, .get, .getTags, .exportApi: "apigateway:GET"
        case .update: "apigateway:PATCH"
        case .delete, .untagResource: "apigateway:DELETE"
        }
    }

    /// The IAM resource: `arn:aws:apigateway:{region}::{path}` (the path without `/v2`).
    /// - Parameter region: The region.
    /// - Returns: The ARN.
    package func iamResource(region: String) -> String {
        "arn:aws:apigateway:\(region)::\(resourcePath)"
    }

    /// Names the operation of a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - rawPath: The raw (percent-encoded) path.
    /// - Returns: The operation, or nil when the path is not one of the served `/v2/` paths.
    package static func resolve(method: HTTPRequest.Method, rawPath: String) -> APIGatewayV2Operation? {
        var raw = rawPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", "v2", ...]; a trailing slash is ignored.
        if raw.count > 2, raw.last == "" { raw.removeLast() }
        guard raw.count >= 3, raw[0].isEmpty, raw[1] == "v2" else { return nil }
        let segments = raw.dropFirst(2).map { URLComponentsDecoding.decode($0) }
        guard !segments.contains(where: \.isEmpty) else { return nil }
        let resourcePath = "/" + segments.joined(separator: "/")
        if segments[0] == "tags" {
            guard segments.count == 2 else { return nil }
            let action: Action
            switch method {
            case .get: action = .getTags
            case .post: action = .tagResource
            case .delete: action = .untagResource
            default: return nil
            }
            return APIGatewayV2Operation(action: action, kind: .api, resourceArn: segments[1], resourcePath: resourcePath)
        }
        guard segments[0] == "apis" else { return nil }
        var operation = APIGatewayV2Operation(action: .list, kind: .api, resourcePath: resourcePath)
        let isItem: Bool
        switch segments.count {
        case 1:
            isItem = false
        case 2:
            operation.apiId = segments[1]
            isItem = true
        case 4 where segments[2] == "exports":
            guard method == .get else { return nil }
            operation.action = .exportApi
            operation.apiId = segments[1]
            operation.id = segments[3]
            return operation
        case 3, 4:
            guard let kind = V2ResourceKind.allCases.first(where: { $0.pathSegment == segments[2] && $0.parent == .api }) else { return nil }
            operation.kind = kind
            operation.apiId = segments[1]
            isItem = segments.count == 4
            if isItem { operation.id = segments[3] }
        case 5, 6:
            guard let parent = V2ResourceKind.allCases.first(where: { $0.pathSegment == segments[2] }),
                let kind = V2ResourceKind.allCases.first(where: { $0.pathSegment == segments[4] && $0.parent == parent }),
                parent != .api
            else { return nil }
            operation.kind = kind
            operation.apiId = segments[1]
            operation.parentId = segments[3]
            isItem = segments.count == 6
            if isItem { operation.id = segments[5] }
        default:
            return nil
        }
        switch (method, isItem) {
        case (.put, false) where operation.kind == .api: operation.action = .importApi
        case (.put, true) where operation.kind == .api: operation.action = .reimportApi
        case (.post, false): operation.action = .create
        case (.get, false): operation.action = .list
        case (.get, true): operation.action = .get
        case (.patch, true): operation.action = .update
        case (.delete, true): operation.action = .delete
        default: return nil
        }
        if operation.kind == .api, isItem { operation.id = operation.apiId }
        return operation
    }
}
