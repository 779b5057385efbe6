"""`start --port 0 --tls-port 0 --ready-file PATH`: the emulator picks free ports and, once every port is bound, writes
one JSON file (atomically, mode 0600) with every URL and the CA bundle path."""

import json
import os
import stat
import subprocess
import time

import requests
from conftest import REPO_ROOT, emulator_binary, stop_process

TEMPLATE = REPO_ROOT / "Tests" / "e2e" / "templates" / "reset.yaml"


def start(tmp_path, *extra):
    ready = tmp_path / "ready.json"
    log_path = tmp_path / "synapscribe-local.log"
    command = [str(emulator_binary()), "start", "--template", str(TEMPLATE), "--host", "127.0.0.1", "--port", "0",
               "--tls-port", "0", "--ephemeral", "--ready-file", str(ready), *extra]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    deadline = time.time() + 120
    while not ready.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert ready.exists(), log_path.read_text(errors="replace")[-3000:]
    return process, ready


def test_ready_file_names_every_url(tmp_path):
    process, ready = start(tmp_path)
    try:
        facts = json.loads(ready.read_text())
        assert stat.S_IMODE(os.stat(ready).st_mode) == 0o600
        assert facts["status"] == "ready" and facts["port"] > 0 and facts["pid"] == process.pid
        assert facts["edgeURL"] == f"http://127.0.0.1:{facts['port']}"
        health = requests.get(f"{facts['edgeURL']}/_local/health", timeout=10).json()
        assert health["status"] == "running"
        assert facts["tlsURL"].startswith("https://") and not facts["tlsURL"].endswith(":0")
        assert os.path.isfile(facts["caBundlePath"])
        physical = {resource["logicalId"]: resource["physicalId"] for resource in facts["resources"]}
        assert physical["Files"] == "reset-files" and physical["Items"] == "reset-items"
        assert facts["environment"]["AWS_ENDPOINT_URL"] == facts["edgeURL"]
        assert [name for name in os.listdir(tmp_path) if name.endswith(".tmp")] == []
    finally:
        stop_process(process)


def test_two_emulators_on_port_zero_do_not_collide(tmp_path):
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    first, first_ready = start(first_dir)
    try:
        second, second_ready = start(second_dir)
        try:
            ports = {json.loads(path.read_text())["port"] for path in (first_ready, second_ready)}
            assert len(ports) == 2
        finally:
            stop_process(second)
    finally:
        stop_process(first)
