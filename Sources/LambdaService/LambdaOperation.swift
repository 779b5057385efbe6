import AWSGateway
import HTTPTypes

/// The Lambda REST operations this emulator serves, named once from the method and path: each knows its AWS
/// name, its IAM action and the resource that action is authorized against.
package enum LambdaOperation: ServiceOperation, Equatable {
    /// [Invoke](https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
    /// `POST /2015-03-31/functions/{name}/invocations`.
    case invoke(function: String)
    /// [GetFunction](https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html):
    /// `GET /2015-03-31/functions/{name}`.
    case getFunction(function: String)
    /// [GetFunctionConfiguration](https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html):
    /// `GET /2015-03-31/functions/{name}/configuration`.
    case getFunctionConfiguration(function: String)
    /// [GetFunctionConcurrency](https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConcurrency.html):
    /// `GET /2019-09-30/functions/{name}/concurrency` (and the 2017-10-31 path older SDKs use).
    case getFunctionConcurrency(function: String)
    /// [ListFunctions](https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html):
    /// `GET /2015-03-31/functions/`.
    case listFunctions
    /// [CreateFunction](https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html):
    /// `POST /2015-03-31/functions`.
    case createFunction
    /// [DeleteFunction](https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html):
    /// `DELETE /2015-03-31/functions/{name}`.
    case deleteFunction(function: String)
    /// [UpdateFunctionCode](https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html):
    /// `PUT /2015-03-31/functions/{name}/code`.
    case updateFunctionCode(function: String)
    /// [UpdateFunctionConfiguration](https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html):
    /// `PUT /2015-03-31/functions/{name}/configuration`.
    case updateFunctionConfiguration(function: String)
    /// [PutFunctionConcurrency](https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html):
    /// `PUT /2017-10-31/functions/{name}/concurrency`.
    case putFunctionConcurrency(function: String)
    /// [DeleteFunctionConcurrency](https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunctionConcurrency.html):
    /// `DELETE /2017-10-31/functions/{name}/concurrency`.
    case deleteFunctionConcurrency(function: String)
    /// [AddPermission](https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html):
    /// `POST /2015-03-31/functions/{name}/policy`.
    case addPermission(function: String)
    /// [RemovePermission](https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html):
    /// `DELETE /2015-03-31/functions/{name}/policy/{StatementId}`.
    case removePermission(function: String, statementId: String)
    /// [GetPolicy](https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html):
    /// `GET /2015-03-31/functions/{name}/policy`.
    case getPolicy(function: String)
    /// [TagResource](https://docs.aws.amazon.com/lambda/latest/api/API_TagResource.html): `POST /2017-03-31/tags/{ARN}`.
    case tagResource(arn: String)
    /// [UntagResource](https://docs.aws.amazon.com/lambda/latest/api/API_UntagResource.html): `DELETE /2017-03-31/tags/{ARN}`.
    case untagResource(arn: String)
    /// [ListTags](https://docs.aws.amazon.com/lambda/latest/api/API_ListTags.html): `GET /2017-03-31/tags/{ARN}`.
    case listTags(arn: String)
    /// [PublishVersion](https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html):
    /// `POST /2015-03-31/functions/{name}/versions`.
    case publishVersion(function: String)
    /// [ListVersionsByFunction](https://docs.aws.amazon.com/lambda/latest/api/API_ListVersionsByFunction.html):
    /// `GET /2015-03-31/functions/{name}/versions`.
    case listVersionsByFunction(function: String)
    /// [CreateAlias](https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html):
    /// `POST /2015-03-31/functions/{name}/aliases`.
    case createAlias(function: String)
    /// [ListAliases](https://docs.aws.amazon.com/lambda/latest/api/API_ListAliases.html):
    /// `GET /2015-03-31/functions/{name}/aliases`.
    case listAliases(function: String)
    /// [GetAlias](https://docs.aws.amazon.com/lambda/latest/api/API_GetAlias.html):
    /// `GET /2015-03-31/functions/{name}/aliases/{alias}`.
    case getAlias(function: String, alias: String)
    /// [UpdateAlias](https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html):
    /// `PUT /2015-03-31/functions/{name}/aliases/{alias}`.
    case updateAlias(function: String, alias: String)
    /// [DeleteAlias](https://docs.aws.amazon.com/lambda/latest/api/API_DeleteAlias.html):
    /// `DELETE /2015-03-31/functions/{name}/aliases/{alias}`.
    case deleteAlias(function: String, alias: String)
    /// [GetAccountSettings](https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html):
    /// `GET /2016-08-19/account-settings/`.
    case getAccountSettings
    /// [CreateEventSourceMapping](https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html):
    /// `POST /2015-03-31/event-source-mappings/`.
    case createEventSourceMapping
    /// [ListEventSourceMappings](https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html):
    /// `GET /2015-03-31/event-source-mappings/`.
    case listEventSourceMappings
    /// [GetEventSourceMapping](https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html):
    /// `GET /2015-03-31/event-source-mappings/{UUID}`.
    case getEventSourceMapping(uuid: String)
    /// [UpdateEventSourceMapping](https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html):
    /// `PUT /2015-03-31/event-source-mappings/{UUID}`.
    case updateEventSourceMapping(uuid: String)
    /// [DeleteEventSourceMapping](https://docs.aws.amazon.com/lambda/latest/api/API_DeleteEventSourceMapping.html):
    /// `DELETE /2015-03-31/event-source-mappings/{UUID}`.
    case deleteEventSourceMapping(uuid: String)
    /// [PublishLayerVersion](https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html).
    case publishLayerVersion(layer: String)
    /// [ListLayerVersions](https://docs.aws.amazon.com/lambda/latest/api/API_ListLayerVersions.html).
    case listLayerVersions(layer: String)
    /// [GetLayerVersion](https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersion.html).
    case getLayerVersion(layer: String, version: String)
    /// [DeleteLayerVersion](https://docs.aws.amazon.com/lambda/latest/api/API_DeleteLayerVersion.html).
    case deleteLayerVersion(layer: String, version: String)
    /// [AddLayerVersionPermission](https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html):
    /// `POST /2018-10-31/layers/{name}/versions/{version}/policy`.
    case addLayerVersionPermission(layer: String, version: String)
    /// [GetLayerVersionPolicy](https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionPolicy.html):
    /// `GET /2018-10-31/layers/{name}/versions/{version}/policy`.
    case getLayerVersionPolicy(layer: String, version: String)
    /// [RemoveLayerVersionPermission](https://docs.aws.amazon.com/lambda/latest/api/API_RemoveLayerVersionPermission.html):
    /// `DELETE /2018-10-31/layers/{name}/versions/{version}/policy/{StatementId}`.
    case removeLayerVersionPermission(layer: String, version: String, statementId: String)
    /// [ListLayers](https://docs.aws.amazon.com/lambda/latest/api/API_ListLayers.html), or
    /// [GetLayerVersionByArn](https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionByArn.html) with
    /// `find=LayerVersion` (the same path).
    case listLayers

    /// Names the operation of a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The raw (still percent-encoded) path.
    /// - Returns: The operation, or `nil` when the path names none this emulator serves.
    package static func resolve(method: HTTPRequest.Method, path: String) -> LambdaOperation? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", "2015-03-31", "functions", NAME, ...]
        if segments.count >= 3, segments[1] == "2015-03-31", segments[2] == "event-source-mappings" {
            let uuid = segments.count > 3 ? URLComponentsDecoding.decode(segments[3]) : ""
            guard segments.count <= 4 || (segments.count == 5 && segments[4].isEmpty) else { return nil }
            switch (method, uuid.isEmpty) {
            case (.post, true): return .createEventSourceMapping
            case (.get, true): return .listEventSourceMappings
            case (.get, false): return .getEventSourceMapping(uuid: uuid)
            case (.put, false): return .updateEventSourceMapping(uuid: uuid)
            case (.delete, false): return .deleteEventSourceMapping(uuid: uuid)
            default: return nil
            }
        }
        if segments.count >= 3, segments[1] == "2018-10-31", segments[2] == "layers" {
            return layerOperation(method: method, segments: Array(segments.dropFirst(3)))
        }
        if segments.count >= 3, segments[1] == "2016-08-19", segments[2] == "account-settings", method == .get,
            segments.count == 3 || (segments.count == 4 && segments[3].isEmpty)
        {
            return .getAccountSettings
        }
        if segments.count == 4, segments[1] == "2017-03-31", segments[2] == "tags" {
            let arn = URLComponentsDecoding.decode(segments[3])
            switch method {
            case .post: return .tagResource(arn: arn)
            case .delete: return .untagResource(arn: arn)
            case .get: return .listTags(arn: arn)
            default: return nil
            }
        }
        guard segments.count >= 3, segments[2] == "functions" else { return nil }
        let version = segments[1]
        let name = segments.count > 3 ? URLComponentsDecoding.decode(segments[3]) : ""
        let rest = Array(segments.dropFirst(4))
        switch (method, version, name.isEmpty, rest) {
        case (.get, "2015-03-31", true, _): return .listFunctions
        case (.post, "2015-03-31", true, _): return .createFunction
        case (.delete, "2015-03-31", false, []): return .deleteFunction(function: name)
        case (.put, "2015-03-31", false, ["code"]): return .updateFunctionCode(function: name)
        case (.put, "2015-03-31", false, ["configuration"]): return .updateFunctionConfiguration(function: name)
        case (.put, "2017-10-31", false, ["concurrency"]): return .putFunctionConcurrency(function: name)
        case (.delete, "2017-10-31", false, ["concurrency"]): return .deleteFunctionConcurrency(function: name)
        case (.post, "2015-03-31", false, ["policy"]): return .addPermission(function: name)
        case (.post, "2015-03-31", false, ["versions"]): return .publishVersion(function: name)
        case (.get, "2015-03-31", false, ["versions"]): return .listVersionsByFunction(function: name)
        case (.post, "2015-03-31", false, ["aliases"]): return .createAlias(function: name)
        case (.get, "2015-03-31", false, ["aliases"]): return .listAliases(function: name)
        case (_, "2015-03-31", false, let rest) where rest.count == 2 && rest[0] == "aliases" && !rest[1].isEmpty:
            let alias = URLComponentsDecoding.decode(rest[1])
            switch method {
            case .get: return .getAlias(function: name, alias: alias)
            case .put: return .updateAlias(function: name, alias: alias)
            case .delete: return .deleteAlias(function: name, alias: alias)
            default: return nil
            }
        case (.get, "2015-03-31", false, ["policy"]): return .getPolicy(function: name)
        case (.delete, "2015-03-31", false, let rest) where rest.count == 2 && rest[0] == "policy" && !rest[1].isEmpty:
            return .removePermission(function: name, statementId: URLComponentsDecoding.decode(rest[1]))
        case (.post, "2015-03-31", false, ["invocations"]): return .invoke(function: name)
        case (.get, "2015-03-31", false, []): return .getFunction(function: name)
        case (.get, "2015-03-31", false, ["configuration"]): return .getFunctionConfiguration(function: name)
        case (.get, "2019-09-30", false, ["concurrency"]), (.get, "2017-10-31", false, ["concurrency"]):
            return .getFunctionConcurrency(function: name)
        default: return nil
        }
    }

    /// A layer operation from the path after `/2018-10-31/layers`.
    private static func layerOperation(method: HTTPRequest.Method, segments: [String]) -> LambdaOperation? {
        var rest = segments
        if rest.last == "" { rest.removeLast() }
        switch (method, rest.count) {
        case (.get, 0): return .listLayers
        case (_, 2) where rest[1] == "versions":
            let layer = URLComponentsDecoding.decode(rest[0])
            switch method {
            case .post: return .publishLayerVersion(layer: layer)
            case .get: return .listLayerVersions(layer: layer)
            default: return nil
            }
        case (_, 3) where rest[1] == "versions":
            let layer = URLComponentsDecoding.decode(rest[0])
            switch method {
            case .get: return .getLayerVersion(layer: layer, version: rest[2])
            case .delete: return .deleteLayerVersion(layer: layer, version: rest[2])
            default: return nil
            }
        case (_, 4) where rest[1] == "versions" && rest[3] == "policy":
            let layer = URLComponentsDecoding.decode(rest[0])
            switch method {
            case .post: return .addLayerVersionPermission(layer: layer, version: rest[2])
            case .get: return .getLayerVersionPolicy(layer: layer, version: rest[2])
            default: return nil
            }
        case (.delete, 5) where rest[1] == "versions" && rest[3] == "policy" && !rest[4].isEmpty:
            let layer = URLComponentsDecoding.decode(rest[0])
            return .removeLayerVersionPermission(layer: layer, version: rest[2], statementId: URLComponentsDecoding.decode(rest[4]))
        default: return nil
        }
    }

    /// The AWS operation name, for logs.
    package var name: String {
        switch self {
        case .publishLayerVersion: "PublishLayerVersion"
        case .listLayerVersions: "ListLayerVersions"
        case .getLayerVersion: "GetLayerVersion"
        case .deleteLayerVersion: "DeleteLayerVersion"
        case .listLayers: "ListLayers"
        case .addLayerVersionPermission: "AddLayerVersionPermission"
        case .getLayerVersionPolicy: "GetLayerVersionPolicy"
        case .removeLayerVersionPermission: "RemoveLayerVersionPermission"
        case .invoke: "Invoke"
        case .getFunction: "GetFunction"
        case .getFunctionConfiguration: "GetFunctionConfiguration"
        case .getFunctionConcurrency: "GetFunctionConcurrency"
        case .listFunctions: "ListFunctions"
        case .createFunction: "CreateFunction"
        case .deleteFunction: "DeleteFunction"
        case .updateFunctionCode: "UpdateFunctionCode"
        case .updateFunctionConfiguration: "UpdateFunctionConfiguration"
        case .putFunctionConcurrency: "PutFunctionConcurrency"
        case .deleteFunctionConcurrency: "DeleteFunctionConcurrency"
        case .addPermission: "AddPermission"
        case .removePermission: "RemovePermission"
        case .getPolicy: "GetPolicy"
        case .tagResource: "TagResource"
        case .untagResource: "UntagResource"
        case .listTags: "ListTags"
        case .getAccountSettings: "GetAccountSettings"
        case .publishVersion: "PublishVersion"
        case .listVersionsByFunction: "ListVersionsByFunction"
        case .createAlias: "CreateAlias"
        case .listAliases: "ListAliases"
        case .getAlias: "GetAlias"
        case .updateAlias: "UpdateAlias"
        case .deleteAlias: "DeleteAlias"
        case .createEventSourceMapping: "CreateEventSourceMapping"
        case .listEventSourceMappings: "ListEventSourceMappings"
        case .getEventSourceMapping: "GetEventSourceMapping"
        case .updateEventSourceMapping: "UpdateEventSourceMapping"
        case .deleteEventSourceMapping: "DeleteEventSourceMapping"
        }
    }

    /// The IAM action the caller needs.
    package var iamAction: String {
        switch self {
        case .invoke: "lambda:InvokeFunction"
        case .getFunction: "lambda:GetFunction"
        case .getFunctionConfiguration: "lambda:GetFunctionConfiguration"
        case .getFunctionConcurrency: "lambda:GetFunctionConcurrency"
        case .listFunctions: "lambda:ListFunctions"
        default: "lambda:" + name
        }
    }

    /// The function the operation names (a name, ARN or partial ARN), or `nil` for ListFunctions.
    package var functionIdentifier: String? {
        switch self {
        case .invoke(let function), .getFunction(let function), .getFunctionConfiguration(let function),
            .getFunctionConcurrency(let function), .deleteFunction(let function), .updateFunctionCode(let function),
            .updateFunctionConfiguration(let function), .putFunctionConcurrency(let function),
            .deleteFunctionConcurrency(let function), .addPermission(let function), .removePermission(let function, _),
            .getPolicy(let function), .tagResource(let function), .untagResource(let function), .listTags(let function),
            .publishVersion(let function), .listVersionsByFunction(let function), .createAlias(let function),
            .listAliases(let function), .getAlias(let function, _), .updateAlias(let function, _), .deleteAlias(let function, _):
            function
        case .listFunctions, .createFunction, .getAccountSettings, .createEventSourceMapping, .listEventSourceMappings,
            .getEventSourceMapping, .updateEventSourceMapping, .deleteEventSourceMapping, .publishLayerVersion, .listLayerVersions,
            .getLayerVersion, .deleteLayerVersion, .listLayers, .addLayerVersionPermission, .getLayerVersionPolicy,
            .removeLayerVersionPermission:
            nil
        }
    }

    /// Whether the operation reads the `Qualifier` query parameter (GetFunctionConcurrency has none).
    package var readsQualifier: Bool {
        switch self {
        case .invoke, .getFunction, .getFunctionConfiguration, .deleteFunction, .addPermission, .removePermission, .getPolicy: true
        default: false
        }
    }

    /// The resource ``iamAction`` is authorized against: `*` for ListFunctions; the function ARN, qualified for
    /// Invoke when a qualifier was given.
    /// - Parameters:
    ///   - functionArn: The located function's unqualified ARN (ignored for ListFunctions).
    ///   - qualifier: The qualifier in effect.
    /// - Returns: The resource ARN.
    package func resource(functionArn: String, qualifier: String?) -> String {
        switch self {
        case .listFunctions, .getAccountSettings, .createEventSourceMapping, .listEventSourceMappings, .getEventSourceMapping,
            .updateEventSourceMapping, .deleteEventSourceMapping, .listLayers, .listLayerVersions:
            "*"
        case .invoke: qualifier.map { "\(functionArn):\($0)" } ?? functionArn
        default: functionArn
        }
    }
}
