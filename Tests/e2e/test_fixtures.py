"""Checks of the repository's own fixtures that need no emulator: the fake AgentCore, the SAM
template's shape, the sample events, and the Lambda handlers run in-process against fakes.

The handlers' AWS clients are replaced by in-memory fakes, so nothing here leaves 127.0.0.1.
"""

import importlib.util
import json
import re
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import REPO_ROOT, TEMPLATE, template_logical_ids

FIXTURES = REPO_ROOT / "Fixtures"
EVENTS = FIXTURES / "synapscribe" / "events"


def load_module(name, path, monkeypatch):
    """Import a handler file as a fresh module with the Lambda environment set."""
    monkeypatch.setenv("S3_BUCKET", "synapscribe-audio-000000000000")
    monkeypatch.setenv("DYNAMODB_TABLE", "SynapScribe-Sessions")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def client_error(code, status, operation):
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       operation)


class FakeTable:
    """Just enough of a boto3 DynamoDB Table resource."""

    def __init__(self):
        self.items = {}
        self.calls = []

    def put_item(self, Item):
        self.calls.append(("put_item", Item))
        self.items[(Item["sessionId"], Item["lectureId"])] = dict(Item)

    def query(self, **kwargs):
        self.calls.append(("query", kwargs))
        session_id = kwargs["ExpressionAttributeValues"][":sid"]
        return {"Items": [dict(item) for key, item in self.items.items() if key[0] == session_id]}

    def update_item(self, **kwargs):
        self.calls.append(("update_item", kwargs))
        key = (kwargs["Key"]["sessionId"], kwargs["Key"]["lectureId"])
        item = self.items.setdefault(key, dict(kwargs["Key"]))
        values = kwargs["ExpressionAttributeValues"]
        if ":turn" in values:
            item["conversation"] = item.get("conversation", []) + values[":turn"]
            item["totalTurns"] = item.get("totalTurns", 0) + values[":one"]
        if ":disconnected" in values:
            item["status"] = values[":disconnected"]


class FakeManagementApi:
    """Records post_to_connection calls; raises GoneException after `gone_after` posts."""

    def __init__(self, gone_after=None):
        self.frames = []
        self.gone_after = gone_after

    def post_to_connection(self, ConnectionId, Data):
        if self.gone_after is not None and len(self.frames) >= self.gone_after:
            raise client_error("GoneException", 410, "PostToConnection")
        self.frames.append((ConnectionId, Data))

    def decoded(self):
        return [json.loads(data) for _, data in self.frames]


# =========================================================================== fake AgentCore


class TestAgentCoreFake:
    def test_health(self, agentcore):
        response = requests.get(f"{agentcore.url}/health", timeout=5)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"

    def test_streams_ndjson_and_is_deterministic(self, agentcore):
        body = {"lectureId": "test-lecture", "question": "What is entropy?"}
        first = requests.post(f"{agentcore.url}/query", json=body, timeout=10)
        second = requests.post(f"{agentcore.url}/query", json=body, timeout=10)
        assert first.status_code == 200
        assert first.headers["Content-Type"] == "application/x-ndjson"
        assert first.text == second.text
        lines = [json.loads(line) for line in first.text.splitlines()]
        types = [line["type"] for line in lines]
        assert types[-2:] == ["answer", "done"]
        assert types[:-2] and set(types[:-2]) == {"token"}
        answer = lines[-2]
        assert "".join(line["text"] for line in lines if line["type"] == "token") == answer["text"]
        assert "What is entropy" in answer["text"]
        assert answer["sources"] and all(source["lectureId"] == "test-lecture" for source in answer["sources"])

    def test_different_questions_differ(self, agentcore):
        answers = [requests.post(f"{agentcore.url}/query", json={"lectureId": "l", "question": q}, timeout=10).text
                   for q in ("one?", "two?")]
        assert answers[0] != answers[1]

    def test_records_requests(self, agentcore):
        agentcore.clear()
        requests.post(f"{agentcore.url}/query", json={"lectureId": "x", "question": "recorded?"}, timeout=10)
        recorded = agentcore.requests()
        assert len(recorded) == 1
        assert recorded[0]["method"] == "POST" and recorded[0]["path"] == "/query"
        assert recorded[0]["body"] == {"lectureId": "x", "question": "recorded?"}

    @pytest.mark.parametrize("body", [{}, {"question": ""}, {"question": 3}])
    def test_rejects_bad_query(self, agentcore, body):
        response = requests.post(f"{agentcore.url}/query", json=body, timeout=10)
        assert response.status_code == 400
        assert response.json()["error"] == "BadRequest"

    def test_failure_markers(self, agentcore):
        failed = requests.post(f"{agentcore.url}/query", json={"question": "boom [fail]"}, timeout=10)
        assert failed.status_code == 500
        midstream = requests.post(f"{agentcore.url}/query", json={"question": "x [midstream]"}, timeout=10)
        assert [json.loads(line)["type"] for line in midstream.text.splitlines()] == ["token", "error"]

    def test_refuses_non_loopback_host(self):
        import subprocess
        import sys
        result = subprocess.run([sys.executable, str(FIXTURES / "agentcore_fake" / "server.py"), "--host", "0.0.0.0",
                                 "--port", "0"], capture_output=True, text=True, timeout=30)
        assert result.returncode == 2
        assert "refusing to bind" in result.stderr


# =========================================================================== template and events


class TestTemplateShape:
    def test_logical_ids(self):
        ids = template_logical_ids()
        for logical_id in ("AudioBucket", "SessionsTable", "LambdaExecutionRole", "WebSocketHandler",
                           "ValidateLectureFunction", "WebSocketApi", "ConnectRoute", "DisconnectRoute", "QueryRoute",
                           "Deployment", "Stage", "IdentityPool", "CognitoUnauthRole", "IdentityPoolRoleAttachment"):
            assert logical_id in ids

    def test_only_private_address_is_the_parameter_default(self):
        private = re.compile(r"\b(?:10\.\d+|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d+\.\d+\b")
        offenders = []
        for path in [TEMPLATE, REPO_ROOT / "samconfig.toml", *FIXTURES.rglob("*"), *Path(__file__).parent.glob("*")]:
            if not path.is_file() or path.suffix not in {".py", ".json", ".yaml", ".toml", ".txt", ".md"}:
                continue
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if private.search(line) and not (path == TEMPLATE and "Default:" in line):
                    if path == Path(__file__) and "re.compile" in line:
                        continue
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}")
        assert not offenders, offenders

    @pytest.mark.parametrize(("name", "event_type", "route"), [
        ("ws-connect.json", "CONNECT", "$connect"),
        ("ws-query.json", "MESSAGE", "query"),
        ("ws-disconnect.json", "DISCONNECT", "$disconnect"),
    ])
    def test_websocket_events(self, name, event_type, route):
        event = json.loads((EVENTS / name).read_text())
        context = event["requestContext"]
        assert context["eventType"] == event_type and context["routeKey"] == route
        assert context["stage"] == "Prod" and context["messageDirection"] == "IN"
        for key in ("connectionId", "domainName", "apiId", "requestId", "connectedAt", "requestTimeEpoch"):
            assert context[key]
        assert event["isBase64Encoded"] is False
        if event_type == "MESSAGE":
            assert json.loads(event["body"])["action"] == "query"

    def test_s3_event(self):
        record = json.loads((EVENTS / "s3-put-lecture.json").read_text())["Records"][0]
        assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
        assert record["s3"]["object"]["key"] == "lectures/test-lecture.mp3"
        assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{record['s3']['bucket']['name']}"


# =========================================================================== handlers in-process


@pytest.fixture
def websocket_module(monkeypatch, agentcore):
    monkeypatch.setenv("AGENTCORE_ENDPOINT", agentcore.url)
    module = load_module("synapscribe_ws_handler", FIXTURES / "synapscribe/websocket/lambda_function.py", monkeypatch)
    module.table = FakeTable()
    return module


def use_management_api(module, monkeypatch, fake):
    created = []
    real_client = module.boto3.client

    def client(service, **kwargs):
        if service == "apigatewaymanagementapi":
            created.append(kwargs)
            return fake
        return real_client(service, **kwargs)

    monkeypatch.setattr(module.boto3, "client", client)
    return created


class TestWebSocketHandler:
    def event(self, name, body=None):
        event = json.loads((EVENTS / name).read_text())
        if body is not None:
            event["body"] = json.dumps(body)
        return event

    def test_connect_records_session(self, websocket_module):
        result = websocket_module.lambda_handler(self.event("ws-connect.json"), None)
        assert result == {"statusCode": 200}
        item = websocket_module.table.items[("L0SM9cOFvHcCIhw=", "test-lecture")]
        assert item["totalTurns"] == 0 and item["conversation"] == []
        created = datetime.fromisoformat(item["createdAt"].replace("Z", "+00:00"))
        assert abs((created - datetime.now(timezone.utc)).total_seconds()) < 60
        assert abs(item["expiresAt"] - (created.timestamp() + 7 * 86400)) < 60

    def test_connect_without_lecture(self, websocket_module):
        event = self.event("ws-connect.json")
        event["queryStringParameters"] = None
        assert websocket_module.lambda_handler(event, None)["statusCode"] == 200
        assert ("L0SM9cOFvHcCIhw=", "none") in websocket_module.table.items

    def test_query_streams_and_records_turn(self, websocket_module, monkeypatch, agentcore):
        websocket_module.lambda_handler(self.event("ws-connect.json"), None)
        fake = FakeManagementApi()
        created = use_management_api(websocket_module, monkeypatch, fake)
        agentcore.clear()
        result = websocket_module.lambda_handler(self.event("ws-query.json"), None)
        assert result == {"statusCode": 200}
        assert created == [{"endpoint_url": "https://abc123defg.execute-api.us-east-1.amazonaws.com/Prod"}]
        frames = fake.decoded()
        assert [frame["type"] for frame in frames][-2:] == ["answer", "done"]
        assert {connection for connection, _ in fake.frames} == {"L0SM9cOFvHcCIhw="}
        sent = agentcore.requests()[-1]["body"]
        assert sent["question"] == "What is the main topic of the lecture?" and sent["lectureId"] == "test-lecture"
        item = websocket_module.table.items[("L0SM9cOFvHcCIhw=", "test-lecture")]
        assert item["totalTurns"] == 1
        assert item["conversation"][0]["answer"] == frames[-2]["text"]

    def test_query_validation_error_frame(self, websocket_module, monkeypatch):
        fake = FakeManagementApi()
        use_management_api(websocket_module, monkeypatch, fake)
        result = websocket_module.lambda_handler(self.event("ws-query.json", {"action": "query", "lectureId": "x"}),
                                                 None)
        assert result["statusCode"] == 400
        assert fake.decoded() == [{"type": "error", "message": "question is required"}]

    def test_agentcore_failure_reported(self, websocket_module, monkeypatch):
        fake = FakeManagementApi()
        use_management_api(websocket_module, monkeypatch, fake)
        body = {"action": "query", "lectureId": "x", "question": "explode [fail]"}
        assert websocket_module.lambda_handler(self.event("ws-query.json", body), None)["statusCode"] == 502
        assert fake.decoded()[-1]["type"] == "error"
        assert websocket_module.table.items == {}

    def test_gone_client(self, websocket_module, monkeypatch):
        fake = FakeManagementApi(gone_after=1)
        use_management_api(websocket_module, monkeypatch, fake)
        assert websocket_module.lambda_handler(self.event("ws-query.json"), None) == {"statusCode": 410}
        assert len(fake.frames) == 1

    def test_disconnect_marks_sessions(self, websocket_module):
        websocket_module.lambda_handler(self.event("ws-connect.json"), None)
        assert websocket_module.lambda_handler(self.event("ws-disconnect.json"), None) == {"statusCode": 200}
        assert websocket_module.table.items[("L0SM9cOFvHcCIhw=", "test-lecture")]["status"] == "disconnected"

    def test_agentcore_reached_only_on_loopback(self, websocket_module):
        assert websocket_module.AGENTCORE_ENDPOINT.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{websocket_module.AGENTCORE_ENDPOINT}/health", timeout=5) as response:
            assert response.status == 200


class FakeS3:
    def __init__(self, objects):
        self.objects = objects

    def head_object(self, Bucket, Key):
        if Key not in self.objects:
            raise client_error("404", 404, "HeadObject")
        return self.objects[Key]


class TestValidateLecture:
    @pytest.fixture
    def module(self, monkeypatch):
        module = load_module("synapscribe_validate", FIXTURES / "synapscribe/validate/validate_lecture.py", monkeypatch)
        module.table = FakeTable()
        return module

    def head(self, content_type, size):
        return {"ContentType": content_type, "ContentLength": size, "ETag": '"abc"',
                "LastModified": datetime(2025, 12, 3, 10, 12, 4, tzinfo=timezone.utc)}

    def test_sample_event_ready(self, module):
        module.s3 = FakeS3({"lectures/test-lecture.mp3": self.head("audio/mpeg", 1048576)})
        summary = module.lambda_handler(json.loads((EVENTS / "s3-put-lecture.json").read_text()), None)
        assert summary["processed"] == 1 and summary["ready"] == 1 and summary["invalid"] == 0
        item = module.table.items[("lecture", "test-lecture")]
        assert item["status"] == "ready" and item["size"] == 1048576 and item["contentType"] == "audio/mpeg"
        assert item["uploadedAt"] == "2025-12-03T10:12:04.000Z"

    @pytest.mark.parametrize(("key", "content_type", "size", "status"), [
        ("lectures/a.wav", "audio/wav", 10, "ready"),
        ("lectures/b.webm", "binary/octet-stream", 10, "ready"),
        ("lectures/c.txt", "text/plain", 10, "invalid"),
        ("lectures/d.mp3", "image/png", 10, "invalid"),
        ("lectures/e.ogg", "audio/ogg", 0, "invalid"),
        ("lectures/f.m4a", "audio/mp4", 500 * 1024 * 1024, "invalid"),
    ])
    def test_rules(self, module, key, content_type, size, status):
        module.s3 = FakeS3({key: self.head(content_type, size)})
        event = json.loads((EVENTS / "s3-put-lecture.json").read_text())
        event["Records"][0]["s3"]["object"]["key"] = key
        assert module.lambda_handler(event, None)["results"][0]["status"] == status
        item = module.table.items[("lecture", key[len("lectures/"):].rsplit(".", 1)[0])]
        assert item["status"] == status and (("reason" in item) == (status == "invalid"))

    def test_url_encoded_key(self, module):
        module.s3 = FakeS3({"lectures/week 1/intro talk.mp3": self.head("audio/mpeg", 5)})
        event = json.loads((EVENTS / "s3-put-lecture.json").read_text())
        event["Records"][0]["s3"]["object"]["key"] = "lectures/week+1/intro+talk.mp3"
        assert module.lambda_handler(event, None)["results"][0] == {
            "lectureId": "week 1/intro talk", "key": "lectures/week 1/intro talk.mp3", "status": "ready"}
