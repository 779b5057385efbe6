"""Session fixtures for the SynapScribe Local end-to-end suite.

The suite drives a real `synapscribe-local` process with unmodified boto3 and the AWS CLI:

* the fake AgentCore (`Fixtures/agentcore_fake/server.py`) is started on a free loopback port;
* the emulator binary (env `SYNAPSCRIBE_BIN`, default `<repo>/.build/debug/synapscribe-local`) is
  started with `start --template template.yaml --ephemeral` on another free port, pointed at the
  fake AgentCore through `--parameter-overrides AgentCoreEndpoint=...`;
* set `SYNAPSCRIBE_ENDPOINT=http://127.0.0.1:PORT` to reuse an emulator that is already running
  (it is then neither started nor stopped, and the fake AgentCore it uses is its own business).

Everything binds and talks to 127.0.0.1 only.
"""

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "template.yaml"
AGENTCORE_SCRIPT = REPO_ROOT / "Fixtures" / "agentcore_fake" / "server.py"
DEFAULT_BIN = REPO_ROOT / ".build" / "debug" / "synapscribe-local"
LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
ACCOUNT_ID = "000000000000"
ACCESS_KEY = "test"
SECRET_KEY = "test"
STACK_NAME = "synapscribe-mvp"
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10
LOG_TAIL_CHARS = 6000

_emulator_log_path = None


# --------------------------------------------------------------------------- helpers


def free_port():
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def read_tail(path, limit=LOG_TAIL_CHARS):
    """The last `limit` characters of a text file, or a note if it cannot be read."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as error:
        return f"<cannot read {path}: {error}>"
    return text[-limit:]


def stop_process(process):
    """SIGTERM, wait up to 10 s, then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def emulator_binary():
    """Path of the emulator binary; fails the test with a clear message when it is missing."""
    path = Path(os.environ.get("SYNAPSCRIBE_BIN") or DEFAULT_BIN)
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"synapscribe-local binary not found at {path}. Build it first (`swift build` in the repo root) "
            "or set SYNAPSCRIBE_BIN to its path.",
            pytrace=False,
        )
    return path


def template_logical_ids(path=TEMPLATE):
    """Logical ids declared under `Resources:` in a CloudFormation YAML template (2-space indent)."""
    ids, in_resources = [], False
    for line in Path(path).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_resources = line.rstrip() == "Resources:"
            continue
        if in_resources and line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            ids.append(line.strip()[:-1])
    return ids


def iso_to_datetime(text):
    """Parse an ISO 8601 UTC timestamp ending in Z."""
    assert isinstance(text, str) and text.endswith("Z"), f"expected an ISO 8601 UTC timestamp ending in Z: {text!r}"
    return datetime.fromisoformat(text[:-1] + "+00:00")


def parse_json_response(response):
    """Body of an HTTP response as JSON, with a readable assertion when it is not."""
    try:
        return response.json()
    except ValueError:
        pytest.fail(f"expected JSON, got HTTP {response.status_code} {response.headers.get('Content-Type')}: "
                    f"{response.text[:500]!r}")


# --------------------------------------------------------------------------- fake AgentCore


@dataclass
class AgentCore:
    """Handle on the fake AgentCore process."""

    url: str
    process: subprocess.Popen = field(repr=False)

    def requests(self):
        """Every request the fake received so far."""
        return requests.get(f"{self.url}/_requests", timeout=5).json()["requests"]

    def clear(self):
        """Forget recorded requests."""
        requests.delete(f"{self.url}/_requests", timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def agentcore(tmp_path_factory):
    """Start the fake AgentCore on a port the OS picks and wait for its READY line."""
    log_path = tmp_path_factory.mktemp("agentcore") / "agentcore.stderr.log"
    with open(log_path, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(AGENTCORE_SCRIPT), "--port", "0", "--quiet"],
            stdout=subprocess.PIPE, stderr=stderr, cwd=REPO_ROOT, text=True,
        )
    lines = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=15)
    except queue.Empty:
        line = ""
    if not line.startswith("AGENTCORE_READY "):
        stop_process(process)
        pytest.fail(f"fake AgentCore did not start (first line {line!r}); stderr:\n{read_tail(log_path)}", pytrace=False)
    url = line.split()[1]
    assert url.startswith(f"http://{LOOPBACK}:"), url
    yield AgentCore(url=url, process=process)
    stop_process(process)


# --------------------------------------------------------------------------- emulator


@dataclass
class Emulator:
    """Handle on the emulator under test."""

    endpoint: str
    log_path: Path | None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def log_tail(self):
        """Last lines of the emulator's combined stdout/stderr (empty when reusing a server)."""
        return read_tail(self.log_path) if self.log_path else ""


def wait_until_healthy(endpoint, process=None, log_path=None, timeout=READY_TIMEOUT_SECONDS):
    """Poll GET /_local/health until it answers 200."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"synapscribe-local exited with {process.returncode} before becoming healthy; log:\n"
                        f"{read_tail(log_path)}", pytrace=False)
        try:
            response = requests.get(f"{endpoint}/_local/health", timeout=2)
            if response.status_code == 200:
                return
            last_error = f"HTTP {response.status_code}"
        except requests.RequestException as error:
            last_error = repr(error)
        time.sleep(0.25)
    pytest.fail(f"synapscribe-local not healthy after {timeout} s ({last_error}); log:\n"
                f"{read_tail(log_path) if log_path else ''}", pytrace=False)


class EmulatorProcess:
    """One more synapscribe-local process on its own port, for tests that need their own start options.

    `extra` are more `start` options; `data_dir` a persistent data folder (else `--ephemeral`); the project template
    (and any copy of it) gets a local AgentCore endpoint (nothing listens on it). The process's output goes to a log in `log_dir`.
    """

    def __init__(self, log_dir, *extra, template=TEMPLATE, data_dir=None, cwd=REPO_ROOT, wait=True):
        self.port = free_port()
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.log_path = Path(log_dir) / f"synapscribe-local-{self.port}.log"
        storage = ["--data-dir", str(data_dir)] if data_dir else ["--ephemeral"]
        # A template with the AgentCore parameter must never use its private default address.
        declares_agentcore = "AgentCoreEndpoint" in Path(template).read_text()
        overrides = ["--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9"] if declares_agentcore else []
        self.command = [str(emulator_binary()), "start", "--template", str(template), "--host", LOOPBACK,
                        "--port", str(self.port), *storage, *overrides, *map(str, extra)]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd)
        if wait:
            self.wait_healthy()

    def wait_healthy(self, timeout=READY_TIMEOUT_SECONDS):
        """Wait until `/_local/health` answers 200; returns self."""
        wait_until_healthy(self.endpoint, self.process, self.log_path, timeout=timeout)
        return self

    def client(self, service, key=ACCESS_KEY, secret=SECRET_KEY, token=None, **config):
        """A boto3 client for this process (path-style S3, no retries); `config` adds botocore Config options."""
        options = {"retries": {"total_max_attempts": 1}, "s3": {"addressing_style": "path"}}
        options.update(config)
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token, config=Config(**options))

    def stop(self):
        """SIGTERM (then SIGKILL) and close the log."""
        stop_process(self.process)
        self.log.close()

    def allow_api_gateway(self, function, statement_id="apigateway-any-api"):
        """Let API Gateway invoke `function` from any API of the account, as a deployment of API-created APIs must
        (Lambda's AddPermission); a statement already there (a restart on the same data folder) is kept."""
        lambda_client = self.client("lambda")
        try:
            lambda_client.add_permission(FunctionName=function, StatementId=statement_id, Action="lambda:InvokeFunction",
                                         Principal="apigateway.amazonaws.com",
                                         SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:*")
        except lambda_client.exceptions.ResourceConflictException:
            pass


@pytest.fixture(scope="session")
def emulator(request, tmp_path_factory):
    """The running emulator: reused from SYNAPSCRIBE_ENDPOINT, or started for this session."""
    global _emulator_log_path
    reuse = os.environ.get("SYNAPSCRIBE_ENDPOINT")
    if reuse:
        endpoint = reuse.rstrip("/")
        wait_until_healthy(endpoint, timeout=10)
        yield Emulator(endpoint=endpoint, log_path=None)
        return

    binary = emulator_binary()
    agent = request.getfixturevalue("agentcore")
    port = free_port()
    log_dir = tmp_path_factory.mktemp("synapscribe")
    log_path = log_dir / "synapscribe-local.log"
    command = [
        str(binary), "start",
        "--template", str(TEMPLATE),
        "--host", LOOPBACK,
        "--port", str(port),
        "--ephemeral",
        "--parameter-overrides", f"AgentCoreEndpoint={agent.url}",
    ]
    with open(log_path, "wb") as log_file:
        log_file.write(("$ " + " ".join(command) + "\n").encode())
        log_file.flush()
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    _emulator_log_path = log_path
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_healthy(endpoint, process, log_path)
        yield Emulator(endpoint=endpoint, log_path=log_path, process=process)
    finally:
        stop_process(process)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "requires(service): the test needs that service implemented; it is skipped, with the reason shown, "
        "while /_local/health reports the service as not-implemented",
    )


@pytest.fixture(autouse=True)
def _skip_unimplemented_services(request):
    """Skip tests marked @pytest.mark.requires("dynamodb") while that service is not implemented yet."""
    marker = request.node.get_closest_marker("requires")
    if marker is None:
        return
    endpoint = request.getfixturevalue("endpoint")
    services = requests.get(f"{endpoint}/_local/health", timeout=5).json()["services"]
    for name in marker.args:
        state = services.get(name, {}).get("state")
        if state == "not-implemented":
            pytest.skip(f"{name} is not implemented yet (health state: {state})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the emulator log tail to every failing test report."""
    outcome = yield
    report = outcome.get_result()
    # Setup failures of the emulator fixture already carry the log in their message.
    if report.failed and report.when == "call" and _emulator_log_path is not None:
        report.sections.append(("synapscribe-local log (tail)", read_tail(_emulator_log_path)))


# --------------------------------------------------------------------------- clients


@pytest.fixture(scope="session")
def endpoint(emulator):
    """Base URL of the emulator, e.g. http://127.0.0.1:4566."""
    return emulator.endpoint


def client_config(**overrides):
    """botocore config for tests: one attempt (errors surface as they are), path-style S3."""
    settings = {"retries": {"total_max_attempts": 1, "mode": "standard"},
                "s3": {"addressing_style": "path"}, "connect_timeout": 5, "read_timeout": 60}
    settings.update(overrides)
    return Config(**settings)


@pytest.fixture(scope="session")
def boto_session():
    """boto3 session with the emulator's default credentials (test/test, us-east-1)."""
    return boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)


@pytest.fixture(scope="session")
def client(boto_session, endpoint):
    """Factory: client("dynamodb") -> a boto3 client bound to the emulator."""

    def make(service, **kwargs):
        return boto_session.client(service, endpoint_url=endpoint, config=client_config(), **kwargs)

    return make


@pytest.fixture(scope="session")
def client_with_credentials(endpoint):
    """Factory: client_with_credentials("s3", access_key, secret) -> client signing with those keys."""

    def make(service, access_key, secret_key):
        session = boto3.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=REGION)
        return session.client(service, endpoint_url=endpoint, config=client_config())

    return make


@pytest.fixture(scope="session")
def signed_request(endpoint):
    """Send a raw HTTP request signed with botocore's SigV4Auth (test/test unless given)."""

    def send(service, method="POST", path="/", headers=None, body=b"", access_key=ACCESS_KEY, secret_key=SECRET_KEY):
        aws_request = AWSRequest(method=method, url=f"{endpoint}{path}", data=body, headers=dict(headers or {}))
        SigV4Auth(Credentials(access_key, secret_key), service, REGION).add_auth(aws_request)
        prepared = aws_request.prepare()
        return requests.request(method, prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=30)

    return send


@pytest.fixture(scope="session")
def aws_cli(endpoint, tmp_path_factory):
    """Run `python3 -m awscli --endpoint-url <emulator> ARGS...`; returns (exit code, stdout, stderr)."""
    home = tmp_path_factory.mktemp("awscli-home")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_DEFAULT_OUTPUT": "json",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
    })

    def run(*args, timeout=120):
        result = subprocess.run(
            [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, *map(str, args)],
            capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO_ROOT,
        )
        return result.returncode, result.stdout, result.stderr

    return run


# --------------------------------------------------------------------------- clock


@dataclass
class Clock:
    """Client for the emulator's virtual clock (/_local/clock)."""

    endpoint: str

    def raw_get(self):
        return requests.get(f"{self.endpoint}/_local/clock", timeout=10)

    def raw_post(self, body):
        """POST a body (dict -> JSON, str/bytes sent verbatim) and return the raw response."""
        data = json.dumps(body) if isinstance(body, dict) else body
        return requests.post(f"{self.endpoint}/_local/clock", data=data,
                             headers={"Content-Type": "application/json"}, timeout=10)

    def state(self):
        """Current {"now", "offsetSeconds"}."""
        response = self.raw_get()
        assert response.status_code == 200, response.text
        return response.json()

    def now(self):
        """Virtual now as an aware datetime."""
        return iso_to_datetime(self.state()["now"])

    def advance(self, spec):
        """Move the clock forward by a duration such as "7d", "90m", "1h30m"."""
        response = self.raw_post({"advance": spec})
        assert response.status_code == 200, response.text
        return response.json()

    def set(self, when):
        """Set the virtual clock to an ISO 8601 instant (datetime or string)."""
        if isinstance(when, datetime):
            when = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = self.raw_post({"set": when})
        assert response.status_code == 200, response.text
        return response.json()

    def reset(self):
        """Bring the virtual clock back to real time (offset about 0)."""
        return self.set(datetime.now(timezone.utc))


@pytest.fixture
def clock(endpoint):
    """Virtual clock helper; the clock is put back to real time after the test."""
    helper = Clock(endpoint)
    yield helper
    helper.reset()


# --------------------------------------------------------------------------- emulators with their own user cache


def start_with_own_cache(template, base, *extra):
    """Start an emulator on `template` (own port, `--ephemeral`) whose user cache (`XDG_CACHE_HOME`) is `base/cache`,
    so Lambda runtime files, extracted code and dependency installs stay in the test's folder. Returns
    (endpoint, log_path, process); the caller stops the process."""
    port = free_port()
    log_path = Path(base) / f"synapscribe-local-{port}.log"
    command = [str(emulator_binary()), "start", "--template", str(template), "--host", LOOPBACK, "--port", str(port),
               "--ephemeral", *map(str, extra)]
    env = dict(os.environ, XDG_CACHE_HOME=str(Path(base) / "cache"))
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env)
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_healthy(endpoint, process, log_path)
    except BaseException:
        stop_process(process)
        raise
    return endpoint, log_path, process


@pytest.fixture(scope="module")
def ddb_unvalidated(boto_session, endpoint):
    """A DynamoDB client without botocore's parameter validation, so requests reach the emulator as written
    (empty lists, unknown enum values) and its validation answers, as AWS's would."""
    return boto_session.client("dynamodb", endpoint_url=endpoint, config=client_config(parameter_validation=False))


def drop_s3_bucket(s3, name):
    """Deletes a test bucket however it was left: its policy, every version and delete marker, then the bucket."""
    from botocore.exceptions import ClientError
    try:
        s3.delete_bucket_policy(Bucket=name)
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                s3.delete_object(Bucket=name, Key=entry["Key"], VersionId=entry["VersionId"])
        s3.delete_bucket(Bucket=name)
    except ClientError:
        pass


class LoopbackBackend:
    """A tiny HTTP server on loopback for API Gateway HTTP integrations: it answers what it received (method, path,
    headers, body) as JSON with an `x-backend: yes` header, the status a `status=NNN` query item asks for (else 200),
    and takes 3 s to answer paths starting with /slow. `seen` lists the paths it was asked for, `received` what it
    answered."""

    def __init__(self):
        self.seen = []
        self.received = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                backend.seen.append(self.path)
                if self.path.startswith("/slow"):
                    time.sleep(3)
                received = {"method": self.command, "path": self.path, "body": body,
                            "headers": {name.lower(): value for name, value in self.headers.items()}}
                backend.received.append(received)
                data = json.dumps(received).encode()
                asked = re.search(r"[?&]status=(\d{3})", self.path)
                try:
                    self.send_response(int(asked.group(1)) if asked else 200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("x-backend", "yes")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except BrokenPipeError:
                    pass  # the emulator gave up waiting (timeout tests)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
