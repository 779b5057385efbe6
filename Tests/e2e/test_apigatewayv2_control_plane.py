"""API Gateway v2 control plane (`aws apigatewayv2 ...`): CRUD of APIs, routes, integrations, route and integration
responses, stages, deployments, authorizers and tags with boto3 and the AWS CLI; AWS's validation errors; the round
trip "create a WebSocket API, Lambda integration, routes and stage through the API, connect a real WebSocket client,
receive a message posted through @connections"; and persistence across a restart.

The emulator runs the WebSocket fixture template (`Fixtures/websocket-tests/template.yaml`): its `ws-handler` function
records every event it receives in `<EventLogDir>/<connectionId>.jsonl`.
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import time

import boto3
import pytest
import requests
import websockets
from botocore.exceptions import ClientError
from conftest import ACCESS_KEY, ACCOUNT_ID, REGION, REPO_ROOT, SECRET_KEY, EmulatorProcess, client_config

FIXTURE_TEMPLATE = REPO_ROOT / "Fixtures" / "websocket-tests" / "template.yaml"
HANDLER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:ws-handler"
HANDLER_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{HANDLER_ARN}/invocations"


class Env:
    def __init__(self, process, events_dir):
        self.process = process
        self.events_dir = events_dir
        self.v2 = process.client("apigatewayv2")

    def ws_url(self, api_id, stage):
        return f"ws://127.0.0.1:{self.process.port}/_aws/execute-api/{api_id}/{stage}"

    def events(self, connection_id, route, timeout=20):
        path = self.events_dir / f"{connection_id}.jsonl"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists():
                events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
                found = [e for e in events if e.get("requestContext", {}).get("routeKey") == route]
                if found:
                    return found
            time.sleep(0.05)
        raise AssertionError(f"no {route} event for {connection_id}")

    def cli(self, *args):
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                    "AWS_DEFAULT_OUTPUT": "json", "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
        result = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", self.process.endpoint, *map(str, args)],
                                capture_output=True, text=True, env=env, timeout=120, cwd=REPO_ROOT)
        return result.returncode, result.stdout, result.stderr


def start(tmp_path_factory, name, data_dir=None):
    base = tmp_path_factory.mktemp(name)
    events_dir = base / "events"
    process = EmulatorProcess(base, "--parameter-overrides", f"EventLogDir={events_dir}", template=FIXTURE_TEMPLATE,
                              data_dir=data_dir)
    # The APIs these tests create invoke ws-handler and ws-authorizer: grant it as a real deployment would.
    process.allow_api_gateway("ws-handler")
    process.allow_api_gateway("ws-authorizer")
    return Env(process, events_dir)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    environment = start(tmp_path_factory, "apigwv2")
    yield environment
    environment.process.stop()


def error_of(call):
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


def build_websocket_api(v2, name="built-api", deploy=True):
    """Api + AWS_PROXY integration to ws-handler + $connect, $default and a two-way route + stage `dev`."""
    api = v2.create_api(Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    api_id = api["ApiId"]
    integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=HANDLER_URI)
    target = f"integrations/{integration['IntegrationId']}"
    for key in ("$connect", "$default"):
        v2.create_route(ApiId=api_id, RouteKey=key, Target=target)
    twoway = v2.create_route(ApiId=api_id, RouteKey="twoway", Target=target, RouteResponseSelectionExpression="$default")
    v2.create_route_response(ApiId=api_id, RouteId=twoway["RouteId"], RouteResponseKey="$default")
    if deploy:
        deployment = v2.create_deployment(ApiId=api_id)
        v2.create_stage(ApiId=api_id, StageName="dev", DeploymentId=deployment["DeploymentId"])
    else:
        v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    return api


# --------------------------------------------------------------------------- round trip


class TestRoundTrip:
    def test_api_built_through_the_control_plane_serves_websocket_clients(self, env):
        api = build_websocket_api(env.v2)
        api_id = api["ApiId"]
        management = boto3.client("apigatewaymanagementapi", endpoint_url=f"{env.process.endpoint}/dev", region_name=REGION,
                                  aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, config=client_config())

        async def scenario():
            async with websockets.connect(env.ws_url(api_id, "dev"), open_timeout=30) as socket:
                # Two-way route: the integration's body comes back on the socket.
                await socket.send(json.dumps({"action": "twoway", "n": 1}))
                two_way = await asyncio.wait_for(socket.recv(), 20)
                # $default: the function is invoked with the message.
                await socket.send(json.dumps({"action": "nothing-matches", "n": 2}))
                connection_id = None
                deadline = time.monotonic() + 20
                while connection_id is None and time.monotonic() < deadline:
                    for path in env.events_dir.glob("*.jsonl"):
                        for line in path.read_text().splitlines():
                            event = json.loads(line)
                            context = event.get("requestContext", {})
                            if context.get("apiId") == api_id and context.get("routeKey") == "$default":
                                connection_id = context["connectionId"]
                    await asyncio.sleep(0.05)
                assert connection_id, "no $default event for the API-created API"
                # @connections reaches the client.
                await asyncio.to_thread(management.post_to_connection, ConnectionId=connection_id, Data=b"hello from @connections")
                # The $default handler may post its own message first (its role may manage EchoApi's connections only).
                posted = await asyncio.wait_for(socket.recv(), 20)
                while posted != "hello from @connections":
                    posted = await asyncio.wait_for(socket.recv(), 20)
                return two_way, connection_id, posted

        two_way, connection_id, posted = run(scenario())
        assert two_way == 'two-way:{"action": "twoway", "n": 1}'
        assert posted == "hello from @connections"
        connect = env.events(connection_id, "$connect")[0]
        assert connect["requestContext"]["apiId"] == api_id
        assert connect["requestContext"]["stage"] == "dev"
        assert connect["requestContext"]["eventType"] == "CONNECT"
        default = env.events(connection_id, "$default")[0]
        assert json.loads(default["body"]) == {"action": "nothing-matches", "n": 2}

    def test_stage_with_auto_deploy_serves_and_deleting_the_api_stops_serving(self, env):
        api = build_websocket_api(env.v2, name="auto-deployed", deploy=False)
        url = env.ws_url(api["ApiId"], "dev")

        async def echo():
            async with websockets.connect(url, open_timeout=30) as socket:
                await socket.send(json.dumps({"action": "twoway", "n": 3}))
                return await asyncio.wait_for(socket.recv(), 20)

        assert run(echo()) == 'two-way:{"action": "twoway", "n": 3}'
        env.v2.delete_api(ApiId=api["ApiId"])

        async def refused():
            with pytest.raises(websockets.exceptions.InvalidStatus) as raised:
                await websockets.connect(url, open_timeout=30)
            return raised.value.response.status_code

        assert run(refused()) == 403

    def test_a_stage_removed_is_no_longer_served(self, env):
        api = build_websocket_api(env.v2, name="stage-removed")
        env.v2.delete_stage(ApiId=api["ApiId"], StageName="dev")

        async def refused():
            with pytest.raises(websockets.exceptions.InvalidStatus) as raised:
                await websockets.connect(env.ws_url(api["ApiId"], "dev"), open_timeout=30)
            return raised.value.response.status_code

        assert run(refused()) == 403


# --------------------------------------------------------------------------- CRUD


class TestCrud:
    def test_create_get_update_delete_api(self, env):
        v2 = env.v2
        created = v2.create_api(Name="crud-api", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action",
                                Description="first", Tags={"team": "a"})
        api_id = created["ApiId"]
        assert re.fullmatch(r"[a-z0-9]{10}", api_id)
        assert created["ApiEndpoint"] == f"wss://{api_id}.execute-api.{REGION}.amazonaws.com"
        assert created["ApiKeySelectionExpression"] == "$request.header.x-api-key"
        assert created["Tags"] == {"team": "a"}
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
        got = v2.get_api(ApiId=api_id)
        assert got["Name"] == "crud-api" and got["Description"] == "first"
        assert got["CreatedDate"] == created["CreatedDate"]
        updated = v2.update_api(ApiId=api_id, Name="renamed", Description="second")
        assert updated["Name"] == "renamed" and updated["ProtocolType"] == "WEBSOCKET"
        assert api_id in [item["ApiId"] for item in v2.get_apis()["Items"]]
        assert v2.delete_api(ApiId=api_id)["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert error_of(lambda: v2.get_api(ApiId=api_id)) == (
            404, "NotFoundException", f"Invalid API identifier specified {ACCOUNT_ID}:{api_id}")

    def test_children_crud(self, env):
        v2 = env.v2
        api_id = v2.create_api(Name="children", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=HANDLER_URI)
        integration_id = integration["IntegrationId"]
        assert re.fullmatch(r"[a-z0-9]{7}", integration_id)
        assert integration["TimeoutInMillis"] == 29000 and integration["ConnectionType"] == "INTERNET"
        mock = v2.create_integration(ApiId=api_id, IntegrationType="MOCK")
        response = v2.create_integration_response(ApiId=api_id, IntegrationId=mock["IntegrationId"], IntegrationResponseKey="$default")
        assert re.fullmatch(r"[a-z0-9]{6}", response["IntegrationResponseId"])
        assert v2.get_integration_responses(ApiId=api_id, IntegrationId=mock["IntegrationId"])["Items"][0]["IntegrationResponseKey"] == "$default"

        route = v2.create_route(ApiId=api_id, RouteKey="sendMessage", Target=f"integrations/{integration_id}")
        route_id = route["RouteId"]
        assert re.fullmatch(r"[a-z0-9]{7}", route_id)
        assert route["AuthorizationType"] == "NONE" and route["ApiKeyRequired"] is False
        assert v2.get_route(ApiId=api_id, RouteId=route_id)["RouteKey"] == "sendMessage"
        assert v2.update_route(ApiId=api_id, RouteId=route_id, RouteKey="send")["RouteKey"] == "send"
        route_response = v2.create_route_response(ApiId=api_id, RouteId=route_id, RouteResponseKey="$default")
        assert v2.get_route_response(ApiId=api_id, RouteId=route_id,
                                     RouteResponseId=route_response["RouteResponseId"])["RouteResponseKey"] == "$default"

        authorizer = v2.create_authorizer(ApiId=api_id, Name="auth", AuthorizerType="REQUEST", AuthorizerUri=HANDLER_URI,
                                          IdentitySource=["route.request.querystring.token"])
        assert re.fullmatch(r"[a-z0-9]{6}", authorizer["AuthorizerId"])
        connect = v2.create_route(ApiId=api_id, RouteKey="$connect", AuthorizationType="CUSTOM",
                                  AuthorizerId=authorizer["AuthorizerId"], Target=f"integrations/{integration_id}")
        assert connect["AuthorizerId"] == authorizer["AuthorizerId"]

        deployment = v2.create_deployment(ApiId=api_id, Description="v1")
        assert deployment["DeploymentStatus"] == "DEPLOYED"
        stage = v2.create_stage(ApiId=api_id, StageName="prod", DeploymentId=deployment["DeploymentId"],
                                StageVariables={"color": "blue"})
        assert stage["DefaultRouteSettings"] == {"DataTraceEnabled": False, "DetailedMetricsEnabled": False, "LoggingLevel": "OFF"}
        second = v2.create_deployment(ApiId=api_id, StageName="prod")
        assert v2.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"] == second["DeploymentId"]
        assert v2.update_stage(ApiId=api_id, StageName="prod", Description="live")["Description"] == "live"
        assert len(v2.get_deployments(ApiId=api_id)["Items"]) == 2
        assert [s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]] == ["prod"]

        # Deleting a route takes its route responses; deleting the API takes everything.
        v2.delete_route(ApiId=api_id, RouteId=route_id)
        assert error_of(lambda: v2.get_route(ApiId=api_id, RouteId=route_id)) == (
            404, "NotFoundException", f"Invalid Route identifier specified {route_id}")
        assert error_of(lambda: v2.get_route_responses(ApiId=api_id, RouteId=route_id))[1] == "NotFoundException"
        v2.delete_api(ApiId=api_id)
        assert error_of(lambda: v2.get_routes(ApiId=api_id)) == (
            404, "NotFoundException", f"Invalid API identifier specified {ACCOUNT_ID}:{api_id}")

    def test_paging(self, env):
        v2 = env.v2
        api_id = v2.create_api(Name="paged", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        keys = [f"route{n}" for n in range(5)]
        for key in keys:
            v2.create_route(ApiId=api_id, RouteKey=key)
        first = v2.get_routes(ApiId=api_id, MaxResults="2")
        assert [r["RouteKey"] for r in first["Items"]] == keys[:2] and "NextToken" in first
        second = v2.get_routes(ApiId=api_id, MaxResults="2", NextToken=first["NextToken"])
        assert [r["RouteKey"] for r in second["Items"]] == keys[2:4]
        pages = v2.get_paginator("get_routes").paginate(ApiId=api_id, PaginationConfig={"PageSize": 2})
        assert [r["RouteKey"] for page in pages for r in page["Items"]] == keys

    def test_tags(self, env):
        v2 = env.v2
        api_id = v2.create_api(Name="tagged", ProtocolType="HTTP")["ApiId"]
        arn = f"arn:aws:apigateway:{REGION}::/apis/{api_id}"
        v2.tag_resource(ResourceArn=arn, Tags={"a": "1", "b": "2"})
        assert v2.get_tags(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
        v2.untag_resource(ResourceArn=arn, TagKeys=["a"])
        assert v2.get_tags(ResourceArn=arn)["Tags"] == {"b": "2"}
        assert v2.get_api(ApiId=api_id)["Tags"] == {"b": "2"}

    def test_http_api_defaults_and_routes(self, env):
        v2 = env.v2
        api = v2.create_api(Name="http-api", ProtocolType="HTTP")
        api_id = api["ApiId"]
        assert api["RouteSelectionExpression"] == "$request.method $request.path"
        assert api["ApiEndpoint"] == f"https://{api_id}.execute-api.{REGION}.amazonaws.com"
        integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=HANDLER_ARN,
                                            PayloadFormatVersion="2.0")
        assert integration["TimeoutInMillis"] == 30000
        route = v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target=f"integrations/{integration['IntegrationId']}")
        assert route["ApiGatewayManaged"] is False
        stage = v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        assert stage["DefaultRouteSettings"] == {"DetailedMetricsEnabled": False}

    def test_template_apis_are_listed(self, env):
        apis = {item["Name"]: item for item in env.v2.get_apis()["Items"]}
        echo = apis["echo-api"]
        assert echo["ProtocolType"] == "WEBSOCKET"
        routes = sorted(r["RouteKey"] for r in env.v2.get_routes(ApiId=echo["ApiId"])["Items"])
        assert "$connect" in routes and "twoway" in routes
        assert [s["StageName"] for s in env.v2.get_stages(ApiId=echo["ApiId"])["Items"]] == ["dev"]


# --------------------------------------------------------------------------- validation


class TestValidation:
    def test_unknown_protocol(self, env):
        assert error_of(lambda: env.v2.create_api(Name="x", ProtocolType="REST")) == (
            400, "BadRequestException", "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")

    def test_unknown_ids(self, env):
        v2 = env.v2
        assert error_of(lambda: v2.get_api(ApiId="abcdefghij")) == (
            404, "NotFoundException", f"Invalid API identifier specified {ACCOUNT_ID}:abcdefghij")
        api_id = v2.create_api(Name="ids", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        assert error_of(lambda: v2.get_integration(ApiId=api_id, IntegrationId="nothere")) == (
            404, "NotFoundException", "Invalid Integration identifier specified nothere")
        assert error_of(lambda: v2.get_stage(ApiId=api_id, StageName="nothere")) == (
            404, "NotFoundException", "Invalid stage identifier specified nothere")
        assert error_of(lambda: v2.delete_authorizer(ApiId=api_id, AuthorizerId="nothere")) == (
            404, "NotFoundException", "Invalid Authorizer identifier specified nothere")

    def test_route_rules(self, env):
        v2 = env.v2
        api_id = v2.create_api(Name="rules", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        v2.create_route(ApiId=api_id, RouteKey="$default")
        assert error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="$default")) == (
            409, "ConflictException", "Route with key $default already exists for this API")
        assert error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="$connect", AuthorizationType="CUSTOM")) == (
            400, "BadRequestException",
            "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
        assert error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="chat", AuthorizationType="AWS_IAM")) == (
            400, "BadRequestException", "Currently, authorization is restricted to the $connect route only")
        status, code, _ = error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="$bogus"))
        assert (status, code) == (400, "BadRequestException")
        assert error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="x", Target="integrations/nothere")) == (
            404, "NotFoundException", "Invalid Integration identifier specified nothere")
        # Nothing was half-created.
        assert [r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]] == ["$default"]

    def test_integration_and_stage_rules(self, env):
        v2 = env.v2
        http_id = v2.create_api(Name="rules-http", ProtocolType="HTTP")["ApiId"]
        status, code, _ = error_of(lambda: v2.create_integration(ApiId=http_id, IntegrationType="MOCK"))
        assert (status, code) == (400, "BadRequestException")
        status, code, _ = error_of(lambda: v2.create_route_response(ApiId=http_id, RouteId="abcdefg", RouteResponseKey="$default"))
        assert (status, code) == (400, "BadRequestException")
        v2.create_stage(ApiId=http_id, StageName="beta")
        assert error_of(lambda: v2.create_stage(ApiId=http_id, StageName="beta")) == (409, "ConflictException", "Stage already exists")
        ws_id = v2.create_api(Name="rules-ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        status, code, _ = error_of(lambda: v2.create_deployment(ApiId=ws_id))
        assert (status, code) == (400, "BadRequestException")
        status, code, _ = error_of(lambda: v2.create_api(Name="bad-rse", ProtocolType="WEBSOCKET", RouteSelectionExpression="action"))
        assert (status, code) == (400, "BadRequestException")

    def test_v1_paths_reach_the_v1_control_plane(self, env):
        # `/restapis...` shares the signing name with `/v2/...` and is served by the v1 control plane; a v1 operation
        # it does not serve answers AWS's unknown-operation error.
        apigateway = env.process.client("apigateway")
        assert isinstance(apigateway.get_rest_apis()["items"], list)
        status, code, message = error_of(lambda: apigateway.get_domain_names())
        assert (status, code, message) == (
            404, "UnknownOperationException", "The requested operation is not recognized by the service.")


# --------------------------------------------------------------------------- AWS CLI


class TestCli:
    def test_cli_round_trip(self, env):
        code, out, err = env.cli("apigatewayv2", "create-api", "--name", "cli-api", "--protocol-type", "WEBSOCKET",
                                 "--route-selection-expression", "$request.body.action")
        assert code == 0, err
        api_id = json.loads(out)["ApiId"]
        code, out, err = env.cli("apigatewayv2", "create-route", "--api-id", api_id, "--route-key", "$default")
        assert code == 0, err
        code, out, err = env.cli("apigatewayv2", "get-routes", "--api-id", api_id)
        assert code == 0, err
        assert [r["RouteKey"] for r in json.loads(out)["Items"]] == ["$default"]
        code, out, err = env.cli("apigatewayv2", "get-api", "--api-id", "abcdefghij")
        assert code == 255
        assert f"(NotFoundException) when calling the GetApi operation: Invalid API identifier specified {ACCOUNT_ID}:abcdefghij" in err


# --------------------------------------------------------------------------- deployments are snapshots


class TestDeployments:
    """A stage serves the snapshot its deployment took: a change is live after a new deployment, at once on an
    AutoDeploy stage; UpdateStage with an older DeploymentId rolls back. The routes forward (HTTP_PROXY) to the
    emulator's own `/_local/health`, a loopback target."""

    def http_api(self, env, name):
        v2 = env.v2
        api_id = v2.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
        integration = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
                                            IntegrationUri=f"{env.process.endpoint}/_local/health",
                                            PayloadFormatVersion="1.0")
        return api_id, f"integrations/{integration['IntegrationId']}"

    def status(self, env, api_id, path):
        return requests.get(f"{env.process.endpoint}/_aws/execute-api/{api_id}/{path}", timeout=30).status_code

    def test_changes_wait_for_a_deployment_and_roll_back(self, env):
        v2 = env.v2
        api_id, target = self.http_api(env, "snapshots")
        v2.create_route(ApiId=api_id, RouteKey="GET /one", Target=target)
        v2.create_stage(ApiId=api_id, StageName="live")
        # A stage without a deployment serves nothing.
        assert self.status(env, api_id, "live/one") == 404
        first = v2.create_deployment(ApiId=api_id, StageName="live")["DeploymentId"]
        assert self.status(env, api_id, "live/one") == 200
        # The snapshot is the emulator's own: never on the wire; nor is the stage CreateDeployment deployed to (AWS's
        # Deployment shape has no stageName).
        captured = {}
        v2.meta.events.register("after-call.apigatewayv2.GetDeployment",
                                lambda http_response, **_: captured.update(body=http_response.content))
        assert v2.get_deployment(ApiId=api_id, DeploymentId=first)["DeploymentStatus"] == "DEPLOYED"
        assert b"deploymentStatus" in captured["body"] and b"_snapshot" not in captured["body"]
        assert b"stageName" not in captured["body"]
        # A route added after the deployment is not served until the next one.
        v2.create_route(ApiId=api_id, RouteKey="GET /two", Target=target)
        assert self.status(env, api_id, "live/two") == 404
        second = v2.create_deployment(ApiId=api_id, StageName="live")["DeploymentId"]
        assert v2.get_stage(ApiId=api_id, StageName="live")["DeploymentId"] == second
        assert self.status(env, api_id, "live/two") == 200
        # Deleting a route changes nothing until deployed either.
        route_one = next(r["RouteId"] for r in v2.get_routes(ApiId=api_id)["Items"] if r["RouteKey"] == "GET /one")
        v2.delete_route(ApiId=api_id, RouteId=route_one)
        assert self.status(env, api_id, "live/one") == 200
        # Rolling the stage back to the first deployment serves its snapshot.
        v2.update_stage(ApiId=api_id, StageName="live", DeploymentId=first)
        assert self.status(env, api_id, "live/two") == 404
        assert self.status(env, api_id, "live/one") == 200

    def test_auto_deploy_stage_serves_changes_at_once(self, env):
        v2 = env.v2
        api_id, target = self.http_api(env, "auto-deployed")
        v2.create_route(ApiId=api_id, RouteKey="GET /one", Target=target)
        stage = v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        assert stage["DeploymentId"]
        assert self.status(env, api_id, "one") == 200
        v2.create_route(ApiId=api_id, RouteKey="GET /two", Target=target)
        assert self.status(env, api_id, "two") == 200
        deployments = v2.get_deployments(ApiId=api_id)["Items"]
        assert len(deployments) == 2 and all(d["AutoDeployed"] for d in deployments)
        assert v2.get_stage(ApiId=api_id, StageName="$default")["DeploymentId"] == deployments[-1]["DeploymentId"]

    def test_websocket_route_waits_for_a_deployment(self, env):
        v2 = env.v2
        api_id = v2.create_api(Name="ws-snapshots", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=HANDLER_URI)
        target = f"integrations/{integration['IntegrationId']}"
        v2.create_route(ApiId=api_id, RouteKey="$connect", Target=target)
        v2.create_route(ApiId=api_id, RouteKey="$default", Target=target)
        deployment = v2.create_deployment(ApiId=api_id)["DeploymentId"]
        v2.create_stage(ApiId=api_id, StageName="dev", DeploymentId=deployment)
        route = v2.create_route(ApiId=api_id, RouteKey="twoway", Target=target, RouteResponseSelectionExpression="$default")
        v2.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")

        async def send(wait):
            async with websockets.connect(env.ws_url(api_id, "dev"), open_timeout=30) as socket:
                await socket.send(json.dumps({"action": "twoway"}))
                try:
                    return await asyncio.wait_for(socket.recv(), wait)
                except asyncio.TimeoutError:
                    return None

        # Not deployed yet: the message takes the one-way $default route, so no answer comes.
        assert run(send(3)) is None
        v2.create_deployment(ApiId=api_id, StageName="dev")
        assert run(send(20)) == 'two-way:{"action": "twoway"}'


# --------------------------------------------------------------------------- persistence


def test_api_created_apis_survive_a_restart(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("apigwv2-data")
    first = start(tmp_path_factory, "apigwv2-first", data_dir=data_dir)
    try:
        api = build_websocket_api(first.v2, name="durable")
        routes = sorted(r["RouteKey"] for r in first.v2.get_routes(ApiId=api["ApiId"])["Items"])
    finally:
        first.process.stop()
    second = start(tmp_path_factory, "apigwv2-second", data_dir=data_dir)
    try:
        assert second.v2.get_api(ApiId=api["ApiId"])["Name"] == "durable"
        assert sorted(r["RouteKey"] for r in second.v2.get_routes(ApiId=api["ApiId"])["Items"]) == routes
        assert [s["StageName"] for s in second.v2.get_stages(ApiId=api["ApiId"])["Items"]] == ["dev"]

        async def echo():
            async with websockets.connect(second.ws_url(api["ApiId"], "dev"), open_timeout=30) as socket:
                await socket.send(json.dumps({"action": "twoway", "n": 9}))
                return await asyncio.wait_for(socket.recv(), 20)

        assert run(echo()) == 'two-way:{"action": "twoway", "n": 9}'
    finally:
        second.process.stop()
