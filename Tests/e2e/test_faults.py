"""Fault injection (`/_local/faults`, `synapscribe-local faults`) and `--seed`, driven with unmodified boto3.

Every injected error must come out as AWS sends it (status, code, message, the protocol's headers, DynamoDB's
x-amz-crc32), so that botocore's retry handlers behave as against AWS: standard mode recovers from injected
throttling and the retries can be counted. Faults expire by count or by virtual time, can be scoped to a resource,
and every hit is logged. The scenario "throttled DynamoDB writes during a query" runs against template.yaml's
WebSocket handler, whose own boto3 retries.
"""

import asyncio
import json
import subprocess
import time
import uuid
import zlib

import boto3
import pytest
import requests
import websockets
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, ACCOUNT_ID, REGION, SECRET_KEY, STACK_NAME, EmulatorProcess, client_config, emulator_binary

AUDIO_BUCKET = "synapscribe-audio-000000000000"
SESSIONS_TABLE = "SynapScribe-Sessions"
JSON = {"Content-Type": "application/json"}


def add_fault(endpoint, **fault):
    response = requests.post(f"{endpoint}/_local/faults", data=json.dumps(fault), headers=JSON, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["fault"]


def faults_state(endpoint):
    response = requests.get(f"{endpoint}/_local/faults", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(autouse=True)
def no_faults_left(endpoint):
    """Every test starts and ends without faults (the session emulator is shared)."""
    requests.delete(f"{endpoint}/_local/faults", headers=JSON, timeout=10)
    yield
    requests.delete(f"{endpoint}/_local/faults", headers=JSON, timeout=10)


def session_client(endpoint, service, **config):
    settings = {"retries": {"total_max_attempts": 1, "mode": "standard"}, "s3": {"addressing_style": "path"}, "read_timeout": 60}
    settings.update(config)
    return boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION).client(
        service, endpoint_url=endpoint, config=Config(**settings))


@pytest.fixture(scope="module")
def table(client):
    dynamodb = client("dynamodb")
    name = f"faults-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    yield name
    dynamodb.delete_table(TableName=name)


def function_named(client, logical_id):
    functions = client("lambda").list_functions()["Functions"]
    return next(f["FunctionName"] for f in functions if logical_id in f["FunctionName"])


def stack_output(client, key):
    outputs = client("cloudformation").describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == key)


# --------------------------------------------------------------------------- DynamoDB throttling and boto3 retries


def test_put_item_throttled_next_two_calls_standard_retry_recovers_and_counts_retries(endpoint, table):
    fault = add_fault(endpoint, service="dynamodb", operation="PutItem", resource=table,
                      error="ProvisionedThroughputExceededException", count=2)
    assert fault["id"].startswith("fault-") and fault["remaining"] == 2
    dynamodb = session_client(endpoint, "dynamodb", retries={"mode": "standard", "total_max_attempts": 3})
    sends = []
    dynamodb.meta.events.register("before-send.dynamodb.PutItem", lambda **kwargs: sends.append(1))
    response = dynamodb.put_item(TableName=table, Item={"pk": {"S": "retried"}})
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sends) == 3
    assert dynamodb.get_item(TableName=table, Key={"pk": {"S": "retried"}})["Item"]["pk"]["S"] == "retried"
    state = faults_state(endpoint)
    assert state["faults"] == []  # expired by count
    hits = [entry for entry in state["injected"] if entry["faultId"] == fault["id"]]
    assert len(hits) == 2
    assert all(h["service"] == "dynamodb" and h["operation"] == "PutItem" and h["resource"] == table for h in hits)
    assert all(h["effect"] == "ProvisionedThroughputExceededException" and len(h["requestId"]) == 52 for h in hits)


def test_throttled_put_item_is_the_wire_error_dynamodb_sends_and_changes_nothing(endpoint, table, signed_request):
    add_fault(endpoint, service="dynamodb", operation="PutItem", error="ProvisionedThroughputExceededException", count=1)
    body = json.dumps({"TableName": table, "Item": {"pk": {"S": "never-written"}}}).encode()
    response = signed_request("dynamodb", headers={"X-Amz-Target": "DynamoDB_20120810.PutItem",
                                                   "Content-Type": "application/x-amz-json-1.0"}, body=body)
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "The level of configured provisioned throughput for the table was exceeded. "
                   "Consider increasing your provisioning level with the UpdateTable API.",
    }
    assert response.headers["x-amzn-ErrorType"] == "ProvisionedThroughputExceededException"
    assert int(response.headers["x-amz-crc32"]) == zlib.crc32(response.content)
    assert len(response.headers["x-amzn-RequestId"]) == 52
    dynamodb = session_client(endpoint, "dynamodb")
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"pk": {"S": "never-written"}})


def test_throttling_exception_without_retries_surfaces_code_and_message(endpoint, table):
    add_fault(endpoint, service="dynamodb", operation="GetItem", error="ThrottlingException", count=1)
    dynamodb = session_client(endpoint, "dynamodb")
    with pytest.raises(ClientError) as raised:
        dynamodb.get_item(TableName=table, Key={"pk": {"S": "x"}})
    error = raised.value.response
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["Error"]["Message"].startswith("Throughput exceeds the current capacity of your table or index.")
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_transaction_conflict_is_not_retried_by_standard_mode(endpoint, table):
    add_fault(endpoint, service="dynamodb", operation="UpdateItem", error="TransactionConflictException", count=1)
    dynamodb = session_client(endpoint, "dynamodb", retries={"mode": "standard", "total_max_attempts": 3})
    with pytest.raises(ClientError) as raised:
        dynamodb.update_item(TableName=table, Key={"pk": {"S": "t"}}, UpdateExpression="SET a = :a",
                             ExpressionAttributeValues={":a": {"S": "1"}})
    assert raised.value.response["Error"]["Code"] == "TransactionConflictException"
    assert raised.value.response["Error"]["Message"] == "Transaction is ongoing for the item"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_rate_fails_some_calls_and_resource_scope_spares_other_tables(endpoint, table):
    add_fault(endpoint, service="dynamodb", operation="GetItem", resource=table, error="ThrottlingException", rate=0.5)
    dynamodb = session_client(endpoint, "dynamodb")
    outcomes = []
    for _ in range(40):
        try:
            dynamodb.get_item(TableName=table, Key={"pk": {"S": "x"}})
            outcomes.append(False)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ThrottlingException"
            outcomes.append(True)
    assert 5 <= outcomes.count(True) <= 35, outcomes
    # Another table is not hit.
    for _ in range(10):
        dynamodb.get_item(TableName=SESSIONS_TABLE, Key={"sessionId": {"S": "x"}, "lectureId": {"S": "y"}})
    state = faults_state(endpoint)
    assert state["faults"][0]["injected"] == outcomes.count(True)


def test_fault_expires_by_virtual_time(endpoint, table, clock):
    fault = add_fault(endpoint, service="dynamodb", operation="GetItem", error="ThrottlingException", duration="10m")
    assert "expiresAt" in fault
    dynamodb = session_client(endpoint, "dynamodb")
    with pytest.raises(ClientError):
        dynamodb.get_item(TableName=table, Key={"pk": {"S": "x"}})
    clock.advance("11m")
    dynamodb.get_item(TableName=table, Key={"pk": {"S": "x"}})
    assert faults_state(endpoint)["faults"] == []


def test_latency_delays_the_call_then_it_succeeds(endpoint, table):
    add_fault(endpoint, service="dynamodb", operation="DescribeTable", latencyMs=700, count=1)
    dynamodb = session_client(endpoint, "dynamodb")
    started = time.monotonic()
    assert dynamodb.describe_table(TableName=table)["Table"]["TableName"] == table
    assert time.monotonic() - started >= 0.7
    started = time.monotonic()
    dynamodb.describe_table(TableName=table)
    assert time.monotonic() - started < 0.7
    assert faults_state(endpoint)["injected"][-1]["effect"] == "latency 700 ms"


# --------------------------------------------------------------------------- S3


def test_s3_slow_down_is_503_and_standard_retry_recovers(endpoint, client):
    s3 = session_client(endpoint, "s3")
    add_fault(endpoint, service="s3", operation="PutObject", resource=f"{AUDIO_BUCKET}/faults/", error="SlowDown", count=1)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=AUDIO_BUCKET, Key="faults/a.txt", Body=b"a")
    error = raised.value.response
    assert error["Error"]["Code"] == "SlowDown"
    assert error["Error"]["Message"] == "Please reduce your request rate."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert len(error["ResponseMetadata"]["RequestId"]) == 16

    add_fault(endpoint, service="s3", operation="PutObject", resource=f"{AUDIO_BUCKET}/faults/", error="SlowDown", count=1)
    retrying = session_client(endpoint, "s3", retries={"mode": "standard", "total_max_attempts": 3})
    response = retrying.put_object(Bucket=AUDIO_BUCKET, Key="faults/b.txt", Body=b"b")
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert retrying.get_object(Bucket=AUDIO_BUCKET, Key="faults/b.txt")["Body"].read() == b"b"


def test_s3_internal_error_scoped_to_a_prefix(endpoint):
    s3 = session_client(endpoint, "s3")
    s3.put_object(Bucket=AUDIO_BUCKET, Key="faults-ok/x", Body=b"x")
    s3.put_object(Bucket=AUDIO_BUCKET, Key="faults-bad/x", Body=b"x")
    add_fault(endpoint, service="s3", operation="GetObject", resource=f"{AUDIO_BUCKET}/faults-bad/", error="InternalError")
    assert s3.get_object(Bucket=AUDIO_BUCKET, Key="faults-ok/x")["Body"].read() == b"x"
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=AUDIO_BUCKET, Key="faults-bad/x")
    assert raised.value.response["Error"]["Code"] == "InternalError"
    assert raised.value.response["Error"]["Message"] == "We encountered an internal error. Please try again."
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


# --------------------------------------------------------------------------- Lambda


def test_lambda_too_many_requests_as_lambda_sends_it(endpoint, client):
    name = function_named(client, "ValidateLecture")
    add_fault(endpoint, service="lambda", operation="Invoke", resource=name, error="TooManyRequestsException", count=1)
    lambda_client = session_client(endpoint, "lambda")
    with pytest.raises(ClientError) as raised:
        lambda_client.invoke(FunctionName=name, Payload=b"{}")
    error = raised.value.response
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["Error"]["Message"] == "Rate Exceeded."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Reason"] == "ConcurrentInvocationLimitExceeded"
    assert error["Type"] == "User"


def short_timeout_function(client, name, seconds):
    """A function created through the API with a short timeout (the template's run for minutes)."""
    import io
    import zipfile
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = client("iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.py", "def handler(event, context):\n    return 'ran'\n")
    client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler",
                                     Timeout=seconds, Code={"ZipFile": archive.getvalue()})
    return name


def test_lambda_function_timeout_reports_task_timed_out(endpoint, client):
    """An injected timeout answers as Lambda does, after the function's timeout (2 s here), without running it."""
    name = short_timeout_function(client, "fault-timeout", 2)
    add_fault(endpoint, service="lambda", resource=name, effect="timeout", count=1)
    started = time.monotonic()
    response = session_client(endpoint, "lambda").invoke(FunctionName=name, Payload=b"{}")
    assert time.monotonic() - started >= 2
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "Sandbox.Timedout"
    request_id = response["ResponseMetadata"]["RequestId"]
    assert payload["errorMessage"] == f"RequestId: {request_id} Error: Task timed out after 2.00 seconds"
    hit = faults_state(endpoint)["injected"][-1]
    assert hit["effect"] == "function timeout" and hit["resource"] == name and hit["requestId"] == request_id


def test_lambda_init_failure_reports_runtime_error(endpoint, client):
    name = function_named(client, "ValidateLecture")
    add_fault(endpoint, service="lambda", operation="Invoke", resource=name, effect="initFailure", count=1)
    response = session_client(endpoint, "lambda").invoke(FunctionName=name, Payload=b"{}")
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert payload["errorMessage"].startswith("Unable to import module 'app':")


# --------------------------------------------------------------------------- @connections


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=90))


def test_connections_gone_and_limit_exceeded_injected_for_a_live_connection(endpoint, client, boto_session):
    url = stack_output(client, "WebSocketURL")
    management = boto_session.client("apigatewaymanagementapi", config=client_config(),
                                     endpoint_url=stack_output(client, "ConnectionsURL").rsplit("/@connections", 1)[0])
    lecture = f"faults-{uuid.uuid4().hex[:8]}"

    async def scenario():
        async with websockets.connect(f"{url}?lectureId={lecture}", open_timeout=30) as socket:
            connection_id = connection_of(client, lecture)
            add_fault(endpoint, service="apigatewaymanagementapi", operation="PostToConnection", resource=connection_id,
                      error="GoneException", count=1)
            with pytest.raises(ClientError) as gone:
                management.post_to_connection(ConnectionId=connection_id, Data=b"never")
            add_fault(endpoint, service="execute-api", operation="PostToConnection", error="LimitExceededException", count=1)
            with pytest.raises(ClientError) as limited:
                management.post_to_connection(ConnectionId=connection_id, Data=b"never")
            management.post_to_connection(ConnectionId=connection_id, Data=b"delivered")
            return gone.value.response, limited.value.response, await asyncio.wait_for(socket.recv(), 20)

    gone, limited, received = run(scenario())
    assert gone["Error"]["Code"] == "GoneException"
    assert gone["ResponseMetadata"]["HTTPStatusCode"] == 410
    assert limited["Error"]["Code"] == "LimitExceededException"
    assert limited["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert received in (b"delivered", "delivered")  # the faults hit only their calls


def connection_of(client, lecture, timeout=30):
    """The connection id the SynapScribe $connect handler recorded for a lecture."""
    dynamodb = client("dynamodb")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = dynamodb.scan(TableName=SESSIONS_TABLE, FilterExpression="lectureId = :l",
                              ExpressionAttributeValues={":l": {"S": lecture}})["Items"]
        if items:
            return items[0]["sessionId"]["S"]
        time.sleep(0.2)
    raise AssertionError(f"no session recorded for {lecture}")


# --------------------------------------------------------------------------- the scenario


def test_throttled_dynamodb_writes_during_a_query_are_retried_and_the_turn_is_recorded(endpoint, client):
    """Throttled DynamoDB writes during a query: the handler's boto3 retries and the Q&A turn is still recorded."""
    url = stack_output(client, "WebSocketURL")
    lecture = f"faults-{uuid.uuid4().hex[:8]}"

    async def scenario():
        async with websockets.connect(f"{url}?lectureId={lecture}", open_timeout=30) as socket:
            connection_id = connection_of(client, lecture)
            fault = add_fault(endpoint, service="dynamodb", operation="UpdateItem", resource=SESSIONS_TABLE,
                              error="ProvisionedThroughputExceededException", count=2)
            await socket.send(json.dumps({"action": "query", "lectureId": lecture, "question": "What is a monad?"}))
            frames = []
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 60))
                frames.append(frame)
                if frame.get("type") in ("done", "error"):
                    return connection_id, fault, frames

    connection_id, fault, frames = run(scenario())
    assert frames[-1]["type"] == "done", frames
    dynamodb = client("dynamodb")
    deadline = time.monotonic() + 30
    item = {}
    while time.monotonic() < deadline:
        item = dynamodb.get_item(TableName=SESSIONS_TABLE, Key={"sessionId": {"S": connection_id}, "lectureId": {"S": lecture}})["Item"]
        if item.get("totalTurns", {}).get("N") == "1":
            break
        time.sleep(0.2)
    assert item["totalTurns"]["N"] == "1", item
    assert item["conversation"]["L"][0]["M"]["question"]["S"] == "What is a monad?"
    hits = [h for h in faults_state(endpoint)["injected"] if h["faultId"] == fault["id"]]
    assert [h["operation"] for h in hits] == ["UpdateItem", "UpdateItem"]
    assert faults_state(endpoint)["faults"] == []


# --------------------------------------------------------------------------- admin API and CLI


@pytest.mark.parametrize("body,message", [
    ({"operation": "PutItem", "error": "ThrottlingException"}, "service is required"),
    ({"service": "dynamodb"}, "a fault needs an effect"),
    ({"service": "dynamodb", "error": "ThrottlingException", "rate": 2}, "rate must be"),
    ({"service": "nosuch", "error": "X"}, "unknown service 'nosuch'"),
    ({"service": "dynamodb", "effect": "timeout"}, "Lambda invocations only"),
])
def test_bad_fault_is_refused_with_a_clear_400(endpoint, body, message):
    response = requests.post(f"{endpoint}/_local/faults", data=json.dumps(body), headers=JSON, timeout=10)
    assert response.status_code == 400
    assert response.json()["__type"] == "ValidationException"
    assert message in response.json()["message"]
    assert faults_state(endpoint)["faults"] == []


def test_delete_one_fault_and_unknown_id(endpoint):
    first = add_fault(endpoint, service="s3", error="SlowDown")
    second = add_fault(endpoint, service="s3", latencyMs=1)
    assert requests.delete(f"{endpoint}/_local/faults/{first['id']}", headers=JSON, timeout=10).status_code == 200
    assert [f["id"] for f in faults_state(endpoint)["faults"]] == [second["id"]]
    missing = requests.delete(f"{endpoint}/_local/faults/fault-999999", headers=JSON, timeout=10)
    assert missing.status_code == 404 and missing.json()["__type"] == "ResourceNotFoundException"
    # Cross-site rules hold: a write without the JSON content type is refused.
    assert requests.delete(f"{endpoint}/_local/faults", timeout=10).status_code == 415


def test_cli_faults_add_list_clear(endpoint, table):
    binary = str(emulator_binary())

    def cli(*args):
        result = subprocess.run([binary, "faults", *args, "--endpoint", endpoint], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)

    added = cli("add", "--service", "dynamodb", "--operation", "GetItem", "--resource", table,
                "--error", "ThrottlingException", "--count", "1")
    assert added["fault"]["resource"] == table and added["fault"]["remaining"] == 1
    listed = cli("list")
    assert [f["id"] for f in listed["faults"]] == [added["fault"]["id"]]
    with pytest.raises(ClientError):
        session_client(endpoint, "dynamodb").get_item(TableName=table, Key={"pk": {"S": "x"}})
    assert cli("list")["injected"][-1]["faultId"] == added["fault"]["id"]
    cli("add", "--service", "s3", "--error", "SlowDown")
    assert cli("clear")["removed"] == 1
    assert cli("list") == {"faults": [], "injected": [], "droppedInjected": 0, "logCapacity": 500}
    refused = subprocess.run([binary, "faults", "add", "--service", "dynamodb", "--endpoint", endpoint],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "a fault needs an effect" in refused.stdout


# --------------------------------------------------------------------------- --seed


def throttled_pattern(process, calls=40):
    add_fault(process.endpoint, service="dynamodb", operation="ListTables", error="ThrottlingException", rate=0.5)
    dynamodb = process.client("dynamodb")
    pattern = []
    for _ in range(calls):
        try:
            dynamodb.list_tables()
            pattern.append(0)
        except ClientError:
            pattern.append(1)
    return pattern


def generated_ids(process):
    """Ids the emulator draws at random, one of each kind the control planes hand out."""
    iam, s3 = process.client("iam"), process.client("s3")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam.create_user(UserName="seeded")
    return {
        "role": iam.create_role(RoleName="seeded", AssumeRolePolicyDocument=trust)["Role"]["RoleId"],
        "access-key": iam.create_access_key(UserName="seeded")["AccessKey"]["AccessKeyId"],
        "session": process.client("sts").get_session_token()["Credentials"]["AccessKeyId"],
        "api": process.client("apigatewayv2").create_api(Name="seeded", ProtocolType="WEBSOCKET",
                                                       RouteSelectionExpression="$request.body.action")["ApiId"],
        "rest-api": process.client("apigateway").create_rest_api(name="seeded")["id"],
        "upload": s3.create_multipart_upload(Bucket=f"synapscribe-audio-{ACCOUNT_ID}", Key="queries/seeded")["UploadId"],
        "table": process.client("dynamodb").create_table(
            TableName="seeded", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])["TableDescription"]["TableId"],
    }


def test_same_seed_fails_the_same_calls_and_another_seed_differs(tmp_path):
    patterns, ids = [], []
    for seed in (42, 42, 43):
        process = EmulatorProcess(tmp_path, "--seed", seed)
        try:
            patterns.append(throttled_pattern(process))
            ids.append(generated_ids(process))
        finally:
            process.stop()
    assert patterns[0] == patterns[1]
    assert 0 < sum(patterns[0]) < len(patterns[0])
    assert patterns[0] != patterns[2]
    # Every id kind repeats under the same seed and differs under another.
    assert ids[0] == ids[1]
    assert all(ids[0][kind] != ids[2][kind] for kind in ids[0]), (ids[0], ids[2])
