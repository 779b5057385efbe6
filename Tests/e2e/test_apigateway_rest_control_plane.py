"""API Gateway v1 control plane (`aws apigateway ...`): REST APIs, resources, methods, integrations, method and
integration responses, deployments, stages, authorizers, API keys and usage plans with boto3 and the AWS CLI; AWS's
errors; the round trip "create a REST API with a {proxy+} resource, an ANY method and an AWS_PROXY integration,
deploy it to a stage, call it with requests" (the function receives a v1 proxy event); a MOCK method; an API key
method; and persistence across a restart.

The emulator runs the API Gateway fixture template (`Fixtures/apigateway-tests/apis/template.yaml`): its `apigw-echo`
function answers the event it received as JSON.
"""

import json
import os
import subprocess
import sys

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import ACCESS_KEY, ACCOUNT_ID, REGION, REPO_ROOT, SECRET_KEY, EmulatorProcess

TEMPLATE = REPO_ROOT / "Fixtures" / "apigateway-tests" / "apis" / "template.yaml"
ECHO_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:apigw-echo"
ECHO_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{ECHO_ARN}/invocations"


def start(tmp_path_factory, name, data_dir=None):
    process = EmulatorProcess(tmp_path_factory.mktemp(name), "--stack-name", "restcp", template=TEMPLATE, data_dir=data_dir)
    # The REST APIs these tests create invoke apigw-echo (and its authorizers): grant it as a real deployment would.
    process.allow_api_gateway("apigw-echo")
    return process


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = start(tmp_path_factory, "apigw-rest")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


def error_of(call):
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def root_id(apigw, api_id):
    return next(item["id"] for item in apigw.get_resources(restApiId=api_id)["items"] if item["path"] == "/")


def proxy_api(apigw, name="proxy-api", stage="dev"):
    """A REST API with `/{proxy+}` ANY -> apigw-echo (AWS_PROXY), deployed to `stage`."""
    api_id = apigw.create_rest_api(name=name)["id"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root_id(apigw, api_id), pathPart="{proxy+}")
    apigw.put_method(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=ECHO_URI)
    apigw.create_deployment(restApiId=api_id, stageName=stage)
    return api_id, proxy


def mock_method(apigw, api_id, resource_id, http_method="GET", body='{"ok": true}', **method_options):
    """A MOCK method answering 200 with `body`."""
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=http_method, authorizationType="NONE",
                     **method_options)
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=http_method, statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=http_method, type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod=http_method,
                                   statusCode="200", responseTemplates={"application/json": body})


def invoke_url(server, api_id, stage, path):
    return f"{server.endpoint}/_aws/execute-api/{api_id}/{stage}{path}"


def test_proxy_round_trip_reaches_the_function_with_a_v1_event(server, apigw):
    api_id, proxy = proxy_api(apigw)
    assert len(api_id) == 10 and api_id.isalnum() and api_id == api_id.lower()
    assert proxy["path"] == "/{proxy+}"

    response = requests.get(invoke_url(server, api_id, "dev", "/hello/world?color=red"), timeout=30)
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/hello/world"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"proxy": "hello/world"}
    assert event["queryStringParameters"] == {"color": "red"}
    assert event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["apiId"] == api_id
    assert event["requestContext"]["resourceId"] == proxy["id"]

    # The {apiId}.execute-api.localhost host form reaches the same stage.
    hosted = requests.post(f"http://127.0.0.1:{server.port}/dev/x", data=b"payload", timeout=30,
                           headers={"Host": f"{api_id}.execute-api.localhost:{server.port}"})
    assert hosted.status_code == 200, hosted.text
    assert hosted.json()["httpMethod"] == "POST"
    assert hosted.json()["body"] == "payload"

    # A stage that does not exist is API Gateway's 403.
    missing = requests.get(invoke_url(server, api_id, "prod", "/hello"), timeout=30)
    assert missing.status_code == 403


def test_deployments_are_snapshots(server, apigw):
    api_id, _ = proxy_api(apigw, name="snapshot-api", stage="v1")
    root = root_id(apigw, api_id)
    mock_method(apigw, api_id, root, body='{"root": true}')
    # Not deployed yet: the stage still serves the first deployment, where / has no method.
    assert requests.get(invoke_url(server, api_id, "v1", "/"), timeout=30).status_code == 403
    deployment = apigw.create_deployment(restApiId=api_id, stageName="v1", description="second")
    root_response = requests.get(invoke_url(server, api_id, "v1", "/"), timeout=30)
    assert root_response.status_code == 200, root_response.text
    assert root_response.json() == {"root": True}
    assert apigw.get_stage(restApiId=api_id, stageName="v1")["deploymentId"] == deployment["id"]
    assert deployment["description"] == "second"
    assert len(apigw.get_deployments(restApiId=api_id)["items"]) == 2


def test_mock_method_answers_its_integration_response(server, apigw):
    api_id = apigw.create_rest_api(name="mock-api", description="mocked")["id"]
    resource = apigw.create_resource(restApiId=api_id, parentId=root_id(apigw, api_id), pathPart="status")
    rid = resource["id"]
    method = apigw.put_method(restApiId=api_id, resourceId=rid, httpMethod="GET", authorizationType="NONE")
    assert method["httpMethod"] == "GET" and method["apiKeyRequired"] is False
    apigw.put_method_response(restApiId=api_id, resourceId=rid, httpMethod="GET", statusCode="200",
                              responseParameters={"method.response.header.X-Mock": True})
    integration = apigw.put_integration(restApiId=api_id, resourceId=rid, httpMethod="GET", type="MOCK",
                                        requestTemplates={"application/json": '{"statusCode": 200}'})
    assert integration["type"] == "MOCK"
    assert integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    apigw.put_integration_response(restApiId=api_id, resourceId=rid, httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": '{"mocked": true}'},
                                   responseParameters={"method.response.header.X-Mock": "'yes'"})
    got = apigw.get_method(restApiId=api_id, resourceId=rid, httpMethod="GET")
    assert got["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": '{"mocked": true}'}
    assert got["methodResponses"]["200"]["statusCode"] == "200"
    apigw.create_deployment(restApiId=api_id, stageName="test")

    response = requests.get(invoke_url(server, api_id, "test", "/status"), timeout=30)
    assert response.status_code == 200, response.text
    assert response.json() == {"mocked": True}
    assert response.headers["X-Mock"] == "yes"
    # A path with no resource is API Gateway's Missing Authentication Token.
    assert requests.get(invoke_url(server, api_id, "test", "/other"), timeout=30).status_code == 403

    embedded = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    status = next(item for item in embedded if item["path"] == "/status")
    assert status["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"

    apigw.delete_integration_response(restApiId=api_id, resourceId=rid, httpMethod="GET", statusCode="200")
    assert error_of(lambda: apigw.get_integration_response(restApiId=api_id, resourceId=rid, httpMethod="GET",
                                                           statusCode="200")) == (
        404, "NotFoundException", "Invalid Response status code specified")
    apigw.delete_method(restApiId=api_id, resourceId=rid, httpMethod="GET")
    assert error_of(lambda: apigw.get_method(restApiId=api_id, resourceId=rid, httpMethod="GET")) == (
        404, "NotFoundException", "Invalid Method identifier specified")


def test_patch_operations(server, apigw):
    api_id, proxy = proxy_api(apigw, name="patch-api", stage="dev")
    updated = apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/description", "value": "patched"},
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
    ])
    assert updated["description"] == "patched"
    assert updated["binaryMediaTypes"] == ["image/png"]

    stage = apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/variables/color", "value": "blue"},
        {"op": "replace", "path": "/description", "value": "development"},
    ])
    assert stage["variables"] == {"color": "blue"}
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["description"] == "development"
    event = requests.get(invoke_url(server, api_id, "dev", "/v"), timeout=30).json()
    assert event["stageVariables"] == {"color": "blue"}
    stage = apigw.update_stage(restApiId=api_id, stageName="dev",
                               patchOperations=[{"op": "remove", "path": "/variables/color"}])
    assert "color" not in stage.get("variables", {})

    integration = apigw.update_integration(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY",
                                           patchOperations=[{"op": "replace", "path": "/timeoutInMillis",
                                                             "value": "5000"}])
    assert integration["timeoutInMillis"] == 5000

    moved = apigw.update_resource(restApiId=api_id, resourceId=proxy["id"],
                                  patchOperations=[{"op": "replace", "path": "/pathPart", "value": "{any+}"}])
    assert moved["path"] == "/{any+}"

    assert error_of(lambda: apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/nothing", "value": "x"}])) == (
        400, "BadRequestException",
        "Invalid patch path  '/nothing' specified for op 'replace'. Please choose supported operations")
    assert error_of(lambda: apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": "nope12"}])) == (
        404, "NotFoundException", "Invalid Deployment identifier specified")


def test_errors(server, apigw):
    assert error_of(lambda: apigw.get_rest_api(restApiId="nope123456")) == (
        404, "NotFoundException", f"Invalid API identifier specified {ACCOUNT_ID}:nope123456")
    assert error_of(lambda: apigw.get_resources(restApiId="nope123456"))[0:2] == (404, "NotFoundException")

    api_id = apigw.create_rest_api(name="errors-api")["id"]
    root = root_id(apigw, api_id)
    assert error_of(lambda: apigw.create_deployment(restApiId=api_id, stageName="dev")) == (
        400, "BadRequestException", "The REST API doesn't contain any methods")
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")
    assert items["path"] == "/items" and items["parentId"] == root
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")) == (
        409, "ConflictException", "Another resource with the same parent already has this name: items")
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart="bad part")) == (
        400, "BadRequestException",
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional "
        "plus sign before the closing brace.")
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId=proxy["id"], pathPart="deeper")) == (
        400, "BadRequestException", "Cannot create a child of a resource with a greedy path variable: {proxy+}")
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{id}")) == (
        400, "BadRequestException",
        "A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed")
    apigw.delete_resource(restApiId=api_id, resourceId=proxy["id"])
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId="nope12", pathPart="x")) == (
        404, "NotFoundException", "Invalid Resource identifier specified")
    apigw.put_method(restApiId=api_id, resourceId=items["id"], httpMethod="GET", authorizationType="NONE")
    assert error_of(lambda: apigw.put_method(restApiId=api_id, resourceId=items["id"], httpMethod="GET",
                                             authorizationType="NONE")) == (
        409, "ConflictException", "Method already exists for this resource")
    assert error_of(lambda: apigw.get_method(restApiId=api_id, resourceId=items["id"], httpMethod="POST")) == (
        404, "NotFoundException", "Invalid Method identifier specified")
    assert error_of(lambda: apigw.get_integration(restApiId=api_id, resourceId=items["id"], httpMethod="GET")) == (
        404, "NotFoundException", "Invalid Integration identifier specified")
    assert error_of(lambda: apigw.put_integration(restApiId=api_id, resourceId=items["id"], httpMethod="GET",
                                                  type="AWS_PROXY", uri=ECHO_URI)) == (
        400, "BadRequestException", "Enumeration value for HttpMethod must be non-empty")
    assert error_of(lambda: apigw.put_method(restApiId=api_id, resourceId=items["id"], httpMethod="PUT",
                                             authorizationType="CUSTOM", authorizerId="nope12")) == (
        400, "BadRequestException",
        "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a "
        "valid authorizer.")
    apigw.put_integration(restApiId=api_id, resourceId=items["id"], httpMethod="GET", type="MOCK")
    deployment = apigw.create_deployment(restApiId=api_id, stageName="dev")
    assert error_of(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=deployment["id"])) == (
        409, "ConflictException", "Stage already exists")
    assert error_of(lambda: apigw.delete_deployment(restApiId=api_id, deploymentId=deployment["id"])) == (
        400, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")
    assert error_of(lambda: apigw.get_stage(restApiId=api_id, stageName="prod")) == (
        404, "NotFoundException", "Invalid Stage identifier specified")

    apigw.delete_stage(restApiId=api_id, stageName="dev")
    apigw.delete_deployment(restApiId=api_id, deploymentId=deployment["id"])
    apigw.delete_resource(restApiId=api_id, resourceId=items["id"])
    assert [item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]] == ["/"]
    apigw.delete_rest_api(restApiId=api_id)
    assert error_of(lambda: apigw.get_rest_api(restApiId=api_id))[0:2] == (404, "NotFoundException")


def test_authorizers_api_keys_and_usage_plans(server, apigw):
    api_id = apigw.create_rest_api(name="keyed-api")["id"]
    authorizer = apigw.create_authorizer(restApiId=api_id, name="tok", type="TOKEN", authorizerUri=ECHO_URI,
                                         identitySource="method.request.header.Authorization")
    assert len(authorizer["id"]) == 6
    assert authorizer["authorizerResultTtlInSeconds"] == 300
    cognito = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
                                      providerARNs=[f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{REGION}_x"],
                                      identitySource="method.request.header.Authorization")
    assert {a["name"] for a in apigw.get_authorizers(restApiId=api_id)["items"]} == {"tok", "pool"}
    renamed = apigw.update_authorizer(restApiId=api_id, authorizerId=authorizer["id"],
                                      patchOperations=[{"op": "replace", "path": "/name", "value": "token"}])
    assert renamed["name"] == "token"
    apigw.delete_authorizer(restApiId=api_id, authorizerId=cognito["id"])
    assert error_of(lambda: apigw.get_authorizer(restApiId=api_id, authorizerId=cognito["id"])) == (
        404, "NotFoundException", "Invalid Authorizer identifier specified")

    resource = apigw.create_resource(restApiId=api_id, parentId=root_id(apigw, api_id), pathPart="keyed")
    apigw.put_method(restApiId=api_id, resourceId=resource["id"], httpMethod="GET", authorizationType="NONE",
                     apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=resource["id"], httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=ECHO_URI)
    apigw.create_deployment(restApiId=api_id, stageName="prod")

    value = "restcp-key-value-0123456789"
    key = apigw.create_api_key(name="restcp-key", enabled=True, value=value)
    assert key["value"] == value
    assert "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == value
    assert error_of(lambda: apigw.create_api_key(name="short", value="too-short")) == (
        400, "BadRequestException", "API Key value should be at least 20 characters")
    plan = apigw.create_usage_plan(name="restcp-plan", apiStages=[{"apiId": api_id, "stage": "prod"}])
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
    plan_key = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert plan_key == {**plan_key, "id": key["id"], "type": "API_KEY", "value": value, "name": "restcp-key"}
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]

    url = invoke_url(server, api_id, "prod", "/keyed")
    refused = requests.get(url, timeout=30)
    assert refused.status_code == 403 and refused.json() == {"message": "Forbidden"}
    allowed = requests.get(url, headers={"x-api-key": value}, timeout=30)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["requestContext"]["identity"]["apiKeyId"] == key["id"]

    assert error_of(lambda: apigw.get_usage_plan(usagePlanId="nope12")) == (
        404, "NotFoundException", "Invalid Usage Plan ID specified")
    assert error_of(lambda: apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId="nope123456",
                                                        keyType="API_KEY")) == (
        404, "NotFoundException", "Invalid API Key identifier specified")
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert requests.get(url, headers={"x-api-key": value}, timeout=30).status_code == 403
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    apigw.delete_api_key(apiKey=key["id"])
    assert error_of(lambda: apigw.get_api_key(apiKey=key["id"]))[0:2] == (404, "NotFoundException")


def test_paging_and_v2_still_served(server, apigw):
    for index in range(3):
        apigw.create_rest_api(name=f"page-{index}")
    first = apigw.get_rest_apis(limit=2)
    assert len(first["items"]) == 2 and "position" in first
    rest = apigw.get_rest_apis(limit=500, position=first["position"])
    assert len(rest["items"]) >= 1
    names = [api["name"] for api in apigw.get_paginator("get_rest_apis").paginate().build_full_result()["items"]]
    assert {"page-0", "page-1", "page-2"} <= set(names)
    # `apigatewayv2` shares the signing name: its paths still reach the v2 control plane.
    assert "Items" in server.client("apigatewayv2").get_apis()


def test_aws_cli(server):
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                "AWS_DEFAULT_OUTPUT": "json", "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": "",
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})

    def cli(*args):
        result = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.endpoint, "apigateway", *args],
                                capture_output=True, text=True, env=env, timeout=120, cwd=REPO_ROOT)
        return result.returncode, result.stdout, result.stderr

    code, out, err = cli("create-rest-api", "--name", "cli-api")
    assert code == 0, err
    api_id = json.loads(out)["id"]
    code, out, err = cli("get-resources", "--rest-api-id", api_id)
    assert code == 0, err
    assert [item["path"] for item in json.loads(out)["items"]] == ["/"]
    code, out, err = cli("get-rest-api", "--rest-api-id", "nope123456")
    assert code == 255
    assert "NotFoundException" in err and f"Invalid API identifier specified {ACCOUNT_ID}:nope123456" in err


def test_restart_keeps_apis_and_serves_them(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("apigw-rest-data")
    first = start(tmp_path_factory, "apigw-rest-first", data_dir=data_dir)
    try:
        api_id, _ = proxy_api(first.client("apigateway"), name="durable", stage="live")
    finally:
        first.stop()
    second = start(tmp_path_factory, "apigw-rest-second", data_dir=data_dir)
    try:
        apigw = second.client("apigateway")
        assert apigw.get_rest_api(restApiId=api_id)["name"] == "durable"
        assert apigw.get_stage(restApiId=api_id, stageName="live")["stageName"] == "live"
        response = requests.get(invoke_url(second, api_id, "live", "/after/restart"), timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["path"] == "/after/restart"
    finally:
        second.stop()


def test_import_and_put_rest_api_with_openapi(server, apigw):
    document = {
        "openapi": "3.0.1",
        "info": {"title": "imported", "version": "1.0", "description": "from openapi"},
        "paths": {
            "/pets": {"get": {
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200",
                                              "responseTemplates": {"application/json": '{"pets": []}'}}}}}},
            "/{proxy+}": {"x-amazon-apigateway-any-method": {
                "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": ECHO_URI}}},
        },
    }
    api = apigw.import_rest_api(body=json.dumps(document).encode())
    assert api["name"] == "imported" and api["description"] == "from openapi" and api["version"] == "1.0"
    api_id = api["id"]
    by_path = {item["path"]: item for item in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}
    assert set(by_path) == {"/", "/pets", "/{proxy+}"}
    pets = by_path["/pets"]["resourceMethods"]["GET"]
    assert pets["methodIntegration"]["type"] == "MOCK"
    assert pets["methodResponses"]["200"]["statusCode"] == "200"
    assert by_path["/{proxy+}"]["resourceMethods"]["ANY"]["methodIntegration"]["uri"] == ECHO_URI
    apigw.create_deployment(restApiId=api_id, stageName="imp")
    response = requests.get(invoke_url(server, api_id, "imp", "/pets"), timeout=30)
    assert response.status_code == 200, response.text
    assert response.json() == {"pets": []}
    assert requests.get(invoke_url(server, api_id, "imp", "/a/b"), timeout=30).json()["resource"] == "/{proxy+}"

    yaml_body = b"swagger: '2.0'\ninfo: {title: replaced}\npaths:\n  /other:\n    get:\n      responses: {}\n"
    put = apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=yaml_body)
    assert put["id"] == api_id
    assert sorted(item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]) == ["/", "/other"]

    assert error_of(lambda: apigw.import_rest_api(body=b"not an api")) == (
        400, "BadRequestException", "Invalid OpenAPI input.")


def test_import_turns_security_schemes_into_authorizers(server, apigw):
    """ImportRestApi creates the document's `x-amazon-apigateway-authorizer` schemes as authorizers and authorizes the
    operations naming them (CUSTOM, AWS_IAM for awsSigv4): a deployed stage refuses a request without the token."""
    document = {
        "swagger": "2.0",
        "info": {"title": "secured-import", "version": "1"},
        "securityDefinitions": {
            "tok": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": ECHO_URI,
                                                       "authorizerResultTtlInSeconds": 0}},
            "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"},
        },
        "paths": {
            "/secured": {"get": {"security": [{"tok": []}], "responses": {"200": {"description": "ok"}},
                                 "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                                     "uri": ECHO_URI}}},
            "/signed": {"get": {"security": [{"sigv4": []}],
                                "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                                    "uri": ECHO_URI}}},
        },
    }
    api_id = apigw.import_rest_api(body=json.dumps(document).encode())["id"]
    authorizers = apigw.get_authorizers(restApiId=api_id)["items"]
    assert [(a["name"], a["type"], a["identitySource"], a["authorizerUri"], a["authorizerResultTtlInSeconds"])
            for a in authorizers] == [("tok", "TOKEN", "method.request.header.Authorization", ECHO_URI, 0)]
    by_path = {item["path"]: item for item in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}
    secured = by_path["/secured"]["resourceMethods"]["GET"]
    assert (secured["authorizationType"], secured["authorizerId"]) == ("CUSTOM", authorizers[0]["id"])
    assert by_path["/signed"]["resourceMethods"]["GET"]["authorizationType"] == "AWS_IAM"
    apigw.create_deployment(restApiId=api_id, stageName="sec")
    refused = requests.get(invoke_url(server, api_id, "sec", "/secured"), timeout=30)
    assert (refused.status_code, refused.json()) == (401, {"message": "Unauthorized"})
    unsigned = requests.get(invoke_url(server, api_id, "sec", "/signed"), timeout=30)
    assert unsigned.status_code == 403, unsigned.text


def test_template_rest_apis_are_control_plane_apis_and_reset_brings_them_back(server, apigw):
    """The start-up template's REST APIs live in the control plane with the template's ids: listed, described and
    changed through the API like API-created ones (a change is served after a deployment); `POST /_local/reset`
    brings them back as deployed at start and deletes API-created ones. Runs last: the reset empties this module's
    API-created APIs."""
    apis = {api["name"]: api for api in apigw.get_rest_apis(limit=500)["items"]}
    api_id = apis["plain"]["id"]
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}
    assert {"/", "/plain", "/plain/slow"} <= set(resources)
    assert resources["/"]["id"] == apis["plain"]["rootResourceId"]
    assert resources["/plain"]["resourceMethods"]["GET"]["methodIntegration"]["uri"] == ECHO_URI
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]] == ["prod"]
    assert requests.get(invoke_url(server, api_id, "prod", "/plain"), timeout=30).status_code == 200

    # A MOCK method added to the template's API through the API is served once deployed.
    mock_method(apigw, api_id, resources["/"]["id"], body='{"template": "changed"}')
    assert requests.get(invoke_url(server, api_id, "prod", "/"), timeout=30).status_code == 403
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert requests.get(invoke_url(server, api_id, "prod", "/"), timeout=30).json() == {"template": "changed"}
    created = apigw.create_rest_api(name="made-before-reset")["id"]

    reset = requests.post(f"{server.endpoint}/_local/reset", data="{}", headers={"Content-Type": "application/json"},
                          timeout=120)
    assert reset.status_code == 200, reset.text
    assert requests.get(invoke_url(server, api_id, "prod", "/"), timeout=30).status_code == 403
    assert requests.get(invoke_url(server, api_id, "prod", "/plain"), timeout=30).status_code == 200
    root = next(r for r in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"] if r["path"] == "/")
    assert "resourceMethods" not in root
    assert error_of(lambda: apigw.get_rest_api(restApiId=created))[0:2] == (404, "NotFoundException")
