"""CloudWatch Logs over the emulator's Lambda output, driven with boto3 and the AWS CLI.

Runs its own emulator on `templates/logs.yaml` (function `greeter`, log groups from AWS::Logs::LogGroup). Expected
shapes follow AWS: `/aws/lambda/{function}` groups with one stream per execution environment named
`YYYY/MM/DD/[$LATEST]<32 hex>`, START/END/REPORT lines as Lambda prints them, ResourceNotFoundException
"The specified log group does not exist.", InvalidParameterException for constraint violations.

`aws logs tail` is an AWS CLI v2 command (PyPI carries only v1): the tests use `aws` on PATH when it is v2, else
Debian's /usr/bin/aws (the awscli package, v2, which scripts/setup installs). Where no v2 exists at all the `--follow`
test runs the very polling `aws logs tail --follow` does (FilterLogEvents with startTime and interleaved, nextToken
pages, eventId de-duplication, a pause between polls) in a subprocess instead, and the plain `tail` tests are skipped.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import (
    EmulatorProcess,
    ACCESS_KEY,
    REGION,
    REPO_ROOT,
    SECRET_KEY,
    client_config,
)

TEMPLATE = REPO_ROOT / "Tests" / "e2e" / "templates" / "logs.yaml"
GROUP = "/aws/lambda/greeter"
STREAM = re.compile(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")


@pytest.fixture(scope="module")
def logs_endpoint(tmp_path_factory):
    emulator = EmulatorProcess(tmp_path_factory.mktemp("logs-api"), template=TEMPLATE)
    try:
        yield emulator.endpoint
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def session():
    return boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)


@pytest.fixture(scope="module")
def logs(session, logs_endpoint):
    return session.client("logs", endpoint_url=logs_endpoint, config=client_config())


@pytest.fixture(scope="module")
def lam(session, logs_endpoint):
    return session.client("lambda", endpoint_url=logs_endpoint, config=client_config())


def invoke(lam, payload):
    response = lam.invoke(FunctionName="greeter", Payload=json.dumps(payload))
    return response, json.loads(response["Payload"].read())


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"], \
        excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def events_of(logs, request_id, **kwargs):
    """FilterLogEvents for one request's lines (waits briefly: lines arrive as the worker prints them)."""
    deadline = time.time() + 10
    while True:
        found = logs.filter_log_events(logGroupName=GROUP, **kwargs)["events"]
        mine = [event for event in found if request_id in event["message"]]
        if any(event["message"].startswith("REPORT") for event in mine) or time.time() > deadline:
            return found, mine
        time.sleep(0.2)


def test_template_groups_with_retention_are_listed(logs):
    groups = {group["logGroupName"]: group for group in logs.describe_log_groups()["logGroups"]}
    assert groups[GROUP]["retentionInDays"] == 7
    assert groups[GROUP]["arn"].endswith(f":log-group:{GROUP}:*")
    generated = [name for name in groups if "AuditLogGroup" in name]
    assert generated and groups[generated[0]]["retentionInDays"] == 1
    prefixed = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert [group["logGroupName"] for group in prefixed] == [GROUP]


def test_invocation_lines_land_in_one_stream_per_environment(logs, lam):
    response, body = invoke(lam, {"name": "logs"})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert body["group"] == GROUP and STREAM.match(body["stream"])
    _, mine = events_of(logs, request_id)
    messages = [event["message"] for event in mine]
    assert messages[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert f"END RequestId: {request_id}" in messages
    assert re.match(rf"^REPORT RequestId: {request_id}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t", messages[-1])
    assert {event["logStreamName"] for event in mine} == {body["stream"]}

    streams = logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime", descending=True)["logStreams"]
    assert streams[0]["logStreamName"] == body["stream"]
    assert streams[0]["lastEventTimestamp"] >= streams[0]["firstEventTimestamp"]

    # GetLogEvents from the head, then the forward token: nothing new comes back with the same token.
    page = logs.get_log_events(logGroupName=GROUP, logStreamName=body["stream"], startFromHead=True)
    assert any(event["message"] == "hello logs" for event in page["events"])
    again = logs.get_log_events(logGroupName=GROUP, logStreamName=body["stream"], nextToken=page["nextForwardToken"])
    assert again["events"] == [] and again["nextForwardToken"] == page["nextForwardToken"]
    limited = logs.get_log_events(logGroupName=GROUP, logStreamName=body["stream"], limit=1)
    assert limited["events"][0]["message"] == page["events"][-1]["message"]


def test_filter_patterns(logs, lam):
    response, _ = invoke(lam, {"name": "pattern", "level": "ERROR", "latency": 250})
    request_id = response["ResponseMetadata"]["RequestId"]
    events_of(logs, request_id)

    def messages(pattern):
        return [event["message"] for event in logs.filter_log_events(logGroupName=GROUP, filterPattern=pattern)["events"]]

    assert messages('"hello pattern"') == ["hello pattern"]
    assert all("pattern" not in message for message in messages("hello -pattern"))
    assert any(message.startswith("START") for message in messages("?START ?nothing-like-this"))
    json_hits = messages('{ $.level = "ERROR" && $.latency > 100 }')
    assert json_hits == [json.dumps({"level": "ERROR", "latency": 250})]
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=GROUP, filterPattern="[ip, user]")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_filter_log_events_pages_with_next_token(logs, lam):
    for n in range(2):
        response, _ = invoke(lam, {"name": f"page{n}"})
    events_of(logs, response["ResponseMetadata"]["RequestId"])
    everything = logs.filter_log_events(logGroupName=GROUP)["events"]
    paged, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = logs.filter_log_events(logGroupName=GROUP, limit=3, **kwargs)
        paged += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    assert [event["eventId"] for event in paged] == [event["eventId"] for event in everything]
    assert len({event["eventId"] for event in paged}) == len(paged)


def test_errors_with_aws_texts(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName="/aws/lambda/missing")
    assert error_of(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName=GROUP, logStreamName="no-such-stream")
    assert error_of(excinfo) == ("ResourceNotFoundException", "The specified log stream does not exist.", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName=GROUP)
    assert error_of(excinfo) == ("ResourceAlreadyExistsException", "The specified log group already exists", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName=GROUP, retentionInDays=2)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: "
                              "Member must satisfy enum value set: [1, 3, 5, 7, 14,")
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime", logStreamNamePrefix="2026")
    assert error_of(excinfo) == ("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.", 400)
    stream = logs.describe_log_streams(logGroupName=GROUP)["logStreams"][0]["logStreamName"]
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName=GROUP, logStreamName=stream, nextToken="f/not-a-token")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_api_groups_streams_events_and_retention_on_the_virtual_clock(logs, logs_endpoint):
    import requests

    logs.create_log_group(logGroupName="/app/api")
    logs.create_log_stream(logGroupName="/app/api", logStreamName="s1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/app/api", logStreamName="s1",
                        logEvents=[{"timestamp": now, "message": "first"}, {"timestamp": now + 1, "message": "second"}])
    page = logs.get_log_events(logGroupName="/app/api", logStreamName="s1", startFromHead=True)
    assert [event["message"] for event in page["events"]] == ["first", "second"]
    logs.put_retention_policy(logGroupName="/app/api", retentionInDays=1)
    assert logs.describe_log_groups(logGroupNamePrefix="/app/api")["logGroups"][0]["retentionInDays"] == 1
    moved = requests.post(f"{logs_endpoint}/_local/clock", json={"advance": "2d"}, timeout=10)
    assert moved.status_code == 200, moved.text
    try:
        page = logs.get_log_events(logGroupName="/app/api", logStreamName="s1", startFromHead=True)
        assert page["events"] == []
    finally:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        requests.post(f"{logs_endpoint}/_local/clock", json={"set": now}, timeout=10)
    logs.delete_log_group(logGroupName="/app/api")
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName="/app/api")
    assert error_of(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)


def cli_env():
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"})
    return env


def aws_cli_v2():
    """The AWS CLI v2 executable (which has `logs tail`): `aws` on PATH when it is v2, else Debian's /usr/bin/aws
    (scripts/setup installs the awscli package, v2, when no v2 is found); None when there is none."""
    for path in (shutil.which("aws"), "/usr/bin/aws"):
        if not path or not os.access(path, os.X_OK):
            continue
        version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        if version.startswith("aws-cli/2"):
            return path
    return None


def test_cli_filter_log_events(logs_endpoint, lam):
    response, _ = invoke(lam, {"name": "cli"})
    request_id = response["ResponseMetadata"]["RequestId"]
    time.sleep(0.5)
    result = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", logs_endpoint, "logs", "filter-log-events",
         "--log-group-name", GROUP, "--filter-pattern", f'"{request_id}"'],
        capture_output=True, text=True, env=cli_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    messages = [event["message"] for event in json.loads(result.stdout)["events"]]
    assert messages[0].startswith(f"START RequestId: {request_id}")
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}")


def cli_v2_tail_after_invoke(logs_endpoint, lam, name, *tail_args):
    """Invokes the function, then runs `aws logs tail GROUP *tail_args` with CLI v2; (request id, result)."""
    aws = aws_cli_v2()
    if aws is None:
        pytest.skip("`aws logs tail` needs AWS CLI v2 (scripts/setup installs Debian's awscli package)")
    response, _ = invoke(lam, {"name": name})
    time.sleep(0.5)
    result = subprocess.run([aws, "--endpoint-url", logs_endpoint, "logs", "tail", GROUP, *tail_args],
                            capture_output=True, text=True, env=cli_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    return response["ResponseMetadata"]["RequestId"], result


def test_cli_v2_tail_filter_pattern(logs_endpoint, lam):
    request_id, result = cli_v2_tail_after_invoke(logs_endpoint, lam, "tail-filter", "--since", "10m",
                                                  "--filter-pattern", "REPORT", "--format", "short")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert any(f"REPORT RequestId: {request_id}" in line for line in lines), result.stdout
    assert all("REPORT RequestId:" in line for line in lines), result.stdout


def test_cli_v2_tail(logs_endpoint, lam):
    request_id, result = cli_v2_tail_after_invoke(logs_endpoint, lam, "tail", "--since", "1h")
    assert f"START RequestId: {request_id}" in result.stdout and f"REPORT RequestId: {request_id}" in result.stdout


# The polling `aws logs tail --follow` does (awscli v2, customizations/logs/tail.py): FilterLogEvents with
# logGroupName, startTime and interleaved=True, following nextToken, remembering the eventIds seen at the latest
# timestamp, sleeping between polls and resuming from the latest timestamp.
FOLLOW_SCRIPT = textwrap.dedent("""
    import sys, time, boto3
    endpoint, group, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
    logs = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1").client(
        "logs", endpoint_url=endpoint)
    seen = set()
    print("following", flush=True)
    while True:
        kwargs = {"logGroupName": group, "startTime": start, "interleaved": True}
        while True:
            response = logs.filter_log_events(**kwargs)
            for event in response["events"]:
                if event["eventId"] in seen:
                    continue
                seen.add(event["eventId"])
                start = max(start, event["timestamp"])
                print(event["logStreamName"], event["message"], flush=True)
            if "nextToken" not in response:
                break
            kwargs["nextToken"] = response["nextToken"]
        time.sleep(0.5)
""")


def test_follow_shows_start_end_report_of_a_later_invocation(logs_endpoint, lam, tmp_path):
    aws = aws_cli_v2()
    if aws:
        command = [aws, "--endpoint-url", logs_endpoint, "logs", "tail", GROUP, "--follow", "--since", "1s"]
    else:
        script = tmp_path / "follow.py"
        script.write_text(FOLLOW_SCRIPT)
        command = [sys.executable, str(script), logs_endpoint, GROUP, str(int(time.time() * 1000))]
    output = tmp_path / "follow.out"
    with open(output, "w") as sink:
        follower = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=cli_env())
    try:
        time.sleep(2)
        response, _ = invoke(lam, {"name": "follow"})
        request_id = response["ResponseMetadata"]["RequestId"]
        deadline = time.time() + (15 if aws else 8)
        while time.time() < deadline and f"REPORT RequestId: {request_id}" not in output.read_text():
            time.sleep(0.2)
        text = output.read_text()
        assert f"START RequestId: {request_id} Version: $LATEST" in text, text
        assert f"END RequestId: {request_id}" in text, text
        assert f"REPORT RequestId: {request_id}\t" in text, text
    finally:
        follower.terminate()
        follower.wait(timeout=10)
