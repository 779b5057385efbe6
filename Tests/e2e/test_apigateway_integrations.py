"""API Gateway integrations beyond Lambda proxy (issue 16, item 4): `AWS` service integrations to DynamoDB with
Velocity (VTL) request templates, `MOCK` integrations, and integration responses chosen by their selection keys.

Fixture: Fixtures/apigateway-tests/integrations/template.yaml (a WebSocket API, no Lambda functions).

Documented behaviour replicated here:
- "Setting up data transformations for WebSocket APIs in API Gateway": template selection expressions,
  `$default` templates, integration response keys `/regex/` matched against the integration's status code
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-transformations.html);
- "Tutorial: Create a WebSocket chat app with an AWS integration": `$connect` writing the connection to DynamoDB
  with `PutItem` and `$context.connectionId` (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-chat-app.html);
- "Set up two-way communication": route responses send the integration response to the client
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-response.html);
- error frames as API Gateway sends them: `{"message": "Internal server error", "connectionId": ..., "requestId": ...}`.
"""

import asyncio
import json

import pytest
import requests
import websockets

from conftest import REPO_ROOT, EmulatorProcess

TEMPLATE = REPO_ROOT / "Fixtures" / "apigateway-tests" / "integrations" / "template.yaml"
STACK = "integrations"
TABLE = "integration-connections"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = EmulatorProcess(tmp_path_factory.mktemp("apigw-integrations"), "--stack-name", STACK, template=TEMPLATE)
    described = process.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    process.ws_url = f"ws://127.0.0.1:{process.port}/_aws/execute-api/{outputs['ApiId']}/prod"
    process.rest_url = f"{process.endpoint}/_aws/execute-api/{outputs['RestApiId']}/prod"
    yield process
    process.stop()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def exchange(url, *messages, query=""):
    """Connect, send each message and read one reply frame per message."""
    async with websockets.connect(url + query, open_timeout=30) as socket:
        replies = []
        for message in messages:
            await socket.send(json.dumps(message))
            replies.append(json.loads(await asyncio.wait_for(socket.recv(), 20)))
        return replies


def test_connect_writes_the_connection_to_dynamodb_through_an_aws_integration(server):
    (pong,) = run(exchange(server.ws_url, {"action": "ping"}, query="?user=ann"))
    connection_id = pong["connectionId"]
    item = server.client("dynamodb").get_item(TableName=TABLE, Key={"connectionId": {"S": connection_id}}, ConsistentRead=True)
    assert item["Item"] == {
        "connectionId": {"S": connection_id},
        "user": {"S": "ann"},
        "sourceIp": {"S": "127.0.0.1"},
        "routeKey": {"S": "$connect"},
    }


def test_mock_route_answers_with_its_response_template(server):
    (pong,) = run(exchange(server.ws_url, {"action": "ping"}))
    assert pong["pong"] is True
    assert pong["route"] == "ping"
    assert len(pong["connectionId"]) == 16 and pong["connectionId"].endswith("=")


def test_template_selected_by_expression_maps_the_message_and_the_2xx_response_answers(server):
    message = {"action": "save", "kind": "note", "table": TABLE, "id": "n1", "text": 'he said "hi"', "tags": ["Red", "BLUE"]}
    (reply,) = run(exchange(server.ws_url, message))
    assert reply == {"saved": True, "route": "save"}
    item = server.client("dynamodb").get_item(TableName=TABLE, Key={"connectionId": {"S": "note-n1"}}, ConsistentRead=True)["Item"]
    assert item["text"] == {"S": 'he said "hi"'}
    assert item["tagCount"] == {"N": "2"}
    assert item["tags"] == {"L": [{"S": "red"}, {"S": "blue"}]}


def test_a_dynamodb_error_selects_the_4xx_integration_response(server):
    # `tags` is not a list: `$tags.size()` is undefined and stays in the output as written (Velocity's rule), so
    # DynamoDB refuses the number `$tags.size()` and the /4\d\d/ integration response answers.
    message = {"action": "save", "kind": "note", "table": TABLE, "id": "n2", "text": "x", "tags": "abc"}
    (reply,) = run(exchange(server.ws_url, message))
    assert reply["saved"] is False
    assert reply["error"] == "ValidationException"
    assert reply["message"]
    missing = server.client("dynamodb").get_item(TableName=TABLE, Key={"connectionId": {"S": "note-n2"}}, ConsistentRead=True)
    assert "Item" not in missing


def test_a_table_outside_the_role_policy_is_refused_by_iam(server):
    message = {"action": "save", "kind": "note", "table": "no-such-table", "id": "n3", "text": "x", "tags": []}
    (reply,) = run(exchange(server.ws_url, message))
    assert reply["saved"] is False
    assert reply["error"] == "AccessDeniedException"


def test_the_credentials_role_is_checked_by_iam(server):
    (reply,) = run(exchange(server.ws_url, {"action": "denied"}))
    assert reply["error"].endswith("AccessDeniedException")
    scan = server.client("dynamodb").scan(TableName=TABLE, ConsistentRead=True)["Items"]
    assert not [item for item in scan if item["connectionId"]["S"].startswith("denied-")]


def test_a_template_that_does_not_parse_answers_internal_server_error(server):
    (frame,) = run(exchange(server.ws_url, {"action": "broken"}))
    assert frame["message"] == "Internal server error"
    assert set(frame) == {"message", "connectionId", "requestId"}


# ------------------------------------------------------------------------------------------------ REST APIs


def test_rest_mock_integration_maps_status_headers_and_body(server):
    answer = requests.get(f"{server.rest_url}/mock", params={"id": "a1"}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["X-Mocked"] == "yes"
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"id": "a1", "stage": "prod", "greeting": "hello"}


def test_rest_mock_status_from_the_request_template_selects_the_integration_response(server):
    answer = requests.get(f"{server.rest_url}/mock", params={"id": "missing"}, timeout=30)
    assert answer.status_code == 404
    assert answer.json() == {"message": "no item missing"}


def test_rest_aws_integration_puts_the_mapped_item(server):
    answer = requests.post(f"{server.rest_url}/items", json={"id": "r1", "count": 3}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored": True}
    item = server.client("dynamodb").get_item(TableName=TABLE, Key={"connectionId": {"S": "rest-r1"}}, ConsistentRead=True)["Item"]
    assert item["count"] == {"N": "3"}
    assert item["requestId"]["S"] == answer.headers["x-amzn-RequestId"]


def test_rest_aws_integration_error_selects_the_4xx_response(server):
    answer = requests.post(f"{server.rest_url}/items", json={"id": "r2", "count": "not-a-number"}, timeout=30)
    assert answer.status_code == 400
    assert answer.json() == {"error": "ValidationException"}


def test_rest_passthrough_never_refuses_an_unmapped_content_type(server):
    # "Integration passthrough behaviors"
    # (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
    answer = requests.post(f"{server.rest_url}/items", data="id=r3", headers={"Content-Type": "text/plain"}, timeout=30)
    assert answer.status_code == 415
    assert answer.json() == {"message": "Unsupported Media Type"}
