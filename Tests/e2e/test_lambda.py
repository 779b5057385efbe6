"""Lambda: real python3.12 workers (awslambdaric) behind our Runtime API, driven with boto3 and the AWS CLI.

Fixture functions live in `Fixtures/lambda-tests/` and run on their own emulator started from
`Fixtures/lambda-tests/template.yaml`; the SynapScribe functions run on the session emulator (template.yaml).
Expected shapes follow AWS: Invoke returns 200 with `X-Amz-Function-Error: Unhandled` and the runtime's error
object for function errors, `Sandbox.Timedout` / `Runtime.ExitError` texts, 202 for Event, 204 for DryRun.
"""

import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from conftest import (
    ACCESS_KEY,
    ACCOUNT_ID,
    LOOPBACK,
    REGION,
    REPO_ROOT,
    SECRET_KEY,
    client_config,
    emulator_binary,
    free_port,
    read_tail,
    stop_process,
    wait_until_healthy,
)
from wheels import build_wheelhouse

FIXTURE_TEMPLATE = REPO_ROOT / "Fixtures" / "lambda-tests" / "template.yaml"
PACKAGES = REPO_ROOT / "Fixtures" / "lambda-tests" / "packages"
EVENTS = REPO_ROOT / "Fixtures" / "synapscribe" / "events"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def function_arn(name):
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


@pytest.fixture(scope="module")
def lambda_endpoint(tmp_path_factory):
    """An emulator serving the fixture functions (idle environments reclaimed after 300 virtual seconds, at most two
    queued asynchronous invocations per function)."""
    binary = emulator_binary()
    port = free_port()
    log_path = tmp_path_factory.mktemp("lambda-tests") / "synapscribe-local.log"
    command = [str(binary), "start", "--template", str(FIXTURE_TEMPLATE), "--host", LOOPBACK, "--port", str(port),
               "--ephemeral", "--lambda-idle-timeout", "300", "--lambda-concurrency", "4", "--lambda-event-queue", "2",
               "--install-dependencies"]
    # start installs requirements.txt only with --install-dependencies (else `synapscribe-local build` does, see
    # test_lambda_runtimes.py). The installs run offline: pip finds only the wheels built here from Fixtures/lambda-tests/packages,
    # and a fresh dependency cache makes every run install them again.
    offline = tmp_path_factory.mktemp("lambda-offline")
    env = dict(os.environ)
    env.update({
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(build_wheelhouse(PACKAGES, offline / "wheelhouse")),
        "XDG_CACHE_HOME": str(offline / "cache"),
    })
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env)
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_healthy(endpoint, process, log_path)
        yield endpoint, log_path
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def lam(lambda_endpoint):
    session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
    return session.client("lambda", endpoint_url=lambda_endpoint[0], config=client_config())


def invoke(lam, name, payload=None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload if payload is not None else {}), **kwargs)
    body = response["Payload"].read()
    return response, (json.loads(body) if body else None)


# =========================================================================== results and context


class TestInvoke:
    def test_echo_event_and_context(self, lam):
        response, body = invoke(lam, "echo", {"hello": "world"})
        assert response["StatusCode"] == 200
        assert "FunctionError" not in response
        assert response["ExecutedVersion"] == "$LATEST"
        assert body["event"] == {"hello": "world"}
        context = body["context"]
        assert context["function_name"] == "echo"
        assert context["function_version"] == "$LATEST"
        assert context["invoked_function_arn"] == function_arn("echo")
        assert context["memory_limit_in_mb"] == "256"
        assert context["aws_request_id"] == response["ResponseMetadata"]["RequestId"]
        assert UUID.match(context["aws_request_id"])
        assert context["log_group_name"] == "/aws/lambda/echo"
        assert re.match(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", context["log_stream_name"])
        assert 0 < context["remaining_ms"] <= 10_000

    def test_environment_is_the_one_aws_sets(self, lam, lambda_endpoint):
        _, env = invoke(lam, "environment")
        code_dir = str(REPO_ROOT / "Fixtures" / "lambda-tests" / "handlers")
        assert env["AWS_LAMBDA_FUNCTION_NAME"] == "environment"
        assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
        assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == REGION
        assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
        assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/environment"
        assert env["_HANDLER"] == "app.environment"
        assert env["LAMBDA_TASK_ROOT"].rstrip("/") == code_dir
        assert env["PYTHONPATH"].split(":")[0].rstrip("/") == code_dir
        assert env["TZ"] == ":UTC"
        assert re.match(r"^127\.0\.0\.1:\d+$", env["AWS_LAMBDA_RUNTIME_API"])  # awslambdaric's http.client needs host:port
        assert env["AWS_ENDPOINT_URL"] == lambda_endpoint[0]
        assert env["FIXTURE_VARIABLE"] == "fixture-value"
        assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and len(env["AWS_ACCESS_KEY_ID"]) == 20
        assert env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
        assert env["HTTP_PROXY"].startswith("http://127.0.0.1:") and env["HTTPS_PROXY"] == env["HTTP_PROXY"]
        assert "127.0.0.1" in env["NO_PROXY"] and "localhost" in env["NO_PROXY"]

    def test_warm_reuse_keeps_module_state(self, lam):
        _, first = invoke(lam, "counter")
        _, second = invoke(lam, "counter")
        assert second["calls"] == first["calls"] + 1
        assert second["pid"] == first["pid"]

    def test_addressable_by_name_logical_id_and_arn(self, lam):
        for name in ["echo", "EchoFunction", function_arn("echo"), f"{ACCOUNT_ID}:function:echo", "echo:$LATEST"]:
            response, body = invoke(lam, name, {"n": name})
            assert response["StatusCode"] == 200, name
            assert body["event"] == {"n": name}

    def test_handler_calls_the_emulator_with_issued_credentials(self, lam):
        _, body = invoke(lam, "call-lambda", {"name": "echo"})
        assert body["name"] == "echo"
        assert body["key"].startswith("ASIA")

    def test_log_tail(self, lam):
        response, _ = invoke(lam, "echo", {"tail": True}, LogType="Tail")
        log = base64.b64decode(response["LogResult"]).decode()
        request_id = response["ResponseMetadata"]["RequestId"]
        assert f"START RequestId: {request_id} Version: $LATEST" in log
        assert 'echo {"tail": true}' in log
        assert f"END RequestId: {request_id}" in log
        report = next(line for line in log.splitlines() if line.startswith("REPORT"))
        assert re.search(r"Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB", report)

    def test_event_invocation_is_accepted(self, lam):
        response = lam.invoke(FunctionName="echo", InvocationType="Event", Payload=b'{"async": 1}')
        assert response["StatusCode"] == 202
        assert response["Payload"].read() == b""

    def test_client_context(self, lam):
        context = base64.b64encode(json.dumps({"custom": {"tenant": "t-1"}}).encode()).decode()
        _, body = invoke(lam, "echo", {}, ClientContext=context)
        assert body["context"]["client_context"] == {"tenant": "t-1"}
        for bad in ["not base64!", base64.b64encode(b"[1, 2]").decode(), base64.b64encode(b"x" * 3000).decode()]:
            with pytest.raises(ClientError) as refused:
                lam.invoke(FunctionName="echo", Payload=b"{}", ClientContext=bad)
            error = refused.value.response
            assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
            assert error["Error"]["Code"] == "InvalidRequestContentException"
            assert error["Error"]["Message"] == "Client context must be a valid Base64-encoded JSON object."

    def test_dry_run(self, lam):
        response = lam.invoke(FunctionName="echo", InvocationType="DryRun", Payload=b"{}")
        assert response["StatusCode"] == 204


# =========================================================================== failures


class TestFailures:
    def test_unhandled_exception(self, lam):
        response, body = invoke(lam, "fail")
        assert response["StatusCode"] == 200
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "ValueError"
        assert body["errorMessage"] == "something went wrong"
        assert isinstance(body["stackTrace"], list) and "raise ValueError" in "".join(body["stackTrace"])
        assert body["requestId"] == response["ResponseMetadata"]["RequestId"]

    def test_timeout(self, lam):
        started = time.monotonic()
        response, body = invoke(lam, "sleepy", {"seconds": 5})
        assert time.monotonic() - started < 4
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Sandbox.Timedout"
        request_id = response["ResponseMetadata"]["RequestId"]
        assert re.fullmatch(rf"RequestId: {request_id} Error: Task timed out after 1\.\d\d seconds", body["errorMessage"])
        # The environment was killed: the next invocation is a cold start that works.
        response, body = invoke(lam, "sleepy", {"seconds": 0})
        assert body == "woke up"

    def test_process_exit(self, lam):
        response, body = invoke(lam, "crash")
        assert response["FunctionError"] == "Unhandled"
        request_id = response["ResponseMetadata"]["RequestId"]
        assert body == {"errorType": "Runtime.ExitError",
                        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status 1"}

    def test_oversized_response(self, lam):
        response, body = invoke(lam, "oversized")
        assert response["FunctionError"] == "Unhandled"
        assert body == {"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
                        "errorType": "Function.ResponseSizeTooLarge"}

    @pytest.mark.parametrize(("name", "error_type", "message"), [
        ("import-error", "Runtime.ImportModuleError",
         "Unable to import module 'broken_import': No module named 'module_that_does_not_exist'"),
        ("handler-not-found", "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'no_handler'"),
        ("syntax-error", "Runtime.UserCodeSyntaxError", "Syntax error in module 'syntax_error'"),
    ])
    def test_init_errors(self, lam, name, error_type, message):
        response, body = invoke(lam, name)
        assert response["StatusCode"] == 200
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == error_type
        assert body["errorMessage"].startswith(message)
        assert isinstance(body["stackTrace"], list)

    def test_offline_guard_refuses_non_loopback(self, lam, lambda_endpoint):
        _, body = invoke(lam, "egress", {"url": "http://203.0.113.7:5000/invocations"})
        assert body["error"] == "HTTPError" and "403" in body["detail"]
        _, body = invoke(lam, "egress", {"url": "https://s3.amazonaws.com/"})
        assert "403" in body["detail"] or "Tunnel" in body["detail"]
        log = read_tail(lambda_endpoint[1], 200_000)
        assert "offline guard: refused egress -> 203.0.113.7:5000" in log
        assert "offline guard: refused egress -> s3.amazonaws.com:443" in log

    def test_loopback_is_reachable(self, lam, lambda_endpoint):
        _, body = invoke(lam, "egress", {"url": f"{lambda_endpoint[0]}/_local/health"})
        assert body == {"status": 200}


def log_lines(endpoint, function, after=0):
    return requests.get(f"{endpoint}/_local/logs/{function}", params={"after": after}, timeout=10).json()


def wait_for_lines(endpoint, function, prefix, count, after=0, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in log_lines(endpoint, function, after)["lines"] if line["message"].startswith(prefix)]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, f"{count} x {prefix!r} expected in {function}'s log, got {len(found)}"
            return found
        time.sleep(0.02)


class TestEventQueue:
    def test_a_full_event_queue_is_refused_with_429(self, lam, lambda_endpoint):
        # The fixture emulator holds at most two events per function (--lambda-event-queue 2).
        for _ in range(2):
            assert lam.invoke(FunctionName="slow", InvocationType="Event", Payload=b'{"seconds": 2}')["StatusCode"] == 202
        with pytest.raises(ClientError) as full:
            lam.invoke(FunctionName="slow", InvocationType="Event", Payload=b'{"seconds": 0}')
        error = full.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["Error"]["Code"] == "TooManyRequestsException"
        assert error["Error"]["Message"] == "Rate Exceeded."
        assert error["Reason"] == "FunctionInvocationRateLimitExceeded"
        # Each function has a queue of its own, and synchronous invocations are not queued.
        assert lam.invoke(FunctionName="echo", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
        assert invoke(lam, "slow", {"seconds": 0})[0]["StatusCode"] == 200
        # Once the events are done, the queue takes new ones.
        deadline = time.monotonic() + 30
        while True:
            try:
                assert lam.invoke(FunctionName="slow", InvocationType="Event", Payload=b'{"seconds": 0}')["StatusCode"] == 202
                break
            except ClientError as error:
                assert error.response["Error"]["Code"] == "TooManyRequestsException"
                assert time.monotonic() < deadline, "the queue never drained"
                time.sleep(0.1)

    def test_retries_wait_on_the_virtual_clock(self, lam, lambda_endpoint):
        endpoint = lambda_endpoint[0]
        after = log_lines(endpoint, "fail")["next"]
        response = lam.invoke(FunctionName="fail", InvocationType="Event", Payload=b'{"retry": true}')
        request_id = response["ResponseMetadata"]["RequestId"]
        end = f"END RequestId: {request_id}"
        wait_for_lines(endpoint, "fail", end, 1, after)
        # Retries come 1 s and 2 s later on the virtual clock: moving it past them starts each retry at once
        # (two minutes stays within the 300 s idle reclaim, so the retries run warm).
        started = time.monotonic()
        requests.post(f"{endpoint}/_local/clock", json={"advance": "2m"}, timeout=10).raise_for_status()
        wait_for_lines(endpoint, "fail", end, 2, after)
        requests.post(f"{endpoint}/_local/clock", json={"advance": "2m"}, timeout=10).raise_for_status()
        wait_for_lines(endpoint, "fail", end, 3, after)
        assert time.monotonic() - started < 2.0
        time.sleep(0.5)
        assert len(wait_for_lines(endpoint, "fail", end, 3, after)) == 3, "two retries, no more"


class TestRuntimeApiIsTheWorkersOnly:
    """Another local process can neither take nor answer an invocation through a worker's Runtime API."""

    def test_a_local_process_cannot_hijack_an_invocation_in_flight(self, lam, lambda_endpoint):
        import http.client
        import threading

        outcome = {}
        after = log_lines(lambda_endpoint[0], "slow")["next"]

        def call():
            outcome["result"] = invoke(lam, "slow", {"seconds": 3, "marker": "hijack-test"})

        caller = threading.Thread(target=call)
        caller.start()
        # The handler prints its listener (AWS_LAMBDA_RUNTIME_API) and its request id before sleeping.
        announced = None
        deadline = time.monotonic() + 30
        while announced is None and time.monotonic() < deadline:
            lines = log_lines(lambda_endpoint[0], "slow", after)["lines"]
            for line in lines:
                found = re.match(r"^runtime-api (127\.0\.0\.1:(\d+)\S*) request (\S+) marker hijack-test$", line["message"])
                if found:
                    announced = found
            time.sleep(0.05)
        assert announced, "the slow handler never announced its Runtime API"
        port, request_id = int(announced.group(2)), announced.group(3)

        def raw(method, path, body=None):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            connection.close()
            return response.status, payload

        hijacked = json.dumps({"answeredBy": "intruder"})
        for method, path, body in [
            ("GET", "/2018-06-01/runtime/invocation/next", None),
            ("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", hijacked),
            ("POST", f"/2018-06-01/runtime/invocation/{request_id}/error", hijacked),
            ("POST", "/2018-06-01/runtime/init/error", hijacked),
        ]:
            status, payload = raw(method, path, body)
            assert status == 403, (method, path, status, payload)
            assert json.loads(payload)["errorType"] == "Forbidden"
        caller.join(timeout=60)
        response, body = outcome["result"]
        assert "FunctionError" not in response
        assert body["answeredBy"] == "worker"
        assert response["ResponseMetadata"]["RequestId"] == request_id


# =========================================================================== API errors and metadata


class TestApi:
    def test_unknown_function(self, lam):
        with pytest.raises(ClientError) as excinfo:
            lam.invoke(FunctionName="nope", Payload=b"{}")
        error = excinfo.value.response
        assert error["Error"]["Code"] == "ResourceNotFoundException"
        assert error["Error"]["Message"] == f"Function not found: {function_arn('nope')}"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 404

    def test_unknown_qualifier(self, lam):
        with pytest.raises(ClientError) as excinfo:
            lam.invoke(FunctionName="echo", Qualifier="7", Payload=b"{}")
        assert excinfo.value.response["Error"]["Message"] == f"Function not found: {function_arn('echo')}:7"

    def test_invalid_json_payload(self, lam):
        with pytest.raises(ClientError) as excinfo:
            lam.invoke(FunctionName="echo", Payload=b"{not json")
        assert excinfo.value.response["Error"]["Code"] == "InvalidRequestContentException"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    def test_reserved_concurrency_throttles(self, lam, lambda_endpoint):
        # counter has ReservedConcurrentExecutions 1: a second concurrent invocation is throttled.
        import threading

        results = []

        def call(seconds):
            try:
                results.append(lam.invoke(FunctionName="counter", Payload=b"{}")["StatusCode"])
            except ClientError as error:
                results.append(error.response)

        # Hold the one slot with a slow invocation through the raw API of a sleepy payload is not possible for
        # counter, so fire several at once and expect at least the successful ones to be 200s and any refusal
        # to be AWS's throttling error.
        threads = [threading.Thread(target=call, args=(0,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for result in results:
            if isinstance(result, dict):
                assert result["Error"]["Code"] == "TooManyRequestsException"
                assert result["ResponseMetadata"]["HTTPStatusCode"] == 429
                assert result["Error"]["Message"] == "Rate Exceeded."
            else:
                assert result == 200

    def test_get_function(self, lam):
        response = lam.get_function(FunctionName="echo")
        config = response["Configuration"]
        assert config["FunctionName"] == "echo"
        assert config["FunctionArn"] == function_arn("echo")
        assert config["Runtime"] == "python3.12"
        assert config["Handler"] == "app.echo"
        assert config["MemorySize"] == 256 and config["Timeout"] == 10
        assert config["Description"] == "Echoes the event and context."
        assert config["State"] == "Active" and config["PackageType"] == "Zip"
        assert config["Environment"]["Variables"]["FIXTURE_VARIABLE"] == "fixture-value"
        assert config["Role"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:role/")
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$", config["LastModified"])
        assert response["Code"]["RepositoryType"] == "S3"
        concurrency = lam.get_function(FunctionName="counter")["Concurrency"]
        assert concurrency == {"ReservedConcurrentExecutions": 1}

    def test_list_functions_paginates(self, lam):
        names = []
        for page in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 5}):
            names += [function["FunctionName"] for function in page["Functions"]]
        assert len(names) == 15 and len(set(names)) == 15  # every function in Fixtures/lambda-tests/template.yaml
        assert {"echo", "counter", "crash", "import-error"} <= set(names)

    def test_logs_endpoint_and_cli(self, lam, lambda_endpoint):
        response, _ = invoke(lam, "echo", {"logs": 1})
        request_id = response["ResponseMetadata"]["RequestId"]
        body = requests.get(f"{lambda_endpoint[0]}/_local/logs/echo", timeout=10).json()
        messages = [line["message"] for line in body["lines"]]
        assert f"START RequestId: {request_id} Version: $LATEST" in messages
        assert any(m.startswith(f"REPORT RequestId: {request_id}\t") for m in messages)
        result = subprocess.run([str(emulator_binary()), "logs", "EchoFunction", "--endpoint", lambda_endpoint[0]],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert f"END RequestId: {request_id}" in result.stdout

    def test_aws_cli_invoke(self, lambda_endpoint, tmp_path):
        out = tmp_path / "out.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                    "AWS_CONFIG_FILE": str(tmp_path / "c"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "k")})
        result = subprocess.run(
            [sys.executable, "-m", "awscli", "--endpoint-url", lambda_endpoint[0], "lambda", "invoke",
             "--function-name", "fail", "--payload", "{}", str(out)],
            capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        meta = json.loads(result.stdout)
        assert meta["StatusCode"] == 200 and meta["FunctionError"] == "Unhandled"
        assert json.loads(out.read_text())["errorType"] == "ValueError"

    def test_idle_environments_are_reclaimed(self, lam, lambda_endpoint):
        _, first = invoke(lam, "counter")
        requests.post(f"{lambda_endpoint[0]}/_local/clock", json={"advance": "10m"}, timeout=10).raise_for_status()
        time.sleep(0.5)
        _, second = invoke(lam, "counter")
        assert second["pid"] != first["pid"]
        assert second["calls"] == 1


# =========================================================================== SynapScribe functions, unmodified


def function_names(client):
    resources = client("cloudformation").list_stack_resources(StackName="synapscribe-mvp")["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources
            if r["ResourceType"] == "AWS::Lambda::Function"}


class TestSynapScribe:
    def test_validate_lecture_runs_unmodified(self, aws_cli, tmp_path):
        out = tmp_path / "validate.json"
        code, stdout, stderr = aws_cli(
            "lambda", "invoke", "--function-name", "ValidateLectureFunction",
            "--payload", (EVENTS / "s3-put-lecture.json").read_text(), str(out))
        assert code == 0, stderr
        meta = json.loads(stdout)
        assert meta["StatusCode"] == 200
        body = json.loads(out.read_text())
        if meta.get("FunctionError"):
            # S3/DynamoDB may not exist yet: the handler ran and reported the AWS error it got from them.
            assert body["errorType"] == "ClientError", body
            assert "An error occurred (" in body["errorMessage"]
        else:
            assert body["processed"] >= 1

    def test_websocket_handler_runs_unmodified(self, aws_cli, tmp_path, endpoint):
        out = tmp_path / "ws.json"
        code, stdout, stderr = aws_cli(
            "lambda", "invoke", "--function-name", "WebSocketHandler",
            "--payload", (EVENTS / "ws-connect.json").read_text(), str(out))
        assert code == 0, stderr
        meta = json.loads(stdout)
        assert meta["StatusCode"] == 200
        body = json.loads(out.read_text())
        assert "FunctionError" not in meta, body
        dynamodb = requests.get(f"{endpoint}/_local/health", timeout=10).json()["services"]["dynamodb"]["state"]
        if dynamodb == "not-implemented":
            # The handler catches the DynamoDB error, logs it and answers 500: it ran, and got an AWS error.
            assert body["statusCode"] == 500
            lines = requests.get(f"{endpoint}/_local/logs/WebSocketHandler", timeout=10).json()["lines"]
            assert any("failed to record connection" in line["message"] and "UnknownOperationException" in line["message"]
                       for line in lines)
        else:
            assert body["statusCode"] == 200


class TestExecutionRoleIsEnforced:
    def test_a_call_the_role_does_not_allow_is_denied_as_in_aws(self, lam):
        """The worker's credentials act for the execution role: ListFunctions is not in its policy."""
        _, body = invoke(lam, "call-lambda", {"name": "echo", "list": True})
        assert body["listError"]["Code"] == "AccessDeniedException"
        assert "is not authorized to perform: lambda:ListFunctions" in body["listError"]["Message"]
        assert "assumed-role/" in body["listError"]["Message"]


class TestDependencies:
    def test_requirements_txt_is_installed_into_a_cache_and_imported(self, lam):
        """Not vendored in CodeUri: installed from requirements.txt at the first cold start, as sam build would."""
        _, body = invoke(lam, "with-deps", {"toml": "answer = 42"})
        assert body["parsed"] == {"answer": 42}
        assert "/lambda-deps/" in body["module"], body["module"]
        assert body["module"].endswith("tinytoml.py"), body["module"]
        assert body["path"][0].endswith("with-deps") or body["path"][1].endswith("with-deps"), body["path"]
