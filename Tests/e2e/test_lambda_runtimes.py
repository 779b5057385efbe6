"""Lambda Python runtimes per version (issue 14, items 2-4): every python3.X function runs on a python3.X interpreter
(PATH, pyenv or --lambda-python-3.X), else the closest newer one with a warning; the binary creates each version's
runtime environment (venv + awslambdaric + boto3) in the user cache at first use; `synapscribe-local build` installs
requirements.txt ahead of time and `start` never reaches the network for them.

No test here needs the network: runtime environments are made from the wheels scripts/setup downloads into
.runtime-wheels (PIP_FIND_LINKS + PIP_NO_INDEX), and tinytoml comes from a wheelhouse built from
Fixtures/lambda-tests/packages. Tests that need a python3.X interpreter skip only when this machine has none.
"""

import glob
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import (
    ACCESS_KEY,
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

FIXTURES = REPO_ROOT / "Fixtures" / "python-runtimes"
RUNTIMES_TEMPLATE = FIXTURES / "template.yaml"
SAM_BUILT_TEMPLATE = FIXTURES / ".aws-sam" / "build" / "template.yaml"
PACKAGES = REPO_ROOT / "Fixtures" / "lambda-tests" / "packages"
RUNTIME_WHEELS = REPO_ROOT / ".runtime-wheels"
PROVISION_TIMEOUT = 300


def pyenv_root():
    return os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")


def interpreter(minor):
    """A python3.`minor` interpreter of this machine (as the emulator looks for it: PATH, then pyenv), or None."""
    name = f"python3.{minor}"
    candidates = [str(Path(folder) / name) for folder in os.environ.get("PATH", "").split(":") if folder]
    candidates += sorted(glob.glob(f"{pyenv_root()}/versions/3.{minor}.*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[1])"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == str(minor):
            return candidate
    return None


def require_interpreter(minor):
    found = interpreter(minor)
    if found is None:
        pytest.skip(f"this machine has no python3.{minor} interpreter (PATH or pyenv)")
    return found


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    """Local wheels only: the runtime packages scripts/setup downloaded, and tinytoml built here."""
    if not any(RUNTIME_WHEELS.glob("awslambdaric-*.whl")):
        pytest.fail(f"{RUNTIME_WHEELS} has no awslambdaric wheels: run scripts/setup (it downloads them)", pytrace=False)
    return f"{RUNTIME_WHEELS} {build_wheelhouse(PACKAGES, tmp_path_factory.mktemp('pyrt-wheels'))}"


def offline_env(cache, wheelhouse=None, **extra):
    """The emulator's environment: its own user cache; pip sees only `wheelhouse`, or (None) a closed loopback index."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_") and key != "SYNAPSCRIBE_LAMBDA_PYTHON"}
    env["XDG_CACHE_HOME"] = str(cache)
    if wheelhouse:
        env.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheelhouse})
    else:
        # Nothing listens on this port: any attempt to reach an index fails at once.
        env.update({"PIP_INDEX_URL": f"http://{LOOPBACK}:{free_port()}/simple", "PIP_RETRIES": "0", "PIP_TIMEOUT": "2"})
    env.update(extra)
    return env


class Server:
    def __init__(self, base, template, env, *extra, cwd=REPO_ROOT, binary=None):
        self.port = free_port()
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.log_path = Path(base) / f"synapscribe-local-{self.port}.log"
        command = [str(binary or emulator_binary()), "start", "--template", str(template), "--host", LOOPBACK,
                   "--port", str(self.port), "--ephemeral", *map(str, extra)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        try:
            wait_until_healthy(self.endpoint, self.process, self.log_path)
        except BaseException:
            stop_process(self.process)
            raise

    def client(self, service):
        session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
        return session.client(service, endpoint_url=self.endpoint, config=client_config(read_timeout=PROVISION_TIMEOUT))

    def invoke(self, name, payload=None):
        response = self.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload or {}))
        body = response["Payload"].read()
        return response, json.loads(body) if body else None

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        stop_process(self.process)


def run_cli(*args, env, cwd=REPO_ROOT, binary=None, timeout=PROVISION_TIMEOUT):
    return subprocess.run([str(binary or emulator_binary()), *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)


@pytest.fixture(scope="module")
def runtimes_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("pyrt-cache")


@pytest.fixture(scope="module")
def runtimes_server(tmp_path_factory, wheelhouse, runtimes_cache):
    """The runtimes template on a fresh user cache; runtime environments are created from local wheels."""
    server = Server(tmp_path_factory.mktemp("pyrt-logs"), RUNTIMES_TEMPLATE, offline_env(runtimes_cache, wheelhouse))
    yield server
    server.stop()


# =========================================================================== one interpreter per version


@pytest.mark.parametrize("minor", [10, 11, 13])
def test_function_runs_on_its_own_python_version(runtimes_server, runtimes_cache, minor):
    require_interpreter(minor)
    response, body = runtimes_server.invoke(f"py3{minor}")
    assert response["StatusCode"] == 200 and "FunctionError" not in response, body
    assert body["version_info"][:2] == [3, minor], body
    assert body["execution_env"] == f"AWS_Lambda_python3.{minor}"
    assert body["boto3"] == "1.40.4"
    # The runtime environment the binary created in the user cache at this version's first use.
    environment = runtimes_cache / "synapscribe-local" / "runtimes" / f"python3.{minor}"
    assert body["awslambdaric"].startswith(str(environment)), body
    assert (environment / ".complete").is_file()
    assert not list((runtimes_cache / "synapscribe-local" / "runtimes").glob(".staging-*"))
    assert f"creating the python3.{minor} runtime environment (once)" in runtimes_server.log()


def test_missing_requirements_build_is_an_init_error_naming_build(runtimes_server):
    """start installs nothing from the network: a requirements.txt never built fails the cold start, saying what to run."""
    require_interpreter(11)
    with pytest.raises(ClientError) as caught:
        runtimes_server.invoke("deps311")
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["Code"] == "ServiceException"
    requirements = FIXTURES / "deps" / "requirements.txt"
    assert error["Message"] == (
        f"The function's dependencies ({requirements}) are not installed for python3.11: run `synapscribe-local build` "
        "with the same template first (start never installs them from the network), or start with --install-dependencies.")
    assert "deps311: " in runtimes_server.log() and "run `synapscribe-local build` first" in runtimes_server.log()


def test_closest_newer_interpreter_runs_with_a_warning_naming_the_function(tmp_path, wheelhouse, runtimes_cache):
    """No python3.10 anywhere (empty PATH and pyenv root, copies of the binary and the template far from
    .venv-runtime): the python3.10 function runs on the python3.13 given with --lambda-python-3.13, and start says so."""
    python313 = require_interpreter(13)
    binary = tmp_path / "bin" / "synapscribe-local"
    binary.parent.mkdir()
    shutil.copy2(emulator_binary(), binary)
    app = tmp_path / "app"
    shutil.copytree(FIXTURES / "version", app / "version")
    shutil.copy(RUNTIMES_TEMPLATE, app / "template.yaml")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = offline_env(runtimes_cache, wheelhouse, PATH=str(empty), PYENV_ROOT=str(empty))
    server = Server(tmp_path, app / "template.yaml", env, "--lambda-python-3.13", python313, cwd=app, binary=binary)
    try:
        _, body = server.invoke("py310")
        assert body["version_info"][:2] == [3, 13], body
        assert body["execution_env"] == "AWS_Lambda_python3.10"
        log = server.log()
        assert ("py310 declares python3.10 but no python3.10 interpreter was found: it runs on python3.13 "
                f"({python313}), the closest newer one") in log
    finally:
        server.stop()


# =========================================================================== build, then an offline start


def test_build_then_offline_start_imports_the_dependency(tmp_path, wheelhouse, runtimes_cache):
    """build makes what start needs (the runtime environments, reused from the module's cache when there, and the
    dependencies); the start after it has no index and no wheelhouse."""
    require_interpreter(11)
    cache = runtimes_cache
    built = run_cli("build", "--template", RUNTIMES_TEMPLATE, env=offline_env(cache, wheelhouse))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "deps311: requirements.txt installed for python3.11 in " in built.stdout, built.stdout
    assert "py311: no requirements.txt: nothing to install (python3.11)" in built.stdout, built.stdout

    # The index is a closed loopback port and no wheelhouse is offered: everything must come from the cache.
    server = Server(tmp_path, RUNTIMES_TEMPLATE, offline_env(cache))
    try:
        response, body = server.invoke("deps311", {"toml": "answer = 42"})
        assert "FunctionError" not in response, body
        assert body["parsed"] == {"answer": 42}
        assert "/synapscribe-local/lambda-deps/" in body["module"] and body["module"].startswith(str(cache)), body
        assert "creating the python3.11 runtime environment" not in server.log()
        assert "is not installed for python3.11" not in server.log()
    finally:
        server.stop()


def test_sam_build_output_runs_as_is_without_build(tmp_path):
    """A template written by `sam build` vendors the dependencies in CodeUri: nothing to install, offline."""
    require_interpreter(11)
    cache = tmp_path / "cache"
    # The runtime environment comes from an earlier build; the dependencies never are installed anywhere.
    prepared = run_cli("build", "--template", SAM_BUILT_TEMPLATE, env=offline_env(cache, f"{RUNTIME_WHEELS}"))
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    assert "deps311: sam build output: dependencies are in " in prepared.stdout, prepared.stdout
    server = Server(tmp_path, SAM_BUILT_TEMPLATE, offline_env(cache))
    try:
        response, body = server.invoke("deps311", {"toml": "answer = 7"})
        assert "FunctionError" not in response, body
        assert body["parsed"] == {"answer": 7}
        assert body["module"] == str(SAM_BUILT_TEMPLATE.parent / "WithDependencies" / "tinytoml.py"), body
        assert not (cache / "synapscribe-local" / "lambda-deps").exists()
    finally:
        server.stop()


def test_install_dependencies_installs_at_the_first_cold_start(tmp_path, wheelhouse):
    require_interpreter(11)
    server = Server(tmp_path, RUNTIMES_TEMPLATE, offline_env(tmp_path / "cache", wheelhouse), "--install-dependencies")
    try:
        response, body = server.invoke("deps311", {"toml": "answer = 1"})
        assert "FunctionError" not in response, body
        assert body["parsed"] == {"answer": 1}
    finally:
        server.stop()


# =========================================================================== the runtimes subcommand


def test_runtimes_lists_each_runtime_and_what_each_function_runs_on(tmp_path):
    env = offline_env(tmp_path / "cache")
    listed = run_cli("runtimes", "--template", RUNTIMES_TEMPLATE, env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["RUNTIME", "INTERPRETER", "STATUS"]
    rows = {line.split()[0]: line for line in lines[1:6]}
    assert list(rows) == ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13"]
    for minor in (9, 10, 11, 12, 13):
        row = rows[f"python3.{minor}"]
        if interpreter(minor) is None and not (minor == 12 and (REPO_ROOT / ".venv-runtime").exists()):
            assert " - " in row and "not found" in row, row
        else:
            assert f"(3.{minor}." in row, row
            assert "found (runtime environment created at first use in " in row or "ready" in row, row
    functions = {line.split()[0]: line for line in lines[7:]}
    assert lines[6] == "" and lines[7].split() == ["FUNCTION", "RUNTIME", "RUNS", "ON"]
    if interpreter(11):
        assert "python3.11 " in functions["py311"] and "(3.11." in functions["py311"]
        assert "requirements.txt NOT built (run synapscribe-local build)" in functions["deps311"]

    pins = run_cli("runtimes", "--requirements", "python3.12", env=env)
    assert pins.stdout.split() == ["awslambdaric==4.2.2", "boto3==1.40.4", "botocore==1.40.4"]
    refused = run_cli("runtimes", "--requirements", "python2.7", env=env)
    assert refused.returncode != 0 and "--requirements must name a supported runtime" in refused.stderr


def test_a_lambda_python_option_that_is_not_executable_is_refused(tmp_path):
    refused = run_cli("start", "--template", RUNTIMES_TEMPLATE, "--ephemeral", "--lambda-python-3.10", tmp_path / "nope",
                      env=offline_env(tmp_path / "cache"), timeout=30)
    assert refused.returncode != 0
    assert f"--lambda-python-3.10: {tmp_path / 'nope'} is not an executable file" in refused.stderr


# =========================================================================== the binary alone


def test_binary_copied_alone_starts_the_synapscribe_template_and_invokes_its_functions(tmp_path, wheelhouse):
    """A copy of the binary in a new folder, a copy of the SynapScribe app, an empty HOME and user cache: no
    .venv-runtime anywhere above them. The python3.12 runtime environment is created at the first invocation."""
    require_interpreter(12)
    binary = tmp_path / "bin" / "synapscribe-local"
    binary.parent.mkdir()
    shutil.copy2(emulator_binary(), binary)
    app = tmp_path / "app"
    shutil.copytree(REPO_ROOT / "Fixtures" / "synapscribe", app / "Fixtures" / "synapscribe")
    for name in ("template.yaml", "samconfig.toml"):
        shutil.copy(REPO_ROOT / name, app / name)
    home = tmp_path / "home"
    home.mkdir()
    env = offline_env(home / ".cache", f"{RUNTIME_WHEELS}", HOME=str(home), PYENV_ROOT=pyenv_root())
    server = Server(tmp_path, app / "template.yaml", env, "--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9",
                    cwd=app, binary=binary)
    try:
        s3 = server.client("s3")
        key = "lectures/alone/week-1.mp3"
        s3.put_object(Bucket="synapscribe-audio-000000000000", Key=key, Body=b"ID3" + b"\0" * 1024,
                      ContentType="audio/mpeg")
        event = json.loads((REPO_ROOT / "Fixtures/synapscribe/events/s3-put-lecture.json").read_text())
        event["Records"][0]["s3"]["object"]["key"] = key
        event["Records"][0]["s3"]["object"]["size"] = 1027
        response, body = server.invoke("ValidateLectureFunction", event)
        assert response["StatusCode"] == 200 and "FunctionError" not in response, body
        item = server.client("dynamodb").get_item(
            TableName="SynapScribe-Sessions", Key={"sessionId": {"S": "lecture"}, "lectureId": {"S": "alone/week-1"}})
        assert item["Item"]["status"]["S"] == "ready", item
        log = server.log()
        assert "creating the python3.12 runtime environment (once)" in log, read_tail(server.log_path)
        assert "python3.12 runtime environment ready in " in log
        assert (home / ".cache" / "synapscribe-local" / "runtimes" / "python3.12" / ".complete").is_file()
        assert ".venv-runtime" not in log
    finally:
        server.stop()
