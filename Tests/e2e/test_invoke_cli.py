"""`synapscribe-local invoke FUNCTION --event FILE|-|--from-log FILE` against a running emulator, and
`synapscribe-local events sample KIND` (AWS-shaped events with the stack's real names)."""

import json
import subprocess
import time

import pytest
from conftest import (
    EmulatorProcess,
    REPO_ROOT,
    TEMPLATE as SYNAPSCRIBE_TEMPLATE,
    emulator_binary,
)

TEMPLATE = REPO_ROOT / "Tests" / "e2e" / "templates" / "logs.yaml"


@pytest.fixture(scope="module")
def invoke_endpoint(tmp_path_factory):
    emulator = EmulatorProcess(tmp_path_factory.mktemp("invoke-cli"), template=TEMPLATE)
    try:
        yield emulator.endpoint
    finally:
        emulator.stop()


def cli(*args, stdin=None):
    return subprocess.run([str(emulator_binary()), *map(str, args)], capture_output=True, text=True, input=stdin,
                          timeout=120, cwd=REPO_ROOT)


def test_invoke_prints_response_and_log(invoke_endpoint, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"name": "cli"}))
    result = cli("invoke", "greeter", "--event", event, "--endpoint", invoke_endpoint)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["ok"] is True and body["group"] == "/aws/lambda/greeter"
    assert "hello cli" in result.stderr
    assert "START RequestId:" in result.stderr and "REPORT RequestId:" in result.stderr


def test_invoke_reads_standard_input(invoke_endpoint):
    result = cli("invoke", "Greeter", "--event", "-", "--endpoint", invoke_endpoint, stdin='{"name": "stdin"}')
    assert result.returncode == 0, result.stderr
    assert "hello stdin" in result.stderr


def test_function_error_exits_non_zero(invoke_endpoint):
    result = cli("invoke", "greeter", "--event", "-", "--endpoint", invoke_endpoint, stdin='{"fail": true}')
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "asked to fail"
    assert "function error: Unhandled" in result.stderr


def test_unknown_function_is_refused(invoke_endpoint):
    result = cli("invoke", "no-such-function", "--endpoint", invoke_endpoint)
    assert result.returncode == 2
    assert "ResourceNotFoundException" in result.stderr


def test_from_log_replays_the_event_a_function_printed(invoke_endpoint, tmp_path):
    log = tmp_path / "lines.log"
    log.write_text("START RequestId: 1 Version: $LATEST\n"
                   "2026-12-03T10:00:00.000Z\t1\tINFO\tevent: {\"name\": \"from-log\"}\n")
    result = cli("invoke", "greeter", "--from-log", log, "--endpoint", invoke_endpoint)
    assert result.returncode == 0, result.stderr
    assert "hello from-log" in result.stderr


def test_events_sample_uses_the_stack_names():
    result = cli("events", "sample", "s3-put", "--template", SYNAPSCRIBE_TEMPLATE, "--key", "lectures/a.json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["object"]["key"] == "lectures/a.json"
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{record['s3']['bucket']['name']}"
    for kind, check in [
        ("ws-connect", lambda e: e["requestContext"]["eventType"] == "CONNECT"),
        ("ws-message", lambda e: e["requestContext"]["routeKey"] == "$default" and "body" in e),
        ("ws-disconnect", lambda e: e["requestContext"]["disconnectStatusCode"] == 1005),
        ("dynamodb-stream", lambda e: e["Records"][0]["eventSource"] == "aws:dynamodb"),
        ("api", lambda e: e["httpMethod"] == "POST" and e["requestContext"]["stage"]),
        ("http-api", lambda e: e["version"] == "2.0"),
    ]:
        result = cli("events", "sample", kind, "--template", SYNAPSCRIBE_TEMPLATE)
        assert result.returncode == 0, (kind, result.stderr)
        assert check(json.loads(result.stdout)), kind
    refused = cli("events", "sample", "sqs", "--template", SYNAPSCRIBE_TEMPLATE)
    assert refused.returncode != 0 and "unknown event kind 'sqs'" in refused.stderr


def test_sample_s3_event_reproduces_a_lecture_validation(emulator, client, tmp_path):
    """The issue's "done when": a sample S3 event for a stored lecture, replayed with `invoke --event` against the
    session emulator (the SynapScribe template), validates it and records it again in DynamoDB."""
    s3, ddb = client("s3"), client("dynamodb")
    bucket, table, key = "synapscribe-audio-000000000000", "SynapScribe-Sessions", "lectures/replay/week-9.mp3"
    item_key = {"sessionId": {"S": "lecture"}, "lectureId": {"S": "replay/week-9"}}
    s3.put_object(Bucket=bucket, Key=key, Body=b"ID3" + b"\0" * 2048, ContentType="audio/mpeg")
    deadline = time.time() + 60
    while time.time() < deadline and "Item" not in ddb.get_item(TableName=table, Key=item_key):
        time.sleep(0.2)
    ddb.delete_item(TableName=table, Key=item_key)

    sample = cli("events", "sample", "s3-put", "--template", SYNAPSCRIBE_TEMPLATE, "--bucket", bucket, "--key", key)
    assert sample.returncode == 0, sample.stderr
    event = tmp_path / "s3-put.json"
    event.write_text(sample.stdout)
    result = cli("invoke", "ValidateLectureFunction", "--event", event, "--endpoint", emulator.endpoint)
    assert result.returncode == 0, result.stderr
    item = ddb.get_item(TableName=table, Key=item_key).get("Item")
    assert item and item["status"]["S"] == "ready" and item["s3Key"]["S"] == key, (item, result.stdout, result.stderr)
