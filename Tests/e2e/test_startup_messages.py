"""What `synapscribe-local start` prints for people: the start-up summary fits a 100-column terminal, and the start-up
refusals (port in use, data folder locked) name what to do next."""

import socket
import subprocess
import time

from conftest import (
    EmulatorProcess,
    LOOPBACK,
    TEMPLATE,
    emulator_binary,
    free_port,
    stop_process,
    wait_until_healthy,
)


def start(tmp_path, *extra):
    stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    command = [str(emulator_binary()), "start", "--template", str(TEMPLATE), "--host", LOOPBACK,
               "--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9", *map(str, extra)]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=str(TEMPLATE.parent))
    return process, stdout, stderr


def test_summary_fits_100_columns(tmp_path):
    port = free_port()
    process, stdout, stderr = start(tmp_path, "--port", port, "--ephemeral")
    try:
        wait_until_healthy(f"http://{LOOPBACK}:{port}", process, stderr)
        deadline = time.time() + 20
        while "export AWS_SECRET_ACCESS_KEY" not in stdout.read_text() and time.time() < deadline:
            time.sleep(0.1)
        text = stdout.read_text()
    finally:
        stop_process(process)
    assert "export AWS_SECRET_ACCESS_KEY" in text, text
    lines = text.splitlines()
    assert lines[0].startswith("synapscribe-local: stack ")
    assert len(lines) > 10
    too_wide = [line for line in lines if len(line) > 100]
    assert too_wide == [], "\n".join(too_wide)


def test_port_in_use_names_the_next_step(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process, _, stderr = start(tmp_path, "--port", port, "--ephemeral")
        try:
            code = process.wait(timeout=60)
        finally:
            stop_process(process)
    message = stderr.read_text()
    assert code == 1, message
    assert f"error: port {port} on {LOOPBACK} is in use (by another synapscribe-local or another server): stop that " \
           f"process, or start with --port N (--port 0 picks a free port; --ready-file PATH writes the URLs)" in message


def test_locked_data_folder_names_the_next_step(tmp_path):
    data = tmp_path / "data"
    first = EmulatorProcess(tmp_path, data_dir=data)
    try:
        process, _, stderr = start(tmp_path, "--port", free_port(), "--data-dir", data)
        try:
            code = process.wait(timeout=60)
        finally:
            stop_process(process)
    finally:
        first.stop()
    message = stderr.read_text()
    assert code != 0, message
    assert f"the data folder {data} is in use by another synapscribe-local process (pid {first.process.pid}); " \
           "stop it, or start with another --data-dir or with --ephemeral" in message
