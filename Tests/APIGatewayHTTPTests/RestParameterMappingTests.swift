import Testing
import VelocityTemplates

@testable import APIGatewayHTTP

/// REST API parameter mapping ("Parameter mapping source reference for REST APIs") and integration response selection
/// for Lambda custom integrations ("Handle Lambda errors in API Gateway").
@Suite struct RestParameterMappingTests {
    private func mapping(headers: [(String, String)] = [], query: String = "", body: String = "") -> RestParameterMapping {
        let request = ProxyRequest(
            method: "POST",
            rawPath: "/items/42",
            rawQuery: query,
            headers: headers.map { (name: $0.0, value: $0.1) },
            body: Array(body.utf8),
            sourceIp: "127.0.0.1",
            stage: "prod",
            domainName: "localhost"
        )
        return RestParameterMapping(
            request: request,
            pathParameters: ["id": "42"],
            stageVariables: ["tier": "gold"],
            context: VelocityMap([
                (key: "stage", value: .string("prod")), (key: "authorizer", value: .map(VelocityMap([(key: "user", value: .string("ann"))]))),
            ])
        )
    }

    private func parameter(_ key: String, _ value: String) -> IntegrationSpec.ParameterMapping {
        IntegrationSpec.ParameterMapping(key: key, value: value)
    }

    @Test func integrationRequestParametersComeFromEverySource() {
        let subject = mapping(headers: [("X-User", "a"), ("x-user", "b")], query: "m=1&m=2&s=x%20y", body: #"{"order": {"id": 7}}"#)
        let mapped = subject.integrationRequest([
            parameter("integration.request.path.itemId", "method.request.path.id"),
            parameter("integration.request.querystring.last", "method.request.querystring.m"),
            parameter("integration.request.querystring.all", "method.request.multivaluequerystring.m"),
            parameter("integration.request.querystring.spaced", "method.request.querystring.s"),
            parameter("integration.request.header.x-last", "method.request.header.X-USER"),
            parameter("integration.request.header.x-all", "method.request.multivalueheader.x-user"),
            parameter("integration.request.header.x-order", "method.request.body.order.id"),
            parameter("integration.request.header.x-static", "'fixed value'"),
            parameter("integration.request.header.x-tier", "stageVariables.tier"),
            parameter("integration.request.header.x-who", "context.authorizer.user"),
            parameter("integration.request.header.x-none", "method.request.header.absent"),
            parameter("integration.request.header.x-bad", "nonsense"),
        ])
        #expect(mapped.path == ["itemId": "42"])
        #expect(mapped.query.map { "\($0.name)=\($0.value)" } == ["last=2", "all=1,2", "spaced=x y"])
        let headers = Dictionary(uniqueKeysWithValues: mapped.headers.map { ($0.name, $0.value) })
        #expect(
            headers == [
                "x-last": "b", "x-all": "a,b", "x-order": "7", "x-static": "fixed value", "x-tier": "gold", "x-who": "ann",
            ]
        )
    }

    @Test func methodResponseHeadersComeFromTheIntegrationResponse() {
        let subject = mapping()
        let headers = subject.methodResponseHeaders(
            [
                IntegrationSpec.HeaderValue(name: "X-Backend", value: "integration.response.header.x-backend"),
                IntegrationSpec.HeaderValue(name: "X-Both", value: "integration.response.multivalueheader.x-twice"),
                IntegrationSpec.HeaderValue(name: "X-Body", value: "integration.response.body"),
                IntegrationSpec.HeaderValue(name: "X-Count", value: "integration.response.body.items.count"),
                IntegrationSpec.HeaderValue(name: "X-List", value: "integration.response.body.items.list"),
                IntegrationSpec.HeaderValue(name: "X-Static", value: "'yes'"),
                IntegrationSpec.HeaderValue(name: "X-Missing", value: "integration.response.body.nothing"),
            ],
            headers: [(name: "x-backend", value: "b"), (name: "X-Twice", value: "1"), (name: "x-twice", value: "2")],
            body: #"{"items": {"count": 3, "list": [1, "a"]}}"#,
            lambdaError: false
        )
        #expect(headers.map(\.name) == ["X-Backend", "X-Both", "X-Body", "X-Count", "X-List", "X-Static"])
        #expect(headers.map(\.value) == ["b", "1,2", #"{"items": {"count": 3, "list": [1, "a"]}}"#, "3", #"[1,"a"]"#, "yes"])
    }

    @Test func aCustomLambdaErrorMessageIsReadAsJSONForHeaders() {
        let body = #"{"errorMessage": "{\"errorType\":\"Conflict\",\"httpStatus\":409}", "errorType": "Exception"}"#
        #expect(RestParameterMapping.jsonMember("errorMessage.errorType", of: body, lambdaError: true) == "Conflict")
        #expect(RestParameterMapping.jsonMember("errorMessage.httpStatus", of: body, lambdaError: true) == "409")
        // Only for Lambda errors.
        #expect(RestParameterMapping.jsonMember("errorMessage.errorType", of: body, lambdaError: false) == nil)
    }

    @Test func lambdaSelectionMatchesTheWholeErrorMessage() {
        let entries: [(pattern: String?, entry: Int)] = [(nil, 200), ("Bad input.*", 400), (".*timed out.*", 504)]
        #expect(ResponseSelection.select(entries, selector: "Bad input: a") == 400)
        // The whole message must match: a prefix elsewhere does not.
        #expect(ResponseSelection.select(entries, selector: "Really Bad input") == 200)
        #expect(ResponseSelection.select(entries, selector: "Task timed out after 3.00 seconds") == 504)
        // A successful result has no error message: only the default (or a pattern matching "") applies.
        #expect(ResponseSelection.select(entries, selector: "") == 200)
        #expect(ResponseSelection.select([(pattern: ".*", entry: 1), (pattern: nil, entry: 2)], selector: "") == 1)
    }

    @Test func responseTemplatesFollowAccept() {
        let templates = ["application/xml": "<a/>", "application/json": "{}", "text/plain": "t"]
        #expect(APIGatewayHTTPService.responseTemplate(templates, accept: "application/xml")?.key == "application/xml")
        #expect(APIGatewayHTTPService.responseTemplate(templates, accept: "image/png")?.key == "application/json")
        #expect(APIGatewayHTTPService.responseTemplate(templates, accept: nil)?.key == "application/json")
        #expect(APIGatewayHTTPService.responseTemplate(["text/plain": "t", "a/b": "x"], accept: nil)?.key == "a/b")
        #expect(APIGatewayHTTPService.responseTemplate([:], accept: "application/json") == nil)
    }

    @Test func integrationSubtypesAreCheckedAgainstTheReference() {
        #expect(
            IntegrationSubtype.problem(
                subtype: "SQS-SendMessage",
                type: "AWS_PROXY",
                payloadFormatVersion: "1.0",
                parameterNames: ["QueueUrl", "MessageBody"]
            )
                == nil
        )
        #expect(
            IntegrationSubtype.problem(subtype: "SQS-SendMessage", type: "AWS_PROXY", payloadFormatVersion: nil, parameterNames: ["QueueUrl"])?
                .contains("MessageBody") == true
        )
        #expect(IntegrationSubtype.problem(subtype: "SQS-Nope", type: "AWS_PROXY", payloadFormatVersion: nil, parameterNames: []) != nil)
        #expect(
            IntegrationSubtype.problem(subtype: "Kinesis-PutRecord", type: "HTTP_PROXY", payloadFormatVersion: nil, parameterNames: [])
                == "IntegrationSubtype is supported only for integrations of type AWS_PROXY"
        )
        #expect(
            IntegrationSubtype.problem(
                subtype: "StepFunctions-StartExecution",
                type: "AWS_PROXY",
                payloadFormatVersion: "2.0",
                parameterNames: ["StateMachineArn"]
            ) != nil
        )
    }
}
