import HTTPTypes
import Testing

@testable import LambdaService

@Suite("LambdaOperation: named once, with its IAM action and resource")
struct LambdaOperationTests {
    @Test(
        "resolves the served REST paths",
        arguments: [
            (HTTPRequest.Method.post, "/2015-03-31/functions/f/invocations", LambdaOperation.invoke(function: "f")),
            (.get, "/2015-03-31/functions/f", .getFunction(function: "f")),
            (.get, "/2015-03-31/functions/f/configuration", .getFunctionConfiguration(function: "f")),
            (.get, "/2019-09-30/functions/f/concurrency", .getFunctionConcurrency(function: "f")),
            (.get, "/2017-10-31/functions/f/concurrency", .getFunctionConcurrency(function: "f")),
            (.get, "/2015-03-31/functions/", .listFunctions),
            (
                .post, "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations",
                .invoke(function: "arn:aws:lambda:us-east-1:000000000000:function:f")
            ),
            (.post, "/2015-03-31/event-source-mappings/", .createEventSourceMapping),
            (.get, "/2015-03-31/event-source-mappings/", .listEventSourceMappings),
            (.get, "/2015-03-31/event-source-mappings/u-1", .getEventSourceMapping(uuid: "u-1")),
            (.put, "/2015-03-31/event-source-mappings/u-1", .updateEventSourceMapping(uuid: "u-1")),
            (.delete, "/2015-03-31/event-source-mappings/u-1", .deleteEventSourceMapping(uuid: "u-1")),
            (.post, "/2015-03-31/functions", .createFunction),
            (.delete, "/2015-03-31/functions/f", .deleteFunction(function: "f")),
            (.put, "/2015-03-31/functions/f/code", .updateFunctionCode(function: "f")),
            (.put, "/2015-03-31/functions/f/configuration", .updateFunctionConfiguration(function: "f")),
            (.put, "/2017-10-31/functions/f/concurrency", .putFunctionConcurrency(function: "f")),
            (.delete, "/2017-10-31/functions/f/concurrency", .deleteFunctionConcurrency(function: "f")),
            (.post, "/2015-03-31/functions/f/policy", .addPermission(function: "f")),
            (.get, "/2015-03-31/functions/f/policy", .getPolicy(function: "f")),
            (.delete, "/2015-03-31/functions/f/policy/s%2D1", .removePermission(function: "f", statementId: "s-1")),
            (.post, "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af", .tagResource(arn: "arn:aws:lambda:us-east-1:0:function:f")),
            (.delete, "/2017-03-31/tags/arn%3Af", .untagResource(arn: "arn:f")),
            (.get, "/2017-03-31/tags/arn%3Af", .listTags(arn: "arn:f")),
            (.get, "/2016-08-19/account-settings/", .getAccountSettings),
            (.post, "/2018-10-31/layers/l/versions/2/policy", .addLayerVersionPermission(layer: "l", version: "2")),
            (.get, "/2018-10-31/layers/l/versions/2/policy", .getLayerVersionPolicy(layer: "l", version: "2")),
            (
                .delete, "/2018-10-31/layers/l/versions/2/policy/s%2D1",
                .removeLayerVersionPermission(layer: "l", version: "2", statementId: "s-1")
            ),
        ]
    )
    func resolves(method: HTTPRequest.Method, path: String, expected: LambdaOperation) {
        #expect(LambdaOperation.resolve(method: method, path: path) == expected)
    }

    @Test(
        "paths it does not serve resolve to nothing",
        arguments: [
            (HTTPRequest.Method.get, "/2015-03-31/functions/f/invocations"),
            (.delete, "/2015-03-31/functions/f/policy/"),
            (.patch, "/2017-03-31/tags/arn%3Af"),
            (.get, "/2015-03-31/layers"),
            (.get, "/2019-09-30/functions/f/configuration"),
            (.post, "/2015-03-31/functions/f/unknown"),
            (.get, "/"),
            (.put, "/2015-03-31/event-source-mappings/"),
            (.post, "/2015-03-31/event-source-mappings/u-1"),
            (.get, "/2015-03-31/event-source-mappings/u-1/extra"),
            (.put, "/2018-10-31/layers/l/versions/2/policy"),
            (.delete, "/2018-10-31/layers/l/versions/2/policy/"),
            (.get, "/2018-10-31/layers/l/versions/2/policy/s-1"),
        ]
    )
    func unknownPaths(method: HTTPRequest.Method, path: String) {
        #expect(LambdaOperation.resolve(method: method, path: path) == nil)
    }

    @Test("each operation knows its AWS name, IAM action and resource")
    func actionsAndResources() {
        let arn = "arn:aws:lambda:us-east-1:000000000000:function:f"
        let cases: [(LambdaOperation, String, String, String)] = [
            (.invoke(function: "f"), "Invoke", "lambda:InvokeFunction", "\(arn):$LATEST"),
            (.getFunction(function: "f"), "GetFunction", "lambda:GetFunction", arn),
            (.getFunctionConfiguration(function: "f"), "GetFunctionConfiguration", "lambda:GetFunctionConfiguration", arn),
            (.getFunctionConcurrency(function: "f"), "GetFunctionConcurrency", "lambda:GetFunctionConcurrency", arn),
            (.listFunctions, "ListFunctions", "lambda:ListFunctions", "*"),
            (.createEventSourceMapping, "CreateEventSourceMapping", "lambda:CreateEventSourceMapping", "*"),
            (.listEventSourceMappings, "ListEventSourceMappings", "lambda:ListEventSourceMappings", "*"),
            (.getEventSourceMapping(uuid: "u"), "GetEventSourceMapping", "lambda:GetEventSourceMapping", "*"),
            (.updateEventSourceMapping(uuid: "u"), "UpdateEventSourceMapping", "lambda:UpdateEventSourceMapping", "*"),
            (.deleteEventSourceMapping(uuid: "u"), "DeleteEventSourceMapping", "lambda:DeleteEventSourceMapping", "*"),
        ]
        for (operation, name, action, resource) in cases {
            #expect(operation.name == name)
            #expect(operation.iamAction == action)
            #expect(operation.resource(functionArn: arn, qualifier: "$LATEST") == resource)
        }
        #expect(LambdaOperation.invoke(function: "f").resource(functionArn: arn, qualifier: nil) == arn)
        #expect(LambdaOperation.getFunctionConcurrency(function: "f").readsQualifier == false)
        #expect(LambdaOperation.invoke(function: "f").functionIdentifier == "f")
        #expect(LambdaOperation.listFunctions.functionIdentifier == nil)
    }
}
