"""pytest fixtures for SynapScribe Local (see README.md).

The session fixture starts one emulator on free loopback ports (`--port 0 --tls-port 0`) with the project's template
and reads where it listens from the `--ready-file` it writes atomically once every port is bound. Everything talks to
127.0.0.1 only.
"""

import json
import os
import shutil
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

ACCESS_KEY = "test"
SECRET_KEY = "test"
READY_TIMEOUT_SECONDS = 180


def pytest_addoption(parser):
    group = parser.getgroup("synapscribe", "SynapScribe Local emulator")
    group.addoption("--synapscribe-bin", default=None, help="the synapscribe-local binary (default: $SYNAPSCRIBE_BIN, "
                    "else synapscribe-local on PATH)")
    group.addoption("--synapscribe-template", default=None, help="the SAM/CloudFormation template (default: "
                    "$SYNAPSCRIBE_TEMPLATE, else template.yaml in the rootdir)")
    parser.addini("synapscribe_bin", "the synapscribe-local binary", default="")
    parser.addini("synapscribe_template", "the template", default="")
    parser.addini("synapscribe_args", "extra arguments for `synapscribe-local start`", type="args", default=[])
    parser.addini("synapscribe_autoreset", "reset the emulator before every test", type="bool", default=False)


def _setting(config, option, ini, env):
    return config.getoption(option) or config.getini(ini) or os.environ.get(env) or None


class Emulator:
    """A running emulator: its endpoint, its ready-file facts and helpers."""

    def __init__(self, endpoint, ready, region="us-east-1"):
        self.endpoint = endpoint.rstrip("/")
        self.ready = ready
        self.region = ready.get("region", region)
        self._session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                      region_name=self.region)
        self._config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})

    def _admin_headers(self):
        headers = {"Content-Type": "application/json"}
        if self.ready.get("adminToken"):
            headers["Authorization"] = f"Bearer {self.ready['adminToken']}"
        return headers

    def client(self, service, **kwargs):
        """A boto3 client bound to the emulator (test/test credentials)."""
        return self._session.client(service, endpoint_url=self.endpoint, config=self._config, **kwargs)

    def resource(self, service, **kwargs):
        """A boto3 resource bound to the emulator."""
        return self._session.resource(service, endpoint_url=self.endpoint, config=self._config, **kwargs)

    def physical_id(self, logical_id):
        """The physical id (bucket name, table name, function name...) of a template resource."""
        for resource in self.ready.get("resources", []):
            if resource["logicalId"] == logical_id:
                return resource["physicalId"]
        raise KeyError(f"no resource {logical_id!r} in the stack")

    def output(self, key):
        """A stack output, with local URLs."""
        return self.ready.get("outputs", {})[key]

    def admin(self, method, path, body=None):
        """A raw /_local request."""
        return requests.request(method, f"{self.endpoint}/_local/{path.lstrip('/')}", headers=self._admin_headers(),
                                data=json.dumps(body) if body is not None else None, timeout=60)

    def reset(self):
        """All data back to the template's initial state; returns the emulator's answer."""
        response = self.admin("POST", "reset", {})
        response.raise_for_status()
        return response.json()

    def snapshot(self, name):
        """Saves the whole state (clock included) as snapshot `name`; returns the emulator's answer."""
        response = self.admin("POST", "snapshots", {"name": name})
        response.raise_for_status()
        return response.json()

    def restore(self, name):
        """Replaces the whole state (clock included) with snapshot `name`; returns the emulator's answer."""
        response = self.admin("POST", f"snapshots/{name}/restore", {})
        response.raise_for_status()
        return response.json()

    def delete_snapshot(self, name):
        """Deletes snapshot `name`."""
        response = self.admin("DELETE", f"snapshots/{name}", {})
        response.raise_for_status()
        return response.json()

    def snapshots(self):
        """The snapshots: a list of {name, createdAt, virtualTime, sizeBytes, services}."""
        response = self.admin("GET", "snapshots")
        response.raise_for_status()
        return response.json()["snapshots"]

    def invoke(self, function, event=None):
        """Invokes a function (logical id or name) synchronously; returns (response, decoded payload)."""
        try:
            name = self.physical_id(function)
        except KeyError:
            name = function
        response = self.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event or {}))
        payload = response["Payload"].read()
        try:
            return response, json.loads(payload)
        except ValueError:
            return response, payload


def _wait_for_ready(path, process, log_path):
    deadline = time.time() + READY_TIMEOUT_SECONDS
    while time.time() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if process.poll() is not None:
            break
        time.sleep(0.05)
    log = Path(log_path).read_text(errors="replace")[-4000:] if Path(log_path).exists() else ""
    raise RuntimeError(f"synapscribe-local did not become ready (exit code {process.poll()}):\n{log}")


@pytest.fixture(scope="session")
def synapscribe(request, tmp_path_factory):
    """The emulator for this test session (started once; reused from $SYNAPSCRIBE_ENDPOINT when set)."""
    reuse = os.environ.get("SYNAPSCRIBE_ENDPOINT")
    if reuse:
        ready = {}
        health = requests.get(f"{reuse.rstrip('/')}/_local/health", timeout=10).json()
        ready["region"] = health.get("region", "us-east-1")
        yield Emulator(reuse, ready)
        return
    config = request.config
    binary = _setting(config, "--synapscribe-bin", "synapscribe_bin", "SYNAPSCRIBE_BIN") or shutil.which(
        "synapscribe-local")
    if not binary:
        pytest.fail("synapscribe-local not found: pass --synapscribe-bin, set SYNAPSCRIBE_BIN or put it on PATH")
    template = _setting(config, "--synapscribe-template", "synapscribe_template", "SYNAPSCRIBE_TEMPLATE") or str(
        Path(str(config.rootpath)) / "template.yaml")
    folder = tmp_path_factory.mktemp("synapscribe")
    ready_path = folder / "ready.json"
    log_path = folder / "synapscribe-local.log"
    command = [binary, "start", "--template", template, "--host", "127.0.0.1", "--port", "0", "--tls-port", "0",
               "--ephemeral", "--ready-file", str(ready_path), *config.getini("synapscribe_args")]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=str(Path(template).parent))
    try:
        ready = _wait_for_ready(ready_path, process, log_path)
        yield Emulator(ready["edgeURL"], ready)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def synapscribe_reset(synapscribe):
    """Resets the emulator before the test."""
    synapscribe.reset()
    return synapscribe


@pytest.fixture(autouse=True)
def _synapscribe_autoreset(request):
    if request.config.getini("synapscribe_autoreset"):
        request.getfixturevalue("synapscribe_reset")


class SnapshotHelper:
    """Saves the state once and restores it on demand: `synapscribe_snapshot.save("seeded")` after seeding data,
    `synapscribe_snapshot.restore("seeded")` at the start of each test that needs it; the snapshots saved through the
    helper are deleted at the end of the test."""

    def __init__(self, emulator):
        self._emulator = emulator
        self.saved = []

    def save(self, name):
        answer = self._emulator.snapshot(name)
        self.saved.append(name)
        return answer

    def restore(self, name):
        return self._emulator.restore(name)

    def list(self):
        return self._emulator.snapshots()


@pytest.fixture
def synapscribe_snapshot(synapscribe):
    """Snapshots of the whole state (data and virtual clock): `.save(name)`, `.restore(name)`, `.list()`."""
    helper = SnapshotHelper(synapscribe)
    yield helper
    for name in helper.saved:
        synapscribe.admin("DELETE", f"snapshots/{name}", {})


class Clock:
    """The emulator's virtual clock."""

    def __init__(self, emulator):
        self._emulator = emulator

    def _post(self, body):
        response = self._emulator.admin("POST", "clock", body)
        response.raise_for_status()
        return response.json()

    def now(self):
        text = self._emulator.admin("GET", "clock").json()["now"]
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    def advance(self, duration):
        """Moves the clock forward: "7d", "90m", "1h30m" or seconds."""
        return self._post({"advance": duration})

    def set(self, when):
        """Sets the clock to an ISO 8601 instant (or an aware datetime)."""
        if isinstance(when, datetime):
            when = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._post({"set": when})


@pytest.fixture
def clock(synapscribe):
    """The virtual clock; put back to real time after the test."""
    helper = Clock(synapscribe)
    yield helper
    helper.set(datetime.now(timezone.utc))


@pytest.fixture
def websocket(synapscribe):
    """Factory: websocket(logical_id=None, **connect_kwargs) -> a connected sync `websockets` client."""
    from websockets.sync.client import connect

    opened = []

    def open_connection(logical_id=None, **kwargs):
        apis = synapscribe.ready.get("webSocketAPIs", [])
        if not apis:
            raise LookupError("the stack has no WebSocket API")
        api = apis[0] if logical_id is None else next(api for api in apis if api["logicalId"] == logical_id)
        connection = connect(api["url"], open_timeout=30, **kwargs)
        opened.append(connection)
        return connection

    yield open_connection
    for connection in opened:
        connection.close()
