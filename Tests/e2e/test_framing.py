"""HTTP framing errors, idle connections, the connection cap and body limits at the front door.

Raw sockets send exact bytes to the running binary: every broken request gets AWS's answer at once (S3's XML,
400) and the connection is closed; the emulator then still serves ordinary boto3 requests."""

import json
import re
import socket
import ssl
import subprocess
import time

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, LOOPBACK, REGION, REPO_ROOT, SECRET_KEY, EmulatorProcess, emulator_binary, read_tail

ANSWER_WITHIN = 2.0
PARSE_ERROR = "An error occurred when parsing the HTTP request."
REQUEST_TIMEOUT = ("Your socket connection to the server was not read from or written to within the timeout period. "
                   "Idle connections will be closed.")


def host_port(endpoint):
    host, port = endpoint.rsplit("//", 1)[1].split(":")
    return host, int(port)


def exchange(endpoint, data, wrap=None, read_for=ANSWER_WITHIN + 3):
    """Send raw bytes, then read until the server closes (or `read_for` s pass).

    Returns (response text, seconds until the first response byte, whether the server closed)."""
    sock = socket.create_connection(host_port(endpoint), timeout=read_for)
    if wrap is not None:
        sock = wrap(sock)
    started = time.monotonic()
    sock.sendall(data)
    received, first_byte_after, closed = b"", None, False
    deadline = started + read_for
    try:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            if first_byte_after is None:
                first_byte_after = time.monotonic() - started
            received += chunk
    except (socket.timeout, TimeoutError):
        pass
    except (ConnectionResetError, ssl.SSLError):
        closed = True
    finally:
        sock.close()
    return received.decode(errors="replace"), first_byte_after, closed


def status_of(text):
    match = re.match(r"HTTP/1\.1 (\d{3}) ", text)
    return int(match.group(1)) if match else None


def xml_field(text, name):
    match = re.search(f"<{name}>(.*?)</{name}>", text, re.S)
    return match.group(1) if match else None


def assert_s3_error(text, first_byte_after, closed, code, message):
    assert status_of(text) == 400, text
    assert first_byte_after is not None and first_byte_after < ANSWER_WITHIN, first_byte_after
    assert xml_field(text, "Code") == code, text
    assert xml_field(text, "Message") == message, text
    assert re.search(r"\r\nx-amz-request-id: [0-9A-F]{16}\r\n", text), text
    assert "\r\nConnection: close\r\n" in text
    assert closed, "the connection should be closed after the answer"


def still_serves(endpoint):
    """An ordinary boto3 request on a fresh connection works."""
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, config=Config(retries={"total_max_attempts": 1}))
    assert "TableNames" in dynamodb.list_tables()


BAD_FRAMING = {
    "negative": b"Content-Length: -1\r\n",
    "empty": b"Content-Length: \r\n",
    "non-numeric": b"Content-Length: ten\r\n",
    "overflowing": b"Content-Length: 99999999999999999999999999\r\n",
    "past-int64": b"Content-Length: 9223372036854775808\r\n",
    "with-transfer-encoding": b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
}


@pytest.mark.parametrize("field", BAD_FRAMING.values(), ids=BAD_FRAMING.keys())
def test_bad_content_length_is_answered_at_once(endpoint, field):
    request = b"PUT /framing-bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\n" + field + b"\r\nhello"
    text, first_byte_after, closed = exchange(endpoint, request)
    assert_s3_error(text, first_byte_after, closed, "BadRequest", PARSE_ERROR)
    still_serves(endpoint)


@pytest.mark.parametrize("where", ["one-field", "many-fields", "request-line"])
def test_oversized_head_is_answered_at_once(endpoint, where):
    if where == "one-field":
        head = b"GET /b/k HTTP/1.1\r\nHost: 127.0.0.1\r\nx-amz-meta-big: " + b"a" * 9000 + b"\r\n\r\n"
    elif where == "many-fields":
        fields = b"".join(b"x-amz-meta-f%d: %s\r\n" % (index, b"v" * 90) for index in range(100))
        head = b"GET /b/k HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + b"\r\n"
    else:
        head = b"GET /b/" + b"k" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    text, first_byte_after, closed = exchange(endpoint, head)
    assert_s3_error(text, first_byte_after, closed, "RequestHeaderSectionTooLarge",
                    "Your request header section exceeds the maximum allowed size.")
    assert xml_field(text, "MaxSizeAllowed") == "8192"
    still_serves(endpoint)


def test_tls_port_answers_bad_framing_too(endpoint):
    tls = requests.get(f"{endpoint}/_local/health", timeout=5).json()["tls"]
    context = ssl.create_default_context(cafile=tls["caBundlePath"])
    request = b"PUT /framing-bucket/key HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n"
    text, first_byte_after, closed = exchange(
        f"http://{LOOPBACK}:{tls['port']}", request, wrap=lambda sock: context.wrap_socket(sock, server_hostname="localhost"))
    assert_s3_error(text, first_byte_after, closed, "BadRequest", PARSE_ERROR)
    still_serves(endpoint)


# --------------------------------------------------------------------------- bodies over AWS's limits


def head_only(endpoint, path, headers, length):
    """Announce a body of `length` bytes but send none: the answer must come from the head alone."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {LOOPBACK}", f"Content-Length: {length}", *headers]
    return exchange(endpoint, ("\r\n".join(lines) + "\r\n\r\n").encode(), read_for=ANSWER_WITHIN)


def json_body(text):
    return json.loads(text.split("\r\n\r\n", 1)[1])


def test_dynamodb_body_over_16_mb_is_refused_before_reading(endpoint):
    text, first_byte_after, _ = head_only(
        endpoint, "/", ["X-Amz-Target: DynamoDB_20120810.BatchWriteItem", "Content-Type: application/x-amz-json-1.0"],
        16 * 1024 * 1024 + 1)
    assert status_of(text) == 413, text
    assert first_byte_after is not None and first_byte_after < ANSWER_WITHIN
    assert json_body(text)["__type"] == "com.amazon.coral.service#RequestEntityTooLargeException"
    assert "\r\nx-amzn-ErrorType: RequestEntityTooLargeException\r\n" in text
    still_serves(endpoint)


def test_connections_body_over_128_kb_is_refused_before_reading(endpoint):
    text, first_byte_after, _ = head_only(endpoint, "/dev/@connections/AAAAAAAAAAAAAAA%3D", [], 128 * 1024 + 1)
    assert status_of(text) == 413, text
    assert first_byte_after is not None and first_byte_after < ANSWER_WITHIN
    assert json_body(text) == {"message": f"Message size {128 * 1024 + 1} exceeds the maximum of {128 * 1024} bytes"}
    assert "\r\nx-amzn-ErrorType: PayloadTooLargeException\r\n" in text


def test_chunked_dynamodb_body_is_cut_at_the_limit(endpoint):
    piece = b"x" * (1024 * 1024)

    def chunks():
        for _ in range(20):
            yield piece

    response = requests.post(endpoint + "/", data=chunks(), timeout=30,
                             headers={"X-Amz-Target": "DynamoDB_20120810.BatchWriteItem",
                                      "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == 413, response.text
    assert response.json()["__type"] == "com.amazon.coral.service#RequestEntityTooLargeException"
    still_serves(endpoint)


def test_lambda_event_invoke_payload_over_1_mb_is_refused(client):
    payload = b'"' + b"a" * 1_048_575 + b'"'
    with pytest.raises(ClientError) as excinfo:
        client("lambda").invoke(FunctionName="no-such-function", InvocationType="Event", Payload=payload)
    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestTooLargeException"
    assert error["Error"]["Message"] == "Request must be smaller than 1048576 bytes for the InvokeFunction operation"


# --------------------------------------------------------------------------- idle timeout and connection cap


@pytest.fixture(scope="module")
def quick_idle(tmp_path_factory):
    server = EmulatorProcess(tmp_path_factory.mktemp("framing-idle"), "--idle-timeout", "1s")
    yield server
    server.stop()


def test_short_body_gets_request_timeout_and_nothing_is_stored(quick_idle):
    s3 = quick_idle.client("s3")
    s3.create_bucket(Bucket="short-body")
    signed = AWSRequest(method="PUT", url=f"{quick_idle.endpoint}/short-body/key",
                        headers={"Content-Length": "10", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(signed)
    fields = "".join(f"{name}: {value}\r\n" for name, value in signed.headers.items())
    request = f"PUT /short-body/key HTTP/1.1\r\nHost: {LOOPBACK}:{quick_idle.port}\r\n{fields}\r\nhello".encode()
    started = time.monotonic()
    text, first_byte_after, closed = exchange(quick_idle.endpoint, request, read_for=5)
    assert status_of(text) == 400, text
    assert 0.9 < first_byte_after < 1 + ANSWER_WITHIN, first_byte_after
    assert xml_field(text, "Code") == "RequestTimeout"
    assert xml_field(text, "Message") == REQUEST_TIMEOUT
    assert closed and time.monotonic() - started < 5
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket="short-body", Key="key")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_idle_connections_are_closed(quick_idle):
    # Never a request at all.
    text, first_byte_after, closed = exchange(quick_idle.endpoint, b"", read_for=4)
    assert closed and text == "", text
    # A keep-alive connection after one answered request.
    sock = socket.create_connection(host_port(quick_idle.endpoint), timeout=5)
    sock.sendall(b"GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answered = sock.recv(65536)
    assert answered.startswith(b"HTTP/1.1 200 "), answered
    started = time.monotonic()
    rest = b""
    while chunk := sock.recv(65536):
        rest += chunk
    sock.close()
    assert 0.5 < time.monotonic() - started < 3.5
    assert quick_idle.client("s3").list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_connection_cap(tmp_path):
    server = EmulatorProcess(tmp_path, "--max-connections", "4", "--idle-timeout", "30s")
    try:
        time.sleep(0.3)  # the health checks' connections are closed
        held = [socket.create_connection(host_port(server.endpoint), timeout=5) for _ in range(4)]
        time.sleep(0.3)
        text, _, closed = exchange(server.endpoint, b"GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                   read_for=ANSWER_WITHIN)
        assert closed and text == "", text
        held.pop().close()
        time.sleep(0.3)
        assert server.client("s3").list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200
        for sock in held:
            sock.close()
        assert "connection cap" in read_tail(server.log_path)
    finally:
        server.stop()


# --------------------------------------------------------------------------- --host warning


def test_non_loopback_host_prints_a_warning(tmp_path):
    # The template does not exist, so the emulator stops before it binds anything.
    missing = tmp_path / "missing.yaml"
    result = subprocess.run([str(emulator_binary()), "start", "--host", "0.0.0.0", "--template", str(missing),
                             "--ephemeral"], capture_output=True, text=True, timeout=30, cwd=REPO_ROOT)
    assert result.returncode != 0
    assert "WARNING: --host 0.0.0.0 is not a loopback address." in result.stderr
    assert "/_local/" in result.stderr and "administrator" in result.stderr and "--strict-credentials" in result.stderr
    quiet = subprocess.run([str(emulator_binary()), "start", "--host", "127.0.0.1", "--template", str(missing),
                            "--ephemeral"], capture_output=True, text=True, timeout=30, cwd=REPO_ROOT)
    assert "WARNING" not in quiet.stderr
