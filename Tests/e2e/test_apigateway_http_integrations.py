"""HTTP integrations and API-created HTTP APIs (issue 16 item 4, issue 15 item 3), on
Fixtures/apigateway-tests/http-integrations with a backend the test runs on 127.0.0.1.

What API Gateway documents: "Create HTTP proxy integrations for HTTP APIs"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html) — the
integration URI with `{proxy}` taken from a greedy route, the client's query string and headers passed on;
"Transform API requests and responses for HTTP APIs"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html) — `append:header`,
`overwrite:querystring`, `remove:header`, `overwrite:path`, and response mappings `overwrite:statuscode` and
`append:header` with `$response.header.NAME`; HTTP API errors `{"message":"Internal Server Error"}` (500) and
`{"message":"Service Unavailable"}` (503, the integration timeout). REST HTTP_PROXY: "Set up HTTP proxy integrations
in API Gateway" with `{proxy}`. The emulator contacts loopback targets only: any other target answers 500 and is never
contacted.
"""

import time

import pytest
import requests

from conftest import REPO_ROOT, EmulatorProcess, LoopbackBackend

FIXTURE = REPO_ROOT / "Fixtures" / "apigateway-tests" / "http-integrations" / "template.yaml"
TIMEOUT = 60


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    backend = LoopbackBackend()
    server = EmulatorProcess(tmp_path_factory.mktemp("apigw-http-integrations"), "--stack-name", "apigw-http-int",
                             "--parameter-overrides", f"Backend={backend.url}", template=FIXTURE)
    described = server.client("cloudformation").describe_stacks(StackName="apigw-http-int")["Stacks"][0]
    server.urls = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    server.backend = backend
    # The HTTP APIs the tests create invoke EchoFunction: grant it as a real deployment would.
    server.allow_api_gateway(server.urls["EchoFunctionArn"])
    yield server
    server.stop()
    backend.stop()


def test_http_proxy_forwards_greedy_path_query_headers_and_body(api):
    response = requests.put(api.urls["ProxyApiUrl"] + "proxy/a/b%20c?x=1&mode=client",
                            headers={"x-in": "hello", "x-drop": "secret", "x-keep": "kept"}, data="payload", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    received = response.json()
    assert received["method"] == "PUT"
    assert received["path"].startswith("/backend/a/b%20c?")
    assert "x=1" in received["path"]
    # overwrite:querystring.mode replaced the client's value.
    assert "mode=static" in received["path"] and "mode=client" not in received["path"]
    assert received["headers"]["x-added"] == "from-hello"
    assert "x-drop" not in received["headers"]
    assert received["headers"]["x-keep"] == "kept"
    assert received["body"] == "payload"
    # The backend's own headers come back.
    assert response.headers["x-backend"] == "yes"


def test_response_parameters_overwrite_status_and_append_header(api):
    response = requests.get(api.urls["ProxyApiUrl"] + "proxy/created?status=201", timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    assert response.headers["x-seen"] == "yes"
    assert response.json()["path"].startswith("/backend/created")


def test_overwrite_path_and_integration_method(api):
    response = requests.get(api.urls["ProxyApiUrl"] + "items/42", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "/rewritten/42"
    assert response.json()["method"] == "POST"


def test_integration_timeout_is_503(api):
    response = requests.get(api.urls["ProxyApiUrl"] + "slow", timeout=TIMEOUT)
    assert response.status_code == 503
    assert response.json() == {"message": "Service Unavailable"}


def test_non_loopback_target_is_never_contacted_and_answers_500(api):
    started = time.monotonic()
    response = requests.get(api.urls["ProxyApiUrl"] + "remote", timeout=TIMEOUT)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert time.monotonic() - started < 5
    log = api.log_path.read_text(errors="replace")
    assert "is not a loopback http:// URL" in log


def test_rest_http_proxy_substitutes_proxy(api):
    response = requests.post(api.urls["RestProxyUrl"] + "orders/7?q=z", data="x", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    received = response.json()
    assert received["path"] == "/rest/orders/7?q=z"
    assert received["method"] == "POST"
    assert received["body"] == "x"


# ------------------------------------------------------------------------------------- API-created HTTP APIs


def local_url(server, api_id):
    return f"{server.endpoint}/_aws/execute-api/{api_id}/"


def test_api_created_http_api_reaches_the_function(api):
    v2 = api.client("apigatewayv2")
    created = v2.create_api(Name="created-http", ProtocolType="HTTP")
    api_id = created["ApiId"]
    integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=api.urls["EchoFunctionArn"],
                                        PayloadFormatVersion="2.0")
    v2.create_route(ApiId=api_id, RouteKey="GET /hello/{name}", Target="integrations/" + integration["IntegrationId"])
    # No stage yet: not served.
    assert requests.get(local_url(api, api_id) + "hello/x", timeout=TIMEOUT).status_code != 200
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    response = requests.get(local_url(api, api_id) + "hello/world?a=b", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["routeKey"] == "GET /hello/{name}"
    assert event["pathParameters"] == {"name": "world"}
    assert event["requestContext"]["apiId"] == api_id
    assert event["rawQueryString"] == "a=b"
    # A route added later is served at once.
    proxy = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                                  IntegrationUri=api.backend.url + "/created/{proxy}", PayloadFormatVersion="1.0")
    v2.create_route(ApiId=api_id, RouteKey="ANY /fwd/{proxy+}", Target="integrations/" + proxy["IntegrationId"])
    response = requests.get(local_url(api, api_id) + "fwd/deep/path", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "/created/deep/path"
    response = requests.get(local_url(api, api_id) + "missing", timeout=TIMEOUT)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_quick_create_serves_the_target_on_the_default_route(api):
    v2 = api.client("apigatewayv2")
    created = v2.create_api(Name="quick", ProtocolType="HTTP", Target=api.urls["EchoFunctionArn"])
    api_id = created["ApiId"]
    routes = v2.get_routes(ApiId=api_id)["Items"]
    assert [route["RouteKey"] for route in routes] == ["$default"]
    stage = v2.get_stage(ApiId=api_id, StageName="$default")
    assert stage["AutoDeploy"] is True
    response = requests.post(local_url(api, api_id) + "any/path", data="hi", headers={"Content-Type": "text/plain"},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/any/path"
    assert event["body"] == "hi"
