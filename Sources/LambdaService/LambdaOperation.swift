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

    /// Names the operation of a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The raw (still percent-encoded) path.
    /// - Returns: The operation, or `nil` when the path names none this emulator serves.
    package static func resolve(method: HTTPRequest.Method, path: String) -> LambdaOperation? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", "2015-03-31", "functions", NAME, ...]
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
        }
    }

    /// The function the operation names (a name, ARN or partial ARN), or `nil` for ListFunctions.
    package var functionIdentifier: String? {
        switch self {
        case .invoke(let function), .getFunction(let function), .getFunctionConfiguration(let function),
            .getFunctionConcurrency(let function):
            function
        case .listFunctions: nil
        }
    }

    /// Whether the operation reads the `Qualifier` query parameter (GetFunctionConcurrency has none).
    package var readsQualifier: Bool {
        switch self {
        case .invoke, .getFunction, .getFunctionConfiguration: true
        case .getFunctionConcurrency, .listFunctions: false
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
        case .listFunctions: "*"
        case .invoke: qualifier.map { "\(functionArn):\($0)" } ?? functionArn
        case .getFunction, .getFunctionConfiguration, .getFunctionConcurrency: functionArn
        }
    }
}
