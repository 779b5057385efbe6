"""Start-up options and front-door behaviour that need their own emulator process:
--strict-credentials, --credentials-file, graceful shutdown, the clock CLI, Expect: 100-continue,
and a broken template refused at start."""

import signal
import socket
import subprocess

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import LOOPBACK, TEMPLATE, EmulatorProcess, emulator_binary, read_tail


@pytest.fixture
def server_factory(tmp_path):
    servers = []

    def start(*extra, template=TEMPLATE):
        server = EmulatorProcess(tmp_path, *extra, template=template, wait=False)
        servers.append(server)
        return server.wait_healthy()

    yield start
    for server in servers:
        server.stop()


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_strict_credentials_refuse_unknown_keys(server_factory):
    server = server_factory("--strict-credentials")
    with pytest.raises(ClientError) as excinfo:
        server.client("dynamodb", "AKIAUNKNOWNKEY000001", "secret").list_tables()
    assert error_code(excinfo) == ("UnrecognizedClientException", 400)
    assert excinfo.value.response["Error"]["Message"] == "The security token included in the request is invalid."
    with pytest.raises(ClientError) as excinfo:
        server.client("s3", "AKIAUNKNOWNKEY000001", "secret").list_buckets()
    assert error_code(excinfo) == ("InvalidAccessKeyId", 403)
    with pytest.raises(ClientError) as excinfo:
        server.client("cloudformation", "AKIAUNKNOWNKEY000001", "secret").describe_stacks()
    assert error_code(excinfo) == ("InvalidClientTokenId", 403)
    # The test key pair still works.
    stacks = server.client("cloudformation", "test", "test").describe_stacks()["Stacks"]
    assert [stack["StackName"] for stack in stacks] == ["synapscribe-mvp"]


def test_credentials_file_keys_are_verified(server_factory, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[ci]\naws_access_key_id = AKIACIKEY00000000001\naws_secret_access_key = ci-secret\n")
    server = server_factory("--strict-credentials", "--credentials-file", credentials)
    good = server.client("cloudformation", "AKIACIKEY00000000001", "ci-secret")
    assert good.describe_stacks()["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    with pytest.raises(ClientError) as excinfo:
        server.client("cloudformation", "AKIACIKEY00000000001", "wrong-secret").describe_stacks()
    assert error_code(excinfo) == ("SignatureDoesNotMatch", 403)


def test_sigterm_shuts_down_gracefully(tmp_path):
    server = EmulatorProcess(tmp_path)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=15) == 0
    server.log.close()


def test_broken_template_refused_at_start_with_one_line(tmp_path):
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("!GetAtt LambdaExecutionRole.Arn", "!GetAtt NoSuchRole.Arn", 1))
    result = subprocess.run([str(emulator_binary()), "start", "--template", str(broken), "--port", "0", "--ephemeral"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "template.yaml:" in lines[0] and "NoSuchRole" in lines[0], lines[0]


def test_clock_cli_moves_a_running_emulator(server_factory):
    server = server_factory()
    before = requests.get(f"{server.endpoint}/_local/clock", timeout=5).json()["offsetSeconds"]
    result = subprocess.run([str(emulator_binary()), "clock", "advance", "7d", "--endpoint", server.endpoint],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    after = requests.get(f"{server.endpoint}/_local/clock", timeout=5).json()["offsetSeconds"]
    assert after - before == pytest.approx(7 * 86400, abs=2)
    bad = subprocess.run([str(emulator_binary()), "clock", "advance", "soon", "--endpoint", server.endpoint],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0


def test_expect_100_continue_is_answered_before_the_body(emulator):
    """boto3 sends Expect: 100-continue on every S3 PutObject and waits for the interim answer."""
    with socket.create_connection((LOOPBACK, int(emulator.endpoint.rsplit(":", 1)[1])), timeout=5) as sock:
        sock.sendall(b"PUT /some-bucket/some-key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        # Nothing of the body has been sent: whatever arrives now was sent in answer to the head alone.
        sock.settimeout(10)
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 Continue"), interim
        # A service that answers without reading the body may send its final response in the same segment.
        early = interim.split(b"\r\n\r\n", 1)[1]
        sock.settimeout(5)
        try:
            sock.sendall(b"hello")
        except OSError:
            assert early, "connection closed before any final response"
        final = early or sock.recv(65536)
        assert final.startswith(b"HTTP/1.1 "), final
        assert not final.startswith(b"HTTP/1.1 100"), final


def test_json_log_format(tmp_path):
    server = EmulatorProcess(tmp_path, "--log-format", "json")
    server.stop()
    import json
    lines = [line for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    assert lines, read_tail(server.log_path)
    record = json.loads(lines[0])
    assert {"time", "level", "message"} <= set(record)
