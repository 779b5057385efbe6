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


def test_missing_template_names_the_next_step(tmp_path):
    result = subprocess.run([str(emulator_binary()), "start", "--template", str(tmp_path / "nope.yaml"), "--port", "0"],
                            capture_output=True, text=True, timeout=30, cwd=str(tmp_path))
    assert result.returncode != 0
    assert "cannot read template" in result.stderr
    assert ("Pass --template with the path of your SAM or CloudFormation template, or leave --template out in a folder "
            "without template.yaml to start with no resources") in result.stderr


def test_unsupported_runtime_names_the_runtimes_that_run(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Legacy:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: legacy\n"
        "      Runtime: java21\n      Handler: a.b\n      InlineCode: x\n")
    server = EmulatorProcess(tmp_path, template=template)
    try:
        lam = server.client("lambda")
        try:
            lam.invoke(FunctionName="legacy", Payload=b"{}")
            raise AssertionError("invoke should fail")
        except lam.exceptions.ServiceException as error:
            message = error.response["Error"]["Message"]
    finally:
        server.stop()
    assert message == ("The function cannot run locally: runtime java21 is not supported; functions run here on python3.x "
                       "and nodejsN.x runtimes (python3.13, nodejs22.x...), so set Runtime to one of those")
