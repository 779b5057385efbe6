"""REST API non-proxy integrations (issue 16 item 4): HTTP custom integrations to a backend the test runs on
127.0.0.1, Lambda custom integrations (`type: aws` with a `.../functions/{arn}/invocations` URI), request and
response parameter mapping, integration responses chosen by selection pattern, and API keys on MOCK methods; from a
SAM DefinitionBody, plain AWS::ApiGateway::Method resources and the `apigateway` control plane.

Fixture: Fixtures/apigateway-tests/rest-integrations/template.yaml.

What API Gateway documents and this replicates:
- "HTTP integrations for REST APIs" (https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html):
  a custom integration sends what the integration request maps, and maps the answer back;
- "Parameter mapping for REST APIs" (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping.html)
  and its source reference (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html):
  `integration.request.header|querystring|path.X` from `method.request.*`, `stageVariables.*`, `context.*` and
  `'static'` values; `method.response.header.X` from `integration.response.header.Y`, `integration.response.body`
  and `integration.response.body.JSONPATH` (integration responses only for non-proxy integrations);
- "Handle Lambda errors in API Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html):
  the selection pattern is matched against the whole `errorMessage`; an unmatched error is the default response
  (`200 OK`); a custom error's JSON `errorMessage` is read as JSON for body-to-header mappings;
- `selectionPattern` ("IntegrationResponse" in the API reference): for HTTP back ends the status code is matched;
- "Integration passthrough behaviors" (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html):
  `WHEN_NO_TEMPLATES` refuses an unmapped content type with 415 `Unsupported Media Type`;
- no integration response matching and no default: 500 `Internal server error` (the execution log's "No match for
  output mapping and no default output mapping configured").
"""

import json
import subprocess
import time

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import REPO_ROOT, EmulatorProcess, LoopbackBackend, emulator_binary

FIXTURE = REPO_ROOT / "Fixtures" / "apigateway-tests" / "rest-integrations" / "template.yaml"
STACK = "rest-integrations"
KEY = "rest-integrations-key-0123456789"
TIMEOUT = 60


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    backend = LoopbackBackend()
    server = EmulatorProcess(tmp_path_factory.mktemp("apigw-rest-integrations"), "--stack-name", STACK,
                             "--parameter-overrides", f"Backend={backend.url}", template=FIXTURE)
    described = server.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    server.urls = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    server.backend = backend
    yield server
    server.stop()
    backend.stop()


# ------------------------------------------------------------------------------------------- HTTP (custom)


def test_http_integration_sends_only_what_is_mapped(api):
    response = requests.get(api.urls["MappedApiUrl"] + "items/42", params={"mode": "full", "other": "dropped"},
                            headers={"x-user": "ann", "x-unmapped": "dropped"}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    # The 2\d{2} integration response's template maps the backend's answer.
    assert response.json() == {"path": "/items/42?view=full", "caller": "ann"}
    assert response.headers["Content-Type"] == "application/json"
    # Response parameters: a backend header, a body member, a static value; other backend headers are not passed on.
    assert response.headers["X-Backend"] == "yes"
    assert response.headers["X-Backend-Method"] == "GET"
    assert response.headers["X-Static"] == "yes"
    assert api.backend.seen[-1] == "/items/42?view=full"


def test_http_integration_request_headers(api):
    response = requests.post(api.urls["MappedApiUrl"] + "echo", json={"n": 1}, headers={"x-user": "ann"}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    received = response.json()
    headers = received["headers"]
    # Client headers are not forwarded by a custom integration: only mapped ones and API Gateway's own.
    assert "x-user" not in headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("AmazonAPIGateway_")
    assert headers["x-amzn-apigateway-api-id"] == api.urls["MappedApiUrl"].split("/execute-api/")[1].split("/")[0]
    # The integration method, and the request template's output as the body.
    assert received["method"] == "PUT"
    body = json.loads(received["body"])
    assert body["wrapped"] == {"n": 1}
    assert body["requestId"] == response.headers["x-amzn-RequestId"]


def test_mapped_headers_static_values_and_stage_variables_reach_the_backend(api):
    response = requests.get(api.urls["MappedApiUrl"] + "items/7", headers={"x-user": "bo", "x-unmapped": "no"},
                            timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    headers = api.backend.received[-1]["headers"]
    assert headers["x-caller"] == "bo"
    assert headers["x-fixed"] == "fixed"
    assert headers["x-tier"] == "gold"
    assert "x-unmapped" not in headers and "x-user" not in headers
    # A mapping whose source is absent maps nothing.
    requests.get(api.urls["MappedApiUrl"] + "items/8", timeout=TIMEOUT)
    assert "x-caller" not in api.backend.received[-1]["headers"]
    assert api.backend.received[-1]["path"] == "/items/8"


def test_selection_pattern_matches_the_backend_status(api):
    missing = requests.get(api.urls["MappedApiUrl"] + "items/zz", params={"want": "404"}, timeout=TIMEOUT)
    assert missing.status_code == 404
    assert missing.json() == {"message": "no such item zz"}
    # 503 matches neither 2\d{2} nor 404: the default response (502) passes the backend's body through.
    failing = requests.get(api.urls["MappedApiUrl"] + "items/zz", params={"want": "503"}, timeout=TIMEOUT)
    assert failing.status_code == 502
    assert failing.json()["path"] == "/items/zz?status=503"
    assert "X-Backend" not in failing.headers


def test_passthrough_when_no_templates_refuses_other_content_types(api):
    response = requests.post(api.urls["MappedApiUrl"] + "echo", data="a=b", headers={"Content-Type": "text/plain"},
                             timeout=TIMEOUT)
    assert response.status_code == 415
    assert response.json() == {"message": "Unsupported Media Type"}


def test_passthrough_without_templates_sends_the_body_as_is(api):
    response = requests.post(api.urls["MappedApiUrl"] + "open", data="plain words", headers={"Content-Type": "text/plain"},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    received = response.json()
    assert received["body"] == "plain words"
    assert received["headers"]["content-type"] == "text/plain"


def test_no_integration_response_is_a_configuration_error(api):
    response = requests.get(api.urls["MappedApiUrl"] + "unmapped", timeout=TIMEOUT)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    assert "No match for output mapping and no default output mapping configured" in api.log_path.read_text(errors="replace")


def test_non_loopback_http_target_is_never_contacted(api):
    started = time.monotonic()
    response = requests.get(api.urls["MappedApiUrl"] + "far", timeout=TIMEOUT)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    assert time.monotonic() - started < 5


def test_plain_http_method_reads_stage_variables_and_context(api):
    response = requests.get(api.urls["PlainApiUrl"] + "staged", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    received = response.json()
    assert received["path"] == "/from-stage/staged?who=live"
    # method.response.header.X-Body from integration.response.body: the whole body as text.
    assert json.loads(response.headers["X-Body"]) == received


# ------------------------------------------------------------------------------------------ Lambda (custom)


def test_lambda_custom_integration_maps_event_and_result(api):
    response = requests.post(api.urls["MappedApiUrl"] + "calc?mode=fast", json={"a": 2, "b": 3}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json() == {"total": 5, "mode": "fast", "stage": "prod"}
    assert response.headers["X-Total"] == "5"
    assert response.headers["X-Static"] == "calc"


def test_lambda_error_message_selects_the_integration_response(api):
    response = requests.post(api.urls["MappedApiUrl"] + "calc", json={"a": "bad", "b": 0}, timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json() == {"error": "Bad input: a must be a number"}
    assert "X-Total" not in response.headers


def test_custom_lambda_error_json_is_read_for_header_mappings(api):
    response = requests.post(api.urls["MappedApiUrl"] + "calc", json={"a": "conflict", "b": 0}, timeout=TIMEOUT)
    assert response.status_code == 409
    assert response.json() == {"conflict": True}
    assert response.headers["X-Error-Type"] == "Conflict"
    assert json.loads(response.headers["X-Error-Trace"]) == {"line": 7}


def test_unmatched_lambda_error_is_the_default_200(api):
    response = requests.post(api.urls["MappedApiUrl"] + "raw", json={"a": "other"}, timeout=TIMEOUT)
    assert response.status_code == 200
    body = response.json()
    assert body["errorMessage"] == "something else went wrong"
    assert body["errorType"] == "Exception"


def test_lambda_passthrough_sends_the_body_as_the_event(api):
    response = requests.post(api.urls["MappedApiUrl"] + "raw", json={"a": 1, "b": 2, "nested": {"x": [1]}}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json()["event"] == {"a": 1, "b": 2, "nested": {"x": [1]}}
    assert response.json()["sum"] == 3
    empty = requests.post(api.urls["MappedApiUrl"] + "raw", timeout=TIMEOUT)
    assert empty.status_code == 200, empty.text
    assert empty.json()["event"] == {}


def test_plain_method_lambda_integration_responses(api):
    ok = requests.post(api.urls["PlainApiUrl"] + "sum", json={"a": 4, "b": 5}, timeout=TIMEOUT)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"sum": 9}
    bad = requests.post(api.urls["PlainApiUrl"] + "sum", json={"a": "bad"}, timeout=TIMEOUT)
    assert bad.status_code == 422
    assert bad.json() == {"rejected": True}
    assert bad.headers["X-Reason"] == "bad-input"


# -------------------------------------------------------------------------------------------- API keys, MOCK


def test_mock_method_checks_its_api_key(api):
    missing = requests.get(api.urls["PlainApiUrl"] + "keyed", timeout=TIMEOUT)
    assert missing.status_code == 403
    assert missing.json() == {"message": "Forbidden"}
    assert missing.headers["x-amzn-ErrorType"] == "ForbiddenException"
    wrong = requests.get(api.urls["PlainApiUrl"] + "keyed", headers={"x-api-key": "nope"}, timeout=TIMEOUT)
    assert wrong.status_code == 403
    granted = requests.get(api.urls["PlainApiUrl"] + "keyed", headers={"x-api-key": KEY}, timeout=TIMEOUT)
    assert granted.status_code == 200, granted.text
    assert granted.json() == {"mocked": True}


# ---------------------------------------------------------------------------------------- control plane


def local_url(server, api_id, stage):
    return f"{server.endpoint}/_aws/execute-api/{api_id}/{stage}/"


def test_control_plane_http_and_lambda_integrations(api):
    apigw = api.client("apigateway")
    created = apigw.create_rest_api(name="cp-integrations")
    api_id = created["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]

    fetch = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="fetch")["id"]
    apigw.put_method(restApiId=api_id, resourceId=fetch, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=fetch, httpMethod="GET", type="HTTP", integrationHttpMethod="GET",
                          uri=api.backend.url + "/cp",
                          requestParameters={"integration.request.querystring.status": "method.request.querystring.s",
                                             "integration.request.header.x-who": "'control-plane'"})
    apigw.put_method_response(restApiId=api_id, resourceId=fetch, httpMethod="GET", statusCode="200",
                              responseParameters={"method.response.header.X-Who": False})
    apigw.put_method_response(restApiId=api_id, resourceId=fetch, httpMethod="GET", statusCode="418")
    apigw.put_integration_response(restApiId=api_id, resourceId=fetch, httpMethod="GET", statusCode="200",
                                   responseParameters={"method.response.header.X-Who": "integration.response.body.headers.x-who"},
                                   responseTemplates={"application/json": '{"who": $input.json(\'$.headers.x-who\')}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=fetch, httpMethod="GET", statusCode="418",
                                   selectionPattern="4\\d\\d", responseTemplates={"application/json": '{"teapot": true}'})

    add = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="add")["id"]
    apigw.put_method(restApiId=api_id, resourceId=add, httpMethod="POST", authorizationType="NONE")
    region = apigw.meta.region_name
    uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{api.urls['MapperFunctionArn']}/invocations"
    apigw.put_integration(restApiId=api_id, resourceId=add, httpMethod="POST", type="AWS", integrationHttpMethod="POST", uri=uri)
    apigw.put_method_response(restApiId=api_id, resourceId=add, httpMethod="POST", statusCode="200")
    apigw.put_method_response(restApiId=api_id, resourceId=add, httpMethod="POST", statusCode="400")
    apigw.put_integration_response(restApiId=api_id, resourceId=add, httpMethod="POST", statusCode="200",
                                   responseTemplates={"application/json": "$input.json('$.sum')"})
    apigw.put_integration_response(restApiId=api_id, resourceId=add, httpMethod="POST", statusCode="400",
                                   selectionPattern="Bad input.*")
    apigw.create_deployment(restApiId=api_id, stageName="cp")

    fetched = requests.get(local_url(api, api_id, "cp") + "fetch", timeout=TIMEOUT)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == {"who": "control-plane"}
    assert fetched.headers["X-Who"] == "control-plane"
    teapot = requests.get(local_url(api, api_id, "cp") + "fetch", params={"s": "418"}, timeout=TIMEOUT)
    assert teapot.status_code == 418
    assert teapot.json() == {"teapot": True}

    added = requests.post(local_url(api, api_id, "cp") + "add", json={"a": 20, "b": 22}, timeout=TIMEOUT)
    assert added.status_code == 200, added.text
    assert added.json() == 42
    refused = requests.post(local_url(api, api_id, "cp") + "add", json={"a": "bad"}, timeout=TIMEOUT)
    assert refused.status_code == 400
    # No response template: the function's error object passes through.
    assert refused.json()["errorMessage"] == "Bad input: a must be a number"


# ------------------------------------------------------------------- HTTP API AWS service integrations


SUBTYPE_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  QueueApi:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: queue-api, ProtocolType: HTTP}
  SendIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref QueueApi
      IntegrationType: AWS_PROXY
      IntegrationSubtype: SQS-SendMessage
      PayloadFormatVersion: "1.0"
      CredentialsArn: arn:aws:iam::000000000000:role/apigw-sqs
      RequestParameters:
        QueueUrl: https://sqs.us-east-1.amazonaws.com/000000000000/jobs
        MessageBody: $request.body
  SendRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref QueueApi, RouteKey: POST /jobs, Target: !Sub "integrations/${SendIntegration}"}
"""


def test_http_api_service_integrations_are_validated_and_answer_500(api):
    """"Create AWS service integrations for HTTP APIs"
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services.html):
    every required parameter of the subtype must be configured. The services behind the subtypes are not emulated, so
    a request answers what AWS answers when the integration fails: 500 {"message":"Internal Server Error"}."""
    v2 = api.client("apigatewayv2")
    api_id = v2.create_api(Name="service-integrations", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as missing:
        v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-SendMessage",
                              PayloadFormatVersion="1.0", RequestParameters={"QueueUrl": "https://sqs.example/q"})
    assert missing.value.response["Error"]["Code"] == "BadRequestException"
    assert "MessageBody" in missing.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as unknown:
        v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-Teleport",
                              PayloadFormatVersion="1.0", RequestParameters={"QueueUrl": "q"})
    assert unknown.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as wrong_type:
        v2.create_integration(ApiId=api_id, IntegrationType="AWS", IntegrationUri="arn:aws:apigateway:us-east-1:sqs:path/x")
    assert wrong_type.value.response["Error"]["Message"] == (
        "Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)")

    integration = v2.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-SendMessage", PayloadFormatVersion="1.0",
        CredentialsArn="arn:aws:iam::000000000000:role/apigw-sqs",
        RequestParameters={"QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/jobs", "MessageBody": "$request.body"})
    assert integration["IntegrationSubtype"] == "SQS-SendMessage"
    v2.create_route(ApiId=api_id, RouteKey="POST /jobs", Target="integrations/" + integration["IntegrationId"])
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    response = requests.post(f"{api.endpoint}/_aws/execute-api/{api_id}/jobs", json={"job": 1}, timeout=TIMEOUT)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert "apigw-requestid" in response.headers
    log = api.log_path.read_text(errors="replace")
    assert "HTTP API AWS service integration is not emulated" in log and "SQS-SendMessage" in log


def test_validate_names_service_integrations(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(SUBTYPE_TEMPLATE)
    result = subprocess.run([str(emulator_binary()), "validate", "--template", str(template)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "route POST /jobs:" in line]
    assert len(lines) == 1, result.stdout
    assert "AWS service integration SQS-SendMessage is not emulated" in lines[0]
    assert "IntegrationSubtype is ignored" not in result.stdout
