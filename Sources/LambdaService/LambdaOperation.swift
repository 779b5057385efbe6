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
        guard segments.count >= 3, segments[2] == "functions" else { return nil }
        let version = segments[1]
        let name = segments.count > 3 ? URLComponentsDecoding.decode(segments[3]) : ""
        let rest = Array(segments.dropFirst(4))
        switch (method, version, name.isEmpty, rest) {
        case (.get, "2015-03-31", true, _): return .listFunctions
        case (.post, "2015-03-31", false, ["invocations"]): return .invoke(function: name)
        case (.get, "2015-03-31", false, []): return .getFunction(function: name)
        case (.get, "2015-03-31", false, ["configuration"]): return .getFunctionConfiguration(function: name)
        case (.get, "2019-09-30", false, ["concurrency"]), (.get, "2017-10-31", false, ["concurrency"]):
            return .getFunctionConcurrency(function: name)
        default: return nil
        }
    }

    /// The AWS operation name, for logs.
    package var name: String {
        switch self {
        case .invoke: "Invoke"
        case .getFunction: "GetFunction"
        case .getFunctionConfiguration: "GetFunctionConfiguration"
        case .getFunctionConcurrency: "GetFunctionConcurrency"
        case .listFunctions: "ListFunctions"
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
        case .createEventSourceMapping, .listEventSourceMappings, .getEventSourceMapping, .updateEventSourceMapping,
            .deleteEventSourceMapping:
            "lambda:" + name
        }
    }

    /// The function the operation names (a name, ARN or partial ARN), or `nil` for ListFunctions.
    package var functionIdentifier: String? {
        switch self {
        case .invoke(let function), .getFunction(let function), .getFunctionConfiguration(let function),
            .getFunctionConcurrency(let function):
            function
        case .listFunctions, .createEventSourceMapping, .listEventSourceMappings, .getEventSourceMapping, .updateEventSourceMapping,
            .deleteEventSourceMapping:
            nil
        }
    }

    /// Whether the operation reads the `Qualifier` query parameter (GetFunctionConcurrency has none).
    package var readsQualifier: Bool {
        switch self {
        case .invoke, .getFunction, .getFunctionConfiguration: true
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
        case .listFunctions, .createEventSourceMapping, .listEventSourceMappings, .getEventSourceMapping, .updateEventSourceMapping,
            .deleteEventSourceMapping:
            "*"
        case .invoke: qualifier.map { "\(functionArn):\($0)" } ?? functionArn
        case .getFunction, .getFunctionConfiguration, .getFunctionConcurrency: functionArn
        }
    }
}
