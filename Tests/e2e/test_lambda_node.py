"""Lambda Node.js runtimes: real `node` workers running the embedded runtime client behind our Runtime API.

Fixture functions live in `Fixtures/node-tests/` (`template.yaml`; `chat.yaml` is a WebSocket chat app whose
handlers are Node.js). They use Node built-ins only: no npm registry is reachable here, so AWS calls are signed
by hand with Node's `crypto` (`Fixtures/node-tests/aws/sigv4.js`), and the AWS SDK for JavaScript v3 that AWS's
runtime includes is stood for by a stub package the test puts into the runtime cache. Expected shapes follow AWS:
the error JSON `{errorType, errorMessage, trace}`, the `Runtime.*` init errors with the Node.js runtime's message
texts, and console lines `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`.
"""

import asyncio
import base64
import hashlib
import json
import re
import subprocess
import time

import boto3
import pytest
import websockets
from botocore.exceptions import ClientError
from conftest import (
    ACCESS_KEY,
    ACCOUNT_ID,
    REGION,
    REPO_ROOT,
    SECRET_KEY,
    EmulatorProcess,
    client_config,
    read_tail,
    start_with_own_cache,
    stop_process,
)
from test_lambda import invoke

FIXTURES = REPO_ROOT / "Fixtures" / "node-tests"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CONSOLE_LINE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
STUB_SDK = "exports.source = 'runtime cache';\n"


def node_major():
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return int(version.lstrip("v").split(".")[0])


def start(template, tmp_path_factory, name, *extra):
    """An emulator on `template` whose user cache (runtime cache) is a fresh folder holding a stub SDK package."""
    base = tmp_path_factory.mktemp(name)
    stub = base / "cache" / "synapscribe-local" / "runtimes" / "nodejs" / "node_modules" / "@aws-sdk" / "client-sts"
    stub.mkdir(parents=True)
    (stub / "package.json").write_text('{"name": "@aws-sdk/client-sts", "version": "0.0.0-stub", "main": "index.js"}\n')
    (stub / "index.js").write_text(STUB_SDK)
    return (*start_with_own_cache(template, base, *extra), base)


@pytest.fixture(scope="module")
def node_env(tmp_path_factory):
    endpoint, log_path, process, base = start(FIXTURES / "template.yaml", tmp_path_factory, "node-tests")
    try:
        yield endpoint, log_path, base
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def lam(node_env):
    session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
    return session.client("lambda", endpoint_url=node_env[0], config=client_config())


def request_id(response):
    return response["ResponseMetadata"]["RequestId"]


# =========================================================================== handlers


class TestHandlers:
    def test_commonjs_handler_gets_the_event_and_context(self, lam, node_env):
        response, body = invoke(lam, "node-echo", {"hello": "world"})
        assert response["StatusCode"] == 200 and "FunctionError" not in response
        assert body["event"] == {"hello": "world"}
        assert body["awsRequestId"] == request_id(response) and UUID.match(body["awsRequestId"])
        assert body["functionName"] == "node-echo"
        assert body["functionVersion"] == "$LATEST"
        assert body["memoryLimitInMB"] == "256"
        assert body["invokedFunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:node-echo"
        assert body["logGroupName"] == "/aws/lambda/node-echo"
        assert re.match(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", body["logStreamName"])
        assert 0 < body["remaining"] <= 10_000
        assert body["waits"] is True
        assert body["env"] == {
            "AWS_EXECUTION_ENV": "AWS_Lambda_nodejs20.x",
            "LAMBDA_TASK_ROOT": str(FIXTURES / "basic"),
            "AWS_LAMBDA_FUNCTION_NAME": "node-echo",
            "FIXTURE_VARIABLE": "fixture-value",
            "hasSessionToken": True,
            "TZ": ":UTC",
        }
        # Warm reuse: module state survives between invocations.
        _, again = invoke(lam, "node-echo", {})
        assert again["invocations"] == body["invocations"] + 1

    def test_console_lines_are_formatted_as_the_node_runtime_does(self, lam):
        response, _ = invoke(lam, "node-echo", {"tail": True}, LogType="Tail")
        log = base64.b64decode(response["LogResult"]).decode()
        rid = request_id(response)
        assert re.search(rf"^{CONSOLE_LINE}\t{rid}\tINFO\techo {{\"tail\":true}}$", log, re.M), log
        # A message over several lines stays one log line (new lines become carriage returns).
        assert re.search(rf"^{CONSOLE_LINE}\t{rid}\tWARN\ta warning\rover two lines$", log, re.M), log
        assert f"START RequestId: {rid} Version: $LATEST" in log and f"END RequestId: {rid}" in log

    def test_nested_export_and_nested_path(self, lam):
        assert invoke(lam, "node-nested-export")[1] == {"nested": True}
        assert invoke(lam, "node-nested-path")[1] == {"where": "src/nested/deep.js"}

    def test_es_module_handlers(self, lam):
        response, body = invoke(lam, "node-esm", {"n": 1})
        assert body["module"] == "esm" and body["event"] == {"n": 1}
        assert body["digest"] == hashlib.sha256(b"synapscribe").hexdigest()
        assert body["requestId"] == request_id(response)
        # A .js file under a package.json with "type": "module" is an ES module too.
        assert invoke(lam, "node-esm-type-module")[1] == {"module": "esm"}

    def test_callback_handler_answers_once_the_event_loop_is_empty(self, lam):
        response, body = invoke(lam, "node-callback", LogType="Tail")
        # The result is serialised after the pending timer ran, as AWS does with callbackWaitsForEmptyEventLoop.
        assert body == {"order": ["handler", "timer"], "waits": True}
        log = base64.b64decode(response["LogResult"]).decode()
        assert "\tINFO\ttimer fired" in log

    def test_callback_without_waiting_for_the_event_loop(self, lam):
        started = time.monotonic()
        response, body = invoke(lam, "node-callback-nowait")
        assert "FunctionError" not in response and body["elapsed"] < 1000
        assert time.monotonic() - started < 2.5

    def test_callback_error(self, lam):
        response, body = invoke(lam, "node-callback-error")
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "RangeError"
        assert body["errorMessage"] == "callback failed"
        assert body["trace"][0] == "RangeError: callback failed"

    def test_handler_that_throws(self, lam):
        response, body = invoke(lam, "node-fail", LogType="Tail")
        assert response["StatusCode"] == 200
        assert response["FunctionError"] == "Unhandled"
        assert set(body) == {"errorType", "errorMessage", "trace"}
        assert body["errorType"] == "TypeError"
        assert body["errorMessage"] == "something went wrong"
        assert body["trace"][0] == "TypeError: something went wrong"
        assert any("app.js" in line for line in body["trace"])
        log = base64.b64decode(response["LogResult"]).decode()
        rid = request_id(response)
        assert re.search(rf"^{CONSOLE_LINE}\t{rid}\tERROR\tInvoke Error \t{{\"errorType\":\"TypeError\",\"errorMessage\":"
                         rf"\"something went wrong\"", log, re.M), log

    @pytest.mark.parametrize("name,error_type,message", [
        ("node-floating-rejection", "Runtime.UnhandledPromiseRejection", "Error: floating"),
        ("node-timer-throws", "SyntaxError", "thrown from a timer"),
    ])
    def test_errors_outside_the_handler_fail_the_invocation_and_end_the_environment(self, lam, name, error_type, message):
        response, body = invoke(lam, name)
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == error_type and body["errorMessage"] == message
        assert body["trace"][0] == f"{error_type}: {message}"
        # The runtime exited after reporting: the next invocation is a cold start and fails the same way.
        response, again = invoke(lam, name, LogType="Tail")
        assert again["errorType"] == error_type
        assert "Init Duration:" in base64.b64decode(response["LogResult"]).decode()

    def test_timeout(self, lam):
        started = time.monotonic()
        response, body = invoke(lam, "node-sleepy", {"seconds": 5})
        assert time.monotonic() - started < 4
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Sandbox.Timedout"
        assert re.fullmatch(rf"RequestId: {request_id(response)} Error: Task timed out after 1\.\d\d seconds", body["errorMessage"])
        # The environment was killed: the next invocation is a cold start that works.
        assert invoke(lam, "node-sleepy", {"seconds": 0})[1] == "woke up"

    def test_get_function_reports_the_node_runtime(self, lam):
        config = lam.get_function(FunctionName="node-esm")["Configuration"]
        assert config["Runtime"] == "nodejs20.x" and config["Handler"] == "index.handler"


# =========================================================================== init errors


class TestInitErrors:
    @pytest.mark.parametrize("name,error_type,message", [
        ("node-import-error", "Runtime.ImportModuleError",
         "Error: Cannot find module 'module-that-does-not-exist'\nRequire stack:\n- "
         + str(FIXTURES / "broken" / "import_error.js") + "\n"),
        ("node-syntax-error", "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected token ';'"),
        ("node-handler-not-found", "Runtime.HandlerNotFound", "no_handler.handler is undefined or not exported"),
        ("node-not-a-function", "Runtime.HandlerNotFound", "app.notAFunction is not a function"),
    ])
    def test_init_errors(self, lam, name, error_type, message):
        response, body = invoke(lam, name, LogType="Tail")
        assert response["StatusCode"] == 200
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == error_type
        assert body["errorMessage"].startswith(message) if message.endswith("\n") else body["errorMessage"] == message
        assert isinstance(body["trace"], list) and body["trace"]
        log = base64.b64decode(response["LogResult"]).decode()
        assert re.search(rf"^{CONSOLE_LINE}\tundefined\tERROR\tUncaught Exception \t{{\"errorType\":\"{error_type}\"", log, re.M), log

    def test_sdk_missing_from_the_runtime_cache_is_an_init_error_saying_so(self, lam, node_env):
        response, body = invoke(lam, "node-sdk-missing")
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Runtime.ImportModuleError"
        assert body["errorMessage"].startswith("Error: Cannot find module '@aws-sdk/client-dynamodb'\nRequire stack:\n")
        cache = node_env[2] / "cache" / "synapscribe-local" / "runtimes" / "nodejs"
        assert (f"The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb) that AWS's Node.js runtime includes is not "
                f"installed in the emulator's runtime cache ({cache / 'node_modules'}) and no npm registry is used") \
            in body["errorMessage"]

    def test_sdk_v2_of_older_runtimes_missing_is_an_init_error_saying_so(self, lam, node_env):
        response, body = invoke(lam, "node-sdk-v2-missing")
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Runtime.ImportModuleError"
        assert body["errorMessage"].startswith("Error: Cannot find module 'aws-sdk'\nRequire stack:\n")
        cache = node_env[2] / "cache" / "synapscribe-local" / "runtimes" / "nodejs"
        assert body["errorMessage"].endswith(
            "The AWS SDK for JavaScript v2 (aws-sdk) that AWS's nodejs16.x and older runtimes include is not installed in "
            f"the emulator's runtime cache ({cache / 'node_modules'}) and no npm registry is used: vendor it in the "
            "function's node_modules or a layer (nodejs/node_modules), or install it once where a registry is "
            f"reachable: `synapscribe-local build` (or `npm install --prefix {cache} aws-sdk`).")

    def test_sdk_missing_from_an_es_module_keeps_nodes_error_with_the_note(self, lam, node_env):
        response, body = invoke(lam, "node-sdk-missing-esm")
        assert response["FunctionError"] == "Unhandled"
        # AWS's runtime passes ES module resolution errors through as they are (errorType Error, ERR_MODULE_NOT_FOUND).
        assert body["errorType"] == "Error"
        assert body["errorMessage"].startswith(
            f"Cannot find package '@aws-sdk/client-dynamodb' imported from {FIXTURES / 'broken' / 'uses_sdk_esm.mjs'}\n"
            "The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb) that AWS's Node.js runtime includes is not installed")

    def test_package_json_dependencies_without_node_modules(self, lam, node_env):
        response, body = invoke(lam, "node-needs-install")
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Runtime.ImportModuleError"
        folder = FIXTURES / "needs-install"
        assert body["errorMessage"] == (
            f"Error: Cannot find module 'left-pad': the function's package.json lists dependencies (left-pad) but "
            f"{folder} has no node_modules folder. Run `npm install` (or `sam build`) in {folder} first.")
        assert "node-needs-install: package.json lists left-pad but" in read_tail(node_env[1], 200_000)

    def test_nodejs24_refuses_callback_handlers_as_aws_does(self, lam):
        response, body = invoke(lam, "node24-callback")
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Runtime.CallbackHandlerDeprecated"
        assert body["errorMessage"] == (
            "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You "
            "need to modify this function to use a supported handler signature to use Node.js 24 or later. For more "
            "information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.")


# =========================================================================== module path, versions, AWS calls


class TestModulePathAndAWS:
    def test_function_node_modules_come_before_the_runtime_cache(self, lam):
        assert invoke(lam, "node-own-sdk")[1] == {"source": "function node_modules"}
        assert invoke(lam, "node-runtime-sdk")[1] == {"source": "runtime cache"}
        # ES modules ignore NODE_PATH; the runtime still resolves the runtime's packages for `import`.
        assert invoke(lam, "node-runtime-sdk-esm")[1] == {"source": "runtime cache"}

    def test_older_runtime_name_runs_with_a_major_version_warning(self, lam, node_env):
        response, body = invoke(lam, "node-older-runtime", {"old": True})
        assert "FunctionError" not in response and body["event"] == {"old": True}
        assert body["env"]["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs16.x"
        log = read_tail(node_env[1], 200_000)
        assert (f"node-older-runtime declares nodejs16.x but runs on Node.js {body['node']} (major version "
                f"{node_major()}): behaviour may differ") in log

    def test_handler_signs_its_own_dynamodb_calls_with_node_crypto(self, lam, node_env):
        response, body = invoke(lam, "node-items", {"id": "n-1", "note": "signed by hand"})
        assert "FunctionError" not in response, body
        assert body["item"] == {"id": {"S": "n-1"}, "note": {"S": "signed by hand"}}
        # The execution role (DynamoDBCrudPolicy) does not allow DeleteTable: IAM judged the hand-signed call.
        denied = body["deleteTable"]
        assert denied["name"] == "AccessDeniedException" and denied["status"] == 400
        assert re.fullmatch(
            rf"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/[\w+=,.@-]+/node-items is not authorized to perform: "
            rf"dynamodb:DeleteTable on resource: arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/node-items "
            r"because no identity-based policy allows the dynamodb:DeleteTable action", denied["message"]), denied
        ddb = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION).client(
            "dynamodb", endpoint_url=node_env[0], config=client_config())
        assert ddb.get_item(TableName="node-items", Key={"id": {"S": "n-1"}})["Item"]["note"] == {"S": "signed by hand"}

    def test_offline_guard_refuses_non_loopback(self, lam, node_env):
        _, body = invoke(lam, "node-egress", {"url": "http://203.0.113.7:5000/invocations"})
        assert "synapscribe-local offline guard: function node-egress may not reach 203.0.113.7:5000" in body["error"]
        deadline = time.monotonic() + 10
        while "offline guard: refused node-egress -> 203.0.113.7:5000" not in read_tail(node_env[1], 200_000):
            assert time.monotonic() < deadline, "the guard did not log the refusal"
            time.sleep(0.1)

    def test_loopback_is_reachable(self, lam, node_env):
        assert invoke(lam, "node-egress", {"url": f"{node_env[0]}/_local/health"})[1] == {"status": 200}


def test_without_node_invocations_fail_with_service_exception(tmp_path):
    emulator = EmulatorProcess(tmp_path, "--lambda-node", str(tmp_path / "no-such-node"), template=FIXTURES / "template.yaml")
    try:
        with pytest.raises(ClientError) as refused:
            emulator.client("lambda").invoke(FunctionName="node-echo", Payload=b"{}")
        error = refused.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert error["Error"]["Code"] == "ServiceException"
        assert error["Error"]["Message"] == (
            "The runtime nodejs20.x is not available on this machine: install Node.js (node on PATH; scripts/setup "
            "installs Debian's nodejs), or pass --lambda-node.")
        assert "node-echo (nodejs20.x) cannot run: no node interpreter was found" in read_tail(emulator.log_path, 200_000)
    finally:
        emulator.stop()


# =========================================================================== WebSocket chat app in Node.js


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    endpoint, log_path, process, _ = start(FIXTURES / "chat.yaml", tmp_path_factory, "node-chat")
    try:
        session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
        cfn = session.client("cloudformation", endpoint_url=endpoint, config=client_config())
        outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks()["Stacks"][0]["Outputs"]}
        yield outputs["WebSocketURI"], session.client("dynamodb", endpoint_url=endpoint, config=client_config()), log_path
    finally:
        stop_process(process)


def connection_names(ddb):
    return sorted(item["name"]["S"] for item in ddb.scan(TableName="node-chat-connections")["Items"])


def test_node_websocket_chat_app_end_to_end(chat):
    url, ddb, log_path = chat
    assert url.startswith("ws://127.0.0.1:") and url.endswith("/Prod"), url

    async def scenario():
        alice = await websockets.connect(f"{url}?name=alice", open_timeout=30)
        bob = await websockets.connect(f"{url}?name=bob", open_timeout=30)
        assert connection_names(ddb) == ["alice", "bob"]
        await alice.send(json.dumps({"action": "sendmessage", "data": "hello from node"}))
        for socket in (alice, bob):
            message = json.loads(await asyncio.wait_for(socket.recv(), 20))
            assert message == {"from": "alice", "data": "hello from node"}
        await bob.close()
        deadline = time.monotonic() + 20
        while connection_names(ddb) != ["alice"]:
            assert time.monotonic() < deadline, f"bob's $disconnect did not remove him: {connection_names(ddb)}"
            await asyncio.sleep(0.1)
        await bob.wait_closed()
        await alice.send(json.dumps({"action": "sendmessage", "data": "anyone?"}))
        assert json.loads(await asyncio.wait_for(alice.recv(), 20)) == {"from": "alice", "data": "anyone?"}
        await alice.close()

    asyncio.run(asyncio.wait_for(scenario(), 90))
    log = read_tail(log_path, 200_000)
    assert "node-chat-sendmessage |" in log and "\tINFO\tbroadcast [200,200]" in log, log[-3000:]
