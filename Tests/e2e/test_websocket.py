"""API Gateway WebSocket APIs: real `websockets` clients against the edge port, real python3.12 handlers,
and boto3's `apigatewaymanagementapi` over the local TLS endpoint (CA bundle) and over plain http.

The fixture APIs live in `Fixtures/websocket-tests/template.yaml` and run on their own emulator; the
handler appends every event it receives to `<EventLogDir>/<connectionId>.jsonl`.
"""

import asyncio
import json
import re
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import requests
import websockets
from botocore.exceptions import ClientError
from conftest import (
    ACCESS_KEY,
    LOOPBACK,
    REGION,
    REPO_ROOT,
    SECRET_KEY,
    STACK_NAME,
    Clock,
    client_config,
    emulator_binary,
    free_port,
    stop_process,
    wait_until_healthy,
)

FIXTURE_TEMPLATE = REPO_ROOT / "Fixtures" / "websocket-tests" / "template.yaml"
RECORDED = REPO_ROOT / "Fixtures" / "synapscribe" / "events"
CONNECTION_ID = re.compile(r"^[A-Za-z0-9]{15}=$")


# --------------------------------------------------------------------------- fixtures


class WsEnv:
    def __init__(self, endpoint, events_dir, health):
        self.endpoint = endpoint
        self.events_dir = events_dir
        self.tls_port = health["tls"]["port"]
        self.ca_bundle = health["tls"]["caBundlePath"]
        session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
        cfn = session.client("cloudformation", endpoint_url=endpoint, config=client_config())
        stacks = cfn.describe_stacks()["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0]["Outputs"]}
        self.echo_url = outputs["EchoApiUrl"]
        self.strict_url = outputs["StrictApiUrl"]
        self.session = session
        self.clock = Clock(endpoint)

    def management(self, stage, tls=True):
        if tls:
            return self.session.client("apigatewaymanagementapi", endpoint_url=f"https://127.0.0.1:{self.tls_port}/{stage}",
                                       verify=self.ca_bundle, config=client_config())
        return self.session.client("apigatewaymanagementapi", endpoint_url=f"{self.endpoint}/{stage}", config=client_config())

    def events(self, connection_id, count=1, timeout=20):
        """The events the handler recorded for a connection, waiting until at least `count` arrived."""
        path = self.events_dir / f"{connection_id}.jsonl"
        deadline = time.monotonic() + timeout
        events = []
        while time.monotonic() < deadline:
            if path.exists():
                events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
                if len(events) >= count:
                    return events
            time.sleep(0.05)
        raise AssertionError(f"expected {count} events for {connection_id}, got {events}")

    def route_events(self, connection_id, route, count=1, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events(connection_id, 1, timeout) if e.get("requestContext", {}).get("routeKey") == route]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"no {route} event for {connection_id}"
                return found
            time.sleep(0.05)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    binary = emulator_binary()
    port = free_port()
    base = tmp_path_factory.mktemp("websocket-tests")
    events_dir = base / "events"
    log_path = base / "synapscribe-local.log"
    command = [str(binary), "start", "--template", str(FIXTURE_TEMPLATE), "--host", LOOPBACK, "--port", str(port),
               "--ephemeral", "--parameter-overrides", f"EventLogDir={events_dir}"]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_healthy(endpoint, process, log_path)
        health = requests.get(f"{endpoint}/_local/health", timeout=5).json()
        env = WsEnv(endpoint, events_dir, health)
        yield env
        env.clock.reset()
    finally:
        stop_process(process)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def connect(url, **kwargs):
    return await websockets.connect(url, max_size=2**20, open_timeout=30, **kwargs)


async def connection_id_of(ws_env, socket):
    """Ask the server who we are: the echo route reflects the connection id."""
    await socket.send(json.dumps({"action": "echo", "whoami": True}))
    reply = json.loads(await asyncio.wait_for(socket.recv(), 20))
    assert reply["route"] == "echo"
    return reply["connectionId"]


# --------------------------------------------------------------------------- connect


class TestConnect:
    def test_urls_and_health(self, ws):
        assert re.match(rf"^ws://127\.0\.0\.1:\d+/_aws/execute-api/[a-z0-9]{{10}}/dev$", ws.echo_url), ws.echo_url
        health = requests.get(f"{ws.endpoint}/_local/health", timeout=5).json()
        service = health["services"]["apigateway"]
        assert service["state"] == "running"
        assert service["resources"]["apis"] == 2
        assert Path(ws.ca_bundle).read_text().startswith("-----BEGIN CERTIFICATE-----")

    def test_connect_event_matches_recorded_aws_event(self, ws):
        async def scenario():
            async with await connect(ws.echo_url + "?lectureId=l-1&tag=a&tag=b", user_agent_header="e2e-agent/1.0") as socket:
                return await connection_id_of(ws, socket)

        connection_id = run(scenario())
        assert CONNECTION_ID.match(connection_id)
        event = ws.route_events(connection_id, "$connect")[0]
        recorded = json.loads((RECORDED / "ws-connect.json").read_text())
        assert set(event) == set(recorded)
        assert set(event["requestContext"]) == set(recorded["requestContext"])
        context = event["requestContext"]
        assert context["eventType"] == "CONNECT" and context["messageDirection"] == "IN"
        assert context["connectionId"] == connection_id
        assert context["stage"] == "dev"
        assert context["domainName"] == f"127.0.0.1:{ws.tls_port}"
        assert context["requestTimeEpoch"] >= context["connectedAt"]
        assert re.match(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$", context["requestTime"])
        assert context["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "e2e-agent/1.0"}
        assert event["queryStringParameters"] == {"lectureId": "l-1", "tag": "b"}
        assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
        assert event["headers"]["Sec-WebSocket-Version"] == "13"
        assert event["multiValueHeaders"]["Sec-WebSocket-Version"] == ["13"]
        assert event["isBase64Encoded"] is False

    # A statusCode that is no HTTP status is a malformed integration response (502); -1 used to crash the emulator.
    @pytest.mark.parametrize("query,status", [("status=401", 401), ("status=500", 500), ("crash=1", 502),
                                              ("status=-1", 502), ("status=1000", 502)])
    def test_connect_refused_with_status(self, ws, query, status):
        async def scenario():
            with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
                await connect(f"{ws.echo_url}?{query}")
            return refused.value.response.status_code

        assert run(scenario()) == status

    def test_unknown_stage_is_forbidden(self, ws):
        async def scenario():
            with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
                await connect(ws.echo_url.rsplit("/", 1)[0] + "/nostage")
            return refused.value.response

        response = run(scenario())
        assert response.status_code == 403
        assert json.loads(response.body) == {"message": "Forbidden"}

    def test_post_during_connect_is_gone(self, ws):
        async def scenario():
            async with await connect(ws.echo_url + "?post=1") as socket:
                return await connection_id_of(ws, socket)

        connection_id = run(scenario())
        markers = [e for e in ws.events(connection_id, 2) if "postDuringConnect" in e]
        assert markers and markers[0]["postDuringConnect"] == "GoneException"

    def test_client_gone_during_connect_leaves_no_connection(self, ws):
        """A client that hangs up while $connect runs never had a connection: nothing stays registered, GetConnection
        answers 410 and no $disconnect comes (AWS establishes the connection only once $connect has completed)."""
        import socket as sockets
        import uuid
        from urllib.parse import urlparse

        marker = uuid.uuid4().hex
        url = urlparse(ws.echo_url)
        client = sockets.create_connection((url.hostname, url.port), timeout=10)
        client.sendall((f"GET {url.path}?sleep=2&marker={marker} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode())

        def connect_event():
            for path in ws.events_dir.glob("*.jsonl"):
                for line in path.read_text().splitlines():
                    event = json.loads(line)
                    if (event.get("queryStringParameters") or {}).get("marker") == marker:
                        return event
            return None

        deadline = time.monotonic() + 30
        event = None
        while event is None and time.monotonic() < deadline:
            event = connect_event() if ws.events_dir.exists() else None
            time.sleep(0.05)
        assert event, "the slow $connect never started"
        connection_id = event["requestContext"]["connectionId"]
        client.close()  # gone while $connect sleeps
        finished = [e for e in ws.events(connection_id, 2) if e.get("connectFinished")]
        assert finished, "the $connect handler runs to its end"
        time.sleep(1.0)
        routes = [e.get("requestContext", {}).get("routeKey") for e in ws.events(connection_id, 2)]
        assert "$disconnect" not in routes
        with pytest.raises(ClientError) as gone:
            ws.management("dev").get_connection(ConnectionId=connection_id)
        assert gone.value.response["Error"]["Code"] == "GoneException"
        assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
        health = requests.get(f"{ws.endpoint}/_local/health", timeout=5).json()["services"]["apigateway"]
        assert health["resources"]["connections"] == 0
        assert health["details"]["connecting"] == 0  # nothing held for the upgrade that never happened

    def test_authorizer_allows_denies_and_requires_identity_source(self, ws):
        async def status_of(url):
            try:
                async with await connect(url):
                    return 101
            except websockets.exceptions.InvalidStatus as refused:
                return refused.response.status_code

        assert run(status_of(ws.strict_url)) == 401
        assert run(status_of(ws.strict_url + "?token=nope")) == 403

        async def allowed():
            async with await connect(ws.strict_url + "?token=letmein") as socket:
                await socket.send(json.dumps({"action": "nothing-here"}))
                return json.loads(await asyncio.wait_for(socket.recv(), 20))["connectionId"]

        connection_id = run(allowed())
        connect_event = ws.route_events(connection_id, "$connect")[0]
        authorizer = connect_event["requestContext"]["authorizer"]
        assert authorizer["principalId"] == "user-letmein"
        assert authorizer["tier"] == "gold"
        assert isinstance(authorizer["integrationLatency"], int)

    def test_execution_role_without_manage_connections_gets_forbidden(self, ws):
        """The handler's role may manage EchoApi's connections only: its posts on StrictApi are refused."""

        async def scenario():
            async with await connect(ws.strict_url + "?token=letmein") as socket:
                await socket.send(json.dumps({"action": "nothing-here"}))
                connection_id = json.loads(await asyncio.wait_for(socket.recv(), 20))["connectionId"]
                await socket.send(json.dumps({"action": "echo"}))
                return connection_id

        connection_id = run(scenario())
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            errors = [e["postError"] for e in ws.events(connection_id) if "postError" in e]
            if errors:
                break
            time.sleep(0.1)
        assert errors == ["ForbiddenException"]


# --------------------------------------------------------------------------- messages


class TestRoutes:
    def test_route_selection_default_and_binary(self, ws):
        async def scenario():
            async with await connect(ws.echo_url) as socket:
                await socket.send(json.dumps({"action": "echo", "n": 1}))
                echo = json.loads(await asyncio.wait_for(socket.recv(), 20))
                await socket.send(json.dumps({"action": "unknown-route"}))
                unmatched = json.loads(await asyncio.wait_for(socket.recv(), 20))
                await socket.send("not json at all")
                not_json = json.loads(await asyncio.wait_for(socket.recv(), 20))
                await socket.send(b"\x00\x01binary")
                binary = json.loads(await asyncio.wait_for(socket.recv(), 20))
                return echo, unmatched, not_json, binary

        echo, unmatched, not_json, binary = run(scenario())
        assert echo["route"] == "echo" and json.loads(echo["body"]) == {"action": "echo", "n": 1}
        assert CONNECTION_ID.match(echo["connectionId"])
        assert unmatched["route"] == "$default"
        assert not_json == {"route": "$default", "body": "not json at all", "isBase64Encoded": False}
        assert binary == {"route": "$default", "body": "AAFiaW5hcnk=", "isBase64Encoded": True}

    def test_message_event_matches_recorded_aws_event(self, ws):
        async def scenario():
            async with await connect(ws.echo_url) as socket:
                return await connection_id_of(ws, socket)

        connection_id = run(scenario())
        event = ws.route_events(connection_id, "echo")[0]
        recorded = json.loads((RECORDED / "ws-query.json").read_text())
        assert set(event) == set(recorded)
        assert set(event["requestContext"]) == set(recorded["requestContext"])
        assert event["requestContext"]["eventType"] == "MESSAGE"
        assert event["requestContext"]["identity"] == {"sourceIp": "127.0.0.1"}
        assert event["requestContext"]["messageId"] != event["requestContext"]["requestId"]

    def test_no_default_route_gets_forbidden_frame(self, ws):
        async def scenario():
            async with await connect(ws.strict_url + "?token=letmein") as socket:
                await socket.send(json.dumps({"action": "nothing-here"}))
                return json.loads(await asyncio.wait_for(socket.recv(), 20))

        frame = run(scenario())
        assert frame["message"] == "Forbidden"
        assert CONNECTION_ID.match(frame["connectionId"])
        assert frame["requestId"]

    def test_failing_integration_gets_internal_server_error_frame(self, ws):
        async def scenario():
            async with await connect(ws.echo_url) as socket:
                await socket.send(json.dumps({"action": "fail"}))
                return json.loads(await asyncio.wait_for(socket.recv(), 30))

        frame = run(scenario())
        assert frame["message"] == "Internal server error"
        assert set(frame) == {"message", "connectionId", "requestId"}

    def test_two_way_route_returns_body(self, ws):
        async def scenario():
            async with await connect(ws.echo_url) as socket:
                await socket.send(json.dumps({"action": "twoway", "v": 2}))
                return await asyncio.wait_for(socket.recv(), 20)

        assert run(scenario()) == "two-way:" + json.dumps({"action": "twoway", "v": 2})


# --------------------------------------------------------------------------- management API


class TestManagementAPI:
    @pytest.mark.parametrize("tls", [True, False], ids=["https-ca-bundle", "plain-http"])
    def test_post_get_delete(self, ws, tls):
        async def scenario():
            async with await connect(ws.echo_url, user_agent_header="mgmt-agent") as socket:
                connection_id = await connection_id_of(ws, socket)
                api = ws.management("dev", tls=tls)
                await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=b'{"hello":"world"}')
                received = await asyncio.wait_for(socket.recv(), 20)
                big = "x" * (100 * 1024)
                await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=big.encode())
                received_big = await asyncio.wait_for(socket.recv(), 20)
                info = await asyncio.to_thread(api.get_connection, ConnectionId=connection_id)
                with pytest.raises(ClientError) as too_large:
                    await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=b"y" * (128 * 1024 + 1))
                await asyncio.to_thread(api.delete_connection, ConnectionId=connection_id)
                with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                    await asyncio.wait_for(socket.recv(), 20)
                return connection_id, received, received_big, info, too_large.value, closed.value

        connection_id, received, received_big, info, too_large, closed = run(scenario())
        assert received == '{"hello":"world"}'
        assert len(received_big) == 100 * 1024
        assert info["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "mgmt-agent"}
        assert info["LastActiveAt"] >= info["ConnectedAt"]
        assert too_large.response["Error"]["Code"] == "PayloadTooLargeException"
        assert too_large.response["ResponseMetadata"]["HTTPStatusCode"] == 413
        assert closed.rcvd.code == 1000
        disconnect = ws.route_events(connection_id, "$disconnect")
        assert len(disconnect) == 1
        assert disconnect[0]["requestContext"]["disconnectStatusCode"] == 1000

    def test_gone_for_unknown_and_closed_connections(self, ws):
        api = ws.management("dev")
        for call in (lambda: api.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"x"),
                     lambda: api.get_connection(ConnectionId="AAAAAAAAAAAAAAA="),
                     lambda: api.delete_connection(ConnectionId="AAAAAAAAAAAAAAA=")):
            with pytest.raises(ClientError) as gone:
                call()
            assert gone.value.response["Error"]["Code"] == "GoneException"
            assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410

        async def scenario():
            async with await connect(ws.echo_url) as socket:
                return await connection_id_of(ws, socket)

        connection_id = run(scenario())
        ws.route_events(connection_id, "$disconnect")
        with pytest.raises(ClientError) as gone:
            api.post_to_connection(ConnectionId=connection_id, Data=b"late")
        assert gone.value.response["Error"]["Code"] == "GoneException"


# --------------------------------------------------------------------------- closing paths and limits


class TestDisconnect:
    def disconnect_of(self, ws, connection_id):
        events = ws.route_events(connection_id, "$disconnect")
        time.sleep(0.3)
        assert len(ws.route_events(connection_id, "$disconnect")) == 1, "exactly one $disconnect"
        return events[0]

    def test_client_close_with_code_and_reason(self, ws):
        async def scenario():
            socket = await connect(ws.echo_url)
            connection_id = await connection_id_of(ws, socket)
            await socket.close(code=4001, reason="bye now")
            return connection_id

        event = self.disconnect_of(ws, run(scenario()))
        recorded = json.loads((RECORDED / "ws-disconnect.json").read_text())
        assert set(event) == set(recorded)
        assert set(event["requestContext"]) == set(recorded["requestContext"])
        assert set(event["headers"]) == set(recorded["headers"])
        assert event["requestContext"]["disconnectStatusCode"] == 4001
        assert event["requestContext"]["disconnectReason"] == "bye now"

    def test_client_drop_without_close_frame(self, ws):
        async def scenario():
            socket = await connect(ws.echo_url)
            connection_id = await connection_id_of(ws, socket)
            socket.transport.abort()
            return connection_id

        event = self.disconnect_of(ws, run(scenario()))
        assert event["requestContext"]["disconnectStatusCode"] == 1006

    def test_oversized_message_closes_1009(self, ws):
        async def scenario():
            socket = await connect(ws.echo_url)
            connection_id = await connection_id_of(ws, socket)
            chunk = "z" * (30 * 1024)
            await socket.send([chunk] * 5)  # one 150 KB message in 30 KB frames
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 20)
            return connection_id, closed.value

        connection_id, closed = run(scenario())
        assert closed.rcvd.code == 1009
        assert self.disconnect_of(ws, connection_id)["requestContext"]["disconnectStatusCode"] == 1009

    def test_oversized_frame_closes_1009(self, ws):
        async def scenario():
            socket = await connect(ws.echo_url)
            await socket.send("f" * (33 * 1024))
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 20)
            return closed.value

        assert run(scenario()).rcvd.code == 1009

    def test_idle_timeout_on_virtual_clock(self, ws):
        async def scenario():
            socket = await connect(ws.echo_url)
            connection_id = await connection_id_of(ws, socket)
            await asyncio.to_thread(ws.clock.advance, "9m")
            await socket.send(json.dumps({"action": "echo", "still": "here"}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 20))["route"] == "echo"
            await asyncio.to_thread(ws.clock.advance, "10m")
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 20)
            return connection_id, closed.value

        try:
            connection_id, closed = run(scenario())
        finally:
            ws.clock.reset()
        assert closed.rcvd.code == 1001
        event = self.disconnect_of(ws, connection_id)
        assert event["requestContext"]["disconnectStatusCode"] == 1001
        assert event["requestContext"]["disconnectReason"] == "Going away"

    def test_two_hour_maximum_on_virtual_clock(self, ws):
        async def scenario():
            socket = await connect(ws.echo_url)
            connection_id = await connection_id_of(ws, socket)
            # 13 x 9 min = 117 min, active all along. The two-way route answers without the management API
            # (its SigV4 signatures are made on real time, and the virtual clock moves past their 15-minute skew).
            for _ in range(13):
                await asyncio.to_thread(ws.clock.advance, "9m")
                await socket.send(json.dumps({"action": "twoway"}))
                assert (await asyncio.wait_for(socket.recv(), 20)).startswith("two-way:")
            await asyncio.to_thread(ws.clock.advance, "4m")
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 20)
            return connection_id, closed.value

        try:
            connection_id, closed = run(scenario())
        finally:
            ws.clock.reset()
        assert closed.rcvd.code == 1001
        assert self.disconnect_of(ws, connection_id)["requestContext"]["disconnectStatusCode"] == 1001


# --------------------------------------------------------------------------- SynapScribe flow (session emulator)


def test_synapscribe_query_streams_agentcore_answer(endpoint, client, agentcore):
    cfn = client("cloudformation")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]}
    url = next(v for v in outputs.values() if v.startswith("ws://"))

    async def scenario():
        async with await connect(url + "?lectureId=test-lecture") as socket:
            await socket.send(json.dumps({"action": "query", "lectureId": "test-lecture", "question": "What is it about?"}))
            lines = []
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), 60))
                lines.append(message)
                if message.get("type") in ("done", "error"):
                    return lines

    lines = run(scenario())
    kinds = [line.get("type") for line in lines]
    assert "token" in kinds and kinds[-1] == "done", lines
