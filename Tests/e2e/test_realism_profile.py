"""The realism profile (issue 18 item 1): `--profile aws` and `--profile-file`, and the SynapScribe deployment
report's production scenarios reproduced against template.yaml with its unmodified handlers.

The profile file keeps the values small so the suite stays fast (cold start 1.5 s instead of 3 s, S3 notification
delay 0.5 s instead of 1-2 s), turns rates to 1 so each behaviour shows on every event, and leaves eventually
consistent reads to their own test (on the virtual clock) so the other scenarios' reads stay deterministic. Timing is only ever
asserted as a lower bound or an ordering, never as an upper bound.
"""

import asyncio
import base64
import json
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import websockets
from botocore.exceptions import ClientError
from conftest import EmulatorProcess, Clock

AUDIO_BUCKET = "synapscribe-audio-000000000000"
SESSIONS_TABLE = "SynapScribe-Sessions"
STREAMS_TEMPLATE = Path(__file__).parent / "templates" / "dynamodb_streams.yaml"

PROFILE = """\
profile: aws
lambdaColdStart: 1.5s
lambdaIdleReclaim: 60
s3NotificationDelayMin: 0.5
s3NotificationDelayMax: 0.5
s3NotificationDuplicateRate: 1
s3NotificationFailureRate: 0
streamDuplicateRate: 1
ttlDeletionDelay: 1h
readLag: 0
"""


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def log_messages(server, function):
    return [line["message"] for line in requests.get(f"{server.endpoint}/_local/logs/{function}", timeout=10).json()["lines"]]


def json_logs(server, function, message):
    """The handler's structured log lines (its `log()` helper prints JSON) with this message."""
    found = []
    for text in log_messages(server, function):
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message") == message:
            found.append(entry)
    return found


def report_lines(log_tail):
    return [line for line in base64.b64decode(log_tail).decode().splitlines() if line.startswith("REPORT RequestId:")]


def init_milliseconds(report):
    """The REPORT line's Init Duration in ms, or None for a warm invocation."""
    for part in report.split("\t"):
        if part.startswith("Init Duration: "):
            return float(part[len("Init Duration: "):].split()[0])
    return None


def outputs(server):
    stack = server.client("cloudformation").describe_stacks()["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


@pytest.fixture(scope="module")
def realistic(tmp_path_factory, agentcore):
    """The SynapScribe stack under the `aws` profile with the test's smaller values, AgentCore answering."""
    folder = tmp_path_factory.mktemp("realism")
    profile = folder / "profile.yaml"
    profile.write_text(PROFILE)
    server = EmulatorProcess(folder, "--profile-file", profile, "--parameter-overrides", f"AgentCoreEndpoint={agentcore.url}")
    yield server
    server.stop()


def test_startup_summary_names_the_active_profile(realistic):
    summary = realistic.log_path.read_text()
    assert "Profile: aws+file" in summary
    assert "Lambda cold start 1.5 s, idle reclaim 60 s, account concurrency 1000" in summary
    assert "TTL deletion after 3600 s" in summary


def test_default_profile_is_printed_as_fast_and_deterministic(emulator):
    if emulator.log_path is None:
        pytest.skip("reusing a running emulator: its start-up output is not ours to read")
    assert "Profile: default (fast, deterministic)" in Path(emulator.log_path).read_text()


def test_unknown_profile_key_is_refused_at_start(tmp_path):
    profile = tmp_path / "bad.json"
    profile.write_text('{"lambdaColdStrat": 3}')
    server = EmulatorProcess(tmp_path, "--profile-file", profile, wait=False)
    try:
        assert server.process.wait(timeout=60) != 0
    finally:
        server.stop()
    output = server.log_path.read_text()
    assert "unknown profile key 'lambdaColdStrat'" in output, output


def test_cold_start_shows_in_init_duration_and_comes_back_after_idle_reclaim(realistic):
    """The first invocation of an environment pays the profile's cold start (REPORT's Init Duration is at least
    1.5 s); a warm one does not; once the idle reclaim time passes on the virtual clock, the next is cold again."""
    lam = realistic.client("lambda", read_timeout=120)

    def invoke():
        result = lam.invoke(FunctionName="ValidateLectureFunction", Payload=b'{"Records": []}', LogType="Tail")
        assert result["StatusCode"] == 200 and "FunctionError" not in result, result
        assert json.loads(result["Payload"].read())["processed"] == 0
        return init_milliseconds(report_lines(result["LogResult"])[-1])

    cold = invoke()
    assert cold is not None and cold >= 1500, cold
    assert invoke() is None
    Clock(realistic.endpoint).advance("2m")
    # The reaper runs when the clock moves; wait until the environment is gone, then the next invocation is cold.
    time.sleep(1)
    again = invoke()
    assert again is not None and again >= 1500, again


def test_duplicated_lecture_notification(realistic):
    """S3 delivers a notification at least once; the profile delivers every one twice (same sequencer, same
    request id) and 0.5 s late.

    What SynapScribe's ValidateLectureFunction does with the duplicate: it validates the lecture a second time
    (a second HeadObject and a second PutItem of the same key), so the outcome is idempotent — one lecture item,
    status `ready` — but not the work: `validatedAt` is rewritten by the second delivery and nothing records
    that the event was seen before (no conditional write on the sequencer)."""
    s3 = realistic.client("s3")
    ddb = realistic.client("dynamodb")
    lecture = f"dup/{uuid.uuid4().hex[:8]}"
    key = f"lectures/{lecture}.mp3"
    s3.put_object(Bucket=AUDIO_BUCKET, Key=key, Body=b"ID3" + b"\0" * 1024, ContentType="audio/mpeg")
    item_key = {"sessionId": {"S": "lecture"}, "lectureId": {"S": lecture}}
    # The notification is late: nothing has validated the lecture when PutObject returns.
    assert "Item" not in ddb.get_item(TableName=SESSIONS_TABLE, Key=item_key, ConsistentRead=True)

    def both_deliveries():
        validated = [e for e in json_logs(realistic, "ValidateLectureFunction", "lecture validated") if e.get("key") == key]
        return validated if len(validated) >= 2 else None

    validated = wait_for(both_deliveries)
    assert validated and len(validated) == 2, validated
    assert all(entry["status"] == "ready" for entry in validated)
    items = ddb.query(TableName=SESSIONS_TABLE, KeyConditionExpression="sessionId = :s AND lectureId = :l",
                      ExpressionAttributeValues={":s": {"S": "lecture"}, ":l": {"S": lecture}}, ConsistentRead=True)["Items"]
    assert len(items) == 1 and items[0]["status"]["S"] == "ready", items
    assert "delivered twice" in realistic.log_path.read_text()


def test_query_whose_client_disconnects_mid_stream(realistic):
    """The client asks a question and hangs up after the first streamed line. The handler's next
    post_to_connection gets GoneException (410): SynapScribe's handler catches it as ClientGoneError, logs
    "client disconnected during streaming", returns 410 and records no turn — the question asked is lost from
    the session's history; $disconnect marks the session disconnected."""
    url = next(v for v in outputs(realistic).values() if v.startswith("ws://"))
    lecture = f"gone-{uuid.uuid4().hex[:8]}"

    async def scenario():
        async with websockets.connect(url + f"?lectureId={lecture}", open_timeout=60) as socket:
            await socket.send(json.dumps({"action": "query", "lectureId": lecture, "question": "[slow] Why is the sky blue?"}))
            first = json.loads(await asyncio.wait_for(socket.recv(), 60))
            return first

    first = asyncio.run(asyncio.wait_for(scenario(), 120))
    assert first.get("type") == "token", first
    gone = wait_for(lambda: json_logs(realistic, "WebSocketHandler", "client disconnected during streaming"))
    assert gone, log_messages(realistic, "WebSocketHandler")[-20:]
    connection_id = gone[-1]["connectionId"]
    ddb = realistic.client("dynamodb")

    def disconnected():
        item = ddb.get_item(TableName=SESSIONS_TABLE, ConsistentRead=True,
                            Key={"sessionId": {"S": connection_id}, "lectureId": {"S": lecture}}).get("Item")
        return item if item and item["status"]["S"] == "disconnected" else None

    item = wait_for(disconnected)
    assert item, "the $disconnect route did not mark the session"
    assert item["totalTurns"]["N"] == "0" and item["conversation"]["L"] == [], item


def test_slow_cold_start_hits_the_clients_timeout(realistic):
    """A client whose WebSocket open timeout (1 s) is shorter than the cold start (1.5 s) gives up on the first
    connection after idle reclaim, as the report's first connection of the day would; once warm, it connects."""
    url = next(v for v in outputs(realistic).values() if v.startswith("ws://"))
    Clock(realistic.endpoint).advance("2m")
    time.sleep(1)

    async def attempt(timeout):
        async with websockets.connect(url + "?lectureId=cold", open_timeout=timeout):
            return True

    with pytest.raises((asyncio.TimeoutError, TimeoutError)):
        asyncio.run(attempt(1.0))
    assert wait_for(lambda: asyncio.run(attempt(60)), timeout=120)


def test_stream_batches_are_delivered_twice_with_the_same_sequence_numbers(tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"streamDuplicateRate": 1, "ttlDeletionDelay": None}))
    server = EmulatorProcess(tmp_path, "--stack-name", "realism-streams", "--profile-file", profile, template=STREAMS_TEMPLATE)
    try:
        ddb = server.client("dynamodb")
        ddb.put_item(TableName="streams-source", Item={"pk": {"S": "esm-dup"}})

        def batches():
            found = [json.loads(m)["batch"] for m in log_messages(server, "Recorder") if m.startswith('{"batch"')]
            return found if len(found) >= 2 else None

        seen = wait_for(batches)
        assert seen and len(seen) == 2, seen
        assert seen[0] == seen[1], seen
        assert seen[0][0]["pk"] == "esm-dup"
    finally:
        server.stop()


def test_dropped_notifications_and_a_lowered_concurrency_limit(tmp_path):
    """The report's risks 1 and 2: every S3 notification fails (AWS drops it after its retries, so the lecture
    is never validated), and an account limit of 1 throttles a second concurrent invocation with Lambda's
    TooManyRequestsException (429, "Rate Exceeded.", Reason ConcurrentInvocationLimitExceeded)."""
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"profile": "aws", "lambdaConcurrency": 1, "s3NotificationFailureRate": 1, "lambdaColdStart": 3}))
    server = EmulatorProcess(tmp_path, "--profile-file", profile)
    try:
        s3 = server.client("s3")
        s3.put_object(Bucket=AUDIO_BUCKET, Key="lectures/dropped.mp3", Body=b"ID3" + b"\0" * 64, ContentType="audio/mpeg")
        assert "Realism profile: notification to" in server.log_path.read_text()
        assert "dropped (delivery failed after retries)" in server.log_path.read_text()

        lam = server.client("lambda", read_timeout=120)

        first = {}
        thread = threading.Thread(
            target=lambda: first.setdefault("result", lam.invoke(FunctionName="ValidateLectureFunction", Payload=b'{"Records": []}')))
        thread.start()
        time.sleep(0.5)  # the first invocation holds the only slot for at least its 3 s cold start
        with pytest.raises(ClientError) as throttled:
            server.client("lambda").invoke(FunctionName="ValidateLectureFunction", Payload=b'{"Records": []}')
        thread.join(120)
        error = throttled.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["Error"]["Code"] == "TooManyRequestsException"
        assert error["Error"]["Message"] == "Rate Exceeded."
        assert error["Reason"] == "ConcurrentInvocationLimitExceeded"
        assert first["result"]["StatusCode"] == 200
        # The dropped notification never ran the function: its only invocations are the two above.
        assert not json_logs(server, "ValidateLectureFunction", "lecture validated")
    finally:
        server.stop()


def test_ttl_deletion_lags_by_the_profiles_delay(realistic):
    """AWS deletes expired items within days, not at once; the profile's 1 h lag keeps an expired session item
    readable until the clock passes its TTL plus the lag."""
    ddb = realistic.client("dynamodb")
    clock = Clock(realistic.endpoint)
    now = int(clock.now().timestamp())
    key = {"sessionId": {"S": f"ttl-{uuid.uuid4().hex[:8]}"}, "lectureId": {"S": "x"}}
    ddb.put_item(TableName=SESSIONS_TABLE, Item={**key, "expiresAt": {"N": str(now - 60)}})
    clock.advance("30m")
    time.sleep(1)
    assert "Item" in ddb.get_item(TableName=SESSIONS_TABLE, Key=key, ConsistentRead=True)
    clock.advance("2h")
    assert wait_for(lambda: "Item" not in ddb.get_item(TableName=SESSIONS_TABLE, Key=key, ConsistentRead=True), timeout=30)


def test_eventually_consistent_reads_lag_behind_writes(tmp_path):
    """With `readLag` (1 s in the aws profile; 1 h of virtual time here, so the clock decides), GetItem, Query and Scan
    without ConsistentRead and every read of a global secondary index see the table as it was before the recent
    writes; ConsistentRead=true always sees the latest write; once the lag has passed, every read does."""
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"readLag": "1h"}))
    server = EmulatorProcess(tmp_path, "--profile-file", profile)
    try:
        ddb = server.client("dynamodb")
        ddb.create_table(
            TableName="lagging",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "owner", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "byOwner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PAY_PER_REQUEST",
        )
        key = {"pk": {"S": "a"}}
        ddb.put_item(TableName="lagging", Item={**key, "owner": {"S": "ann"}, "v": {"N": "1"}})
        assert "Item" not in ddb.get_item(TableName="lagging", Key=key)
        assert ddb.get_item(TableName="lagging", Key=key, ConsistentRead=True)["Item"]["v"] == {"N": "1"}
        owner = {"KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"},
                 "ExpressionAttributeValues": {":o": {"S": "ann"}}}
        assert ddb.query(TableName="lagging", IndexName="byOwner", **owner)["Items"] == []
        assert ddb.query(TableName="lagging", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "a"}})["Items"] == []
        assert len(ddb.query(TableName="lagging", KeyConditionExpression="pk = :p", ConsistentRead=True,
                             ExpressionAttributeValues={":p": {"S": "a"}})["Items"]) == 1
        assert ddb.scan(TableName="lagging")["Items"] == []
        assert len(ddb.scan(TableName="lagging", ConsistentRead=True)["Items"]) == 1

        clock = Clock(server.endpoint)
        clock.advance("2h")
        assert ddb.get_item(TableName="lagging", Key=key)["Item"]["v"] == {"N": "1"}
        assert [i["pk"] for i in ddb.query(TableName="lagging", IndexName="byOwner", **owner)["Items"]] == [{"S": "a"}]

        # An update is seen late too: eventually consistent reads keep the earlier value for the lag.
        ddb.update_item(TableName="lagging", Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}})
        assert ddb.get_item(TableName="lagging", Key=key)["Item"]["v"] == {"N": "1"}
        assert ddb.query(TableName="lagging", IndexName="byOwner", **owner)["Items"][0]["v"] == {"N": "1"}
        assert ddb.get_item(TableName="lagging", Key=key, ConsistentRead=True)["Item"]["v"] == {"N": "2"}
        # BatchGetItem reads the same way, per table's ConsistentRead.
        batch = ddb.batch_get_item(RequestItems={"lagging": {"Keys": [key]}})["Responses"]["lagging"]
        assert [item["v"] for item in batch] == [{"N": "1"}]
        batch = ddb.batch_get_item(RequestItems={"lagging": {"Keys": [key], "ConsistentRead": True}})["Responses"]["lagging"]
        assert [item["v"] for item in batch] == [{"N": "2"}]
        # So does a PartiQL SELECT.
        statement = "SELECT * FROM lagging WHERE pk = 'a'"
        assert ddb.execute_statement(Statement=statement)["Items"][0]["v"] == {"N": "1"}
        assert ddb.execute_statement(Statement=statement, ConsistentRead=True)["Items"][0]["v"] == {"N": "2"}
        ddb.delete_item(TableName="lagging", Key=key)
        assert ddb.get_item(TableName="lagging", Key=key)["Item"]["v"] == {"N": "1"}
        assert "Item" not in ddb.get_item(TableName="lagging", Key=key, ConsistentRead=True)
        clock.advance("2h")
        assert "Item" not in ddb.get_item(TableName="lagging", Key=key)
        assert ddb.query(TableName="lagging", IndexName="byOwner", **owner)["Items"] == []
    finally:
        server.stop()
