"""API Gateway REST and HTTP APIs with Lambda proxy integrations (issue 16, items 1 to 3).

Two emulators: the unchanged `sam init` Python hello-world template (an `Api` event and a
`${ServerlessRestApi}` output), and Fixtures/apigateway-tests/apis (explicit `AWS::Serverless::Api`s with CORS,
binary media types and stage variables, OpenAPI `DefinitionBody` and `DefinitionUri`, `{proxy+}`/`ANY`, plain
`AWS::ApiGateway::*` and `AWS::ApiGatewayV2::*` resources, implicit `ServerlessRestApi` and `ServerlessHttpApi`).

Events are compared field by field with the shapes the API Gateway developer guide documents:
- REST (payload 1.0): "Set up Lambda proxy integrations in API Gateway", section "Input format of a Lambda function
  for proxy integration"
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html);
- HTTP APIs (payload 2.0 and 1.0): "Create AWS Lambda proxy integrations for HTTP APIs in API Gateway", section
  "Payload format version"
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
"""

import base64
import json
import re

import pytest
import requests

from conftest import ACCOUNT_ID, LOOPBACK, REPO_ROOT, EmulatorProcess

FIXTURES = REPO_ROOT / "Fixtures" / "apigateway-tests"
TIMEOUT = 60

# The documented REST event (set-up-lambda-proxy-integrations.html): its top-level keys,
REST_EVENT_KEYS = {
    "resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
    "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body", "isBase64Encoded",
}
# its requestContext keys (the example's `authorizer` appears only with an authorizer; `deploymentId` is what
# REST APIs add beside the example),
REST_CONTEXT_KEYS = {
    "accountId", "apiId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod", "identity", "path",
    "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId", "resourcePath", "stage", "deploymentId",
}
# and its identity keys (`clientCert` appears only with mutual TLS).
IDENTITY_KEYS = {
    "accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
    "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "sourceIp", "user", "userAgent", "userArn",
}
# The documented HTTP API payload 2.0 event (http-api-develop-integrations-lambda.html), without `authentication`
# (mutual TLS) and `authorizer` (no authorizer on the route).
V2_EVENT_KEYS = {
    "version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters", "requestContext",
    "body", "pathParameters", "isBase64Encoded", "stageVariables",
}
V2_CONTEXT_KEYS = {"accountId", "apiId", "domainName", "domainPrefix", "http", "requestId", "routeKey", "stage", "time", "timeEpoch"}
CLF_TIME = re.compile(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$")


def outputs(server, stack):
    described = server.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}


@pytest.fixture(scope="module")
def hello(tmp_path_factory):
    server = EmulatorProcess(tmp_path_factory.mktemp("apigw-hello"), "--stack-name", "sam-app",
                             template=FIXTURES / "hello-world" / "template.yaml")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def apis(tmp_path_factory):
    server = EmulatorProcess(tmp_path_factory.mktemp("apigw-apis"), "--stack-name", "apigw",
                             template=FIXTURES / "apis" / "template.yaml")
    server.urls = outputs(server, "apigw")
    yield server
    server.stop()


# ------------------------------------------------------------------------------------------- SAM hello world


def test_sam_hello_world_output_is_a_working_local_url(hello):
    url = outputs(hello, "sam-app")["HelloWorldApi"]
    assert url.startswith(f"{hello.endpoint}/_aws/execute-api/")
    assert url.endswith("/Prod/hello/")
    response = requests.get(url, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"message": "hello world"}
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"]


def test_sam_implicit_api_resources_exist_with_sams_logical_ids(hello):
    resources = hello.client("cloudformation").list_stack_resources(StackName="sam-app")["StackResourceSummaries"]
    by_id = {r["LogicalResourceId"]: r for r in resources}
    assert by_id["ServerlessRestApi"]["ResourceType"] == "AWS::ApiGateway::RestApi"
    assert by_id["ServerlessRestApiProdStage"]["ResourceType"] == "AWS::ApiGateway::Stage"
    assert by_id["ServerlessRestApiProdStage"]["PhysicalResourceId"] == "Prod"
    assert any(re.fullmatch(r"ServerlessRestApiDeployment[0-9a-f]{10}", key) for key in by_id)
    assert by_id["HelloWorldFunctionHelloWorldPermissionProd"]["ResourceType"] == "AWS::Lambda::Permission"


def test_host_style_url_reaches_the_same_api(hello):
    url = outputs(hello, "sam-app")["HelloWorldApi"]
    api_id = url.split("/_aws/execute-api/")[1].split("/")[0]
    response = requests.get(f"{hello.endpoint}/Prod/hello", headers={"Host": f"{api_id}.execute-api.localhost:{hello.port}"},
                            timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"message": "hello world"}


def test_missing_route_is_403_missing_authentication_token(hello):
    url = outputs(hello, "sam-app")["HelloWorldApi"]
    base = url.rsplit("/hello/", 1)[0]
    for method, path in [("GET", "/nothing"), ("POST", "/hello"), ("GET", "/")]:
        response = requests.request(method, base + path, timeout=TIMEOUT)
        assert response.status_code == 403, (method, path)
        assert response.json() == {"message": "Missing Authentication Token"}
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


# ------------------------------------------------------------------------------------------- REST APIs


def test_rest_event_matches_the_documented_shape(apis):
    url = apis.urls["ShopUrl"] + "items/42?name=me&multi=you&multi=me"
    response = requests.post(url.replace("items/42", "items/42"), timeout=TIMEOUT)  # POST /items/{id}: no method, so {proxy+} ANY
    assert response.status_code == 200
    assert response.json()["resource"] == "/{proxy+}"
    response = requests.get(url, headers={"headerName": "headerValue", "X-Dup": "1"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["X-Echo"] == "yes"
    assert response.headers["X-Multi"] == "a, b"
    event = response.json()
    assert set(event) == REST_EVENT_KEYS
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/42"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["headerName"] == "headerValue"
    assert event["multiValueHeaders"]["headerName"] == ["headerValue"]
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["queryStringParameters"] == {"name": "me", "multi": "me"}
    assert event["multiValueQueryStringParameters"] == {"name": ["me"], "multi": ["you", "me"]}
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert set(context) == REST_CONTEXT_KEYS
    assert set(context["identity"]) == IDENTITY_KEYS
    assert context["identity"]["sourceIp"] == LOOPBACK
    assert context["identity"]["userAgent"].startswith("python-requests/")
    assert context["accountId"] == ACCOUNT_ID
    assert context["apiId"] == apis.urls["ShopUrl"].split("/_aws/execute-api/")[1].split("/")[0]
    assert context["stage"] == "dev"
    assert context["path"] == "/dev/items/42"
    assert context["resourcePath"] == "/items/{id}"
    assert context["httpMethod"] == "GET"
    assert context["protocol"] == "HTTP/1.1"
    assert CLF_TIME.match(context["requestTime"])
    assert isinstance(context["requestTimeEpoch"], int)
    assert re.fullmatch(r"[0-9a-f-]{36}", context["requestId"])
    assert response.headers["x-amzn-RequestId"] == context["requestId"]


def test_greedy_proxy_and_any(apis):
    base = apis.urls["ShopUrl"]
    for method in ["GET", "PUT", "DELETE", "PATCH"]:
        response = requests.request(method, base + "a/b/c%20d", data=b'{"a": 1}', timeout=TIMEOUT)
        assert response.status_code == 200, method
        event = response.json()
        assert event["resource"] == "/{proxy+}"
        assert event["httpMethod"] == method
        assert event["pathParameters"] == {"proxy": "a/b/c d"}
        assert event["body"] == '{"a": 1}'
    # The most specific resource wins: /items/{id} (GET) before /{proxy+}.
    assert requests.get(base + "items/7", timeout=TIMEOUT).json()["resource"] == "/items/{id}"
    # A greedy variable needs at least one segment: the stage root has no method.
    response = requests.get(base, timeout=TIMEOUT)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}


def test_openapi_definition_body_and_definition_uri(apis):
    event = requests.get(apis.urls["PetsUrl"] + "pets/rex", timeout=TIMEOUT).json()
    assert event["resource"] == "/pets/{petId}"
    assert event["pathParameters"] == {"petId": "rex"}
    event = requests.get(apis.urls["FileUrl"] + "files/notes.txt", timeout=TIMEOUT).json()
    assert event["resource"] == "/files/{name}"
    assert event["requestContext"]["stage"] == "live"


def test_plain_cloudformation_rest_api(apis):
    response = requests.get(apis.urls["PlainUrl"] + "plain", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["resource"] == "/plain"
    assert requests.get(apis.urls["PlainUrl"] + "other", timeout=TIMEOUT).status_code == 403


def test_unknown_stage_is_403_forbidden(apis):
    response = requests.get(apis.urls["ShopUrl"].replace("/dev/", "/nostage/") + "items/1", timeout=TIMEOUT)
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


def test_malformed_proxy_response_and_failing_function_are_502(apis):
    for path in ["malformed", "fails"]:
        response = requests.get(apis.urls["ShopUrl"] + path, timeout=TIMEOUT)
        assert response.status_code == 502, path
        assert response.json() == {"message": "Internal server error"}


def test_status_codes_frame_correctly_and_informational_ones_are_malformed(apis):
    for code in [204, 304, 418, 599]:
        response = requests.get(apis.urls["ShopUrl"] + f"status?code={code}", timeout=TIMEOUT)
        assert response.status_code == code
    for code in [100, 101, 199]:  # not a final answer: the client would wait for another
        response = requests.get(apis.urls["ShopUrl"] + f"status?code={code}", timeout=TIMEOUT)
        assert response.status_code == 502, code
        assert response.json() == {"message": "Internal server error"}
    assert requests.get(apis.urls["ShopUrl"] + "status?code=200", timeout=TIMEOUT).text == "body text"


def test_integration_timeout_is_504(apis):
    response = requests.get(apis.urls["PlainUrl"] + "plain/slow", timeout=TIMEOUT)
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}


def test_payload_over_10_mb_is_413(apis):
    response = requests.post(apis.urls["ShopUrl"] + "upload", data=b"x" * (10 * 1024 * 1024 + 1), timeout=TIMEOUT)
    assert response.status_code == 413
    assert response.json() == {"message": "Request Too Long"}


def test_cors_preflight_as_sam_configures_it(apis):
    response = requests.options(apis.urls["ShopUrl"] + "items/1", timeout=TIMEOUT,
                                headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type,X-Token"
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert set(response.headers["Access-Control-Allow-Methods"].split(",")) == {"GET", "OPTIONS"}


def test_binary_media_types(apis):
    png = b"\x89PNG\r\n\x1a\n"
    event = requests.post(apis.urls["ShopUrl"] + "upload", data=png, headers={"Content-Type": "image/png"},
                          timeout=TIMEOUT).json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == png
    event = requests.post(apis.urls["ShopUrl"] + "upload", data=b"plain", headers={"Content-Type": "text/plain"},
                          timeout=TIMEOUT).json()
    assert event["isBase64Encoded"] is False
    assert event["body"] == "plain"
    response = requests.get(apis.urls["ShopUrl"] + "image", headers={"Accept": "image/png"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.content == png
    # Without a binary Accept (or content type match), AWS passes the base64 text through.
    response = requests.get(apis.urls["ShopUrl"] + "image", headers={"Accept": "application/json"}, timeout=TIMEOUT)
    assert response.content == png  # the function's Content-Type image/png is a binary media type


# ------------------------------------------------------------------------------------------- HTTP APIs


def test_http_api_payload_2_event_matches_the_documented_shape(apis):
    url = apis.urls["HttpUrl"] + "hello/ada?p1=v1&p1=v2&p2=v"
    response = requests.post(url.replace("hello/ada", "hello/ada"), timeout=TIMEOUT)
    assert response.status_code == 200  # POST is not routed to GET /hello/{name}: the $default route takes it
    assert response.json()["routeKey"] == "$default"
    response = requests.get(url, headers={"Cookie": "c1=a; c2=b", "X-Dup": "x"}, timeout=TIMEOUT)
    assert response.status_code == 200
    event = response.json()
    assert set(event) == V2_EVENT_KEYS - {"body", "stageVariables"}  # no body, no stage variables on this stage
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /hello/{name}"
    assert event["rawPath"] == "/hello/ada"
    assert event["rawQueryString"] == "p1=v1&p1=v2&p2=v"
    assert event["cookies"] == ["c1=a", "c2=b"]
    assert "cookie" not in event["headers"]
    assert all(name == name.lower() for name in event["headers"])
    assert event["headers"]["x-dup"] == "x"
    assert event["queryStringParameters"] == {"p1": "v1,v2", "p2": "v"}
    assert event["pathParameters"] == {"name": "ada"}
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert set(context) == V2_CONTEXT_KEYS
    assert context["http"] == {"method": "GET", "path": "/hello/ada", "protocol": "HTTP/1.1", "sourceIp": LOOPBACK,
                               "userAgent": response.request.headers["User-Agent"]}
    assert context["stage"] == "$default"
    assert context["routeKey"] == "GET /hello/{name}"
    assert CLF_TIME.match(context["time"])
    assert isinstance(context["timeEpoch"], int)


def test_http_api_simplified_and_full_responses(apis):
    response = requests.get(apis.urls["HttpUrl"] + "anything/simple", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"simple": True, "routeKey": "$default"}
    response = requests.get(apis.urls["HttpUrl"] + "anything/string", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.text == "hello from lambda"
    response = requests.get(apis.urls["HttpUrl"] + "anything/cookies", timeout=TIMEOUT)
    assert response.status_code == 201
    assert response.text == "made"
    assert response.headers["X-Kind"] == "full"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2; Path=/"]


def test_http_api_payload_1_event_and_greedy_route(apis):
    event = requests.put(apis.urls["HttpUrl"] + "v1/a/b", data="text", headers={"Content-Type": "text/plain"},
                         timeout=TIMEOUT).json()
    assert set(event) == REST_EVENT_KEYS | {"version"}
    # The documented 1.0 requestContext, without `authorizer` (no authorizer on the route).
    assert set(event["requestContext"]) == REST_CONTEXT_KEYS - {"deploymentId"}
    assert set(event["requestContext"]["identity"]) == IDENTITY_KEYS
    assert event["requestContext"]["stage"] == "$default"
    assert event["version"] == "1.0"
    assert event["resource"] == "/v1/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b"}
    assert event["multiValueHeaders"]["Content-Type"] == ["text/plain"]
    assert event["body"] == "text"


def test_http_api_malformed_response_is_500(apis):
    response = requests.get(apis.urls["HttpUrl"] + "malformed", timeout=TIMEOUT)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}


def test_http_api_integration_timeout_is_503(apis):
    response = requests.get(apis.urls["HttpUrl"] + "slow", timeout=TIMEOUT)
    assert response.status_code == 503
    assert response.json() == {"message": "Service Unavailable"}


def test_http_api_missing_route_is_404_and_cors(apis):
    base = apis.urls["PlainHttpUrl"]
    event = requests.get(base + "/things/9", headers={"Origin": "https://app.example"}, timeout=TIMEOUT)
    assert event.status_code == 200
    assert event.json()["routeKey"] == "GET /things/{id}"
    assert event.headers["Access-Control-Allow-Origin"] == "https://app.example"
    response = requests.get(base + "/nothing", timeout=TIMEOUT)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}
    preflight = requests.options(base + "/things/9", timeout=TIMEOUT,
                                 headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert preflight.headers["Access-Control-Max-Age"] == "300"
    other = requests.options(base + "/things/9", timeout=TIMEOUT,
                             headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_outputs_of_every_api_are_local_urls(apis):
    for key in ["ShopUrl", "PetsUrl", "FileUrl", "ImplicitUrl", "HttpUrl", "PlainUrl", "PlainHttpUrl"]:
        assert apis.urls[key].startswith(f"{apis.endpoint}/_aws/execute-api/"), key
    response = requests.post(apis.urls["ImplicitUrl"] + "hello", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["requestContext"]["stage"] == "Prod"


def test_hostile_requests_get_api_gateway_answers_and_the_server_stays_up(apis):
    import http.client

    shop = apis.urls["ShopUrl"]
    api_path = shop.split(f":{apis.port}", 1)[1]  # /_aws/execute-api/{id}/dev/
    base = api_path.rsplit("/dev/", 1)[0]
    connection = http.client.HTTPConnection(LOOPBACK, apis.port, timeout=30)
    # No stage, and a stage that is not one.
    for target in [base, base + "/", base + "/%zz/items/1"]:
        connection.request("GET", target)
        response = connection.getresponse()
        assert response.status == 403, target
        assert json.loads(response.read()) == {"message": "Forbidden"}
    # Invalid escapes and odd segments reach the greedy route as written.
    connection.request("GET", api_path + "a/%zz/%00/..")
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read())["pathParameters"] == {"proxy": "a/%zz/%00/.."}
    # A declared body over 10 MB is refused before it is read.
    connection.putrequest("POST", api_path + "upload")
    connection.putheader("Content-Length", str(50 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read()) == {"message": "Request Too Long"}
    connection.close()
    assert requests.get(f"{apis.endpoint}/_local/health", timeout=TIMEOUT).status_code == 200
